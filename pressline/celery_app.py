"""The Celery app both services register on: JSON only, acks late, prefetch 1.

``celery -A pressline.celery_app worker -Q ingest`` works as well as ``pressline worker``.
Delivery is at-least-once through the queues; exactly-once on the output stream comes from
the emit script in ``pressline.stream``.
"""

from __future__ import annotations

import ssl
from typing import Any

from celery import Celery
from celery.signals import setup_logging, worker_init, worker_process_shutdown

from pressline import heartbeat
from pressline.connection import close_clients
from pressline.logs import configure_logging, install_task_logging
from pressline.metrics import setup_worker_metrics
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
        # A hard time limit requeues (the crash counter then ends a poison job); ordinary
        # failures never reach Celery: run_stage turns them into retries or dead letters.
        "task_acks_on_failure_or_timeout": False,
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


def _tls_options(settings: Settings) -> dict[str, Any]:
    """``rediss://`` URLs verify the server certificate unless the URL says otherwise."""
    if settings.redis_url.startswith("rediss://") and "ssl_cert_reqs" not in settings.redis_url:
        return {"broker_use_ssl": {"ssl_cert_reqs": ssl.CERT_REQUIRED}}
    return {}


def create_app(settings: Settings) -> Celery:
    app = Celery("pressline", include=["services.ingest.tasks", "services.normalize.tasks",
                                       "services.ingest.discover"])
    app.conf.update(celery_config(settings), **_tls_options(settings))
    if settings.feed_list:  # `celery -A pressline.celery_app beat` polls the configured feeds
        app.conf.beat_schedule = {
            "poll-feeds": {"task": "pressline.poll_feeds", "schedule": settings.feed_interval,
                           "args": [settings.feed_list],
                           "options": {"queue": settings.ingest_queue}},
        }
    heartbeat.install(app)  # the liveness file behind `pressline health --worker`
    return app


app = create_app(get_settings())


@setup_logging.connect  # connected: Celery leaves the root logger to us
def _setup_logging(loglevel: int | str | None = None, **_: object) -> None:
    configure_logging(get_settings(), level=loglevel)
    install_task_logging()  # the job id on every line of a job, Celery's own lines included


@worker_init.connect  # main process, before the pool forks
def _start_metrics(**_: object) -> None:
    setup_worker_metrics(get_settings())  # nothing unless PRESSLINE_METRICS_PORT is set


@worker_process_shutdown.connect
def _close_clients(**_: object) -> None:
    close_clients()
