"""Everything pressline writes to Redis for a job: the page body, and exactly one outcome.

An outcome is a record on ``pressline:articles`` or a dead letter on ``pressline:dead``. Both
go through one Lua script keyed by the job id: if the job's done-key exists nothing happens,
else XADD then SET the done-key, atomically. A redelivered task therefore never writes a
second record, nor a record plus a dead letter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import redis

from pressline.errors import PageExpired, StoreUnavailable
from pressline.record import ArticleRecord, RawPage
from pressline.settings import Settings

_EMIT_ONCE = """
local prev = redis.call('GET', KEYS[1])
if prev then return {0, prev} end
local id = redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', unpack(ARGV, 4))
local mark = ARGV[3] .. ' ' .. KEYS[2] .. ' ' .. id
redis.call('SET', KEYS[1], mark, 'EX', tonumber(ARGV[1]))
redis.call('DEL', KEYS[3])
return {1, mark}
"""


@dataclass(frozen=True)
class Outcome:
    """Where a job ended: ``kind`` is ``record`` or ``dead``."""

    kind: str
    stream: str
    entry_id: str

    @classmethod
    def parse(cls, mark: str) -> Outcome:
        kind, stream, entry_id = mark.split(" ", 2)
        return cls(kind, stream, entry_id)


def done_key(settings: Settings, job_id: str) -> str:
    return settings.key("job", job_id, "done")


def page_key(settings: Settings, job_id: str) -> str:
    return settings.key("page", job_id)


def _emit_once(
    client: redis.Redis, settings: Settings, job_id: str, kind: str, stream: str,
    maxlen: int, fields: dict[str, str],
) -> tuple[bool, Outcome]:
    flat: list[str] = []
    for name, value in fields.items():
        flat += [name, value]
    try:
        written, mark = client.eval(
            _EMIT_ONCE, 3, done_key(settings, job_id), stream, page_key(settings, job_id),
            settings.seen_ttl, maxlen, kind, *flat,
        )
    except redis.ConnectionError as exc:
        raise StoreUnavailable(f"Redis unavailable while emitting: {exc}") from exc
    return bool(written), Outcome.parse(mark)


def emit_record(
    client: redis.Redis, settings: Settings, record: ArticleRecord
) -> tuple[bool, Outcome]:
    """Append the record unless the job already ended; returns (written, outcome)."""
    return _emit_once(client, settings, record.job_id, "record", settings.stream,
                      settings.stream_maxlen, {"record": record.to_json()})


def emit_dead(
    client: redis.Redis, settings: Settings, *, job_id: str, item: str, reason: str,
    message: str, stage: str, attempts: int = 1,
) -> tuple[bool, Outcome]:
    """Dead-letter the job unless it already ended."""
    fields = {
        "job_id": job_id, "input": item, "reason": reason, "message": message,
        "stage": stage, "attempts": str(attempts), "at": datetime.now(UTC).isoformat(),
    }
    return _emit_once(client, settings, job_id, "dead", settings.dead_stream,
                      settings.dead_maxlen, fields)


def job_outcomes(
    client: redis.Redis, settings: Settings, job_ids: list[str]
) -> list[Outcome | None]:
    """The outcome of each job, or None while it is still under way (one round trip)."""
    if not job_ids:
        return []
    marks = client.mget([done_key(settings, j) for j in job_ids])
    return [Outcome.parse(str(m)) if m else None for m in marks]


def read_outcome(client: redis.Redis, outcome: Outcome) -> dict[str, str] | None:
    """The stream entry an outcome points to (None if trimmed away since)."""
    entries = client.xrange(outcome.stream, outcome.entry_id, outcome.entry_id)
    fields = entries[0][1] if entries else None
    return {str(k): str(v) for k, v in fields.items()} if fields else None


def store_page_body(client: redis.Redis, settings: Settings, page: RawPage, body: str) -> RawPage:
    """Keep a large body in Redis with a TTL; the broker message carries only its key."""
    if len(body.encode("utf-8", "surrogatepass")) <= settings.inline_page_max_bytes:
        return page.model_copy(update={"body": body, "body_key": None})
    key = page_key(settings, page.job_id)
    client.set(key, body, ex=settings.page_ttl)
    return page.model_copy(update={"body": None, "body_key": key})


def load_page_body(client: redis.Redis, page: RawPage) -> str:
    if page.body is not None:
        return page.body
    if page.body_key is None:
        raise PageExpired("page has neither a body nor a body key", item=page.source)
    body = client.get(page.body_key)
    if body is None:
        raise PageExpired("stored page body expired before normalize ran", item=page.source)
    return str(body)
