"""pressline's Celery app with one injected fault, chosen by ``PRESSLINE_TEST_FAULT``.

Used only by the fault tests, as ``celery -A tests.fault_app worker``; production code has
no fault hooks.

- ``kill_after_emit``: the normalize child SIGKILLs itself once per job, after the record was
  written and before the broker message was acknowledged.
- ``crash_marker``: normalize kills its process every time a page contains ``CRASH-ME``.
"""

from __future__ import annotations

import os
import signal
from typing import Any

from celery.signals import task_postrun

from pressline.celery_app import TASK_NORMALIZE, app
from pressline.connection import get_client
from pressline.settings import get_settings
from services.normalize import tasks as normalize_tasks

__all__ = ["app"]

FAULT = os.environ.get("PRESSLINE_TEST_FAULT", "")


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


if FAULT == "kill_after_emit":

    @task_postrun.connect
    def _kill_once_after_emit(task: Any = None, args: Any = None, **_: Any) -> None:
        if task is None or task.name != TASK_NORMALIZE or not args:
            return
        settings = get_settings()
        marker = settings.key("test", "killed", args[0]["job_id"])
        if get_client(settings).set(marker, 1, nx=True, ex=600):
            _die()

elif FAULT == "crash_marker":
    _original = normalize_tasks.normalize_page

    def _crashing(page: Any, text: str, *args: Any, **kwargs: Any) -> Any:
        if "CRASH-ME" in text:
            _die()
        return _original(page, text, *args, **kwargs)

    normalize_tasks.normalize_page = _crashing  # type: ignore[assignment]
