`(1 ,x ,@xs (nested ,(+ 1 2)) #(v ,y) . ,tail)
`(a `(b ,(c ,d)))
`(constant list)
