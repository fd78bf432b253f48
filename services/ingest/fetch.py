"""Fetching a URL with httpx: bounded in time, size and redirects.

Transport failures map onto the exception tree so the task can decide retry or dead letter
from the class alone.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import httpx

from pressline.errors import (
    ConnectionFailed,
    FetchRefused,
    FetchTimeout,
    InvalidInput,
    UnsupportedContent,
    UpstreamUnavailable,
)
from pressline.settings import Settings

ACCEPTED_TYPES = ("text/html", "application/xhtml+xml", "text/plain")
_REDIRECTS = {301, 302, 303, 307, 308}


@dataclass
class Fetched:
    url: str
    status: int
    content_type: str | None
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


def make_client(settings: Settings) -> httpx.Client:
    """One client per worker process: connection pooling across the pages it fetches."""
    timeout = httpx.Timeout(
        connect=settings.fetch_connect_timeout,
        read=settings.fetch_read_timeout,
        write=settings.fetch_read_timeout,
        pool=settings.fetch_connect_timeout,
    )
    return httpx.Client(
        timeout=timeout,
        follow_redirects=False,
        headers={"User-Agent": settings.user_agent, "Accept": "text/html,*/*;q=0.5"},
        trust_env=False,
    )


def check_url(url: str) -> httpx.URL:
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError) as exc:
        raise InvalidInput(f"malformed URL: {exc}", item=url) from exc
    if parsed.scheme not in ("http", "https"):
        raise InvalidInput(f"unsupported URL scheme {parsed.scheme!r}", item=url)
    if not parsed.host:
        raise InvalidInput("URL has no host", item=url)
    return parsed


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after", "")
    return float(value) if value.strip().isdigit() else None


def fetch(url: str, settings: Settings, client: httpx.Client) -> Fetched:
    """Fetch one page, following at most ``fetch_max_redirects`` redirects by hand."""
    deadline = time.monotonic() + settings.fetch_total_timeout
    current = check_url(url)
    for _hop in range(settings.fetch_max_redirects + 1):
        try:
            with client.stream("GET", current) as response:
                if response.status_code in _REDIRECTS and "location" in response.headers:
                    current = check_url(str(current.join(response.headers["location"])))
                    continue
                _check_status(response, url)
                content_type = response.headers.get("content-type")
                _check_type(content_type, url)
                body = _read_capped(response, settings, deadline, url)
                return Fetched(str(current), response.status_code, content_type, body,
                               dict(response.headers))
        except httpx.TimeoutException as exc:
            raise FetchTimeout(f"timed out fetching: {exc.__class__.__name__}", item=url) from exc
        except (httpx.ConnectError, httpx.ReadError, httpx.RemoteProtocolError,
                httpx.WriteError) as exc:
            raise ConnectionFailed(f"connection failed: {exc}", item=url) from exc
    raise FetchRefused(f"more than {settings.fetch_max_redirects} redirects", item=url)


def _check_status(response: httpx.Response, url: str) -> None:
    status = response.status_code
    if status == 429 or status >= 500:
        raise UpstreamUnavailable(f"HTTP {status} from server", item=url,
                                  retry_after=_retry_after(response))
    if status >= 400:
        raise FetchRefused(f"HTTP {status} from server", item=url)


def _check_type(content_type: str | None, url: str) -> None:
    media = (content_type or "").split(";")[0].strip().lower()
    if media and media not in ACCEPTED_TYPES:
        raise UnsupportedContent(f"content type {media!r} is not an HTML or text page", item=url)


def _read_capped(response: httpx.Response, settings: Settings, deadline: float, url: str) -> bytes:
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > settings.fetch_max_bytes:
            raise FetchRefused(f"body larger than {settings.fetch_max_bytes} bytes", item=url)
        if time.monotonic() > deadline:
            raise FetchTimeout(f"fetch took longer than {settings.fetch_total_timeout}s", item=url)
        chunks.append(chunk)
    return b"".join(chunks)
