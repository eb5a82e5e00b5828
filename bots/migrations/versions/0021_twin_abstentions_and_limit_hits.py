"""twin activity for the admin page: abstentions marked, rate-limit hits counted per chat

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("twin_replies", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("abstained", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_table(
        "twin_limit_hits",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("chat_id", _ID, nullable=False),
        sa.Column("hit_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["chat_id"], ["chats.id"], name="fk_twin_limit_hits_chat_id_chats", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_twin_limit_hits"),
    )
    op.create_index("ix_twin_limit_hits_chat_at", "twin_limit_hits", ["chat_id", "hit_at"])


def downgrade() -> None:
    op.drop_index("ix_twin_limit_hits_chat_at", table_name="twin_limit_hits")
    op.drop_table("twin_limit_hits")
    with op.batch_alter_table("twin_replies", schema=None) as batch_op:
        batch_op.drop_column("abstained")
