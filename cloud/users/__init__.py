"""People who log in: accounts, roles, password hashing, JWT auth."""
