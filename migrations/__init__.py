"""Alembic environment and versions for certdesk's database (run via Store.upgrade())."""
