"""Intake: submitted items become jobs with stable ids, queued on the ingest queue.

An item is a URL, a file, a directory (walked recursively), a WARC file (``.warc`` or
``.warc.gz``: one inline job per HTML response record) or ``-`` (one item a line on stdin).
Anything else still becomes a job, so that it ends as a dead letter saying why instead of
vanishing at the prompt.
"""

from __future__ import annotations

import os
import re
import sys
import time
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import TextIO

import redis
from celery import Celery

from pressline.celery_app import TASK_INGEST
from pressline.record import Job, digest
from pressline.settings import Settings
from pressline.stream import Outcome, done_key, job_outcomes, page_key

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def looks_like_url(item: str) -> bool:
    """Anything with a scheme (other than a Windows drive letter) is treated as a URL."""
    return bool(_SCHEME.match(item)) and not re.match(r"^[A-Za-z]:[\\/]", item)


def job_for(item: str, refresh: str = "") -> Job:
    """A job whose id is stable: the same URL, or the same unchanged file, gives the same id.

    ``refresh`` (any string, e.g. a timestamp) makes a new id for the same item, to fetch a
    page again on purpose: an updated article then becomes a new version.
    """
    salt = (refresh,) if refresh else ()  # no salt: the ids every other producer computes
    if looks_like_url(item):
        return Job(job_id=digest("url", item.strip(), *salt), item=item.strip(), kind="url")
    path = os.path.abspath(item)
    try:
        st = os.stat(path)
        ident = digest("file", path, str(st.st_size), str(st.st_mtime_ns), *salt)
    except OSError:
        ident = digest("file", path, *salt)
    return Job(job_id=ident, item=path, kind="file")


def is_warc(item: str) -> bool:
    """WARC files are recognized by their extension: ``.warc`` or ``.warc.gz``."""
    return not looks_like_url(item) and item.lower().endswith((".warc", ".warc.gz"))


def inline_job(
    client: redis.Redis, settings: Settings, *, job_id: str, body: str, item: str,
    source: str | None = None, url: str | None = None, content_type: str | None = None,
    fetched_at: datetime | None = None, metadata: dict[str, str] | None = None,
) -> Job:
    """A job for content given inline: the body waits in Redis (with a TTL) under the job's
    page key, which the emit script deletes once the job has ended; the job carries the key."""
    key = page_key(settings, job_id)
    if not client.exists(done_key(settings, job_id)):
        client.set(key, body, ex=settings.page_ttl)
    return Job(job_id=job_id, item=item, kind="inline", body_key=key, source=source, url=url,
               content_type=content_type, fetched_at=fetched_at, metadata=metadata)


def jobs_for_items(
    items: Iterable[str], client: redis.Redis | None, settings: Settings, refresh: str = ""
) -> Iterator[Job]:
    """Jobs for expanded items; a WARC file becomes one inline job per HTML response."""
    for item in items:
        if is_warc(item) and client is not None:
            from services.ingest.warc import warc_jobs

            yield from warc_jobs(item, client, settings)
        else:
            yield job_for(item, refresh)


def _walk(directory: Path) -> Iterator[str]:
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith("."):
                yield str(Path(root) / name)


def expand_items(items: Iterable[str], stdin: TextIO | None = None) -> Iterator[str]:
    """Items in order: directories expanded, ``-`` read from stdin, blank lines skipped."""
    for item in items:
        if item == "-":
            for line in stdin or sys.stdin:
                line = line.strip()
                if line and not line.startswith("#"):
                    yield from expand_items([line])
        elif not looks_like_url(item) and os.path.isdir(item):
            yield from _walk(Path(item))
        else:
            yield item


def submit_jobs(app: Celery, settings: Settings, jobs: Iterable[Job]) -> list[Job]:
    """Queue each job on the ingest queue; the Celery task id is the job id."""
    queued = []
    for job in jobs:
        app.send_task(TASK_INGEST, args=[job.model_dump(mode="json")], task_id=job.job_id,
                      queue=settings.ingest_queue)
        queued.append(job)
    return queued


def wait_for(
    client: redis.Redis, settings: Settings, job_ids: list[str], *, timeout: float | None = None,
    poll: float = 0.2, progress: object = None,
) -> dict[str, Outcome]:
    """Block until every job has ended (or the timeout passes); returns the ended ones."""
    ended: dict[str, Outcome] = {}
    pending = list(dict.fromkeys(job_ids))
    deadline = None if timeout is None else time.monotonic() + timeout
    while pending:
        for start in range(0, len(pending), 500):
            chunk = pending[start:start + 500]
            for job_id, outcome in zip(chunk, job_outcomes(client, settings, chunk), strict=True):
                if outcome is not None:
                    ended[job_id] = outcome
        pending = [j for j in pending if j not in ended]
        if callable(progress):
            progress(len(ended), len(ended) + len(pending))
        if not pending or (deadline is not None and time.monotonic() > deadline):
            break
        time.sleep(poll)
    return ended
