(if #yes 1 2)
