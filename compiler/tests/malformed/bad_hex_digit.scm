#xfg
