"""Many vectors read as float16 for a large job: unit rows, whatever the stored length."""

from __future__ import annotations

import numpy as np

from memory.store import FloatVector, vector_matrix

DIM = 8


class _Store:
    async def vectors(self, message_ids: list[int]) -> dict[int, FloatVector]:
        found = {}
        for i in message_ids:
            if i % 5:  # every fifth message is not stored
                vector = np.zeros(DIM, dtype=np.float32)
                vector[i % DIM] = 1e6 * i  # far beyond what float16 holds
                vector[(i + 1) % DIM] = 3e5
                found[i] = vector
        return found


async def test_half_rows_are_float16_unit_vectors() -> None:
    ids = list(range(1, 41))
    found, matrix = await vector_matrix(_Store(), ids, DIM, page=7, half=True)  # type: ignore[arg-type]
    assert matrix.dtype == np.float16
    assert found.tolist() == [bool(i % 5) for i in ids]
    assert np.isfinite(matrix).all()
    norms = np.linalg.norm(matrix.astype(np.float32), axis=1)
    np.testing.assert_allclose(norms[found], 1.0, atol=2e-3)
    assert not matrix[~found].any()
    _, full = await vector_matrix(_Store(), ids, DIM, page=7)  # type: ignore[arg-type]
    unit = full[found] / np.linalg.norm(full[found], axis=1, keepdims=True)
    np.testing.assert_allclose(matrix[found].astype(np.float32), unit, atol=2e-3)
