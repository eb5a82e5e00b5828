"""Keyword vectors for hybrid search: BM25 term weights over words, for English, Chinese and more.

Texts are split by Qdrant's multilingual tokenizer (word segmentation for
Chinese and Japanese, word boundaries elsewhere), lower-cased, stripped of
English and Chinese stop words and stemmed for English; each remaining word is
hashed to a sparse dimension. A stored message gets BM25 term-frequency weights
and a query gets weight 1 per distinct word; the stores keep these as a sparse
vector with Qdrant's IDF modifier, so the engine computes the inverse document
frequency over the whole collection and a search scores plain BM25.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import cache

from qdrant_edge import Bm25, Bm25Config, Language, StopwordsSet, TokenizerType

KEYWORDS = "keywords"
"""Name of the sparse vector that holds a message's keyword weights."""


@dataclass(frozen=True, slots=True)
class KeywordVector:
    """A sparse vector: hashed word ids and their weights (no word means no entry)."""

    indices: tuple[int, ...]
    values: tuple[float, ...]

    def __bool__(self) -> bool:
        return bool(self.indices)


QUERY_STOP_WORDS = (
    "吗",
    "嗎",
    "呗",
    "咯",
    "嘞",
    "噢",
    "喔",
    "诶",
    "吖",
    "请问",
    "谁",
    "为什么",
    "为啥",
    "有没有",
    "干什么",
    "干嘛",
    "干啥",
    "咋样",
    "怎么样",
    "几岁",
    "多大",
    "多久",
    "多长",
    "多远",
    "什么时候",
    "啥时候",
    "哪天",
    "哪年",
    "几点",
    "几号",
    "去哪",
    "哪家",
    "多少钱",
)
"""Chinese question particles and question words the stop word list lets through: in a
question they say that it asks, not what about, so a query drops them (stored texts keep
them, so stored vectors stay as they are)."""


class KeywordEncoder:
    """Turns texts into :class:`KeywordVector` s with one fixed, stateless recipe.

    The recipe never changes between writing and searching: every store
    encodes with :func:`keyword_encoder`. Safe to call from several threads.
    """

    def __init__(self) -> None:
        config = Bm25Config(
            tokenizer=TokenizerType.Multilingual,
            language="english",
            stopwords=StopwordsSet(languages={Language.English, Language.Chinese}),
        )
        self._bm25 = Bm25(config)
        self._lock = threading.Lock()
        self._asking = frozenset(
            index for word in QUERY_STOP_WORDS for index in self._bm25.embed_query(word).indices
        )

    def document(self, text: str) -> KeywordVector:
        """The weights of a stored text: saturated term frequency with length normalisation."""
        with self._lock:
            vector = self._bm25.embed_document(text)
        return KeywordVector(tuple(vector.indices), tuple(vector.values))

    def query(self, text: str) -> KeywordVector:
        """The weights of a query: 1 for each distinct word, question particles left out."""
        with self._lock:
            vector = self._bm25.embed_query(text)
        pairs = zip(vector.indices, vector.values, strict=True)
        kept = [(i, v) for i, v in pairs if i not in self._asking]
        return KeywordVector(tuple(i for i, _ in kept), tuple(v for _, v in kept))


@cache
def keyword_encoder() -> KeywordEncoder:
    """The process-wide encoder."""
    return KeywordEncoder()
