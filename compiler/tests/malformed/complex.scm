(sqrt 1+2i)
