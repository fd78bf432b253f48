"""How a stage runs a job so that it ends exactly once, whatever happens to the process.

Shared by both services, so the rule "every item ends as one record or one dead letter"
lives in one place:

- a job that already ended (a redelivery) is skipped;
- a transient error is retried with backoff, then dead-lettered;
- a permanent error is dead-lettered at once;
- a stage that keeps killing its process (segfault, OOM, hard time limit) is noticed by a
  crash counter in Redis and dead-lettered after ``max_attempts`` deliveries, while other
  jobs keep flowing;
- when Redis itself is unreachable the message is requeued, never acknowledged and lost.
"""

from __future__ import annotations

import contextlib
import json
import logging
import random
from collections.abc import Callable
from typing import Any

import redis
from celery.exceptions import Reject, Retry, SoftTimeLimitExceeded
from kombu.exceptions import OperationalError

from pressline.errors import FetchTimeout, PresslineError, StoreUnavailable, TransientError
from pressline.metrics import count_outcome
from pressline.record import digest
from pressline.settings import Settings
from pressline.stream import done_key, emit_dead

log = logging.getLogger("pressline")

_INFRA_ERRORS = (redis.ConnectionError, redis.TimeoutError, OperationalError)


def _requeue(cause: object) -> Reject:
    """Hand the delivery back to the broker. The reason is a plain string: the exception
    travels from the pool child to the worker through a pipe, and a large chained traceback
    there once broke the worker's result reader."""
    return Reject(f"requeued: {type(cause).__name__}: {cause}"[:300], requeue=True)


def backoff_seconds(settings: Settings, retries: int, retry_after: float | None = None) -> float:
    """Exponential backoff with jitter, capped; a server's Retry-After is honoured."""
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
    if isinstance(exc, _INFRA_ERRORS):
        return StoreUnavailable(f"Redis unavailable: {exc.__class__.__name__}", item=item)
    err = PresslineError(f"internal error: {exc.__class__.__name__}: {exc}", item=item)
    err.reason = "internal_error"
    return err


def handle_failure(
    task: Any, settings: Settings, client: redis.Redis, *, job_id: str, item: str, stage: str,
    exc: BaseException,
) -> None:
    """Raise ``task.retry`` for a transient error with retries left, else write a dead letter."""
    err = as_pressline_error(exc, item)
    if isinstance(err, StoreUnavailable):
        # Redis is the broker too: a retry message could not be published either. Hand the
        # delivery back; if even that fails, the visibility timeout brings it back.
        raise _requeue(err)
    retries = int(task.request.retries or 0)
    if isinstance(err, TransientError) and retries < settings.retry_max:
        countdown = backoff_seconds(settings, retries, err.retry_after)
        log.info("retrying %s in %.1fs: %s", stage, countdown, err,
                 extra={"job_id": job_id, "reason": err.reason})
        try:
            raise task.retry(countdown=countdown, exc=err, max_retries=settings.retry_max)
        except Reject as rejected:  # Celery could not publish the retry: never drop the job
            raise _requeue(rejected.reason) from None
    message = err.message
    if isinstance(err, TransientError):
        message = f"{message} (gave up after {retries + 1} attempts)"
    written, _ = emit_dead(client, settings, job_id=job_id, item=item, reason=err.reason,
                           message=message, stage=stage, attempts=retries + 1)
    if written:
        count_outcome("dead")
    log.warning("dead-lettered at %s: %s", stage, message,
                extra={"job_id": job_id, "reason": err.reason, "written": written})


def dead_letter_malformed(
    settings: Settings, client: redis.Redis, data: object, stage: str, exc: Exception
) -> None:
    """A message that is not a valid Job/RawPage still ends as a dead letter, not silence."""
    raw = json.dumps(data, default=str, sort_keys=True)[:2000]
    job_id = data.get("job_id") if isinstance(data, dict) else None
    job_id = job_id if isinstance(job_id, str) and job_id else digest("malformed", raw)
    item = data.get("item") if isinstance(data, dict) else None
    emit_dead(client, settings, job_id=job_id, item=str(item or raw), reason="invalid_input",
              message=f"malformed {stage} message: {exc}".replace("\n", " ")[:500], stage=stage)


# One round trip at the start of a delivery: skip a job that already ended, else count the
# start (a start that never reaches `_finished` is a crash).
_START = """
if redis.call('EXISTS', KEYS[1]) == 1 then return -1 end
local started = redis.call('INCR', KEYS[2])
redis.call('EXPIRE', KEYS[2], tonumber(ARGV[1]))
return started
"""


def crash_key(settings: Settings, job_id: str, stage: str) -> str:
    return settings.key("job", job_id, "running", stage)


def run_stage(
    task: Any, settings: Settings, client: redis.Redis, *, job_id: str, item: str, stage: str,
    body: Callable[[], None],
) -> None:
    """Run ``body`` for one delivery of a job, ending the job exactly once."""
    key = crash_key(settings, job_id, stage)
    try:
        started = int(client.eval(_START, 2, done_key(settings, job_id), key, settings.seen_ttl))
    except _INFRA_ERRORS as exc:
        raise _requeue(exc) from None
    if started < 0:
        return  # redelivered after the job already ended
    crashed = started - 1  # starts that never reached the `finally` below
    if crashed >= settings.max_attempts:
        _end_as_poison(settings, client, job_id=job_id, item=item, stage=stage, crashed=crashed)
        return
    try:
        body()
    except Retry:
        _finished(client, key)
        raise
    except Exception as exc:
        try:
            handle_failure(task, settings, client, job_id=job_id, item=item, stage=stage, exc=exc)
        except Retry:
            _finished(client, key)
            raise
        except Reject:
            raise  # Redis is down: skip the decrement rather than wait on it (one "crash")
        except (*_INFRA_ERRORS, StoreUnavailable) as infra:
            raise _requeue(infra) from None
        _finished(client, key)
    else:
        _finished(client, key)


def _finished(client: redis.Redis, key: str) -> None:
    """This delivery ended normally: it does not count towards the crash limit."""
    with contextlib.suppress(*_INFRA_ERRORS):
        client.decr(key)


def _end_as_poison(settings: Settings, client: redis.Redis, *, job_id: str, item: str,
                   stage: str, crashed: int) -> None:
    message = (f"{stage} was killed {crashed} times while handling this item "
               "(crash, out of memory or hard time limit); giving up")
    try:
        emit_dead(client, settings, job_id=job_id, item=item, reason="poison", message=message,
                  stage=stage, attempts=crashed + 1)
        client.delete(crash_key(settings, job_id, stage))
        count_outcome("dead")
    except (*_INFRA_ERRORS, StoreUnavailable) as exc:
        raise _requeue(exc) from None
    log.error("poison job dead-lettered at %s", stage, extra={"job_id": job_id})
