"""Domain vocabulary of the ledger: plain data, no storage and no Qt."""
