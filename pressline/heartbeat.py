"""A worker liveness file, touched from the worker's own event loop.

``pressline health --worker`` (the container HEALTHCHECK and the Kubernetes probes) cannot ask
the Celery process whether it is alive without going through Redis, which says nothing about
*this* pod. So the worker touches a file on a timer of its consumer's event loop: the file
goes stale when the loop hangs, the broker connection is lost, or the process is gone, and
the probe compares its age with a limit.

Register once on the app (``install(app)``); every ``celery worker`` of it then writes the file.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from celery import Celery, bootsteps

from pressline.settings import Settings, get_settings


def heartbeat_file(settings: Settings) -> Path:
    return Path(settings.heartbeat_file)


def touch(path: Path) -> None:
    """Write the current time atomically, so a probe never reads a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    tmp.write_text(f"{time.time():.3f} {os.getpid()}\n", encoding="ascii")
    os.replace(tmp, path)


def heartbeat_age(path: Path, now: float | None = None) -> float | None:
    """Seconds since the last touch, or None when there is no heartbeat file."""
    try:
        mtime = path.stat().st_mtime
    except FileNotFoundError:
        return None
    return max(0.0, (time.time() if now is None else now) - mtime)


class HeartbeatStep(bootsteps.StartStopStep):
    """Consumer bootstep: touches the heartbeat file on the consumer's timer.

    The timer is fired by the same event loop that receives tasks, so a stale file means
    that loop is not running. It starts after the task consumer, i.e. once the broker
    connection is up. On a lost connection Celery stops the step and the file ages; it is
    removed only on a real shutdown.
    """

    requires = ("celery.worker.consumer.tasks:Tasks",)

    def __init__(self, parent: Any, **kwargs: Any) -> None:
        super().__init__(parent, **kwargs)
        settings = get_settings()
        self.path = heartbeat_file(settings)
        self.interval = settings.heartbeat_interval
        self.tref: Any = None

    def start(self, parent: Any) -> None:
        touch(self.path)
        self.tref = parent.timer.call_repeatedly(self.interval, touch, (self.path,), priority=10)

    def stop(self, parent: Any) -> None:
        if self.tref is not None:
            self.tref.cancel()
            self.tref = None

    def shutdown(self, parent: Any) -> None:
        self.stop(parent)
        self.path.unlink(missing_ok=True)


def install(app: Celery) -> None:
    """Register the heartbeat on ``app``'s workers (idempotent)."""
    app.steps["consumer"].add(HeartbeatStep)
