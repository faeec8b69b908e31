"""Alembic revisions of the refbank schema (loaded by alembic, not imported)."""
