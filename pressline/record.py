"""The contract between stages: pydantic models, each with a schema version.

``Job`` travels on the ingest queue, ``RawPage`` on the normalize queue and ``ArticleRecord``
on the output stream. ``schema/article-record.schema.json`` is generated from ``ArticleRecord``
(``pressline schema``); a test keeps it current.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = "1.0"


def utcnow() -> datetime:
    return datetime.now(UTC)


def digest(*parts: str, size: int = 24) -> str:
    """A short, stable hex id from its parts (sha256, NUL-separated)."""
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:size]


class Job(BaseModel):
    """One submitted item, as queued on the ingest queue."""

    model_config = ConfigDict(extra="forbid")

    schema_version: str = SCHEMA_VERSION
    job_id: str
    item: str = Field(description="The item exactly as submitted (URL or path).")
    kind: Literal["url", "file", "inline"]
    submitted_at: datetime = Field(default_factory=utcnow)
    # Inline content (requests with html/text, WARC records): the body waits in Redis under
    # ``body_key`` with a TTL; the broker message carries only the key.
    body_key: str | None = Field(None, description="Redis key of an inline job's body.")
    content_type: str | None = Field(None, description="Media type of an inline body.")
    source: str | None = Field(None, description="Shown as the record's source, if given.")
    url: str | None = Field(None, description="The page's original URL, if known.")
    fetched_at: datetime | None = Field(None, description="When the page was captured.")
    metadata: dict[str, str] | None = Field(None, description="Producer metadata (url, site, "
                                            "fetched_at) applied to the record.")


class RawPage(BaseModel):
    """A fetched or read page, decoded to text, as handed to normalize.

    The body travels inline when small; otherwise it sits in Redis under ``body_key`` with a
    TTL, so broker messages stay small.
    """

    model_config = ConfigDict(extra="forbid")

    schema_version: str = SCHEMA_VERSION
    job_id: str
    item: str = Field(description="The item as submitted, for dead letters.")
    source: str = Field(description="The URL, or the file's name.")
    url: str | None = None
    content_type: str | None = Field(None, description="Media type from the header, if any.")
    charset: str | None = Field(None, description="The charset the body was decoded with.")
    fetched_at: datetime = Field(default_factory=utcnow)
    body: str | None = None
    body_key: str | None = None
    metadata: dict[str, str] | None = Field(None, description="Sidecar or request metadata.")
    metadata_source: Literal["sidecar", "request"] | None = None


class RemovedBlock(BaseModel):
    """One block the cleaner removed, and why: the audit trail."""

    model_config = ConfigDict(extra="forbid")

    category: str = Field(description="paywall, promo, comments, related, caption, media, "
                          "share, navigation, site, duplicate, headline or other.")
    text: str = Field(description="The block's text, cut to a configured length.")
    signals: list[str] = Field(default_factory=list, description="What decided the removal.")


class Provenance(BaseModel):
    """Where a metadata field came from, and the raw value before normalization."""

    model_config = ConfigDict(extra="forbid")

    source: Literal["json-ld", "meta", "html", "url", "text", "sidecar", "request"]
    raw: str | None = None


class NearDuplicate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    similarity: float = Field(ge=0, le=1)


class ArticleRecord(BaseModel):
    """A clean, typed article: what consumers of ``pressline:articles`` receive."""

    model_config = ConfigDict(extra="forbid")

    schema_version: str = SCHEMA_VERSION
    id: str = Field(description="Stable record id, derived from the job and the content.")
    job_id: str
    source: str = Field(description="The URL, or the file's name.")
    url: str | None = None
    canonical_url: str | None = Field(None, description="Normalized, tracking parameters removed.")
    site: str | None = Field(None, description="The site's name or, failing that, its domain.")
    domain: str | None = None
    title: str | None = None
    authors: list[str] = Field(default_factory=list)
    published_at: datetime | None = None
    modified_at: datetime | None = None
    language: str | None = Field(None, description="ISO 639-1 code.")
    description: str | None = None
    image: str | None = None
    tags: list[str] = Field(default_factory=list)
    paywalled: bool = False
    truncated: bool = False
    text: str
    word_count: int
    content_hash: str = Field(description="sha256 of the normalized text.")
    input_format: Literal["html", "text"]
    fetched_at: datetime | None = None
    ingested_at: datetime = Field(default_factory=utcnow)
    removed: list[RemovedBlock] | None = Field(
        None, description="Audit trail of removed blocks; null when auditing is off."
    )
    provenance: dict[str, Provenance] = Field(
        default_factory=dict, description="Per metadata field: its source and raw value."
    )
    duplicate_of: str | None = Field(None, description="Earlier record with the same text.")
    version: int = Field(1, ge=1, description="1 + earlier records of the same canonical URL.")
    previous_id: str | None = Field(None, description="The previous version's record id.")
    near_duplicates: list[NearDuplicate] = Field(default_factory=list)
    story_id: str | None = Field(None, description="Shared by articles about one event.")

    def to_json(self) -> str:
        return self.model_dump_json()


def record_schema() -> dict[str, object]:
    """The JSON Schema published for consumers in any language."""
    schema = ArticleRecord.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://pressline.dev/schema/article-record-{SCHEMA_VERSION}.json"
    return schema
