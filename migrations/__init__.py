"""Alembic environment and versions for certdesk's database: the only way its schema
changes. Run through `Store.upgrade()` (`certdesk db upgrade`, and on start)."""
