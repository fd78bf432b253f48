"""A job to a decoded page: fetch the URL or read the file, then decode the bytes."""

from __future__ import annotations

from pathlib import Path

import httpx

from pressline.errors import UnsupportedContent
from pressline.record import Job, RawPage, utcnow
from pressline.settings import Settings
from services.ingest.decode import decode_body
from services.ingest.fetch import fetch
from services.ingest.files import read_page_file


def acquire(job: Job, settings: Settings, http: httpx.Client) -> tuple[RawPage, str]:
    """The page's metadata and its decoded body (the body may be large: stored separately)."""
    if job.kind == "url":
        fetched = fetch(job.item, settings, http)
        body, charset = decode_body(fetched.body, fetched.content_type)
        page = RawPage(job_id=job.job_id, item=job.item, source=job.item, url=fetched.url,
                       content_type=fetched.content_type, charset=charset, fetched_at=utcnow())
    else:
        raw = read_page_file(job.item, settings)
        body, charset = decode_body(raw)
        page = RawPage(job_id=job.job_id, item=job.item, source=Path(job.item).name, url=None,
                       charset=charset, fetched_at=utcnow())
    if not body.strip():
        raise UnsupportedContent("page is empty after decoding", item=job.item)
    return page, body
