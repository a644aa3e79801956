(display "\x41 is A")
