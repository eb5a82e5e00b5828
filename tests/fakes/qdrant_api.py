"""A small Qdrant REST API on 127.0.0.1, for tests that need a Qdrant *server*.

The real ``qdrant-client`` (``AsyncQdrantClient(url=...)``, REST) talks HTTP to it, from
the test process or from ``hearth`` processes it starts. Behind the routes sits one
``QdrantClient(":memory:")`` (qdrant-client's local mode): request bodies are parsed with
the client's own ``qdrant_client.http.models`` and handed to it, and answers come back in
the server's envelope, ``{"result": ..., "status": "ok", "time": ...}``; errors as
``{"status": {"error": ...}, "time": ...}`` with the server's codes (404 for a missing
collection, 409 for one that exists already, 400 for a body it cannot read).

Only what :mod:`memory.server_store` sends is served: the version probe, collection
exists / create / get, payload index creation, upsert, query (dense and sparse, alone or in
a batch), retrieve,
count and delete (by ids or filter). Anything else is answered 404 naming the route, and a
body field the fake would silently drop (shard keys, update filters, ...) is answered 400.
Query parameters (``wait``, ``timeout``, ``consistency``) are ignored: every write is
applied before its answer, as ``wait=true`` asks. Requests from any number of clients and
processes are served one at a time by the test's event loop, on one shared store.

What the server was asked is kept for assertions: the create-collection bodies
(:attr:`FakeQdrantApi.created`, shard number and replication factor included), the
payload indexes (:attr:`FakeQdrantApi.indexes`), how often each point id was upserted
(:meth:`FakeQdrantApi.point_upserts`) and requests per operation. :meth:`fail_next`
answers the next requests of an operation with an error status (503 by default) before
applying them, as an overloaded or restarting node would.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from importlib.metadata import version
from typing import Any, TypeVar

from aiohttp import web
from pydantic import BaseModel, TypeAdapter, ValidationError
from qdrant_client import QdrantClient
from qdrant_client.http import models

JSON = Any
T = TypeVar("T")
A = TypeVar("A")
M = TypeVar("M", bound=BaseModel)
Handler = Callable[[web.Request], Awaitable[JSON]]

_INSERTS: TypeAdapter[models.PointInsertOperations] = TypeAdapter(models.PointInsertOperations)
_SELECTORS: TypeAdapter[models.PointsSelector] = TypeAdapter(models.PointsSelector)


class QdrantError(Exception):
    """An error answer: HTTP ``status`` with Qdrant's ``{"status": {"error": ...}}`` body."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class FakeQdrantApi:
    """Qdrant's REST API over qdrant-client's in-memory local mode, at a free port."""

    def __init__(self) -> None:
        self.local = QdrantClient(location=":memory:")
        """The in-memory store behind the routes (read it directly to check contents)."""
        self.port = 0
        self.created: dict[str, models.CreateCollection] = {}
        """The body each collection was created with."""
        self.indexes: dict[str, dict[str, models.PayloadFieldSchema]] = defaultdict(dict)
        """Payload indexes asked for: collection -> field -> schema."""
        self.requests: Counter[str] = Counter()
        """Requests per operation (``upsert``, ``query``, ...), failed ones included."""
        self._upserts: dict[str, Counter[models.ExtendedPointId]] = defaultdict(Counter)
        self._failures: dict[str, list[int]] = defaultdict(list)
        self._operations = 0
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        """The base URL to give as ``QDRANT_URL``."""
        return f"http://127.0.0.1:{self.port}"

    def point_upserts(self, collection: str) -> Counter[models.ExtendedPointId]:
        """How many upserts (applied ones) named each point id of ``collection``."""
        return Counter(self._upserts[collection])

    def fail_next(self, operation: str, times: int = 1, status: int = 503) -> None:
        """Answer the next ``times`` requests of ``operation`` with ``status``, unapplied."""
        self._failures[operation].extend([status] * times)

    async def start(self) -> None:
        """Listen at a free port on 127.0.0.1."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        routes: list[tuple[str, str, str, Handler]] = [
            ("GET", "/", "version", self._version),
            ("GET", "/collections/{name}/exists", "exists", self._exists),
            ("GET", "/collections/{name}", "get_collection", self._get_collection),
            ("PUT", "/collections/{name}", "create_collection", self._create_collection),
            ("PUT", "/collections/{name}/index", "create_index", self._create_index),
            ("PUT", "/collections/{name}/points", "upsert", self._upsert),
            ("POST", "/collections/{name}/points/query", "query", self._query),
            ("POST", "/collections/{name}/points/query/batch", "query_batch", self._query_batch),
            ("POST", "/collections/{name}/points", "retrieve", self._retrieve),
            ("POST", "/collections/{name}/points/count", "count", self._count),
            ("POST", "/collections/{name}/points/delete", "delete", self._delete),
        ]
        for method, path, operation, handler in routes:
            app.router.add_route(method, path, self._serve(operation, handler))
        app.router.add_route("*", "/{tail:.*}", self._unknown)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        self.port = int(server.sockets[0].getsockname()[1])  # type: ignore[attr-defined]

    async def close(self) -> None:
        """Stop listening and drop the in-memory store."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        self.local.close()

    # --- plumbing ---------------------------------------------------------------------------

    def _serve(self, operation: str, handler: Handler) -> Handler:
        async def serve(request: web.Request) -> web.Response:
            started = time.perf_counter()
            self.requests[operation] += 1
            try:
                if self._failures[operation]:
                    status = self._failures[operation].pop(0)
                    raise QdrantError(status, f"Service unavailable: injected {operation} failure")
                result = await handler(request)
            except QdrantError as error:
                body = {"status": {"error": error.message}, "time": _since(started)}
                return web.json_response(body, status=error.status)
            except Exception as error:  # a gap in the fake: say so instead of a bare 500
                message = f"the Qdrant fake failed on {operation}: {error!r}"
                return web.json_response({"status": {"error": message}, "time": 0.0}, status=500)
            if operation == "version":
                return web.json_response(result)
            return web.json_response({"result": result, "status": "ok", "time": _since(started)})

        return serve

    async def _unknown(self, request: web.Request) -> web.Response:
        message = f"the Qdrant fake does not serve {request.method} {request.path}"
        return web.json_response({"status": {"error": message}, "time": 0.0}, status=404)

    def _collection(self, request: web.Request) -> str:
        name = request.match_info["name"]
        if not self.local.collection_exists(name):
            raise QdrantError(404, f"Not found: Collection `{name}` doesn't exist!")
        return name

    def _applied(self) -> JSON:
        self._operations += 1
        return {"operation_id": self._operations, "status": "completed"}

    # --- routes -----------------------------------------------------------------------------

    async def _version(self, request: web.Request) -> JSON:
        # The client's own version, so its compatibility check passes.
        return {"title": "qdrant - vector search engine", "version": version("qdrant-client")}

    async def _exists(self, request: web.Request) -> JSON:
        return {"exists": self.local.collection_exists(request.match_info["name"])}

    async def _get_collection(self, request: web.Request) -> JSON:
        name = self._collection(request)
        info = self.local.get_collection(name)
        asked = self.created.get(name)
        if asked is not None:  # local mode keeps no cluster settings; a server reports them
            info.config.params.shard_number = asked.shard_number or 1
            info.config.params.replication_factor = asked.replication_factor or 1
        info.payload_schema = {
            field: models.PayloadIndexInfo(
                data_type=_schema_type(schema),
                params=None if isinstance(schema, models.PayloadSchemaType) else schema,
                points=info.points_count or 0,
            )
            for field, schema in self.indexes[name].items()
        }
        return _dump(info)

    async def _create_collection(self, request: web.Request) -> JSON:
        name = request.match_info["name"]
        body = await _parse(request, models.CreateCollection)
        _refuse(body, "init_from", "sharding_method", "quantization_config", "strict_mode_config")
        if self.local.collection_exists(name):
            raise QdrantError(409, f"Wrong input: Collection `{name}` already exists!")
        self.local.create_collection(
            name, vectors_config=body.vectors, sparse_vectors_config=body.sparse_vectors
        )
        self.created[name] = body
        self.indexes.pop(name, None)
        return True

    async def _create_index(self, request: web.Request) -> JSON:
        name = self._collection(request)
        body = await _parse(request, models.CreateFieldIndex)
        if body.field_schema is None:
            raise QdrantError(400, "Bad request: field_schema is required")
        # Local mode filters without indexes; the request itself is what a server keeps.
        self.indexes[name][body.field_name] = body.field_schema
        return self._applied()

    async def _upsert(self, request: web.Request) -> JSON:
        name = self._collection(request)
        body = await _parse_as(request, _INSERTS)
        _refuse(body, "shard_key", "update_filter", "update_mode")
        if isinstance(body, models.PointsList):
            ids = [point.id for point in body.points]
            self._apply(lambda: self.local.upsert(name, body.points))
        else:
            ids = list(body.batch.ids)
            self._apply(lambda: self.local.upsert(name, body.batch))
        self._upserts[name].update(ids)
        return self._applied()

    async def _query(self, request: web.Request) -> JSON:
        name = self._collection(request)
        body = await _parse(request, models.QueryRequest)
        return _dump(self._query_one(name, body))

    async def _query_batch(self, request: web.Request) -> JSON:
        name = self._collection(request)
        body = await _parse(request, models.QueryRequestBatch)
        return [_dump(self._query_one(name, search)) for search in body.searches]

    def _query_one(self, name: str, body: models.QueryRequest) -> models.QueryResponse:
        _refuse(body, "shard_key", "lookup_from")
        return self._apply(
            lambda: self.local.query_points(
                name,
                query=body.query,
                using=body.using,
                prefetch=body.prefetch,
                query_filter=body.filter,
                search_params=body.params,
                limit=body.limit if body.limit is not None else 10,
                offset=body.offset,
                with_payload=body.with_payload if body.with_payload is not None else False,
                with_vectors=body.with_vector if body.with_vector is not None else False,
                score_threshold=body.score_threshold,
            )
        )

    async def _retrieve(self, request: web.Request) -> JSON:
        name = self._collection(request)
        body = await _parse(request, models.PointRequest)
        _refuse(body, "shard_key")
        records = self._apply(
            lambda: self.local.retrieve(
                name,
                body.ids,
                with_payload=body.with_payload if body.with_payload is not None else True,
                with_vectors=body.with_vector if body.with_vector is not None else False,
            )
        )
        return [_dump(record) for record in records]

    async def _count(self, request: web.Request) -> JSON:
        name = self._collection(request)
        body = await _parse(request, models.CountRequest)
        _refuse(body, "shard_key")
        counted = self._apply(lambda: self.local.count(name, count_filter=body.filter))
        return _dump(counted)

    async def _delete(self, request: web.Request) -> JSON:
        name = self._collection(request)
        body = await _parse_as(request, _SELECTORS)
        _refuse(body, "shard_key")
        self._apply(lambda: self.local.delete(name, points_selector=body))
        return self._applied()

    @staticmethod
    def _apply(call: Callable[[], T]) -> T:
        """Run a local-mode call; the errors it raises for bad input become 400 answers."""
        try:
            return call()
        except (ValueError, TypeError) as error:
            raise QdrantError(400, f"Bad request: {error}") from error


async def _body(request: web.Request) -> JSON:
    try:
        return await request.json()
    except ValueError as error:
        raise QdrantError(400, f"Bad request: the body is not JSON ({error})") from error


async def _parse(request: web.Request, model: type[M]) -> M:
    try:
        return model.model_validate(await _body(request))
    except ValidationError as error:
        raise QdrantError(400, f"Format error in JSON body: {error}") from error


async def _parse_as(request: web.Request, adapter: TypeAdapter[A]) -> A:
    try:
        return adapter.validate_python(await _body(request))
    except ValidationError as error:
        raise QdrantError(400, f"Format error in JSON body: {error}") from error


def _refuse(body: BaseModel, *fields: str) -> None:
    """Fail loudly on a field the fake would otherwise ignore."""
    used = [field for field in fields if getattr(body, field, None) is not None]
    if used:
        raise QdrantError(400, f"Bad request: the Qdrant fake does not support {', '.join(used)}")


async def version_checks_done(timeout: float = 5.0) -> None:  # noqa: ASYNC109
    """Wait for the version probes ``AsyncQdrantClient`` sends from threads of its own.

    Call before closing the fake, so that no probe finds it gone (and warns).
    """
    for thread in threading.enumerate():
        if "_check_compatibility" in thread.name:
            await asyncio.to_thread(thread.join, timeout)


def _dump(model: BaseModel) -> JSON:
    """The JSON the server sends for ``model`` (absent fields are left out, as it does)."""
    return model.model_dump(mode="json", exclude_none=True)


def _schema_type(schema: models.PayloadFieldSchema) -> models.PayloadSchemaType:
    if isinstance(schema, models.PayloadSchemaType):
        return schema
    return models.PayloadSchemaType(schema.type.value)


def _since(started: float) -> float:
    return time.perf_counter() - started
