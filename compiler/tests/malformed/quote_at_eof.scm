(display 'x)
'