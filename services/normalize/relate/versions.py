"""Exact duplicates and versions, each decided by one atomic Redis step.

* ``<prefix>:hash:<content_hash>`` holds the first record id with that text (SET NX, so
  exactly one record wins); later records with the same text get ``duplicate_of`` it.
* ``<prefix>:url:<sha256(canonical url)[:32]>`` is a hash ``{id, hash, version, prev}``
  for the latest version of a URL. A Lua script compares the content hash and, when it
  changed, increments the version and sets ``prev`` in one step. Re-running a record (a
  redelivered task) returns what was decided the first time.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import redis

_TRACKING_PREFIXES = ("utm_", "mc_", "pk_", "itm_")
_TRACKING = {"fbclid", "gclid", "dclid", "msclkid", "igshid", "yclid", "ref", "ref_src",
             "cmpid", "ocid", "smid", "ito", "at_medium", "at_campaign", "_ga", "guccounter"}

_VERSION = """
local cur = redis.call('HMGET', KEYS[1], 'id', 'hash', 'version', 'prev')
local ttl = tonumber(ARGV[3])
if not cur[1] then
  redis.call('HSET', KEYS[1], 'id', ARGV[1], 'hash', ARGV[2], 'version', 1, 'prev', '')
  redis.call('EXPIRE', KEYS[1], ttl)
  return {1, '', ''}
end
if cur[1] == ARGV[1] then
  return {tonumber(cur[3]), cur[4], ''}
end
if cur[2] == ARGV[2] then
  return {tonumber(cur[3]), cur[4], cur[1]}
end
local v = tonumber(cur[3]) + 1
redis.call('HSET', KEYS[1], 'id', ARGV[1], 'hash', ARGV[2], 'version', v, 'prev', cur[1])
redis.call('EXPIRE', KEYS[1], ttl)
return {v, cur[1], ''}
"""


@dataclass(frozen=True)
class VersionInfo:
    version: int
    previous_id: str | None
    same_as: str | None  # the latest version's id when the text did not change


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, no fragment, default port, tracking parameters or
    trailing slash; remaining query parameters sorted."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().removeprefix("www.")
    port = parts.port
    if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    query = sorted(
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k.lower() not in _TRACKING and not k.lower().startswith(_TRACKING_PREFIXES)
    )
    path = parts.path.rstrip("/") or "/"
    if scheme in ("http", "https"):
        scheme = "https"  # the same page over http and https is one URL
    return urlunsplit((scheme, host, path, urlencode(query), ""))


def first_with_hash(client: redis.Redis, key: str, record_id: str, ttl: int) -> str | None:
    """Claim ``key`` for ``record_id``; the id of the earlier claimer, or None if we are first."""
    pipe = client.pipeline(transaction=True)
    pipe.set(key, record_id, nx=True, ex=ttl)
    pipe.get(key)
    _, holder = pipe.execute()
    return None if holder in (None, record_id) else str(holder)


def record_version(client: redis.Redis, key: str, record_id: str, content_hash: str,
                   ttl: int) -> VersionInfo:
    version, prev, same = client.eval(_VERSION, 1, key, record_id, content_hash, ttl)
    return VersionInfo(int(version), str(prev) or None, str(same) or None)


def url_key(prefix: str, url: str) -> str:
    digest = hashlib.sha256(canonical_url(url).encode("utf-8")).hexdigest()[:32]
    return f"{prefix}:url:{digest}"
