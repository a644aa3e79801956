(cond (else 1) (#t 2))
