let
  name = "a";
  ${name} = 1;
in
a
