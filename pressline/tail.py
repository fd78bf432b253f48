"""Reading the output stream with a consumer group: at-least-once for downstream readers.

Order of reading: first this consumer's own pending entries (what it read but had not
acknowledged when it crashed), then entries idle too long in dead consumers (XAUTOCLAIM),
then new entries. Each entry is acknowledged only after it was handed to the caller.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import redis


def ensure_group(client: redis.Redis, stream: str, group: str, *, from_start: bool) -> None:
    """Create the group once; ``from_start`` only matters on creation."""
    try:
        client.xgroup_create(stream, group, id="0" if from_start else "$", mkstream=True)
    except redis.ResponseError as exc:
        if "BUSYGROUP" not in str(exc):
            raise


def _entries(reply: object) -> list[tuple[str, dict[str, str]]]:
    if not reply:
        return []
    if isinstance(reply, dict):  # RESP3
        return [e for entries in reply.values() for e in entries[0]]
    return [e for _stream, entries in reply for e in entries]  # type: ignore[attr-defined]


def read_entries(
    client: redis.Redis, stream: str, group: str, consumer: str, *, batch: int = 100,
    follow: bool = False, block_ms: int = 2000, claim_idle_ms: int = 60_000,
) -> Iterator[tuple[str, dict[str, str], Callable[[], None]]]:
    """Yield ``(entry_id, fields, ack)``; call ``ack()`` once the entry is safely handled."""

    def acker(entry_id: str) -> Callable[[], None]:
        def ack() -> None:
            client.xack(stream, group, entry_id)

        return ack

    # 1. Our own pending entries, from a previous run that died before acknowledging.
    cursor = "0"
    recovered: set[str] = set()
    while True:
        own = _entries(client.xreadgroup(group, consumer, {stream: cursor}, count=batch))
        own = [e for e in own if e[1]]  # deleted/trimmed entries come back empty
        if not own:
            break
        for entry_id, fields in own:
            recovered.add(entry_id)
            yield entry_id, fields, acker(entry_id)
        cursor = own[-1][0]
    # 2. Entries abandoned by dead consumers of the group.
    start = "0-0"
    while True:
        reply = client.xautoclaim(stream, group, consumer, claim_idle_ms, start, count=batch)
        start, claimed = reply[0], reply[1]
        for entry_id, fields in claimed:
            if fields and entry_id not in recovered:
                yield entry_id, fields, acker(entry_id)
        if start in ("0-0", b"0-0"):
            break
    # 3. New entries.
    while True:
        new = _entries(client.xreadgroup(group, consumer, {stream: ">"}, count=batch,
                                         block=block_ms if follow else None))
        if not new and not follow:
            return
        for entry_id, fields in new:
            yield entry_id, fields, acker(entry_id)
