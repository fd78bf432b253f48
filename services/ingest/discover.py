"""Feeds and sitemaps to article URLs, and the fleet-wide seen-set that submits each once.

Formats: RSS 2.0 and RSS 1.0 (RDF), Atom, JSON Feed, XML sitemaps, sitemap indexes (followed
breadth-first up to ``PRESSLINE_DISCOVER_MAX_SITEMAPS`` sitemaps), news and image sitemaps
(their ``<loc>`` is the article), gzip-compressed sitemaps and plain-text sitemaps (one URL a
line). The document is fetched with the SSRF-guarded fetcher, politely (robots.txt and the
domain's rate limit), and parsed here with lxml (no entities, no network, no DTD).
trafilatura's ``feeds``/``sitemaps`` helpers were not used: they drop links to other hosts
and to IP-address hosts (courlan's checks) and fetch nested sitemaps themselves.

The seen-set is one Redis key per URL (``SET NX`` with ``PRESSLINE_SEEN_TTL``), shared by every
submitter and the beat-driven poller, so a URL is submitted once however many feeds list it.
``pressline.poll_feeds`` is the Celery task that Celery beat runs every
``PRESSLINE_FEED_INTERVAL`` seconds for the feeds in ``PRESSLINE_FEEDS``.
"""

from __future__ import annotations

import json
import logging
import zlib
from collections import deque
from collections.abc import Iterable
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
import redis
from celery import Celery
from lxml import etree

from pressline.celery_app import app
from pressline.errors import InvalidInput, PresslineError, UnsupportedContent
from pressline.intake import job_for, submit_jobs
from pressline.record import Job, digest
from pressline.settings import Settings
from services.ingest.fetch import decoded_cap, fetch
from services.ingest.polite import be_polite

log = logging.getLogger("pressline")

TASK_POLL_FEEDS = "pressline.poll_feeds"
DOCUMENT_TYPES = (
    "application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/xml",
    "text/xml", "application/json", "application/feed+json", "text/plain", "text/html",
    "application/gzip", "application/x-gzip", "application/octet-stream",
)
_PARSER_OPTS: dict[str, Any] = {"resolve_entities": False, "no_network": True, "load_dtd": False,
                                "recover": True, "huge_tree": False}



def _local(tag: object) -> str:
    return etree.QName(tag).localname.lower() if isinstance(tag, str) else ""


def _web(url: str | None, base: str) -> str | None:
    if not url or not url.strip():
        return None
    absolute = urljoin(base, url.strip())
    return absolute if urlsplit(absolute).scheme in ("http", "https") else None


def _gunzip(body: bytes, cap: int, url: str) -> bytes:
    z = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = z.decompress(body, cap + 1)
    except zlib.error as exc:
        raise UnsupportedContent(f"corrupt gzip document: {exc}", item=url) from exc
    if len(out) > cap:
        raise UnsupportedContent(f"document decompresses to more than {cap} bytes", item=url)
    return out


def _xml(body: bytes) -> etree._Element | None:
    try:
        return etree.fromstring(body, etree.XMLParser(**_PARSER_OPTS))
    except etree.XMLSyntaxError:
        return None


def parse_document(body: bytes, base: str) -> tuple[list[str], list[str]]:
    """(article URLs, nested sitemap URLs) found in a feed or sitemap, in document order."""
    head = body.lstrip()[:1]
    if head in (b"{", b"["):
        return _json_feed(body, base), []
    root = _xml(body)
    if root is None:
        lines = body.decode("utf-8", "replace").splitlines()
        return [u for u in (_web(x, base) for x in lines if x.strip().startswith("http")) if u], []
    kind = _local(root.tag)
    if kind == "sitemapindex":
        return [], _locs(root, "sitemap", base)
    if kind == "urlset":
        return _locs(root, "url", base), []
    if kind == "feed":
        return _atom(root, base), []
    if kind in ("rss", "rdf"):
        return _rss(root, base), []
    return [], []


def _locs(root: etree._Element, parent: str, base: str) -> list[str]:
    out = []
    for node in root:
        if _local(node.tag) != parent:
            continue
        for child in node:
            if _local(child.tag) == "loc" and (url := _web(child.text, base)):
                out.append(url)
                break
    return out


def _rss(root: etree._Element, base: str) -> list[str]:
    out = []
    for item in root.iter():
        if _local(item.tag) != "item":
            continue
        link = guid = None
        for child in item:
            name = _local(child.tag)
            if name == "link" and child.text and child.text.strip():
                link = child.text
            elif name == "guid" and (child.get("isPermaLink") or "true").lower() != "false":
                guid = child.text
        if url := _web(link or guid, base):
            out.append(url)
    return out


def _atom(root: etree._Element, base: str) -> list[str]:
    out = []
    for entry in root:
        if _local(entry.tag) != "entry":
            continue
        entry_base = urljoin(base, entry.get("{http://www.w3.org/XML/1998/namespace}base") or "")
        best = None
        for link in entry:
            if _local(link.tag) != "link":
                continue
            rel = (link.get("rel") or "alternate").lower()
            ltype = (link.get("type") or "text/html").lower()
            if rel == "alternate" and ("html" in ltype) and link.get("href"):
                best = link.get("href")
                break
        if url := _web(best, entry_base):
            out.append(url)
    return out


def _json_feed(body: bytes, base: str) -> list[str]:
    try:
        data = json.loads(body.decode("utf-8", "replace"))
    except ValueError:
        return []
    items = data.get("items") if isinstance(data, dict) else None
    out = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict):
            value = item.get("url") or item.get("external_url")
            if isinstance(value, str) and (url := _web(value, base)):
                out.append(url)
    return out


def fetch_document(url: str, settings: Settings, client: redis.Redis,
                   http: httpx.Client) -> tuple[str, bytes]:
    """(final URL, body) of a feed or sitemap: fetched politely, gunzipped when compressed."""
    be_polite(url, settings, client, http)
    fetched = fetch(url, settings, http, accept=DOCUMENT_TYPES)
    body = fetched.body
    if body.startswith(b"\x1f\x8b"):
        body = _gunzip(body, decoded_cap(settings), url)
    return fetched.url, body


def discover(url: str, settings: Settings, client: redis.Redis, http: httpx.Client,
             kind: str = "feed") -> list[str]:
    """Article URLs listed by a feed or a sitemap (indexes followed, with a bound)."""
    queue: deque[str] = deque([url])
    seen_docs: set[str] = set()
    found: dict[str, None] = {}
    failed, last_error = 0, None  # nested sitemaps that could not be read
    while queue and len(seen_docs) < settings.discover_max_sitemaps:
        doc = queue.popleft()
        if doc in seen_docs:
            continue
        seen_docs.add(doc)
        try:
            final, body = fetch_document(doc, settings, client, http)
        except PresslineError as exc:
            if doc == url:
                raise
            log.warning("nested sitemap %s skipped", doc, exc_info=True)
            failed, last_error = failed + 1, exc
            continue
        pages, nested = parse_document(body, final)
        if doc == url and not pages and not nested and _root_unknown(body):
            raise UnsupportedContent(f"not a feed or sitemap ({kind} expected)", item=url)
        for page in pages:
            found.setdefault(page)
            if len(found) >= settings.discover_max_urls:
                return list(found)
        queue.extend(n for n in nested if n not in seen_docs)
    if not found and last_error is not None and failed == len(seen_docs) - 1:
        # An index whose every sitemap failed is a failed source, not an empty one.
        raise type(last_error)(f"none of the {failed} nested sitemaps could be read "
                               f"(last: {last_error.message})", item=url)
    return list(found)


def _root_unknown(body: bytes) -> bool:
    if body.lstrip()[:1] in (b"{", b"["):
        return False
    root = _xml(body)
    return root is None or _local(root.tag) not in ("sitemapindex", "urlset", "feed", "rss",
                                                     "rdf")


def seen_key(settings: Settings, url: str) -> str:
    return settings.key("seen", "url", digest("url", url))


def mark_new(client: redis.Redis, settings: Settings, urls: Iterable[str]) -> list[str]:
    """The URLs never seen before fleet-wide; they are marked seen in the same round trip."""
    urls = list(dict.fromkeys(urls))
    pipe = client.pipeline(transaction=False)
    for url in urls:
        pipe.set(seen_key(settings, url), "1", nx=True, ex=settings.seen_ttl)
    return [u for u, fresh in zip(urls, pipe.execute(), strict=True) if fresh]


def submit_new(celery: Celery, client: redis.Redis, settings: Settings,
               urls: Iterable[str]) -> list[Job]:
    """Submit the URLs not seen before; a URL whose queueing failed is unmarked again."""
    fresh = mark_new(client, settings, urls)
    jobs = [job_for(u) for u in fresh]
    queued: list[Job] = []
    try:
        for job in jobs:
            queued += submit_jobs(celery, settings, [job])
    finally:
        left = [seen_key(settings, j.item) for j in jobs[len(queued):]]
        if left:
            client.delete(*left)
    return queued


def check_source(url: str) -> str:
    url = url.strip()
    if urlsplit(url).scheme not in ("http", "https"):
        raise InvalidInput(f"feed/sitemap must be an http(s) URL: {url!r}", item=url)
    return url


@app.task(name=TASK_POLL_FEEDS, ignore_result=True)
def poll_feeds(feeds: list[str] | None = None) -> dict[str, int]:
    """Celery beat's periodic job: discover each configured feed, submit the new URLs."""
    from pressline.connection import get_client
    from pressline.settings import get_settings
    from services.ingest.tasks import http_client

    settings = get_settings()
    client = get_client(settings)
    submitted: dict[str, int] = {}
    for feed in feeds if feeds is not None else settings.feed_list:
        try:
            urls = discover(check_source(feed), settings, client, http_client())
            submitted[feed] = len(submit_new(app, client, settings, urls))
        except PresslineError as exc:
            log.warning("feed %s not polled: %s: %s", feed, exc.reason, exc.message)
            submitted[feed] = -1
    log.info("polled %d feeds", len(submitted), extra={"submitted": submitted})
    return submitted
