"""The language-neutral front door: requests on a Redis Stream become queued jobs.

Any producer, in any language, appends ``XADD pressline:requests * request '<json>'``; the JSON
has exactly one of ``url``, ``path``, ``html`` or ``text``, and optionally ``id`` (the job id),
``source`` and ``metadata`` (``url``, ``fetched_at``, ``site``; flows into the record). The
schema is ``schema/request.schema.json``, generated from ``IntakeRequest``.

The bridge reads with the consumer group ``pressline-bridge``: first its own pending entries
(a crash between reading and acknowledging loses nothing), then entries idle in dead consumers,
then new ones. An entry is acknowledged only after its job is queued (inline bodies are stored
in Redis first). A malformed request becomes a dead letter (``invalid_input``, stage
``bridge``) with the reason, and is acknowledged. Delivery to the queue is at-least-once; the
job id makes the output exactly-once.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import threading
from datetime import datetime
from typing import Any

import redis
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from pressline.intake import inline_job, job_for
from pressline.record import Job, digest
from pressline.settings import Settings
from pressline.stream import emit_dead
from pressline.tail import _entries, ensure_group

log = logging.getLogger("pressline")

JOB_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$"
CONTENT_FIELDS = ("url", "path", "html", "text")
REQUEST_FIELD = "request"


class RequestMetadata(BaseModel):
    """What the producer knows about the page; wins over what the HTML says."""

    model_config = ConfigDict(extra="allow")

    url: str | None = Field(None, max_length=8192, description="The page's original URL.")
    fetched_at: datetime | None = Field(None, description="When the page was captured "
                                        "(ISO 8601; without an offset it is taken as UTC).")
    site: str | None = Field(None, max_length=512, description="The site's name.")


class IntakeRequest(BaseModel):
    """One request on ``pressline:requests``: exactly one of url, path, html or text."""

    model_config = ConfigDict(extra="forbid", title="PresslineRequest", json_schema_extra={
        "oneOf": [{"required": [name]} for name in CONTENT_FIELDS],
    })

    id: str | None = Field(None, pattern=JOB_ID_PATTERN, description=(
        "Becomes the job id (1-128 characters: letters, digits and ._:@-, starting with a "
        "letter or digit). Default: a digest of the content."))
    url: str | None = Field(None, min_length=1, max_length=8192,
                            description="An http(s) URL to fetch.")
    path: str | None = Field(None, min_length=1, max_length=4096,
                             description="A file the workers can read.")
    html: str | None = Field(None, min_length=1, description="The page's HTML.")
    text: str | None = Field(None, min_length=1, description="A plain-text capture.")
    source: str | None = Field(None, max_length=2048,
                               description="Shown as the record's source.")
    metadata: RequestMetadata | None = None

    @field_validator("metadata", mode="before")
    @classmethod
    def _flat(cls, value: Any) -> Any:
        if isinstance(value, dict):
            for key, inner in value.items():
                if isinstance(inner, (dict, list)):
                    raise ValueError(f"metadata field {key!r} must be a string or number")
        return value

    @model_validator(mode="after")
    def _exactly_one(self) -> IntakeRequest:
        given = [name for name in CONTENT_FIELDS if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError("exactly one of url, path, html or text is required"
                             + (f" (got {', '.join(given)})" if given else ""))
        return self

    def metadata_strings(self) -> dict[str, str] | None:
        if self.metadata is None:
            return None
        out: dict[str, str] = {}
        for key, value in self.metadata.model_dump(mode="json", exclude_none=True).items():
            out[key] = value if isinstance(value, str) else json.dumps(value)
        return out or None


def request_schema() -> dict[str, Any]:
    """The JSON Schema published for producers in any language."""
    schema = IntakeRequest.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://pressline.dev/schema/request-1.0.json"
    return schema


class Rejected(Exception):
    """A request that cannot become a job; ``job_id`` names its dead letter."""

    def __init__(self, message: str, job_id: str, item: str) -> None:
        super().__init__(message)
        self.message = message
        self.job_id = job_id
        self.item = item


def _explain(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"])
        msg = str(err["msg"]).removeprefix("Value error, ")
        parts.append(f"{loc}: {msg}" if loc else msg)
    return "; ".join(parts)


def parse_request(entry_id: str, fields: dict[str, str]) -> IntakeRequest:
    """The entry's request, or ``Rejected`` saying why it is not one."""
    raw = fields.get(REQUEST_FIELD)
    fallback = digest("request", entry_id)
    if raw is None:
        raise Rejected(f"entry has no {REQUEST_FIELD!r} field (fields: "
                       f"{', '.join(sorted(fields)) or 'none'})", fallback,
                       json.dumps(fields)[:2000])
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise Rejected(f"request is not valid JSON: {exc}", fallback, raw[:2000]) from None
    if not isinstance(data, dict):
        raise Rejected("request must be a JSON object", fallback, raw[:2000])
    given = data.get("id")
    job_id = given if isinstance(given, str) and _valid_id(given) else fallback
    try:
        return IntakeRequest.model_validate(data)
    except ValidationError as exc:
        raise Rejected(f"invalid request: {_explain(exc)}", job_id, raw[:2000]) from None


def _valid_id(value: str) -> bool:
    return bool(re.fullmatch(JOB_ID_PATTERN, value))


def job_for_request(req: IntakeRequest, client: redis.Redis, settings: Settings) -> Job:
    """The job a valid request asks for (inline bodies are stored in Redis here)."""
    meta = req.metadata_strings()
    if req.url is not None:
        url = req.url.strip()
        return Job(job_id=req.id or digest("url", url), item=url, kind="url", source=req.source,
                   metadata=meta)
    if req.path is not None:
        job = job_for(os.path.abspath(req.path))
        return job.model_copy(update={"job_id": req.id or job.job_id, "source": req.source,
                                      "metadata": meta})
    content = req.html if req.html is not None else req.text or ""
    kind = "html" if req.html is not None else "text"
    job_id = req.id or digest("inline", kind, hashlib.sha256(content.encode("utf-8",
                                                                           "surrogatepass"))
                              .hexdigest())
    meta_url = (meta or {}).get("url")
    source = req.source or meta_url or f"request:{job_id}"
    return inline_job(client, settings, job_id=job_id, body=content, item=source, source=source,
                      content_type="text/html" if kind == "html" else "text/plain",
                      metadata=meta)


def handle_entry(entry_id: str, fields: dict[str, str], client: redis.Redis, celery: Any,
                 settings: Settings) -> Job | None:
    """Queue the entry's job (or dead-letter it), then acknowledge; the job, or None."""
    from pressline.intake import submit_jobs

    try:
        req = parse_request(entry_id, fields)
        job = job_for_request(req, client, settings)
    except Rejected as rej:
        emit_dead(client, settings, job_id=rej.job_id, item=rej.item, reason="invalid_input",
                  message=rej.message, stage="bridge")
        log.warning("request %s dead-lettered: %s", entry_id, rej.message,
                    extra={"job_id": rej.job_id})
        client.xack(settings.requests_stream, settings.requests_group, entry_id)
        return None
    submit_jobs(celery, settings, [job])  # raises if the broker is unreachable: no ack
    client.xack(settings.requests_stream, settings.requests_group, entry_id)
    log.info("request %s queued", entry_id, extra={"job_id": job.job_id})
    return job


def run_bridge(client: redis.Redis, celery: Any, settings: Settings, consumer: str, *,
               stop: threading.Event | None = None, once: bool = False, batch: int = 50,
               block_ms: int = 1000, claim_idle_ms: int = 60_000) -> int:
    """Bridge requests to the ingest queue until ``stop`` is set (or, ``once``, until the
    stream has nothing new); returns how many entries were handled."""
    stream, group = settings.requests_stream, settings.requests_group
    ensure_group(client, stream, group, from_start=True)
    handled = 0
    stop = stop or threading.Event()
    recover = True
    while not stop.is_set():
        try:
            if recover:  # our own pending entries, then those of dead consumers
                handled += _drain_pending(client, celery, settings, consumer, batch)
                start = "0-0"
                while True:
                    start, claimed = client.xautoclaim(stream, group, consumer, claim_idle_ms,
                                                       start, count=batch)[:2]
                    for entry_id, fields in claimed:
                        if fields:
                            handle_entry(entry_id, fields, client, celery, settings)
                            handled += 1
                    if start in ("0-0", b"0-0"):
                        break
                recover = False
            new = _entries(client.xreadgroup(group, consumer, {stream: ">"}, count=batch,
                                             block=None if once else block_ms))
            for entry_id, fields in new:
                if fields:
                    handle_entry(entry_id, fields, client, celery, settings)
                    handled += 1
            if once and not new:
                return handled
        except Exception:  # broker or Redis trouble: entries stay pending, retried later
            log.exception("bridge error; pending requests will be retried")
            recover = True
            if once:
                raise
            stop.wait(1.0)
    return handled


def _drain_pending(client: redis.Redis, celery: Any, settings: Settings, consumer: str,
                   batch: int) -> int:
    handled = 0
    cursor = "0"
    while True:
        own = _entries(client.xreadgroup(settings.requests_group, consumer,
                                         {settings.requests_stream: cursor}, count=batch))
        if not own:
            return handled
        for entry_id, fields in own:
            if fields:
                handle_entry(entry_id, fields, client, celery, settings)
                handled += 1
            else:  # trimmed away while pending: nothing to do but forget it
                client.xack(settings.requests_stream, settings.requests_group, entry_id)
        cursor = own[-1][0]


def main_loop(settings: Settings, consumer: str, *, once: bool = False) -> int:
    """``pressline bridge``: runs until SIGTERM/SIGINT."""
    import signal

    from pressline.celery_app import create_app
    from pressline.connection import connect

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    client = connect(settings.redis_url)
    log.info("bridge reading %s as %s/%s", settings.requests_stream, settings.requests_group,
             consumer)
    handled = run_bridge(client, create_app(settings), settings, consumer, stop=stop, once=once)
    client.close()
    return handled
