"""Stream I/O against a real Redis: exactly one outcome per job, consumer-group reading."""

from __future__ import annotations

import json
import uuid

import redis

from pressline.record import ArticleRecord, RawPage
from pressline.settings import Settings
from pressline.stream import emit_dead, emit_record, load_page_body, store_page_body
from pressline.tail import ensure_group, read_entries


def _record(job_id: str) -> ArticleRecord:
    return ArticleRecord(id="r" + job_id, job_id=job_id, source="x.txt", text="body text here",
                         word_count=3, content_hash="0" * 64, input_format="text")


def _isolated(settings: Settings) -> Settings:
    tag = uuid.uuid4().hex[:8]
    return settings.model_copy(update={"stream": f"t:{tag}:articles",
                                       "dead_stream": f"t:{tag}:dead"})


def test_emit_record_once(settings: Settings, rclient: redis.Redis) -> None:
    """A second emit of the same job writes nothing and returns the first outcome."""
    s = _isolated(settings)
    first = emit_record(rclient, s, _record("job-a"))
    second = emit_record(rclient, s, _record("job-a"))
    assert first[0] is True and second[0] is False
    assert first[1] == second[1]
    assert rclient.xlen(s.stream) == 1


def test_dead_after_record_is_ignored(settings: Settings, rclient: redis.Redis) -> None:
    """A job that ended as a record never also becomes a dead letter."""
    s = _isolated(settings)
    job = uuid.uuid4().hex
    emit_record(rclient, s, _record(job))
    written, outcome = emit_dead(rclient, s, job_id=job, item="x", reason="r", message="m",
                                 stage="normalize")
    assert written is False and outcome.kind == "record"
    assert rclient.xlen(s.dead_stream) == 0


def test_stream_maxlen_is_approximate_cap(settings: Settings, rclient: redis.Redis) -> None:
    """XADD trims the stream near the configured MAXLEN."""
    s = _isolated(settings).model_copy(update={"stream_maxlen": 10})
    for _ in range(300):
        emit_record(rclient, s, _record(uuid.uuid4().hex))
    assert 10 <= rclient.xlen(s.stream) < 300


def test_page_body_inline_or_stored(settings: Settings, rclient: redis.Redis) -> None:
    """Small bodies travel inline; large ones are stored with a TTL and loaded back."""
    page = RawPage(job_id=uuid.uuid4().hex, item="a", source="a")
    small = store_page_body(rclient, settings, page, "short")
    assert small.body == "short" and small.body_key is None
    big_text = "x" * (settings.inline_page_max_bytes + 1)
    big = store_page_body(rclient, settings, page, big_text)
    assert big.body is None and big.body_key
    assert 0 < rclient.ttl(big.body_key) <= settings.page_ttl
    assert load_page_body(rclient, big) == big_text
    assert len(big.model_dump_json()) < 1000


def test_tail_recovers_pending_and_claims_idle(settings: Settings,
                                               rclient: redis.Redis) -> None:
    """A consumer's unacked entries come back to it; a dead consumer's are claimed."""
    s = _isolated(settings)
    for i in range(6):
        emit_record(rclient, s, _record(f"tail-{i}-{uuid.uuid4().hex}"))
    ensure_group(rclient, s.stream, "g", from_start=True)
    # consumer "dead" reads 3 and crashes without acknowledging
    rclient.xreadgroup("g", "dead", {s.stream: ">"}, count=3)
    # consumer "a" reads 2 and crashes
    got = list(read_entries(rclient, s.stream, "g", "a", batch=2, claim_idle_ms=10**9))
    assert len(got) == 3  # the three nobody has read yet
    for _, _, ack in got[:1]:
        ack()
    # "a" restarts: its 2 unacked come back first; the dead consumer's are claimed when idle
    again = list(read_entries(rclient, s.stream, "g", "a", claim_idle_ms=0))
    ids = [e for e, _, _ in again]
    assert len(ids) == 5 and len(set(ids)) == 5
    for _, fields, ack in again:
        assert json.loads(fields["record"])["job_id"].startswith("tail-")
        ack()
    assert rclient.xpending(s.stream, "g")["pending"] == 0
