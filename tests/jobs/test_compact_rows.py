"""Steps done a block of rows (or pairs) at a time give what the whole matrix gives."""

from __future__ import annotations

import numpy as np
import pytest

from jobs import vector_math
from jobs.vector_math import compact_rows, unit_rows, unit_rows_in_place


def test_compact_rows_moves_the_chosen_rows_up_in_place(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(vector_math, "ROW_BLOCK", 7)  # many blocks on a small matrix
    rng = np.random.default_rng(3)
    matrix = rng.standard_normal((60, 5)).astype(np.float32)
    rows = np.sort(rng.choice(60, 41, replace=False)).astype(np.int64)
    expected = matrix[rows].copy()
    moved = compact_rows(matrix, rows)
    assert np.shares_memory(moved, matrix)
    np.testing.assert_array_equal(moved, expected)


def test_compact_rows_refuses_rows_out_of_order() -> None:
    with pytest.raises(ValueError):
        compact_rows(np.zeros((4, 2), dtype=np.float32), np.asarray([2, 1], dtype=np.int64))


def test_normalising_in_blocks_equals_the_whole_matrix(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(5)
    matrix = rng.standard_normal((50, 9)).astype(np.float32)
    matrix[4] = 0.0
    whole = matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-30)
    whole[4] = 0.0
    monkeypatch.setattr(vector_math, "ROW_BLOCK", 8)
    blocked = unit_rows_in_place(matrix.copy())
    np.testing.assert_array_equal(blocked, unit_rows(matrix))
    np.testing.assert_allclose(blocked, whole, rtol=1e-6)
    bad = matrix.copy()
    bad[45, 2] = np.nan  # in the last block
    with pytest.raises(ValueError):
        unit_rows_in_place(bad)


def test_best_evidence_read_in_blocks_equals_one_block(monkeypatch: pytest.MonkeyPatch) -> None:
    from jobs import shared_interests

    rng = np.random.default_rng(11)
    owners = rng.integers(0, 6, 80).astype(np.int64)
    rows = rng.integers(0, 80, 400).astype(np.int64)
    columns = rng.integers(0, 80, 400).astype(np.int64)
    apart = owners[rows] != owners[columns]
    rows, columns = rows[apart], columns[apart]
    excess = rng.standard_normal(len(rows)).astype(np.float32)
    moments = rng.uniform(0, 10 * 86400, 80)
    whole = shared_interests._best_evidence(
        owners, rows, columns, excess, 3, moments=moments, apart=86400.0
    )
    monkeypatch.setattr(shared_interests, "_PAIR_BLOCK", 7)
    blocked = shared_interests._best_evidence(
        owners, rows, columns, excess, 3, moments=moments, apart=86400.0
    )
    assert whole and dict(blocked.items()) == dict(whole.items())
