"""The chat model behind the LLM-backed twin, chosen by configuration.

``LLM_PROVIDER=openai`` talks to any OpenAI-compatible chat endpoint (OpenAI,
DeepSeek, Qwen/DashScope, Moonshot/Kimi, vLLM, llama.cpp servers, Ollama's
``/v1``); ``LLM_PROVIDER=ollama`` talks to Ollama's own API. ``none`` (the
default) means no chat model: twins answer by retrieval alone. Building a model
never touches the network.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import SecretStr

if TYPE_CHECKING:
    from langchain_core.language_models.chat_models import BaseChatModel

    from bots.settings import HearthSettings

PLACEHOLDER_API_KEY = "not-needed"
"""Sent to local OpenAI-compatible servers that check no key (the client insists on one)."""

OPENAI_MAX_RETRIES = 1
"""Retries of a failed request; the twin's own timeout bounds the total time anyway."""


class ChatModelConfigError(ValueError):
    """The ``LLM_*`` settings do not describe a usable chat model."""


def build_chat_model(settings: HearthSettings) -> BaseChatModel | None:
    """The chat model the settings ask for, or ``None`` for retrieval-only twins.

    Raises :class:`ChatModelConfigError` when a provider is chosen without what
    it needs (a model name; an API key for api.openai.com).
    """
    provider = settings.llm_provider
    if provider == "none":
        return None
    if not settings.llm_model:
        raise ChatModelConfigError(f"LLM_PROVIDER={provider} needs LLM_MODEL (the model name)")
    if provider == "openai":
        return _openai_compatible(settings, settings.llm_model)
    if provider == "ollama":
        return _ollama(settings, settings.llm_model)
    raise ChatModelConfigError(f"unknown LLM_PROVIDER {provider!r}: use none, openai or ollama")


def _openai_compatible(settings: HearthSettings, model: str) -> BaseChatModel:
    from langchain_openai import ChatOpenAI  # noqa: PLC0415 - load only the chosen provider

    api_key = settings.llm_api_key
    if api_key is None:
        if settings.llm_base_url is None:
            raise ChatModelConfigError(
                "LLM_PROVIDER=openai without LLM_BASE_URL uses api.openai.com and needs LLM_API_KEY"
            )
        api_key = SecretStr(PLACEHOLDER_API_KEY)
    options: dict[str, Any] = {
        "model": model,
        "base_url": settings.llm_base_url,
        "api_key": api_key,
        "timeout": settings.llm_timeout_seconds,
        "max_retries": OPENAI_MAX_RETRIES,
        "max_tokens": settings.llm_max_output_tokens,
    }
    if settings.llm_temperature is not None:
        options["temperature"] = settings.llm_temperature
    return ChatOpenAI(**options)


def _ollama(settings: HearthSettings, model: str) -> BaseChatModel:
    from langchain_ollama import ChatOllama  # noqa: PLC0415 - load only the chosen provider

    client: dict[str, Any] = {"timeout": settings.llm_timeout_seconds}
    if settings.llm_api_key is not None:
        # Ollama itself checks no key; a proxy in front of it may.
        secret = settings.llm_api_key.get_secret_value()
        client["headers"] = {"Authorization": f"Bearer {secret}"}
    options: dict[str, Any] = {
        "model": model,
        "base_url": settings.llm_base_url,
        "num_predict": settings.llm_max_output_tokens,
        "client_kwargs": client,
    }
    if settings.llm_temperature is not None:
        options["temperature"] = settings.llm_temperature
    return ChatOllama(**options)


def chat_model_name(model: BaseChatModel) -> str:
    """A short name for logs and answers: the model's name, else its class name."""
    for attribute in ("model_name", "model"):
        value = getattr(model, attribute, None)
        if isinstance(value, str) and value:
            return value
    return type(model).__name__
