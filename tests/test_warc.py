"""WARC files: each HTML 200 response record becomes one record, with its URI and date."""

from __future__ import annotations

import io
import json
import time
import uuid
from pathlib import Path

import pytest
import redis
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from pressline.record import ArticleRecord
from pressline.settings import Settings
from pressline.stats import collect_stats
from pressline.stream import job_outcomes, read_outcome
from tests.conftest import ARTICLE_HTML, cli

pytestmark = pytest.mark.usefixtures("workers")


def _response(writer: WARCWriter, uri: str, status: str, ctype: str, body: bytes,
              date: str) -> None:
    http = StatusAndHeaders(status, [("Content-Type", ctype),
                                     ("Content-Length", str(len(body)))], protocol="HTTP/1.1")
    rec = writer.create_warc_record(uri, "response", payload=io.BytesIO(body),
                                    http_headers=http, warc_headers_dict={"WARC-Date": date})
    writer.write_record(rec)


def build_warc(path: Path, tag: str) -> None:
    """2 HTML responses, 1 image, 1 request record and 1 404, gzip-compressed."""
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        page_a = ARTICLE_HTML.replace("lighthouse", f"lighthouse {tag}a").encode()
        page_b = ARTICLE_HTML.replace("lighthouse", f"beacon {tag}b").encode("cp1252")
        req = writer.create_warc_record(
            "https://news.example/a", "request", payload=io.BytesIO(b""),
            http_headers=StatusAndHeaders("GET /a HTTP/1.1", [("Host", "news.example")],
                                          is_http_request=True))
        writer.write_record(req)
        _response(writer, "https://news.example/a", "200 OK", "text/html; charset=utf-8",
                  page_a, "2023-11-02T10:00:00Z")
        _response(writer, "https://news.example/logo.png", "200 OK", "image/png",
                  b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "2023-11-02T10:00:01Z")
        _response(writer, "https://news.example/gone", "404 Not Found", "text/html",
                  b"<html>gone</html>", "2023-11-02T10:00:02Z")
        _response(writer, "https://news.example/b", "200 OK", "text/html; charset=windows-1252",
                  page_b, "2023-11-03T11:30:00Z")


def wait_idle(client: redis.Redis, settings: Settings, timeout: float = 60) -> None:
    """Wait until both queues are empty and no task is in flight, for a second in a row."""
    deadline = time.monotonic() + timeout
    quiet_since: float | None = None
    while time.monotonic() < deadline:
        stats = collect_stats(client, settings)
        if any(stats.queues.values()) or stats.in_flight:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since >= 1.0:
            return
        time.sleep(0.05)
    raise AssertionError(f"workers still busy after {timeout} s: {collect_stats(client, settings)}")


def test_warc_submit_gives_two_records(tmp_path: Path, worker_env: dict[str, str],
                                       settings: Settings, rclient: redis.Redis) -> None:
    """`pressline submit x.warc.gz --wait`: 2 records, target URIs as url, WARC dates kept."""
    warc = tmp_path / "crawl.warc.gz"
    build_warc(warc, uuid.uuid4().hex[:8])
    proc = cli("submit", "--json", "--wait", "--timeout", "90", str(warc), env=worker_env)
    assert proc.returncode == 0, proc.stderr
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    jobs = [json.loads(x) for x in lines[:2]]
    assert [j["item"] for j in jobs] == ["https://news.example/a", "https://news.example/b"]
    recs = [ArticleRecord.model_validate_json(x) for x in lines[2:]]
    assert [r.url for r in recs] == ["https://news.example/a", "https://news.example/b"]
    assert [r.source for r in recs] == ["https://news.example/a", "https://news.example/b"]
    assert [r.fetched_at.isoformat() if r.fetched_at else None for r in recs] == [
        "2023-11-02T10:00:00+00:00", "2023-11-03T11:30:00+00:00"]
    assert "floating crane" in recs[0].text and "beacon" in (recs[1].title or "")
    # Submitting the same WARC again queues the same job ids: no new records.
    wait_idle(rclient, settings)
    before = rclient.xlen(settings.stream)
    again = cli("submit", "--json", str(warc), env=worker_env)
    assert again.returncode == 0, again.stderr
    assert [json.loads(x)["job_id"] for x in again.stdout.splitlines()] == [
        j["job_id"] for j in jobs]
    wait_idle(rclient, settings)  # the re-queued jobs have been taken and finished
    assert rclient.xlen(settings.stream) == before
    marks = job_outcomes(rclient, settings, [j["job_id"] for j in jobs])
    assert all(m is not None and m.kind == "record" for m in marks)
    assert [read_outcome(rclient, m) is not None for m in marks if m] == [True, True]


def test_unreadable_warc_dead_letter(tmp_path: Path, worker_env: dict[str, str]) -> None:
    """A corrupt .warc.gz ends as a dead letter saying so."""
    bad = tmp_path / "broken.warc.gz"
    bad.write_bytes(b"this is not a warc file at all\n" * 10)
    proc = cli("submit", "--wait", "--timeout", "30", str(bad), env=worker_env)
    assert proc.returncode == 1
    assert "unreadable_file" in proc.stderr and "WARC" in proc.stderr
