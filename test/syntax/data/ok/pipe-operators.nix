# oracle: nix >= 2.24 (experimental-features = pipe-operators); Nix 2.8 has no pipe operators
let
  inc = x: x + 1;
  double = x: x * 2;
in
{
  into = 1 |> inc |> double;
  from = double <| inc <| 1;
  concat = [ 1 ] ++ [ 2 ] |> builtins.length;
  implies = true -> false |> builtins.toJSON;
  nested = (1 |> inc) + (double <| 2);
  select = { a = 1; } |> (s: s.a);
}
