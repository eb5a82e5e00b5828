"""The LLM-backed twin: answers with cited sources, abstains, and falls back to quotes."""

from __future__ import annotations

import logging
import time

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel
from langchain_core.messages import HumanMessage, SystemMessage
from langchain_ollama import ChatOllama
from langchain_openai import ChatOpenAI
from pydantic import SecretStr

from bots.settings import HearthSettings
from locales import using
from memory.hash_embedder import HashEmbedder
from tests.twins.llm_support import ListMemory, ScriptedChatModel, hit, question, retrieval
from twins.chat_models import ChatModelConfigError, build_chat_model, chat_model_name
from twins.labels import twin_label
from twins.llm_twin import LLMTwin, twin_from_settings
from twins.prompt_builder import PromptBuilder
from twins.retrieval_twin import RetrievalTwin

HITS = [
    hit(3, "For beginners I always recommend the Fern Creek loop: 6 km, flat.", days_ago=2),
    hit(4, "Skyline Ridge is 14 km and steep, not for beginners.", days_ago=3),
]


def settings(**env: str) -> HearthSettings:
    return HearthSettings.model_validate(env)


async def test_answer_cites_sources_and_lists_them() -> None:
    model = ScriptedChatModel(replies=["Go for the Fern Creek loop, it's flat [1]."])
    twin = LLMTwin(retrieval(HITS), model)
    answer = await twin.answer(question("Which trail for beginners?"))
    assert answer.label == twin_label("Bob") and not answer.abstained
    assert answer.text == (
        "Go for the Fern Creek loop, it's flat [1].\n\nSources:\n[1] 2026-04-29 https://t.me/c/1/3"
    )
    assert [s.message_id for s in answer.sources] == [3]
    assert answer.model == "scripted-model" and answer.prompt_tokens
    system, human = model.prompts[0]
    assert isinstance(system, SystemMessage) and isinstance(human, HumanMessage)
    assert "Fern Creek" in human.text and "Skyline Ridge" in human.text


async def test_only_cited_sources_are_listed_with_their_numbers() -> None:
    model = ScriptedChatModel(replies=["Skyline is steep [2]; start with Fern Creek [1]."])
    answer = await LLMTwin(retrieval(HITS), model).answer(question("Which trail?"))
    assert answer.text.endswith(
        "Sources:\n[2] 2026-04-28 https://t.me/c/1/4\n[1] 2026-04-29 https://t.me/c/1/3"
    )
    assert [s.message_id for s in answer.sources] == [4, 3]


async def test_chinese_question_gets_chinese_framing() -> None:
    model = ScriptedChatModel(replies=["推荐蕨溪环线，很平坦[1]。"])
    with using("zh"):
        answer = await LLMTwin(retrieval(HITS), model).answer(question("新手走哪条路线？"))
    assert "\n\n来源：\n[1] 2026-04-29" in answer.text
    assert answer.label == "🪞 Bob 的分身 · 自动回复，不是 Bob 本人"
    assert "Reply in Simplified Chinese" in str(model.prompts[0][0].content)


async def test_no_sources_means_i_dont_know_without_calling_the_model() -> None:
    model = ScriptedChatModel()
    twin = LLMTwin(retrieval([hit(1, "alice's secret", member_id=2)]), model)
    answer = await twin.answer(question("What is the door code?"))
    assert answer.abstained and answer.text == "I don't know — Bob can answer when back."
    assert model.prompts == [] and answer.sources == ()
    with using("zh"):
        chinese = await twin.answer(question("门禁密码是多少？"))
    assert chinese.text == "我不知道——Bob 回来后可以回答。"
    assert chinese.label.startswith("🪞 Bob 的分身")


async def test_the_abstain_token_becomes_i_dont_know() -> None:
    model = FakeListChatModel(responses=["NOT_IN_SOURCES"])
    answer = await LLMTwin(retrieval(HITS), model).answer(question("What's your salary?"))
    assert answer.abstained and answer.text == "I don't know — Bob can answer when back."
    assert answer.model == "FakeListChatModel" and answer.sources == ()


async def test_an_empty_question_is_left_to_the_retrieval_twin() -> None:
    model = ScriptedChatModel()
    answer = await LLMTwin(retrieval(HITS), model).answer(question("  "))
    assert answer.abstained and "Mention Bob with a question" in answer.text
    assert model.prompts == []


async def test_a_slow_model_falls_back_to_quotes(caplog: pytest.LogCaptureFixture) -> None:
    model = ScriptedChatModel(replies=["too late [1]"], delay=10)
    twin = LLMTwin(retrieval(HITS), model, timeout_seconds=0.05)
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="twins.llm_twin"):
        answer = await twin.answer(question("Which trail for beginners?"))
    assert time.monotonic() - started < 2
    assert answer.model is None and "What Bob said here that may help" in answer.text
    assert "Fern Creek" in answer.text and "too late" not in answer.text
    assert "no answer within 0.05 s" in caplog.text


async def test_a_failing_model_falls_back_to_quotes(caplog: pytest.LogCaptureFixture) -> None:
    model = ScriptedChatModel(error=ConnectionError("connection refused"))
    with caplog.at_level(logging.WARNING, logger="twins.llm_twin"):
        answer = await LLMTwin(retrieval(HITS), model).answer(question("Which trail?"))
    assert answer.model is None and "Fern Creek" in answer.text and answer.sources
    assert "ConnectionError: connection refused" in caplog.text


class CountingMemory(ListMemory):
    """Counts searches, to see how often the twin looks through memory."""

    searches = 0

    async def search(self, vector, scope, limit):  # type: ignore[no-untyped-def]
        self.searches += 1
        return await super().search(vector, scope, limit)


async def test_a_fallback_quotes_the_sources_already_found() -> None:
    memory = CountingMemory(HITS)
    twin = RetrievalTwin(HashEmbedder(64), memory, min_confidence=1e-9, min_quote_confidence=1e-9)
    model = ScriptedChatModel(error=ConnectionError("connection refused"))
    answer = await LLMTwin(twin, model).answer(question("Which trail?"))
    assert "Fern Creek" in answer.text and answer.model is None
    assert memory.searches == 1  # one retrieval, not a second one for the quotes


async def test_an_unusable_draft_falls_back_to_quotes(caplog: pytest.LogCaptureFixture) -> None:
    model = ScriptedChatModel(replies=["Fern Creek [5]"])
    with caplog.at_level(logging.WARNING, logger="twins.llm_twin"):
        answer = await LLMTwin(retrieval(HITS), model).answer(question("Which trail?"))
    assert answer.model is None and "What Bob said here" in answer.text
    assert "cites source(s) [5] of 2" in caplog.text


async def test_persona_reaches_the_prompt_as_data() -> None:
    model = ScriptedChatModel(replies=["Fern Creek [1]"])

    async def lookup(asked: object) -> str | None:
        return "Dry humour, short sentences."

    twin = LLMTwin(retrieval(HITS), model, persona_lookup=lookup)
    await twin.answer(question("Which trail?"))
    await twin.answer(question("Which trail?"), persona="Cheerful, uses emoji.")
    first, second = (prompt[1].text for prompt in model.prompts)
    assert "<persona>\nDry humour, short sentences.\n</persona>" in first
    assert "Cheerful, uses emoji." in second and "Dry humour" not in second
    assert all("Dry humour" not in prompt[0].text for prompt in model.prompts)


async def test_a_failing_persona_lookup_is_not_fatal(caplog: pytest.LogCaptureFixture) -> None:
    model = ScriptedChatModel(replies=["Fern Creek [1]"])

    async def broken(asked: object) -> str | None:
        raise RuntimeError("profile store down")

    with caplog.at_level(logging.WARNING, logger="twins.llm_twin"):
        answer = await LLMTwin(retrieval(HITS), model, persona_lookup=broken).answer(
            question("Which trail?")
        )
    assert answer.model == "scripted-model" and "persona lookup failed" in caplog.text


async def test_the_prompt_budget_is_respected() -> None:
    hits = [hit(n, f"Note {n}: " + "gear and trail tips " * 60) for n in range(1, 6)]
    model = ScriptedChatModel(replies=["Bring water [1]"])
    twin = LLMTwin(retrieval(hits, max_quotes=5), model, prompt_builder=PromptBuilder(800))
    answer = await twin.answer(question("What gear?"))
    assert answer.prompt_tokens is not None and answer.prompt_tokens <= 800
    assert model.prompts[0][1].text.count("<source ") < 5


def test_build_chat_model_follows_the_settings() -> None:
    assert build_chat_model(settings()) is None
    assert build_chat_model(settings(LLM_PROVIDER=" None ")) is None
    openai = build_chat_model(
        settings(
            LLM_PROVIDER="OpenAI",
            LLM_BASE_URL="http://127.0.0.1:8080/v1",
            LLM_MODEL="qwen2.5:7b",
            LLM_TIMEOUT_SECONDS="12",
            LLM_MAX_OUTPUT_TOKENS="300",
            LLM_TEMPERATURE="0.2",
        )
    )
    assert isinstance(openai, ChatOpenAI)
    assert openai.openai_api_base == "http://127.0.0.1:8080/v1"
    assert openai.max_tokens == 300 and openai.request_timeout == 12 and openai.temperature == 0.2
    assert chat_model_name(openai) == "qwen2.5:7b"
    keyed = build_chat_model(
        settings(LLM_PROVIDER="openai", LLM_MODEL="deepseek-chat", LLM_API_KEY="sk-test")
    )
    assert isinstance(keyed, ChatOpenAI)
    assert isinstance(keyed.openai_api_key, SecretStr)
    assert keyed.openai_api_key.get_secret_value() == "sk-test"
    ollama = build_chat_model(
        settings(LLM_PROVIDER="ollama", LLM_MODEL="llama3.2", LLM_BASE_URL="http://ollama:11434")
    )
    assert isinstance(ollama, ChatOllama)
    assert ollama.base_url == "http://ollama:11434" and ollama.num_predict == 400


def test_incomplete_settings_are_refused() -> None:
    with pytest.raises(ChatModelConfigError, match="LLM_MODEL"):
        build_chat_model(settings(LLM_PROVIDER="openai", LLM_BASE_URL="http://x/v1"))
    with pytest.raises(ChatModelConfigError, match="LLM_API_KEY"):
        build_chat_model(settings(LLM_PROVIDER="openai", LLM_MODEL="gpt-4o-mini"))


def test_twin_from_settings() -> None:
    plain = retrieval(HITS)
    assert twin_from_settings(plain, settings()) is plain
    twin = twin_from_settings(
        plain,
        settings(
            LLM_PROVIDER="ollama",
            LLM_MODEL="qwen2.5:0.5b",
            TWIN_PROMPT_TOKEN_BUDGET="1500",
            LLM_TIMEOUT_SECONDS="5",
        ),
    )
    assert isinstance(twin, LLMTwin) and twin.model_name == "qwen2.5:0.5b"
    assert isinstance(plain, RetrievalTwin)
