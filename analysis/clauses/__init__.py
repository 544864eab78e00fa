"""The clause engine: split a version into clauses and say what each one does."""
