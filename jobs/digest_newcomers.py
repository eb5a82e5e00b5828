"""The newcomers of a period: joins, self-introductions and members others welcome.

A member is new when the platform says they joined in the period (``joined``,
or messages marked ``is_newcomer``), or, when ``seen_before`` (the members
with messages before the period) is known, when they are not in it and they
introduce themselves (``大家好，我是…``, ``new here``) or another member welcomes
them by name or by replying to them (``欢迎 @X``, ``welcome Ana!``). Without
``seen_before`` only a member whose first message of the period introduces
them counts, besides joins.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from jobs.digest_model import DigestMessage, Newcomer
from jobs.newcomer_cues import is_self_intro, is_welcome, welcomed_names


def _welcomed(
    messages: Sequence[DigestMessage],
    first: Mapping[int, DigestMessage],
    candidates: Collection[int],
) -> set[int]:
    """Members among ``candidates`` whom another member welcomes by name or by a reply."""
    by_id = {message.message_id: message for message in messages}
    names = {first[member].member_name: member for member in candidates}
    found: set[int] = set()
    for message in messages:
        if not is_welcome(message.text):
            continue
        welcomed = {names[name] for name in welcomed_names(message.text, names)}
        reply_to = message.reply_to_message_id
        target = by_id.get(reply_to) if reply_to is not None else None
        if target is not None and target.member_id in candidates:
            welcomed.add(target.member_id)
        welcomed.discard(message.member_id)  # welcoming someone else says nothing of oneself
        found |= welcomed
    return found


def find_newcomers(
    messages: Sequence[DigestMessage],
    joined: Mapping[int, str],
    seen_before: Collection[int] | None = None,
) -> tuple[Newcomer, ...]:
    """The period's newcomers in order of first message, then those who only joined."""
    first: dict[int, DigestMessage] = {}
    for message in messages:
        first.setdefault(message.member_id, message)
    new: set[int] = {m.member_id for m in messages if m.is_newcomer} | (set(joined) & set(first))
    if seen_before is None:
        new |= {member for member, message in first.items() if is_self_intro(message.text)}
    else:
        unseen = set(first) - set(seen_before)
        new |= {m.member_id for m in messages if m.member_id in unseen and is_self_intro(m.text)}
        new |= _welcomed(messages, first, unseen)
    found = {
        member: Newcomer(member, message.member_name, message.ref())
        for member, message in first.items()
        if member in new
    }
    for member_id, name in joined.items():
        found.setdefault(member_id, Newcomer(member_id, name))
    return tuple(found.values())
