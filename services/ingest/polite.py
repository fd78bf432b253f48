"""Politeness before every fetch: robots.txt, and a per-domain rate shared by all workers.

robots.txt is fetched with the SSRF-guarded fetcher, parsed with ``urllib.robotparser`` and
cached per origin (scheme, host, port) in Redis for ``PRESSLINE_ROBOTS_TTL`` seconds, so the
fleet asks each site once a day (a short lock makes concurrent workers wait for one fetch).
A robots.txt that is missing or unreadable (4xx, not text, too big) allows everything; a 5xx
or a timeout is transient (the job is retried later). A disallowed URL raises
``RobotsDenied`` (reason ``robots_txt``), which is dead-lettered. Only the submitted URL is
checked, not the targets of its redirects.

The rate limit is a token bucket per host in Redis (one Lua script, Redis's own clock), refilled
at ``PRESSLINE_RATE_PER_DOMAIN`` tokens a second up to ``PRESSLINE_RATE_BURST``. A fetch takes
a token; when none is left it reserves the next one (the bucket goes negative) and sleeps until
then, unless that is more than ``PRESSLINE_RATE_MAX_WAIT`` seconds away: then the reservation
is given back and ``RateLimited`` (transient, with ``retry_after``) sends the job back to the
queue instead of holding a worker.
"""

from __future__ import annotations

import time
import urllib.robotparser
from urllib.parse import urlsplit

import httpx
import redis

from pressline.errors import BlockedAddress, PermanentError, RateLimited, RobotsDenied
from pressline.record import digest
from pressline.settings import Settings
from services.ingest.fetch import fetch

ROBOTS_TYPES = ("text/plain", "text/html", "application/octet-stream")
_ALLOW_ALL = "\0allow-all"

# KEYS[1] bucket; ARGV: rate (tokens/s), burst, max wait (s). Returns the wait in seconds as a
# string: "0" when a token was free, the reservation's wait otherwise, or "-<wait>" when the
# wait is over the maximum (nothing reserved).
_BUCKET = """
if redis.replicate_commands then pcall(redis.replicate_commands) end
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local max_wait = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1])
local ts = tonumber(state[2])
if tokens == nil or ts == nil then
  tokens = burst
  ts = now
end
tokens = math.min(burst, tokens + math.max(0, now - ts) * rate)
local wait = 0
if tokens < 1 then
  wait = (1 - tokens) / rate
  if wait > max_wait then
    return '-' .. tostring(wait)
  end
end
tokens = tokens - 1
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil(burst / rate + wait) + 60)
return tostring(wait)
"""


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    scheme = (parts.scheme or "http").lower()
    port = parts.port or (443 if scheme == "https" else 80)
    return f"{scheme}://{(parts.hostname or '').lower()}:{port}"


def robots_key(settings: Settings, url: str) -> str:
    return settings.key("robots", digest(origin_of(url)))


def bucket_key(settings: Settings, url: str) -> str:
    return settings.key("rate", (urlsplit(url).hostname or "").lower())


def _robots_text(url: str, settings: Settings, client: redis.Redis, http: httpx.Client) -> str:
    """The origin's robots.txt (cached), or ``_ALLOW_ALL`` when there is none to obey."""
    key = robots_key(settings, url)
    cached = client.get(key)
    if cached is not None:
        return str(cached)
    # One fetch per origin across the fleet: the first worker takes a lock, the others wait
    # (at most one fetch's deadline) for the text it caches, then fetch themselves if need be.
    lock = key + ":lock"
    budget = settings.fetch_total_timeout + 2
    took = bool(client.set(lock, "1", nx=True, ex=int(budget) + 1))
    if not took:
        deadline = time.monotonic() + budget
        while time.monotonic() < deadline:
            time.sleep(0.05)
            cached = client.get(key)
            if cached is not None:
                return str(cached)
    try:
        # Checked again before fetching: a worker that found no text, then took the lock
        # just after another one released it, would otherwise fetch a second time.
        cached = client.get(key)
        if cached is not None:
            return str(cached)
        return _fetch_robots(url, key, settings, client, http)
    finally:
        if took:  # a waiter that gave up leaves the holder's lock alone
            client.delete(lock)


def _fetch_robots(url: str, key: str, settings: Settings, client: redis.Redis,
                  http: httpx.Client) -> str:
    parts = urlsplit(url)
    robots_url = f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}/robots.txt"
    try:
        fetched = fetch(robots_url, settings, http, accept=ROBOTS_TYPES)
        text = fetched.body[:512 * 1024].decode("utf-8", "replace")
    except BlockedAddress:
        raise  # the page itself would be refused for the same reason
    except PermanentError:
        text = _ALLOW_ALL  # 4xx, not text, too large: no rules to obey (RFC 9309 2.3.1.3)
    # TransientError (5xx, timeout, connection) propagates: the job is retried later.
    client.set(key, text, ex=settings.robots_ttl)
    return text


def check_robots(url: str, settings: Settings, client: redis.Redis, http: httpx.Client) -> None:
    """Raise ``RobotsDenied`` when the site's robots.txt disallows ``url`` for our agent."""
    if not settings.robots:
        return
    text = _robots_text(url, settings, client, http)
    if text == _ALLOW_ALL:
        return
    parser = urllib.robotparser.RobotFileParser()
    parser.parse(text.splitlines())
    if not parser.can_fetch(settings.user_agent, url):
        raise RobotsDenied(f"robots.txt of {origin_of(url)} disallows this URL for "
                           f"User-Agent {settings.user_agent.split('/')[0]!r}", item=url)


def take_token(url: str, settings: Settings, client: redis.Redis) -> float:
    """Take the domain's next token, sleeping until it is due; returns the seconds slept."""
    if settings.rate_per_domain <= 0:
        return 0.0
    reply = client.eval(_BUCKET, 1, bucket_key(settings, url), settings.rate_per_domain,
                        settings.rate_burst, settings.rate_max_wait)
    wait = float(reply)
    if wait < 0:
        raise RateLimited(f"rate limit for {urlsplit(url).hostname}: next slot in "
                          f"{-wait:.1f}s", item=url, retry_after=-wait)
    if wait > 0:
        time.sleep(wait)
    return wait


def be_polite(url: str, settings: Settings, client: redis.Redis, http: httpx.Client) -> None:
    """Everything a fetch of ``url`` waits for: robots.txt first, then a token."""
    check_robots(url, settings, client, http)
    take_token(url, settings, client)
