"""Decisions that settled a proposal without repeating its words, end to end through the
router, in English and Chinese."""

from __future__ import annotations

import pytest

from bots.app import Hearth
from tests.bots.assistant_chat import DAY, ZH_GROUP, settle, to_hearth
from tests.support import RecordingSender, message

ROTA_PROPOSAL = (
    "The September watering rota is up in the sheet. I'm thinking two people a day instead "
    "of one, one morning and one evening. Thoughts?"
)
ROTA_UPDATE = (
    "Rota update: nobody objected, so we're going with two a day until the end of the "
    "month. The sheet is updated with everyone's slots."
)


@pytest.fixture
def memory_kind() -> str:
    """The assistant's tests run on the default memory backend (the scope is tested on both)."""
    return "edge"


async def tell(
    hearth: Hearth, sender: RecordingSender, script: list[tuple[str, str, int]], **kw: object
) -> None:
    for who, text, minutes in script:
        await hearth.router.handle(message(who, text, minutes_ago=minutes, **kw), sender)  # type: ignore[arg-type]
    await settle(hearth)
    sender.replies.clear()


async def answer(hearth: Hearth, sender: RecordingSender, who: str, text: str, **kw: object) -> str:
    await hearth.router.handle(to_hearth(who, text, **kw), sender)  # type: ignore[arg-type]
    return sender.replies[-1].text


ENGLISH_ROTA = [
    ("dana", ROTA_PROPOSAL, 4 * DAY),
    ("marcus", "two a day makes sense, the beds along the fence were bone dry", 4 * DAY - 2),
    ("ruth", "Does anyone have a spare trowel? Mine snapped.", 3 * DAY),
    ("olly", "There's one in the shed, top shelf", 3 * DAY - 3),
    ("dana", ROTA_UPDATE, 3 * DAY - 600),
    ("jen", "Ok, so the potluck is Saturday at 4pm in the garden then.", DAY),
]


async def test_a_plain_answer_quoting_a_proposal_also_quotes_what_settled_it(
    hearth: Hearth,
) -> None:
    sender = RecordingSender()
    await tell(hearth, sender, ENGLISH_ROTA)
    text = await answer(
        hearth, sender, "priya", "@hearth how many people are on watering each day?"
    )
    assert "two people a day instead of one" in text
    assert "Settled since:" in text
    settled = text.split("Settled since:", 1)[1]
    assert "Rota update" in settled and "potluck" not in settled


async def test_a_decision_carries_the_subject_of_the_proposal_it_settled(hearth: Hearth) -> None:
    sender = RecordingSender()
    await tell(hearth, sender, ENGLISH_ROTA)
    text = await answer(hearth, sender, "priya", "@hearth what did we decide about watering?")
    assert text.splitlines()[0] == "Latest decision:"
    assert "Rota update" in text and "potluck" not in text


async def test_a_chinese_plain_answer_quoting_a_proposal_also_quotes_what_settled_it(
    hearth: Hearth,
) -> None:
    sender = RecordingSender()
    script = [
        (
            "林慧",
            "浇水排班表出来了：我想每天安排两个人浇水，早上一个晚上一个。大家觉得呢？",
            4 * DAY,
        ),
        ("陈伟", "可以，最近太干了", 4 * DAY - 2),
        ("老周", "周六谁去买肥料？", 3 * DAY),
        ("林慧", "更新：没人反对，那就定了，每天安排两个人，早晚各一个，一直到月底", 3 * DAY - 600),
        ("小李", "那就定了，周日下午三点在园子里烧烤", DAY),
    ]
    await tell(hearth, sender, script, chat=ZH_GROUP)
    text = await answer(hearth, sender, "小李", "@hearth 每天几个人浇水？", chat=ZH_GROUP)
    assert "每天安排两个人浇水" in text
    assert "后来定下的：" in text
    settled = text.split("后来定下的：", 1)[1]
    assert "早晚各一个" in settled and "烧烤" not in settled


async def test_a_chinese_question_about_a_change_finds_the_english_decision(
    hearth: Hearth,
) -> None:
    """改到 asks for the change; it is no subject, so "下雨就改到我家" does not lead."""
    sender = RecordingSender()
    script = [
        ("dana", "Harvest potluck on Saturday the 21st, 4pm in the garden?", 8 * DAY),
        ("jen", "yes!! I'll bring pulled pork", 8 * DAY - 3),
        ("dana", "Ok, so it's Saturday the 21st then, 4pm in the garden.", 8 * DAY - 10),
        ("dana", "Bad news: the church has a wedding on Saturday, we lose the hall.", 3 * DAY),
        ("dana", "Done. The potluck is moved to Sunday the 22nd, 4pm, in the garden.", 3 * DAY - 8),
        ("林慧", "明天是中秋节，晚上七点在园子里赏月，欢迎大家都来", DAY),
        ("林慧", "好，那就定了，明天晚上七点园子里见，下雨就改到我家", DAY - 10),
    ]
    await tell(hearth, sender, script)
    text = await answer(hearth, sender, "林慧", "@hearth 聚餐最后改到哪天了？")
    lines = text.splitlines()
    assert lines[0] == "最新决定："
    assert "moved to Sunday the 22nd" in lines[1]
    assert "我家" not in lines[1]
