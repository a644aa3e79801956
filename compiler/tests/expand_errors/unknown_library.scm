(import (scheme base) (srfi 1) (scheme writer))
