"""Persisted documents: GraphQL operations registered ahead of time and sent by hash."""
