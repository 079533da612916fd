"""Alembic migrations of the store (run by `catalog.store.migrate`)."""
