"""digest features: which members a posted digest featured, and how

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 10:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "digest_features",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("chat_id", _ID, nullable=False),
        sa.Column("member_id", _ID, nullable=False),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("permalink", sa.String(length=512), nullable=True),
        sa.ForeignKeyConstraint(
            ["chat_id"], ["chats.id"], name="fk_digest_features_chat_id_chats", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name="fk_digest_features_member_id_members",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_digest_features"),
    )
    op.create_index(
        "ix_digest_features_member_posted", "digest_features", ["member_id", "posted_at"]
    )
    op.create_index("ix_digest_features_chat_posted", "digest_features", ["chat_id", "posted_at"])


def downgrade() -> None:
    op.drop_index("ix_digest_features_chat_posted", table_name="digest_features")
    op.drop_index("ix_digest_features_member_posted", table_name="digest_features")
    op.drop_table("digest_features")
