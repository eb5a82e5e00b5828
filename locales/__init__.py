"""Hearth's words in English and Simplified Chinese: one message catalog for every reply.

Code writes English (``tr("Saved.")``); ``locales/zh/*.po`` holds the Chinese for each
message. The language of the reply being written is set once per event with
:func:`using` and read by :func:`tr` and :func:`trn`; quoted messages stay as written.
"""

from locales.catalog import (
    LANGUAGE_NAMES,
    LANGUAGES,
    N_,
    Language,
    current,
    language_of_locale,
    tr,
    tr_marked,
    trn,
    using,
)
from locales.formats import (
    format_day,
    format_day_short,
    format_duration,
    format_list,
    format_moment,
    format_time,
    join_sentences,
)

__all__ = [
    "LANGUAGES",
    "LANGUAGE_NAMES",
    "N_",
    "Language",
    "current",
    "format_day",
    "format_day_short",
    "format_duration",
    "format_list",
    "format_moment",
    "format_time",
    "join_sentences",
    "language_of_locale",
    "tr",
    "tr_marked",
    "trn",
    "using",
]
