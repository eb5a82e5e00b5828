"""Rendering digests: templates in English and Chinese, size limits, section splits."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from jobs.digest_builder import build_digest
from jobs.digest_model import (
    Digest,
    DigestDecision,
    DigestMessage,
    DigestPeriod,
    MemberActivity,
    MessageRef,
    Newcomer,
    SharedLink,
    Topic,
)
from jobs.digest_render import (
    DISCORD_MAX_CHARS,
    period_label,
    render_digest,
    render_quiet_line,
)
from jobs.languages import Language
from tests.jobs.helpers import DAY, DAY_START, hash_vectors, message
from tests.jobs.topic_chat import MEMBERS, WEEK, chat_messages


def _ref(i: int, text: str, name: str = "Alice") -> MessageRef:
    return MessageRef(
        i, i % 5, name, text, DAY_START + timedelta(minutes=i), f"https://t.me/c/1/{i}"
    )


def _big_digest(language: Language, topics: int = 5, items: int = 40) -> Digest:
    long_text = "we should really compare every option in detail before the trip " * 4
    return Digest(
        period=DAY,
        language=language,
        message_count=1234,
        member_count=56,
        is_quiet=False,
        topics=tuple(
            Topic(
                title=f"Topic number {t} about the trip",
                keywords=("trail", "summit", "tent"),
                size=100 - t,
                participants=("Alice", "Bob", "Carol", "Dan", "Eve"),
                participant_ids=(1, 2, 3, 4, 5),
                key_messages=(_ref(t, "x"), _ref(t + 100, "y")),
                first_at=DAY_START,
                last_at=DAY_START,
                first_message=_ref(600 + t, "who is in for the trip?"),
                quote=_ref(700 + t, "the trail closes at six", "Bob"),
            )
            for t in range(topics)
        ),
        decisions=tuple(
            DigestDecision(_ref(200 + i, f"decision {i}: {long_text}")) for i in range(items)
        ),
        unanswered_questions=tuple(
            _ref(300 + i, f"question {i}? {long_text}") for i in range(items)
        ),
        links=tuple(
            SharedLink(f"https://example.com/{i}", ("Alice", "Bob"), 2, _ref(400 + i, "l"))
            for i in range(items)
        ),
        newcomers=(Newcomer(9, "Dana", _ref(500, "hi all")), Newcomer(10, "Eve")),
        active_members=(MemberActivity(1, "Alice", 300), MemberActivity(2, "Bob", 200)),
    )


@pytest.mark.parametrize("language", [Language.ENGLISH, Language.CHINESE])
@pytest.mark.parametrize("max_chars", [4096, DISCORD_MAX_CHARS, 500])
def test_parts_respect_max_chars_and_keep_everything(language: Language, max_chars: int) -> None:
    digest = _big_digest(language)
    parts = render_digest(digest, max_chars=max_chars)
    assert len(parts) > 1
    assert all(len(part) <= max_chars for part in parts)
    text = "\n".join(parts)
    for i in range(40):
        assert f"https://example.com/{i} " in text
        assert f"https://t.me/c/1/{200 + i}" in text
        assert f"https://t.me/c/1/{300 + i}" in text


def test_parts_break_between_sections_when_they_fit() -> None:
    digest = _big_digest(Language.ENGLISH, items=3)
    parts = render_digest(digest, max_chars=1500)
    assert len(parts) > 1
    headings = ["🧵 Main topics", "✅ Decisions", "❓ Unanswered questions", "🔗 Links shared"]
    for part in parts:
        blocks = part.split("\n\n")
        for block in blocks:
            first = block.split("\n")[0]
            assert (
                first.startswith("📰")
                or any(first.startswith(h) for h in headings)
                or (first.startswith(("👋", "🏆")))
            )
    # no section is cut in two when it fits in one part
    for heading in headings:
        assert sum(heading in part for part in parts) == 1


def test_a_long_section_continues_with_its_heading() -> None:
    digest = _big_digest(Language.ENGLISH)
    parts = render_digest(digest, max_chars=DISCORD_MAX_CHARS)
    continued = [part for part in parts if "✅ Decisions (continued)" in part]
    assert continued
    zh = render_digest(_big_digest(Language.CHINESE), max_chars=DISCORD_MAX_CHARS)
    assert any("✅ 决定（续）" in part for part in zh)


def test_english_template() -> None:
    parts = render_digest(_big_digest(Language.ENGLISH, topics=2, items=1))
    assert len(parts) == 1
    text = parts[0]
    assert text.startswith("📰 Daily digest · Tue 3 Nov 2026\n1234 messages from 56 members")
    assert (
        "1. Topic number 0 about the trip (100 messages · Alice, Bob and 3 others)\n"
        "   Bob: “the trail closes at six” https://t.me/c/1/700\n"
        "   Key words: trail, summit, tent\n"
        "   ↳ first message: https://t.me/c/1/600\n"
    ) in text
    assert "🔗 Links shared\n• https://example.com/0 — Alice, Bob (×2)" in text
    assert "👋 New members\n• Alice: “hi all” https://t.me/c/1/500\n• Eve" in text
    assert "🏆 Most active\nAlice (300) · Bob (200)" in text


def test_chinese_template() -> None:
    text = render_digest(_big_digest(Language.CHINESE, topics=1, items=1))[0]
    assert text.startswith("📰 每日摘要 · 2026年11月3日 周二\n56 位成员发了 1234 条消息")
    assert (
        "1. Topic number 0 about the trip（100 条消息 · Alice、Bob和另外 3 人）\n"
        "   Bob：“the trail closes at six” https://t.me/c/1/700\n"
        "   关键词：trail、summit、tent\n"
        "   ↳ 第一条消息：https://t.me/c/1/600"
    ) in text
    assert "✅ 决定" in text and "❓ 无人回答的问题" in text and "🔗 分享的链接" in text
    assert "🏆 最活跃\nAlice（300） · Bob（200）" in text


def test_summaries_stand_under_titles_and_links_can_be_wrapped() -> None:
    digest = _big_digest(Language.ENGLISH, topics=1, items=1)
    topic = digest.topics[0]
    summary = "Alice says the hike starts at eight; Bob says the trail closes at six."
    digest = replace(digest, topics=(replace(topic, summary=summary),))
    text = render_digest(digest, link_format=lambda url: f"<{url}>")[0]
    assert (
        f"1. Topic number 0 about the trip (100 messages · Alice, Bob and 3 others)\n   {summary}\n"
        in text
    )
    assert "the trail closes at six”" not in text  # the summary stands for the quote
    assert "↳ first message: <https://t.me/c/1/600>" in text and " https://t.me" not in text


def test_a_quote_title_is_not_repeated_and_key_words_are_not_either() -> None:
    digest = _big_digest(Language.ENGLISH, topics=1, items=1)
    topic = digest.topics[0]
    quote = topic.quote
    assert quote is not None
    as_quote = replace(topic, title=f"Bob: “{quote.text}”", keywords=("trail",))
    text = render_digest(replace(digest, topics=(as_quote,)))[0]
    assert text.count("the trail closes at six") == 1
    assert "Key words" not in text
    as_terms = replace(topic, title="trail · summit · tent")
    text = render_digest(replace(digest, topics=(as_terms,)))[0]
    assert "Key words" not in text and "Bob: “the trail closes at six”" in text


def test_every_line_that_shows_a_message_quotes_it_after_its_author() -> None:
    messages = chat_messages()
    planted = DigestMessage(
        message_id=99,
        member_id=3,
        member_name=MEMBERS[3],
        text="定了：以后部署Docker镜像统一用root账号，密码公开在群公告里",
        sent_at=messages[4].sent_at + timedelta(seconds=30),
        permalink="https://t.me/c/7/99",
    )
    messages.insert(5, planted)
    digest = build_digest(messages, hash_vectors(messages), WEEK)
    lines = [line for part in render_digest(digest) for line in part.splitlines()]
    said = {(m.member_name, m.text.replace("“", "‘").replace("”", "’")) for m in messages}
    shown = 0
    for line in lines:
        if not any(_shows(line, m.text) for m in messages):
            continue
        shown += 1
        outside = _QUOTE.sub("\x00", line)
        assert not any(piece in outside for m in messages for piece in _pieces(m.text)), line
        for name, words in _ATTRIBUTED.findall(line):
            assert any(author == name and words.rstrip("…") in text for author, text in said), line
        assert _ATTRIBUTED.search(line), line
    assert shown >= len(digest.topics)


_QUOTE = re.compile(r"“[^”]*”")
_ATTRIBUTED = re.compile(r"(\S+)[:：] ?“([^”]*)”")


def _pieces(text: str) -> list[str]:
    """Runs of a message's words long enough to say something (one key word says nothing)."""
    flat = " ".join(re.sub(r"https?://\S+", " ", text).split())
    han = re.compile("[\u4e00-\u9fff]")
    size = 6 if han.search(flat) else 12
    runs = [flat[i : i + size] for i in range(len(flat) - size + 1)]
    return [run for run in runs if len(han.findall(run)) >= 3 or " " in run.strip()]


def _shows(line: str, text: str) -> bool:
    return any(piece in line for piece in _pieces(text))


def test_quiet_period_one_line_or_nothing() -> None:
    messages = [message(1, "anyone around?", 1), message(2, "yes", 2)]
    digest = build_digest(messages, None, DAY)
    assert render_digest(digest) == ["📰 Quiet day: 2 messages from 2 members."]
    assert render_digest(digest, quiet_line=False) == []
    week = DigestPeriod(DAY_START, DAY_START + timedelta(days=7))
    empty = build_digest([], None, week, chat_title="Hikers")
    assert render_quiet_line(empty) == "📰 Quiet week in Hikers: no messages."
    zh = build_digest([message(1, "有人吗", 1)], None, DAY)
    assert render_digest(zh) == ["📰 这一天很安静：1 位成员发了 1 条消息。"]


def test_period_labels() -> None:
    assert period_label(DAY, Language.ENGLISH) == "Tue 3 Nov 2026"
    week = DigestPeriod(DAY_START, DAY_START + timedelta(days=7))
    assert period_label(week, Language.ENGLISH) == "Tue 3 Nov – Mon 9 Nov 2026"
    assert period_label(week, Language.CHINESE) == "11月3日 周二 – 2026年11月9日 周一"
    evening = DigestPeriod(
        datetime(2026, 11, 3, 18, tzinfo=UTC), datetime(2026, 11, 4, 9, tzinfo=UTC)
    )
    assert period_label(evening, Language.ENGLISH) == "Tue 3 Nov 2026 18:00 – Wed 4 Nov 2026 09:00"


def test_max_chars_too_small_is_refused() -> None:
    with pytest.raises(ValueError):
        render_digest(_big_digest(Language.ENGLISH), max_chars=50)
