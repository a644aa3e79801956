#| outer #| inner |#
(display 1)
