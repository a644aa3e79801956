(if (eq? x #eof) 1 2)
