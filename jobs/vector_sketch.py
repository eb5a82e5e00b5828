"""A few dimensions of a large matrix of unit vectors that keep most of their dot products.

Comparing a large chat's messages with their candidates' messages in the
embedder's full dimension (held as float16) costs a conversion and hundreds of
multiplications per pair. A *sketch* projects each row on the ``dims``
directions the rows vary most along (the top eigenvectors of their second
moment, from a sample): dot products of sketches approximate those of the rows,
so a search ranks candidates on the sketch and scores only the best exactly.
"""

from __future__ import annotations

import numpy as np

from jobs.vector_math import ROW_BLOCK, FloatMatrix, as_float32

SAMPLE_ROWS = 20000
"""Rows the directions are found on."""


def sketch_rows(x: FloatMatrix, dims: int, *, seed: int = 0) -> FloatMatrix:
    """Each row of ``x`` on its ``dims`` main directions, as a float32 matrix.

    Dot products of two sketches approximate those of the rows (never more
    than the rows' own, less what lies outside the directions).
    """
    n, width = x.shape
    dims = max(1, min(dims, width))
    sample = (
        x
        if n <= SAMPLE_ROWS
        else x[np.sort(np.random.default_rng(seed).choice(n, SAMPLE_ROWS, replace=False))]
    )
    sampled = as_float32(sample).astype(np.float64)
    _, vectors = np.linalg.eigh(sampled.T @ sampled)
    basis = np.ascontiguousarray(vectors[:, ::-1][:, :dims], dtype=np.float32)
    sketch = np.empty((n, dims), dtype=np.float32)
    for start in range(0, n, ROW_BLOCK):
        sketch[start : start + ROW_BLOCK] = as_float32(x[start : start + ROW_BLOCK]) @ basis
    return sketch
