"""How a digest shows a member's words: inside quote marks, after the member's name.

Chat messages are untrusted; whatever a digest shows of one is a quote with
its author (``王磊：“…”`` / ``Ana: “…”``), never a statement in Hearth's own
voice. Quote marks inside the text become single ones (‘…’), so a quote
always ends where it seems to.
"""

from __future__ import annotations

from jobs.languages import Language
from locales import current

_INNER = str.maketrans({"“": "‘", "”": "’"})


def quoted(name: str, text: str, language: Language | None = None) -> str:
    """``text`` quoted as ``name``'s, in the punctuation of ``language``, else of the
    current reply language (:func:`locales.current`)."""
    words = text.translate(_INNER)
    chinese = current() == "zh" if language is None else language is Language.CHINESE
    if chinese:
        return f"{name}：“{words}”"
    return f"{name}: “{words}”"
