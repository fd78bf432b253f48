"""The probe behind HEALTHCHECK and the Kubernetes liveness/readiness checks.

Two checks, each cheap enough to run every few seconds: Redis answers PING within a short
timeout, and (``worker=True``) this host's worker touched its heartbeat file recently.
The liveness probe skips Redis on purpose: restarting workers does not fix a Redis outage,
it only adds a crash-loop backoff to the recovery.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import redis

from pressline.connection import redact_url
from pressline.heartbeat import heartbeat_age, heartbeat_file
from pressline.settings import Settings


@dataclass(frozen=True)
class Check:
    """One check's verdict; ``detail`` is safe to print (no secrets)."""

    name: str
    ok: bool
    detail: str


@dataclass(frozen=True)
class HealthReport:
    """All checks run; ``ok`` only if every one passed."""

    checks: tuple[Check, ...]

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    @property
    def reason(self) -> str:
        """One line: the failures if any, else every check's detail."""
        shown = [c for c in self.checks if not c.ok] or list(self.checks)
        if not shown:
            return "ok: nothing checked"
        return ("ok: " if self.ok else "fail: ") + "; ".join(
            f"{c.name} {c.detail}" for c in shown
        )

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1


def check_redis(url: str, timeout: float = 2.0) -> Check:
    """PING with connect and read timeouts, and no retries: a probe must answer fast."""
    if not url:
        return Check("redis", False, "PRESSLINE_REDIS_URL is not set")
    client = redis.Redis.from_url(
        url, socket_timeout=timeout, socket_connect_timeout=timeout, retry_on_timeout=False
    )
    started = time.perf_counter()
    try:
        client.ping()
    except redis.RedisError as exc:
        first_line = (str(exc).splitlines() or [type(exc).__name__])[0]
        return Check("redis", False, f"unreachable at {redact_url(url)}: {first_line}")
    finally:
        client.close()
    return Check("redis", True, f"PONG in {(time.perf_counter() - started) * 1000:.1f} ms")


def check_worker(path: Path, max_age: float, now: float | None = None) -> Check:
    """The heartbeat file exists and is younger than ``max_age`` seconds."""
    age = heartbeat_age(path, now)
    if age is None:
        return Check("worker", False, f"no heartbeat file at {path}")
    if age > max_age:
        return Check("worker", False, f"heartbeat {age:.0f}s old (limit {max_age:.0f}s)")
    return Check("worker", True, f"heartbeat {age:.0f}s old")


def check_health(
    settings: Settings,
    *,
    redis_check: bool = True,
    worker: bool = False,
    timeout: float = 2.0,
    max_age: float | None = None,
    heartbeat_path: Path | None = None,
    now: float | None = None,
) -> HealthReport:
    """Run the requested checks; see the module docstring for which probe uses which."""
    checks: list[Check] = []
    if redis_check:
        checks.append(check_redis(settings.redis_url, timeout))
    if worker:
        path = heartbeat_path or heartbeat_file(settings)
        limit = settings.heartbeat_max_age if max_age is None else max_age
        checks.append(check_worker(path, limit, now))
    return HealthReport(tuple(checks))
