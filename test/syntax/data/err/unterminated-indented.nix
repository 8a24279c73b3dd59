{ a = ''
  unterminated
}
