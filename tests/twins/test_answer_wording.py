"""A quoting twin speaks the language of the question."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from twins.answer_wording import wording_for

NOW = datetime(2026, 5, 20, 12, tzinfo=UTC)


def test_chinese_questions_get_chinese_sentences() -> None:
    zh = wording_for("你养猫吗？")

    assert zh.away("Wei", NOW - timedelta(minutes=5), NOW) == "Wei 不在（5 分钟前在这里发过言）。"
    assert zh.away("Wei", NOW - timedelta(hours=3), NOW) == "Wei 不在（3 小时前在这里发过言）。"
    assert zh.away("Wei", NOW - timedelta(days=4), NOW) == "Wei 不在（2026-05-16 在这里发过言）。"
    assert zh.away("Wei", None, NOW) == "Wei 不在（还没在这里发过言）。"
    assert "我不乱猜" in zh.nothing_found("Wei")
    assert "查不了" in zh.cannot_search("Wei")
    assert zh.earlier("2026-05-01") == "更早，2026-05-01："
    assert zh.sentences("Wei 不在。", "我不乱猜。") == "Wei 不在。我不乱猜。"


def test_other_questions_get_english_sentences() -> None:
    en = wording_for("@wei do you have a cat?")

    assert (
        en.away("Wei", NOW - timedelta(hours=45), NOW) == "Wei is away (last posted here 45 h ago)."
    )
    assert en.nothing_found("Wei").startswith("I found nothing Wei said")
    assert en.cannot_search("Wei").startswith("Wei is away, and I can't look through")
    assert en.earlier("2026-05-01") == "earlier, 2026-05-01: "
    assert en.sentences("Wei is away.", "I won't guess.") == "Wei is away. I won't guess."
    assert not wording_for("👍").chinese
