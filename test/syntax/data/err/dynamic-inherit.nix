let
  s = { a = 1; };
  n = "a";
in
{ inherit (s) "${n}"; }
