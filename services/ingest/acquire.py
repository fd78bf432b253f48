"""A job to a decoded page: fetch the URL, read the file or load the inline body, then decode.

URLs wait for politeness first (robots.txt, the domain's shared rate limit). A dropped file
may have a sidecar ``NAME.json`` next to it (``story.html.json`` or ``story.json``) giving the
original ``url``, ``fetched_at`` and ``site``; inline jobs (requests, WARC records) carry
their metadata in the job. Either way it travels on the page and is applied to the record.
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from pressline.connection import get_client
from pressline.errors import InvalidInput, PageExpired, UnsupportedContent
from pressline.record import Job, RawPage, utcnow
from pressline.settings import Settings
from services.ingest.decode import decode_body
from services.ingest.fetch import check_url, fetch
from services.ingest.files import read_page_file
from services.ingest.polite import be_polite

SIDECAR_MAX_BYTES = 64 * 1024


def sidecar_paths(path: str) -> list[Path]:
    """Where a file's sidecar may be: ``NAME.json`` for the full name, then for the stem."""
    p = Path(path)
    candidates = [p.with_name(p.name + ".json")]
    if p.suffix and p.suffix.lower() != ".json":
        candidates.append(p.with_name(p.stem + ".json"))
    return candidates


def metadata_strings(data: object, item: str) -> dict[str, str]:
    """A metadata object as a flat str-to-str map (nested values are refused)."""
    if not isinstance(data, dict):
        raise InvalidInput("metadata must be a JSON object", item=item)
    out: dict[str, str] = {}
    for key, value in data.items():
        if value is None:
            continue
        if isinstance(value, (dict, list)):
            raise InvalidInput(f"metadata field {key!r} must be a string or number", item=item)
        out[str(key)] = value if isinstance(value, str) else json.dumps(value)
    return out


def read_sidecar(path: str) -> dict[str, str] | None:
    """The file's sidecar metadata, or None when it has none; a broken one is invalid input."""
    for candidate in sidecar_paths(path):
        if not candidate.is_file():
            continue
        try:
            raw = candidate.read_bytes()[: SIDECAR_MAX_BYTES + 1]
            if len(raw) > SIDECAR_MAX_BYTES:
                raise InvalidInput(f"sidecar {candidate.name} is over {SIDECAR_MAX_BYTES} bytes",
                                   item=path)
            data = json.loads(raw)
        except (OSError, ValueError) as exc:
            raise InvalidInput(f"sidecar {candidate.name} is not valid JSON: {exc}",
                               item=path) from exc
        return metadata_strings(data, path)
    return None


def acquire(job: Job, settings: Settings, http: httpx.Client) -> tuple[RawPage, str]:
    """The page's metadata and its decoded body (the body may be large: stored separately)."""
    if job.kind == "url":
        check_url(job.item)
        be_polite(job.item, settings, get_client(settings), http)
        fetched = fetch(job.item, settings, http)
        body, charset = decode_body(fetched.body, fetched.content_type)
        page = RawPage(job_id=job.job_id, item=job.item, source=job.source or job.item,
                       url=fetched.url, content_type=fetched.content_type, charset=charset,
                       fetched_at=utcnow())
    elif job.kind == "inline":
        if job.body_key is None:
            raise InvalidInput("inline job without a body key", item=job.item)
        stored = get_client(settings).get(job.body_key)
        if stored is None:
            raise PageExpired("inline body expired before ingest ran", item=job.item)
        body = str(stored)
        page = RawPage(job_id=job.job_id, item=job.item, source=job.source or job.item,
                       url=job.url, content_type=job.content_type,
                       fetched_at=job.fetched_at or utcnow())
    else:
        raw = read_page_file(job.item, settings)
        body, charset = decode_body(raw)
        page = RawPage(job_id=job.job_id, item=job.item, source=job.source or Path(job.item).name,
                       url=job.url, charset=charset, fetched_at=job.fetched_at or utcnow())
        if job.metadata is None:
            sidecar = read_sidecar(job.item)
            if sidecar:
                page = page.model_copy(update={"metadata": sidecar, "metadata_source": "sidecar"})
    if job.metadata:
        page = page.model_copy(update={"metadata": job.metadata, "metadata_source": "request"})
    if not body.strip():
        raise UnsupportedContent("page is empty after decoding", item=job.item)
    return page, body
