"""The LLM-backed twin: writes an answer from the member's own messages, with citations.

Retrieval picks the member's messages (:meth:`RetrievalTwin.find_sources`); a
chat model writes a short answer from them inside a grounded prompt; the draft
is checked (:mod:`twins.guardrails`) and followed by a numbered list of the
sources it cites. Whenever the model fails, times out or writes something
unusable, the twin falls back to the retrieval-only answer, so a question is
never left unanswered.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Protocol

from locales import tr
from twins.answer import TwinAnswer, TwinQuestion, TwinSource
from twins.chat_models import build_chat_model, chat_model_name
from twins.guardrails import UnusableAnswer, check_answer
from twins.labels import twin_label
from twins.prompt_builder import PromptBuilder
from twins.retrieval_twin import RetrievalTwin

if TYPE_CHECKING:
    from langchain_core.language_models.chat_models import BaseChatModel

    from bots.settings import HearthSettings

log = logging.getLogger(__name__)

PersonaLookup = Callable[[TwinQuestion], Awaitable[str | None]]
"""Finds the persona note (tone, interests, languages) of the member a question is for."""


class Twin(Protocol):
    """What the app needs from a twin: an answer to a question."""

    async def answer(self, question: TwinQuestion) -> TwinAnswer:
        """Answer ``question`` for the absent member."""
        ...


def dont_know(question: TwinQuestion) -> str:
    """The reply when nothing the member said answers the question (current language)."""
    return tr("I don't know — {name} can answer when back.", name=question.member_name)


def with_source_list(answer: str, sources: Sequence[tuple[int, TwinSource]]) -> str:
    """``answer`` followed by a numbered list of its sources (date and link)."""
    lines = [answer, "", tr("Sources:")]
    for number, source in sources:
        where = f" {source.permalink}" if source.permalink else ""
        lines.append(f"[{number}] {source.sent_at.strftime('%Y-%m-%d')}{where}")
    return "\n".join(lines)


class LLMTwin:
    """Answers for an absent member with a chat model grounded in the member's messages.

    Same public shape as :class:`RetrievalTwin`. ``retrieval`` is used for its
    :meth:`~RetrievalTwin.find_sources` and as the fallback; ``persona_lookup``
    (optional) supplies a persona note when :meth:`answer` gets none.
    """

    def __init__(
        self,
        retrieval: RetrievalTwin,
        model: BaseChatModel,
        *,
        prompt_builder: PromptBuilder | None = None,
        timeout_seconds: float = 30.0,
        persona_lookup: PersonaLookup | None = None,
    ) -> None:
        if timeout_seconds <= 0:
            raise ValueError("timeout_seconds must be positive")
        self._retrieval = retrieval
        self._model = model
        self._builder = prompt_builder or PromptBuilder()
        self._timeout = timeout_seconds
        self._persona_lookup = persona_lookup
        self._model_name = chat_model_name(model)

    @property
    def model_name(self) -> str:
        """The chat model's name, as recorded in answers."""
        return self._model_name

    async def answer(self, question: TwinQuestion, *, persona: str | None = None) -> TwinAnswer:
        """Answer from the member's messages, citing them, or say the member will answer."""
        if not question.question.strip():
            return await self._retrieval.answer(question)
        sources = await self._retrieval.find_sources(question)
        label = twin_label(question.member_name)
        if not sources:
            return TwinAnswer(label=label, text=dont_know(question), abstained=True)
        if persona is None:
            persona = await self._persona(question)
        prompt = self._builder.build(question, sources, persona=persona)
        try:
            async with asyncio.timeout(self._timeout):
                reply = await self._model.ainvoke(list(prompt.messages))
        except TimeoutError:
            log.warning(
                "chat model %s gave no answer within %g s for member %s; quoting instead",
                self._model_name,
                self._timeout,
                question.member_id,
            )
            return await self._retrieval.answer(question, sources)
        except Exception as error:
            log.warning(
                "chat model %s failed for member %s (%s: %s); quoting instead",
                self._model_name,
                question.member_id,
                type(error).__name__,
                error,
                exc_info=True,
            )
            return await self._retrieval.answer(question, sources)
        try:
            checked = check_answer(reply.text, prompt, question.member_name)
        except UnusableAnswer as unusable:
            log.warning(
                "chat model %s wrote an unusable answer for member %s (%s); quoting instead",
                self._model_name,
                question.member_id,
                unusable.reason,
            )
            return await self._retrieval.answer(question, sources)
        if checked.removed_lines:
            log.info(
                "removed %d identity line(s) from a twin answer for member %s",
                len(checked.removed_lines),
                question.member_id,
            )
        if checked.abstained:
            return TwinAnswer(
                label=label,
                text=dont_know(question),
                abstained=True,
                model=self._model_name,
                prompt_tokens=prompt.estimated_tokens,
            )
        cited = [(number, prompt.sources[number - 1]) for number in checked.cited]
        return TwinAnswer(
            label=label,
            text=with_source_list(checked.text, cited),
            sources=tuple(source for _, source in cited),
            model=self._model_name,
            prompt_tokens=prompt.estimated_tokens,
        )

    async def _persona(self, question: TwinQuestion) -> str | None:
        if self._persona_lookup is None:
            return None
        try:
            return await self._persona_lookup(question)
        except Exception as error:
            log.warning(
                "persona lookup failed for member %s (%s: %s); answering without one",
                question.member_id,
                type(error).__name__,
                error,
                exc_info=True,
            )
            return None


def twin_from_settings(
    retrieval: RetrievalTwin,
    settings: HearthSettings,
    *,
    persona_lookup: PersonaLookup | None = None,
) -> RetrievalTwin | LLMTwin:
    """An :class:`LLMTwin` when ``LLM_PROVIDER`` names a chat model, else ``retrieval`` itself."""
    model = build_chat_model(settings)
    if model is None:
        return retrieval
    twin = LLMTwin(
        retrieval,
        model,
        prompt_builder=PromptBuilder(settings.twin_prompt_token_budget),
        timeout_seconds=settings.llm_timeout_seconds,
        persona_lookup=persona_lookup,
    )
    log.info(
        "twins answer with chat model %s (%s), falling back to quotes",
        twin.model_name,
        settings.llm_provider,
    )
    return twin
