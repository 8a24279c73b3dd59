{ a = "unterminated;
  b = 1;
}
