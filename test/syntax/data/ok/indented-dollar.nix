let y = "Y"; in
[
  ''
    $${y} is text, as "$${y}" is in a normal string
    $$${y} is a dollar, then an interpolation
    '$${y} and $'${y}' and a$$b and $$
  ''
  ''$${''
  "$${y}"
]
