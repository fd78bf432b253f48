"""One page in, one ``ArticleRecord`` out: the plain, typed core of the normalize stage.

No Redis and no Celery here, so ``pressline extract`` and library users run exactly the code
the workers run. The optional template store is the only shared state, and it is passed in.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from pydantic import TypeAdapter

from pressline.errors import EmptyExtraction
from pressline.record import ArticleRecord, Provenance, RawPage, RemovedBlock, digest
from pressline.settings import Settings
from services.normalize.cleaner import Cleaned, Removal, TemplateStore, clean_capture
from services.normalize.detect import looks_like_html
from services.normalize.html import HtmlExtract, extract_html, paywall_flags, second_pass
from services.normalize.language import detect_language

_WS = re.compile(r"\s+")
_DATETIME: TypeAdapter[datetime] = TypeAdapter(datetime)
# Scripts written without spaces between words: each character counts as a word.
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u0e00-\u0e7f]")


def count_words(text: str) -> int:
    """Whitespace tokens, with CJK/Thai characters counted one each (they have no spaces)."""
    unspaced = len(_UNSPACED.findall(text))
    if not unspaced:
        return len(text.split())
    return len(_UNSPACED.sub(" ", text).split()) + unspaced


def normalized_text(text: str) -> str:
    """The form hashed for ``content_hash``: NFKC, case-folded, whitespace collapsed."""
    return _WS.sub(" ", unicodedata.normalize("NFKC", text)).strip().casefold()


def site_of(url: str | None) -> str | None:
    if not url:
        return None
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.") or None


def _audit(removed: list[Removal], settings: Settings) -> list[RemovedBlock] | None:
    if not settings.audit:
        return None
    cut = settings.audit_text_max
    return [
        RemovedBlock(
            category=r.category,
            text=r.text if len(r.text) <= cut else r.text[: cut - 1] + "…",
            signals=list(r.signals),
        )
        for r in removed
    ]


def normalize_page(
    page: RawPage, body: str, settings: Settings, *, templates: TemplateStore | None = None
) -> ArticleRecord:
    """Extract and clean one decoded page; raises EmptyExtraction when no article is left."""
    title: str | None
    authors: list[str] = []
    published_at: datetime | None = None
    site = site_of(page.url)
    extra: dict[str, Any] = {}
    if looks_like_html(body):
        extracted = extract_html(body, page.url)
        meta = extracted.meta
        cleaned: Cleaned = second_pass(extracted)
        title = meta.title or cleaned.title
        authors, published_at = meta.authors, meta.published_at
        site = meta.site or site
        extra = _html_fields(extracted, cleaned)
        input_format = "html"
    else:
        cleaned = clean_capture(body, site=site, templates=templates, page_id=page.job_id)
        title = cleaned.title
        input_format = "text"
    paragraphs = cleaned.paragraphs
    if title and paragraphs and normalized_text(paragraphs[0]) == normalized_text(title):
        paragraphs = paragraphs[1:]
    text = "\n\n".join(paragraphs)
    words = count_words(text)
    if words < settings.min_text_words:
        raise EmptyExtraction(
            f"no article text found ({words} words after cleaning)", item=page.source
        )
    language = cleaned.language or detect_language(text)
    content_hash = hashlib.sha256(normalized_text(text).encode("utf-8")).hexdigest()
    record = ArticleRecord(
        id=digest(page.job_id, content_hash),
        job_id=page.job_id,
        source=page.source,
        url=page.url,
        site=site,
        title=title,
        authors=authors,
        published_at=published_at,
        language=language,
        text=text,
        word_count=words,
        content_hash=content_hash,
        input_format=input_format,
        fetched_at=page.fetched_at,
        removed=_audit(cleaned.removed, settings),
        **extra,
    )
    return _apply_metadata(record, page)


def _apply_metadata(record: ArticleRecord, page: RawPage) -> ArticleRecord:
    """Sidecar or request metadata (what the producer knows) wins for url, site, fetched_at."""
    meta = page.metadata
    if not meta:
        return record
    from services.normalize.metadata import canonicalize_url, domain_of

    origin = page.metadata_source or "sidecar"
    update: dict[str, Any] = {}
    provenance = dict(record.provenance)
    url = (meta.get("url") or "").strip()
    if url:
        update["url"] = url
        update["domain"] = domain_of(url) or record.domain
        update["canonical_url"] = record.canonical_url or canonicalize_url(url)
        provenance["url"] = Provenance(source=origin, raw=url)
        if record.site is None:
            update["site"] = site_of(url)
    site = (meta.get("site") or "").strip()
    if site:
        update["site"] = site
        provenance["site"] = Provenance(source=origin, raw=site)
    fetched = (meta.get("fetched_at") or "").strip()
    if fetched:
        try:
            update["fetched_at"] = _DATETIME.validate_python(fetched)
            provenance["fetched_at"] = Provenance(source=origin, raw=fetched)
        except ValueError:
            pass  # validated at intake; a bad sidecar date leaves the capture time
    update["provenance"] = provenance
    return record.model_copy(update=update)


def _html_fields(extracted: HtmlExtract, cleaned: Cleaned) -> dict[str, Any]:
    """The HTML branch's extra record fields: metadata, provenance, paywall and truncation."""
    provenance = dict(extracted.provenance)
    paywalled, truncated, why = paywall_flags(extracted, cleaned)
    if why is not None:
        provenance.update(why)
    meta = extracted.meta
    if not meta.language and cleaned.language:
        provenance["language"] = Provenance(source="text", raw=cleaned.language)
    return {
        "canonical_url": meta.canonical_url,
        "domain": meta.domain,
        "modified_at": meta.modified_at,
        "description": meta.description,
        "image": meta.image,
        "tags": meta.tags,
        "paywalled": paywalled,
        "truncated": truncated,
        "provenance": provenance,
    }


def extract(
    content: str | bytes,
    *,
    source: str = "-",
    url: str | None = None,
    content_type: str | None = None,
    settings: Settings | None = None,
) -> ArticleRecord:
    """The library path: a page's text or bytes to a record, with no Redis and no Celery."""
    from services.ingest.decode import decode_body

    settings = settings or Settings()
    charset = None
    if isinstance(content, bytes):
        content, charset = decode_body(content, content_type)
    body_hash = hashlib.sha256(content.encode("utf-8", "surrogatepass")).hexdigest()
    job_id = digest("extract", source, url or "", body_hash)
    page = RawPage(job_id=job_id, item=source, source=source, url=url, content_type=content_type,
                   charset=charset)
    return normalize_page(page, content, settings)

