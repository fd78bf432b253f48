"""``pressline run``: the whole pipeline on one machine, started and stopped by one command."""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TextIO

import redis

from pressline.connection import connect
from pressline.embedded import EmbeddedRedis
from pressline.intake import expand_items, job_for, submit_jobs, wait_for
from pressline.record import Job
from pressline.settings import Settings
from pressline.stream import Outcome, read_outcome
from pressline.workers import start_worker_process, stop_worker_process


@dataclass
class RunResult:
    jobs: list[Job]
    records: list[dict[str, object]] = field(default_factory=list)
    dead: list[dict[str, str]] = field(default_factory=list)
    unfinished: list[Job] = field(default_factory=list)


@contextlib.contextmanager
def redis_for_run(settings: Settings) -> Iterator[Settings]:
    """The configured Redis, or an embedded one for the duration of the run."""
    if settings.redis_url:
        yield settings
        return
    with EmbeddedRedis() as server:
        yield settings.model_copy(update={"redis_url": server.url})


class Progress:
    """A one-line progress bar on stderr (only when stderr is a terminal, or forced)."""

    def __init__(self, stream: TextIO, enabled: bool) -> None:
        self.stream, self.enabled = stream, enabled
        self.last = (-1, -1)

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or total == 0 or (done, total) == self.last:
            return
        self.last = (done, total)
        width = 30
        filled = width * done // total
        self.stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} ended")
        if done == total:
            self.stream.write("\n")
        self.stream.flush()


def collect(client: redis.Redis, jobs: list[Job], ended: dict[str, Outcome]) -> RunResult:
    result = RunResult(jobs=jobs)
    for job in jobs:
        outcome = ended.get(job.job_id)
        if outcome is None:
            result.unfinished.append(job)
            continue
        fields = read_outcome(client, outcome) or {}
        if outcome.kind == "record" and "record" in fields:
            result.records.append(json.loads(fields["record"]))
        else:
            result.dead.append(fields or {"job_id": job.job_id, "input": job.item,
                                          "reason": "trimmed", "message": "entry trimmed"})
    return result


def run_pipeline(
    settings: Settings, items: list[str], *, concurrency: int | None = None,
    timeout: float | None = None, progress: bool = True, stdin: TextIO | None = None,
) -> RunResult:
    """Start Redis (if needed) and workers, submit, wait for every item, stop what we started."""
    jobs = list({j.job_id: j for j in (job_for(i) for i in expand_items(items, stdin))}.values())
    with redis_for_run(settings) as run_settings:
        env = {"PRESSLINE_REDIS_URL": run_settings.redis_url}
        queues = [run_settings.ingest_queue, run_settings.normalize_queue]
        worker = start_worker_process(run_settings, queues, concurrency, env=env)
        client = connect(run_settings.redis_url)
        try:
            from pressline.celery_app import create_app

            app = create_app(run_settings)
            submit_jobs(app, run_settings, jobs)
            bar = Progress(sys.stderr, progress)
            ended = wait_for(client, run_settings, [j.job_id for j in jobs], timeout=timeout,
                             progress=bar)
            return collect(client, jobs, ended)
        finally:
            stop_worker_process(worker)
            client.close()


def summary_table(result: RunResult) -> str:
    """Title, site, words and removals per record, then the failures."""
    rows = [("title", "site or source", "words", "removed")]
    for rec in result.records:
        title = str(rec.get("title") or "(no headline)")
        removed = rec.get("removed")
        rows.append((title[:60], str(rec.get("site") or rec.get("source") or "")[:28],
                     str(rec.get("word_count")),
                     str(len(removed)) if isinstance(removed, list) else "-"))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = ["  ".join(c.ljust(w) if i != 2 else c.rjust(w)
                       for i, (c, w) in enumerate(zip(row, widths, strict=True)))
             for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    for dead in result.dead:
        lines.append(f"FAILED {dead.get('input')}: {dead.get('reason')}: {dead.get('message')}")
    for job in result.unfinished:
        lines.append(f"UNFINISHED {job.item}")
    lines.append(f"{len(result.records)} records, {len(result.dead)} failures"
                 + (f", {len(result.unfinished)} unfinished" if result.unfinished else ""))
    return "\n".join(lines)
