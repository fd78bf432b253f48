"""Redis connections: one client per process, retrying through brief outages.

Passwords live in the URL (``redis://:secret@host``, ``rediss://`` for TLS); ``redact_url``
is the only form that may reach a log line or an error message.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

import redis
from redis.backoff import ExponentialBackoff
from redis.retry import Retry

from pressline.settings import Settings

_clients: dict[tuple[int, str], redis.Redis] = {}


def redact_url(url: str) -> str:
    """The URL with any password replaced by ``***``."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, f"{user}:***@{host}", parts.path, parts.query, ""))


def connect(url: str) -> redis.Redis:
    """A new client that retries connection errors with backoff (Redis restarts, failovers)."""
    return redis.Redis.from_url(
        url,
        decode_responses=True,
        socket_connect_timeout=5,
        socket_timeout=30,
        health_check_interval=15,
        # About 3 s of reconnect attempts: rides out a failover or restart, yet stays well
        # inside a task's soft time limit.
        retry=Retry(ExponentialBackoff(cap=1.0, base=0.05), retries=6),
        retry_on_error=[redis.ConnectionError, redis.TimeoutError],
    )


def get_client(settings: Settings) -> redis.Redis:
    """The shared client of this process (a forked child gets its own)."""
    key = (os.getpid(), settings.redis_url)
    client = _clients.get(key)
    if client is None:
        if not settings.redis_url:
            raise RuntimeError("PRESSLINE_REDIS_URL is not set")
        client = _clients[key] = connect(settings.redis_url)
    return client


def close_clients() -> None:
    """Close this process's clients (worker shutdown)."""
    pid = os.getpid()
    for key in [k for k in _clients if k[0] == pid]:
        _clients.pop(key).close()
