"""Which writing system a text is in: Chinese, Japanese, Korean against everything else."""

from __future__ import annotations

import re

CJK = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")
_LETTER = re.compile(r"[^\W\d_]")


def is_cjk(text: str) -> bool:
    """Whether ``text`` is written mostly in Chinese, Japanese or Korean script."""
    letters = len(_LETTER.findall(text))
    return letters > 0 and len(CJK.findall(text)) / letters >= 0.3
