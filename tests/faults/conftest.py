"""Fault tests: real ``hearth run`` processes that are killed, starved or fed bad input."""

from __future__ import annotations

import pytest

from tests.fakes.telegram_fixtures import fake_telegram

__all__ = ["fake_telegram"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test in this folder as a fault test (select with ``-m fault``)."""
    for item in items:
        if "tests/faults/" in str(item.fspath):
            item.add_marker(pytest.mark.fault)
