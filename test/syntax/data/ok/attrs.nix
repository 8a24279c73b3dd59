let
  x = "dyn";
  inherited = 1;
  src = { a = 1; b = 2; "c d" = 3; };
in
rec {
  a.b.c = 1;
  a.b.d = 2;
  "quoted key" = 3;
  ${x} = 4;
  "${x}-2" = 5;
  inherit inherited;
  inherit (src) b "c d";
  or = 6;
  n.or = 7;
  self = a.b.c;
  legacy = let { body = 8; };
  e = { };
  cpos = __curPos.line;
  "a.b" = 9;
} // { x = 10; }
