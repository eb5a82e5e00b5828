"""ingest ledger: platform update positions and updates that could not be handled

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 19:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "platform_cursors",
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("platform", "key", name="pk_platform_cursors"),
    )
    op.create_table(
        "skipped_updates",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("platform_update_id", sa.String(64), nullable=False),
        sa.Column("sender_platform_user_id", sa.String(64), nullable=True),
        sa.Column("raw", sa.Text(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_skipped_updates"),
    )
    op.create_index(
        "ix_skipped_updates_sender",
        "skipped_updates",
        ["platform", "sender_platform_user_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_skipped_updates_sender", table_name="skipped_updates")
    op.drop_table("skipped_updates")
    op.drop_table("platform_cursors")
