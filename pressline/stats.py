"""What ``pressline stats`` and the metrics gauges show: backlog, output and failures.

Everything is read from Redis in a few round trips, with no Celery involved, so it works
from any pod or laptop that can reach Redis, even while no worker runs.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

import redis

from pressline.settings import Settings

# kombu's Redis transport keeps priorities 3, 6 and 9 of queue Q in lists "Q\x06\x16<p>";
# priority 0 (the default) is the list "Q" itself, which is what KEDA's listName watches.
_KOMBU_PRIORITY_SEP = "\x06\x16"
_KOMBU_PRIORITIES = (3, 6, 9)
_KOMBU_UNACKED = "unacked"
DEFAULT_LAG_SCAN_LIMIT = 10_000


@dataclass(frozen=True)
class GroupStats:
    """One consumer group; ``lag`` is None when Redis cannot tell and counting was skipped."""

    stream: str
    name: str
    consumers: int
    pending: int
    last_delivered_id: str
    lag: int | None
    lag_exact: bool = True


@dataclass(frozen=True)
class Stats:
    """A snapshot of the pipeline's Redis state."""

    queues: dict[str, int]
    in_flight: int
    streams: dict[str, int]
    groups: list[GroupStats] = field(default_factory=list)
    dead_letters: int = 0
    redis_version: str = ""

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True)


def _text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def _xinfo_groups(client: redis.Redis, stream: str) -> list[dict[str, Any]]:
    try:
        groups = client.xinfo_groups(stream)
    except redis.ResponseError as exc:  # the stream does not exist yet
        if "no such key" in str(exc).lower():
            return []
        raise
    return [{_text(k): v for k, v in g.items()} for g in groups]


def _count_after(client: redis.Redis, stream: str, last_id: str, limit: int) -> tuple[int, bool]:
    """Entries after ``last_id``, counted up to ``limit`` (Redis < 7 reports no lag)."""
    entries = client.xrange(stream, min=f"({last_id}", max="+", count=limit + 1) or []
    return (limit, False) if len(entries) > limit else (len(entries), True)


def queue_depth(client: redis.Redis, queue: str) -> int:
    """Messages waiting in a Celery queue, all priorities together."""
    pipe = client.pipeline(transaction=False)
    pipe.llen(queue)
    for priority in _KOMBU_PRIORITIES:
        pipe.llen(f"{queue}{_KOMBU_PRIORITY_SEP}{priority}")
    return sum(int(n) for n in pipe.execute())


def collect_stats(
    client: redis.Redis, settings: Settings, *, lag_scan_limit: int = DEFAULT_LAG_SCAN_LIMIT
) -> Stats:
    """Read queue depths, stream lengths, consumer groups and dead letters.

    Redis 7 reports each group's ``lag``; where it does not (Redis 6.2, or 7 after deletions
    in the stream) the entries after the group's last delivered id are counted, at most
    ``lag_scan_limit`` of them so a huge backlog cannot make this slow.
    """
    queue_names = list(dict.fromkeys([settings.ingest_queue, settings.normalize_queue]))
    queues = {q: queue_depth(client, q) for q in queue_names}
    stream_names = list(dict.fromkeys([settings.stream, settings.dead_stream]))
    pipe = client.pipeline(transaction=False)
    for s in stream_names:
        pipe.xlen(s)
    pipe.hlen(_KOMBU_UNACKED)
    *lengths, in_flight = pipe.execute()
    streams = {s: int(n) for s, n in zip(stream_names, lengths, strict=True)}

    groups: list[GroupStats] = []
    for s in stream_names:
        for g in _xinfo_groups(client, s):
            last_id = _text(g.get("last-delivered-id", "0-0"))
            lag, exact = _int(g.get("lag")), True
            if lag is None:
                lag, exact = _count_after(client, s, last_id, lag_scan_limit)
            groups.append(
                GroupStats(
                    stream=s,
                    name=_text(g["name"]),
                    consumers=int(g.get("consumers", 0)),
                    pending=int(g.get("pending", 0)),
                    last_delivered_id=last_id,
                    lag=lag,
                    lag_exact=exact,
                )
            )
    version = _text(client.info("server").get("redis_version", ""))
    return Stats(
        queues=queues,
        in_flight=int(in_flight),
        streams=streams,
        groups=groups,
        dead_letters=streams.get(settings.dead_stream, 0),
        redis_version=version,
    )


def _table(headers: list[str], rows: list[list[str]], numeric: set[int]) -> list[str]:
    """Fixed-width columns; numbers right-aligned so digits line up."""
    widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(len(headers))]

    def line(cells: list[str]) -> str:
        parts = [
            c.rjust(w) if i in numeric else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(parts).rstrip()

    return [line(headers), line(["-" * w for w in widths]), *(line(r) for r in rows)]


def _lag_text(g: GroupStats) -> str:
    if g.lag is None:
        return "?"
    return str(g.lag) if g.lag_exact else f">{g.lag}"


def render_table(stats: Stats) -> str:
    """The snapshot as aligned text tables, for a terminal."""
    out = _table(
        ["QUEUE", "WAITING"],
        [[q, str(n)] for q, n in stats.queues.items()] + [["(in flight)", str(stats.in_flight)]],
        {1},
    )
    out.append("")
    out += _table(["STREAM", "LENGTH"], [[s, str(n)] for s, n in stats.streams.items()], {1})
    out.append("")
    if stats.groups:
        out += _table(
            ["GROUP", "STREAM", "CONSUMERS", "PENDING", "LAG"],
            [
                [g.name, g.stream, str(g.consumers), str(g.pending), _lag_text(g)]
                for g in stats.groups
            ],
            {2, 3, 4},
        )
    else:
        out.append("consumer groups: none")
    out.append("")
    out.append(f"dead letters: {stats.dead_letters}")
    if stats.redis_version:
        out.append(f"redis: {stats.redis_version}")
    return "\n".join(out) + "\n"
