"""What a stage does with a failure: retry a transient one with backoff, else dead-letter.

Shared by both services so the rule "every item ends as one record or one dead letter"
lives in one place.
"""

from __future__ import annotations

import logging
import random
from typing import Any

import redis
from celery.exceptions import SoftTimeLimitExceeded

from pressline.errors import FetchTimeout, PresslineError, TransientError
from pressline.settings import Settings
from pressline.stream import emit_dead

log = logging.getLogger("pressline")


def backoff_seconds(settings: Settings, retries: int, retry_after: float | None = None) -> float:
    """Exponential backoff with full jitter, capped; a server's Retry-After is honoured."""
    if settings.retry_backoff_base <= 0:
        return 0.0
    ceiling = min(settings.retry_backoff_max, settings.retry_backoff_base * (2**retries))
    delay = random.uniform(ceiling / 2, ceiling)
    if retry_after is not None:
        delay = max(delay, min(retry_after, settings.retry_backoff_max))
    return delay


def as_pressline_error(exc: BaseException, item: str) -> PresslineError:
    """Map anything a stage raised onto the tree; unknown errors are permanent (no loop)."""
    if isinstance(exc, PresslineError):
        return exc
    if isinstance(exc, SoftTimeLimitExceeded):
        return FetchTimeout("stage exceeded its soft time limit", item=item)
    err = PresslineError(f"internal error: {exc.__class__.__name__}: {exc}", item=item)
    err.reason = "internal_error"
    return err


def handle_failure(
    task: Any, settings: Settings, client: redis.Redis, *, job_id: str, item: str, stage: str,
    exc: BaseException,
) -> None:
    """Raise ``task.retry`` for a transient error with retries left, else write a dead letter."""
    err = as_pressline_error(exc, item)
    retries = int(task.request.retries or 0)
    if isinstance(err, TransientError) and retries < settings.retry_max:
        countdown = backoff_seconds(settings, retries, err.retry_after)
        log.info("retrying %s in %.1fs: %s", stage, countdown, err,
                 extra={"job_id": job_id, "reason": err.reason})
        raise task.retry(countdown=countdown, exc=err, max_retries=settings.retry_max)
    message = err.message
    if isinstance(err, TransientError):
        message = f"{message} (gave up after {retries + 1} attempts)"
    written, _ = emit_dead(client, settings, job_id=job_id, item=item, reason=err.reason,
                           message=message, stage=stage, attempts=retries + 1)
    log.warning("dead-lettered at %s: %s", stage, message,
                extra={"job_id": job_id, "reason": err.reason, "written": written})
