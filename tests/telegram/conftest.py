"""Fixtures for the Telegram wire tests (shared ones live in tests/fakes)."""

from __future__ import annotations

import sys
from pathlib import Path

_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from tests.fakes.telegram_fixtures import (  # noqa: E402
    fake_telegram,
    telegram_adapter_factory,
)

__all__ = ["fake_telegram", "telegram_adapter_factory"]
