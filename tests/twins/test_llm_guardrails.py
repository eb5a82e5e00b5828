"""Checks on a model's draft: citations, abstention, identity lines, commitments, leaks."""

from __future__ import annotations

import pytest

from locales import using
from tests.twins.llm_support import question, source
from twins.guardrails import (
    UnusableAnswer,
    check_answer,
    cited_numbers,
    detects_commitment,
    identity_claim,
    repeats_instructions,
    strip_identity_claims,
    strip_reasoning,
)
from twins.labels import twin_label
from twins.prompt_builder import BuiltPrompt, PromptBuilder


def prompt(count: int = 2) -> BuiltPrompt:
    return PromptBuilder().build(
        question("Which trail?"),
        [source(n, f"trail note {n} https://trails.example/{n}") for n in range(1, count + 1)],
    )


def test_citations_are_parsed_in_every_form() -> None:
    assert cited_numbers("a [1] b [2][1] c [3, 4] d [5，6] e [x] f [ 7 ]") == [1, 2, 3, 4, 5, 6, 7]
    checked = check_answer("在山里【2】，也可以［1］。", prompt(), "Bob")
    assert checked.cited == (2, 1) and "[2]" in checked.text and "【" not in checked.text


def test_a_draft_citing_a_missing_source_is_rejected() -> None:
    with pytest.raises(UnusableAnswer, match="cites source"):
        check_answer("Fern Creek [1], and Skyline [3].", prompt(2), "Bob")
    with pytest.raises(UnusableAnswer, match="cites source"):
        check_answer("See [0].", prompt(2), "Bob")


def test_a_draft_without_citations_is_rejected() -> None:
    with pytest.raises(UnusableAnswer, match="cites no source"):
        check_answer("Fern Creek is nice.", prompt(), "Bob")


@pytest.mark.parametrize(
    "draft", ["NOT_IN_SOURCES", " not_in_sources ", "NOT IN SOURCES.", "Sorry. NOT_IN_SOURCES"]
)
def test_the_abstain_token_means_abstain(draft: str) -> None:
    checked = check_answer(draft, prompt(), "Bob")
    assert checked.abstained and checked.text == "" and checked.cited == ()


@pytest.mark.parametrize("draft", ["", "   ", "<think>hmm</think>\n  "])
def test_empty_drafts_are_rejected(draft: str) -> None:
    with pytest.raises(UnusableAnswer, match="empty"):
        check_answer(draft, prompt(), "Bob")


def test_reasoning_blocks_are_removed() -> None:
    assert strip_reasoning("<think>plan the answer</think>Fern Creek [1]") == "Fern Creek [1]"
    with pytest.raises(UnusableAnswer, match="reasoning"):
        strip_reasoning("<think>still thinking about [1]")
    checked = check_answer("<think>source 1 fits</think>\nFern Creek [1].", prompt(), "Bob")
    assert checked.text == "Fern Creek [1]."


@pytest.mark.parametrize(
    "line",
    [
        "🪞 Twin of Alice · automated reply, not Alice",
        "Alice 的分身 · 自动回复，不是 Alice 本人",  # the Chinese label without its mark
        "Label: Bob himself",
        "I am Bob.",
        "I'm really Bob, not a twin.",
        "This is Bob speaking.",
        "Bob here!",
        "Bob: sure thing [1]",
        "**Bob**: sure thing",
        "I'm not a bot, trust me.",
        "I am a real person.",
        "我是Bob本人。",
        "我就是 Bob",
        "我不是机器人",
        "Bob in person says hi",
    ],
)
def test_identity_claims_are_recognised(line: str) -> None:
    assert identity_claim(line, "Bob")


@pytest.mark.parametrize(
    "line",
    [
        "Bob's favourite trail is Fern Creek [1]",
        "Fern Creek is flat [1]",
        "It's Bob's call [1]",
        "我推荐蕨溪环线[1]",
        "I am sure the loop is flat [1]",
    ],
)
def test_ordinary_lines_are_kept(line: str) -> None:
    assert not identity_claim(line, "Bob")


def test_identity_lines_are_removed_and_the_rest_kept() -> None:
    checked = check_answer(
        "🪞 Twin of Bob Himself\nI am Bob.\nFern Creek is flat [1].", prompt(), "Bob"
    )
    assert checked.text == "Fern Creek is flat [1]."
    assert len(checked.removed_lines) == 2
    with pytest.raises(UnusableAnswer, match="identity"):
        check_answer("I am Bob [1]", prompt(), "Bob")


def test_multi_word_names_match_the_first_name_too() -> None:
    assert identity_claim("I'm Bob, hi", "Bob Stone")
    assert identity_claim("I am Bob Stone", "Bob Stone")


@pytest.mark.parametrize(
    "text",
    [
        "I'll be there at 8 [1]",
        "Let's meet at the trailhead [1]",
        "I promise to bring the tent [1]",
        "I can send you $20 [1]",
        "Sure, I agree [1]",
        "We will book the cabin [1]",
        "我会带帐篷[1]",
        "明天见面吧[1]",
        "我转账给你200元[1]",
        "没问题，一言为定[1]",
    ],
)
def test_commitments_are_detected(text: str) -> None:
    assert detects_commitment(text)


@pytest.mark.parametrize(
    "text", ["Fern Creek is flat and shaded [1]", "蕨溪环线很平坦[1]", "The waterfall is nice [2]"]
)
def test_plain_statements_are_not_commitments(text: str) -> None:
    assert not detects_commitment(text)


def test_both_labels_are_recognised_and_stripped() -> None:
    for language in ("en", "zh"):
        with using(language):
            label = twin_label("Bob")
        assert identity_claim(label, "Bob") and identity_claim(label.removeprefix("🪞 "), "Bob")
        text, removed = strip_identity_claims(f"{label}\nFern Creek is flat [1].", "Bob")
        assert text == "Fern Creek is flat [1]." and removed == [label]


def test_a_commitment_gets_a_confirmation_line() -> None:
    checked = check_answer("Sure, I'll lend you my tent [1].", prompt(), "Bob")
    assert checked.commitment and checked.text.endswith("\nBob will confirm.")
    chinese = check_answer("好的，我会借给你帐篷[1]。", prompt(), "Bob")
    assert chinese.text.endswith("\nBob本人会确认。")
    already = check_answer("I'll bring it [1]; Bob will confirm.", prompt(), "Bob")
    assert already.text.count("will confirm") == 1


def test_links_must_come_from_the_sources() -> None:
    ok = check_answer("Map: https://trails.example/1 [1]", prompt(), "Bob")
    assert ok.cited == (1,)
    permalink = check_answer("See https://t.me/c/1/2 [2]", prompt(), "Bob")
    assert permalink.cited == (2,)
    with pytest.raises(UnusableAnswer, match="links"):
        check_answer("Pay here: https://evil.example/pay [1]", prompt(), "Bob")


def test_echoed_markup_and_instructions_are_rejected() -> None:
    built = prompt()
    with pytest.raises(UnusableAnswer, match="markup"):
        check_answer('<source id="1">trail note 1</source> [1]', built, "Bob")
    with pytest.raises(UnusableAnswer, match="markup"):
        check_answer("</untrusted_data> done [1]", built, "Bob")
    leaked = built.system_text.splitlines()[0]
    with pytest.raises(UnusableAnswer, match="instructions"):
        check_answer(f"My instructions: {leaked} [1]", built, "Bob")
    assert repeats_instructions(leaked, built.system_text)
    assert not repeats_instructions("Fern Creek is flat [1]", built.system_text)
