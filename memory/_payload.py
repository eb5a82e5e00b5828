"""Payload layout shared by the Qdrant backends: records to payloads and back."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from memory.records import MemoryHit, MemoryRecord

CHAT_ID = "chat_id"
MEMBER_ID = "member_id"
SENT_AT = "sent_at"
SENT_AT_ISO = "sent_at_iso"
TEXT = "text"
PERMALINK = "permalink"

MEMBER_CHAT = "member_chat"
"""The Qdrant Edge store's key of a message's member in its chat (see :func:`member_chat_key`)."""

#: Integer payload fields that every filter uses, indexed in both backends.
INDEXED_FIELDS = (CHAT_ID, MEMBER_ID)

_KEY_BITS = 31
NO_KEY = -1
"""The :data:`MEMBER_CHAT` of a message whose ids do not fit a key: no search asks for it."""


def member_chat_key(member_id: int, chat_id: int) -> int:
    """One integer for a member in a chat, distinct for every pair of ids from 0 to 2**31 - 1;
    :data:`NO_KEY` for ids outside that range (Hearth's ids, database row ids, fit).

    A search of one member in one chat then matches a single indexed value instead of two,
    and the engine checks one condition per message instead of two.
    """
    limit = 1 << _KEY_BITS
    if 0 <= member_id < limit and 0 <= chat_id < limit:
        return (chat_id << _KEY_BITS) | member_id
    return NO_KEY


def to_payload(record: MemoryRecord) -> dict[str, Any]:
    """The payload stored beside a record's vector.

    ``sent_at`` is kept twice: as Unix seconds (a float, for range filters and
    ordering) and as the ISO text, which round-trips the exact ``datetime``.
    A naive ``sent_at`` is taken to be UTC.
    """
    sent_at = record.sent_at
    aware = sent_at if sent_at.tzinfo is not None else sent_at.replace(tzinfo=UTC)
    return {
        CHAT_ID: record.chat_id,
        MEMBER_ID: record.member_id,
        SENT_AT: aware.timestamp(),
        SENT_AT_ISO: sent_at.isoformat(),
        TEXT: record.text,
        PERMALINK: record.permalink,
    }


def to_hit(point_id: object, score: float, payload: Mapping[str, Any] | None) -> MemoryHit:
    """A search hit from a stored point's id, score and payload."""
    if not isinstance(point_id, int) or payload is None:
        raise ValueError(f"point {point_id!r} was not written by Hearth's memory store")
    iso = payload.get(SENT_AT_ISO)
    sent_at = (
        datetime.fromisoformat(iso)
        if isinstance(iso, str)
        else datetime.fromtimestamp(float(payload[SENT_AT]), tz=UTC)
    )
    permalink = payload.get(PERMALINK)
    return MemoryHit(
        message_id=point_id,
        chat_id=int(payload[CHAT_ID]),
        member_id=int(payload[MEMBER_ID]),
        sent_at=sent_at,
        text=str(payload.get(TEXT, "")),
        score=float(score),
        permalink=permalink if isinstance(permalink, str) else None,
    )


def as_vector(vector: Sequence[float] | npt.NDArray[np.float32], dimension: int) -> list[float]:
    """``vector`` as a list of floats, checked to have ``dimension`` entries."""
    array = np.asarray(vector, dtype=np.float32)
    if array.shape != (dimension,):
        raise ValueError(f"expected a vector of {dimension} floats, got shape {array.shape}")
    values: list[float] = array.tolist()
    return values


def dense_vector(vector: object) -> list[float] | None:
    """The unnamed dense vector of a stored point (plain, or under ``""``), if it has one."""
    dense = vector.get("") if isinstance(vector, dict) else vector
    if isinstance(dense, list) and all(isinstance(x, float | int) for x in dense):
        return [float(x) for x in dense]
    return None


def dense_rows(
    points: Sequence[tuple[object, object]], dimension: int
) -> tuple[list[int], npt.NDArray[np.float32]]:
    """The ids and unnamed dense vectors of stored ``(id, vector)`` points, as one float32 matrix.

    Points without a dense vector of ``dimension`` numbers are left out. The
    vectors go straight from the client's lists into the matrix: no Python
    float is made per number.
    """
    ids: list[int] = []
    matrix = np.empty((len(points), dimension), dtype=np.float32)
    for point_id, vector in points:
        dense = vector.get("") if isinstance(vector, dict) else vector
        if not isinstance(dense, list | tuple | np.ndarray) or len(dense) != dimension:
            continue
        try:
            matrix[len(ids)] = dense
        except (TypeError, ValueError):
            continue
        ids.append(int(point_id))  # type: ignore[call-overload]
    return ids, matrix[: len(ids)]
