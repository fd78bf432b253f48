"""One JSON object per log line, carrying the job id of the job being processed.

Log shippers (Loki, CloudWatch, Elasticsearch) index JSON fields without parsing rules, and
``job_id`` on every line lets one follow a page through both services. The id lives in a
context variable set by :func:`bind_job`, so code deep inside a stage logs it without being
handed it.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, TextIO

from pressline.settings import Settings, get_settings

job_id_var: ContextVar[str | None] = ContextVar("pressline_job_id", default=None)

# Attributes every LogRecord has; anything else on a record came from ``extra=``.
_STANDARD_ATTRS = frozenset(
    vars(logging.LogRecord("", 0, "", 0, "", None, None)).keys()
    | {"message", "asctime", "job_id", "job", "taskName"}
)


@contextmanager
def bind_job(job_id: str) -> Iterator[None]:
    """Tag every log line inside the block with ``job_id`` (restored afterwards)."""
    token = job_id_var.set(job_id)
    try:
        yield
    finally:
        job_id_var.reset(token)


def current_job_id() -> str | None:
    return job_id_var.get()


# Celery's own "Task ... received" line is logged by the worker's main process, outside any
# task, with the message's arguments as a repr in ``extra={"data": {"args": ...}}``.
_JOB_ID_IN_REPR = re.compile(r"'job_id': '([^']+)'")


def _job_id_from_celery_data(record: logging.LogRecord) -> str | None:
    data = getattr(record, "data", None)
    if not isinstance(data, dict):
        return None
    match = _JOB_ID_IN_REPR.search(f"{data.get('args', '')} {data.get('kwargs', '')}")
    return match.group(1) if match else None


class JobIdFilter(logging.Filter):
    """Copies the bound job id onto each record, for any formatter to use."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.job_id = job_id_var.get() or _job_id_from_celery_data(record)
        return True


def job_id_of_task(args: Any, kwargs: Any) -> str | None:
    """The job id in a task's arguments: a ``job_id`` kwarg, or a payload dict's key."""
    if isinstance(kwargs, dict) and isinstance(kwargs.get("job_id"), str):
        return str(kwargs["job_id"])
    for arg in args or ():
        if isinstance(arg, dict) and isinstance(arg.get("job_id"), str):
            return str(arg["job_id"])
    return None


_task_tokens: dict[str, Any] = {}


def _on_task_prerun(task_id: str | None = None, args: Any = None, kwargs: Any = None,
                    **_: Any) -> None:
    job_id = job_id_of_task(args, kwargs)
    if job_id and task_id:
        _task_tokens[task_id] = job_id_var.set(job_id)


def _on_task_postrun(task_id: str | None = None, **_: Any) -> None:
    token = _task_tokens.pop(task_id or "", None)
    if token is not None:
        job_id_var.reset(token)


def install_task_logging() -> None:
    """Bind each task's job id from Celery's task_prerun to task_postrun.

    That span also covers Celery's own "succeeded"/"raised" lines, which a ``bind_job``
    inside the task body cannot reach. Idempotent (signals dedupe by receiver).
    """
    from celery.signals import task_postrun, task_prerun

    task_prerun.connect(_on_task_prerun, weak=False)
    task_postrun.connect(_on_task_postrun, weak=False)


class JsonFormatter(logging.Formatter):
    """A compact JSON object per record; ``extra=`` fields are kept as top-level keys."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "job_id": getattr(record, "job_id", None) or job_id_var.get(),
            "pid": record.process,
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS and not key.startswith("_"):
                entry.setdefault(key, value)
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """For a terminal: the usual line, with the job id when there is one."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s%(job)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        job = getattr(record, "job_id", None) or job_id_var.get()
        record.job = f" [{job}]" if job else ""
        return super().format(record)


def configure_logging(
    settings: Settings | None = None,
    *,
    level: str | int | None = None,
    fmt: str | None = None,
    stream: TextIO | None = None,
) -> None:
    """Route the root logger (and so Celery's loggers) through one formatter.

    Level (a name or a logging number) and format come from the arguments, else from
    PRESSLINE_LOG_LEVEL (``INFO``) and PRESSLINE_LOG_FORMAT (``json``; ``text`` for humans).
    Safe to call twice: it replaces its own handler instead of adding another.
    """
    settings = settings or get_settings()
    level = level or settings.log_level
    if isinstance(level, int):  # Celery's setup_logging signal passes a number
        level = logging.getLevelName(level)
    fmt = fmt or settings.log_format
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.set_name("pressline")
    handler.addFilter(JobIdFilter())
    handler.setFormatter(TextFormatter() if fmt == "text" else JsonFormatter())
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == "pressline"]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
