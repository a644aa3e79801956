(case 1 (1 (quote one)))
