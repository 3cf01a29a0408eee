"""Rate limits shared by every app process (counted in PostgreSQL)."""
