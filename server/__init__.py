"""Levelground server: domain, database, services and the Starlette app."""
