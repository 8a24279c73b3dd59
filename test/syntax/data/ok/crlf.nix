let
  a = "x
y";
  b = ''
    z
  '';
in [ a b ]
