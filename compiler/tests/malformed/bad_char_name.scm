(list #\spaec)
