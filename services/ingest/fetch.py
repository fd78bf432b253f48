"""Fetching a URL with httpx: bounded in time, size, decompression and redirects, SSRF-guarded.

Every hop is vetted by ``services.ingest.guard`` (scheme, host, every resolved address) and the
TCP connection goes to the address that was checked, through the client's ``PinnedBackend``.
The body is read raw and decompressed here with hard caps on both raw and decoded bytes;
one total deadline covers DNS-to-last-byte, enforced on every socket read.

Transport failures map onto the exception tree so the task can decide retry or dead letter
from the class alone.
"""

from __future__ import annotations

import ssl
import time
import weakref
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpcore
import httpx

from pressline.errors import (
    ConnectionFailed,
    FetchRefused,
    FetchTimeout,
    PermanentError,
    UnsupportedContent,
    UpstreamUnavailable,
)
from pressline.settings import Settings
from services.ingest.files import looks_binary
from services.ingest.guard import (
    PinnedBackend,
    PinnedTransport,
    Resolver,
    VettedTarget,
    parse_url,
    vet_url,
)

ACCEPTED_TYPES = ("text/html", "application/xhtml+xml", "text/plain")
_REDIRECTS = {301, 302, 303, 307, 308}
# We advertise only what we decode ourselves; anything else a server sends is refused.
ACCEPT_ENCODING = "gzip, deflate"
_IDENTITY = {"", "identity"}
_CHUNK = 64 * 1024

_BACKENDS: weakref.WeakKeyDictionary[httpx.Client, PinnedBackend] = weakref.WeakKeyDictionary()


@dataclass
class Fetched:
    url: str
    status: int
    content_type: str | None
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


def decoded_cap(settings: Settings) -> int:
    """Most bytes a body may decompress to."""
    return settings.fetch_max_decoded_bytes


def make_client(settings: Settings, *, network_backend: httpcore.NetworkBackend | None = None,
                verify: ssl.SSLContext | bool = True) -> httpx.Client:
    """One client per worker process: connection pooling across the pages it fetches.

    Its transport connects only to addresses ``fetch`` has vetted and pinned;
    ``network_backend`` (tests) is what the pin finally hands the vetted address to;
    ``verify`` (tests) replaces the system CA bundle with another SSL context.
    """
    timeout = httpx.Timeout(
        connect=settings.fetch_connect_timeout,
        read=settings.fetch_read_timeout,
        write=settings.fetch_read_timeout,
        pool=settings.fetch_connect_timeout,
    )
    backend = PinnedBackend(network_backend)
    client = httpx.Client(
        timeout=timeout,
        follow_redirects=False,
        headers={"User-Agent": settings.user_agent, "Accept": "text/html,*/*;q=0.5",
                 "Accept-Encoding": ACCEPT_ENCODING},
        trust_env=False,
        transport=PinnedTransport(backend, verify=verify),
    )
    _BACKENDS[client] = backend
    return client


def check_url(url: str) -> httpx.URL:
    """Syntax only (scheme, credentials, host); ``vet_url`` also resolves and checks addresses."""
    return parse_url(url)


def _retry_after(response: httpx.Response) -> float | None:
    """Retry-After in seconds: delta-seconds or an HTTP-date (RFC 9110 10.2.3)."""
    value = response.headers.get("retry-after", "").strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def fetch(url: str, settings: Settings, client: httpx.Client, *,
          resolver: Resolver | None = None, accept: tuple[str, ...] | None = None) -> Fetched:
    """Fetch one page, following at most ``fetch_max_redirects`` redirects, each re-vetted.

    ``accept`` (feeds, sitemaps) replaces the accepted media types and skips the binary sniff:
    the caller parses the body itself."""
    backend = _BACKENDS.get(client)
    if backend is None:
        raise TypeError("fetch() needs a client from make_client(): it pins vetted addresses")
    deadline = time.monotonic() + settings.fetch_total_timeout
    target = vet_url(url, settings, resolver, deadline)
    seen = {target.url}
    for hop in range(settings.fetch_max_redirects + 1):
        try:
            with backend.pinned(target, deadline), \
                    client.stream("GET", target.url,
                                  timeout=_timeout(settings, deadline, url)) as response:
                if response.status_code in _REDIRECTS and "location" in response.headers:
                    target = _next_hop(target, response, settings, resolver, url, seen, hop,
                                       deadline)
                    continue
                _check_status(response, url)
                content_type = response.headers.get("content-type")
                _check_type(content_type, url, accept or ACCEPTED_TYPES)
                body = _read_body(response, settings, deadline, url)
                if accept is None:
                    _check_sniffed(content_type, body, url)
                return Fetched(target.url, response.status_code, content_type, body,
                               dict(response.headers))
        except httpx.TimeoutException as exc:
            if time.monotonic() >= deadline:
                raise FetchTimeout(f"fetch took longer than the {settings.fetch_total_timeout}s "
                                   "total deadline", item=url) from exc
            raise FetchTimeout(f"timed out fetching: {exc.__class__.__name__}", item=url) from exc
        except (httpx.ConnectError, httpx.ReadError, httpx.RemoteProtocolError,
                httpx.WriteError) as exc:
            raise ConnectionFailed(f"connection failed: {exc}", item=url) from exc
    raise FetchRefused(f"more than {settings.fetch_max_redirects} redirects", item=url)


def _timeout(settings: Settings, deadline: float, url: str) -> httpx.Timeout:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise FetchTimeout(f"fetch took longer than the {settings.fetch_total_timeout}s total "
                           "deadline", item=url)
    return httpx.Timeout(connect=min(settings.fetch_connect_timeout, remaining),
                         read=min(settings.fetch_read_timeout, remaining),
                         write=min(settings.fetch_read_timeout, remaining),
                         pool=min(settings.fetch_connect_timeout, remaining))


def _next_hop(current: VettedTarget, response: httpx.Response, settings: Settings,
              resolver: Resolver | None, url: str, seen: set[str], hop: int,
              deadline: float) -> VettedTarget:
    if hop >= settings.fetch_max_redirects:
        raise FetchRefused(f"more than {settings.fetch_max_redirects} redirects", item=url)
    location = response.headers["location"]
    try:
        joined = str(httpx.URL(current.url).join(location))
    except (httpx.InvalidURL, ValueError) as exc:
        raise FetchRefused(f"redirect to a malformed location {location!r}", item=url) from exc
    try:
        nxt = vet_url(joined, settings, resolver, deadline)
    except PermanentError as exc:  # same class and reason, naming the hop that was refused
        raise type(exc)(f"redirect to {joined} refused: {exc.message}", item=url) from None
    if nxt.url in seen:
        raise FetchRefused(f"redirect loop back to {nxt.url} after {hop + 1} redirects",
                           item=url)
    seen.add(nxt.url)
    return nxt


def _check_status(response: httpx.Response, url: str) -> None:
    status = response.status_code
    if status == 429 or status >= 500:
        raise UpstreamUnavailable(f"HTTP {status} from server", item=url,
                                  retry_after=_retry_after(response))
    if status >= 400:
        raise FetchRefused(f"HTTP {status} from server", item=url)


def _check_type(content_type: str | None, url: str,
                accepted: tuple[str, ...] = ACCEPTED_TYPES) -> None:
    media = (content_type or "").split(";")[0].strip().lower()
    if media and media not in accepted:
        raise UnsupportedContent(f"content type {media!r} is not an HTML or text page", item=url)


def _check_sniffed(content_type: str | None, body: bytes, url: str) -> None:
    """A body that is certainly binary is refused, whatever type it claims (or lacks)."""
    head = body[:8192]
    if not content_type:
        if looks_binary(head):
            raise UnsupportedContent("no content type and the body looks binary", item=url)
        return
    lowered = content_type.lower()
    if "utf-16" in lowered or "utf-32" in lowered:
        return
    if looks_binary(head):
        media = lowered.split(";")[0].strip()
        raise UnsupportedContent(f"declared {media!r} but the body is binary", item=url)


class _Decoder:
    """Bounded decompression of one Content-Encoding (identity, gzip or deflate)."""

    def __init__(self, encoding: str, cap: int, url: str) -> None:
        self.encoding = encoding
        self.cap = cap
        self.url = url
        self.size = 0
        self.chunks: list[bytes] = []
        self._z: zlib._Decompress | None = None
        self._first = True
        if encoding in ("gzip", "x-gzip"):
            self._z = zlib.decompressobj(16 + zlib.MAX_WBITS)

    def _emit(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.cap:
            raise FetchRefused(f"body decompresses to more than {self.cap} bytes "
                               f"({self.encoding} bomb?)", item=self.url)
        self.chunks.append(data)

    def feed(self, raw: bytes) -> None:
        if self.encoding in _IDENTITY:
            self._emit(raw)
            return
        if self._z is None:  # deflate: zlib-wrapped per RFC, raw deflate from some servers
            wrapped = (raw[0] & 0x0F) == 8 and ((raw[0] << 8) | raw[1]) % 31 == 0 \
                if len(raw) >= 2 else True
            self._z = zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
        data = raw
        try:
            while data and not self._z.eof:
                out = self._z.decompress(data, self.cap - self.size + 1)
                self._emit(out)
                data = self._z.unconsumed_tail
        except zlib.error as exc:
            raise FetchRefused(f"corrupt {self.encoding} body: {exc}", item=self.url) from exc

    def finish(self) -> bytes:
        if self._z is not None and not self._z.eof:
            try:
                self._emit(self._z.flush())
            except zlib.error as exc:
                raise FetchRefused(f"corrupt {self.encoding} body: {exc}",
                                   item=self.url) from exc
        return b"".join(self.chunks)


def _content_encoding(response: httpx.Response, url: str) -> str:
    values = ",".join(response.headers.get_list("content-encoding"))
    codings = [c.strip().lower() for c in values.split(",") if c.strip()]
    codings = [c for c in codings if c != "identity"]
    if len(codings) > 1:
        raise FetchRefused(f"stacked content encodings {', '.join(codings)!r} refused", item=url)
    coding = codings[0] if codings else ""
    if coding not in ("", "gzip", "x-gzip", "deflate"):
        raise UnsupportedContent(f"content encoding {coding!r} is not supported "
                                 f"(only {ACCEPT_ENCODING})", item=url)
    return coding


def _read_body(response: httpx.Response, settings: Settings, deadline: float, url: str) -> bytes:
    cap = settings.fetch_max_bytes
    declared = response.headers.get("content-length", "").strip()
    if declared.isdigit() and int(declared) > cap:
        raise FetchRefused(f"Content-Length {declared} is over the {cap}-byte cap", item=url)
    decoder = _Decoder(_content_encoding(response, url), decoded_cap(settings), url)
    size = 0
    for chunk in response.iter_raw(_CHUNK):
        size += len(chunk)
        if size > cap:
            raise FetchRefused(f"body larger than {cap} bytes", item=url)
        if time.monotonic() > deadline:
            raise FetchTimeout(f"fetch took longer than the {settings.fetch_total_timeout}s "
                               "total deadline", item=url)
        decoder.feed(chunk)
    return decoder.finish()
