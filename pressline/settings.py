"""The one configuration object, read once at start and passed down.

Every knob is an environment variable with the ``PRESSLINE_`` prefix (or a line in ``.env``).
Invalid values fail at start with pydantic's message, which names the variable.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Any, Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """pressline settings; see the README's settings table for the meaning of each."""

    model_config = SettingsConfigDict(
        env_prefix="PRESSLINE_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    # Redis. Empty means: `pressline run` starts an embedded server; other commands refuse.
    redis_url: str = ""

    # Names other tools rely on.
    stream: str = "pressline:articles"
    dead_stream: str = "pressline:dead"
    ingest_queue: str = "ingest"
    normalize_queue: str = "normalize"
    key_prefix: str = "pressline"
    stream_maxlen: int = Field(1_000_000, ge=1)
    dead_maxlen: int = Field(100_000, ge=1)

    # Fetching.
    fetch_connect_timeout: float = Field(5.0, gt=0)
    fetch_read_timeout: float = Field(15.0, gt=0)
    fetch_total_timeout: float = Field(30.0, gt=0)
    fetch_max_bytes: int = Field(10 * 1024 * 1024, ge=1024)
    fetch_max_redirects: int = Field(5, ge=0, le=20)
    user_agent: str = "pressline/0.1 (+https://github.com/pressline/pressline)"
    # Hosts or CIDRs that may be fetched although they are internal (comma-separated).
    fetch_allowlist: str = ""

    # Decompressed bodies (gzip/deflate) are capped separately from the raw bytes on the wire.
    fetch_max_decoded_bytes: int = Field(40 * 1024 * 1024, ge=1024)

    # Files. Roots (comma-separated) outside which dropped paths are refused; empty: any.
    file_max_bytes: int = Field(20 * 1024 * 1024, ge=1)
    file_roots: str = ""

    # Pages bigger than this travel through Redis with a TTL, not inside the broker message.
    inline_page_max_bytes: int = Field(64 * 1024, ge=0)
    page_ttl: int = Field(24 * 3600, ge=60)

    # Retries of transient failures: exponential backoff from base, capped, with jitter.
    retry_max: int = Field(4, ge=0)
    retry_backoff_base: float = Field(2.0, ge=0)
    retry_backoff_max: float = Field(120.0, ge=0)

    # Celery.
    task_soft_time_limit: int = Field(60, ge=1)
    task_time_limit: int = Field(90, ge=1)
    visibility_timeout: int = Field(300, ge=1)
    worker_concurrency: int = Field(0, ge=0)  # 0: one per CPU
    max_tasks_per_child: int = Field(1000, ge=0)

    # Exactly-once emission: how long a job's "ended" marker lives.
    seen_ttl: int = Field(7 * 24 * 3600, ge=60)
    # Poison input: a job whose stage was killed mid-run this many times is dead-lettered.
    max_attempts: int = Field(5, ge=1)

    # Operations: liveness file, Prometheus port (0: off), logging.
    heartbeat_file: str = "/tmp/pressline-worker.heartbeat"
    heartbeat_interval: float = Field(10.0, gt=0)
    heartbeat_max_age: float = Field(60.0, gt=0)
    metrics_port: int = Field(0, ge=0, le=65535)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["json", "text"] = "json"

    # Relations across the fleet (duplicates, versions, near duplicates, stories).
    relate_enabled: bool = True
    relate_ttl: int = Field(7 * 24 * 3600, ge=60)
    relate_version_ttl: int = Field(30 * 24 * 3600, ge=60)
    relate_near_threshold: float = Field(0.3, gt=0, le=1)
    relate_story_threshold: float = Field(0.3, gt=0, le=1)
    story_window: int = Field(3 * 24 * 3600, ge=60)

    # Intake: language-neutral requests, the inbox, feeds and sitemaps.
    requests_stream: str = "pressline:requests"
    requests_group: str = "pressline-bridge"
    inbox_settle: float = Field(1.0, ge=0)
    # Feeds polled by Celery beat (comma-separated URLs) and how often, in seconds.
    feeds: str = ""
    feed_interval: float = Field(900.0, ge=1)
    discover_max_sitemaps: int = Field(50, ge=1)
    discover_max_urls: int = Field(50_000, ge=1)

    # Politeness: robots.txt, a per-domain token bucket shared by every worker.
    robots: bool = True
    robots_ttl: int = Field(24 * 3600, ge=60)
    rate_per_domain: float = Field(1.0, ge=0)  # requests per second; 0 turns the limit off
    rate_burst: int = Field(5, ge=1)
    rate_max_wait: float = Field(5.0, ge=0)  # longer waits retry the task later instead

    # Records.
    audit: bool = True
    audit_text_max: int = Field(200, ge=10)
    min_text_words: int = Field(5, ge=1)

    @model_validator(mode="after")
    def _check_limits(self) -> Settings:
        if self.task_time_limit <= self.task_soft_time_limit:
            raise ValueError(
                "PRESSLINE_TASK_TIME_LIMIT must be greater than PRESSLINE_TASK_SOFT_TIME_LIMIT"
            )
        if self.visibility_timeout <= self.task_time_limit:
            raise ValueError(
                "PRESSLINE_VISIBILITY_TIMEOUT must be greater than PRESSLINE_TASK_TIME_LIMIT"
            )
        if self.retry_backoff_max >= self.visibility_timeout:
            raise ValueError(
                "PRESSLINE_RETRY_BACKOFF_MAX must be smaller than PRESSLINE_VISIBILITY_TIMEOUT"
            )
        if self.redis_url and not self.redis_url.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("PRESSLINE_REDIS_URL must start with redis://, rediss:// or unix://")
        return self

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        """Never show the Redis password, whoever prints the settings."""
        from pressline.connection import redact_url

        for name, value in super().__repr_args__():
            yield name, (redact_url(value) if name == "redis_url" and value else value)

    @property
    def allowlist(self) -> list[str]:
        return [x.strip() for x in self.fetch_allowlist.split(",") if x.strip()]

    @property
    def roots(self) -> list[str]:
        return [x.strip() for x in self.file_roots.split(",") if x.strip()]

    @property
    def feed_list(self) -> list[str]:
        return [x.strip() for x in self.feeds.split(",") if x.strip()]

    def key(self, *parts: str) -> str:
        """A Redis key under the configured prefix."""
        return ":".join((self.key_prefix, *parts))


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read from the environment once."""
    return Settings()
