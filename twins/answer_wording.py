"""What a quoting twin says around its quotes, in the language of the question."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from twins.scripts import is_cjk


def day_of(moment: datetime) -> str:
    """A message's day as the twin writes it: ``2026-11-16``."""
    return moment.strftime("%Y-%m-%d")


@dataclass(frozen=True, slots=True)
class Wording:
    """The sentences of a quoting twin's answer in one language."""

    chinese: bool

    def away(self, name: str, last_seen: datetime | None, now: datetime) -> str:
        """``name`` is away, and when they last posted here."""
        if last_seen is None:
            when = "还没在这里发过言" if self.chinese else "has not posted here yet"
        else:
            minutes = max(0, int((now - last_seen).total_seconds() // 60))
            if minutes < 60:
                when = f"{minutes} 分钟前在这里发过言" if self.chinese else f"{minutes} min ago"
            elif minutes < 48 * 60:
                hours = minutes // 60
                when = f"{hours} 小时前在这里发过言" if self.chinese else f"{hours} h ago"
            else:
                day = day_of(last_seen)
                when = f"{day} 在这里发过言" if self.chinese else f"on {day}"
            if not self.chinese:
                when = f"last posted here {when}"
        return f"{name} 不在（{when}）。" if self.chinese else f"{name} is away ({when})."

    def sentences(self, *parts: str) -> str:
        """Sentences run together as the language writes them: no space after a Chinese stop."""
        return ("" if self.chinese else " ").join(parts)

    def invite(self, name: str) -> str:
        """What to do when the mention asked nothing."""
        if self.chinese:
            return f"@{name} 时提个问题，我会在 {name} 在这个群说过的话里找找。"
        return (
            f"Mention {name} with a question and I will look through what {name} said in this chat."
        )

    def nothing_found(self, name: str) -> str:
        """The twin found nothing that answers, and will not guess."""
        if self.chinese:
            return f"{name} 在这个群里没说过和这个有关的话，我不乱猜，等 {name} 回来再回答。"
        return (
            f"I found nothing {name} said in this chat about that, so I won't guess. "
            f"{name} can answer when back."
        )

    def cannot_search(self, name: str) -> str:
        """The twin cannot reach the member's messages right now."""
        if self.chinese:
            return f"{name} 不在，我现在查不了 {name} 说过的话。请稍后再问，或者等 {name} 回来。"
        return (
            f"{name} is away, and I can't look through what {name} said right now. "
            f"Please ask again later, or {name} can answer when back."
        )

    def quotes_follow(self, name: str) -> str:
        """The line before the quotes."""
        if self.chinese:
            return f"{name} 在这里说过的话，也许有用："
        return f"What {name} said here that may help:"

    def earlier(self, day: str) -> str:
        """The mark before an older statement."""
        return f"更早，{day}：" if self.chinese else f"earlier, {day}: "


def wording_for(question: str) -> Wording:
    """The wording for ``question``: Chinese for a Chinese question, else English."""
    return Wording(chinese=is_cjk(question))
