"""Weights of the answerability models, written by ``bench/fit_answerability.py``."""

from twins.answer_features import QUESTION_FEATURES, QUOTE_FEATURES
from twins.linear_model import LinearModel

QUOTE_MODEL = LinearModel(
    features=QUOTE_FEATURES,
    mean=(
        0.0432872,
        0.172126,
        0.186129,
        0.0810512,
        0.105911,
        0.413227,
        1.3258,
        -0.0275148,
        0.032803,
        2.54825,
        0.000924591,
        0.16225,
    ),
    scale=(
        0.0302121,
        0.200143,
        0.217809,
        0.272914,
        0.307724,
        0.492413,
        0.657915,
        0.029812,
        0.157089,
        0.627672,
        0.00549883,
        0.226284,
    ),
    weights=(
        0.43609,
        0.341328,
        0.0791977,
        -0.265106,
        -0.33264,
        0.144583,
        -0.679947,
        0.221495,
        0.193739,
        0.39836,
        0.115903,
        0.171082,
    ),
    intercept=-1.02527,
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
        1.34083,
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
        1.35255,
    ),
    weights=(
        -0.399839,
        1.20391,
        -0.444978,
        0.195695,
        0.252166,
        0.281275,
        0.633362,
        0.133518,
        1.36728,
    ),
    intercept=0.0654646,
    threshold=0.297533,
)
"""Do the member's messages answer the question? (abstains below the threshold)"""
