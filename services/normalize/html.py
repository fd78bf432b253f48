"""HTML pages: one lxml parse shared by trafilatura (the body) and our metadata reader.

trafilatura's options were chosen on the devdata TUNE half (``bench/eval_html.py``); comments
are always excluded. The standfirst that precision mode drops (in the article's ``<header>``,
or in a block of its own above the body) comes back (``body_lead``). When trafilatura's
result is empty or implausibly short for the page, the cascade (``cascade.py``) lets
trafilatura's balanced mode, readability-lxml and jusText compete on evidence.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from itertools import islice
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
        lead = body_lead(tree, paragraphs, meta.title)
        if lead:
            paragraphs, extractor = lead + paragraphs, f"{extractor}+lead"
    return HtmlExtract(paragraphs=paragraphs, meta=meta, url=url, extractor=extractor,
                       linked=tail_links(tree, paragraphs, url))


LEAD_MIN_WORDS = 10
LEAD_WINDOW = 40  # text blocks before the body's first paragraph that may hold its lead
LEAD_MAX = 2
_LEAD_SCAN = 600  # nodes (inline ones too) looked at before the body
LEAD_ANCHOR_WORDS = 10  # the body's first paragraph this long is looked up in the page ...
LEAD_ANCHOR_MAX = 5  # ... among its first paragraphs (else the first one is)
LEAD_LINK_SHARE = 0.5  # a block mostly made of link text is a teaser card, not a lead
_LEAD_KEY_CHARS = 60
_LEAD_END = tuple(".!?…\"»”“")
_BLOCKS = ("p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "td", "dd",
           "section", "header", "article", "figcaption")
_BLOCK_SET = frozenset(_BLOCKS)
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
# A heading's class naming it the story's title ("entry-title", "headline"; not
# "panel-title" or "subheadline").
_TITLE_MARKS = re.compile(
    r"(?<![\w-])(?:(?:entry|post|article|story|page|content)[-_]*)?(?:title|headline)(?![\w-])")
_NO_TEXT = frozenset({"script", "style", "noscript", "template"})
# A lead is found by what marks it: a class or id naming a standfirst, or a content
# <header> (inside <article> or <main>) that holds it...
_LEAD_MARKS = re.compile(
    r"lead(?!er|ing)|lede|intro|teaser|excerpt|abstract|summary|(?<![a-z])dek|deck|standfirst|"
    r"description|sub[-_ ]?title|sub[-_ ]?head|subline|strapline|synopsis|chapo|chapeau|entradilla|"
    r"bajada|copete|vorspann|sottotitolo|occhiello")
# ... and a container that marks something else rules it out: by tag, by marks in its
# class or id, or by the words of its class or id (split on punctuation and camelCase).
_NOT_LEAD = frozenset({"a", "figure", "figcaption", "nav", "aside", "form", "button", "address",
                       "time", "ul", "ol", "table", "footer", "dialog", "article", "blockquote",
                       "noscript", "template", "video", "audio", "iframe", "object", "picture"})
# Everywhere between a block and the body: marks of the site's header, screen-reader text,
# paywall, newsletter, sharing, ads, disclosures, players, summaries boxes ...
_NEVER_LEAD_MARKS = re.compile(
    r"site-header|masthead|global-header|sr-only|visually-hidden|screen-reader|paywall|"
    r"newsletter|subscri|donat|share|advert|disclos|affiliat|disclaim|audio|listen|"
    r"key-?points|toc\b|table-of-contents")
_NEVER_LEAD_WORDS = frozenset({
    "gallery", "slideshow", "slider", "carousel", "video", "player", "podcast", "embed",
    "tweet", "twitter", "instagram", "breadcrumb", "breadcrumbs", "related", "sidebar",
    "comment", "comments", "nav", "menu", "footer", "cookie", "cookies", "consent",
    "copyright", "modal", "dialog", "popup", "ad", "ads", "anzeige", "sponsored", "card",
})
# ... and, below the lead's own mark only, captions, pictures, dates, authors and promos: a
# photo header, a header "with-authors" or a layout's "promo" section may wrap the lead.
_NOT_LEAD_MARKS = re.compile(r"author|bio\b|byline|promo")
_NOT_LEAD_WORDS = frozenset({
    "caption", "captions", "credit", "credits", "figure", "photo", "foto", "image", "date",
    "time", "bildunterschrift", "bildtext", "legende", "leyenda",
})
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_MARK_SPLIT = re.compile(r"[^a-z0-9]+")


_INVISIBLE = re.compile("[\u00ad\u200b-\u200d\u2060\ufeff]")  # dropped as trafilatura does


def _block_text(el: HtmlElement) -> str:
    """text_content() with a space for <br>, no <script>/<style> text, no soft hyphens."""
    parts = [el.text or ""]
    for node in el.iterdescendants():
        if isinstance(node.tag, str):
            if node.tag == "br":
                parts.append(" ")
            elif node.tag not in ("script", "style"):
                parts.append(node.text or "")
        parts.append(node.tail or "")
    return _WS.sub(" ", _INVISIBLE.sub("", "".join(parts))).strip()


def _text_key(el: HtmlElement) -> str:
    """The first _LEAD_KEY_CHARS characters of the element's text (no script or style),
    without whitespace: read lazily, so nested wrappers cost the page's size, not size times
    depth."""
    got, n = [], 0
    for event, node in etree.iterwalk(el, events=("start", "end")):
        if event == "start":
            piece = node.text if isinstance(node.tag, str) and node.tag not in _NO_TEXT else None
        else:
            piece = node.tail if node is not el else None
        if piece and (piece := squash(piece)):
            got.append(piece)
            n += len(piece)
            if n >= _LEAD_KEY_CHARS:
                break
    return "".join(got)[:_LEAD_KEY_CHARS]


def _key(paragraph: str) -> str:
    """A paragraph's opening as ``_text_key`` reads it from the page (no list-item dash)."""
    return squash(paragraph.removeprefix(LIST_ITEM))[:_LEAD_KEY_CHARS]


def _marks(el: HtmlElement) -> str:
    return _CAMEL.sub(" ", f"{el.get('class') or ''} {el.get('id') or ''}").lower()


def _hidden(el: HtmlElement) -> bool:
    style = (el.get("style") or "").replace(" ", "").lower()
    return (el.get("hidden") is not None or el.get("aria-hidden") == "true"
            or el.get("role") in ("dialog", "alertdialog") or el.get("aria-modal") == "true"
            or "display:none" in style or "visibility:hidden" in style)


def _content_header(el: HtmlElement) -> bool:
    return el.tag == "header" and any(a.tag in ("article", "main") for a in el.iterancestors())


def _lead_block(el: HtmlElement, shared: set[HtmlElement]) -> str | None:
    """The text of a prose leaf block that something marks as the lead (see _LEAD_MARKS),
    when no container between it and the body's own containers (``shared``: the article
    around both says nothing) marks it as something else."""
    if any(isinstance(d.tag, str) and d.tag in _BLOCK_SET for d in el.iterdescendants()):
        return None
    text = _block_text(el)
    if len(text.split()) < LEAD_MIN_WORDS or not text.endswith(_LEAD_END):
        return None
    marked = False
    for a in (el, *el.iterancestors()):
        if a in shared:
            break
        marks = _marks(a)
        words = _MARK_SPLIT.split(marks)
        if (a.tag in _NOT_LEAD or _hidden(a) or _NEVER_LEAD_MARKS.search(marks)
                or _NEVER_LEAD_WORDS.intersection(words)):
            return None
        if not marked and (_NOT_LEAD_MARKS.search(marks) or _NOT_LEAD_WORDS.intersection(words)):
            return None
        marked = marked or bool(_LEAD_MARKS.search(marks)) or _content_header(a)
    if not marked:
        return None
    linked = sum(len(a.text_content()) for a in el.iter("a"))
    if linked > LEAD_LINK_SHARE * len(text):
        return None
    return text


_P_WITH = etree.XPath("//p[contains(., $w)]")
_TEXT_WITH = etree.XPath("//text()[contains(., $w)]")
_ANCHOR_TRIES = 50  # text nodes tried in the fallback search ...
_ANCHOR_WORDS = 2  # ... for each of this many words


def _anchor(tree: HtmlElement, paragraphs: list[str], at: int) -> HtmlElement | None:
    """The block where ``paragraphs[at]`` starts in the page: found from one of its words by
    a C-level search (in ``<p>`` blocks first, then in any text), confirmed by the block's
    opening characters and, when there is one, by a word of the next paragraph around it (a
    copy of the first paragraph in a teaser strip above the story is not the body)."""
    first = _key(paragraphs[at])
    if len(first) < 20:
        return None
    # Long words first, but no long compounds: a page may hyphenate them with soft hyphens.
    words = sorted(dict.fromkeys(w for w in paragraphs[at].split()[:12] if len(w) <= 12),
                   key=len)
    nxt = paragraphs[at + 1].split()[:12] if at + 1 < len(paragraphs) else []
    after = max((w for w in nxt if len(w) <= 12), key=len, default="")

    def confirmed(el: HtmlElement) -> bool:
        if not _opens(_text_key(el), first):
            return False
        if len(after) < 4:
            return True
        return any(after in a.text_content() for a in (el, *islice(el.iterancestors(), 2)))

    for word in words[-_ANCHOR_WORDS:][::-1]:
        for el in _P_WITH(tree, w=word):
            if confirmed(el):
                return el
        for node in islice(_TEXT_WITH(tree, w=word), _ANCHOR_TRIES):
            el = node.getparent()
            if el is not None and node.is_tail:
                el = el.getparent()
            elif el is None or el.tag in _NO_TEXT:
                continue
            while el is not None and el.tag not in _BLOCK_SET:
                el = el.getparent()
            if el is not None and confirmed(el):
                return el
    return None


def _opens(key: str, first: str) -> bool:
    """A block whose text opens with the paragraph, or a long enough part of its opening."""
    return key.startswith(first) or (len(key) >= 20 and first.startswith(key))


def _preceding(el: HtmlElement, shared: set[HtmlElement]) -> Iterator[HtmlElement]:
    """The nodes before ``el`` in the page, nearest first, without its own containers
    (XPath's preceding axis, but lazy: only the nodes looked at are visited)."""
    node = el
    while True:
        prev = node.getprevious()
        if prev is None:
            parent = node.getparent()
            if parent is None:
                return
            node = parent
            if node not in shared:
                yield node
            continue
        node = prev
        while len(node):
            node = node[-1]
        yield node


def _headline(el: HtmlElement, key: str, headline: str) -> bool:
    """A heading that is the story's headline: marked as a title, or reading as ``title``
    (a blog's <h1> names the blog; its post titles are lesser headings)."""
    if el.tag not in _HEADINGS or any(a.tag in _NOT_LEAD for a in el.iterancestors()):
        return False  # a teaser's or a card's heading
    if _TITLE_MARKS.search((el.get("class") or "").lower()):
        return True
    return bool(headline) and len(key) >= min(20, len(headline)) and key.lower() in headline


def body_lead(tree: HtmlElement, paragraphs: list[str], title: str | None = None) -> list[str]:
    """The standfirst that precision mode dropped: up to LEAD_MAX prose blocks marked as a
    lead among the LEAD_WINDOW text blocks just before the body's first paragraph in the
    page, never across the headline (the ``<h1>``, or a heading that reads as ``title``),
    and neither in the body nor the headline."""
    at = next((i for i, p in enumerate(paragraphs[:LEAD_ANCHOR_MAX])
               if len(p.split()) >= LEAD_ANCHOR_WORDS), 0)
    anchor = _anchor(tree, paragraphs, at)
    if anchor is None:
        return []
    shared = set(anchor.iterancestors())
    body: str | None = None  # squashed once a block qualifies
    headline = squash(title or "").lower()
    out: list[str] = []
    seen = 0
    for el in islice(_preceding(anchor, shared), _LEAD_SCAN):
        if el.tag not in _BLOCK_SET or not (key := _text_key(el)):
            continue
        seen += 1
        if el.tag == "h1" or seen > LEAD_WINDOW or len(out) == LEAD_MAX or _headline(
                el, key, headline):
            break
        text = _lead_block(el, shared)
        if text is None:
            continue
        if body is None:
            body = squash(" ".join(paragraphs))
        if (key := squash(text)) in body or key[:_LEAD_KEY_CHARS] in body or (
                key.lower() in headline):
            continue  # already there, a truncated copy of the body's opening, the headline
        out.insert(0, text)
        body += key  # a lead repeated (mobile and desktop) comes back once
    return out


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
