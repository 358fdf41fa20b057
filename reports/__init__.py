"""Document builders (通报, 督办通知, Excel sheets): plain data in, files out. No Qt."""
