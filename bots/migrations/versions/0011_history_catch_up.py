"""history catch-up: a resume point per chat, and messages indexed by chat and time

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("chats") as batch:
        batch.add_column(sa.Column("catch_up_after", sa.String(length=64), nullable=True))
    op.create_index("ix_messages_chat_sent", "messages", ["chat_id", "sent_at"])


def downgrade() -> None:
    op.drop_index("ix_messages_chat_sent", table_name="messages")
    with op.batch_alter_table("chats") as batch:
        batch.drop_column("catch_up_after")
