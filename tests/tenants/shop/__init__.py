"""The tenant app: every tenant has these tables in its own schema."""
