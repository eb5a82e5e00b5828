"""Single-use tokens that expire, kept only as hashes: link codes and web sign-in links.

A token's row is keyed by the token's hash and names the account that asked for it.
Each helper works inside the caller's transaction, for either kind of row.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TypeVar

from sqlalchemy import delete, inspect
from sqlalchemy.ext.asyncio import AsyncSession

from bots.storage.tables import LinkCodeRow, WebSignInRow, utcnow

TokenRow = TypeVar("TokenRow", LinkCodeRow, WebSignInRow)


class TokenState(enum.Enum):
    """What a presented token turned out to be."""

    VALID = "valid"
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"


async def store_token(
    session: AsyncSession,
    row_class: type[TokenRow],
    member_id: int,
    token_hash: str,
    expires_at: datetime,
) -> None:
    """Store a new token for the account, replacing its earlier unused ones."""
    await session.execute(
        delete(row_class).where(row_class.member_id == member_id, row_class.used_at.is_(None))
    )
    key = inspect(row_class).primary_key[0].name  # the hash (column and attribute alike)
    session.add(
        row_class(
            **{key: token_hash},
            member_id=member_id,
            expires_at=expires_at,
            created_at=utcnow(),
        )
    )


async def find_token(
    session: AsyncSession, row_class: type[TokenRow], token_hash: str, now: datetime
) -> tuple[TokenState, TokenRow | None]:
    """The token's state, and its row (locked on PostgreSQL) when it is still valid.

    The caller marks a valid row used (``row.used_at = now``) once it accepts it.
    """
    row = await session.get(row_class, token_hash, with_for_update=True)
    if row is None:
        return TokenState.UNKNOWN, None
    if row.used_at is not None:
        return TokenState.USED, None
    if row.expires_at <= now:
        return TokenState.EXPIRED, None
    return TokenState.VALID, row


async def prune_tokens(session: AsyncSession, row_class: type[TokenRow], now: datetime) -> int:
    """Delete the tokens that expired before ``now``; how many went."""
    result = await session.execute(delete(row_class).where(row_class.expires_at < now))
    return int(getattr(result, "rowcount", 0) or 0)
