"""Digest schedules and introduction cadences as admins type them, parsed into frozen specs.

Digest schedules (:func:`parse_digest_schedule`)
    ``daily 09:00``, ``weekly mon 18:00`` (``mon`` … ``sun`` or full day names),
    ``every 12h`` / ``every 90m`` / ``every 2d`` (from 30 minutes to 7 days) and ``off``.
    Any of them may end with ``tz Asia/Shanghai``; ``tz ZONE`` alone changes only the zone.
    Times are wall-clock times in the chat's zone (UTC unless set), so a daily digest stays at
    09:00 across daylight-saving changes. Intervals count real elapsed time from midnight of
    Monday 2024-01-01 in the chat's zone, so every process computes the same fire times.

Introduction cadences (:func:`parse_intro_cadence`)
    Introductions go out at 10:00 chat time on a Monday: ``weekly`` every Monday;
    ``biweekly`` (or ``fortnightly``) every other Monday, counted from Monday 2024-01-01 so
    that every process and every restart agree on which Mondays; ``monthly`` on the first
    Monday of each month; ``off``. The biweekly cadence uses :class:`FortnightlyTrigger`
    rather than an ``IntervalTrigger(weeks=2)``: an interval counts elapsed seconds, so in
    zones with daylight saving it would drift to 09:00 or 11:00 for half the year.

Every parse failure raises :class:`ScheduleError`, whose message is one line with an example.
"""

from __future__ import annotations

import difflib
import json
import math
import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any, Literal, Self, cast
from zoneinfo import ZoneInfo, available_timezones

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from locales import N_, tr, tr_marked, trn

ScheduleKind = Literal["daily", "weekly", "interval", "off"]
CadenceKind = Literal["weekly", "biweekly", "monthly", "off"]

MIN_INTERVAL = timedelta(minutes=30)
MAX_INTERVAL = timedelta(days=7)
ANCHOR_DATE = date(2024, 1, 1)
"""A Monday: intervals and the biweekly cadence count from this day (at midnight, chat time)."""
INTRO_WEEKDAY = 0
INTRO_HOUR = 10
INTRO_MINUTE = 0
MAX_INPUT_CHARS = 200

WEEKDAY_CODES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_WEEKDAYS: dict[str, int] = {
    **{code: index for index, code in enumerate(WEEKDAY_CODES)},
    **{name.lower(): index for index, name in enumerate(WEEKDAY_NAMES)},
    "tues": 1,
    "weds": 2,
    "thur": 3,
    "thurs": 3,
}
_UNIT_MINUTES: dict[str, int] = {
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes"), 1),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), 60),
    **dict.fromkeys(("d", "day", "days"), 1440),
    **dict.fromkeys(("w", "week", "weeks"), 10080),
}
_TIME = re.compile(r"(\d{1,2}):(\d{2})")
_INTERVAL = re.compile(r"(\d+)([a-z]+)")

DIGEST_EXAMPLES = N_("daily 09:00, weekly mon 18:00, every 12h or off")
"""Examples of digest schedules, for messages (translate with ``tr_marked``)."""
INTRO_EXAMPLES = N_("weekly, biweekly, monthly or off")
"""Examples of introduction cadences, for messages (translate with ``tr_marked``)."""
_EVERY_WEEKDAY = (
    N_("every Monday at {clock} ({tz})"),
    N_("every Tuesday at {clock} ({tz})"),
    N_("every Wednesday at {clock} ({tz})"),
    N_("every Thursday at {clock} ({tz})"),
    N_("every Friday at {clock} ({tz})"),
    N_("every Saturday at {clock} ({tz})"),
    N_("every Sunday at {clock} ({tz})"),
)


class ScheduleError(ValueError):
    """A schedule, cadence or time zone could not be understood; the message says how to fix it."""


# --- time zones -------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _zone_names() -> dict[str, str]:
    """Known IANA zone names by their lower-case form."""
    names = {name.lower(): name for name in available_timezones()}
    names["utc"] = "UTC"
    return names


@lru_cache(maxsize=1)
def _zone_cities() -> dict[str, list[str]]:
    """Known zone names by their last part (``shanghai`` -> ``Asia/Shanghai``)."""
    cities: dict[str, list[str]] = {}
    for name in sorted(_zone_names().values()):
        if "/" in name:
            cities.setdefault(name.rsplit("/", 1)[1].lower(), []).append(name)
    return cities


def _suggest_zones(text: str, limit: int = 3) -> list[str]:
    key = text.strip().lower().replace(" ", "_")
    if not key or len(key) > 64:
        return []
    names, cities = _zone_names(), _zone_cities()
    found = list(cities.get(key, []))
    for close in difflib.get_close_matches(key, list(names), n=limit, cutoff=0.6):
        found.append(names[close])
    for close in difflib.get_close_matches(key, list(cities), n=limit, cutoff=0.75):
        found.extend(cities[close])
    unique = list(dict.fromkeys(found))
    return unique[:limit]


def parse_time_zone(text: str) -> str:
    """The canonical IANA name for ``Asia/Shanghai``, ``tz asia/shanghai`` or ``UTC``.

    Matching ignores case; an unknown name raises :class:`ScheduleError` that suggests the
    closest known names.
    """
    words = text.split()
    if words and words[0].lower() == "tz":
        words = words[1:]
    if not words:
        raise ScheduleError(tr("give a time zone, e.g. tz Asia/Shanghai or tz UTC"))
    if len(words) > 1:
        raise ScheduleError(
            tr(
                "“{text}” is not one time zone name; use e.g. tz America/New_York",
                text=" ".join(words)[:40],
            )
        )
    name = words[0]
    canonical = _zone_names().get(name.lower())
    if canonical is not None:
        return canonical
    suggestions = _suggest_zones(name)
    shown = name if len(name) <= 40 else name[:40] + "…"
    if suggestions:
        options = f"tz {suggestions[0]}"
        for suggestion in suggestions[1:]:
            options = tr("{before} or {after}", before=options, after=f"tz {suggestion}")
        raise ScheduleError(
            tr("unknown time zone “{zone}”; did you mean {options}?", zone=shown, options=options)
        )
    raise ScheduleError(
        tr("unknown time zone “{zone}”; use an IANA name, e.g. tz Asia/Shanghai", zone=shown)
    )


def _checked_zone(tz: str) -> str:
    if not isinstance(tz, str) or _zone_names().get(tz.lower()) != tz:
        raise ScheduleError(f"unknown time zone {tz!r}; use a canonical IANA name, e.g. UTC")
    return tz


# --- shared helpers ---------------------------------------------------------------------------


def _at_local(day: date, hour: int, minute: int, zone: ZoneInfo) -> datetime:
    """The wall-clock time ``hour:minute`` on ``day`` in ``zone`` (as APScheduler's cron does)."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)


def _not_after(candidate: datetime, at: datetime) -> bool:
    return candidate.timestamp() <= at.timestamp()


def _require_aware(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("the moment must be timezone-aware")


def _first_monday(year: int, month: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(INTRO_WEEKDAY - first.weekday()) % 7)


def _tokens(text: str, examples: str) -> list[str]:
    if not isinstance(text, str):
        raise ScheduleError(tr("say when, e.g. {examples}", examples=tr_marked(examples)))
    if len(text) > MAX_INPUT_CHARS:
        raise ScheduleError(
            tr("that is too long for a schedule; try {examples}", examples=tr_marked(examples))
        )
    tokens = text.split()
    if not tokens:
        raise ScheduleError(tr("say when, e.g. {examples}", examples=tr_marked(examples)))
    return tokens


def _split_zone(tokens: list[str]) -> tuple[list[str], str | None]:
    """The schedule words and the zone named after ``tz``, if any."""
    lowered = [token.lower() for token in tokens]
    if "tz" not in lowered:
        return tokens, None
    at = lowered.index("tz")
    return tokens[:at], parse_time_zone(" ".join(tokens[at:]))


def _parse_time(token: str) -> tuple[int, int]:
    match = _TIME.fullmatch(token)
    if match is None:
        raise ScheduleError(
            tr(
                "“{text}” is not a time; use HH:MM from 00:00 to 23:59, e.g. daily 09:00",
                text=token[:20],
            )
        )
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        raise ScheduleError(
            tr("“{text}” is not a time of day; use 00:00 to 23:59, e.g. daily 18:30", text=token)
        )
    return hour, minute


def _parse_weekday(token: str) -> int:
    weekday = _WEEKDAYS.get(token.lower())
    if weekday is None:
        raise ScheduleError(
            tr(
                "“{text}” is not a day; use mon, tue, wed, thu, fri, sat or sun, "
                "e.g. weekly fri 17:00",
                text=token[:20],
            )
        )
    return weekday


def _parse_interval(words: list[str]) -> timedelta:
    joined = "".join(words).lower()
    match = _INTERVAL.fullmatch(joined)
    if match is None or match.group(2) not in _UNIT_MINUTES:
        raise ScheduleError(
            tr(
                "“{text}” is not an interval; use minutes, hours or days, "
                "e.g. every 12h or every 90m",
                text=" ".join(words)[:30],
            )
        )
    minutes = int(match.group(1)) * _UNIT_MINUTES[match.group(2)]
    _check_interval_minutes(minutes)
    return timedelta(minutes=minutes)


def _check_interval_minutes(minutes: int) -> None:
    low, high = MIN_INTERVAL // timedelta(minutes=1), MAX_INTERVAL // timedelta(minutes=1)
    if not low <= minutes <= high:
        raise ScheduleError(
            tr("the interval must be between 30 minutes and 7 days, e.g. every 30m or every 7d")
        )


def _interval_words(interval: timedelta) -> tuple[int, str]:
    """``interval`` in its largest whole unit: ``(12, "h")``, ``(90, "m")``, ``(2, "d")``."""
    minutes = interval // timedelta(minutes=1)
    if minutes % 1440 == 0:
        return minutes // 1440, "d"
    if minutes % 60 == 0:
        return minutes // 60, "h"
    return minutes, "m"


def _loads(text: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except (TypeError, ValueError) as error:
        raise ScheduleError("the stored schedule is not valid JSON") from error
    if not isinstance(data, dict) or data.get("v") != 1:
        raise ScheduleError("the stored schedule has an unknown format")
    return cast(dict[str, Any], data)


# --- triggers ---------------------------------------------------------------------------------


class FortnightlyTrigger(BaseTrigger):  # type: ignore[misc]
    """Every ``days`` days at a wall-clock time, on the days counted from ``anchor``.

    Fires on ``anchor``, ``anchor + days`` and so on (and the same days before it), at
    ``hour:minute`` in ``timezone``, keeping that local time across daylight-saving
    changes. ``days`` is 14 for every other week; daily (1) and weekly (7) schedules
    use it too, because APScheduler's cron trigger can skip a day next to a
    daylight-saving change.
    """

    __slots__ = ("anchor", "days", "hour", "minute", "timezone")

    def __init__(
        self, anchor: date, hour: int, minute: int, timezone: ZoneInfo, days: int = 14
    ) -> None:
        if days < 1:
            raise ValueError("days must be positive")
        self.anchor = anchor
        self.hour = hour
        self.minute = minute
        self.timezone = timezone
        self.days = days

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None:
        """The first fire time at or after ``now`` (after ``previous_fire_time`` if given)."""
        start = now
        if previous_fire_time is not None:
            after_previous = previous_fire_time + timedelta(microseconds=1)
            start = min(now, after_previous, key=datetime.timestamp)
            if start.timestamp() <= previous_fire_time.timestamp():
                start = after_previous
        day = start.astimezone(self.timezone).date()
        day += timedelta(days=(self.anchor - day).days % self.days)
        candidate = _at_local(day, self.hour, self.minute, self.timezone)
        if candidate.timestamp() < start.timestamp():
            candidate = _at_local(
                day + timedelta(days=self.days), self.hour, self.minute, self.timezone
            )
        return candidate

    def previous_fire_time(self, at: datetime) -> datetime:
        """The last fire time at or before ``at``."""
        day = at.astimezone(self.timezone).date()
        day -= timedelta(days=(day - self.anchor).days % self.days)
        candidate = _at_local(day, self.hour, self.minute, self.timezone)
        if not _not_after(candidate, at):
            candidate = _at_local(
                day - timedelta(days=self.days), self.hour, self.minute, self.timezone
            )
        return candidate

    def __getstate__(self) -> dict[str, Any]:
        return {
            "version": 2,
            "anchor": self.anchor,
            "hour": self.hour,
            "minute": self.minute,
            "timezone": self.timezone,
            "days": self.days,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        if state.get("version") not in (1, 2):
            raise ValueError(f"cannot restore FortnightlyTrigger state version {state!r}")
        self.anchor = state["anchor"]
        self.hour = state["hour"]
        self.minute = state["minute"]
        self.timezone = state["timezone"]
        self.days = state.get("days", 14)

    def __str__(self) -> str:
        return f"every {self.days} day(s)[{self.anchor:%a} {self.hour:02d}:{self.minute:02d}]"

    def __repr__(self) -> str:
        return (
            f"<FortnightlyTrigger (anchor='{self.anchor}', time='{self.hour:02d}:"
            f"{self.minute:02d}', timezone='{self.timezone}')>"
        )


# --- digest schedules -------------------------------------------------------------------------


class _Zoned:
    """What digest schedules and intro cadences share: a kind, a zone and a trigger."""

    __slots__ = ()
    kind: str
    tz: str

    @property
    def zone(self) -> ZoneInfo:
        """The time zone as a ``ZoneInfo``."""
        return ZoneInfo(self.tz)

    @property
    def is_off(self) -> bool:
        """Whether nothing is scheduled."""
        return self.kind == "off"

    def with_tz(self, tz: str) -> Self:
        """The same schedule in another zone (``tz`` is parsed like ``tz NAME``)."""
        return cast(Self, replace(cast(Any, self), tz=parse_time_zone(tz)))

    def to_trigger(self) -> BaseTrigger | None:
        """The APScheduler trigger; ``None`` when off."""
        raise NotImplementedError

    def next_fire_time(self, after: datetime) -> datetime | None:
        """The first run at or after ``after``; ``None`` when off."""
        _require_aware(after)
        trigger = self.to_trigger()
        if trigger is None:
            return None
        return cast(datetime | None, trigger.get_next_fire_time(None, after))

    def _fixed_days_previous(self, at: datetime) -> datetime | None:
        """The last run at or before ``at`` when the trigger fires every few days, else None."""
        trigger = self.to_trigger()
        return trigger.previous_fire_time(at) if isinstance(trigger, FortnightlyTrigger) else None


@dataclass(frozen=True, slots=True)
class ScheduleSpec(_Zoned):
    """When a chat's digest runs: daily, weekly, every interval, or off; in a time zone.

    ``weekday`` is 0 for Monday to 6 for Sunday (weekly only); ``interval`` is whole minutes
    between :data:`MIN_INTERVAL` and :data:`MAX_INTERVAL` (interval only); ``tz`` is a
    canonical IANA name. Build one with :func:`parse_digest_schedule` or the class methods.
    """

    kind: ScheduleKind
    hour: int = 0
    minute: int = 0
    weekday: int | None = None
    interval: timedelta | None = None
    tz: str = "UTC"

    def __post_init__(self) -> None:
        _checked_zone(self.tz)
        if self.kind not in ("daily", "weekly", "interval", "off"):
            raise ScheduleError(f"unknown schedule kind {self.kind!r}")
        for value, high, what in ((self.hour, 23, "hour"), (self.minute, 59, "minute")):
            if type(value) is not int or not 0 <= value <= high:
                raise ScheduleError(f"the {what} must be 0 to {high}, e.g. daily 09:00")
        timed = self.kind in ("daily", "weekly")
        if not timed and (self.hour, self.minute) != (0, 0):
            raise ScheduleError(f"a {self.kind} schedule has no time of day")
        if self.kind == "weekly":
            if type(self.weekday) is not int or not 0 <= self.weekday <= 6:
                raise ScheduleError("the weekday must be 0 (Monday) to 6 (Sunday)")
        elif self.weekday is not None:
            raise ScheduleError(f"a {self.kind} schedule has no weekday")
        if self.kind == "interval":
            if not isinstance(self.interval, timedelta) or self.interval % timedelta(minutes=1):
                raise ScheduleError("the interval must be whole minutes, e.g. every 90m")
            _check_interval_minutes(self.interval // timedelta(minutes=1))
        elif self.interval is not None:
            raise ScheduleError(f"a {self.kind} schedule has no interval")

    @classmethod
    def daily(cls, hour: int, minute: int = 0, *, tz: str = "UTC") -> ScheduleSpec:
        """Every day at ``hour:minute`` in ``tz``."""
        return cls("daily", hour, minute, tz=tz)

    @classmethod
    def weekly(cls, weekday: int, hour: int, minute: int = 0, *, tz: str = "UTC") -> ScheduleSpec:
        """Every week on ``weekday`` (0 = Monday) at ``hour:minute`` in ``tz``."""
        return cls("weekly", hour, minute, weekday=weekday, tz=tz)

    @classmethod
    def every(cls, interval: timedelta, *, tz: str = "UTC") -> ScheduleSpec:
        """Every ``interval`` (30 minutes to 7 days), counted from midnight 2024-01-01 in ``tz``."""
        return cls("interval", interval=interval, tz=tz)

    @classmethod
    def off(cls, *, tz: str = "UTC") -> ScheduleSpec:
        """No digest; the zone is kept for the next schedule."""
        return cls("off", tz=tz)

    def describe(self) -> str:
        """Human text in the current reply language, e.g. ``every day at 09:00
        (Asia/Shanghai)`` / ``每天 09:00（Asia/Shanghai）``."""
        clock = f"{self.hour:02d}:{self.minute:02d}"
        if self.kind == "daily":
            return tr("every day at {clock} ({tz})", clock=clock, tz=self.tz)
        if self.kind == "weekly":
            assert self.weekday is not None
            return tr_marked(_EVERY_WEEKDAY[self.weekday], clock=clock, tz=self.tz)
        if self.kind == "interval":
            assert self.interval is not None
            amount, unit = _interval_words(self.interval)
            if unit == "m":
                return trn(
                    "every {count} minute ({tz})",
                    "every {count} minutes ({tz})",
                    amount,
                    tz=self.tz,
                )
            if unit == "h":
                return trn(
                    "every {count} hour ({tz})", "every {count} hours ({tz})", amount, tz=self.tz
                )
            return trn("every {count} day ({tz})", "every {count} days ({tz})", amount, tz=self.tz)
        return tr("off")

    def to_command(self) -> str:
        """The canonical text that parses back to this spec, e.g. ``daily 09:00 tz UTC``."""
        clock = f"{self.hour:02d}:{self.minute:02d}"
        if self.kind == "daily":
            body = f"daily {clock}"
        elif self.kind == "weekly":
            assert self.weekday is not None
            body = f"weekly {WEEKDAY_CODES[self.weekday]} {clock}"
        elif self.kind == "interval":
            assert self.interval is not None
            amount, unit = _interval_words(self.interval)
            body = f"every {amount}{unit}"
        else:
            body = "off"
        return f"{body} tz {self.tz}"

    def to_trigger(self) -> BaseTrigger | None:
        """The APScheduler trigger for this schedule; ``None`` when off."""
        if self.kind == "daily":
            return FortnightlyTrigger(ANCHOR_DATE, self.hour, self.minute, self.zone, days=1)
        if self.kind == "weekly":
            assert self.weekday is not None
            # ANCHOR_DATE is a Monday (weekday 0); shift it to the schedule's weekday.
            anchor = ANCHOR_DATE + timedelta(days=self.weekday - ANCHOR_DATE.weekday())
            return FortnightlyTrigger(anchor, self.hour, self.minute, self.zone, days=7)
        if self.kind == "interval":
            assert self.interval is not None
            return IntervalTrigger(
                minutes=self.interval // timedelta(minutes=1),
                start_date=self._interval_anchor(),
                timezone=self.zone,
            )
        return None

    def to_json(self) -> str:
        """A compact JSON text for storing in SQL; :meth:`from_json` reads it back."""
        data: dict[str, Any] = {"v": 1, "kind": self.kind, "tz": self.tz}
        if self.kind in ("daily", "weekly"):
            data["time"] = f"{self.hour:02d}:{self.minute:02d}"
        if self.weekday is not None:
            data["day"] = WEEKDAY_CODES[self.weekday]
        if self.interval is not None:
            data["minutes"] = self.interval // timedelta(minutes=1)
        return json.dumps(data, separators=(",", ":"), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> ScheduleSpec:
        """The spec stored by :meth:`to_json`; raises :class:`ScheduleError` when malformed."""
        data = _loads(text)
        try:
            kind = data["kind"]
            tz = data["tz"]
            if kind in ("daily", "weekly"):
                hour, minute = _parse_time(data["time"])
                weekday = _parse_weekday(data["day"]) if kind == "weekly" else None
                return cls(kind, hour, minute, weekday=weekday, tz=tz)
            if kind == "interval":
                minutes = data["minutes"]
                if type(minutes) is not int:
                    raise ScheduleError("the stored interval is not whole minutes")
                _check_interval_minutes(minutes)
                return cls.every(timedelta(minutes=minutes), tz=tz)
            return cls(kind, tz=tz)
        except (KeyError, TypeError, AttributeError) as error:
            raise ScheduleError("the stored schedule is missing fields") from error

    def previous_fire_time(self, at: datetime) -> datetime | None:
        """The last run at or before ``at`` (in the schedule's zone); ``None`` when off."""
        _require_aware(at)
        if self.kind in ("daily", "weekly"):
            return self._fixed_days_previous(at)
        if self.kind == "interval":
            assert self.interval is not None
            anchor = self._interval_anchor().timestamp()
            seconds = self.interval.total_seconds()
            steps = math.floor((at.timestamp() - anchor) / seconds)
            return datetime.fromtimestamp(anchor + steps * seconds, UTC).astimezone(self.zone)
        return None

    def period_ending(self, end: datetime) -> tuple[datetime, datetime]:
        """The digest period ``[start, end)`` of a run at ``end``: from the run before it."""
        _require_aware(end)
        start = self.previous_fire_time(end - timedelta(microseconds=1))
        if start is None:
            raise ValueError("an off schedule has no periods")
        return start, end.astimezone(self.zone)

    def _interval_anchor(self) -> datetime:
        return _at_local(ANCHOR_DATE, 0, 0, self.zone)


def parse_digest_schedule(text: str, current: ScheduleSpec | None = None) -> ScheduleSpec:
    """Parse ``daily 09:00``, ``weekly mon 18:00``, ``every 12h``, ``off``, or ``tz ZONE``.

    A trailing ``tz ZONE`` sets the zone; without it the zone of ``current`` (else UTC) is
    kept. ``tz ZONE`` alone returns ``current`` (else ``off``) in the new zone.
    """
    tokens = _tokens(text, DIGEST_EXAMPLES)
    body, zone = _split_zone(tokens)
    base = current if current is not None else ScheduleSpec.off()
    tz = zone or base.tz
    if not body:
        return replace(base, tz=tz)
    head, rest = body[0].lower(), body[1:]
    if head == "off" and not rest:
        return ScheduleSpec.off(tz=tz)
    if head == "daily" and len(rest) == 1:
        hour, minute = _parse_time(rest[0])
        return ScheduleSpec.daily(hour, minute, tz=tz)
    if head == "weekly" and len(rest) == 2:
        weekday = _parse_weekday(rest[0])
        hour, minute = _parse_time(rest[1])
        return ScheduleSpec.weekly(weekday, hour, minute, tz=tz)
    if head == "every" and 1 <= len(rest) <= 2:
        return ScheduleSpec.every(_parse_interval(rest), tz=tz)
    if head == "daily":
        raise ScheduleError(tr("say the time, e.g. daily 09:00"))
    if head == "weekly":
        raise ScheduleError(tr("say the day and time, e.g. weekly mon 18:00"))
    if head == "every":
        raise ScheduleError(tr("say the interval, e.g. every 12h or every 90m"))
    raise ScheduleError(
        tr(
            "“{text}” is not a digest schedule; try {examples}",
            text=" ".join(body)[:40],
            examples=tr_marked(DIGEST_EXAMPLES),
        )
    )


# --- introduction cadences --------------------------------------------------------------------

_CADENCES: dict[str, CadenceKind] = {
    "weekly": "weekly",
    "biweekly": "biweekly",
    "fortnightly": "biweekly",
    "monthly": "monthly",
    "off": "off",
}


@dataclass(frozen=True, slots=True)
class IntroCadence(_Zoned):
    """How often a chat gets introductions, at 10:00 on a Monday in ``tz`` (see module doc)."""

    kind: CadenceKind
    tz: str = "UTC"

    def __post_init__(self) -> None:
        _checked_zone(self.tz)
        if self.kind not in ("weekly", "biweekly", "monthly", "off"):
            raise ScheduleError(f"unknown cadence {self.kind!r}")

    def describe(self) -> str:
        """Human text in the current reply language, e.g. ``every other Monday at 10:00
        (Europe/Berlin)``."""
        clock = f"{INTRO_HOUR:02d}:{INTRO_MINUTE:02d}"
        if self.kind == "weekly":
            return tr_marked(_EVERY_WEEKDAY[INTRO_WEEKDAY], clock=clock, tz=self.tz)
        if self.kind == "biweekly":
            return tr("every other Monday at {clock} ({tz})", clock=clock, tz=self.tz)
        if self.kind == "monthly":
            return tr(
                "on the first Monday of each month at {clock} ({tz})", clock=clock, tz=self.tz
            )
        return tr("off")

    def to_command(self) -> str:
        """The canonical text that parses back to this cadence, e.g. ``monthly tz UTC``."""
        return f"{self.kind} tz {self.tz}"

    def to_trigger(self) -> BaseTrigger | None:
        """The APScheduler trigger for this cadence; ``None`` when off."""
        if self.kind in ("weekly", "biweekly"):
            # ANCHOR_DATE is a Monday, the intro weekday; a fixed-days trigger keeps the
            # local time across daylight-saving changes, which cron may skip a day at.
            days = 7 if self.kind == "weekly" else 14
            return FortnightlyTrigger(ANCHOR_DATE, INTRO_HOUR, INTRO_MINUTE, self.zone, days=days)
        if self.kind == "monthly":
            return CronTrigger(
                day=f"1st {WEEKDAY_CODES[INTRO_WEEKDAY]}",
                hour=INTRO_HOUR,
                minute=INTRO_MINUTE,
                timezone=self.zone,
            )
        return None

    def to_json(self) -> str:
        """A compact JSON text for storing in SQL; :meth:`from_json` reads it back."""
        return json.dumps({"v": 1, "kind": self.kind, "tz": self.tz}, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> IntroCadence:
        """The cadence stored by :meth:`to_json`; raises :class:`ScheduleError` when malformed."""
        data = _loads(text)
        kind, tz = data.get("kind"), data.get("tz")
        cadence = _CADENCES.get(kind) if isinstance(kind, str) else None
        if cadence is None or cadence != kind or not isinstance(tz, str):
            raise ScheduleError("the stored cadence is missing fields")
        return cls(cadence, tz=tz)

    def previous_fire_time(self, at: datetime) -> datetime | None:
        """The last run at or before ``at`` (in the cadence's zone); ``None`` when off."""
        _require_aware(at)
        if self.kind in ("weekly", "biweekly"):
            return self._fixed_days_previous(at)
        zone = self.zone
        day = at.astimezone(zone).date()
        if self.kind == "monthly":
            candidate = _at_local(
                _first_monday(day.year, day.month), INTRO_HOUR, INTRO_MINUTE, zone
            )
            if not _not_after(candidate, at):
                year, month = (day.year, day.month - 1) if day.month > 1 else (day.year - 1, 12)
                candidate = _at_local(_first_monday(year, month), INTRO_HOUR, INTRO_MINUTE, zone)
            return candidate
        return None


def parse_intro_cadence(text: str, current: IntroCadence | None = None) -> IntroCadence:
    """Parse ``weekly``, ``biweekly``, ``monthly``, ``off`` or ``tz ZONE`` (see module doc)."""
    tokens = _tokens(text, INTRO_EXAMPLES)
    body, zone = _split_zone(tokens)
    base = current if current is not None else IntroCadence("off")
    tz = zone or base.tz
    if not body:
        return replace(base, tz=tz)
    kind = _CADENCES.get(body[0].lower()) if len(body) == 1 else None
    if kind is None:
        raise ScheduleError(
            tr(
                "“{text}” is not an introduction cadence; try {examples}",
                text=" ".join(body)[:40],
                examples=tr_marked(INTRO_EXAMPLES),
            )
        )
    return IntroCadence(kind, tz=tz)
