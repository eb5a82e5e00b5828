"""run leases record progress, heartbeats and failures, so cut-off runs can resume

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-10 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("hearth_run_leases") as batch:
        batch.add_column(sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(
            sa.Column("delivered", sa.Integer(), nullable=False, server_default=sa.text("0"))
        )
        batch.add_column(
            sa.Column("attempts", sa.Integer(), nullable=False, server_default=sa.text("1"))
        )
        batch.add_column(sa.Column("failed_at", sa.DateTime(timezone=True), nullable=True))
    # Runs left open before this revision (failed, or cut off) are not resumed: their
    # progress was never recorded.
    op.execute(
        "UPDATE hearth_run_leases SET failed_at = claimed_at WHERE finished_at IS NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("hearth_run_leases") as batch:
        batch.drop_column("failed_at")
        batch.drop_column("attempts")
        batch.drop_column("delivered")
        batch.drop_column("heartbeat_at")
