"""Where an embedder puts each language, measured once on the same sentences in both.

A multilingual embedder places every Chinese text a little to one side of
every English one, whatever it says. :func:`language_centres` measures
that once per embedder: each language's mean vector over the same everyday
chat sentences on many subjects (``parallel_sentences.json``, written in
English and in Chinese). What the sentences talk about is the same on both
sides, so the difference of the two centres is the language alone; a chat
with five Chinese messages, all about one subject, cannot skew it.

The centres are kept for the process and in the user's cache folder, named
for the model and the sentences. The bag-of-words embedder shares no
feature between the languages and has no such direction: it gets ``None``,
as does an embedder that fails (the chat's own script means stand in then).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import re
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np
import numpy.typing as npt

from memory.embedder import Embedder, EmbeddingError
from memory.hash_embedder import HashEmbedder
from memory.user_cache import cache_path, write_json

log = logging.getLogger(__name__)

Centres = dict[str, npt.NDArray[np.float32]]
"""Each language's code (``"en"``, ``"zh"``) and its mean unit vector."""

_SENTENCES = "parallel_sentences.json"
_known: dict[tuple[str, int], Centres] = {}


@cache
def parallel_sentences() -> dict[str, tuple[str, ...]]:
    """The parallel sentences, by language code (the same sentence at the same index)."""
    text = resources.files(__package__ or "memory").joinpath(_SENTENCES).read_text("utf-8")
    found = json.loads(text)
    languages = {code: tuple(found[code]) for code in ("en", "zh")}
    if len({len(sentences) for sentences in languages.values()}) != 1:
        raise ValueError(f"{_SENTENCES}: every language needs the same sentences")
    return languages


async def language_centres(embedder: Embedder) -> Centres | None:
    """Each language's mean vector under ``embedder`` (``None`` without a language direction).

    Embedding the ~300 sentences costs a few seconds of CPU with the local model,
    once per model: the result is kept for the process and in the cache folder.
    """
    if isinstance(embedder, HashEmbedder):
        return None
    key = (embedder.name, embedder.dimension)
    if key in _known:
        return _known[key]
    path = cache_file(*key)
    centres = await asyncio.to_thread(_read, path, embedder.dimension)
    if centres is None:
        try:
            centres = {
                code: _mean_unit(await embedder.embed_passages(list(sentences)))
                for code, sentences in parallel_sentences().items()
            }
        except EmbeddingError as error:
            log.warning("the language direction is not measured: %s", error)
            return None
        await asyncio.to_thread(_write, path, centres)
    _known[key] = centres
    return centres


def _mean_unit(vectors: list[list[float]]) -> npt.NDArray[np.float32]:
    x = np.asarray(vectors, dtype=np.float64)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    mean: npt.NDArray[np.float32] = (x / np.where(norms > 0, norms, 1.0)).mean(axis=0)
    return mean.astype(np.float32)


def cache_file(model: str, dimension: int) -> Path:
    """Where the centres of ``model`` are kept: the user's cache folder (``XDG_CACHE_HOME``,
    else ``~/.cache``), named for the model, its width and the sentences."""
    sentences = json.dumps(parallel_sentences(), ensure_ascii=False, sort_keys=True)
    digest = hashlib.sha256(f"{model}\n{dimension}\n{sentences}".encode()).hexdigest()[:16]
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", model)[:60]
    return cache_path(f"language-centres-{safe}-{dimension}-{digest}.json")


def _read(path: Path, dimension: int) -> Centres | None:
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
        centres = {code: np.asarray(found[code], dtype=np.float32) for code in ("en", "zh")}
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if any(v.shape != (dimension,) or not np.isfinite(v).all() for v in centres.values()):
        return None
    return centres


def _write(path: Path, centres: Centres) -> None:
    write_json(path, {code: v.tolist() for code, v in centres.items()})
