"""The playground as a new user meets it: `hearth run` with no token, typing in a terminal."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from adapters.model import Chat, ChatKind, OutgoingReply, Platform
from adapters.playground import parse_line
from adapters.playground.playground_adapter import PlaygroundAdapter, terminal_language
from bots.app import Hearth
from bots.playground import run_playground
from bots.settings import HearthSettings


@pytest.fixture(autouse=True)
def english_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """The playground's own lines follow the terminal; these tests read them in English."""
    monkeypatch.setenv("HEARTH_LANGUAGE", "en")


def test_parse_line_speakers_and_instructions() -> None:
    assert parse_line("alice: hi @bob").speaker == "alice"
    assert parse_line("alice: hi @bob").text == "hi @bob"
    assert parse_line("just text").speaker is None
    assert parse_line("/as Carol").switch_to == "carol"
    assert parse_line("/quit").quit
    assert parse_line("/twin on").text == "/twin on"
    assert parse_line("http://example.com: not a speaker").speaker is None


async def test_playground_demo_twin_answers(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    settings = HearthSettings(HEARTH_DATA_DIR=tmp_path)
    hearth = await Hearth.build(settings, embedder=embedder)
    lines = io.StringIO(
        "alice: @bob which trail do you recommend for beginners?\n"
        "carol: @wei 你对什么过敏？\n"
        "/as dave\n"
        "@bob hello?\n"
        "bob: /twin status\n"
    )
    out = io.StringIO()
    try:
        await run_playground(hearth, demo=True, input_stream=lines, output=out)
    finally:
        await hearth.close()
    text = out.getvalue()
    assert "Twin of Bob" in text and "Fern Creek" in text
    assert "Wei 的分身 · 自动回复" in text and "花生" in text  # a Chinese question, in Chinese
    assert "now typing as dave" in text
    assert "Your twin is on in this chat" in text


async def test_playground_demo_answers_questions_to_hearth(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    settings = HearthSettings(HEARTH_DATA_DIR=tmp_path)
    hearth = await Hearth.build(settings, embedder=embedder)
    lines = io.StringIO(
        "bob: @hearth what did we decide about friday dinner?\n"
        "mei: @hearth 有人养过乌龟吗？\n"
        "dan: @hearth what can you do?\n"
    )
    out = io.StringIO()
    try:
        await run_playground(hearth, demo=True, input_stream=lines, output=out)
    finally:
        await hearth.close()
    dinner, turtle, help_ = out.getvalue().split(" ▸ @hearth ")[1:]
    assert "Latest decision:" in dinner and "Chengdu Taste" in dinner
    assert "Hearth ▸ 我不知道" in turtle
    assert "who here knows" in help_


async def test_playground_prints_buttons_as_commands_to_type(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    settings = HearthSettings(HEARTH_DATA_DIR=tmp_path)
    hearth = await Hearth.build(settings, embedder=embedder)
    lines = io.StringIO("alice: /settings\nalice: /settings twins off\nalice: /settings\n")
    out = io.StringIO()
    try:
        await run_playground(hearth, demo=False, input_stream=lines, output=out)
    finally:
        await hearth.close()
    first, second = out.getvalue().split("alice ▸ /settings\n")[1:]
    assert "  Hearth ▸ Twins in this chat: on." in first
    assert "\n    [Twins off] /settings twins off\n" in first
    assert "\n    [Digest weekly Mon 18:00] /digest weekly mon 18:00\n" in first
    assert "\n    [Digest status] /digest status\n" in first
    assert "Saved. Twins in this chat: off." in first  # the printed line, typed, works
    assert "\n    [Twins on] /settings twins on\n" in second
    assert "[Twins off]" not in second


def test_hearth_run_without_token_starts_the_playground(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))}
    env["HEARTH_DATA_DIR"] = str(tmp_path)
    env["HEARTH_LANGUAGE"] = "en"
    result = subprocess.run(
        [str(Path(sys.executable).parent / "hearth"), "run"],
        input="alice: @bob any tips for sourdough hydration?\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Hearth playground" in result.stdout
    assert "Twin of Bob" in result.stdout
    assert "75% hydration" in result.stdout
    assert (tmp_path / "playground" / "hearth.db").exists()


def test_hearth_digest_from_a_messages_file(tmp_path: Path) -> None:
    messages = [
        {
            "chat_id": "c1",
            "message_id": i,
            "sender_id": f"u{i % 2}",
            "sender_name": ["Ann", "Ben"][i % 2],
            "timestamp": f"2026-03-01T10:{i:02d}:00",
            "text": text,
        }
        for i, text in enumerate(
            [
                "Shall we hike Fern Creek on Saturday?",
                "Yes, Fern Creek hike on Saturday works",
                "We decided: Fern Creek hike, meet at 8am",
                "Bring water for the hike",
                "Who knows a good sourdough recipe?",
                "https://example.org/trail-map for the hike",
            ]
        )
    ]
    source = tmp_path / "messages.json"
    source.write_text(json.dumps(messages), encoding="utf-8")
    hearth = str(Path(sys.executable).parent / "hearth")
    result = subprocess.run(
        [hearth, "digest", "--from", str(source), "--fast"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "digest" in result.stdout.lower() and "Fern Creek" in result.stdout
    assert "https://example.org/trail-map" in result.stdout
    missing = subprocess.run(
        [hearth, "digest", "--from", str(tmp_path / "nope.json")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert missing.returncode == 2 and "no such file" in missing.stderr


async def test_playground_demo_digest_and_introductions(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    settings = HearthSettings(HEARTH_DATA_DIR=tmp_path)
    hearth = await Hearth.build(settings, embedder=embedder)
    out = io.StringIO()
    lines = io.StringIO("alice: /digest now\nalice: /intros now\n")
    try:
        await run_playground(hearth, demo=True, input_stream=lines, output=out)
    finally:
        await hearth.close()
    digest, intros = out.getvalue().split("alice ▸ /digest now\n")[1].split("alice ▸ /intros now")
    # Carol (portraits, in English) and Mei (人像, in Chinese) never talked to each other
    assert "👋 Meet Carol and Mei!" in intros
    why = intros.split("👋 Meet Carol and Mei!")[1].splitlines()[1]
    assert why.startswith("    Why: ") and "Carol: “" in why and "Mei: “" in why
    assert any(word in why for word in ("portraits", "photo")) and any(
        word in why for word in ("人像", "摄影")
    )
    # Wei and Dan both play basketball; Alice and Dan share nothing worth a meeting
    meet = next(line for line in intros.splitlines() if "Meet" in line and "Dan" in line)
    assert "Wei" in meet and "Alice" not in meet
    why = intros.split(meet)[1].splitlines()[1]
    assert "basketball" in why and "篮球" in why
    assert "Quiet day" not in digest
    topics = digest.split("🧵 Main topics")[1].split("✅ Decisions")[0]
    assert topics.count(". ") >= 3 and "Chengdu Taste" in topics
    decisions = digest.split("✅ Decisions")[1].split("❓")[0]
    assert "Alice: “Friday dinner: let's go with Chengdu Taste" in decisions
    assert "Dan: “Does anyone know a good physio for runners?”" in digest
    assert "👋 New members\n    • Mei: “大家好，我是美玲" in digest


def test_the_terminal_language_comes_from_hearth_language_then_lang(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("HEARTH_LANGUAGE")
    for lang, expected in (("zh_CN.UTF-8", "zh"), ("en_GB.UTF-8", "en"), ("C.UTF-8", "en")):
        monkeypatch.setenv("LANG", lang)
        assert terminal_language() == expected
    monkeypatch.setenv("HEARTH_LANGUAGE", "zh")
    assert terminal_language() == "zh"


async def test_the_playground_speaks_chinese_in_a_chinese_terminal(  # type: ignore[no-untyped-def]
    tmp_path: Path, embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HEARTH_LANGUAGE", "zh")
    hearth = await Hearth.build(HearthSettings(HEARTH_DATA_DIR=tmp_path), embedder=embedder)
    out = io.StringIO()
    try:
        await run_playground(hearth, demo=False, input_stream=io.StringIO("/as dave\n"), output=out)
    finally:
        await hearth.close()
    text = out.getvalue()
    assert text.startswith("Hearth 体验场：在本机运行的演示群，不需要 Telegram。")
    assert "（现在以 dave 的身份输入）" in text
    assert "Hearth playground" not in text


async def test_an_edited_reply_is_printed_again_marked_as_an_edit() -> None:
    output = io.StringIO()
    adapter = PlaygroundAdapter(io.StringIO(), output, language="en")
    chat = Chat(Platform.PLAYGROUND, "playground", ChatKind.GROUP)
    sent = await adapter.send(OutgoingReply(chat, "Reading… 10%"))
    assert sent.platform_message_id is not None

    assert await adapter.edit(chat, sent.platform_message_id, "Read it all\nin one go")

    assert output.getvalue().splitlines() == [
        "  Hearth ▸ Reading… 10%",
        f"  Hearth ▸ (edited its message {sent.platform_message_id}) Read it all",
        "    in one go",
    ]
