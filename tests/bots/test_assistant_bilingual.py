"""A decision written in one language is found for a question asked in the other."""

from __future__ import annotations

import pytest

from bots.app import Hearth
from bots.assistant.bilingual_terms import BilingualTerms
from memory.term_bridge import term_bridge
from tests.bots.assistant_chat import DAY, settle, to_hearth
from tests.support import RecordingSender, message


@pytest.fixture
def memory_kind() -> str:
    """The assistant's tests run on the default memory backend (the scope is tested on both)."""
    return "edge"


async def test_an_english_decision_is_found_for_a_chinese_question(hearth: Hearth) -> None:
    sender = RecordingSender()
    script = [
        ("alice", "Hike this weekend? The north trail is open again.", 9 * DAY),
        ("bob", "ok it's decided: the hike is Saturday 9am at the north gate", 9 * DAY - 20),
        ("carol", "The compost bins are overflowing, we need a plan.", 6 * DAY),
        ("dave", "Done: two new bins by the shed, Dave builds them.", 6 * DAY - 30),
        ("erin", "Movie night at mine this week?", 3 * DAY),
        ("bob", "Yes! Spirited Away maybe?", 3 * DAY - 5),
        ("erin", "Decided: the film is Spirited Away, Friday 8pm at my place.", 3 * DAY - 20),
        ("carol", "Lovely, see you there", 3 * DAY - 25),
    ]
    for who, text, minutes in script:
        await hearth.router.handle(message(who, text, minutes_ago=minutes), sender)
    await settle(hearth)
    sender.replies.clear()
    question = to_hearth("zoe", "@hearth 我们最后决定看哪部电影？")
    await hearth.router.handle(question, sender)
    lines = sender.replies[-1].text.splitlines()
    assert lines[0] == "最新决定："
    assert "the film is Spirited Away" in lines[1]
    assert "north gate" not in "\n".join(lines) and "bins" not in "\n".join(lines)


def test_the_other_language_words_of_a_topic() -> None:
    bridge = term_bridge()
    assert "potluck" in BilingualTerms.of(frozenset({"聚餐"}), bridge).other_language_words()
    # "water" has dozens of Chinese words: it is not searched for in Chinese.
    watering = BilingualTerms.of(frozenset({"watering"}), bridge).other_language_words()
    assert watering == frozenset()
    assert "月饼" in BilingualTerms.of(frozenset({"mooncake"}), bridge).other_language_words()
