"""End to end through real workers: items in, one record or one dead letter out each."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import redis

from pressline.celery_app import create_app
from pressline.intake import job_for, submit_jobs, wait_for
from pressline.record import ArticleRecord
from pressline.settings import Settings
from pressline.stream import read_outcome
from tests.conftest import SEEDS, cli

pytestmark = pytest.mark.usefixtures("workers")


def run_items(settings: Settings, client: redis.Redis, items: list[str],
              timeout: float = 90) -> list[tuple[str, dict[str, str]]]:
    """Submit items and return (kind, stream fields) for each, in order."""
    jobs = [job_for(i) for i in items]
    submit_jobs(create_app(settings), settings, jobs)
    ended = wait_for(client, settings, [j.job_id for j in jobs], timeout=timeout)
    assert len(ended) == len(jobs), f"unfinished: {[j.item for j in jobs if j.job_id not in ended]}"
    out = []
    for job in jobs:
        outcome = ended[job.job_id]
        fields = read_outcome(client, outcome)
        assert fields is not None
        out.append((outcome.kind, fields))
    return out


def test_seeds_end_to_end(settings: Settings, rclient: redis.Redis) -> None:
    """The five seed captures become five records on the stream, headline in title only."""
    paths = sorted(str(p) for p in SEEDS.glob("*.txt"))
    results = run_items(settings, rclient, paths)
    assert [kind for kind, _ in results] == ["record"] * 5
    records = [ArticleRecord.model_validate_json(f["record"]) for _, f in results]
    for rec in records:
        assert rec.input_format == "text"
        assert rec.word_count > 200
        if rec.title:
            assert not rec.text.startswith(rec.title)
    assert records[0].title is None  # 000 starts with body text: no invented headline
    assert records[3].title == (
        "China's High-Level Meeting in Pyongyang Strengthens Ties with North Korea")


def test_fetched_url_becomes_record(settings: Settings, rclient: redis.Redis,
                                    http_server: str) -> None:
    """A URL is fetched over HTTP (through a redirect) and normalized into a record."""
    [(kind, fields)] = run_items(settings, rclient, [f"{http_server}/redirect"])
    assert kind == "record"
    rec = ArticleRecord.model_validate_json(fields["record"])
    assert rec.url == f"{http_server}/article"
    assert rec.title == "Harbour town votes to restore its old lighthouse"
    assert "floating crane" in rec.text
    assert not rec.text.startswith(rec.title)
    assert rec.input_format == "html"
    assert rec.language == "en"


def test_legacy_charset_from_meta(settings: Settings, rclient: redis.Redis,
                                  http_server: str) -> None:
    """windows-1251 declared only in <meta> (no header charset) decodes correctly."""
    [(kind, fields)] = run_items(settings, rclient, [f"{http_server}/cp1251"])
    assert kind == "record"
    rec = ArticleRecord.model_validate_json(fields["record"])
    assert "пешеходный мост" in rec.text
    assert "\ufffd" not in rec.text


@pytest.mark.parametrize(
    ("path", "reason", "words"),
    [
        ("/pdf", "unsupported_content", "application/pdf"),
        ("/nav-only", "empty_extraction", "no article text"),
        ("/missing", "fetch_refused", "HTTP 404"),
        ("/loop", "fetch_refused", "redirects"),
    ],
)
def test_url_final_failures_dead_letter(settings: Settings, rclient: redis.Redis,
                                        http_server: str, path: str, reason: str,
                                        words: str) -> None:
    """Each final failure of a URL becomes one dead letter with its reason, not a retry."""
    url = f"{http_server}{path}"
    [(kind, fields)] = run_items(settings, rclient, [url])
    assert kind == "dead"
    assert fields["reason"] == reason
    assert words in fields["message"]
    assert fields["input"] == url
    assert fields["attempts"] == "1"


def test_malformed_url_dead_letter(settings: Settings, rclient: redis.Redis) -> None:
    """A malformed URL and an unsupported scheme are dead-lettered as invalid input."""
    results = run_items(settings, rclient, ["http://", "ftp://example.org/file"])
    assert [(k, f["reason"]) for k, f in results] == [
        ("dead", "invalid_input"), ("dead", "invalid_input")]
    assert "scheme" in results[1][1]["message"]


def test_file_failures_dead_letter(settings: Settings, rclient: redis.Redis,
                                   tmp_path: Path) -> None:
    """Binary, empty and missing files end as dead letters saying why."""
    png = tmp_path / "photo.html"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(256))
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    missing = tmp_path / "nope.txt"
    results = run_items(settings, rclient, [str(png), str(empty), str(missing)])
    assert all(kind == "dead" for kind, _ in results)
    assert [f["reason"] for _, f in results] == ["unreadable_file"] * 3
    assert "binary" in results[0][1]["message"]
    assert "empty" in results[1][1]["message"]
    assert "no such file" in results[2][1]["message"]


def test_transient_failure_retried_then_succeeds(settings: Settings, rclient: redis.Redis,
                                                 http_server: str) -> None:
    """503 then 429 are retried with backoff, and the third attempt gives a record."""
    [(kind, fields)] = run_items(settings, rclient, [f"{http_server}/flaky"])
    assert kind == "record"
    assert "lighthouse" in json.loads(fields["record"])["title"]


def test_transient_failure_gives_up_as_dead_letter(settings: Settings, rclient: redis.Redis,
                                                   http_server: str) -> None:
    """A server that stays down is retried retry_max times, then dead-lettered."""
    [(kind, fields)] = run_items(settings, rclient, [f"{http_server}/down"])
    assert kind == "dead"
    assert fields["reason"] == "upstream_unavailable"
    assert fields["attempts"] == str(settings.retry_max + 1)
    assert "gave up" in fields["message"]


def test_large_page_travels_through_redis(settings: Settings, rclient: redis.Redis,
                                          tmp_path: Path) -> None:
    """A page over the inline cap is stored in Redis with a TTL and removed once emitted."""
    seed = sorted(SEEDS.glob("*.txt"))[4]
    assert seed.stat().st_size > settings.inline_page_max_bytes
    copy = tmp_path / seed.name
    copy.write_bytes(seed.read_bytes())
    [(kind, _)] = run_items(settings, rclient, [str(copy)])
    assert kind == "record"
    assert not rclient.exists(settings.key("page", job_for(str(copy)).job_id))


def test_submit_cli_wait_prints_records(worker_env: dict[str, str], tmp_path: Path) -> None:
    """`pressline submit --json --wait` prints the job line, then the record."""
    page = tmp_path / "page.txt"
    page.write_text((SEEDS / "003_1e8fafeeda8606d8.txt").read_text())
    proc = cli("submit", "--json", "--wait", "--timeout", "60", str(page), env=worker_env)
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(x) for x in proc.stdout.splitlines()]
    assert lines[0] == {"job_id": job_for(str(page)).job_id, "item": str(page)}
    assert lines[1]["job_id"] == lines[0]["job_id"]
    assert lines[1]["title"].startswith("China's High-Level Meeting")


def test_submit_cli_tab_output_and_dead_letter_exit(worker_env: dict[str, str]) -> None:
    """Plain submit prints JOB_ID<TAB>ITEM; --wait exits 1 and reports a dead item."""
    proc = cli("submit", "--wait", "--timeout", "60", "mailto:someone@example.org",
               env=worker_env)
    assert proc.returncode == 1
    job_id, item = proc.stdout.splitlines()[0].split("\t")
    assert item == "mailto:someone@example.org" and len(job_id) == 24
    assert "invalid_input" in proc.stderr


def test_stdin_items(worker_env: dict[str, str]) -> None:
    """`submit -` reads one item a line from stdin."""
    items = sorted(str(p) for p in SEEDS.glob("*.txt"))[:2]
    proc = cli("submit", "-", stdin="\n".join(items) + "\n", env=worker_env)
    assert proc.returncode == 0, proc.stderr
    assert [line.split("\t")[1] for line in proc.stdout.splitlines()] == items


def test_resubmit_is_idempotent_and_refresh_makes_a_new_version(
        worker_env: dict[str, str], http_server: str) -> None:
    """The same URL again gives the same job and record; --refresh fetches a new version."""
    url = f"{http_server}/changing?{os.getpid()}"
    first = cli("submit", "--json", "--wait", "--timeout", "60", url, env=worker_env)
    again = cli("submit", "--json", "--wait", "--timeout", "60", url, env=worker_env)
    fresh = cli("submit", "--json", "--refresh", "--wait", "--timeout", "60", url,
                env=worker_env)
    assert first.returncode == again.returncode == fresh.returncode == 0, fresh.stderr
    v1, v1_again, v2 = (json.loads(p.stdout.splitlines()[1]) for p in (first, again, fresh))
    assert v1_again == v1  # nothing fetched twice without --refresh
    assert json.loads(fresh.stdout.splitlines()[0])["job_id"] != v1["job_id"]
    assert "Update 1:" in v1["text"] and "Update 2:" in v2["text"]
    assert (v1["version"], v2["version"]) == (1, 2)
    assert v2["previous_id"] == v1["id"]
    assert v2["story_id"] == v1["story_id"]
