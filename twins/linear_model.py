"""A logistic model with its weights written out: small, fixed and readable."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class LinearModel:
    """A logistic model over standardised features: ``sigmoid(w · (x - mean) / scale + b)``."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    intercept: float
    threshold: float
    """Probability at or above which the answer is yes."""

    def logit(self, row: Sequence[float]) -> float:
        """The model's log-odds for one feature row."""
        if len(row) != len(self.features):
            raise ValueError(f"expected {len(self.features)} features, got {len(row)}")
        return self.intercept + sum(
            w * (x - m) / s
            for w, x, m, s in zip(self.weights, row, self.mean, self.scale, strict=True)
        )


def probability(logit: float) -> float:
    """The logistic function, safe for large magnitudes."""
    if logit >= 0:
        return 1.0 / (1.0 + math.exp(-logit))
    odds = math.exp(logit)
    return odds / (1.0 + odds)
