{ a = { }.b or; }
