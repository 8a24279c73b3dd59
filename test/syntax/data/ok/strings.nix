let y = "Y"; in
[
  "plain" "with \"escapes\" \n \t \r \\ \$ \x" "interp ${y} and ${"nested ${y}"}" "$${y}" "\${y}" "$" "a$b" "$$"
  ''
    indented
      more
    back
  ''
  ''first line kept''
  ''  ${y} starts with interpolation
    x''
  ''
    escapes: ''$ ''' ''\n ''\t ''\\ ''${y}
    dollar: $y $ {y}
  ''
  ''

    blank lines around

  ''
  "multi
line"
  ''
  	tab indented
  ''
  ''a''
  ''''
  ""
]
