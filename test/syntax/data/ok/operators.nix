let a = 1; b = 2; c = 3; f = x: x; t = true; s = { x.y = 1; }; l = [ 1 ]; in
[
  (a + b * c) (a - b - c) (a * b / c) (- a * b) (- a) (!t || t) (!t && t)
  (t -> t -> t) (l ++ l ++ l) (s // s // s) (a == b) (a != b) (a < b) (a <= b) (a > b) (a >= b)
  (s ? x.y) (s ? "x") (!s ? x) (- a + b) (a + b ++ l) (!t == t) (f a) (f a b) (s.x.y) (s.x.z or 4)
  (s.x or 5) (a-b) (a - b) (a -b) (f -1) (s.${"x"}.y) (3 / 1) (a/ b) (a /b) (1e3) (1.5e-3) (.5) (1.)
  (a+b) (a++l) (f (a)) (s.x.y + 1 * 2 - 3)
]
