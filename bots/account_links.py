"""One-time codes that link a person's accounts on two platforms.

A code is random, shown only to its requester, stored only as a hash, valid for
ten minutes and for one use. Whoever enters it links *their own* account to the
requester's profile, so a code can never attach someone else's account; wrong
guesses are limited per account.
"""

from __future__ import annotations

import hashlib
import secrets
from collections import defaultdict, deque
from datetime import datetime, timedelta

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
"""Letters and digits without look-alikes (no I, O, 0, 1)."""
CODE_LENGTH = 10
CODE_TTL = timedelta(minutes=10)
MAX_FAILED_ATTEMPTS = 5
ATTEMPT_WINDOW = timedelta(minutes=10)


def new_code() -> str:
    """A fresh random code, grouped for reading: ``ABCDE-FGHJK``."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def normalise(code: str) -> str:
    """A typed code in canonical form: upper case, without spaces or dashes."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def code_hash(code: str) -> str:
    """The stored form of a code."""
    return hashlib.sha256(normalise(code).encode("ascii", "ignore")).hexdigest()


def looks_like_code(code: str) -> bool:
    """True when ``code`` has the shape of a link code."""
    canonical = normalise(code)
    return len(canonical) == CODE_LENGTH and all(ch in CODE_ALPHABET for ch in canonical)


class AttemptLimiter:
    """Counts failed code entries per account and refuses after too many."""

    def __init__(
        self, limit: int = MAX_FAILED_ATTEMPTS, window: timedelta = ATTEMPT_WINDOW
    ) -> None:
        self._limit = limit
        self._window = window
        self._failures: defaultdict[int, deque[datetime]] = defaultdict(deque)

    def blocked(self, member_id: int, now: datetime) -> bool:
        """Whether the account used up its attempts for now."""
        failures = self._failures[member_id]
        while failures and now - failures[0] > self._window:
            failures.popleft()
        return len(failures) >= self._limit

    def failed(self, member_id: int, now: datetime) -> None:
        """Record a wrong, used or expired code."""
        self._failures[member_id].append(now)
