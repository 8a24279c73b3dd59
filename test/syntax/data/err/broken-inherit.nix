{ inherit (a) ; a.${ = 1; }
