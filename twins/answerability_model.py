"""Weights of the answerability models, written by ``bench/fit_answerability.py``."""

from twins.answer_features import QUESTION_FEATURES, QUOTE_FEATURES
from twins.linear_model import LinearModel

QUOTE_MODEL = LinearModel(
    features=QUOTE_FEATURES,
    mean=(0.0410347, 0.170501, 0.184391, 0.091193, 0.111493, 0.408807, 1.32558, -0.0276395, 0.0335728,),
    scale=(0.0316215, 0.200061, 0.217678, 0.287883, 0.314741, 0.491614, 0.657966, 0.0299851, 0.180127,),
    weights=(0.481181, 0.221032, 0.280523, -0.376401, -0.342866, 0.195593, -0.665745, 0.157517, 0.314923,),
    intercept=-0.960743,
    threshold=0.5,
)
"""Does a candidate message carry the answer? (quoted at or above the threshold)"""

QUESTION_MODEL = LinearModel(
    features=QUESTION_FEATURES,
    mean=(0.0718108, 0.607477, 0.334166, 0.523296, 0.00167497, 0.0337289, 1.40015,),
    scale=(0.030675, 0.348481, 0.579809, 0.193492, 0.0184679, 0.159361, 1.29006,),
    weights=(-0.174548, 0.574739, -0.445182, 0.217023, 0.308734, 0.437219, 1.29342,),
    intercept=0.145863,
    threshold=0.296487,
)
"""Do the member's messages answer the question? (abstains below the threshold)"""
