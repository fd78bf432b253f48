"""``pressline watch DIR``: every file dropped into DIR becomes a job; results are filed away.

- **Only finished files.** A file is taken once its mtime is ``PRESSLINE_INBOX_SETTLE`` seconds
  old and its size did not change between two looks, so a slow writer is waited for. Writers
  that rename into place (write ``x.html.part``, ``.x.html`` or ``x.html.tmp``, then rename)
  are never seen half-written: dotfiles, ``*.tmp`` and ``*.part`` are ignored, as are
  sidecars (``NAME.json`` next to a page; they travel with the page).
- **Filed after the outcome.** A submitted file stays where it is (the worker reads it there)
  until its job has ended; then it moves to ``DIR/done/`` or ``DIR/failed/`` with its sidecar,
  and a failed one gets ``NAME.reason.txt`` with the dead letter's reason and message.
- **Restart-safe.** On start the folder is scanned, so files dropped while the watcher was down
  are taken. Job ids are stable (path, size, mtime), a Redis marker per job id keeps a restarted
  watcher from queueing a file twice, and the emit script keeps the output exactly-once. A file
  submitted before a restart is simply awaited again.

watchfiles (inotify and friends) wakes the loop; a full rescan every ``RESCAN_SECONDS`` covers
events lost to an overflowing kernel queue.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import redis
import watchfiles

from pressline.intake import job_for, submit_jobs
from pressline.record import Job
from pressline.settings import Settings
from pressline.stream import Outcome, job_outcomes, read_outcome
from services.ingest.acquire import sidecar_paths

log = logging.getLogger("pressline")

RESCAN_SECONDS = 30.0
IGNORED_SUFFIXES = (".tmp", ".part", ".partial", ".crdownload", ".swp")
FILED = ("done", "failed")


@dataclass
class _Seen:
    size: int
    mtime_ns: int


def is_candidate_name(name: str) -> bool:
    """Names the inbox never takes: dotfiles, temporary files, reason files."""
    lowered = name.lower()
    return not (name.startswith(".") or lowered.endswith(IGNORED_SUFFIXES)
                or lowered.endswith(".reason.txt") or name.endswith("~"))


def is_sidecar(path: Path) -> bool:
    """A ``.json`` file whose stem names a page next to it (``a.html.json`` or ``a.json``)."""
    if path.suffix.lower() != ".json":
        return False
    stem = path.name[:-5]
    if (path.parent / stem).is_file():
        return True
    try:
        return any(p.stem == stem and p.suffix.lower() != ".json" and p.is_file()
                   for p in path.parent.iterdir())
    except OSError:
        return False


def marker_key(settings: Settings, job_id: str) -> str:
    return settings.key("inbox", "submitted", job_id)


def _free_name(directory: Path, name: str, job_id: str) -> Path:
    target = directory / name
    if not target.exists():
        return target
    stem, dot, ext = name.partition(".")
    return directory / f"{stem}-{job_id[:8]}{dot}{ext}"


class Inbox:
    """The watcher's state: files settling, files submitted and awaiting their outcome."""

    def __init__(self, directory: str | Path, settings: Settings, client: redis.Redis,
                 celery: Any, *, settle: float | None = None) -> None:
        self.dir = Path(directory).resolve()
        self.settings = settings
        self.client = client
        self.celery = celery
        self.settle = settings.inbox_settle if settle is None else settle
        self.settling: dict[Path, _Seen] = {}
        self.awaiting: dict[str, Path] = {}
        self.awaited_paths: set[Path] = set()
        for name in FILED:
            (self.dir / name).mkdir(parents=True, exist_ok=True)

    # --- finding files ------------------------------------------------------------------------

    def scan(self) -> None:
        """Every file in DIR (not below it) becomes a candidate."""
        try:
            entries = list(os.scandir(self.dir))
        except OSError as exc:
            log.error("cannot list inbox %s: %s", self.dir, exc)
            return
        for entry in entries:
            self.notice(Path(entry.path))

    def notice(self, path: Path) -> None:
        if path.parent != self.dir or not is_candidate_name(path.name):
            return
        if path in self.awaited_paths or path in self.settling:
            return
        self.settling[path] = _Seen(-1, -1)

    def _ready(self, path: Path, seen: _Seen, now: float) -> bool | None:
        """True when settled, False while still changing, None when gone or not a file."""
        try:
            st = path.stat()
        except OSError:
            return None
        if not path.is_file():
            return None
        stable = (st.st_size, st.st_mtime_ns) == (seen.size, seen.mtime_ns)
        old_enough = now - st.st_mtime >= self.settle
        seen.size, seen.mtime_ns = st.st_size, st.st_mtime_ns
        # A renamed-in file is already old at first sight: no second look needed.
        return old_enough and (stable or now - st.st_mtime >= self.settle + 1.0)

    def take_settled(self) -> list[Job]:
        """Submit every candidate that has settled; returns the jobs queued now."""
        now = time.time()
        jobs: list[tuple[Job, Path]] = []
        for path, seen in list(self.settling.items()):
            ready = self._ready(path, seen, now)
            if ready is None:
                del self.settling[path]
            elif ready:
                del self.settling[path]
                if is_sidecar(path):
                    continue
                jobs.append((job_for(str(path)), path))
        queued: list[Job] = []
        for job, path in jobs:
            key = marker_key(self.settings, job.job_id)
            if self.client.set(key, str(path), nx=True, ex=self.settings.seen_ttl):
                try:
                    submit_jobs(self.celery, self.settings, [job])
                except Exception:
                    self.client.delete(key)
                    self.settling[path] = _Seen(-1, -1)  # try again next round
                    log.exception("could not queue %s", path)
                    continue
                queued.append(job)
                log.info("inbox queued %s", path.name, extra={"job_id": job.job_id})
            else:
                log.info("inbox: %s was queued before a restart; awaiting it", path.name,
                         extra={"job_id": job.job_id})
            self.awaiting[job.job_id] = path
            self.awaited_paths.add(path)
        return queued

    # --- filing results -----------------------------------------------------------------------

    def file_finished(self) -> list[tuple[Path, str]]:
        """Move every file whose job has ended; returns (new path, outcome kind)."""
        if not self.awaiting:
            return []
        ids = list(self.awaiting)
        moved = []
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            for job_id, outcome in zip(chunk, job_outcomes(self.client, self.settings, chunk),
                                       strict=True):
                if outcome is None:
                    continue
                path = self.awaiting.pop(job_id)
                self.awaited_paths.discard(path)
                target = self._file(path, job_id, outcome)
                if target is not None:
                    moved.append((target, outcome.kind))
        return moved

    def _file(self, path: Path, job_id: str, outcome: Outcome) -> Path | None:
        folder = self.dir / ("done" if outcome.kind == "record" else "failed")
        if not path.exists():
            return None
        target = _free_name(folder, path.name, job_id)
        try:
            for sidecar in sidecar_paths(str(path)):
                if sidecar.is_file():
                    shutil.move(str(sidecar), str(folder / (target.name + ".json")))
            if outcome.kind != "record":
                fields = read_outcome(self.client, outcome) or {}
                reason = folder / (target.name + ".reason.txt")
                reason.write_text(
                    f"reason: {fields.get('reason', 'unknown')}\n"
                    f"message: {fields.get('message', '')}\n"
                    f"job_id: {job_id}\nstage: {fields.get('stage', '')}\n"
                    f"at: {fields.get('at', '')}\n", encoding="utf-8")
            shutil.move(str(path), str(target))
        except OSError as exc:
            log.error("could not file %s: %s", path, exc, extra={"job_id": job_id})
            return None
        log.info("inbox filed %s in %s/", path.name, folder.name, extra={"job_id": job_id})
        return target

    # --- the loop -----------------------------------------------------------------------------

    def step(self) -> None:
        self.take_settled()
        self.file_finished()

    def idle(self) -> bool:
        return not self.settling and not self.awaiting

    def run(self, stop: threading.Event | None = None, *, once: bool = False,
            tick_ms: int = 250) -> None:
        """Watch until ``stop`` is set; ``once``: take what is there, wait for it, return."""
        stop = stop or threading.Event()
        self.scan()
        if once:
            while not stop.is_set() and not self.idle():
                self.step()
                stop.wait(tick_ms / 1000)
            return
        last_scan = time.monotonic()
        for changes in watchfiles.watch(self.dir, watch_filter=None, debounce=tick_ms,
                                        step=50, rust_timeout=tick_ms, yield_on_timeout=True,
                                        stop_event=stop, recursive=False,
                                        raise_interrupt=False):
            for change, raw in changes:
                if change != watchfiles.Change.deleted:
                    self.notice(Path(raw))
            if time.monotonic() - last_scan > RESCAN_SECONDS:
                self.scan()
                last_scan = time.monotonic()
            try:
                self.step()
            except redis.RedisError as exc:
                log.error("inbox: Redis unavailable (%s); retrying", exc)
            if stop.is_set():
                break


def watch_main(directory: str, settings: Settings, *, settle: float | None = None,
               once: bool = False) -> int:
    """``pressline watch``: runs until SIGTERM/SIGINT."""
    import signal

    from pressline.celery_app import create_app
    from pressline.connection import connect

    if not os.path.isdir(directory):
        raise SystemExit(f"pressline watch: {directory} is not a directory")
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    client = connect(settings.redis_url)
    inbox = Inbox(directory, settings, client, create_app(settings), settle=settle)
    log.info("watching %s (settle %.1fs)", inbox.dir, inbox.settle)
    inbox.run(stop, once=once)
    client.close()
    return 0
