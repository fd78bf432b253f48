"""Fault tests with real processes and a real Redis: every job ends exactly once.

Each test submits N items, injects a fault (killed pool children, a killed worker, a warm
shutdown, a kill between XADD and acknowledgement, a Redis restart, a poison page, a killed
stream consumer) and asserts that every job ended as exactly one record or one dead letter.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from pressline.celery_app import create_app
from pressline.embedded import EmbeddedRedis
from pressline.intake import job_for, submit_jobs, wait_for
from pressline.record import ArticleRecord, Job
from pressline.settings import Settings
from pressline.stream import emit_record
from pressline.workers import pool_children, start_worker_process, stop_worker_process
from tests.conftest import ROOT, SEEDS

FAULT_ENV = {
    "PRESSLINE_RETRY_BACKOFF_BASE": "0",
    "PRESSLINE_RETRY_BACKOFF_MAX": "2",
    "PRESSLINE_TASK_SOFT_TIME_LIMIT": "6",
    "PRESSLINE_TASK_TIME_LIMIT": "8",
    "PRESSLINE_VISIBILITY_TIMEOUT": "10",
    "PRESSLINE_MAX_ATTEMPTS": "3",
    "PRESSLINE_FETCH_ALLOWLIST": "127.0.0.1",
    "PRESSLINE_RATE_PER_DOMAIN": "0",
}


class Rig:
    """An isolated Redis plus workers started on demand, and the outcome ledger."""

    def __init__(self, server: EmbeddedRedis, logdir: Path, fault: str = "",
                 **overrides: str) -> None:
        self.server = server
        env = {**FAULT_ENV, **{f"PRESSLINE_{k.upper()}": v for k, v in overrides.items()}}
        self.env = {**env, "PRESSLINE_REDIS_URL": server.url, "PRESSLINE_TEST_FAULT": fault,
                    "PYTHONPATH": str(ROOT)}
        self.settings = Settings(**{k.removeprefix("PRESSLINE_").lower(): v  # type: ignore[arg-type]
                                    for k, v in self.env.items() if k.startswith("PRESSLINE_")})
        self.client = redis.Redis.from_url(server.url, decode_responses=True)
        self.logdir = logdir
        self.workers: list[subprocess.Popen[bytes]] = []

    def start_worker(self, concurrency: int = 2) -> subprocess.Popen[bytes]:
        log = self.logdir / f"worker-{len(self.workers)}.log"
        proc = start_worker_process(
            self.settings, [self.settings.ingest_queue, self.settings.normalize_queue],
            concurrency, env=self.env, loglevel="INFO", logfile=str(log),
            app_module="tests.fault_app", name=f"fault{len(self.workers)}@%h")
        deadline = time.monotonic() + 60
        while b"ready." not in (log.read_bytes() if log.exists() else b""):
            assert proc.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        self.workers.append(proc)
        return proc

    def submit(self, items: list[str]) -> list[Job]:
        jobs = [job_for(i) for i in items]
        submit_jobs(create_app(self.settings), self.settings, jobs)
        return jobs

    def ended(self, jobs: list[Job]) -> int:
        return len(wait_for(self.client, self.settings, [j.job_id for j in jobs], timeout=0))

    def wait_ended(self, jobs: list[Job], timeout: float = 120) -> None:
        wait_for(self.client, self.settings, [j.job_id for j in jobs], timeout=timeout)

    def ledger(self) -> tuple[Counter[str], Counter[str], dict[str, str]]:
        """Records and dead letters per job id, read back from both streams."""
        records: Counter[str] = Counter()
        dead: Counter[str] = Counter()
        reasons: dict[str, str] = {}
        for _id, fields in self.client.xrange(self.settings.stream):
            records[json.loads(fields["record"])["job_id"]] += 1
        for _id, fields in self.client.xrange(self.settings.dead_stream):
            dead[fields["job_id"]] += 1
            reasons[fields["job_id"]] = fields["reason"]
        return records, dead, reasons

    def assert_exactly_once(self, jobs: list[Job]) -> tuple[int, int]:
        """Every job ended as exactly one record or one dead letter; returns the counts."""
        records, dead, _ = self.ledger()
        for job in jobs:
            total = records[job.job_id] + dead[job.job_id]
            assert total == 1, f"{job.item}: {records[job.job_id]} records, {dead[job.job_id]} dead"
        assert set(records) | set(dead) <= {j.job_id for j in jobs}
        return sum(records.values()), sum(dead.values())

    def close(self) -> None:
        for proc in self.workers:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        self.client.close()


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Rig]:
    with EmbeddedRedis(persist=True) as server:
        r = Rig(server, tmp_path)
        yield r
        r.close()


def slow_urls(http_server: str, n: int, tag: str) -> list[str]:
    return [f"{http_server}/slow?{tag}{i}" for i in range(n)]


def test_sigkill_pool_children_repeatedly(rig: Rig, http_server: str) -> None:
    """Pool children SIGKILLed mid-task, again and again: no job lost, none twice."""
    worker = rig.start_worker()
    jobs = rig.submit(slow_urls(http_server, 30, "a"))
    kills = 0
    rng = random.Random(1)
    while rig.ended(jobs) < len(jobs) and kills < 8:
        time.sleep(0.7)
        kids = pool_children(worker.pid)
        if kids:
            os.kill(rng.choice(kids), signal.SIGKILL)
            kills += 1
    rig.wait_ended(jobs)
    records, dead = rig.assert_exactly_once(jobs)
    assert kills >= 3
    assert records + dead == 30 and records >= 27  # a job killed 3 times may be poison


def test_sigkill_whole_worker_then_restart(rig: Rig, http_server: str) -> None:
    """The whole worker killed mid-run; a new worker gets its unacked work back."""
    worker = rig.start_worker()
    jobs = rig.submit(slow_urls(http_server, 20, "b"))
    while rig.ended(jobs) < 4:
        time.sleep(0.1)
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait()
    rig.start_worker()
    rig.wait_ended(jobs, timeout=90)
    records, dead = rig.assert_exactly_once(jobs)
    assert (records, dead) == (20, 0)


def test_sigterm_warm_shutdown(rig: Rig, http_server: str) -> None:
    """SIGTERM lets running tasks finish and returns reserved ones to the queue."""
    worker = rig.start_worker()
    jobs = rig.submit(slow_urls(http_server, 20, "c"))
    while rig.ended(jobs) < 3:
        time.sleep(0.1)
    stop_worker_process(worker, timeout=30)
    assert worker.returncode == 0
    done_at_stop = rig.ended(jobs)
    assert done_at_stop < len(jobs)
    rig.start_worker()
    rig.wait_ended(jobs, timeout=90)
    assert rig.assert_exactly_once(jobs) == (20, 0)


def test_kill_between_xadd_and_ack(tmp_path: Path) -> None:
    """A child killed after writing the record but before the ack: redelivery writes nothing."""
    with EmbeddedRedis() as server:
        rig = Rig(server, tmp_path, fault="kill_after_emit")
        try:
            rig.start_worker()
            items = []
            for i in range(8):
                page = tmp_path / f"page{i}.txt"
                page.write_text((SEEDS / "003_1e8fafeeda8606d8.txt").read_text() + f"\nPart {i}.")
                items.append(str(page))
            jobs = rig.submit(items)
            rig.wait_ended(jobs, timeout=90)
            assert rig.assert_exactly_once(jobs) == (8, 0)
            killed = rig.client.keys(rig.settings.key("test", "killed", "*"))
            assert len(killed) == 8  # every job really was killed once after XADD
        finally:
            rig.close()


def test_redis_restart_under_load(tmp_path: Path, http_server: str) -> None:
    """Redis restarted mid-run: workers reconnect by themselves and nothing is lost."""
    # Celery's reconnect loop blocks the worker's event loop (2 s, 4 s, ...); time limits
    # shorter than the outage would fire on tasks that already ended, so give them room.
    with EmbeddedRedis(persist=True) as server:
        rig = Rig(server, tmp_path, task_soft_time_limit="30", task_time_limit="40",
                  visibility_timeout="60")
        try:
            _redis_restart(rig, http_server)
        finally:
            rig.close()


def _redis_restart(rig: Rig, http_server: str) -> None:
    rig.start_worker()
    jobs = rig.submit(slow_urls(http_server, 30, "d"))
    while rig.ended(jobs) < 5:
        time.sleep(0.1)
    rig.server.shutdown()
    time.sleep(2)
    rig.server.start()
    rig.wait_ended(jobs, timeout=120)
    records, _dead = rig.assert_exactly_once(jobs)
    assert records >= 27  # a few jobs cut off by the outage may end as dead letters
    assert all(p.poll() is None for p in rig.workers)  # the same worker carried on


def test_poison_page_dead_lettered_after_n_attempts(tmp_path: Path) -> None:
    """A page that kills its process every time is dead-lettered after N tries; others flow."""
    with EmbeddedRedis() as server:
        rig = Rig(server, tmp_path, fault="crash_marker")
        try:
            rig.start_worker()
            good, bad = [], []
            for i in range(6):
                page = tmp_path / f"ok{i}.txt"
                page.write_text((SEEDS / "000_bf3ce4bf6489a09f.txt").read_text() + f"\nNo. {i}.")
                good.append(str(page))
            for i in range(2):
                page = tmp_path / f"poison{i}.txt"
                seed = (SEEDS / "002_fbc8137f2d954ad1.txt").read_text()
                page.write_text(f"CRASH-ME {i}\n{seed}")
                bad.append(str(page))
            jobs = rig.submit(bad[:1] + good + bad[1:])
            rig.wait_ended(jobs, timeout=120)
            assert rig.assert_exactly_once(jobs) == (6, 2)
            _, _, reasons = rig.ledger()
            assert {reasons[job_for(b).job_id] for b in bad} == {"poison"}
            dead = rig.client.xrange(rig.settings.dead_stream)
            assert all("killed 3 times" in f["message"] for _, f in dead)
        finally:
            rig.close()


def test_tail_consumer_killed_mid_batch(rig: Rig) -> None:
    """A `pressline tail` killed mid-batch loses nothing: its pending entries are recovered."""
    settings = rig.settings
    for i in range(40):
        emit_record(rig.client, settings, ArticleRecord(
            id=f"r{i}", job_id=f"tail-job-{i}", source="s", text="a b c", word_count=3,
            content_hash="0" * 64, input_format="text"))
    env = {**os.environ, "PRESSLINE_REDIS_URL": rig.server.url}
    base = [sys.executable, "-m", "pressline.cli", "tail", "--group", "readers", "--from-start"]
    first = subprocess.Popen([*base, "--consumer", "c1", "--follow"], env=env,
                             stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert first.stdout is not None
    seen = [json.loads(first.stdout.readline())["job_id"] for _ in range(10)]
    first.kill()
    first.wait()
    seen += [json.loads(x)["job_id"] for x in first.stdout.read().splitlines()]
    # c1 never comes back; c2 claims what c1 left pending, then reads the rest.
    second = subprocess.run([*base, "--consumer", "c2", "--claim-idle-ms", "0"], env=env,
                            capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert second.returncode == 0, second.stderr
    seen += [json.loads(x)["job_id"] for x in second.stdout.splitlines()]
    assert set(seen) == {f"tail-job-{i}" for i in range(40)}
    assert rig.client.xpending(settings.stream, "readers")["pending"] == 0
