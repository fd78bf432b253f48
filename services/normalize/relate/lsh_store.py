"""The MinHash LSH index, shared by every worker through Redis.

Keys:

* ``<prefix>:lsh:<band>:<bucket>``: a sorted set of record ids whose band ``band`` hashes to
  ``bucket``, scored by ingest time; only the newest ``bucket_cap`` ids are kept.
* ``<prefix>:rec:<id>``: a small hash per record: ``s`` its packed signature, ``t`` its story.

One Lua script reads every band bucket of a record and adds the record to them in the same
step, so of two near-identical records handled at the same moment the second always sees the
first (never neither). The signature is written by that script too, before anyone can find
the record as a candidate.
"""

from __future__ import annotations

import numpy as np
import redis

from services.normalize.relate.fingerprint import band_buckets, similarity, unpack

_QUERY_INSERT = """
local id, ttl, cap = ARGV[1], tonumber(ARGV[3]), tonumber(ARGV[5])
local insert = ARGV[6] == '1'
local seen, out = {}, {}
if insert then
  redis.call('HSET', KEYS[1], 's', ARGV[2])
  redis.call('EXPIRE', KEYS[1], ttl)
end
for i = 2, #KEYS do
  local members = redis.call('ZRANGE', KEYS[i], 0, -1)
  for _, m in ipairs(members) do
    if m ~= id and not seen[m] then seen[m] = true; out[#out + 1] = m end
  end
  if insert then
    redis.call('ZADD', KEYS[i], ARGV[4], id)
    redis.call('ZREMRANGEBYRANK', KEYS[i], 0, -(cap + 1))
    redis.call('EXPIRE', KEYS[i], ttl)
  end
end
return out
"""


def rec_key(prefix: str, record_id: str) -> str:
    return f"{prefix}:rec:{record_id}"


def query_insert(client: redis.Redis, prefix: str, record_id: str, signature: np.ndarray,
                 packed: str, *, bands: int, rows: int, ttl: int, score: float,
                 bucket_cap: int, insert: bool = True) -> list[str]:
    """Candidate ids sharing a band bucket with the record; adds the record when ``insert``."""
    keys = [rec_key(prefix, record_id)] + [
        f"{prefix}:lsh:{band}:{bucket}"
        for band, bucket in enumerate(band_buckets(signature, bands, rows))
    ]
    found = client.eval(_QUERY_INSERT, len(keys), *keys, record_id, packed, ttl, score,
                        bucket_cap, "1" if insert else "0")
    return sorted(str(x) for x in found)


def verify(client: redis.Redis, prefix: str, packed: str, candidates: list[str],
           threshold: float) -> list[tuple[str, float]]:
    """Candidates whose estimated Jaccard similarity reaches ``threshold``, best first."""
    if not candidates:
        return []
    mine = unpack(packed)
    pipe = client.pipeline(transaction=False)
    for cid in candidates:
        pipe.hget(rec_key(prefix, cid), "s")
    out = []
    for cid, sig in zip(candidates, pipe.execute(), strict=True):
        if not sig:
            continue  # expired since
        sim = similarity(mine, unpack(str(sig)))
        if sim >= threshold:
            out.append((cid, round(sim, 4)))
    out.sort(key=lambda x: (-x[1], x[0]))
    return out
