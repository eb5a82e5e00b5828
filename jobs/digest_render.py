"""Render a digest as plain-text chat messages, in English or Chinese, within a size limit.

The text uses no markup, so it reads the same on every platform. Each part
stays within ``max_chars`` (Telegram allows 4096 characters, Discord 2000)
and parts break between sections; a section too long for one part goes on in
the next with its heading repeated.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from jobs.digest_model import (
    TERM_SEPARATOR,
    Digest,
    DigestDecision,
    DigestPeriod,
    MessageRef,
    Topic,
)
from jobs.languages import Language
from jobs.quoting import quoted
from jobs.text_cues import excerpt

TELEGRAM_MAX_CHARS = 4096
DISCORD_MAX_CHARS = 2000
_MIN_MAX_CHARS = 200
_EXCERPT_CHARS = 140


@dataclass(frozen=True, slots=True)
class _Templates:
    kinds: tuple[str, str, str]
    quiet: tuple[str, str, str]
    stats: Callable[[int, int], str]
    quiet_line: Callable[[str, str, int, int], str]
    topics: str
    topic: Callable[[int, str, int, str], str]
    keywords: str
    first_message: str
    decisions: str
    agreed: Callable[[str], str]
    changed_from: str
    questions: str
    links: str
    link: Callable[[str, str, int], str]
    newcomers: str
    active: str
    active_item: Callable[[str, int], str]
    people: Callable[[Sequence[str]], str]
    quote: Callable[[str, str], str]
    continued: str
    list_separator: str
    months: tuple[str, ...] | None
    weekdays: tuple[str, ...] | None


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _english_people(names: Sequence[str]) -> str:
    if len(names) <= 3:
        return ", ".join(names) if len(names) < 3 else f"{names[0]}, {names[1]} and {names[2]}"
    return f"{names[0]}, {names[1]} and {len(names) - 2} others"


def _english_quiet(kind: str, chat: str, messages: int, members: int) -> str:
    where = f" in {chat}" if chat else ""
    if messages == 0:
        return f"📰 {kind}{where}: no messages."
    return f"📰 {kind}{where}: {_plural(messages, 'message')} from {_plural(members, 'member')}."


def _chinese_quiet(kind: str, chat: str, messages: int, members: int) -> str:
    where = f"「{chat}」" if chat else ""
    if messages == 0:
        return f"📰 {where}{kind}：没有消息。"
    return f"📰 {where}{kind}：{members} 位成员发了 {messages} 条消息。"


_ENGLISH = _Templates(
    kinds=("Daily digest", "Weekly digest", "Digest"),
    quiet=("Quiet day", "Quiet week", "Quiet period"),
    stats=lambda messages, members: (
        f"{_plural(messages, 'message')} from {_plural(members, 'member')}"
    ),
    quiet_line=_english_quiet,
    topics="🧵 Main topics",
    topic=lambda i, title, size, people: f"{i}. {title} ({_plural(size, 'message')} · {people})",
    keywords="   Key words: ",
    first_message="   ↳ first message: ",
    decisions="✅ Decisions",
    agreed=lambda names: f" (agreed: {names})",
    changed_from="\n   ↺ changed from ",
    questions="❓ Unanswered questions",
    links="🔗 Links shared",
    link=lambda url, names, times: f"• {url} — {names}" + (f" (×{times})" if times > 1 else ""),
    newcomers="👋 New members",
    active="🏆 Most active",
    active_item=lambda name, count: f"{name} ({count})",
    people=_english_people,
    quote=lambda name, text: quoted(name, text, Language.ENGLISH),
    continued=" (continued)",
    list_separator=", ",
    months=("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    weekdays=("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
)

_CHINESE = _Templates(
    kinds=("每日摘要", "每周摘要", "摘要"),
    quiet=("今天很安静", "本周很安静", "这段时间很安静"),
    stats=lambda messages, members: f"{members} 位成员发了 {messages} 条消息",
    quiet_line=_chinese_quiet,
    topics="🧵 主要话题",
    topic=lambda i, title, size, people: f"{i}. {title}（{size} 条消息 · {people}）",
    keywords="   关键词：",
    first_message="   ↳ 第一条消息：",
    decisions="✅ 决定",
    agreed=lambda names: f"（{names} 同意）",
    changed_from="\n   ↺ 改自 ",
    questions="❓ 无人回答的问题",
    links="🔗 分享的链接",
    link=lambda url, names, times: f"• {url} —— {names}" + (f"（{times} 次）" if times > 1 else ""),
    newcomers="👋 新成员",
    active="🏆 最活跃",
    active_item=lambda name, count: f"{name}（{count}）",
    people=lambda names: (
        "、".join(names) if len(names) <= 3 else f"{'、'.join(names[:2])} 等 {len(names)} 人"
    ),
    quote=lambda name, text: quoted(name, text, Language.CHINESE),
    continued="（续）",
    list_separator="、",
    months=None,
    weekdays=None,
)


def _templates(language: Language) -> _Templates:
    return _CHINESE if language is Language.CHINESE else _ENGLISH


def _kind_index(period: DigestPeriod) -> int:
    if period.length <= timedelta(days=1):
        return 0
    if period.length <= timedelta(days=7):
        return 1
    return 2


def _date(moment: datetime, t: _Templates, *, with_year: bool = True) -> str:
    if t.months is None or t.weekdays is None:
        return (
            f"{moment.year}年{moment.month}月{moment.day}日"
            if with_year
            else (f"{moment.month}月{moment.day}日")
        )
    text = f"{t.weekdays[moment.weekday()]} {moment.day} {t.months[moment.month - 1]}"
    return f"{text} {moment.year}" if with_year else text


def period_label(period: DigestPeriod, language: Language) -> str:
    """The period in words: a date, a range of dates, or a range of times."""
    t = _templates(language)
    start, end = period.start, period.end.astimezone(period.start.tzinfo)
    midnight = time(0, 0)
    if start.time() == midnight and end.time() == midnight:
        last = end - timedelta(days=1)
        if last.date() == start.date():
            return _date(start, t)
        return f"{_date(start, t, with_year=start.year != last.year)} – {_date(last, t)}"
    same_day = start.date() == end.date()
    clock = "%H:%M"
    if same_day:
        return f"{_date(start, t)} {start.strftime(clock)}–{end.strftime(clock)}"
    return f"{_date(start, t)} {start.strftime(clock)} – {_date(end, t)} {end.strftime(clock)}"


def render_quiet_line(digest: Digest) -> str:
    """The one-line note for a quiet period."""
    t = _templates(digest.language)
    return t.quiet_line(
        t.quiet[_kind_index(digest.period)],
        digest.chat_title or "",
        digest.message_count,
        digest.member_count,
    )


def _quoted_bullet(ref: MessageRef, t: _Templates) -> str:
    """A list item quoting ``ref``'s text after its author."""
    return f"• {t.quote(ref.member_name, excerpt(ref.text, _EXCERPT_CHARS))}"


def _quote_item(ref: MessageRef, t: _Templates, link: Callable[[str], str]) -> str:
    line = _quoted_bullet(ref, t)
    return f"{line} {link(ref.permalink)}" if ref.permalink else line


def _topic_item(number: int, topic: Topic, t: _Templates, link: Callable[[str], str]) -> str:
    """A topic: its headline, then a summary or a quote, then a link to where it started.

    The headline is the topic's subject in key words, or a quote with its
    author; every piece of a message shown is quoted and attributed.
    """
    lines = [t.topic(number, topic.title, topic.size, t.people(topic.participants))]
    quote = topic.quote
    if topic.summary:
        lines.append("   " + excerpt(topic.summary, 400))
    elif quote is not None and quote.text and quote.text not in topic.title:
        line = "   " + t.quote(quote.member_name, excerpt(quote.text, _EXCERPT_CHARS))
        lines.append(f"{line} {link(quote.permalink)}" if quote.permalink else line)
    subject_terms = set(topic.title.split(TERM_SEPARATOR))
    extra = [word for word in topic.keywords if word not in subject_terms]
    if len(extra) >= 2 and len(extra) == len(topic.keywords):
        lines.append(t.keywords + t.list_separator.join(topic.keywords))
    first = topic.first_message
    if first is not None and first.permalink:
        lines.append(t.first_message + link(first.permalink))
    return "\n".join(lines)


_REPLACED_CHARS = 60


def _decision_item(decision: DigestDecision, t: _Templates, link: Callable[[str], str]) -> str:
    """A decision quoted from its author, with who agreed and what it changed."""
    ref = decision.ref
    line = _quoted_bullet(ref, t)
    if decision.agreed_by:
        line += t.agreed(t.list_separator.join(decision.agreed_by))
    if ref.permalink:
        line += f" {link(ref.permalink)}"
    if decision.replaces is not None:
        earlier = t.quote(
            decision.replaces.member_name, excerpt(decision.replaces.text, _REPLACED_CHARS)
        )
        line += t.changed_from + earlier
    return line


def _sections(digest: Digest, link: Callable[[str], str]) -> list[tuple[str, list[str]]]:
    t = _templates(digest.language)
    sections: list[tuple[str, list[str]]] = []
    if digest.topics:
        items = [
            _topic_item(number, topic, t, link)
            for number, topic in enumerate(digest.topics, start=1)
        ]
        sections.append((t.topics, items))
    if digest.decisions:
        sections.append(
            (t.decisions, [_decision_item(decision, t, link) for decision in digest.decisions])
        )
    if digest.unanswered_questions:
        sections.append(
            (t.questions, [_quote_item(ref, t, link) for ref in digest.unanswered_questions])
        )
    if digest.links:
        sections.append(
            (
                t.links,
                [
                    t.link(link(shared.url), t.list_separator.join(shared.shared_by), shared.times)
                    for shared in digest.links
                ],
            )
        )
    if digest.newcomers:
        items = []
        for newcomer in digest.newcomers:
            if newcomer.first_message is None:
                items.append(f"• {newcomer.member_name}")
            else:
                items.append(_quote_item(newcomer.first_message, t, link))
        sections.append((t.newcomers, items))
    if digest.active_members:
        line = " · ".join(t.active_item(a.member_name, a.messages) for a in digest.active_members)
        sections.append((t.active, [line]))
    return sections


def render_digest(
    digest: Digest,
    *,
    max_chars: int = TELEGRAM_MAX_CHARS,
    quiet_line: bool = True,
    link_format: Callable[[str], str] | None = None,
) -> list[str]:
    """The digest as chat messages, each at most ``max_chars`` characters.

    A quiet period renders as one line (or nothing with ``quiet_line=False``).
    ``link_format`` rewrites every link, e.g. ``lambda url: f"<{url}>"`` to
    keep Discord from unfurling them.
    """
    if max_chars < _MIN_MAX_CHARS:
        raise ValueError(f"max_chars must be at least {_MIN_MAX_CHARS}")
    if digest.is_quiet:
        return [excerpt(render_quiet_line(digest), max_chars)] if quiet_line else []
    t = _templates(digest.language)
    link = link_format or (lambda url: url)
    chat = f" · {excerpt(digest.chat_title, 80)}" if digest.chat_title else ""
    header = (
        f"📰 {t.kinds[_kind_index(digest.period)]}{chat} · "
        f"{period_label(digest.period, digest.language)}\n"
        f"{t.stats(digest.message_count, digest.member_count)}"
    )
    return pack_sections(header, _sections(digest, link), max_chars, continued=t.continued)


def pack_sections(
    header: str,
    sections: Sequence[tuple[str, list[str]]],
    max_chars: int,
    *,
    continued: str = " (continued)",
) -> list[str]:
    """A header and titled lists of items as messages of at most ``max_chars`` each.

    Parts break between sections; a section too long for one part goes on in the
    next with its heading and ``continued`` repeated, and an item too long for a
    part is cut.
    """
    blocks = [excerpt(header, max_chars) if len(header) > max_chars else header]
    for heading, items in sections:
        blocks.extend(_section_blocks(heading, items, continued, max_chars))
    return _pack(blocks, max_chars)


def _section_blocks(heading: str, items: list[str], continued: str, max_chars: int) -> list[str]:
    """A section as one block, or several with the heading repeated when it is too long."""
    whole = "\n".join([heading, *items])
    if len(whole) <= max_chars:
        return [whole]
    blocks: list[str] = []
    current = heading
    for item in items:
        room = max_chars - len(heading + continued) - 1
        fitted = _cut_block(item, room) if len(item) > room else item
        if len(current) + 1 + len(fitted) > max_chars:
            blocks.append(current)
            current = heading + continued
        current += "\n" + fitted
    blocks.append(current)
    return blocks


def _cut_block(text: str, limit: int) -> str:
    """A multi-line item cut to ``limit`` characters, whole lines first."""
    lines = text.split("\n")
    kept: list[str] = []
    for line in lines:
        candidate = "\n".join([*kept, line])
        if len(candidate) > limit:
            if not kept:
                kept.append(excerpt(line, limit))
            break
        kept.append(line)
    return "\n".join(kept)


def _pack(blocks: list[str], max_chars: int) -> list[str]:
    """Blocks joined by blank lines into as few parts as fit ``max_chars`` each."""
    parts: list[str] = []
    current = ""
    for block in blocks:
        if not current:
            current = block
        elif len(current) + 2 + len(block) <= max_chars:
            current += "\n\n" + block
        else:
            parts.append(current)
            current = block
    if current:
        parts.append(current)
    return parts
