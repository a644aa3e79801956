(display else)
