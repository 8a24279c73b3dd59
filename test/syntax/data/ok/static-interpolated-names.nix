let
  ${"a"} = 1;
  ${''b''} = 2;
  ${("c")} = 3;
  s = { x = 1; y = 2; };
  n = "x";
  d.${n} = 4;
in
{
  inherit ${"a"} "b";
  inherit (s) ${("x")} ${''y''};
  ${n} = d;
}
