"""a chat's reply language setting; a member's app language

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 05:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("chat_settings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("language", sa.String(length=8), nullable=False, server_default="auto")
        )
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.add_column(sa.Column("locale", sa.String(length=16), nullable=True))


def downgrade() -> None:
    # A plain DROP COLUMN: batch mode would rebuild ``members`` on SQLite, and dropping
    # the old table there deletes every message that refers to it.
    op.execute("ALTER TABLE members DROP COLUMN locale")
    with op.batch_alter_table("chat_settings", schema=None) as batch_op:
        batch_op.drop_column("language")
