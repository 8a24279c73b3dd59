let
  or = x: x;
  f = x: x;
  s = { a.b = 1; or = 2; };
in
[
  (map or [ 1 2 ])
  (f or)
  [ f or ]
  (s.a.c or (x: x) or)
  (s.a.b or s.or)
  (s ? or)
  ((f) or)
  { inherit or; }
]
