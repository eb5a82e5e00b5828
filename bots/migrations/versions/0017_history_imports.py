"""imported history: messages read from an export or a channel's history, and import runs

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 07:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("imported", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.drop_index("ix_messages_pending")
        batch_op.create_index(
            "ix_messages_pending", ["embedded_at", "imported", "id"], unique=False
        )
    op.create_table(
        "history_imports",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("chat_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("source", sa.String(length=24), nullable=False),
        sa.Column("source_key", sa.String(length=128), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column(
            "requested_by",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=True,
        ),
        sa.Column("since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resume_after", sa.String(length=64), nullable=True),
        sa.Column("stored", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("duplicates", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("skipped", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["chat_id"],
            ["chats.id"],
            name=op.f("fk_history_imports_chat_id_chats"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by"],
            ["members.id"],
            name=op.f("fk_history_imports_requested_by_members"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_history_imports")),
    )
    with op.batch_alter_table("history_imports", schema=None) as batch_op:
        batch_op.create_index(
            "ix_history_imports_chat_source_key", ["chat_id", "source", "source_key"], unique=False
        )


def downgrade() -> None:
    op.drop_table("history_imports")
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index("ix_messages_pending")
        batch_op.create_index("ix_messages_pending", ["embedded_at", "id"], unique=False)
        batch_op.drop_column("imported")
