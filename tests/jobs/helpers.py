"""Builders for digest and introduction tests."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import numpy as np

from jobs.digest_model import DigestMessage, DigestPeriod
from jobs.vector_math import FloatMatrix, unit_rows
from memory.hash_embedder import HashEmbedder

DAY_START = datetime(2026, 11, 3, tzinfo=UTC)
DAY = DigestPeriod(DAY_START, DAY_START + timedelta(days=1))
_ids = itertools.count(1)


def message(
    member_id: int,
    text: str,
    minute: float,
    *,
    name: str | None = None,
    message_id: int | None = None,
    reply_to: int | None = None,
    newcomer: bool = False,
) -> DigestMessage:
    """A message ``minute`` minutes into the test day; ids count up unless given."""
    identifier = message_id if message_id is not None else next(_ids)
    return DigestMessage(
        message_id=identifier,
        member_id=member_id,
        member_name=name or f"member{member_id}",
        text=text,
        sent_at=DAY_START + timedelta(minutes=minute),
        permalink=f"https://t.me/c/1/{identifier}",
        reply_to_message_id=reply_to,
        is_newcomer=newcomer,
    )


def hash_vectors(messages: Sequence[DigestMessage], dimension: int = 512) -> FloatMatrix:
    """Bag-of-words vectors of the messages' texts."""
    embedder = HashEmbedder(dimension)
    return unit_rows(np.asarray([embedder.embed(m.text) for m in messages]))
