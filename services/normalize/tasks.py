"""The normalize task: thin glue between the queue, ``normalize_page`` and the stream."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from pressline.celery_app import TASK_NORMALIZE, app
from pressline.connection import get_client
from pressline.failures import dead_letter_malformed, run_stage
from pressline.metrics import count_outcome, count_removed, observe_stage
from pressline.record import RawPage
from pressline.settings import get_settings
from pressline.stream import emit_record, load_page_body
from services.normalize.build import normalize_page
from services.normalize.cleaner.templates import RedisTemplateStore
from services.normalize.relate import params_from_settings, relate


@app.task(bind=True, name=TASK_NORMALIZE)
def normalize(self: Any, page_data: dict[str, Any]) -> None:
    settings = get_settings()
    client = get_client(settings)
    try:
        page = RawPage.model_validate(page_data)
    except ValidationError as exc:
        dead_letter_malformed(settings, client, page_data, "normalize", exc)
        return

    def body() -> None:
        text = load_page_body(client, page)
        templates = RedisTemplateStore(client, prefix=settings.key("tpl"))
        with observe_stage("normalize"):
            record = normalize_page(page, text, settings, templates=templates)
        with observe_stage("relate"):
            record = relate(record, client, prefix=settings.key_prefix,
                            **params_from_settings(settings))
        with observe_stage("emit"):
            written, _ = emit_record(client, settings, record)
        if written:
            count_outcome("record")
            count_removed(r.category for r in record.removed or [])

    run_stage(self, settings, client, job_id=page.job_id, item=page.item, stage="normalize",
              body=body)
