"""Weights of the answerability models, written by ``bench/fit_answerability.py``."""

from twins.answer_features import QUESTION_FEATURES, QUOTE_FEATURES
from twins.linear_model import LinearModel

QUOTE_MODEL = LinearModel(
    features=QUOTE_FEATURES,
    mean=(
        0.0412255,
        0.171527,
        0.18554,
        0.0801138,
        0.106107,
        0.412657,
        1.32572,
        -0.0275456,
        0.03105,
        2.54849,
        -0.00018985,
    ),
    scale=(
        0.0314268,
        0.200271,
        0.217984,
        0.271469,
        0.307975,
        0.492312,
        0.657851,
        0.0297784,
        0.173453,
        0.627845,
        0.00537559,
    ),
    weights=(
        0.455953,
        0.313159,
        0.125928,
        -0.304781,
        -0.330368,
        0.122618,
        -0.690795,
        0.202174,
        0.365274,
        0.396716,
        -0.0341033,
    ),
    intercept=-1.00731,
    threshold=0.5,
)
"""Does a candidate message carry the answer? (quoted at or above the threshold)"""

QUESTION_MODEL = LinearModel(
    features=QUESTION_FEATURES,
    mean=(
        0.0718108,
        0.607477,
        0.369144,
        0.507681,
        0.00167497,
        0.0337289,
        0.0211793,
        0.000905039,
        1.37797,
    ),
    scale=(
        0.030675,
        0.348481,
        0.601287,
        0.213847,
        0.0184679,
        0.159361,
        0.0194035,
        0.00507196,
        1.31619,
    ),
    weights=(
        -0.415142,
        1.18238,
        -0.481287,
        0.176581,
        0.286423,
        0.563522,
        0.566933,
        0.0320014,
        1.35251,
    ),
    intercept=0.059701,
    threshold=0.312627,
)
"""Do the member's messages answer the question? (abstains below the threshold)"""
