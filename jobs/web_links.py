"""Web links in chat text: finding them, and taking them out before reading the words."""

from __future__ import annotations

import re

_URL = re.compile(
    r"""(?i)(?<![a-z0-9.])(?:https?://|www\.)[^\s<>"'`“”‘’（）《》「」【】，。！？、]+"""
)
_URL_TRAILING = ".,;:!?)]}>'\"*_~"


def find_urls(text: str) -> list[str]:
    """The web links in ``text``, in order, without trailing punctuation."""
    urls = []
    for match in _URL.finditer(text):
        url = match.group(0).rstrip(_URL_TRAILING)
        if url.lower().startswith("www."):
            url = "https://" + url
        if len(url) > len("https://"):
            urls.append(url)
    return urls


def without_urls(text: str) -> str:
    """``text`` with every web link replaced by a space."""
    return _URL.sub(" ", text)
