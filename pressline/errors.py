"""The one exception tree. Workers decide retry-or-dead-letter by class alone.

    PresslineError                 every failure pressline raises on purpose
    ├── TransientError             worth retrying with backoff, then dead-lettered
    │   ├── FetchTimeout           connect/read/total deadline passed
    │   ├── UpstreamUnavailable    5xx, 429 (carries Retry-After when given)
    │   ├── ConnectionFailed       refused, reset, DNS hiccup
    │   ├── RateLimited            the domain's shared token bucket is empty for too long
    │   └── StoreUnavailable       Redis unreachable while handling a job
    └── PermanentError             retrying cannot help: dead-lettered at once
        ├── InvalidInput           malformed URL, unknown item, bad request
        ├── FetchRefused           4xx, too many redirects, body over the cap
        │   ├── BlockedAddress     SSRF guard: the host is or resolves to an internal address
        │   └── RobotsDenied       the site's robots.txt disallows the URL for our User-Agent
        ├── UnsupportedContent     not an HTML or text page (PDF, image, JSON...)
        ├── UnreadableFile         missing, empty, binary or over the size cap
        ├── PageExpired            the stored page body is gone (TTL passed)
        └── EmptyExtraction        nothing article-like left after cleaning

Each exception carries the item it is about and a short machine-readable ``reason`` code
that lands in the dead letter next to the human message.
"""

from __future__ import annotations


class PresslineError(Exception):
    """Base class; ``reason`` is a stable code, ``item`` the input the failure is about."""

    reason = "error"

    def __init__(self, message: str, *, item: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.item = item

    def __str__(self) -> str:
        return self.message


class TransientError(PresslineError):
    reason = "transient"

    def __init__(
        self, message: str, *, item: str | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message, item=item)
        self.retry_after = retry_after


class FetchTimeout(TransientError):
    reason = "timeout"


class UpstreamUnavailable(TransientError):
    reason = "upstream_unavailable"


class ConnectionFailed(TransientError):
    reason = "connection_failed"


class RateLimited(TransientError):
    """The per-domain token bucket (shared by all workers) has no token soon enough."""

    reason = "rate_limited"


class StoreUnavailable(TransientError):
    reason = "store_unavailable"


class PermanentError(PresslineError):
    reason = "permanent"


class InvalidInput(PermanentError):
    reason = "invalid_input"


class FetchRefused(PermanentError):
    reason = "fetch_refused"


class BlockedAddress(FetchRefused):
    """The URL's host is, or resolves to, an address pressline must not connect to."""

    reason = "blocked_address"


class UnsupportedContent(PermanentError):
    reason = "unsupported_content"


class UnreadableFile(PermanentError):
    reason = "unreadable_file"


class PageExpired(PermanentError):
    reason = "page_expired"


class EmptyExtraction(PermanentError):
    reason = "empty_extraction"


class RobotsDenied(FetchRefused):
    """robots.txt disallows fetching the URL with pressline's User-Agent."""

    reason = "robots_txt"
