"""introductions: cadence and delivery per chat, opt-ins, avoid lists, past rounds

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("chat_settings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("intro_cadence", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("intro_delivery", sa.String(8), nullable=False, server_default="group")
        )
    op.create_table(
        "intro_members",
        sa.Column("chat_id", _ID, nullable=False),
        sa.Column("member_id", _ID, nullable=False),
        sa.Column("opted_in", sa.Boolean(), nullable=False),
        sa.Column("snoozed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["chat_id"], ["chats.id"], name="fk_intro_members_chat_id_chats", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name="fk_intro_members_member_id_members",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("chat_id", "member_id", name="pk_intro_members"),
    )
    op.create_table(
        "intro_avoid",
        sa.Column("member_id", _ID, nullable=False),
        sa.Column("avoided_member_id", _ID, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name="fk_intro_avoid_member_id_members",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["avoided_member_id"],
            ["members.id"],
            name="fk_intro_avoid_avoided_member_id_members",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("member_id", "avoided_member_id", name="pk_intro_avoid"),
    )
    op.create_table(
        "intro_groups",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("chat_id", _ID, nullable=False),
        sa.Column("round_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("member_ids", sa.JSON(), nullable=False),
        sa.Column("similarity", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["chat_id"], ["chats.id"], name="fk_intro_groups_chat_id_chats", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_intro_groups"),
    )
    op.create_index("ix_intro_groups_chat_round", "intro_groups", ["chat_id", "round_at"])


def downgrade() -> None:
    op.drop_index("ix_intro_groups_chat_round", table_name="intro_groups")
    op.drop_table("intro_groups")
    op.drop_table("intro_avoid")
    op.drop_table("intro_members")
    with op.batch_alter_table("chat_settings", schema=None) as batch_op:
        batch_op.drop_column("intro_delivery")
        batch_op.drop_column("intro_cadence")
