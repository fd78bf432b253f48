"""Fleet-wide relations between records: exact duplicates, versions, near duplicates, stories.

``relate(record, client)`` returns a copy of the record with ``duplicate_of``, ``version``,
``previous_id``, ``near_duplicates`` and ``story_id`` filled, and records the record's
fingerprints in Redis so every worker sees them. Each decision is one atomic Redis step
(SET NX, a Lua script, or a WATCH/MULTI transaction); see ``docs/relations.md``.

Exact duplicates are still emitted, marked with ``duplicate_of``; they join the original's
story but are not added to the LSH index or the story centroid again.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

import redis

from pressline.record import ArticleRecord, NearDuplicate
from pressline.settings import Settings
from services.normalize.relate.fingerprint import minhash, pack
from services.normalize.relate.lsh_store import query_insert, verify
from services.normalize.relate.stories import StoryParams, assign_story
from services.normalize.relate.terms import term_vector
from services.normalize.relate.versions import first_with_hash, record_version, url_key

__all__ = ["RelateParams", "params_from_settings", "relate"]

DAY = 24 * 3600


@dataclass(frozen=True)
class RelateParams:
    """Every knob of ``relate``; defaults are the tuned values (docs/relations.md)."""

    enabled: bool = True
    # Fingerprints, LSH buckets and exact-hash keys live this long (seconds).
    ttl: int = 7 * DAY
    # A canonical URL's latest version is remembered this long.
    version_ttl: int = 30 * DAY
    num_perm: int = 128
    shingle_size: int = 5
    lsh_bands: int = 20
    lsh_rows: int = 2
    bucket_cap: int = 200
    near_threshold: float = 0.3
    near_max: int = 10
    story_threshold: float = 0.3
    story_window: int = 3 * DAY
    # 0: story_window + 1 day.
    story_ttl: int = 0
    story_terms: int = 64
    probe_terms: int = 12
    centroid_terms: int = 64
    term_cap: int = 50


# Settings the lead adds to pressline.settings (attribute name -> RelateParams field).
SETTING_NAMES = {
    "relate_enabled": "enabled",
    "relate_ttl": "ttl",
    "relate_version_ttl": "version_ttl",
    "relate_near_threshold": "near_threshold",
    "relate_story_threshold": "story_threshold",
    "story_window": "story_window",
}


def params_from_settings(settings: Settings) -> dict[str, Any]:
    """The ``relate`` knobs that operators set through PRESSLINE_* variables."""
    return {field: getattr(settings, name) for name, field in SETTING_NAMES.items()}


def relate(record: ArticleRecord, client: redis.Redis, *, prefix: str = "pressline",
           params: RelateParams | None = None, **overrides: Any) -> ArticleRecord:
    """The record with its relation fields filled; its fingerprints stored for later ones."""
    known = {f.name for f in fields(RelateParams)}
    unknown = set(overrides) - known
    if unknown:
        raise TypeError(f"unknown relate parameters: {sorted(unknown)}")
    p = replace(params or RelateParams(), **overrides)
    if not p.enabled:
        return record
    at = (record.published_at or record.ingested_at).timestamp()

    # 1. Exact duplicate: the first record id with this text wins the key.
    duplicate_of = first_with_hash(client, f"{prefix}:hash:{record.content_hash}", record.id,
                                   p.ttl)

    # 2. Versions of one canonical URL.
    version, previous_id = 1, None
    url = record.canonical_url or record.url
    if url:
        info = record_version(client, url_key(prefix, url), record.id, record.content_hash,
                              p.version_ttl)
        version, previous_id = info.version, info.previous_id
        duplicate_of = duplicate_of or info.same_as

    # 3. Near duplicates through the shared LSH index (exact duplicates only look).
    signature = minhash(record.text, num_perm=p.num_perm, shingle_size=p.shingle_size)
    packed = pack(signature)
    candidates = query_insert(client, prefix, record.id, signature, packed, bands=p.lsh_bands,
                              rows=p.lsh_rows, ttl=p.ttl, score=at, bucket_cap=p.bucket_cap,
                              insert=duplicate_of is None)
    near = verify(client, prefix, packed, candidates, p.near_threshold)[: p.near_max]

    # 4. Story: the duplicates' open stories first, else the best matching open story.
    linked = ([duplicate_of] if duplicate_of else []) + [cid for cid, _ in near]
    vector = term_vector(record.text, title=record.title, language=record.language,
                         size=p.story_terms)
    story_params = StoryParams(
        threshold=p.story_threshold, window=p.story_window,
        story_ttl=p.story_ttl or p.story_window + DAY, record_ttl=p.ttl,
        probe_terms=p.probe_terms, centroid_terms=p.centroid_terms, term_cap=p.term_cap,
    )
    decision = assign_story(client, prefix, record.id, vector, at, story_params,
                            linked=tuple(dict.fromkeys(linked)),
                            contribute=duplicate_of is None)

    return record.model_copy(update={
        "duplicate_of": duplicate_of,
        "version": version,
        "previous_id": previous_id,
        "near_duplicates": [NearDuplicate(id=cid, similarity=sim) for cid, sim in near],
        "story_id": decision.story_id,
    })
