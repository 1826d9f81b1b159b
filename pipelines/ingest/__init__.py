"""Readers of the inbox: which file is which source (``inbox``), the CSV and DECP JSON readers,
their contracts (``sources``), value parsing and plausibility rules, pseudonymisation at read time
(``privacy``), and the loader that writes each file's rows, quarantine and ledger entry in one
transaction."""
