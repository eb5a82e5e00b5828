"""Weights of the answerability models, written by ``bench/fit_answerability.py``."""

from twins.answer_features import QUESTION_FEATURES, QUOTE_FEATURES
from twins.linear_model import LinearModel

QUOTE_MODEL = LinearModel(
    features=QUOTE_FEATURES,
    mean=(
        0.0432755,
        0.172078,
        0.186096,
        0.0802718,
        0.105949,
        0.412815,
        1.32571,
        -0.0275343,
        0.03274,
        2.54857,
        0.000920689,
    ),
    scale=(
        0.0301915,
        0.200173,
        0.217858,
        0.271714,
        0.307773,
        0.49234,
        0.65784,
        0.029777,
        0.156945,
        0.627952,
        0.00548654,
    ),
    weights=(
        0.47506,
        0.307988,
        0.119902,
        -0.301434,
        -0.323485,
        0.130942,
        -0.691192,
        0.16028,
        0.180679,
        0.400555,
        0.09004,
    ),
    intercept=-1.01316,
    threshold=0.5,
)
"""Does a candidate message carry the answer? (quoted at or above the threshold)"""

QUESTION_MODEL = LinearModel(
    features=QUESTION_FEATURES,
    mean=(
        0.0745463,
        0.607118,
        0.369144,
        0.507681,
        0.00167497,
        0.0338423,
        0.0232651,
        0.00186346,
        1.37555,
    ),
    scale=(
        0.0287376,
        0.347784,
        0.601287,
        0.213847,
        0.0184679,
        0.140327,
        0.0209562,
        0.00761413,
        1.31648,
    ),
    weights=(
        -0.394388,
        1.21021,
        -0.448662,
        0.178917,
        0.290802,
        0.290153,
        0.604627,
        0.164157,
        1.36139,
    ),
    intercept=0.0685789,
    threshold=0.305888,
)
"""Do the member's messages answer the question? (abstains below the threshold)"""
