"""Weights of the answerability models, written by ``bench/fit_answerability.py``."""

from twins.answer_features import QUESTION_FEATURES, QUOTE_FEATURES
from twins.linear_model import LinearModel

QUOTE_MODEL = LinearModel(
    features=QUOTE_FEATURES,
    mean=(
        0.0410359,
        0.170502,
        0.184392,
        0.0910369,
        0.111727,
        0.408807,
        1.32558,
        -0.0276383,
        0.0335728,
    ),
    scale=(
        0.0316133,
        0.200055,
        0.217672,
        0.287662,
        0.31503,
        0.491614,
        0.657966,
        0.0299872,
        0.180127,
    ),
    weights=(
        0.481752,
        0.22237,
        0.27951,
        -0.374771,
        -0.344472,
        0.193952,
        -0.669256,
        0.154815,
        0.314704,
    ),
    intercept=-0.962477,
    threshold=0.5,
)
"""Does a candidate message carry the answer? (quoted at or above the threshold)"""

QUESTION_MODEL = LinearModel(
    features=QUESTION_FEATURES,
    mean=(
        0.0718108,
        0.607477,
        0.334166,
        0.507681,
        0.00167497,
        0.0337289,
        0.0211793,
        1.40413,
    ),
    scale=(
        0.030675,
        0.348481,
        0.579809,
        0.213847,
        0.0184679,
        0.159361,
        0.0194035,
        1.28898,
    ),
    weights=(
        -0.51475,
        1.3294,
        -0.461688,
        0.196665,
        0.292484,
        0.594003,
        0.655917,
        1.31206,
    ),
    intercept=0.0679584,
    threshold=0.33275,
)
"""Do the member's messages answer the question? (abstains below the threshold)"""
