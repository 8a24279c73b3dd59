assert true;
with builtins;
let
  a = if true then 1 else 2;
  b = if a == 1 then if true then 3 else 4 else 5;
  c = (x: x) 1;
  d = [ (1) [ 2 3 ] { } ];
  e = -1;
  f = - -1;
  g = !!true;
  h = a: b: c: a;
  i = map (x: x * 2) [ 1 2 ];
  j = let in 1;
  k = { }.x or null;
  crlf = "a";
in
[ a b c d e f g (h 1 2 3) i j k ]
