(import (rename (scheme base) (car first)))
