"""Starting Celery workers: in this process (``pressline worker``) or as children (``run``)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from pressline.settings import Settings


def worker_argv(settings: Settings, queues: list[str], concurrency: int | None,
                name: str | None = None, loglevel: str = "INFO") -> list[str]:
    """The ``celery worker`` arguments pressline uses everywhere."""
    argv = ["worker", "-Q", ",".join(queues), "-l", loglevel, "--without-gossip",
            "--without-mingle", "--without-heartbeat"]
    conc = concurrency or settings.worker_concurrency or None
    if conc:
        argv += ["-c", str(conc)]
    argv += ["-n", name or f"pressline-{os.getpid()}@{socket.gethostname()}"]
    return argv


def start_worker_process(
    settings: Settings, queues: list[str], concurrency: int | None, *,
    env: Mapping[str, str] | None = None, loglevel: str = "WARNING", logfile: str | None = None,
    app_module: str = "pressline.celery_app", name: str | None = None,
) -> subprocess.Popen[bytes]:
    """A worker as a child process, for ``pressline run`` and the tests."""
    argv = [sys.executable, "-m", "celery", "-A", app_module,
            *worker_argv(settings, queues, concurrency,
                         name=name or f"run-{os.getpid()}-{'-'.join(queues)}@%h",
                         loglevel=loglevel)]
    out = open(logfile, "ab") if logfile else subprocess.DEVNULL  # noqa: SIM115
    return subprocess.Popen(argv, env={**os.environ, **(env or {})}, stdout=out,
                            stderr=subprocess.STDOUT, start_new_session=True)


def pool_children(pid: int) -> list[int]:
    """Pids whose parent is ``pid``: a worker's pool children (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # exited while we looked
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def stop_worker_process(proc: subprocess.Popen[bytes], timeout: float = 20.0) -> None:
    """Warm shutdown (SIGTERM), then SIGKILL the whole process group if it hangs."""
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
