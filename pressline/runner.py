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
    """Per record: row, title, site, words, removals, story and relations; then the stories
    with more than one record, then the failures.

    ``story`` is the first 8 characters of ``story_id``; ``related`` lists ``dup #n`` (exact
    duplicate of row n), ``v2 of #n`` (a new version) and ``~#n 0.44`` (near duplicate, with
    its similarity; shown on both rows), naming records outside this run by their id's first
    8 characters.
    """
    row_of = {str(rec.get("id")): n for n, rec in enumerate(result.records, 1)}

    def ref(rid: object) -> str:
        return f"#{row_of[str(rid)]}" if str(rid) in row_of else str(rid)[:8]

    near_of: dict[int, dict[str, float]] = {}  # near-duplicate links, shown on both rows
    for n, rec in enumerate(result.records, 1):
        near = rec.get("near_duplicates")
        for item in near if isinstance(near, list) else []:
            if isinstance(item, dict):
                other, sim = str(item.get("id")), float(item.get("similarity", 0))
                near_of.setdefault(n, {})[other] = sim
                if other in row_of:
                    near_of.setdefault(row_of[other], {})[str(rec.get("id"))] = sim
    rows = [("#", "title", "site or source", "words", "removed", "story", "related")]
    for n, rec in enumerate(result.records, 1):
        title = str(rec.get("title") or "(no headline)")
        removed = rec.get("removed")
        related = []
        if rec.get("duplicate_of"):
            related.append(f"dup {ref(rec['duplicate_of'])}")
        if rec.get("previous_id"):
            related.append(f"v{rec.get('version')} of {ref(rec['previous_id'])}")
        related += [f"~{ref(other)} {sim:.2f}" for other, sim in near_of.get(n, {}).items()]
        rows.append((str(n), title[:60], str(rec.get("site") or rec.get("source") or "")[:28],
                     str(rec.get("word_count")),
                     str(len(removed)) if isinstance(removed, list) else "-",
                     str(rec.get("story_id") or "-")[:8], ", ".join(related) or "-"))
    right = {0, 3}
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.rjust(w) if i in right else c.ljust(w)
                       for i, (c, w) in enumerate(zip(row, widths, strict=True))).rstrip()
             for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    stories: dict[str, list[int]] = {}
    for n, rec in enumerate(result.records, 1):
        if rec.get("story_id"):
            stories.setdefault(str(rec["story_id"]), []).append(n)
    shared = {sid: ns for sid, ns in stories.items() if len(ns) > 1}
    if stories:
        lines.append(f"{len(stories)} {'story' if len(stories) == 1 else 'stories'}"
                     + (", shared by several records:" if shared else ""))
        for sid, ns in shared.items():
            lines.append(f"  story {sid[:8]}: {len(ns)} records ("
                         + ", ".join(f"#{n}" for n in ns) + ")")
    for dead in result.dead:
        lines.append(f"FAILED {dead.get('input')}: {dead.get('reason')}: {dead.get('message')}")
    for job in result.unfinished:
        lines.append(f"UNFINISHED {job.item}")
    lines.append(f"{len(result.records)} records, {len(result.dead)} failures"
                 + (f", {len(result.unfinished)} unfinished" if result.unfinished else ""))
    return "\n".join(lines)
