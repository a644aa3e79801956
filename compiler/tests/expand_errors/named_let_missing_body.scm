(let loop ((i 0)))
