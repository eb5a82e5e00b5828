"""Render a digest as plain-text chat messages, in English or Chinese, within a size limit.

Every word Hearth writes goes through the message catalog (``locales``), in the
digest's language. The text uses no markup, so it reads the same on every
platform. Each part stays within ``max_chars`` (Telegram allows 4096
characters, Discord 2000) and parts break between sections; a section too long
for one part goes on in the next with its heading repeated.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, time, timedelta

from jobs.digest_model import (
    TERM_SEPARATOR,
    Digest,
    DigestDecision,
    DigestPeriod,
    MessageRef,
    Topic,
)
from jobs.languages import Language, language_of_script
from jobs.quoting import quoted
from jobs.text_cues import excerpt
from locales import N_, format_day, format_day_short, tr, tr_marked, trn, using

TELEGRAM_MAX_CHARS = 4096
DISCORD_MAX_CHARS = 2000
_MIN_MAX_CHARS = 200
_EXCERPT_CHARS = 140

_HEADERS = (
    N_("📰 Daily digest{chat} · {period}"),
    N_("📰 Weekly digest{chat} · {period}"),
    N_("📰 Digest{chat} · {period}"),
)
_QUIET = (N_("Quiet day"), N_("Quiet week"), N_("Quiet period"))
_QUIET_IN = (N_("Quiet day in {chat}"), N_("Quiet week in {chat}"), N_("Quiet period in {chat}"))


def _listed(items: Sequence[str]) -> str:
    """``a, b, c`` / ``a、b、c``: a plain list, without a final "and"."""
    if not items:
        return ""
    text = items[0]
    for item in items[1:]:
        text = tr("{before}, {after}", before=text, after=item)
    return text


def _messages(count: int) -> str:
    return trn("{count} message", "{count} messages", count)


def _stats(messages: int, members: int) -> str:
    return tr(
        "{messages} from {members}",
        messages=_messages(messages),
        members=trn("{count} member", "{count} members", members),
    )


def _people(names: Sequence[str]) -> str:
    """Who took part: up to three names, else two and how many others."""
    if len(names) == 1:
        return names[0]
    if len(names) == 2:
        return _listed(names)
    if len(names) == 3:
        return tr("{first}, {second} and {third}", first=names[0], second=names[1], third=names[2])
    if not names:
        return ""
    return trn(
        "{first}, {second} and {count} other",
        "{first}, {second} and {count} others",
        len(names) - 2,
        first=names[0],
        second=names[1],
    )


def _kind_index(period: DigestPeriod) -> int:
    if period.length <= timedelta(days=1):
        return 0
    if period.length <= timedelta(days=7):
        return 1
    return 2


def _date(moment: datetime, *, with_year: bool = True) -> str:
    return format_day(moment) if with_year else format_day_short(moment)


def period_label(period: DigestPeriod, language: Language | None = None) -> str:
    """The period in words: a date, a range of dates, or a range of times.

    In ``language`` when given, else in the current reply language.
    """
    if language is not None:
        with using(language_of_script(language)):
            return period_label(period)
    start, end = period.start, period.end.astimezone(period.start.tzinfo)
    midnight = time(0, 0)
    if start.time() == midnight and end.time() == midnight:
        last = end - timedelta(days=1)
        if last.date() == start.date():
            return _date(start)
        return f"{_date(start, with_year=start.year != last.year)} – {_date(last)}"
    same_day = start.date() == end.date()
    clock = "%H:%M"
    if same_day:
        return f"{_date(start)} {start.strftime(clock)}–{end.strftime(clock)}"
    return f"{_date(start)} {start.strftime(clock)} – {_date(end)} {end.strftime(clock)}"


def render_quiet_line(digest: Digest) -> str:
    """The one-line note for a quiet period, in the digest's language."""
    with using(language_of_script(digest.language)):
        index = _kind_index(digest.period)
        quiet = (
            tr_marked(_QUIET_IN[index], chat=digest.chat_title)
            if digest.chat_title
            else tr_marked(_QUIET[index])
        )
        if digest.message_count == 0:
            return tr("📰 {quiet}: no messages.", quiet=quiet)
        return tr(
            "📰 {quiet}: {stats}.",
            quiet=quiet,
            stats=_stats(digest.message_count, digest.member_count),
        )


def _quoted_bullet(ref: MessageRef) -> str:
    """A list item quoting ``ref``'s text after its author."""
    return f"• {quoted(ref.member_name, excerpt(ref.text, _EXCERPT_CHARS))}"


def _quote_item(ref: MessageRef, link: Callable[[str], str]) -> str:
    line = _quoted_bullet(ref)
    return f"{line} {link(ref.permalink)}" if ref.permalink else line


def _topic_item(number: int, topic: Topic, link: Callable[[str], str]) -> str:
    """A topic: its headline, then a summary or a quote, then a link to where it started.

    The headline is the topic's subject in key words, or a quote with its
    author; every piece of a message shown is quoted and attributed.
    """
    lines = [
        tr(
            "{number}. {title} ({size} · {people})",
            number=number,
            title=topic.title,
            size=_messages(topic.size),
            people=_people(topic.participants),
        )
    ]
    quote = topic.quote
    if topic.summary:
        lines.append("   " + excerpt(topic.summary, 400))
    elif quote is not None and quote.text and quote.text not in topic.title:
        line = "   " + quoted(quote.member_name, excerpt(quote.text, _EXCERPT_CHARS))
        lines.append(f"{line} {link(quote.permalink)}" if quote.permalink else line)
    subject_terms = set(topic.title.split(TERM_SEPARATOR))
    extra = [word for word in topic.keywords if word not in subject_terms]
    if len(extra) >= 2 and len(extra) == len(topic.keywords):
        lines.append(tr("   Key words: {words}", words=_listed(topic.keywords)))
    first = topic.first_message
    if first is not None and first.permalink:
        lines.append(tr("   ↳ first message: {link}", link=link(first.permalink)))
    return "\n".join(lines)


_REPLACED_CHARS = 60


def _decision_item(decision: DigestDecision, link: Callable[[str], str]) -> str:
    """A decision quoted from its author, with who agreed and what it changed."""
    ref = decision.ref
    line = _quoted_bullet(ref)
    if decision.agreed_by:
        line += tr(" (agreed: {names})", names=_listed(decision.agreed_by))
    if ref.permalink:
        line += f" {link(ref.permalink)}"
    if decision.replaces is not None:
        earlier = quoted(
            decision.replaces.member_name, excerpt(decision.replaces.text, _REPLACED_CHARS)
        )
        line += "\n" + tr("   ↺ changed from {earlier}", earlier=earlier)
    return line


def _link_item(url: str, names: Sequence[str], times: int) -> str:
    if times > 1:
        return tr("• {url} — {names} (×{times})", url=url, names=_listed(names), times=times)
    return tr("• {url} — {names}", url=url, names=_listed(names))


def _sections(digest: Digest, link: Callable[[str], str]) -> list[tuple[str, list[str]]]:
    sections: list[tuple[str, list[str]]] = []
    if digest.topics:
        items = [
            _topic_item(number, topic, link) for number, topic in enumerate(digest.topics, start=1)
        ]
        sections.append((tr("🧵 Main topics"), items))
    if digest.decisions:
        sections.append(
            (tr("✅ Decisions"), [_decision_item(decision, link) for decision in digest.decisions])
        )
    if digest.unanswered_questions:
        sections.append(
            (
                tr("❓ Unanswered questions"),
                [_quote_item(ref, link) for ref in digest.unanswered_questions],
            )
        )
    if digest.links:
        sections.append(
            (
                tr("🔗 Links shared"),
                [
                    _link_item(link(shared.url), shared.shared_by, shared.times)
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
                items.append(_quote_item(newcomer.first_message, link))
        sections.append((tr("👋 New members"), items))
    if digest.active_members:
        line = " · ".join(
            tr("{member} ({messages})", member=a.member_name, messages=a.messages)
            for a in digest.active_members
        )
        sections.append((tr("🏆 Most active"), [line]))
    return sections


def render_digest(
    digest: Digest,
    *,
    max_chars: int = TELEGRAM_MAX_CHARS,
    quiet_line: bool = True,
    link_format: Callable[[str], str] | None = None,
) -> list[str]:
    """The digest as chat messages, each at most ``max_chars`` characters.

    Written in the digest's language. A quiet period renders as one line (or
    nothing with ``quiet_line=False``). ``link_format`` rewrites every link,
    e.g. ``lambda url: f"<{url}>"`` to keep Discord from unfurling them.
    """
    if max_chars < _MIN_MAX_CHARS:
        raise ValueError(f"max_chars must be at least {_MIN_MAX_CHARS}")
    if digest.is_quiet:
        return [excerpt(render_quiet_line(digest), max_chars)] if quiet_line else []
    with using(language_of_script(digest.language)):
        link = link_format or (lambda url: url)
        chat = f" · {excerpt(digest.chat_title, 80)}" if digest.chat_title else ""
        header = (
            tr_marked(
                _HEADERS[_kind_index(digest.period)], chat=chat, period=period_label(digest.period)
            )
            + "\n"
            + _stats(digest.message_count, digest.member_count)
        )
        return pack_sections(header, _sections(digest, link), max_chars, continued=continued())


def continued() -> str:
    """What a section's heading gets when it goes on in the next part."""
    return tr(" (continued)")


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
