"""Weights of the answerability models, written by ``bench/fit_answerability.py``."""

from twins.answer_features import QUESTION_FEATURES, QUOTE_FEATURES
from twins.linear_model import LinearModel

QUOTE_MODEL = LinearModel(
    features=QUOTE_FEATURES,
    mean=(
        0.0432336,
        0.171884,
        0.185752,
        0.0787644,
        0.105783,
        0.4161,
        1.32688,
        -0.0275177,
        0.0375125,
        2.56928,
        0.00110074,
        0.159734,
    ),
    scale=(
        0.0299045,
        0.201013,
        0.218581,
        0.269371,
        0.30756,
        0.492911,
        0.657547,
        0.0293215,
        0.175126,
        0.581741,
        0.00620175,
        0.226858,
    ),
    weights=(
        0.422612,
        0.321476,
        0.103075,
        -0.285747,
        -0.321589,
        0.161356,
        -0.673729,
        0.25867,
        0.266051,
        0.316856,
        0.0561661,
        0.172087,
    ),
    intercept=-1.00829,
    threshold=0.5,
)
"""Does a candidate message carry the answer? (quoted at or above the threshold)"""

QUESTION_MODEL = LinearModel(
    features=QUESTION_FEATURES,
    mean=(
        0.0745534,
        0.605874,
        0.369144,
        0.493941,
        0.00177142,
        0.0416659,
        0.023326,
        0.00230394,
        1.35373,
    ),
    scale=(
        0.0286809,
        0.35026,
        0.601287,
        0.224309,
        0.0181423,
        0.174356,
        0.0210419,
        0.00954508,
        1.35252,
    ),
    weights=(
        -0.445511,
        1.29559,
        -0.438013,
        0.105194,
        0.31171,
        0.0787417,
        0.659376,
        0.381171,
        1.3872,
    ),
    intercept=0.069511,
    threshold=0.297636,
)
"""Do the member's messages answer the question? (abstains below the threshold)"""
