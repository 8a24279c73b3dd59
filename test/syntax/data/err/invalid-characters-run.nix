{
  a = 1;   ^^^^^^^^ marks the line above
  b = "x";
}
