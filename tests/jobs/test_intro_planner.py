"""A whole round of introductions from a chat's messages: who meets, who never does, and why."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import numpy as np

from jobs.intro_matcher import InterestProfiles, IntroOptions, match_members
from jobs.intro_planner import (
    ChatMessage,
    addressing_names,
    count_interactions,
    model_chat,
    plan_introductions,
    with_word_vectors,
)
from jobs.languages import Language
from jobs.shared_terms import bridged_words
from jobs.vector_math import unit_rows
from locales import using
from tests.jobs.intro_chat import (
    ANA,
    BO,
    CY,
    DEE,
    ENGLISH,
    EVE,
    GARDENING,
    NAMES,
    TALK,
    WEI,
    chat,
)


def groups_of(plan) -> set[frozenset[int]]:  # type: ignore[no-untyped-def]
    return {frozenset(intro.group.member_ids) for intro in plan.intros}


def test_a_hobby_shared_across_languages_makes_an_introduction() -> None:
    messages, vectors = chat()
    plan = plan_introductions(messages, vectors, NAMES)
    assert groups_of(plan) == {frozenset({ANA, WEI}), frozenset({BO, EVE})}
    # Cy (cooking) and Dee (gardening) share nothing: they are not introduced to each other
    assert set(plan.unmatched) == {CY, DEE}
    assert plan.language is Language.CHINESE


def test_mean_profiles_keep_the_language_apart() -> None:
    """What the old profiles did: one mean vector per member puts Ana nearest the English writer."""
    messages, vectors = chat()
    members = sorted(NAMES)
    means = unit_rows(
        np.stack([vectors[[m.member_id == member for m in messages]].mean(0) for member in members])
    )
    round_ = match_members(
        InterestProfiles(np.asarray(members), means), centre_on=unit_rows(vectors).mean(0)
    )
    assert frozenset({ANA, WEI}) not in {frozenset(g.member_ids) for g in round_.groups}


def test_the_why_line_names_the_interest_and_quotes_each_member_on_it() -> None:
    messages, vectors = chat()
    with using("zh"):  # the bot writes a round in the chat's reply language
        plan = plan_introductions(messages, vectors, NAMES)
    plain = next(i for i in plan.intros if set(i.group.member_ids) == {ANA, WEI})
    # without word vectors, the dictionary still matches an English and a Chinese word
    chinese, english = plain.reason.interest
    assert plain.reason.line.startswith(f"为什么：你们都在聊{chinese} / {english} —— ")
    assert bridged_words([chinese], [english])
    words = plan.naming_words()
    assert "跑步" in words and "running" in words
    basis = np.eye(len(words) + 1, dtype=np.float32)
    word_vectors = {word: basis[i] for i, word in enumerate(words)}
    word_vectors["running"] = unit_rows(basis[words.index("跑步")] + basis[-1])[0]
    with using("zh"):
        plan = with_word_vectors(plan, NAMES, word_vectors)
    intro = next(i for i in plan.intros if set(i.group.member_ids) == {ANA, WEI})
    line = intro.reason.line
    assert line.startswith("为什么：你们都在聊跑步 / running —— ")
    assert intro.text == f"👋 认识一下：Ana和王伟！\n{line}"
    running = {text for member in (ANA, WEI) for _, text in TALK[member][:3]}
    assert len(intro.reason.quotes) == 2
    for quote in intro.reason.quotes:
        assert quote.text in running  # on the shared interest, never small talk
        assert f"（{quote.permalink}）" in line
    assert "Ana：“" in line and "王伟：“" in line  # every quote is attributed
    chess = next(i for i in plan.intros if set(i.group.member_ids) == {BO, EVE})
    assert chess.reason.line.startswith("为什么：你们都在聊国际象棋")


def test_an_english_chat_says_why_in_english() -> None:
    messages, vectors = chat()
    plan = plan_introductions(messages, vectors, NAMES, language=Language.ENGLISH)
    words = plan.naming_words()
    basis = np.eye(len(words) + 1, dtype=np.float32)
    word_vectors = {word: basis[i] for i, word in enumerate(words)}
    word_vectors["running"] = unit_rows(basis[words.index("跑步")] + basis[-1])[0]
    plan = with_word_vectors(plan, NAMES, word_vectors)
    intro = next(i for i in plan.intros if set(i.group.member_ids) == {ANA, WEI})
    assert intro.reason.line.startswith("Why: you both talk about running / 跑步 — Ana: “")
    assert intro.text.startswith("👋 Meet Ana and 王伟!\nWhy:")


def test_pairs_who_already_talk_are_blocked_or_met_recently_are_not_introduced() -> None:
    messages, vectors = chat()
    ana_says = [m for m in messages if m.member_id == ANA]
    talking = list(messages)
    for n, said in enumerate(ana_says[:3]):
        talking.append(
            ChatMessage(1000 + n, WEI, "对", reply_to=said.message_id, sent_at=said.sent_at)
        )
    talking_vectors = np.vstack([vectors, vectors[:3]])
    assert frozenset({ANA, WEI}) not in groups_of(
        plan_introductions(talking, talking_vectors, NAMES)
    )
    assert frozenset({ANA, WEI}) not in groups_of(
        plan_introductions(messages, vectors, NAMES, blocked={WEI: {ANA}})
    )
    assert frozenset({ANA, WEI}) not in groups_of(
        plan_introductions(messages, vectors, NAMES, past_rounds=[[[ANA, WEI]]])
    )
    assert groups_of(plan_introductions(messages, vectors, NAMES, snoozed={BO})) == {
        frozenset({ANA, WEI})
    }


def test_profiles_are_one_vector_per_member_from_substantive_messages() -> None:
    messages, vectors = chat()
    plan = plan_introductions(messages, vectors, NAMES)
    assert plan.profiles.member_ids.tolist() == sorted(NAMES)
    assert plan.profiles.vectors.dtype == np.float32
    said = [
        i for i, m in enumerate(messages) if m.member_id == ANA and m.text != "Thanks everyone!"
    ]
    expected = unit_rows(vectors[said].mean(axis=0))[0]
    assert np.allclose(plan.profiles.vectors[0], expected, atol=1e-5)
    assert "跑步" in plan.keywords[WEI]


def test_members_with_few_messages_or_outside_the_round_are_left_out() -> None:
    messages, vectors = chat()
    plan = plan_introductions(messages, vectors, NAMES, participants={ANA, WEI, CY})
    assert groups_of(plan) == {frozenset({ANA, WEI})}
    assert plan.unmatched == (CY,)
    few = [m for m in messages if m.member_id != EVE or m.message_id < 10]
    few_vectors = vectors[[m.message_id - 1 for m in few]]
    assert EVE not in plan_introductions(few, few_vectors, NAMES).profiles.member_ids.tolist()


def test_interactions_count_replies_handles_and_names() -> None:
    messages = [
        ChatMessage(1, 1, "周末谁去爬山"),
        ChatMessage(2, 2, "我去", reply_to=1),
        ChatMessage(3, 3, "@ana see you there"),
        ChatMessage(4, 3, "王伟你带水吗"),
        ChatMessage(5, 1, "Thanks Bob, and thanks bobcat"),
        ChatMessage(6, 2, "hi", mentions=(3,)),
    ]
    counts = count_interactions(
        messages, handles={"ana": 1}, aliases={"王伟": 2, "Bob": 3, "Ana": 1}
    )
    assert counts == {(1, 2): 1, (1, 3): 2, (2, 3): 2}


def test_an_empty_chat_plans_nothing() -> None:
    plan = plan_introductions([], np.zeros((0, 8), dtype=np.float32), NAMES)
    assert plan.intros == () and len(plan.profiles) == 0
    one = [replace(m, member_id=ANA) for m in chat()[0][:4]]
    assert plan_introductions(one, chat()[1][:4], NAMES).intros == ()


def test_a_member_with_two_different_interests_meets_a_partner_for_each() -> None:
    messages, vectors = chat()
    rng = np.random.default_rng(5)
    gardening = [
        "Our balcony tomatoes finally ripened, watering them every morning",
        "Moved the roses into bigger pots, the new roots are growing fast",
        "Started a compost bin for kitchen scraps, fed the succulents with it",
    ]
    later = max(m.sent_at for m in messages if m.sent_at)
    more = list(messages)
    for day, text in enumerate(gardening):
        more.append(
            ChatMessage(len(more) + 1, ANA, text, sent_at=later + timedelta(days=3 * day + 2))
        )
    vector = np.zeros(vectors.shape[1])
    vector[ENGLISH], vector[GARDENING] = 2.0, 1.0
    extra = unit_rows(vector + 0.05 * rng.standard_normal((len(gardening), vectors.shape[1])))
    all_vectors = np.vstack([vectors, extra])
    plan = plan_introductions(more, all_vectors, NAMES)
    met = {intro.group.member_ids for intro in plan.intros if ANA in intro.group.member_ids}
    assert met == {(ANA, WEI), (ANA, DEE)}  # running with Wei, gardening with Dee
    assert (BO, EVE) in {intro.group.member_ids for intro in plan.intros}
    once = plan_introductions(
        more, all_vectors, NAMES, options=replace(IntroOptions(), max_intros_per_member=1)
    )
    assert sum(ANA in intro.group.member_ids for intro in once.intros) == 1


def test_members_are_called_by_first_names_and_chinese_forms_of_address() -> None:
    names = {1: "Tomás Rivera", 2: "林慧", 3: "周明远", 4: "林晓", 5: "Tom Lee", 6: "Tom Wu"}
    called = addressing_names(names, handles={"tommy": 5})
    assert called["Tomás"] == 1 and called["Tomás Rivera"] == 1
    assert called["老周"] == 3 and called["周姐"] == 3 and called["林慧"] == 2
    assert "林阿姨" not in called and "小林" not in called  # two members are called 林
    assert "Tom" not in called and called["tommy"] == 5  # two members are called Tom


def test_a_message_naming_the_partner_is_no_evidence_of_what_they_share() -> None:
    messages, vectors = chat()
    plain = model_chat(messages, vectors, names=NAMES.values(), addressing=addressing_names(NAMES))
    # every running message of Ana is addressed to Wei by name: an exchange, not a shared
    # interest found for them
    addressed = [
        replace(m, text=f"{m.text}, {NAMES[WEI]}")
        if m.member_id == ANA and "running" in m.text.lower()
        else m
        for m in messages
    ]
    named = model_chat(addressed, vectors, names=NAMES.values(), addressing=addressing_names(NAMES))
    before, after = plain.pair_score(ANA, WEI), named.pair_score(ANA, WEI)
    assert before is not None and before > (plain.pair_score(BO, EVE) or 0.0)
    assert after is None or after < (named.pair_score(BO, EVE) or 0.0)
    shown = [
        named.messages[int(named.interest_rows[row])].text for row in named.evidence_rows(ANA, WEI)
    ]
    assert not any("running" in text for text in shown)
