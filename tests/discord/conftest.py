"""Fixtures for the Discord wire tests (shared ones live in tests/fakes)."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

# discord.py imports the deprecated audioop module for voice, which Hearth does not use.
warnings.filterwarnings("ignore", message="'audioop' is deprecated", category=DeprecationWarning)

_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from tests.fakes.discord_fixtures import (  # noqa: E402
    discord_adapter_factory,
    discord_server,
    fake_discord,
)

__all__ = ["discord_adapter_factory", "discord_server", "fake_discord"]
