"""the assistant can be switched off per chat; members can opt out of being suggested

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 02:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("chat_settings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("assistant_enabled", sa.Boolean(), nullable=False, server_default=sa.true())
        )
    with op.batch_alter_table("member_settings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("suggestable", sa.Boolean(), nullable=False, server_default=sa.true())
        )


def downgrade() -> None:
    with op.batch_alter_table("member_settings", schema=None) as batch_op:
        batch_op.drop_column("suggestable")
    with op.batch_alter_table("chat_settings", schema=None) as batch_op:
        batch_op.drop_column("assistant_enabled")
