"""A quoting twin speaks the reply language the caller chose (``locales.using``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from locales import join_sentences, using
from twins import answer_wording as wording
from twins.labels import twin_label

NOW = datetime(2026, 5, 20, 12, tzinfo=UTC)


def test_chinese_replies_get_chinese_sentences() -> None:
    with using("zh"):
        assert (
            wording.away("Wei", NOW - timedelta(minutes=5), NOW)
            == "Wei 不在（5 分钟前在这里发过言）。"
        )
        assert (
            wording.away("Wei", NOW - timedelta(hours=3), NOW)
            == "Wei 不在（3 小时前在这里发过言）。"
        )
        assert (
            wording.away("Wei", NOW - timedelta(days=4), NOW)
            == "Wei 不在（2026-05-16 在这里发过言）。"
        )
        assert wording.away("Wei", None, NOW) == "Wei 不在（还没在这里发过言）。"
        assert "我不乱猜" in wording.nothing_found("Wei")
        assert "查不了" in wording.cannot_search("Wei")
        assert wording.quotes_follow("Wei") == "Wei 在这里说过的话，也许有用："
        assert wording.invite("Wei").startswith("@Wei")
        assert wording.earlier("2026-05-01") == "更早，2026-05-01："
        assert join_sentences("Wei 不在。", "我不乱猜。") == "Wei 不在。我不乱猜。"
        assert twin_label("王伟") == "🪞 王伟 的分身 · 自动回复，不是 王伟 本人"


def test_english_is_the_default() -> None:
    assert (
        wording.away("Wei", NOW - timedelta(hours=45), NOW)
        == "Wei is away (last posted here 45 h ago)."
    )
    assert wording.away("Wei", NOW - timedelta(minutes=7), NOW) == (
        "Wei is away (last posted here 7 min ago)."
    )
    assert wording.away("Wei", NOW - timedelta(days=4), NOW) == (
        "Wei is away (last posted here on 2026-05-16)."
    )
    assert wording.away("Wei", None, NOW) == "Wei is away (has not posted here yet)."
    assert wording.nothing_found("Wei").startswith("I found nothing Wei said")
    assert wording.cannot_search("Wei").startswith("Wei is away, and I can't look through")
    assert wording.earlier("2026-05-01") == "earlier, 2026-05-01: "
    assert join_sentences("Wei is away.", "I won't guess.") == "Wei is away. I won't guess."
    assert twin_label("Wei") == "🪞 Twin of Wei · automated reply, not Wei"
    with using("en"):
        assert wording.quotes_follow("王伟") == "What 王伟 said here that may help:"
