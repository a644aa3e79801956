(define area
  (case-lambda
    ((r) (* 3 r r))
    ((w h) (* w h))
    ((w h . more) (list w h more))))
