"""HTML pages: one lxml parse shared by trafilatura (the body) and our metadata reader.

trafilatura's options were chosen on the devdata TUNE half (``bench/eval_html.py``); comments
are always excluded. The standfirst that precision mode drops (in the article's ``<header>``,
or in a block of its own above the body) comes back (``lead.py``). When trafilatura's
result is empty or implausibly short for the page, the cascade (``cascade.py``) lets
trafilatura's balanced mode, readability-lxml and jusText compete on evidence; when it is a
small part of the JSON-LD ``articleBody``, that declared text is the body (``jsonld_body.py``).
A body split into same-class containers is joined from the later ones (``chunks.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from urllib.parse import urlsplit

import trafilatura
from lxml.html import HtmlElement
from trafilatura.settings import Document
from trafilatura.utils import load_html

from pressline.record import Provenance
from services.normalize import cascade, chunks, jsonld_body, shown_date
from services.normalize.boxes import drop_boxed
from services.normalize.cleaner import Cleaned, Removal, clean_body
from services.normalize.cleaner.pipeline import LINK_LIST_MIN_ITEMS, LIST_ITEM
from services.normalize.lead import block_text, body_anchor, lead_above
from services.normalize.metadata import PageMeta, domain_of, extract_metadata, plausible


@dataclass(frozen=True)
class ExtractOptions:
    """trafilatura's knobs plus our additions; the defaults are the measured choice.

    ``escalate_words``: when the first (``fast``) run returns fewer words, trafilatura runs
    again without ``fast`` (its own readability/jusText comparison) and the longer result wins
    by ``escalate_gain``. 0 disables it. ``cascade``: trafilatura's balanced mode,
    readability-lxml and jusText compete when the result is still empty or very short.
    ``lead``: the standfirst precision mode drops comes back (``lead.py``). ``boxes``:
    paragraphs found only in boxes the page marks as promos, embeds, captions... go
    (``boxes.py``). ``declared``: the JSON-LD ``articleBody`` replaces an extraction that is
    a small part of it (``jsonld_body.py``). ``chunks``: the later stretches of a body split
    into same-class containers join it (``chunks.py``).
    """

    favor_precision: bool = True
    favor_recall: bool = False
    fast: bool = True
    include_tables: bool = True
    escalate_words: int = 100
    escalate_gain: float = 1.2
    cascade: bool = True
    lead: bool = True
    boxes: bool = True
    declared: bool = True
    chunks: bool = True


DEFAULT_OPTIONS = ExtractOptions()


@dataclass
class HtmlExtract:
    """The body found (by trafilatura or the cascade) and the page's metadata as read."""

    paragraphs: list[str]
    meta: PageMeta = field(default_factory=PageMeta)
    extractor: str = "trafilatura"
    linked: frozenset[int] = frozenset()  # list items ending the body that carry a link
    removed: list[Removal] = field(default_factory=list)  # boxed paragraphs, for the audit

    @property
    def provenance(self) -> dict[str, Provenance]:
        """The metadata's provenance, and which extractor gave the text."""
        return {**self.meta.provenance, "text": Provenance(source="html", raw=self.extractor)}


_LINE = re.compile(r"\n+")


def parse_html(html: str) -> HtmlElement | None:
    """The one parse of the page (trafilatura's loader: handles encoding declarations)."""
    tree = load_html(html)
    return tree if isinstance(tree, HtmlElement) else None


def trafilatura_paragraphs(tree: HtmlElement, url: str | None,
                           options: ExtractOptions = DEFAULT_OPTIONS) -> list[str]:
    """trafilatura's body as paragraphs; it copies a tree it is given, so ``tree`` is intact."""
    doc = trafilatura.bare_extraction(
        tree,
        url=url,
        include_comments=False,
        with_metadata=False,
        include_tables=options.include_tables,
        favor_precision=options.favor_precision,
        favor_recall=options.favor_recall,
        fast=options.fast,
    )
    if not isinstance(doc, Document):
        return []
    return [line.strip() for line in _LINE.split(doc.text or "") if line.strip()]


def extract_html(html: str, url: str | None = None,
                 options: ExtractOptions = DEFAULT_OPTIONS) -> HtmlExtract:
    """Body paragraphs and metadata; an empty paragraph list when nothing was found."""
    tree = parse_html(html)
    if tree is None:
        return HtmlExtract(paragraphs=[])
    meta = extract_metadata(tree, url)
    paragraphs = trafilatura_paragraphs(tree, url, options)
    extractor = "trafilatura"
    if (options.fast and options.escalate_words
            and cascade.words(paragraphs) < options.escalate_words):
        full = trafilatura_paragraphs(tree, url, replace(options, fast=False))
        if cascade.words(full) > options.escalate_gain * cascade.words(paragraphs):
            paragraphs, extractor = full, "trafilatura-full"
    # The lead joins only trafilatura's own body, after the cascade: its words must not
    # lift a near-empty result above the cascade's trigger.
    primary = extractor
    if options.cascade:
        balanced = replace(options, favor_precision=False)
        best = cascade.choose(
            tree, cascade.Candidate(extractor, paragraphs), url, meta.language,
            more={"trafilatura-balanced":
                  lambda t, u, lang: trafilatura_paragraphs(t, u, balanced)},
        )
        paragraphs, extractor = best.paragraphs, best.name
    if options.declared and meta.article_body:
        declared = jsonld_body.replace_with_declared(paragraphs, meta.article_body)
        if declared is not None:
            paragraphs, extractor = declared, "json-ld"
    with_lead = options.lead and options.favor_precision and extractor == primary
    anchor = body_anchor(tree, paragraphs) if with_lead or options.boxes else None
    if with_lead and anchor is not None:
        lead = lead_above(anchor, paragraphs, meta.title)
        if lead:
            paragraphs, extractor = lead + paragraphs, f"{extractor}+lead"
    if options.chunks and anchor is not None and extractor != "json-ld":
        joined = chunks.continue_body(anchor, paragraphs)
        if len(joined) > len(paragraphs):
            paragraphs, extractor = joined, f"{extractor}+chunks"
    if meta.published_at is None and anchor is not None:
        _date_shown(meta, anchor)
    removed: list[Removal] = []
    if options.boxes:
        paragraphs, removed = drop_boxed(tree, paragraphs, anchor)
    return HtmlExtract(paragraphs=paragraphs, meta=meta, extractor=extractor,
                       linked=tail_links(tree, paragraphs, url or meta.canonical_url),
                       removed=removed)


def _date_shown(meta: PageMeta, anchor: HtmlElement) -> None:
    """The date the article's header shows, when the page declares none (``shown_date``)."""
    declared = meta.provenance.get("title")
    title = meta.title if declared is not None and declared.source != "html" else None
    found = shown_date.shown_date(anchor, title)
    if found is not None and plausible(found[0], datetime.now(UTC)):
        meta.set("published_at", found[0], "html", found[1])


def second_pass(extracted: HtmlExtract) -> Cleaned:
    """The block classifier over the body, told what the page said (title, language,
    authors, which closing list items carry links). The audit lists the boxed paragraphs
    extraction dropped first, then the classifier's removals: two passes, not page order."""
    meta = extracted.meta
    cleaned = clean_body(extracted.paragraphs, title=meta.title, language=meta.language,
                         authors=meta.authors, linked=extracted.linked)
    return replace(cleaned, removed=extracted.removed + cleaned.removed)


def tail_links(tree: HtmlElement, paragraphs: list[str], url: str | None = None) -> frozenset[int]:
    """Indexes of the list items ending the body that link to another article of the site.

    trafilatura's text keeps no links, so the page answers: the items must be, in order,
    items of one ``<ul>``/``<ol>`` (trafilatura may have dropped some), and an item counts
    when one of its links stays on the page's site (relative, or the same host) and its
    path looks like an article's (a hyphenated slug or a long number). Only a run of at
    least LINK_LIST_MIN_ITEMS items at the very end is looked up."""
    k = len(paragraphs)
    while k and paragraphs[k - 1].startswith(LIST_ITEM):
        k -= 1
    if len(paragraphs) - k < LINK_LIST_MIN_ITEMS:
        return frozenset()
    items = [paragraphs[i][len(LIST_ITEM):].strip() for i in range(k, len(paragraphs))]
    host = domain_of(url) or ""
    for lst in reversed(list(tree.iter("ul", "ol"))):
        lis = [li for li in lst if li.tag == "li"]
        if len(lis) < len(items):
            continue
        matched = _in_order(items, lis)
        if matched is not None:
            return frozenset(k + n for n, li in enumerate(matched) if _links_article(li, host))
    return frozenset()


def _in_order(items: list[str], lis: list[HtmlElement]) -> list[HtmlElement] | None:
    """The ``<li>`` each item is, when the items are the list's items in order."""
    out: list[HtmlElement] = []
    rest = iter(lis)
    for item in items:
        for li in rest:
            if block_text(li) == item:
                out.append(li)
                break
        else:
            return None
    return out


_ARTICLE_PATH = re.compile(r"[^/]*[a-z0-9]-[a-z0-9]+-[a-z0-9][^/]*|\d{4,}", re.IGNORECASE)


def _links_article(li: HtmlElement, host: str) -> bool:
    for a in li.iter("a"):
        href = a.get("href") or ""
        try:
            parts = urlsplit(href)
        except ValueError:
            continue
        if parts.scheme not in ("", "http", "https"):
            continue
        if parts.netloc and (not host or domain_of(href) != host):
            continue
        if _ARTICLE_PATH.search(parts.path):
            return True
    return False


_TERMINAL = re.compile(r"""[.!?;:"'»«“”’)\]]\s*$""")
_ELLIPSIS = re.compile(r"(?:\.\.\.|…)\s*$")
_SHORT_BODY_WORDS = 150


def paywall_flags(
    extracted: HtmlExtract, cleaned: Cleaned
) -> tuple[bool, bool, dict[str, Provenance] | None]:
    """``(paywalled, truncated, provenance)`` from JSON-LD and from a subscribe prompt that the
    cleaner's second pass found after the body (the prompt only counts after a short body or one
    that stops mid-sentence)."""
    why: dict[str, Provenance] = {}
    paywalled = extracted.meta.paywalled
    truncated = False
    body = cleaned.paragraphs
    words = sum(len(p.split()) for p in body)
    prompts = [r for r in cleaned.removed if r.category == "paywall"]
    if prompts and body:
        order = {text: i for i, text in reversed(list(enumerate(extracted.paragraphs)))}
        prompt_at = min(order.get(r.text, len(extracted.paragraphs)) for r in prompts)
        before = [p for p in body if order.get(p, 0) < prompt_at]
        if before and len(before) >= 0.7 * len(body):
            last = before[-1].strip()
            cut = bool(_ELLIPSIS.search(last)) or not _TERMINAL.search(last)
            if cut:
                truncated = True
                why["truncated"] = Provenance(source="text", raw=last[-80:])
            if cut or words < _SHORT_BODY_WORDS:
                if not paywalled:
                    why["paywalled"] = Provenance(source="text", raw=prompts[0].text[:200])
                paywalled = True
    declared = extracted.meta.word_count
    if not truncated and extracted.meta.paywalled and declared and declared > 1.5 * max(words, 1):
        truncated = True
        why["truncated"] = Provenance(source="json-ld", raw=f"wordCount={declared}")
    return paywalled, truncated, why or None
