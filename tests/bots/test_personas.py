"""Personas: learned from a member's own messages while their twin is on, editable by them."""

from __future__ import annotations

from collections import Counter

import pytest

from bots.app import Hearth
from tests.support import RecordingSender, command, message
from twins.persona import PersonaStats, summarise, terms


@pytest.fixture
def memory_kind() -> str:
    return "edge"


def test_terms_in_english_and_chinese() -> None:
    assert terms("I love hiking the Skyline Ridge trail! https://x.example/a") == [
        "love",
        "hiking",
        "skyline",
        "ridge",
        "trail",
    ]
    chinese = terms("周末我们去爬山，然后吃火锅")
    assert "爬山" in chinese and any("火锅" in word for word in chinese)
    assert "我们" not in chinese and "然后" not in chinese


def test_summary_interests_tone_and_languages() -> None:
    stats = PersonaStats()
    for text in [
        "sourdough starter is alive!",
        "sourdough hydration at 75%!",
        "hiking again",
        "周末去爬山",
        "sourdough crust 😀 😀",
    ]:
        stats.add(text)
    summary = summarise(stats, "I bake bread", Counter({"hiking": 40}))
    assert summary.interests[0] == "sourdough"
    # Everyone in the chat talks about hiking, so it says little about this member.
    ranked = list(summary.interests)
    assert "hiking" not in ranked or ranked.index("hiking") > ranked.index("starter")
    assert "short messages" in summary.tone and "enthusiastic" in summary.tone
    assert summary.languages == ("Chinese", "English")
    assert summary.prompt_text().startswith("In their own words: I bake bread")
    assert PersonaStats.from_json(stats.to_json()) == stats


async def test_persona_follows_the_member_and_is_editable(hearth: Hearth) -> None:
    sender = RecordingSender()
    for text in (
        "Sourdough starter fed with rye flour",
        "My sourdough crust is crackly",
        "Hiking Skyline Ridge on Saturday",
    ):
        await hearth.router.handle(message("bob", text, minutes_ago=60), sender)
    await hearth.router.handle(message("carol", "I like sourdough too", minutes_ago=60), sender)
    await hearth.router.handle(command("bob", "twin", "profile"), sender)
    assert "from 3 of your messages" in sender.texts()[-1]  # built from what they said here
    await hearth.router.handle(command("bob", "twin", "off"), sender)
    await hearth.router.handle(command("bob", "twin", "on"), sender)
    await hearth.router.handle(message("bob", "More sourdough tips tomorrow"), sender)
    await hearth.router.handle(command("bob", "twin", "profile"), sender)
    profile = sender.replies[-1]
    assert profile.private
    assert "from 4 of your messages" in profile.text
    assert "Talks about: sourdough" in profile.text
    await hearth.router.handle(
        command("bob", "twin", "profile", "set", "I", "bake", "bread", "on", "weekends"), sender
    )
    assert sender.texts()[-1].startswith("Saved.")
    persona = hearth.router._personas  # the same object the mention responder asks
    text = await persona.prompt_text(1, 1)
    assert text is not None and "I bake bread on weekends" in text and "sourdough" in text
    await hearth.router.handle(command("bob", "twin", "profile", "reset"), sender)
    await hearth.router.handle(command("bob", "forget"), sender)
    assert await persona.prompt_text(1, 1) is None
