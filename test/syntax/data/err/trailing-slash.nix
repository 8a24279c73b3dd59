{ a = ./trailing/; }
