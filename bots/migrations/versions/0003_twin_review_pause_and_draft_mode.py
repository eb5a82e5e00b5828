"""twin review, pause and draft mode

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 12:45:50.691059
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("profiles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("twin_mode", sa.String(length=8), nullable=False, server_default="auto"))
        batch_op.add_column(
            sa.Column("twin_paused_until", sa.DateTime(timezone=True), nullable=True)
        )

    with op.batch_alter_table("twin_replies", schema=None) as batch_op:
        batch_op.add_column(sa.Column("question_text", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("review", sa.String(length=16), nullable=False, server_default="unreviewed"))
        batch_op.add_column(sa.Column("correction", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("owner_notified_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("twin_replies", schema=None) as batch_op:
        batch_op.drop_column("reviewed_at")
        batch_op.drop_column("owner_notified_at")
        batch_op.drop_column("correction")
        batch_op.drop_column("review")
        batch_op.drop_column("question_text")

    with op.batch_alter_table("profiles", schema=None) as batch_op:
        batch_op.drop_column("twin_paused_until")
        batch_op.drop_column("twin_mode")
