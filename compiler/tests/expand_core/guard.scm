(guard (e ((symbol? e) (list (quote caught) e))
          ((string? e) => string-length))
  (raise (quote boom)))
