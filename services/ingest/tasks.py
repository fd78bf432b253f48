"""The ingest task: thin glue between the queue and ``acquire``."""

from __future__ import annotations

import os
from typing import Any

import httpx
from celery.signals import worker_process_shutdown
from pydantic import ValidationError

from pressline.celery_app import TASK_INGEST, TASK_NORMALIZE, app
from pressline.connection import get_client
from pressline.failures import dead_letter_malformed, run_stage
from pressline.metrics import observe_stage
from pressline.record import Job
from pressline.settings import get_settings
from pressline.stream import store_page_body
from services.ingest.acquire import acquire
from services.ingest.fetch import make_client

_http: tuple[int, httpx.Client] | None = None


def http_client() -> httpx.Client:
    """This worker process's one HTTP client (a forked child builds its own)."""
    global _http
    if _http is None or _http[0] != os.getpid():
        _http = (os.getpid(), make_client(get_settings()))
    return _http[1]


@worker_process_shutdown.connect
def _close_http(**_: object) -> None:
    if _http is not None and _http[0] == os.getpid():
        _http[1].close()


@app.task(bind=True, name=TASK_INGEST)
def ingest(self: Any, job_data: dict[str, Any]) -> None:
    settings = get_settings()
    client = get_client(settings)
    try:
        job = Job.model_validate(job_data)
    except ValidationError as exc:
        dead_letter_malformed(settings, client, job_data, "ingest", exc)
        return

    def body() -> None:
        with observe_stage("fetch"):
            page, text = acquire(job, settings, http_client())
        page = store_page_body(client, settings, page, text)
        app.send_task(TASK_NORMALIZE, args=[page.model_dump(mode="json")],
                      queue=settings.normalize_queue)

    run_stage(self, settings, client, job_id=job.job_id, item=job.item, stage="ingest",
              body=body)
