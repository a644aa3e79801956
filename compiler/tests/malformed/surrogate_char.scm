(list #\xD800)
