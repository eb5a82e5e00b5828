"""process roles: embedding claims on messages, and updates taken by webhook replicas

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 07:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("embedding_claimed_until", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("embedding_claimed_by", sa.String(length=64), nullable=True))
    op.create_table(
        "handled_updates",
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("update_id", sa.BigInteger(), nullable=False),
        sa.Column("claimed_by", sa.String(length=64), nullable=False),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("platform", "key", "update_id", name=op.f("pk_handled_updates")),
    )
    with op.batch_alter_table("handled_updates", schema=None) as batch_op:
        batch_op.create_index("ix_handled_updates_claimed_until", ["claimed_until"], unique=False)


def downgrade() -> None:
    op.drop_table("handled_updates")
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_column("embedding_claimed_by")
        batch_op.drop_column("embedding_claimed_until")
