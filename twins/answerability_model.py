"""Weights of the answerability models, written by ``bench/fit_answerability.py``."""

from twins.answer_features import QUESTION_FEATURES, QUOTE_FEATURES
from twins.linear_model import LinearModel

QUOTE_MODEL = LinearModel(
    features=QUOTE_FEATURES,
    mean=(
        0.0449578,
        0.191713,
        0.20808,
        0.0948436,
        0.125745,
        0.444155,
        1.32558,
        -0.0267514,
        0,
    ),
    scale=(
        0.0305174,
        0.202253,
        0.220827,
        0.292999,
        0.331561,
        0.496872,
        0.657966,
        0.0288604,
        1,
    ),
    weights=(
        0.498526,
        0.165606,
        0.351956,
        -0.407747,
        -0.273661,
        0.280194,
        -0.678904,
        0.0354805,
        0,
    ),
    intercept=-0.997319,
    threshold=0.5,
)
"""Does a candidate message carry the answer? (quoted at or above the threshold)"""

QUESTION_MODEL = LinearModel(
    features=QUESTION_FEATURES,
    mean=(
        0.0760215,
        0.670415,
        0.372301,
        0.534211,
        0.00335812,
        0,
        1.36126,
    ),
    scale=(
        0.0288099,
        0.321027,
        0.592739,
        0.156797,
        0.0160061,
        1,
        1.31661,
    ),
    weights=(
        -0.294727,
        0.581185,
        -0.4568,
        0.286991,
        0.407489,
        0,
        1.42938,
    ),
    intercept=0.169955,
    threshold=0.300365,
)
"""Do the member's messages answer the question? (abstains below the threshold)"""
