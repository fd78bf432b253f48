"""HTML pages: trafilatura extracts the body (comments excluded) and the metadata."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import trafilatura
from trafilatura.settings import Document


@dataclass
class HtmlExtract:
    paragraphs: list[str]
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    published_at: datetime | None = None
    site: str | None = None
    language: str | None = None
    url: str | None = None


def _parse_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None and len(value) <= 10:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def _split_authors(value: str | None) -> list[str]:
    if not value:
        return []
    names = [n.strip() for n in value.replace(" and ", ";").split(";")]
    return [n for n in names if n]


def extract_html(html: str, url: str | None = None) -> HtmlExtract:
    """Body paragraphs and metadata; an empty paragraph list when nothing was found."""
    doc = trafilatura.bare_extraction(
        html, url=url, include_comments=False, with_metadata=True, include_tables=True
    )
    if not isinstance(doc, Document):
        return HtmlExtract(paragraphs=[])
    text = doc.text or ""
    paragraphs = [line.strip() for line in text.split("\n") if line.strip()]
    return HtmlExtract(
        paragraphs=paragraphs,
        title=(doc.title or None),
        authors=_split_authors(doc.author),
        published_at=_parse_date(doc.date),
        site=doc.sitename or doc.hostname or None,
        language=doc.language or None,
        url=doc.url or url,
    )
