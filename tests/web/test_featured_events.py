"""The timeline's wording for a digest feature, per kind, with and without a title."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from bots.storage.digest_features_store import FeaturedIn
from bots.web.featured_events import distinct, featured_summary
from locales import using

# 01:30 on 8 Dec in UTC+8 is 7 Dec in UTC: the page shows UTC days.
POSTED = datetime(2026, 12, 8, 1, 30, tzinfo=timezone(timedelta(hours=8)))


def _feature(kind: str, title: str | None, member_id: int = 1) -> FeaturedIn:
    return FeaturedIn(5, member_id, POSTED, kind, title, None)


def test_each_kind_reads_as_a_sentence() -> None:
    with using("en"):
        assert featured_summary(_feature("topic", "Trail · hike"), "Hikers") == (
            "Featured in the digest of Hikers on Mon 7 Dec 2026: topic “Trail · hike”"
        )
        assert featured_summary(_feature("topic", "Bob: “the loop”"), "Hikers").endswith(
            ": topic Bob: “the loop”"
        )  # already quoted: no second pair of marks
        assert featured_summary(_feature("decision", "We go"), "Hikers").endswith(
            ": your decision “We go”"
        )
        assert featured_summary(_feature("newcomer", None), "Hikers").endswith(
            ": welcomed as a newcomer"
        )
        assert featured_summary(_feature("topic", None), "Hikers").endswith(
            ": a topic you took part in"
        )  # its title was erased by another member's /forget
        assert featured_summary(_feature("poll", "?"), "Hikers") == (
            "Featured in the digest of Hikers on Mon 7 Dec 2026"
        )
    with using("zh"):
        assert featured_summary(_feature("question", "几点出发？"), "徒步群") == (
            "2026年12月7日 周一「徒步群」的摘要提到了你：你尚未得到回答的问题“几点出发？”"
        )


def test_linked_accounts_featured_together_show_once() -> None:
    both = [_feature("topic", "Trail", 1), _feature("topic", "Trail", 2), _feature("link", "u")]
    assert [(f.member_id, f.kind) for f in distinct(both)] == [(1, "topic"), (1, "link")]
