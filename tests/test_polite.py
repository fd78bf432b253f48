"""Politeness: robots.txt (cached), a shared per-domain token bucket, User-Agent, Retry-After."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import ClassVar

import pytest
import redis

from pressline.celery_app import create_app
from pressline.errors import RateLimited, RobotsDenied, UpstreamUnavailable
from pressline.failures import backoff_seconds
from pressline.intake import job_for, submit_jobs, wait_for
from pressline.settings import Settings
from pressline.stream import read_outcome
from pressline.workers import start_worker_process, stop_worker_process
from services.ingest.fetch import fetch, make_client
from services.ingest.polite import bucket_key, check_robots, robots_key, take_token
from tests.conftest import ARTICLE_HTML, ROOT, QuietHandler, serve_http
from tests.test_pipeline import run_items

pytestmark = pytest.mark.usefixtures("workers")

ROBOTS = "User-agent: otherbot\nDisallow: /\n\nUser-agent: pressline\nDisallow: /private\n"


class PoliteHandler(QuietHandler):
    """Counts requests per path and remembers when each came and with which User-Agent."""

    hits: ClassVar[dict[str, list[tuple[float, str]]]] = {}
    lock = threading.Lock()

    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        with self.lock:
            seen = self.hits.setdefault(self.path, [])
            seen.append((time.monotonic(), self.headers.get("User-Agent", "")))
            count = len(seen)
        if path == "/robots.txt":
            self._send(200, ROBOTS.encode(), ctype="text/plain")
        elif path == "/busy-seconds":
            self._send(429, b"slow down", headers={"Retry-After": "7"})
        elif path == "/busy-date":
            when = datetime.now(UTC) + timedelta(seconds=30)
            self._send(503, b"later", headers={"Retry-After": format_datetime(when, usegmt=True)})
        elif path == "/retry-after":  # 429 with Retry-After: 2, then the article
            if count == 1:
                self._send(429, b"slow down", headers={"Retry-After": "2"})
            else:
                self._send(200, ARTICLE_HTML.replace("lighthouse", "retry lighthouse").encode())
        else:
            self._send(200, ARTICLE_HTML.replace("lighthouse", f"lighthouse {path}").encode())


@pytest.fixture
def polite_server() -> Iterator[str]:
    """A fresh server (new port: its robots.txt is not cached yet) per test."""
    PoliteHandler.hits = {}
    with serve_http(PoliteHandler) as base:
        yield base


def test_robots_disallow_dead_letter_and_cache(settings: Settings, rclient: redis.Redis,
                                               polite_server: str) -> None:
    """A robots.txt-disallowed URL is a dead letter (robots_txt); robots.txt is fetched once."""
    tag = uuid.uuid4().hex[:8]
    results = run_items(settings, rclient, [
        f"{polite_server}/private/{tag}", f"{polite_server}/public/{tag}a",
        f"{polite_server}/public/{tag}b"])
    assert [k for k, _ in results] == ["dead", "record", "record"]
    dead = results[0][1]
    assert dead["reason"] == "robots_txt" and "robots.txt" in dead["message"]
    assert dead["attempts"] == "1"
    assert f"/private/{tag}" not in PoliteHandler.hits  # never fetched
    assert len(PoliteHandler.hits["/robots.txt"]) == 1  # cached in Redis for the fleet


class _LateLock:
    """A real Redis client whose lock is free only once another worker has cached the text:
    the interleaving of two workers that both missed the cache."""

    def __init__(self, client: redis.Redis, key: str, text: str) -> None:
        self._client, self._key, self._text = client, key, text

    def __getattr__(self, name: str) -> object:
        return getattr(self._client, name)

    def set(self, name: str, value: str, **kwargs: object) -> object:
        if name.endswith(":lock"):
            self._client.set(self._key, self._text)  # the other worker fetched and released
        return self._client.set(name, value, **kwargs)  # type: ignore[arg-type]


def test_robots_cached_while_waiting_for_the_lock_is_not_fetched_again(
        settings: Settings, rclient: redis.Redis, polite_server: str) -> None:
    """A worker that takes the lock after another cached robots.txt reads the cache."""
    url = f"{polite_server}/private/{uuid.uuid4().hex[:8]}"
    late = _LateLock(rclient, robots_key(settings, url), ROBOTS)
    with make_client(settings) as http, pytest.raises(RobotsDenied):
        check_robots(url, settings, late, http)  # type: ignore[arg-type]
    assert "/robots.txt" not in PoliteHandler.hits


def test_waiter_that_gives_up_leaves_the_holders_lock(
        settings: Settings, rclient: redis.Redis, polite_server: str) -> None:
    """A worker whose wait for another's robots.txt fetch runs out fetches it itself, and
    does not delete the lock the other worker still holds."""
    quick = settings.model_copy(update={"fetch_total_timeout": 0.2, "fetch_allowlist": "127.0.0.1"})
    url = f"{polite_server}/private/{uuid.uuid4().hex[:8]}"
    lock = robots_key(quick, url) + ":lock"
    rclient.set(lock, "held", ex=30)  # another worker is fetching
    with make_client(quick) as http, pytest.raises(RobotsDenied):
        check_robots(url, quick, rclient, http)
    assert len(PoliteHandler.hits["/robots.txt"]) == 1
    assert rclient.get(lock) is not None
    rclient.delete(lock)


def test_user_agent_sent(settings: Settings, rclient: redis.Redis, polite_server: str) -> None:
    """Pages and robots.txt are requested with the configured User-Agent."""
    [(kind, _)] = run_items(settings, rclient, [f"{polite_server}/ua"])
    assert kind == "record"
    agents = {ua for hits in PoliteHandler.hits.values() for _, ua in hits}
    assert agents == {settings.user_agent}


_TAKER = """
import json, sys, time
from pressline.connection import connect
from pressline.settings import Settings
from services.ingest.polite import take_token
settings = Settings(redis_url=sys.argv[1], rate_per_domain=5, rate_burst=2, rate_max_wait=30)
client = connect(settings.redis_url)
time.sleep(max(0.0, float(sys.argv[4]) - time.time()))  # both start together
stamps = []
for _ in range(int(sys.argv[3])):
    take_token(sys.argv[2], settings, client)
    stamps.append(time.time())
print(json.dumps(stamps))
"""


def test_token_bucket_shared_by_processes(settings: Settings) -> None:
    """Two processes share one bucket: 12 tokens at 5/s with burst 2 take about 2 s in all."""
    url = f"http://bucket-{uuid.uuid4().hex[:8]}.example/page"
    start = str(time.time() + 3.0)
    procs = [subprocess.Popen([sys.executable, "-c", _TAKER, settings.redis_url, url, "6", start],
                              cwd=ROOT, stdout=subprocess.PIPE, text=True) for _ in range(2)]
    stamps = sorted(t for p in procs for t in json.loads(p.communicate(timeout=60)[0]))
    span = stamps[-1] - stamps[0]
    # alone, each process would need only (6 - 2) / 5 = 0.8 s; shared, (12 - 2) / 5 = 2 s
    assert 1.8 <= span < 4.0, span
    gaps = [b - a for a, b in itertools.pairwise(stamps[2:])]
    assert min(gaps) > 0.1  # after the burst, tokens come one per 0.2 s, across processes


def test_long_wait_raises_rate_limited(settings: Settings, rclient: redis.Redis) -> None:
    """When the next token is further away than rate_max_wait the job is sent back."""
    slow = settings.model_copy(update={"rate_per_domain": 0.1, "rate_burst": 1,
                                       "rate_max_wait": 1.0})
    url = f"http://slowsite-{uuid.uuid4().hex[:8]}.example/"
    assert take_token(url, slow, rclient) == 0.0
    with pytest.raises(RateLimited) as info:
        take_token(url, slow, rclient)
    assert info.value.retry_after is not None and 9 < info.value.retry_after <= 10
    assert rclient.ttl(bucket_key(slow, url)) > 0


def test_retry_after_seconds_and_http_date(settings: Settings, polite_server: str) -> None:
    """Retry-After is parsed in both forms and backoff never retries sooner."""
    local = settings.model_copy(update={"fetch_allowlist": "127.0.0.1"})
    with make_client(local) as http:
        with pytest.raises(UpstreamUnavailable) as secs:
            fetch(f"{polite_server}/busy-seconds", local, http)
        with pytest.raises(UpstreamUnavailable) as date:
            fetch(f"{polite_server}/busy-date", local, http)
    assert secs.value.retry_after == 7
    assert date.value.retry_after is not None and 27 <= date.value.retry_after <= 30
    prod = Settings(redis_url=settings.redis_url, retry_backoff_base=2)
    assert backoff_seconds(prod, 0, secs.value.retry_after) >= 7
    assert backoff_seconds(prod, 0, date.value.retry_after) >= 27


def test_retry_after_honoured_by_workers(settings: Settings, rclient: redis.Redis,
                                         worker_env: dict[str, str], polite_server: str,
                                         tmp_path: Path) -> None:
    """A worker with real backoff waits at least Retry-After before fetching again."""
    queue = f"ingest-retry-{uuid.uuid4().hex[:8]}"
    env = {**worker_env, "PRESSLINE_RETRY_BACKOFF_BASE": "0.1",
           "PRESSLINE_RETRY_BACKOFF_MAX": "10", "PRESSLINE_INGEST_QUEUE": queue}
    qsettings = settings.model_copy(update={"ingest_queue": queue})
    worker = start_worker_process(qsettings, [queue], 1, env=env, loglevel="INFO",
                                  logfile=str(tmp_path / "worker.log"))
    try:
        job = job_for(f"{polite_server}/retry-after")
        submit_jobs(create_app(qsettings), qsettings, [job])
        ended = wait_for(rclient, qsettings, [job.job_id], timeout=90)
        assert job.job_id in ended, (tmp_path / "worker.log").read_text()[-3000:]
        assert ended[job.job_id].kind == "record", read_outcome(rclient, ended[job.job_id])
    finally:
        stop_worker_process(worker)
    (first, _), (second, _) = PoliteHandler.hits["/retry-after"]
    assert second - first >= 2.0
