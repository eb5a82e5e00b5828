"""All of Hearth's configuration in one typed object, read once at start."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DISCORD_API_EXAMPLE = "https://discord.com/api/v10"
DISCORD_GATEWAY_EXAMPLE = "wss://gateway.discord.gg/"


class HearthSettings(BaseSettings):
    """Settings from the environment (and an optional ``.env`` file).

    Every field maps to an upper-case environment variable of the same name,
    for example ``database_url`` to ``DATABASE_URL``. An empty variable counts as unset
    (compose.yaml passes every setting, empty where the operator set none).
    """

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", env_ignore_empty=True)

    data_dir: Path = Field(default=Path(".hearth"), alias="HEARTH_DATA_DIR")
    database_url: str | None = Field(default=None, alias="DATABASE_URL")
    qdrant_url: str | None = Field(default=None, alias="QDRANT_URL")
    qdrant_api_key: SecretStr | None = Field(default=None, alias="QDRANT_API_KEY")
    qdrant_collection: str = Field(default="hearth_messages", alias="QDRANT_COLLECTION")
    qdrant_shards: int | None = Field(default=None, ge=1, alias="QDRANT_SHARDS")
    """Shards of a new collection on a Qdrant cluster (unset: the server's default)."""
    qdrant_replication: int | None = Field(default=None, ge=1, alias="QDRANT_REPLICATION")
    """Copies of each shard of a new collection on a Qdrant cluster (unset: the default)."""
    qdrant_retries: int = Field(default=4, ge=0, le=20, alias="QDRANT_RETRIES")
    """How often a Qdrant request that failed for a passing reason (connection, timeout,
    429, 502-504) is tried again, with back-off."""
    memory_min_free_mb: int = Field(default=64, ge=0, alias="HEARTH_MEMORY_MIN_FREE_MB")
    """Free space (MiB) kept on the Qdrant Edge shard's filesystem; below it memory takes no
    writes and messages wait in the database."""

    embedding_url: str | None = Field(default=None, alias="EMBEDDING_URL")
    embedding_model: str = Field(default="text-embedding-3-small", alias="EMBEDDING_MODEL")
    embedding_api_key: SecretStr | None = Field(default=None, alias="EMBEDDING_API_KEY")
    embedding_dimension: int | None = Field(default=None, alias="EMBEDDING_DIMENSION")
    embedding_threads: int | None = Field(default=None, alias="HEARTH_EMBEDDING_THREADS")
    embedding_batch_size: int = Field(default=32, ge=1, le=1024, alias="HEARTH_EMBEDDING_BATCH")
    embedding_import_batch_size: int = Field(
        default=64, ge=1, le=1024, alias="HEARTH_EMBEDDING_IMPORT_BATCH"
    )
    """Messages per batch when the worker embeds imported history (no live message waits)."""
    embedding: Literal["on", "off"] = Field(default="on", alias="HEARTH_EMBEDDING")
    """``off``: ``hearth run`` leaves embedding to ``hearth worker`` processes."""
    embedding_claim_seconds: float = Field(
        default=120.0, ge=5.0, le=3600.0, alias="HEARTH_EMBEDDING_CLAIM_SECONDS"
    )
    """With several embedding workers (PostgreSQL), how long a worker holds a batch it
    claimed; a killed worker's messages wait this long before another worker takes them."""

    telegram_bot_token: SecretStr | None = Field(default=None, alias="TELEGRAM_BOT_TOKEN")
    telegram_api_url: str = Field(default="https://api.telegram.org/bot", alias="TELEGRAM_API_URL")
    telegram_mode: Literal["polling", "webhook"] = Field(default="polling", alias="TELEGRAM_MODE")
    telegram_webhook_url: str | None = Field(default=None, alias="TELEGRAM_WEBHOOK_URL")
    telegram_webhook_listen: str = Field(default="0.0.0.0", alias="TELEGRAM_WEBHOOK_LISTEN")
    telegram_webhook_port: int = Field(default=8443, alias="TELEGRAM_WEBHOOK_PORT")
    telegram_webhook_secret: SecretStr | None = Field(default=None, alias="TELEGRAM_WEBHOOK_SECRET")
    telegram_poll_timeout: int = Field(default=30, ge=0, le=50, alias="TELEGRAM_POLL_TIMEOUT")

    discord_bot_token: SecretStr | None = Field(default=None, alias="DISCORD_BOT_TOKEN")
    discord_application_id: int | None = Field(default=None, alias="DISCORD_APPLICATION_ID")
    discord_command_guilds: str | None = Field(default=None, alias="DISCORD_COMMAND_GUILDS")
    discord_shard_count: int | None = Field(default=None, ge=1, alias="DISCORD_SHARD_COUNT")
    discord_shard_ids: str | None = Field(default=None, alias="DISCORD_SHARD_IDS")
    """The shards this process runs, comma-separated (``0,1``); with ``DISCORD_SHARD_COUNT``,
    several processes split a bot's shards between them. Unset: all of them."""
    discord_api_url: str | None = Field(default=None, alias="DISCORD_API_URL")
    """Base URL of Discord's REST API (a REST proxy's); unset: ``https://discord.com/api/v10``."""
    discord_gateway_url: str | None = Field(default=None, alias="DISCORD_GATEWAY_URL")
    """The gateway to connect to with a fixed ``DISCORD_SHARD_COUNT`` or after a lost
    session; unset: Discord's (``wss://gateway.discord.gg/``)."""
    discord_members_intent: bool = Field(default=True, alias="DISCORD_MEMBERS_INTENT")
    """Ask for the privileged Server Members intent (members joining and leaving)."""
    discord_recovery_max_messages: int = Field(
        default=1000, ge=0, le=100_000, alias="DISCORD_RECOVERY_MAX_MESSAGES"
    )
    """Most messages fetched per channel when recovering what was missed while disconnected
    (the oldest first); 0 turns recovery off."""
    discord_recovery_max_days: float = Field(
        default=7.0, gt=0, le=365, alias="DISCORD_RECOVERY_MAX_DAYS"
    )
    """Only channels whose last stored message is younger than this are recovered."""

    twin_absence_minutes: float = Field(default=10.0, ge=0, alias="HEARTH_TWIN_ABSENCE_MINUTES")
    twin_max_quotes: int = Field(default=3, ge=1, le=10, alias="HEARTH_TWIN_MAX_QUOTES")
    twin_min_confidence: float | None = Field(
        default=None, gt=0, lt=1, alias="HEARTH_TWIN_MIN_CONFIDENCE"
    )
    """Answerability below which a twin says it does not know; unset: the fitted default."""
    twin_correction_margin: float = Field(
        default=0.05, ge=0, le=1, alias="HEARTH_TWIN_CORRECTION_MARGIN"
    )
    twin_chat_limit: int = Field(default=10, ge=1, alias="HEARTH_TWIN_CHAT_LIMIT")
    twin_asker_limit: int = Field(default=3, ge=1, alias="HEARTH_TWIN_ASKER_LIMIT")
    twin_limit_window_minutes: float = Field(
        default=10.0, gt=0, alias="HEARTH_TWIN_LIMIT_WINDOW_MINUTES"
    )
    assistant_chat_limit: int = Field(default=20, ge=1, alias="HEARTH_ASSISTANT_CHAT_LIMIT")
    assistant_asker_limit: int = Field(default=5, ge=1, alias="HEARTH_ASSISTANT_ASKER_LIMIT")
    max_message_chars: int = Field(default=16_000, ge=1, alias="HEARTH_MAX_MESSAGE_CHARS")
    platform_connect_wait_seconds: float = Field(
        default=120.0, ge=0, le=3600, alias="HEARTH_PLATFORM_CONNECT_WAIT_SECONDS"
    )
    """How long a due scheduled post waits for its platform to connect (after a restart)."""
    scheduler_poll_seconds: float = Field(
        default=60.0, gt=0, le=3600, alias="HEARTH_SCHEDULER_POLL_SECONDS"
    )
    """How often the scheduler re-reads its job store, to see schedules other processes set."""

    llm_provider: Literal["none", "openai", "ollama"] = Field(default="none", alias="LLM_PROVIDER")
    llm_base_url: str | None = Field(default=None, alias="LLM_BASE_URL")
    llm_api_key: SecretStr | None = Field(default=None, alias="LLM_API_KEY")
    llm_model: str | None = Field(default=None, alias="LLM_MODEL")
    llm_timeout_seconds: float = Field(default=30.0, gt=0, le=600, alias="LLM_TIMEOUT_SECONDS")
    llm_max_output_tokens: int = Field(default=400, ge=16, le=32_768, alias="LLM_MAX_OUTPUT_TOKENS")
    llm_temperature: float | None = Field(default=None, ge=0, le=2, alias="LLM_TEMPERATURE")
    twin_prompt_token_budget: int = Field(
        default=2000, ge=200, le=1_000_000, alias="TWIN_PROMPT_TOKEN_BUDGET"
    )
    digest_llm_token_budget: int = Field(
        default=2000, ge=0, le=1_000_000, alias="DIGEST_LLM_TOKEN_BUDGET"
    )

    log_level: str = Field(default="INFO", alias="HEARTH_LOG_LEVEL")
    log_format: Literal["text", "json"] = Field(default="text", alias="HEARTH_LOG_FORMAT")
    metrics_port: int | None = Field(default=None, ge=1, le=65535, alias="HEARTH_METRICS_PORT")
    """Serve ``/metrics`` and ``/healthz`` on this port; off when unset."""
    metrics_listen: str = Field(default="127.0.0.1", alias="HEARTH_METRICS_LISTEN")
    web_port: int | None = Field(default=None, ge=0, le=65535, alias="HEARTH_WEB_PORT")
    """Serve the member pages (sign-in by ``/web`` link) on this port; off when unset, 0 picks
    a free port."""
    web_listen: str = Field(default="127.0.0.1", alias="HEARTH_WEB_LISTEN")
    web_public_url: str | None = Field(default=None, alias="HEARTH_WEB_PUBLIC_URL")
    """The address browsers reach the pages at (sign-in links start with it); unset: the
    address listened on. An ``https://`` one makes the session cookie Secure."""
    web_secret: SecretStr | None = Field(default=None, alias="HEARTH_WEB_SECRET")
    """Signs session cookies; unset: a random one generated once into the data dir."""

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str | None) -> str | None:
        """Accept plain ``postgresql://`` and ``sqlite://`` URLs and pick the async driver."""
        if value is None or not value.strip():
            return None
        value = value.strip()
        for plain, driver in (
            ("postgres://", "postgresql+asyncpg://"),
            ("postgresql://", "postgresql+asyncpg://"),
            ("postgresql+psycopg2://", "postgresql+asyncpg://"),
            ("sqlite://", "sqlite+aiosqlite://"),
        ):
            if value.startswith(plain):
                return driver + value[len(plain) :]
        return value

    @field_validator("llm_provider", mode="before")
    @classmethod
    def _provider_name(cls, value: object) -> object:
        """Accept any case and treat an empty ``LLM_PROVIDER`` as ``none``."""
        if isinstance(value, str):
            return value.strip().lower() or "none"
        return value

    @field_validator("log_format", mode="before")
    @classmethod
    def _format_name(cls, value: object) -> object:
        """Accept any case; an empty ``HEARTH_LOG_FORMAT`` means text."""
        if isinstance(value, str):
            return value.strip().lower() or "text"
        return value

    @field_validator("metrics_port", "web_port", mode="before")
    @classmethod
    def _blank_port(cls, value: object) -> object:
        """An empty ``HEARTH_METRICS_PORT`` or ``HEARTH_WEB_PORT`` leaves that server off."""
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("llm_base_url", "llm_model", "web_public_url")
    @classmethod
    def _blank_is_unset(cls, value: str | None) -> str | None:
        """An empty ``LLM_BASE_URL``, ``LLM_MODEL`` or ``HEARTH_WEB_PUBLIC_URL`` is unset."""
        if value is None:
            return None
        return value.strip() or None

    @field_validator("discord_shard_count", mode="before")
    @classmethod
    def _blank_shard_count(cls, value: object) -> object:
        """An empty ``DISCORD_SHARD_COUNT`` means Discord's recommended count."""
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("discord_shard_ids")
    @classmethod
    def _shard_id_list(cls, value: str | None) -> str | None:
        """``DISCORD_SHARD_IDS`` is a comma-separated list of distinct shard numbers."""
        if value is None or not value.strip():
            return None
        parts = [part.strip() for part in value.split(",") if part.strip()]
        if not all(part.isdigit() for part in parts):
            raise ValueError(
                f"DISCORD_SHARD_IDS must be comma-separated shard numbers, e.g. 0,1 (got {value!r})"
            )
        if len(set(map(int, parts))) != len(parts):
            raise ValueError(f"DISCORD_SHARD_IDS lists a shard twice: {value!r}")
        return ",".join(str(int(part)) for part in parts)

    @field_validator("discord_api_url", "discord_gateway_url")
    @classmethod
    def _endpoint_url(cls, value: str | None, info: ValidationInfo) -> str | None:
        """``DISCORD_API_URL`` is an http(s) URL (no trailing slash), ``DISCORD_GATEWAY_URL``
        a ws(s) one (kept as given: its path matters)."""
        if value is None or not value.strip():
            return None
        url = value.strip()
        if info.field_name == "discord_api_url":
            name, schemes, example = "DISCORD_API_URL", ("http", "https"), DISCORD_API_EXAMPLE
        else:
            name, schemes, example = "DISCORD_GATEWAY_URL", ("ws", "wss"), DISCORD_GATEWAY_EXAMPLE
        scheme, _, rest = url.partition("://")
        if scheme.lower() not in schemes or not rest.strip("/"):
            raise ValueError(
                f"{name} must be a {'/'.join(schemes)} URL like {example} (got {value!r})"
            )
        return url.rstrip("/") if name == "DISCORD_API_URL" else url

    @model_validator(mode="after")
    def _shards_within_count(self) -> HearthSettings:
        """Shard ids need the total count, and each must be below it."""
        if self.discord_shard_ids is None:
            return self
        if self.discord_shard_count is None:
            raise ValueError(
                "DISCORD_SHARD_IDS needs DISCORD_SHARD_COUNT: set the total number of shards "
                "all processes share (e.g. DISCORD_SHARD_COUNT=4 with DISCORD_SHARD_IDS=0,1 "
                "here and 2,3 in the other process)"
            )
        outside = [i for i in self.discord_shards() or () if i >= self.discord_shard_count]
        if outside:
            raise ValueError(
                f"DISCORD_SHARD_IDS {outside} are not below DISCORD_SHARD_COUNT="
                f"{self.discord_shard_count} (shards are numbered 0 to "
                f"{self.discord_shard_count - 1})"
            )
        return self

    def discord_shards(self) -> list[int] | None:
        """The Discord shards this process runs (``DISCORD_SHARD_IDS``); ``None``: all."""
        if self.discord_shard_ids is None:
            return None
        return [int(part) for part in self.discord_shard_ids.split(",")]

    def resolved_database_url(self) -> str:
        """The database URL to use: ``DATABASE_URL``, else a SQLite file in the data dir."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'hearth.db').resolve()}"

    @property
    def qdrant_edge_path(self) -> Path:
        """Where the embedded Qdrant Edge shard lives when no server is configured."""
        return self.data_dir / "qdrant-edge"

    def discord_guild_ids(self) -> list[int] | None:
        """Servers whose slash commands update at once (``DISCORD_COMMAND_GUILDS``)."""
        if not self.discord_command_guilds:
            return None
        try:
            return [int(part) for part in self.discord_command_guilds.split(",") if part.strip()]
        except ValueError as error:
            raise ValueError(
                "DISCORD_COMMAND_GUILDS must be comma-separated server ids, e.g. 123,456"
            ) from error
