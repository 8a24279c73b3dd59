let
  id = x: x;
  k = x: y: x;
  p = { a, b ? 2, ... }: a + b;
  q = args@{ a, ... }: args.a;
  r = { a ? 1 }@args: a;
  e = {}: 1;
  dots = { ... }: 2;
  nested = { a ? { b = 1; }.b, c ? (x: x) 3 }: a + c;
in
[ (id 1) (k 1 2) (p { a = 1; }) (q { a = 3; }) (r {}) (e {}) (dots {}) (nested {}) ]
