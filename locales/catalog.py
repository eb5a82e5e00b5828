"""The message catalog: English text in the code, its Chinese in ``locales/zh/*.po``.

Messages are Python format strings with named fields (``"Saved, {name}."``). The
catalog files are read with Babel at first use (no compile step); a message missing
from them is shown in English, and the test suite checks that none is missing.
"""

from __future__ import annotations

import contextvars
import io
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Literal, cast

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

Language = Literal["en", "zh"]
"""A language Hearth writes in: English or Simplified Chinese."""

LANGUAGES: tuple[Language, ...] = ("en", "zh")

LANGUAGE_NAMES: dict[str, str] = {"en": "English", "zh": "Simplified Chinese"}
"""Each language's English name, for telling a chat model which language to write in."""

CATALOG_DIR = Path(__file__).parent
"""``<language>/*.po`` below this folder are the catalogs (one file per capability)."""

_current: contextvars.ContextVar[Language] = contextvars.ContextVar(
    "hearth_reply_language", default="en"
)


def language_of_locale(code: str | None) -> Language | None:
    """The language for a platform locale (``zh-CN``, ``zh_Hans``, ``en-US``…), or None.

    Any Chinese locale reads the Simplified catalog; any other known code is English.
    """
    if not code or not code.strip():
        return None
    primary = code.strip().replace("_", "-").split("-", 1)[0].lower()
    if primary == "zh":
        return "zh"
    if primary.isalpha() and 2 <= len(primary) <= 3:
        return "en"
    return None


def current() -> Language:
    """The language of the reply being written (English unless :func:`using` set one)."""
    return _current.get()


@contextmanager
def using(language: str | None) -> Iterator[Language]:
    """Write in ``language`` (``en``, ``zh``, a platform locale, or a ``Language`` enum
    value) inside the block; an unknown or missing one keeps the current language."""
    chosen = language_of_locale(str(language)) if language else None
    token = _current.set(chosen or _current.get())
    try:
        yield _current.get()
    finally:
        _current.reset(token)


def tr(message: str, /, **values: object) -> str:
    """``message`` in the current language, with ``values`` filled into its fields."""
    text = _translations(_current.get()).gettext(message)
    return text.format(**values) if values else text


def N_(message: str, /) -> str:
    """Mark ``message`` for the catalog without translating it yet (a table of texts
    translated later with :func:`tr_marked`)."""
    return message


def tr_marked(message: str, /, **values: object) -> str:
    """A message marked with :func:`N_` (held in a variable), in the current language."""
    text = _translations(_current.get()).gettext(message)
    return text.format(**values) if values else text


def trn(singular: str, plural: str, count: int, /, **values: object) -> str:
    """The singular or plural form for ``count`` (filled in as ``{count}``), translated.

    Chinese has one form; English uses the singular for exactly one.
    """
    text = _translations(_current.get()).ngettext(singular, plural, count)
    return text.format(count=count, **values)


@cache
def _translations(language: Language) -> Translations:
    """All catalog files of ``language`` merged into one ``Translations`` (cached).

    The first file is the base, so its ``Plural-Forms`` header rules the plurals (an
    empty ``Translations`` would keep the English rule).
    """
    merged: Translations | None = None
    for path in catalog_files(language):
        with path.open("rb") as file:
            catalog = read_po(file, locale=_BABEL_LOCALES[language])
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        loaded = Translations(fp=buffer)
        if merged is None:
            merged = loaded
        else:
            merged.merge(loaded)
    return merged if merged is not None else Translations()


def catalog_files(language: Language) -> list[Path]:
    """The ``.po`` files of ``language``, in name order."""
    return sorted((CATALOG_DIR / language).glob("*.po"))


_BABEL_LOCALES = cast("dict[Language, str]", {"en": "en", "zh": "zh_Hans_CN"})
