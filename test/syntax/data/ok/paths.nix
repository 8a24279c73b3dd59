let b = "x"; in
[
  ./relative ../up /absolute/path ~/home/path <nixpkgs> <nixpkgs/lib>
  ./a/${b} ./a/${b}/c ./${b} ./a.b/c-d_e+f
  http://example.org/path?query=1&x=y https://nixos.org/ mailto:root@localhost
  (./a + "/b")
]
