"""The inbox: `pressline watch DIR` submits dropped files and files them in done/ or failed/."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis

from pressline.record import ArticleRecord
from pressline.settings import Settings
from pressline.workers import start_worker_process, stop_worker_process
from tests.conftest import ARTICLE_HTML, ROOT, SEEDS

pytestmark = pytest.mark.usefixtures("workers")

SEED_TEXT = (SEEDS / "003_1e8fafeeda8606d8.txt").read_text()


def start_watch(directory: Path, env: dict[str, str], log: Path,
                settle: str = "0.5") -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "pressline.cli", "watch", str(directory), "--settle", settle],
        env={**os.environ, **env, "PRESSLINE_LOG_FORMAT": "text"}, cwd=ROOT,
        stdout=log.open("ab"), stderr=subprocess.STDOUT)


def stop(proc: subprocess.Popen[bytes]) -> int:
    proc.send_signal(signal.SIGTERM)
    return proc.wait(timeout=20)


def wait_until(check: Callable[[], bool], timeout: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}:\n" + (
            log.read_text(errors="replace")[-3000:] if log.exists() else "")
        time.sleep(0.2)


def records_tagged(client: redis.Redis, settings: Settings, tag: str) -> list[ArticleRecord]:
    out = []
    for _id, fields in client.xrange(settings.stream):
        if tag in fields.get("record", ""):
            out.append(ArticleRecord.model_validate_json(fields["record"]))
    return out


def dead_for(client: redis.Redis, settings: Settings, name: str) -> list[dict[str, str]]:
    return [f for _id, f in client.xrange(settings.dead_stream) if f.get("input") == name]


@pytest.fixture
def inbox(tmp_path: Path, worker_env: dict[str, str]) -> Iterator[tuple[Path, Path]]:
    directory = tmp_path / "inbox"
    directory.mkdir()
    log = tmp_path / "watch.log"
    proc = start_watch(directory, worker_env, log)
    yield directory, log
    assert stop(proc) == 0, log.read_text(errors="replace")[-3000:]


def test_dropped_files_are_processed_and_filed(inbox: tuple[Path, Path], settings: Settings,
                                               rclient: redis.Redis) -> None:
    """Plain, slowly written, renamed-in, sidecar'd and broken files each end up filed once."""
    directory, log = inbox
    tag = uuid.uuid4().hex[:10]
    (directory / "plain.txt").write_text(SEED_TEXT + f"\nPlain {tag}.")
    # renamed into place: the temporary name is never taken
    part = directory / "renamed.html.part"
    part.write_text(ARTICLE_HTML.replace("floating crane", f"floating crane {tag}"))
    os.rename(part, directory / "renamed.html")
    # a page with its sidecar
    (directory / "side.html.json").write_text(json.dumps({
        "url": "https://gazette.example/side", "site": "Side Gazette"}))
    (directory / "side.html").write_text(ARTICLE_HTML.replace("lighthouse", f"lighthouse {tag}"))
    # a binary file: failed/ with a reason
    (directory / "broken.html").write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(200))
    # a slow writer: chunks every 0.3 s for ~2.4 s (settle is 0.5 s)
    slow = directory / "slow.txt"

    def writer() -> None:
        with slow.open("w") as out:
            out.write(SEED_TEXT[:2000])
            for i in range(8):
                out.flush()
                time.sleep(0.3)
                out.write(f"\nSlow paragraph {i} of the capture, written late on purpose.\n")
            out.write(f"\nThe very last line of the slow file {tag}.\n")

    thread = threading.Thread(target=writer)
    thread.start()
    thread.join()
    done, failed = directory / "done", directory / "failed"
    expected_done = {"plain.txt", "renamed.html", "side.html", "side.html.json", "slow.txt"}
    wait_until(lambda: expected_done <= {p.name for p in done.iterdir()}
               and (failed / "broken.html").exists(), 90, "files to be filed", log)
    assert {p.name for p in directory.iterdir()} == {"done", "failed"}
    assert {p.name for p in failed.iterdir()} == {"broken.html", "broken.html.reason.txt"}
    reason = (failed / "broken.html.reason.txt").read_text()
    assert "reason: unreadable_file" in reason and "binary" in reason
    recs = {r.source: r for r in records_tagged(rclient, settings, tag)}
    assert set(recs) == {"plain.txt", "renamed.html", "side.html", "slow.txt"}
    assert recs["side.html"].url == "https://gazette.example/side"
    assert recs["side.html"].site == "Side Gazette"
    assert recs["side.html"].provenance["url"].source == "sidecar"
    # the whole slow file was read: its last line is in the text or the cleaner's audit trail
    assert f"very last line of the slow file {tag}" in recs["slow.txt"].model_dump_json()
    assert len(records_tagged(rclient, settings, tag)) == 4  # one record each


def test_restart_nothing_twice_nothing_missed(tmp_path: Path, worker_env: dict[str, str],
                                              settings: Settings, rclient: redis.Redis) -> None:
    """Files queued before a restart are not queued again; files dropped while down are taken."""
    directory = tmp_path / "inbox"
    directory.mkdir()
    log = tmp_path / "watch.log"
    queue = f"inbox-test-{uuid.uuid4().hex[:8]}"  # no worker yet: jobs wait in the queue
    env = {**worker_env, "PRESSLINE_INGEST_QUEUE": queue}
    tag = uuid.uuid4().hex[:10]
    first = start_watch(directory, env, log)
    for name in ("one.txt", "two.txt"):
        (directory / name).write_text(SEED_TEXT + f"\n{name} {tag}.")
    wait_until(lambda: rclient.llen(queue) == 2, 60, "two queued jobs", log)
    assert stop(first) == 0
    (directory / "three.txt").write_text(SEED_TEXT + f"\nthree.txt {tag}.")  # while down
    second = start_watch(directory, env, log)
    wait_until(lambda: rclient.llen(queue) == 3, 60, "the third job", log)
    time.sleep(1.5)  # a restarted watcher that re-queued one.txt/two.txt would do it by now
    assert rclient.llen(queue) == 3
    wlog = tmp_path / "worker.log"
    worker = start_worker_process(settings, [queue], 1, env=env, loglevel="INFO",
                                  logfile=str(wlog))
    try:
        wait_until(lambda: {"one.txt", "two.txt", "three.txt"}
                   <= {p.name for p in (directory / "done").iterdir()}, 90, "all filed", log)
    finally:
        stop_worker_process(worker)
        assert stop(second) == 0
    recs = records_tagged(rclient, settings, tag)
    assert sorted(r.source for r in recs) == ["one.txt", "three.txt", "two.txt"]
    assert rclient.llen(queue) == 0
