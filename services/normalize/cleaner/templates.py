"""Cross-page line counts in Redis, shared by all workers and kept across restarts.

Layout: one hash per line fingerprint, ``{prefix}:fp:{fp}`` mapping site -> pages of that
site that had the line; its length is the number of distinct sites. A marker key per page
makes ``record`` idempotent. Keys expire ``ttl`` seconds after their last write, so memory
is bounded by the short lines seen within that window.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from typing import Any

_NONWORD = re.compile(r"[\W_]+")
_DIGITS = re.compile(r"\d+")

MAX_WORDS = 30
DEFAULT_TTL = 30 * 24 * 3600


def fingerprint(line: str) -> str | None:
    """Hash of the normalized line (lowercase, digits and whitespace collapsed); None if long."""
    norm = _DIGITS.sub("0", _NONWORD.sub(" ", line.lower())).strip()
    if not norm or norm.count(" ") >= MAX_WORDS:
        return None
    return hashlib.blake2b(norm.encode("utf-8"), digest_size=10).hexdigest()


class RedisTemplateStore:
    """TemplateStore over a ``redis.Redis`` client; one page costs O(1) round trips."""

    def __init__(
        self,
        client: Any,
        prefix: str = "pressline:tpl",
        min_pages: int = 3,
        min_sites: int = 3,
        ttl: int = DEFAULT_TTL,
    ) -> None:
        self.client = client
        self.prefix = prefix
        self.min_pages = min_pages
        self.min_sites = min_sites
        self.ttl = ttl

    def _fp_key(self, fp: str) -> str:
        return f"{self.prefix}:fp:{fp}"

    def seen(self, site: str, lines: Sequence[str]) -> list[tuple[int, int]]:
        """(pages of this site, distinct sites) per line, from pages recorded so far."""
        return self._seen(site, lines, own=0)

    def seen_excluding(
        self, site: str, lines: Sequence[str], page_id: str
    ) -> list[tuple[int, int]]:
        """As ``seen``, minus this page's own earlier recording (re-processed pages)."""
        own = int(bool(self.client.exists(self._marker(site, page_id))))
        return self._seen(site, lines, own=own)

    def _marker(self, site: str, page_id: str) -> str:
        return f"{self.prefix}:page:{site}:{page_id}"

    def _seen(self, site: str, lines: Sequence[str], own: int) -> list[tuple[int, int]]:
        fps = [fingerprint(line) for line in lines]
        uniq = sorted({f for f in fps if f})
        if not uniq:
            return [(0, 0)] * len(lines)
        pipe = self.client.pipeline(transaction=False)
        for fp in uniq:
            key = self._fp_key(fp)
            pipe.hget(key, site)
            pipe.hlen(key)
        res = pipe.execute()
        found: dict[str, tuple[int, int]] = {}
        for k, fp in enumerate(uniq):
            pages = int(res[2 * k] or 0)
            sites = int(res[2 * k + 1] or 0)
            if own and pages:
                pages -= own
                sites -= 0 if pages else 1
            found[fp] = (pages, sites)
        return [found.get(f, (0, 0)) if f else (0, 0) for f in fps]

    def record(self, site: str, page_id: str, lines: Sequence[str]) -> None:
        """Count each distinct short line once for this page; a repeated page_id is a no-op."""
        if not self.client.set(self._marker(site, page_id), 1, nx=True, ex=self.ttl):
            return
        uniq = {f for f in (fingerprint(line) for line in lines) if f}
        if not uniq:
            return
        pipe = self.client.pipeline(transaction=False)
        for fp in sorted(uniq):
            key = self._fp_key(fp)
            pipe.hincrby(key, site, 1)
            pipe.expire(key, self.ttl)
        pipe.execute()

    def judge(self, pages: int, sites: int) -> str | None:
        """Signal string when counts make a line template boilerplate."""
        if pages >= self.min_pages:
            return f"template:site={pages}"
        if sites >= self.min_sites:
            return f"template:sites={sites}"
        return None
