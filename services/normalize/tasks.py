"""The normalize task: thin glue between the queue, ``normalize_page`` and the stream."""

from __future__ import annotations

from typing import Any

from pressline.celery_app import TASK_NORMALIZE, app
from pressline.connection import get_client
from pressline.failures import handle_failure
from pressline.record import RawPage
from pressline.settings import get_settings
from pressline.stream import done_key, emit_record, load_page_body
from services.normalize.build import normalize_page
from services.normalize.cleaner.templates import RedisTemplateStore


@app.task(bind=True, name=TASK_NORMALIZE)
def normalize(self: Any, page_data: dict[str, Any]) -> None:
    settings = get_settings()
    client = get_client(settings)
    page = RawPage.model_validate(page_data)
    if client.exists(done_key(settings, page.job_id)):
        return  # redelivered after the job already ended
    try:
        body = load_page_body(client, page)
        templates = RedisTemplateStore(client, prefix=settings.key("tpl"))
        record = normalize_page(page, body, settings, templates=templates)
        emit_record(client, settings, record)
    except Exception as exc:
        handle_failure(self, settings, client, job_id=page.job_id, item=page.item,
                       stage="normalize", exc=exc)
