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


def test_chinese_words_get_chinese_suggestions() -> None:
    from bots.schedule_suggestions import CHINESE_EXAMPLES

    assert suggest_digest_actions("每") == ["每天 09:00", "每周一 18:00", "每 12小时"]
    assert suggest_digest_actions("我") == ["我 每天 08:00", "我 现在", "我 状态", "我 关"]
    assert suggest_digest_actions("不知道") == list(CHINESE_EXAMPLES)
    assert suggest_digest_actions("时区 shanghai")[0] == "时区 Asia/Shanghai"
