"one \ two"
