"""Streaming story assignment: an article joins the most similar open story or starts one.

Keys (all with a TTL, so memory stays bounded):

* ``<prefix>:story:<sid>``: JSON ``{start, n, first, terms}``; ``terms`` is the story's
  centroid, the sum of its members' L2-normalized term vectors cut to the top
  ``centroid_terms`` terms. TTL ``story_ttl`` from creation (members do not extend it).
* ``<prefix>:sterm:<term>``: inverted index, a sorted set of story ids scored by the story's
  start time, newest ``term_cap`` kept; TTL ``story_ttl``, refreshed on each add.

Each decision runs in a WATCH/MULTI transaction over the record's probe-term keys and the
candidate stories' keys, retried on conflict. Two workers with related articles at the same
moment therefore cannot both start a story: the second one's transaction fails because the
first wrote the term keys it watched, and its retry finds (and joins) the first one's story.
Joining stories update their centroid the same way, so no update is lost.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

import redis

from pressline.record import digest
from services.normalize.relate.lsh_store import rec_key
from services.normalize.relate.terms import cosine

# For each term key: ZADD the story at its start time, keep the newest ``term_cap``, refresh
# the TTL. Run inside the MULTI/EXEC of ``assign_story`` (the same writes, in the same atomic
# step, as three commands per key).
_INDEX_TERMS = """
for i = 1, #KEYS do
  redis.call('ZADD', KEYS[i], ARGV[2], ARGV[1])
  redis.call('ZREMRANGEBYRANK', KEYS[i], 0, tonumber(ARGV[3]))
  redis.call('EXPIRE', KEYS[i], tonumber(ARGV[4]))
end
return #KEYS
"""

PREFERRED_BONUS = 1.0  # a near or exact duplicate's open story beats any other candidate


@dataclass(frozen=True)
class StoryParams:
    threshold: float = 0.3
    window: int = 3 * 24 * 3600
    story_ttl: int = 4 * 24 * 3600
    record_ttl: int = 7 * 24 * 3600
    probe_terms: int = 12
    centroid_terms: int = 64
    term_cap: int = 50
    max_tries: int = 100


@dataclass(frozen=True)
class StoryDecision:
    story_id: str
    joined: bool  # False: the record started the story
    score: float | None


def story_key(prefix: str, sid: str) -> str:
    return f"{prefix}:story:{sid}"


def term_key(prefix: str, term: str) -> str:
    return f"{prefix}:sterm:{term}"


def new_story_id(record_id: str) -> str:
    return digest("story", record_id, size=16)


def _merge(centroid: dict[str, float], vector: dict[str, float], size: int) -> dict[str, float]:
    merged = dict(centroid)
    for term, weight in vector.items():
        merged[term] = merged.get(term, 0.0) + weight
    top = sorted(merged.items(), key=lambda kv: (-kv[1], kv[0]))[:size]
    return {term: round(weight, 3) for term, weight in top}


def assign_story(
    client: redis.Redis, prefix: str, record_id: str, vector: dict[str, float], at: float,
    params: StoryParams, *, linked: tuple[str, ...] = (), contribute: bool = True,
) -> StoryDecision:
    """Join the best open story (cosine with its centroid >= threshold) or start one.

    ``vector`` is ordered by weight (as ``term_vector`` returns it); ``at`` is the record's
    time (published, else ingested) in epoch seconds; ``linked`` are the ids of the record's
    exact or near duplicates, whose open stories are joined first. Their record keys are
    watched too, so a duplicate that gets its story while we decide makes us decide again
    (and join it). ``contribute=False`` (exact duplicates) joins without adding the vector to
    the centroid again.
    """
    probe = list(vector)[: params.probe_terms]
    tkeys = [term_key(prefix, t) for t in probe]
    rkey = rec_key(prefix, record_id)
    lkeys = [rec_key(prefix, rid) for rid in linked]
    for attempt in range(params.max_tries):
        with client.pipeline(transaction=True) as pipe:
            try:
                pipe.watch(rkey, *lkeys, *tkeys)
                reads = client.pipeline(transaction=False)
                reads.hget(rkey, "t")
                for key in lkeys:
                    reads.hget(key, "t")
                for key in tkeys:
                    reads.zrange(key, 0, -1)
                done, *found = reads.execute()
                preferred = {str(s) for s in found[: len(lkeys)] if s}
                lists = found[len(lkeys):]
                if done:  # decided already (a redelivered task): same answer again
                    pipe.unwatch()
                    return StoryDecision(str(done), True, None)
                candidates = sorted({str(s) for ids in lists for s in ids} | preferred)
                skeys = [story_key(prefix, s) for s in candidates]
                stories: list[tuple[str, dict[str, object]]] = []
                if skeys:
                    pipe.watch(*skeys)
                    for sid, raw in zip(candidates, client.mget(skeys), strict=True):
                        if raw:
                            stories.append((sid, json.loads(raw)))
                best: tuple[float, str, dict[str, object]] | None = None
                for sid, story in stories:
                    if abs(at - float(story["start"])) > params.window:  # type: ignore[arg-type]
                        continue  # closed: too old (or too far ahead) for this record
                    terms: dict[str, float] = story["terms"]  # type: ignore[assignment]
                    score = cosine(vector, terms)
                    if sid in preferred:
                        score += PREFERRED_BONUS
                    if best is None or (score, best[1]) > (best[0], sid):
                        best = (score, sid, story)
                pipe.multi()
                if best is not None and best[0] >= params.threshold:
                    score, sid, story = best
                    story = dict(story)
                    story["n"] = int(story["n"]) + 1  # type: ignore[call-overload]
                    if contribute:
                        story["terms"] = _merge(story["terms"], vector,  # type: ignore[arg-type]
                                                params.centroid_terms)
                    pipe.set(story_key(prefix, sid), json.dumps(story, sort_keys=True),
                             keepttl=True)
                    start = float(story["start"])  # type: ignore[arg-type]
                    decision = StoryDecision(sid, True, round(min(score, 1.0), 4))
                else:
                    sid, start = new_story_id(record_id), at
                    story = {"start": at, "n": 1, "first": record_id,
                             "terms": _merge({}, vector, params.centroid_terms)}
                    pipe.set(story_key(prefix, sid), json.dumps(story, sort_keys=True),
                             ex=params.story_ttl)
                    decision = StoryDecision(sid, False, None)
                if tkeys:  # one queued command (and reply) instead of three per term key
                    pipe.eval(_INDEX_TERMS, len(tkeys), *tkeys, sid, start,
                              -(params.term_cap + 1), params.story_ttl)
                pipe.hset(rkey, "t", sid)
                pipe.expire(rkey, params.record_ttl)
                pipe.execute()
                return decision
            except redis.WatchError:
                time.sleep(min(0.001 * (attempt + 1), 0.05))
    raise RuntimeError(f"story assignment for {record_id} kept conflicting; retry the task")
