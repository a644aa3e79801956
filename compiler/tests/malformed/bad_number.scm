(+ 1abc 2)
