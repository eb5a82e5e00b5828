"""Weights of the answerability models, written by ``bench/fit_answerability.py``."""

from twins.answer_features import QUESTION_FEATURES, QUOTE_FEATURES
from twins.linear_model import LinearModel

QUOTE_MODEL = LinearModel(
    features=QUOTE_FEATURES,
    mean=(
        0.0430991,
        0.17153,
        0.185543,
        0.0799558,
        0.106028,
        0.412736,
        1.32572,
        -0.0275428,
        0.03105,
        2.54865,
        0.000950027,
    ),
    scale=(
        0.0302871,
        0.200276,
        0.217988,
        0.271225,
        0.307874,
        0.492326,
        0.65785,
        0.0297805,
        0.173453,
        0.627857,
        0.00689876,
    ),
    weights=(
        0.453683,
        0.317372,
        0.117491,
        -0.305057,
        -0.328765,
        0.119464,
        -0.691043,
        0.197029,
        0.294003,
        0.395187,
        -0.0200621,
    ),
    intercept=-1.00989,
    threshold=0.5,
)
"""Does a candidate message carry the answer? (quoted at or above the threshold)"""

QUESTION_MODEL = LinearModel(
    features=QUESTION_FEATURES,
    mean=(
        0.0745979,
        0.607477,
        0.369144,
        0.507681,
        0.00167497,
        0.0337289,
        0.0233308,
        0.00194227,
        1.38052,
    ),
    scale=(
        0.0287813,
        0.348481,
        0.601287,
        0.213847,
        0.0184679,
        0.159361,
        0.0213241,
        0.00937654,
        1.31964,
    ),
    weights=(
        -0.406963,
        1.23183,
        -0.455178,
        0.157606,
        0.324299,
        0.377037,
        0.63026,
        0.155228,
        1.35917,
    ),
    intercept=0.0681046,
    threshold=0.304053,
)
"""Do the member's messages answer the question? (abstains below the threshold)"""
