"""What every kind of twin offers: an answer to a question, from the member's memory."""

from __future__ import annotations

from typing import Protocol

from twins.answer import TwinAnswer, TwinQuestion


class TwinAnswerer(Protocol):
    """A twin: the retrieval-only one, or one that writes answers with a language model."""

    async def answer(self, question: TwinQuestion) -> TwinAnswer:
        """Answer ``question`` from the memories its scope allows, or abstain."""
        ...
