"""Roles audit: learned FAQ entries record who added them (author); entries learned
before this step take the resolver of the escalation they came from.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 06:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("learned_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("author", sa.String(length=64), nullable=True))
    op.execute(
        "UPDATE learned_entries SET author = (SELECT e.resolver FROM escalations e "
        "WHERE e.learned_entry_id = learned_entries.id) WHERE author IS NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("learned_entries", schema=None) as batch_op:
        batch_op.drop_column("author")
