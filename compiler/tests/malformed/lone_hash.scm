(a # b)
