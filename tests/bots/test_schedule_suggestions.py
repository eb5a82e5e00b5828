"""Suggestions shown while an admin types a digest command."""

from bots.schedule_suggestions import EXAMPLES, MAX_SUGGESTIONS, suggest_digest_actions


def test_examples_filtered_by_what_was_typed() -> None:
    assert suggest_digest_actions("da") == ["daily 09:00"]
    assert suggest_digest_actions("") == list(EXAMPLES)
    assert suggest_digest_actions("zzz") == list(EXAMPLES)  # nothing matches: show them all


def test_time_zones_after_tz() -> None:
    assert suggest_digest_actions("tz shanghai")[0] == "tz Asia/Shanghai"
    assert suggest_digest_actions("TZ  new york")[0] == "tz America/New_York"
    assert len(suggest_digest_actions("tz ")) == MAX_SUGGESTIONS
    assert suggest_digest_actions("tz nowhere-at-all") == []
