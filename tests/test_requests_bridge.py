"""Language-neutral requests: XADD pressline:requests -> the bridge -> real workers -> records."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest
import redis
from kombu.exceptions import OperationalError

from pressline.celery_app import create_app
from pressline.intake import wait_for
from pressline.record import ArticleRecord, digest
from pressline.settings import Settings
from pressline.stream import read_outcome
from services.ingest.requests_bridge import request_schema, run_bridge
from tests.conftest import ARTICLE_HTML, ROOT, SEEDS, cli

pytestmark = pytest.mark.usefixtures("workers")

SEED_TEXT = (SEEDS / "003_1e8fafeeda8606d8.txt").read_text()


@pytest.fixture
def bsettings(settings: Settings) -> Settings:
    """Settings with a requests stream of the test's own."""
    return settings.model_copy(update={"requests_stream": f"test:requests:{uuid.uuid4().hex}"})


def xadd(client: redis.Redis, settings: Settings, request: object) -> str:
    raw = request if isinstance(request, str) else json.dumps(request)
    return str(client.xadd(settings.requests_stream, {"request": raw}))


def outcomes(settings: Settings, client: redis.Redis, job_ids: list[str],
             timeout: float = 90) -> dict[str, tuple[str, dict[str, str]]]:
    ended = wait_for(client, settings, job_ids, timeout=timeout)
    assert set(ended) == set(job_ids), f"unfinished: {set(job_ids) - set(ended)}"
    return {j: (o.kind, read_outcome(client, o) or {}) for j, o in ended.items()}


def test_url_path_html_text_requests(bsettings: Settings, rclient: redis.Redis,
                                     http_server: str, tmp_path: Path) -> None:
    """url, path, html and text requests (ids honoured, metadata applied) become records."""
    page = tmp_path / "capture.txt"
    page.write_text(SEED_TEXT)
    url = f"{http_server}/article?bridge={uuid.uuid4().hex}"
    tag = uuid.uuid4().hex[:8]
    xadd(rclient, bsettings, {"url": url})
    xadd(rclient, bsettings, {"path": str(page), "id": f"path-{tag}"})
    xadd(rclient, bsettings, {
        "html": ARTICLE_HTML.replace("lighthouse", f"lighthouse {tag}"), "id": f"html-{tag}",
        "source": "crawler-7",
        "metadata": {"url": "https://coastal.example/news/lighthouse", "site": "Coastal Gazette",
                     "fetched_at": "2024-03-05T09:00:00Z", "batch": 17},
    })
    xadd(rclient, bsettings, {"text": SEED_TEXT + f"\nTag {tag}.", "id": f"text-{tag}"})
    assert run_bridge(rclient, create_app(bsettings), bsettings, "t1", once=True) == 4
    ids = [digest("url", url), f"path-{tag}", f"html-{tag}", f"text-{tag}"]
    got = outcomes(bsettings, rclient, ids)
    assert [got[j][0] for j in ids] == ["record"] * 4, got
    recs = {j: ArticleRecord.model_validate_json(got[j][1]["record"]) for j in ids}
    assert recs[ids[0]].url == url and recs[ids[0]].input_format == "html"
    assert recs[ids[1]].source == "capture.txt" and recs[ids[1]].input_format == "text"
    html = recs[ids[2]]
    assert html.source == "crawler-7"
    assert html.url == "https://coastal.example/news/lighthouse"
    assert html.site == "Coastal Gazette"
    assert html.fetched_at is not None
    assert html.fetched_at.isoformat() == "2024-03-05T09:00:00+00:00"
    assert html.provenance["url"].source == "request"
    assert html.provenance["site"].source == "request"
    assert recs[ids[3]].input_format == "text" and recs[ids[3]].source == f"request:text-{tag}"
    # the inline bodies were removed from Redis once their jobs ended
    assert not rclient.exists(bsettings.key("page", f"html-{tag}"))
    info = rclient.xpending(bsettings.requests_stream, bsettings.requests_group)
    assert info["pending"] == 0


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "JSON object"),
        ({"source": "x"}, "exactly one of url, path, html or text"),
        ({"url": "https://example.org/a", "html": "<p>x</p>"}, "(got url, html)"),
        ({"text": "hello", "id": "bad id!"}, "id"),
        ({"text": "hello", "colour": "red"}, "colour"),
        ({"text": "hello", "metadata": {"url": {"nested": 1}}}, "must be a string"),
        ({"text": "hello", "metadata": {"fetched_at": "yesterday-ish"}}, "fetched_at"),
    ],
)
def test_malformed_requests_dead_letter(bsettings: Settings, rclient: redis.Redis,
                                        raw: object, words: str) -> None:
    """Each malformed request becomes one dead letter saying why, and is acknowledged."""
    entry_id = xadd(rclient, bsettings, raw)
    run_bridge(rclient, create_app(bsettings), bsettings, "t1", once=True)
    job_id = digest("request", entry_id)
    [(kind, fields)] = outcomes(bsettings, rclient, [job_id], timeout=10).values()
    assert kind == "dead"
    assert fields["reason"] == "invalid_input" and fields["stage"] == "bridge"
    assert words in fields["message"], fields["message"]
    assert rclient.xpending(bsettings.requests_stream, bsettings.requests_group)["pending"] == 0


def test_malformed_request_with_id_dead_letters_under_that_id(
        bsettings: Settings, rclient: redis.Redis) -> None:
    """A bad request that carries a valid id is dead-lettered under that id."""
    job_id = f"two-{uuid.uuid4().hex[:8]}"
    xadd(rclient, bsettings, {"id": job_id, "text": "a", "path": "/tmp/x"})
    run_bridge(rclient, create_app(bsettings), bsettings, "t1", once=True)
    [(kind, fields)] = outcomes(bsettings, rclient, [job_id], timeout=10).values()
    assert (kind, fields["reason"]) == ("dead", "invalid_input")


def test_entry_without_request_field(bsettings: Settings, rclient: redis.Redis) -> None:
    """An entry lacking the `request` field is a dead letter naming the fields it had."""
    entry_id = str(rclient.xadd(bsettings.requests_stream, {"url": "https://example.org/"}))
    run_bridge(rclient, create_app(bsettings), bsettings, "t1", once=True)
    [(kind, fields)] = outcomes(bsettings, rclient, [digest("request", entry_id)],
                                timeout=10).values()
    assert kind == "dead" and "no 'request' field" in fields["message"]


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A local port that refuses connections: bound (so nothing else takes it), not listening."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


def test_ack_only_after_queueing(bsettings: Settings, rclient: redis.Redis,
                                 closed_port: int) -> None:
    """When queueing fails the entry stays pending; a restarted bridge queues it, then acks."""
    job_id = f"ack-{uuid.uuid4().hex[:8]}"
    xadd(rclient, bsettings, {"text": SEED_TEXT + f"\n{job_id}", "id": job_id})
    # A real Celery app whose broker is a closed local Redis port: send_task really fails.
    down = create_app(bsettings.model_copy(
        update={"redis_url": f"redis://127.0.0.1:{closed_port}/0"}))
    with pytest.raises(OperationalError):
        run_bridge(rclient, down, bsettings, "t1", once=True)
    pending = rclient.xpending(bsettings.requests_stream, bsettings.requests_group)
    assert pending["pending"] == 1
    assert not wait_for(rclient, bsettings, [job_id], timeout=0)
    assert run_bridge(rclient, create_app(bsettings), bsettings, "t1", once=True) == 1
    [(kind, _)] = outcomes(bsettings, rclient, [job_id]).values()
    assert kind == "record"
    assert rclient.xpending(bsettings.requests_stream, bsettings.requests_group)["pending"] == 0


def test_bridge_command_end_to_end(bsettings: Settings, rclient: redis.Redis,
                                   worker_env: dict[str, str]) -> None:
    """`pressline bridge` (a real process) queues an XADDed request; SIGTERM stops it cleanly."""
    env = {**worker_env, "PRESSLINE_REQUESTS_STREAM": bsettings.requests_stream,
           "PRESSLINE_LOG_FORMAT": "text"}
    proc = subprocess.Popen([sys.executable, "-m", "pressline.cli", "bridge", "--consumer",
                             "e2e"], env={**os.environ, **env}, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        job_id = f"cli-{uuid.uuid4().hex[:8]}"
        xadd(rclient, bsettings, {"text": SEED_TEXT + f"\n{job_id}", "id": job_id})
        [(kind, _)] = outcomes(bsettings, rclient, [job_id]).values()
        assert kind == "record"
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=20)
    assert proc.returncode == 0, out.decode(errors="replace")


def test_request_schema_is_current() -> None:
    """schema/request.schema.json matches the model and accepts/rejects like the bridge."""
    proc = cli("schema", "--check")
    assert proc.returncode == 0, proc.stderr
    schema = json.loads((ROOT / "schema" / "request.schema.json").read_text())
    assert schema == json.loads(json.dumps(request_schema()))
    jsonschema.validate({"url": "https://example.org/a", "id": "a-1"}, schema)
    jsonschema.validate({"html": "<p>x</p>", "metadata": {"site": "X"}}, schema)
    for bad in ({"url": "https://example.org/a", "text": "x"}, {"source": "x"},
                {"text": "x", "id": "no spaces"}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, schema)
