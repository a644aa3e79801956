(list 'a ')
