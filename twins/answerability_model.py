"""Weights of the answerability models, written by ``bench/fit_answerability.py``."""

from twins.answer_features import QUESTION_FEATURES, QUOTE_FEATURES
from twins.linear_model import LinearModel

QUOTE_MODEL = LinearModel(
    features=QUOTE_FEATURES,
    mean=(
        0.0432326,
        0.171838,
        0.185706,
        0.0793174,
        0.105941,
        0.415863,
        1.32688,
        -0.0275212,
        0.0375272,
        2.56938,
        0.0011008,
        0.159795,
    ),
    scale=(
        0.0298977,
        0.200892,
        0.218473,
        0.270234,
        0.307762,
        0.49287,
        0.657547,
        0.0293313,
        0.175092,
        0.581297,
        0.0062015,
        0.226811,
    ),
    weights=(
        0.422433,
        0.319518,
        0.103602,
        -0.28892,
        -0.321991,
        0.158731,
        -0.679677,
        0.255689,
        0.265813,
        0.3186,
        0.056207,
        0.172726,
    ),
    intercept=-1.01154,
    threshold=0.5,
)
"""Does a candidate message carry the answer? (quoted at or above the threshold)"""

QUESTION_MODEL = LinearModel(
    features=QUESTION_FEATURES,
    mean=(
        0.0745534,
        0.606071,
        0.369144,
        0.494933,
        0.00177142,
        0.0417131,
        0.0233386,
        0.00230541,
        1.35902,
    ),
    scale=(
        0.0286809,
        0.349411,
        0.601287,
        0.22305,
        0.0181423,
        0.17426,
        0.0210369,
        0.00954299,
        1.34834,
    ),
    weights=(
        -0.446818,
        1.28562,
        -0.439882,
        0.100522,
        0.314142,
        0.079442,
        0.655295,
        0.378859,
        1.39604,
    ),
    intercept=0.073744,
    threshold=0.297568,
)
"""Do the member's messages answer the question? (abstains below the threshold)"""
