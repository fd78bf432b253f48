"""WARC files: every HTML response record becomes an inline job, read as a stream (warcio).

Only ``response`` records with HTTP status 200 and an HTML media type are taken; requests,
metadata, revisits, images and error responses are skipped. Each record's body is decoded
(HTTP transfer and content encodings undone by warcio, the charset found as for a fetch) and
stored in Redis with a TTL; the job carries the record's ``WARC-Target-URI`` as source and
URL and its ``WARC-Date`` as fetch time. Job ids are digests of the WARC file's absolute
path and the record's ``WARC-Record-ID`` (its offset when it has none), so submitting the
same file twice queues nothing new.

A WARC that cannot be read, or a record over ``PRESSLINE_FETCH_MAX_BYTES``, ends as a dead
letter (``unreadable_file``), never as silence.
"""

from __future__ import annotations

import logging
import os
import zlib
from collections.abc import Iterator
from datetime import datetime
from typing import BinaryIO

import redis
from pydantic import TypeAdapter, ValidationError
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from pressline.intake import inline_job
from pressline.record import Job, digest
from pressline.settings import Settings
from pressline.stream import emit_dead
from services.ingest.decode import decode_body

log = logging.getLogger("pressline")

HTML_TYPES = ("text/html", "application/xhtml+xml")
_DATE: TypeAdapter[datetime] = TypeAdapter(datetime)


def _dead_job(client: redis.Redis, settings: Settings, job_id: str, item: str,
              message: str) -> Job:
    """A job that has already ended as a dead letter (the worker skips it): the submitter
    still prints it, and ``--wait`` reports the reason."""
    emit_dead(client, settings, job_id=job_id, item=item, reason="unreadable_file",
              message=message, stage="intake")
    return Job(job_id=job_id, item=item, kind="file")


def _record_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return _DATE.validate_python(value)
    except ValidationError:
        return None


def _starts_like_warc(stream: BinaryIO) -> bool:
    """The file (gzip or not) begins with a ``WARC/`` version line; the stream is rewound."""
    head = stream.read(4096)
    stream.seek(0)
    if head.startswith(b"\x1f\x8b"):
        try:
            head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, 64)
        except zlib.error:
            return False
    return head.lstrip(b"\r\n").startswith(b"WARC/")


def warc_jobs(path: str, client: redis.Redis, settings: Settings) -> Iterator[Job]:
    """One inline job per HTML response record of the WARC at ``path``, streaming."""
    path = os.path.abspath(path)
    cap = settings.fetch_max_bytes
    try:
        stream = open(path, "rb")  # noqa: SIM115 - closed below, after the generator ends
    except OSError as exc:
        yield _dead_job(client, settings, digest("warc", path), path,
                        f"cannot read WARC file: {exc.strerror or exc}")
        return
    with stream:
        if not _starts_like_warc(stream):
            yield _dead_job(client, settings, digest("warc", path, "error"), path,
                            "unreadable WARC file: it does not start with a WARC/1.x record")
            return
        records = ArchiveIterator(stream)
        try:
            for record in records:
                if record.rec_type != "response" or record.http_headers is None:
                    continue
                if record.http_headers.get_statuscode() != "200":
                    continue
                content_type = record.http_headers.get_header("Content-Type") or ""
                if content_type.split(";")[0].strip().lower() not in HTML_TYPES:
                    continue
                uri = (record.rec_headers.get_header("WARC-Target-URI") or "").strip("<> ")
                ident = (record.rec_headers.get_header("WARC-Record-ID")
                         or f"offset:{records.get_record_offset()}")
                job_id = digest("warc", path, ident)
                raw = record.content_stream().read(cap + 1)
                if len(raw) > cap:
                    yield _dead_job(client, settings, job_id, uri or path,
                                    f"WARC record over the {cap}-byte cap")
                    continue
                body, _charset = decode_body(raw, content_type)
                yield inline_job(
                    client, settings, job_id=job_id, body=body, item=uri or f"{path}#{ident}",
                    source=uri or os.path.basename(path), url=uri or None,
                    content_type=content_type,
                    fetched_at=_record_date(record.rec_headers.get_header("WARC-Date")),
                )
        except (ArchiveLoadFailed, OSError, EOFError, ValueError) as exc:
            log.warning("unreadable WARC %s: %s", path, exc)
            yield _dead_job(client, settings, digest("warc", path, "error"), path,
                            f"unreadable WARC file: {exc}")
