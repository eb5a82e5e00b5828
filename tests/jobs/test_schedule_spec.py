"""Parsing digest schedules and intro cadences; their triggers, periods and JSON form."""

from __future__ import annotations

import contextlib
import pickle
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, available_timezones

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jobs.schedule_spec import (
    ANCHOR_DATE,
    MAX_INTERVAL,
    MIN_INTERVAL,
    WEEKDAY_CODES,
    WEEKDAY_NAMES,
    FortnightlyTrigger,
    IntroCadence,
    ScheduleError,
    ScheduleSpec,
    parse_digest_schedule,
    parse_intro_cadence,
    parse_time_zone,
)

ZONES = sorted(available_timezones())
KNOWN_ZONES = {name.lower() for name in ZONES} | {"utc"}
SAMPLE_ZONES = ["UTC", "Asia/Shanghai", "America/New_York", "Europe/Berlin", "Australia/Lord_Howe"]
UNITS = {"m": 1, "min": 1, "minutes": 1, "h": 60, "hours": 60, "d": 1440, "days": 1440}

# --- examples ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected", "described"),
    [
        ("daily 09:00", ScheduleSpec.daily(9, 0), "every day at 09:00 (UTC)"),
        ("Daily 9:05", ScheduleSpec.daily(9, 5), "every day at 09:05 (UTC)"),
        (
            "weekly mon 18:00 tz Asia/Shanghai",
            ScheduleSpec.weekly(0, 18, tz="Asia/Shanghai"),
            "every Monday at 18:00 (Asia/Shanghai)",
        ),
        ("weekly Sunday 23:59", ScheduleSpec.weekly(6, 23, 59), "every Sunday at 23:59 (UTC)"),
        ("every 12h", ScheduleSpec.every(timedelta(hours=12)), "every 12 hours (UTC)"),
        ("every 90m", ScheduleSpec.every(timedelta(minutes=90)), "every 90 minutes (UTC)"),
        ("every 1 day", ScheduleSpec.every(timedelta(days=1)), "every 1 day (UTC)"),
        ("every 30 min", ScheduleSpec.every(MIN_INTERVAL), "every 30 minutes (UTC)"),
        ("every 7d", ScheduleSpec.every(MAX_INTERVAL), "every 7 days (UTC)"),
        ("OFF", ScheduleSpec.off(), "off"),
        ("daily 00:00 tz utc", ScheduleSpec.daily(0, 0), "every day at 00:00 (UTC)"),
    ],
)
def test_digest_examples(text: str, expected: ScheduleSpec, described: str) -> None:
    spec = parse_digest_schedule(text)
    assert spec == expected
    assert spec.describe() == described


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "e.g. daily 09:00"),
        ("daily", "daily 09:00"),
        ("daily 24:00", "00:00 to 23:59"),
        ("daily 12:60", "00:00 to 23:59"),
        ("daily 9", "HH:MM"),
        ("weekly funday 10:00", "mon, tue"),
        ("weekly mon", "weekly mon 18:00"),
        ("every 29m", "between 30 minutes and 7 days"),
        ("every 8d", "between 30 minutes and 7 days"),
        ("every 0h", "between 30 minutes and 7 days"),
        ("every 5 fortnights", "every 12h"),
        ("every", "every 12h"),
        ("hourly", "daily 09:00"),
        ("daily 09:00 tz Mars/Olympus", "IANA"),
        ("daily 09:00 tz", "tz Asia/Shanghai"),
        ("daily 09:00 tz Europe/Paris Europe/Rome", "one time zone"),
    ],
)
def test_digest_errors_are_one_line_with_an_example(text: str, fragment: str) -> None:
    with pytest.raises(ScheduleError) as caught:
        parse_digest_schedule(text)
    message = str(caught.value)
    assert fragment in message
    assert "\n" not in message
    assert "e.g." in message or "try" in message or "did you mean" in message


def test_unknown_zone_suggests_the_closest_names() -> None:
    with pytest.raises(ScheduleError, match="did you mean tz Asia/Shanghai"):
        parse_time_zone("tz Asia/Shangai")
    with pytest.raises(ScheduleError, match="tz Asia/Shanghai"):
        parse_time_zone("Shanghai")
    with pytest.raises(ScheduleError, match="tz Europe/Berlin"):
        parse_time_zone("Europe/Berln")


def test_zone_names_are_canonicalised() -> None:
    assert parse_time_zone("tz asia/shanghai") == "Asia/Shanghai"
    assert parse_time_zone("utc") == "UTC"
    assert parse_time_zone("  America/New_York ") == "America/New_York"


def test_tz_alone_changes_only_the_zone() -> None:
    daily = ScheduleSpec.daily(9, 0)
    moved = parse_digest_schedule("tz Asia/Shanghai", current=daily)
    assert moved == ScheduleSpec.daily(9, 0, tz="Asia/Shanghai")
    assert parse_digest_schedule("weekly fri 17:00", current=moved).tz == "Asia/Shanghai"
    assert parse_digest_schedule("tz Europe/Berlin") == ScheduleSpec.off(tz="Europe/Berlin")
    cadence = parse_intro_cadence("tz Europe/Berlin", current=IntroCadence("monthly"))
    assert cadence == IntroCadence("monthly", tz="Europe/Berlin")


def test_invalid_specs_cannot_be_built() -> None:
    with pytest.raises(ScheduleError):
        ScheduleSpec.daily(24, 0)
    with pytest.raises(ScheduleError):
        ScheduleSpec.weekly(7, 10)
    with pytest.raises(ScheduleError):
        ScheduleSpec.every(timedelta(minutes=90, seconds=1))
    with pytest.raises(ScheduleError):
        ScheduleSpec("daily", 9, tz="asia/shanghai")
    with pytest.raises(ScheduleError):
        ScheduleSpec("interval", 9, interval=timedelta(hours=1))
    with pytest.raises(ScheduleError):
        IntroCadence("daily")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "stored",
    [
        "",
        "[]",
        "{}",
        '{"v":2,"kind":"off","tz":"UTC"}',
        '{"v":1,"kind":"daily","tz":"UTC"}',
        '{"v":1,"kind":"daily","time":930,"tz":"UTC"}',
        '{"v":1,"kind":"weekly","time":"09:30","day":3,"tz":"UTC"}',
        '{"v":1,"kind":"interval","minutes":"60","tz":"UTC"}',
        '{"v":1,"kind":"interval","minutes":5,"tz":"UTC"}',
        '{"v":1,"kind":"hourly","tz":"UTC"}',
        '{"v":1,"kind":"off","tz":"Nowhere"}',
    ],
)
def test_malformed_stored_specs_raise_schedule_error(stored: str) -> None:
    with pytest.raises(ScheduleError):
        ScheduleSpec.from_json(stored)


@pytest.mark.parametrize(
    "stored",
    [
        "nonsense",
        '{"v":1,"kind":"yearly","tz":"UTC"}',
        '{"v":1,"kind":"weekly"}',
        '{"v":1,"kind":"monthly","tz":"Nowhere"}',
        '{"v":1,"kind":["weekly"],"tz":"UTC"}',
    ],
)
def test_malformed_stored_cadences_raise_schedule_error(stored: str) -> None:
    with pytest.raises(ScheduleError):
        IntroCadence.from_json(stored)


# --- triggers and periods ---------------------------------------------------------------------


def test_daily_trigger_keeps_wall_clock_time_across_dst() -> None:
    spec = ScheduleSpec.daily(9, 0, tz="Europe/Berlin")
    trigger = spec.to_trigger()
    moment = datetime(2026, 3, 27, 12, tzinfo=UTC)
    fires = []
    for _ in range(4):
        moment = trigger.get_next_fire_time(moment if fires else None, moment)
        fires.append(moment)
    local = [fire.astimezone(ZoneInfo("Europe/Berlin")) for fire in fires]
    assert [(f.day, f.hour, f.minute) for f in local] == [
        (28, 9, 0),
        (29, 9, 0),
        (30, 9, 0),
        (31, 9, 0),
    ]
    assert local[1].utcoffset() != local[0].utcoffset()


def test_weekly_and_interval_triggers() -> None:
    weekly = ScheduleSpec.weekly(4, 17, 30, tz="Asia/Shanghai")
    after = datetime(2026, 5, 5, tzinfo=UTC)  # a Tuesday
    fire = weekly.next_fire_time(after)
    assert fire is not None
    assert fire.astimezone(ZoneInfo("Asia/Shanghai")).replace(tzinfo=None) == datetime(
        2026, 5, 8, 17, 30
    )
    every = ScheduleSpec.every(timedelta(hours=12), tz="Asia/Shanghai")
    fire = every.next_fire_time(after)
    assert fire is not None
    assert fire.astimezone(ZoneInfo("Asia/Shanghai")).hour in (0, 12)
    assert every.previous_fire_time(fire) == fire


def test_digest_period_runs_from_the_previous_fire() -> None:
    spec = ScheduleSpec.daily(9, 0, tz="Asia/Shanghai")
    end = datetime(2026, 5, 6, 1, tzinfo=UTC)  # 09:00 in Shanghai
    start, stop = spec.period_ending(end)
    assert stop == end
    assert stop - start == timedelta(days=1)
    every = ScheduleSpec.every(timedelta(minutes=90))
    fire = every.next_fire_time(end)
    assert fire is not None
    start, stop = every.period_ending(fire)
    assert stop - start == timedelta(minutes=90)
    weekly = ScheduleSpec.weekly(0, 18)
    fire = weekly.next_fire_time(end)
    assert fire is not None
    start, _ = weekly.period_ending(fire)
    assert fire - start == timedelta(days=7)
    with pytest.raises(ValueError, match="off"):
        ScheduleSpec.off().period_ending(end)


def test_previous_fire_time_needs_an_aware_moment() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        ScheduleSpec.daily(9).previous_fire_time(datetime(2026, 5, 5, 9))


def test_intro_cadences_fire_on_mondays_at_ten() -> None:
    after = datetime(2026, 5, 5, tzinfo=UTC)
    zone = ZoneInfo("America/New_York")
    expected = {
        "weekly": date(2026, 5, 11),
        "biweekly": date(2026, 5, 18),
        "monthly": date(2026, 6, 1),
    }
    for kind, day in expected.items():
        cadence = parse_intro_cadence(f"{kind} tz America/New_York")
        fire = cadence.next_fire_time(after)
        assert fire is not None
        local = fire.astimezone(zone)
        assert (local.date(), local.hour, local.minute) == (day, 10, 0)
    assert parse_intro_cadence("fortnightly") == IntroCadence("biweekly")
    assert IntroCadence("off").to_trigger() is None
    assert IntroCadence("off").next_fire_time(after) is None


def test_fortnightly_trigger_keeps_ten_oclock_across_dst_and_pickles() -> None:
    zone = ZoneInfo("Europe/Berlin")
    trigger = FortnightlyTrigger(ANCHOR_DATE, 10, 0, zone)
    restored = pickle.loads(pickle.dumps(trigger))
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    previous = None
    for _ in range(30):
        fire = restored.get_next_fire_time(previous, moment)
        local = fire.astimezone(zone)
        assert (local.weekday(), local.hour, local.minute) == (0, 10, 0)
        assert (local.date() - ANCHOR_DATE).days % 14 == 0
        if previous is not None:
            assert (local.date() - previous.astimezone(zone).date()).days == 14
        assert trigger.previous_fire_time(fire) == fire
        assert trigger.previous_fire_time(fire - timedelta(seconds=1)) == previous or (
            previous is None
        )
        previous = moment = fire


def test_specs_and_triggers_survive_pickling() -> None:
    for spec in (
        ScheduleSpec.daily(9, tz="Asia/Shanghai"),
        ScheduleSpec.weekly(2, 8, 15, tz="Europe/Berlin"),
        ScheduleSpec.every(timedelta(hours=6)),
    ):
        trigger = spec.to_trigger()
        now = datetime(2026, 5, 5, tzinfo=UTC)
        assert pickle.loads(pickle.dumps(trigger)).get_next_fire_time(
            None, now
        ) == trigger.get_next_fire_time(None, now)


# --- properties -------------------------------------------------------------------------------

zones = st.sampled_from(ZONES)
hours = st.integers(0, 23)
minutes = st.integers(0, 59)
spaces = st.sampled_from([" ", "  ", "\t", " \u3000"])


def _case(draw: st.DrawFn, word: str) -> str:
    return draw(st.sampled_from([word, word.upper(), word.capitalize()]))


def _time_text(draw: st.DrawFn, hour: int, minute: int) -> str:
    hour_text = draw(st.sampled_from([f"{hour:02d}", str(hour)]))
    return f"{hour_text}:{minute:02d}"


@st.composite
def digest_inputs(draw: st.DrawFn) -> tuple[str, ScheduleSpec]:
    """Valid digest schedules as an admin might type them, with the spec they mean."""
    kind = draw(st.sampled_from(["daily", "weekly", "interval", "off"]))
    tz = draw(st.one_of(st.none(), zones))
    gap = draw(spaces)
    spec_tz = tz or "UTC"
    if kind == "daily":
        hour, minute = draw(hours), draw(minutes)
        words = [_case(draw, "daily"), _time_text(draw, hour, minute)]
        spec = ScheduleSpec.daily(hour, minute, tz=spec_tz)
    elif kind == "weekly":
        weekday, hour, minute = draw(st.integers(0, 6)), draw(hours), draw(minutes)
        day = draw(st.sampled_from([WEEKDAY_CODES[weekday], WEEKDAY_NAMES[weekday]]))
        words = [_case(draw, "weekly"), _case(draw, day.lower()), _time_text(draw, hour, minute)]
        spec = ScheduleSpec.weekly(weekday, hour, minute, tz=spec_tz)
    elif kind == "interval":
        unit = draw(st.sampled_from(sorted(UNITS)))
        low = -(-30 // UNITS[unit])
        amount = draw(st.integers(low, 10080 // UNITS[unit]))
        joined = draw(st.booleans())
        words = ["every", f"{amount}{unit}"] if joined else ["every", str(amount), unit]
        spec = ScheduleSpec.every(timedelta(minutes=amount * UNITS[unit]), tz=spec_tz)
    else:
        words = [_case(draw, "off")]
        spec = ScheduleSpec.off(tz=spec_tz)
    if tz is not None:
        words += ["tz", draw(st.sampled_from([tz, tz.lower(), tz.upper()]))]
    return draw(spaces).join(words) + gap, spec


@settings(max_examples=300, deadline=None)
@given(digest_inputs())
def test_every_valid_digest_input_parses_and_round_trips(case: tuple[str, ScheduleSpec]) -> None:
    text, expected = case
    spec = parse_digest_schedule(text)
    assert spec == expected
    assert ScheduleSpec.from_json(spec.to_json()) == spec
    assert parse_digest_schedule(spec.to_command()) == spec
    described = spec.describe()
    if spec.is_off:
        assert described == "off"
        assert spec.to_trigger() is None
    else:
        assert described.startswith("every ")
        assert f"({spec.tz})" in described
        if spec.kind in ("daily", "weekly"):
            assert f"{spec.hour:02d}:{spec.minute:02d}" in described
        assert spec.to_trigger() is not None


@settings(max_examples=150, deadline=None)
@given(
    digest_inputs(), st.datetimes(min_value=datetime(2001, 1, 1), max_value=datetime(2090, 1, 1))
)
def test_previous_and_next_fire_times_agree(
    case: tuple[str, ScheduleSpec], naive: datetime
) -> None:
    _, spec = case
    moment = naive.replace(tzinfo=UTC)
    previous = spec.previous_fire_time(moment)
    following = spec.next_fire_time(moment)
    if spec.is_off:
        assert previous is None and following is None
        return
    assert previous is not None and following is not None
    assert previous.timestamp() <= moment.timestamp() <= following.timestamp()
    # The trigger's first fire after the previous one is the next one (or ``moment`` itself).
    again = spec.next_fire_time(previous + timedelta(microseconds=1))
    assert again is not None
    assert (
        again.timestamp() == following.timestamp() or previous.timestamp() == following.timestamp()
    )


@st.composite
def intro_inputs(draw: st.DrawFn) -> tuple[str, IntroCadence]:
    """Valid intro cadences as typed, with the cadence they mean."""
    word = draw(st.sampled_from(["weekly", "biweekly", "fortnightly", "monthly", "off"]))
    kind = "biweekly" if word == "fortnightly" else word
    tz = draw(st.one_of(st.none(), zones))
    words = [_case(draw, word)]
    if tz is not None:
        words += [_case(draw, "tz"), tz.lower()]
    return draw(spaces).join(words), IntroCadence(kind, tz=tz or "UTC")  # type: ignore[arg-type]


@settings(max_examples=150, deadline=None)
@given(intro_inputs(), st.datetimes(min_value=datetime(2001, 1, 1), max_value=datetime(2090, 1, 1)))
def test_every_valid_intro_input_parses_and_round_trips(
    case: tuple[str, IntroCadence], naive: datetime
) -> None:
    text, expected = case
    cadence = parse_intro_cadence(text)
    assert cadence == expected
    assert IntroCadence.from_json(cadence.to_json()) == cadence
    assert parse_intro_cadence(cadence.to_command()) == cadence
    assert cadence.describe() == "off" or f"10:00 ({cadence.tz})" in cadence.describe()
    moment = naive.replace(tzinfo=UTC)
    previous, following = cadence.previous_fire_time(moment), cadence.next_fire_time(moment)
    if cadence.is_off:
        assert previous is None and following is None
        return
    assert previous is not None and following is not None
    assert previous.timestamp() <= moment.timestamp() <= following.timestamp()
    for fire in (previous, following):
        local = fire.astimezone(cadence.zone)
        assert (local.weekday(), local.minute) == (0, 0)
        if cadence.kind == "monthly":
            assert local.day <= 7


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=80))
def test_garbage_raises_only_schedule_error(text: str) -> None:
    for parse in (parse_digest_schedule, parse_intro_cadence, parse_time_zone):
        try:
            parse(text)
        except ScheduleError as error:
            assert "\n" not in str(error)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(["daily", "weekly", "every", "tz", "off", "mon", "9:00", "12h", "UTC"])
        | st.text(max_size=8),
        max_size=5,
    )
)
def test_near_miss_words_raise_only_schedule_error(words: list[str]) -> None:
    with contextlib.suppress(ScheduleError):
        parse_digest_schedule(" ".join(words))


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(
        st.tuples(st.integers(24, 99), st.integers(0, 99)),
        st.tuples(st.integers(0, 99), st.integers(60, 99)),
    ),
    st.sampled_from(["daily {t}", "weekly tue {t}"]),
)
def test_times_outside_the_day_are_rejected(clock: tuple[int, int], template: str) -> None:
    text = template.format(t=f"{clock[0]:02d}:{clock[1]:02d}")
    with pytest.raises(ScheduleError, match="00:00 to 23:59"):
        parse_digest_schedule(text)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=["Z", "C"]), min_size=1, max_size=30))
def test_zones_outside_zoneinfo_are_rejected(name: str) -> None:
    if name.lower() in KNOWN_ZONES:
        assert parse_time_zone(name) in ZONES or parse_time_zone(name) == "UTC"
        return
    with pytest.raises(ScheduleError, match="time zone"):
        parse_digest_schedule(f"daily 09:00 tz {name}")


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(st.integers(0, 29), st.integers(10081, 10**6)),
    st.sampled_from(["m", "min", "minutes"]),
)
def test_intervals_out_of_bounds_are_rejected(amount: int, unit: str) -> None:
    with pytest.raises(ScheduleError, match="between 30 minutes and 7 days"):
        parse_digest_schedule(f"every {amount}{unit}")
    hours = amount // 60 + 169 if amount > 10080 else 0
    with pytest.raises(ScheduleError, match="between 30 minutes and 7 days"):
        parse_digest_schedule(f"every {hours}h")


def test_daily_schedule_does_not_skip_the_day_after_a_clock_change() -> None:
    # Poland moved its clocks forward on 2001-03-25; a cron trigger skipped 2001-03-26.
    spec = ScheduleSpec.daily(0, 0, tz="Poland")
    fired = spec.previous_fire_time(datetime(2001, 3, 25, 12, 0, tzinfo=UTC))
    assert fired is not None
    following = spec.next_fire_time(fired + timedelta(microseconds=1))
    assert following is not None
    assert following.astimezone(ZoneInfo("Poland")).date().isoformat() == "2001-03-26"
