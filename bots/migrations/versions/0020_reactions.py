"""reactions: emoji reactions members put on each other's messages and twin answers, and an
index to find the replies to a message (thank-you replies)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "reactions",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("chat_id", _ID, nullable=False),
        sa.Column("platform_message_id", sa.String(length=64), nullable=False),
        sa.Column("member_id", _ID, nullable=False),
        sa.Column("target_member_id", _ID, nullable=False),
        sa.Column("emoji", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["chat_id"], ["chats.id"], name=op.f("fk_reactions_chat_id_chats"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_reactions_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target_member_id"],
            ["members.id"],
            name=op.f("fk_reactions_target_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reactions")),
        sa.UniqueConstraint(
            "chat_id",
            "platform_message_id",
            "member_id",
            "emoji",
            name=op.f("uq_reactions_chat_id_platform_message_id_member_id_emoji"),
        ),
    )
    with op.batch_alter_table("reactions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_reactions_chat_target", ["chat_id", "target_member_id"], unique=False
        )
        batch_op.create_index("ix_reactions_member", ["member_id"], unique=False)
    # Outside batch mode: SQLite adds an index without copying the table.
    op.create_index(
        "ix_messages_chat_reply_to", "messages", ["chat_id", "reply_to_platform_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_messages_chat_reply_to", table_name="messages")
    op.drop_table("reactions")
