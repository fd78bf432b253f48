"""HTML pages: one lxml parse shared by trafilatura (the body) and our metadata reader.

trafilatura's options were chosen on the devdata TUNE half (``bench/eval_html.py``); comments
are always excluded. The standfirst that precision mode drops (in the article's ``<header>``,
or in a block of its own above the body) comes back (``body_lead``). When trafilatura's
result is empty or implausibly short for the page, the cascade (``cascade.py``) lets
trafilatura's balanced mode, readability-lxml and jusText compete on evidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

import trafilatura
from lxml import etree
from lxml.html import HtmlElement
from trafilatura.settings import Document
from trafilatura.utils import load_html

from pressline.record import Provenance
from services.normalize import cascade
from services.normalize.cascade import squash
from services.normalize.cleaner import Cleaned
from services.normalize.cleaner.pipeline import LINK_LIST_MIN_ITEMS, LIST_ITEM
from services.normalize.metadata import PageMeta, domain_of, extract_metadata


@dataclass(frozen=True)
class ExtractOptions:
    """trafilatura's knobs plus our additions; the defaults are the measured choice.

    ``escalate_words``: when the first (``fast``) run returns fewer words, trafilatura runs
    again without ``fast`` (its own readability/jusText comparison) and the longer result wins
    by ``escalate_gain``. 0 disables it. ``cascade``: readability-lxml and jusText compete when
    the result is still empty or very short.
    """

    favor_precision: bool = True
    favor_recall: bool = False
    fast: bool = True
    include_tables: bool = True
    escalate_words: int = 100
    escalate_gain: float = 1.2
    cascade: bool = True


DEFAULT_OPTIONS = ExtractOptions()


@dataclass
class HtmlExtract:
    """The body found (by trafilatura or the cascade) and the page's metadata as read."""

    paragraphs: list[str]
    meta: PageMeta = field(default_factory=PageMeta)
    url: str | None = None
    extractor: str = "trafilatura"
    linked: frozenset[int] = frozenset()  # list items ending the body that carry a link

    @property
    def provenance(self) -> dict[str, Provenance]:
        """The metadata's provenance, and which extractor gave the text."""
        return {**self.meta.provenance, "text": Provenance(source="html", raw=self.extractor)}


_LINE = re.compile(r"\n+")
_WS = re.compile(r"\s+")


def _words(paragraphs: list[str]) -> int:
    return sum(len(p.split()) for p in paragraphs)


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
        return HtmlExtract(paragraphs=[], url=url)
    meta = extract_metadata(tree, url)
    paragraphs = trafilatura_paragraphs(tree, url, options)
    extractor = "trafilatura"
    if options.fast and options.escalate_words and _words(paragraphs) < options.escalate_words:
        full = trafilatura_paragraphs(tree, url, replace(options, fast=False))
        if _words(full) > options.escalate_gain * _words(paragraphs):
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
    if options.favor_precision and paragraphs and extractor == primary:
        at, lead = body_lead(tree, paragraphs, meta.title)
        if lead:
            paragraphs, extractor = paragraphs[:at] + lead + paragraphs[at:], f"{extractor}+lead"
    return HtmlExtract(paragraphs=paragraphs, meta=meta, url=url, extractor=extractor,
                       linked=tail_links(tree, paragraphs, url))


LEAD_MIN_WORDS = 10
LEAD_WINDOW = 16  # blocks (wrappers included) before the body that may hold its lead
LEAD_MAX = 2
_LEAD_SCAN = 120  # elements (inline ones too) looked at before the body
LEAD_ANCHOR_WORDS = 10  # the body's first paragraph this long is looked up in the page ...
LEAD_ANCHOR_MAX = 5  # ... among its first paragraphs (else the first one is)
_LEAD_KEY_CHARS = 60
_LEAD_END = tuple(".!?…\"»”")
_BLOCKS = ("p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "td", "dd",
           "section", "header", "article", "figcaption")
_BLOCK_SET = frozenset(_BLOCKS)
# Containers that hold no standfirst, by tag, by marks in their class or id, and by the
# words of their class or id (split on punctuation).
_NOT_LEAD = frozenset({"figure", "figcaption", "nav", "aside", "form", "button", "address",
                       "time", "ul", "ol", "table", "footer", "dialog", "article"})
_NOT_LEAD_MARKS = re.compile(
    r"author|bio\b|byline|disclos|affiliat|disclaim|audio|listen|newsletter|subscri|donat|promo|"
    r"share|advert|key-?points|toc\b|table-of-contents|site-header|masthead|global-header", re.I)
_NOT_LEAD_WORDS = frozenset({
    "caption", "captions", "credit", "credits", "figure", "photo", "gallery", "date", "time",
    "breadcrumb", "breadcrumbs", "related", "sidebar", "comment", "comments", "nav", "menu",
    "footer", "cookie", "consent", "copyright", "hidden", "modal", "dialog", "popup", "overlay",
})
_MARK_SPLIT = re.compile(r"[^a-z0-9]+")


def _block_text(el: HtmlElement) -> str:
    """text_content() with a space for <br> and no <script>/<style> text."""
    parts = [el.text or ""]
    for node in el.iterdescendants():
        if isinstance(node.tag, str):
            if node.tag == "br":
                parts.append(" ")
            elif node.tag not in ("script", "style"):
                parts.append(node.text or "")
        parts.append(node.tail or "")
    return _WS.sub(" ", "".join(parts)).strip()


def _text_key(el: HtmlElement) -> str:
    """The first _LEAD_KEY_CHARS characters of the element's text, without whitespace: read
    lazily, so a page of nested wrappers costs its size, not size times depth."""
    got, n = [], 0
    for piece in el.itertext():
        if piece := squash(piece):
            got.append(piece)
            n += len(piece)
            if n >= _LEAD_KEY_CHARS:
                break
    return "".join(got)[:_LEAD_KEY_CHARS]


def _hidden(el: HtmlElement) -> bool:
    style = (el.get("style") or "").replace(" ", "").lower()
    return (el.get("hidden") is not None or el.get("aria-hidden") == "true"
            or "display:none" in style or "visibility:hidden" in style)


def _lead_block(el: HtmlElement, shared: set[HtmlElement]) -> str | None:
    """The text of a prose leaf block, unless a container it does not share with the body
    is a figure, list, navigation, another article, a hidden layer or marked as a caption,
    author box, disclosure, player or dialog. Shared containers (the article around both)
    say nothing about the lead."""
    if any(isinstance(d.tag, str) and d.tag in _BLOCK_SET for d in el.iterdescendants()):
        return None
    text = _block_text(el)
    if len(text.split()) < LEAD_MIN_WORDS or not text.endswith(_LEAD_END):
        return None
    for a in (el, *el.iterancestors()):
        if a in shared:
            break
        marks = f"{a.get('class') or ''} {a.get('id') or ''}".lower()
        if (a.tag in _NOT_LEAD or _hidden(a) or _NOT_LEAD_MARKS.search(marks)
                or _NOT_LEAD_WORDS.intersection(_MARK_SPLIT.split(marks))):
            return None
    return text


_P_WITH = etree.XPath("//p[contains(., $w)]")
_TEXT_WITH = etree.XPath("//text()[contains(., $w)]")
_BEFORE = etree.XPath(f"preceding::*[position() <= {_LEAD_SCAN}]")


def _anchor(tree: HtmlElement, paragraph: str) -> HtmlElement | None:
    """The block where ``paragraph`` starts in the page: found from one of its long words
    by a C-level search (in ``<p>`` blocks first, then in any text), confirmed by the
    block's opening characters."""
    first = squash(paragraph)[:_LEAD_KEY_CHARS]
    words = paragraph.split()[:12]
    if len(first) < 20 or not words:
        return None
    word = max(words, key=len)
    for el in _P_WITH(tree, w=word):
        if _opens(_text_key(el), first):
            return el
    for node in _TEXT_WITH(tree, w=word):
        el = node.getparent()
        if el is None or el.tag in ("script", "style"):
            continue
        while el is not None and el.tag not in _BLOCK_SET:
            el = el.getparent()
        if el is not None and _opens(_text_key(el), first):
            return el
    return None


def _opens(key: str, first: str) -> bool:
    """A block whose text opens with the paragraph, or a long enough part of its opening."""
    return key.startswith(first) or (len(key) >= 20 and first.startswith(key))


def body_lead(tree: HtmlElement, paragraphs: list[str],
              title: str | None = None) -> tuple[int, list[str]]:
    """The standfirst that precision mode dropped: up to LEAD_MAX prose blocks among the
    LEAD_WINDOW blocks just before the body's first paragraph in the page, never across the
    page's ``<h1>``, and neither in the body nor the headline (``title``, when a site sets
    its headline in a lesser heading). Returns where they go and the blocks."""
    at = next((i for i, p in enumerate(paragraphs[:LEAD_ANCHOR_MAX])
               if len(p.split()) >= LEAD_ANCHOR_WORDS), 0)
    anchor = _anchor(tree, paragraphs[at])
    if anchor is None:
        return at, []
    shared = set(anchor.iterancestors())
    body: str | None = None  # squashed once a block qualifies
    headline = squash(title or "").lower()
    out: list[str] = []
    seen = 0
    # Nearest first; the preceding axis leaves out the body's own containers.
    for el in reversed(_BEFORE(anchor)):
        if el.tag not in _BLOCK_SET or not _text_key(el):
            continue
        seen += 1
        if el.tag == "h1" or len(out) == LEAD_MAX or seen > LEAD_WINDOW:
            break
        text = _lead_block(el, shared)
        if text is None:
            continue
        if body is None:
            body = squash(" ".join(paragraphs))
        if (key := squash(text)) in body or key.lower() in headline:
            continue
        out.insert(0, text)
        body += key  # a lead repeated (mobile and desktop) comes back once
    return at, out


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
            if _WS.sub(" ", li.text_content()).strip() == item:
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
