(guard (1 2) 3)
