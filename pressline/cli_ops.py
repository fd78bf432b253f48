"""``pressline health`` and ``pressline stats``: the operator's two questions.

``health`` is what probes run, so it prints one line and answers with its exit code.
``stats`` is for people (a table) and scripts (``--json``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import redis

from pressline.connection import redact_url
from pressline.health import check_health
from pressline.settings import Settings
from pressline.stats import collect_stats, render_table


def cmd_health(args: argparse.Namespace, settings: Settings) -> int:
    """Print the verdict on one line; exit 0 when healthy, 1 otherwise."""
    report = check_health(
        settings,
        redis_check=args.redis,
        worker=args.worker,
        timeout=args.timeout,
        max_age=args.max_age,
        heartbeat_path=args.heartbeat_file,
    )
    print(report.reason, file=sys.stdout if report.ok else sys.stderr)
    return report.exit_code


def cmd_stats(args: argparse.Namespace, settings: Settings) -> int:
    """Print queue depths, streams, consumer groups and dead letters."""
    if not settings.redis_url:
        print("error: PRESSLINE_REDIS_URL is not set", file=sys.stderr)
        return 1
    client = redis.Redis.from_url(
        settings.redis_url,
        decode_responses=True,
        socket_timeout=args.timeout,
        socket_connect_timeout=args.timeout,
    )
    try:
        stats = collect_stats(client, settings)
    except redis.RedisError as exc:
        print(f"error: Redis at {redact_url(settings.redis_url)}: {exc}", file=sys.stderr)
        return 1
    finally:
        client.close()
    sys.stdout.write(stats.to_json() + "\n" if args.json else render_table(stats))
    return 0


def add_ops_commands(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add ``health`` and ``stats``; each sets ``func(args, settings) -> int``."""
    health = subparsers.add_parser(
        "health",
        help="exit 0 if Redis answers (and, with --worker, this host's worker is alive)",
        description="Probe for HEALTHCHECK and Kubernetes: one line out, exit code 0 or 1.",
    )
    health.add_argument(
        "--worker", action="store_true", help="also require a fresh worker heartbeat file"
    )
    health.add_argument(
        "--no-redis",
        dest="redis",
        action="store_false",
        help="skip the Redis PING (liveness: a Redis outage is no reason to restart)",
    )
    health.add_argument(
        "--timeout", type=float, default=2.0, help="Redis connect/read timeout, seconds"
    )
    health.add_argument(
        "--max-age",
        type=float,
        default=None,
        help="heartbeat age limit, seconds (default PRESSLINE_HEARTBEAT_MAX_AGE or 60)",
    )
    health.add_argument(
        "--heartbeat-file",
        type=Path,
        default=None,
        help="heartbeat file (default PRESSLINE_HEARTBEAT_FILE)",
    )
    health.set_defaults(func=cmd_health)

    stats = subparsers.add_parser(
        "stats",
        help="queue depths, stream lengths, consumer groups and lag, dead letters",
        description="A snapshot of pressline's state in Redis.",
    )
    stats.add_argument("--json", action="store_true", help="machine-readable output")
    stats.add_argument("--timeout", type=float, default=5.0, help="Redis timeout, seconds")
    stats.set_defaults(func=cmd_stats)
