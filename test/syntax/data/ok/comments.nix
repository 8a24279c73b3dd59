# leading comment
/* block
   comment */
{
  a = 1; # trailing
  /* inside */ b = /* value */ 2;
  c = "# not a comment";
  d = ''
    # shell comment, part of the string
  '';
  e = 1 /* x */ / /* y */ 2;
}
# final
