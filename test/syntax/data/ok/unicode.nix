# unicode: é€😀
{ name = "café 😀"; "été" = 1; s = ''
  €
''; }
