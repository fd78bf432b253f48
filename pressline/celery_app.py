"""The Celery app both services register on: JSON only, acks late, prefetch 1.

``celery -A pressline.celery_app worker -Q ingest`` works as well as ``pressline worker``.
Delivery is at-least-once through the queues; exactly-once on the output stream comes from
the emit script in ``pressline.stream``.
"""

from __future__ import annotations

from typing import Any

from celery import Celery
from celery.signals import worker_process_shutdown

from pressline.connection import close_clients
from pressline.settings import Settings, get_settings

TASK_INGEST = "pressline.ingest"
TASK_NORMALIZE = "pressline.normalize"


def celery_config(settings: Settings) -> dict[str, Any]:
    """The Celery configuration derived from pressline's settings."""
    return {
        "broker_url": settings.redis_url or "redis://127.0.0.1:6379/0",
        "broker_connection_retry_on_startup": True,
        "broker_connection_max_retries": None,
        "broker_transport_options": {
            "visibility_timeout": settings.visibility_timeout,
            # Sweep for messages of killed workers often, so they come back promptly.
            "unacked_restore_interval": 5,
            "unacked_restore_throttle": 1,
            "socket_connect_timeout": 5,
            "retry_on_timeout": True,
            "health_check_interval": 15,
        },
        "task_serializer": "json",
        "accept_content": ["json"],
        "result_serializer": "json",
        "task_ignore_result": True,
        "result_backend": None,
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "task_acks_on_failure_or_timeout": True,
        "worker_prefetch_multiplier": 1,
        "task_soft_time_limit": settings.task_soft_time_limit,
        "task_time_limit": settings.task_time_limit,
        "task_default_queue": settings.ingest_queue,
        "task_routes": {
            TASK_INGEST: {"queue": settings.ingest_queue},
            TASK_NORMALIZE: {"queue": settings.normalize_queue},
        },
        "worker_max_tasks_per_child": settings.max_tasks_per_child or None,
        "worker_hijack_root_logger": False,
        "worker_send_task_events": False,
        "task_send_sent_event": False,
        "worker_cancel_long_running_tasks_on_connection_loss": False,
    }


def create_app(settings: Settings) -> Celery:
    app = Celery("pressline", include=["services.ingest.tasks", "services.normalize.tasks"])
    app.conf.update(celery_config(settings))
    return app


app = create_app(get_settings())


@worker_process_shutdown.connect
def _close_clients(**_: object) -> None:
    close_clients()
