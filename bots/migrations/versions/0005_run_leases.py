"""run leases for scheduled jobs

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 13:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "hearth_run_leases",
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False, autoincrement=False),
        sa.Column("period_key", sa.String(64), nullable=False),
        sa.Column("owner", sa.String(128), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("kind", "chat_id", "period_key", name="pk_hearth_run_leases"),
    )
    op.create_index("ix_hearth_run_leases_claimed_at", "hearth_run_leases", ["claimed_at"])


def downgrade() -> None:
    op.drop_index("ix_hearth_run_leases_claimed_at", table_name="hearth_run_leases")
    op.drop_table("hearth_run_leases")
