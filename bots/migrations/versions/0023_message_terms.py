"""a message's interest terms, found once by the embedding worker

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 22:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable columns without defaults: PostgreSQL adds them without rewriting the table,
    # and SQLite with a plain ALTER TABLE.
    op.add_column("messages", sa.Column("interest_terms", sa.Text(), nullable=True))
    op.add_column("messages", sa.Column("interest_weight", sa.Float(), nullable=True))
    op.add_column("messages", sa.Column("terms_version", sa.SmallInteger(), nullable=True))


def downgrade() -> None:
    # Plain DROP COLUMNs: batch mode would rebuild ``messages`` on SQLite.
    op.execute("ALTER TABLE messages DROP COLUMN terms_version")
    op.execute("ALTER TABLE messages DROP COLUMN interest_weight")
    op.execute("ALTER TABLE messages DROP COLUMN interest_terms")
