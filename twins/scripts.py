"""Which writing system a text is in: Chinese, Japanese, Korean against everything else."""

from __future__ import annotations

import re

CJK = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")
_LETTER = re.compile(r"[^\W\d_]")


def cjk_share(text: str) -> float:
    """The share of ``text``'s letters that are Chinese, Japanese or Korean (0 without letters)."""
    letters = len(_LETTER.findall(text))
    return len(CJK.findall(text)) / letters if letters else 0.0


def is_cjk(text: str) -> bool:
    """Whether ``text`` is written mostly in Chinese, Japanese or Korean script."""
    return cjk_share(text) >= 0.3
