"""The standfirst that trafilatura's precision mode drops, put back from the page.

Precision mode removes the article's ``<header>`` and most blocks above the body, and with
them the lead paragraph (dek, standfirst, teaser, Vorspann, chapo, entradilla...). The page
still says where the body starts: ``body_lead`` finds the body's first paragraph in the tree,
walks back over the blocks just above it, never past the headline, and takes the prose
blocks that something marks as a lead: a class, id, ``itemprop`` or ``data-*`` value naming a
standfirst, or the article's own ``<header>``. Unmarked prose is never guessed at (captions,
embeds and boxes sit there too), and containers that mark something else rule a block out.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import islice

from lxml import etree
from lxml.html import HtmlElement

from services.normalize.cascade import squash
from services.normalize.cleaner.pipeline import LIST_ITEM

LEAD_MIN_WORDS = 10
LEAD_WINDOW = 40  # text blocks before the body's first paragraph that may hold its lead
LEAD_MAX = 2
LEAD_SCAN = 600  # nodes (inline ones too) looked at before the body
LEAD_ANCHOR_WORDS = 10  # the body's first paragraph this long is looked up in the page ...
LEAD_ANCHOR_MAX = 5  # ... among its first paragraphs (else the first one is)
LEAD_LINK_SHARE = 0.5  # a block mostly made of link text is a teaser card, not a lead
_KEY_CHARS = 60
_DATELINE_CHARS = 40  # a short line (a dateline) may open the body's block before the text
_END = tuple(".!?…\"'»”“’‘›")
_BLOCKS = ("p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "td", "dd",
           "section", "header", "article", "figcaption")
_BLOCK_SET = frozenset(_BLOCKS)
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_NO_TEXT = frozenset({"script", "style", "noscript", "template"})
_OPAQUE = frozenset({"svg", "math", "select", "script", "style", "noscript", "template"})
_PICTURES = frozenset({"img", "picture", "video", "figure", "svg", "iframe"})
# A heading's class naming it the story's title ("entry-title", "headline"; not
# "panel-title" or "subheadline").
_TITLE_MARKS = re.compile(
    r"(?<![\w-])(?:(?:entry|post|article|story|page|content)[-_]*)?(?:title|headline)(?![\w-])")
# A lead is found by what marks it (class, id, itemprop, data-* values, camelCase split)...
_LEAD_MARKS = re.compile(
    r"lead(?!er|ing|[-_ ]?(?:art|image|img|media|photo|picture|video|visual|asset))|lede|"
    r"intro|teaser|excerpt|abstract|summary|(?<![a-z])dek|deck|standfirst|"
    r"desc(?!end)|sub[-_ ]?title|sub[-_ ]?head|subline|strapline|synopsis|blurb|chapo|chapeau|"
    r"sous[-_ ]?titre|entradilla|bajada|copete|sub[-_ ]?titulo|sumario|linha[-_ ]?fina|vorspann|"
    r"sottotitolo|occhiello|sommario|catenaccio")
# ... or by sitting in a content <header> (inside <article> or <main>); a container that
# marks something else rules it out: by tag, by marks in its class or id, or by the words
# of its marks ...
_NOT_LEAD = frozenset({"a", "figure", "figcaption", "nav", "aside", "form", "button", "address",
                       "time", "ul", "ol", "table", "footer", "dialog", "article", "blockquote",
                       "noscript", "template", "video", "audio", "iframe", "object", "picture"})
# ... everywhere between a block and the body: the site's header, screen-reader text,
# paywall, newsletter, sharing, ads, disclosures, players, key points, galleries ...
_NEVER_LEAD_MARKS = re.compile(
    r"site-header|masthead|global-header|sr-only|visually-hidden|screen-reader|paywall|"
    r"newsletter|subscri|donat|share|advert|disclos|affiliat|disclaim|audio|listen|"
    r"key-?points|toc\b|table-of-contents")
_NEVER_LEAD_WORDS = frozenset({
    "gallery", "slideshow", "slider", "slide", "carousel", "swiper", "video", "player",
    "podcast", "embed", "tweet", "twitter", "instagram", "breadcrumb", "breadcrumbs", "related",
    "sidebar", "comment", "comments", "nav", "menu", "footer", "cookie", "cookies", "consent",
    "copyright", "modal", "dialog", "popup", "ad", "ads", "anzeige", "sponsored", "card",
    "series", "dossier", "category", "archive",
})
# ... and captions, pictures, dates, authors and promos: ruled out too, except on a wrapper
# that also holds the headline (a photo header, a header "with-authors", a layout's "promo"
# section around headline and dek).
_NOT_LEAD_MARKS = re.compile(r"author|autor|auteur|bio\b|byline|promo")
_NOT_LEAD_WORDS = frozenset({
    "caption", "captions", "credit", "credits", "figure", "photo", "foto", "image", "media",
    "thumbnail", "date", "time", "bildunterschrift", "bildtext", "bu", "legende", "leyenda",
    "legenda", "didascalia", "visuel",
})
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_MARK_SPLIT = re.compile(r"[^a-z0-9]+")
_WS = re.compile(r"\s+")
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u2060\ufeff]")  # dropped as trafilatura does


def _block_text(el: HtmlElement) -> str:
    """text_content() with a space for <br>, no <script>/<style> text, no soft hyphens."""
    parts = [el.text or ""]
    for node in el.iterdescendants():
        if isinstance(node.tag, str):
            if node.tag == "br":
                parts.append(" ")
            elif node.tag not in _NO_TEXT:
                parts.append(node.text or "")
        parts.append(node.tail or "")
    return _WS.sub(" ", _INVISIBLE.sub("", "".join(parts))).strip()


def _text_key(el: HtmlElement, chars: int = _KEY_CHARS) -> str:
    """The first ``chars`` characters of the element's text (no script or style), without
    whitespace: read lazily, so nested wrappers cost the page's size, not size times depth."""
    got, n = [], 0
    for event, node in etree.iterwalk(el, events=("start", "end")):
        if event == "start":
            piece = node.text if isinstance(node.tag, str) and node.tag not in _NO_TEXT else None
        else:
            piece = node.tail if node is not el else None
        if piece and (piece := squash(piece)):
            got.append(piece)
            n += len(piece)
            if n >= chars:
                break
    return "".join(got)[:chars]


def _key(paragraph: str) -> str:
    """A paragraph's opening as ``_text_key`` reads it from the page (no list-item dash)."""
    return squash(paragraph.removeprefix(LIST_ITEM))[:_KEY_CHARS]


def _marks(el: HtmlElement) -> str:
    """What the element says it is: class, id, itemprop and short data-* values."""
    values = [el.get("class") or "", el.get("id") or "", el.get("itemprop") or ""]
    values += [v for k, v in el.items() if k.startswith("data-") and len(v) <= 40]
    return _CAMEL.sub(" ", " ".join(values)).lower()


def _hidden(el: HtmlElement) -> bool:
    style = (el.get("style") or "").replace(" ", "").lower()
    return (el.get("hidden") is not None or el.get("aria-hidden") == "true"
            or el.get("role") in ("dialog", "alertdialog") or el.get("aria-modal") == "true"
            or "display:none" in style or "visibility:hidden" in style)


def _content_header(el: HtmlElement) -> bool:
    return el.tag == "header" and any(a.tag in ("article", "main") for a in el.iterancestors())


def _holds_headline(el: HtmlElement) -> bool:
    return any(h.tag == "h1" or _TITLE_MARKS.search((h.get("class") or "").lower())
               for h in el.iter(*_HEADINGS))


def _beside_picture(el: HtmlElement) -> bool:
    """A block next to a picture in the same wrapper: a caption, whatever it is called."""
    parent = el.getparent()
    return parent is not None and any(
        isinstance(s.tag, str) and (s.tag in _PICTURES or s.find(".//img") is not None)
        for s in parent if s is not el)


def _lead_block(el: HtmlElement, shared: set[HtmlElement]) -> str | None:
    """The text of a prose leaf block that something marks as the lead, when no container
    between it and the body's own containers (``shared``: the article around both says
    nothing) marks it as something else."""
    if any(isinstance(d.tag, str) and d.tag in _BLOCK_SET for d in el.iterdescendants()):
        return None
    text = _block_text(el)
    if len(text.split()) < LEAD_MIN_WORDS:
        return None
    marked = by_class = own = False
    for a in (el, *el.iterancestors()):
        if a in shared:
            break
        marks = _marks(a)
        words = _MARK_SPLIT.split(marks)
        if (a.tag in _NOT_LEAD or _hidden(a) or _NEVER_LEAD_MARKS.search(marks)
                or _NEVER_LEAD_WORDS.intersection(words)):
            return None
        if ((_NOT_LEAD_MARKS.search(marks) or _NOT_LEAD_WORDS.intersection(words))
                and not (marked and _holds_headline(a))):
            return None
        if not marked and _LEAD_MARKS.search(marks):
            marked = by_class = True
            own = a is el  # the block itself is named a dek: it may end without a stop
        elif not marked and _content_header(a):
            marked = True
            own = False
    if not marked:
        return None
    if not text.endswith(_END) and not own:
        return None
    if not by_class and _beside_picture(el):
        return None
    linked = sum(len(a.text_content()) for a in el.iter("a"))
    if linked > LEAD_LINK_SHARE * len(text):
        return None
    return text


_P_WITH = etree.XPath("//p[contains(., $w)]")
_TEXT_WITH = etree.XPath("//text()[contains(., $w)]")
_ANCHOR_TRIES = 50  # text nodes tried in the fallback search ...
_ANCHOR_WORDS = 2  # ... for each of this many words


def _opens(el: HtmlElement, first: str) -> bool:
    """A block whose text opens with the paragraph (after at most a short dateline line),
    or whose whole text is a long enough part of its opening."""
    key = _text_key(el, _KEY_CHARS + _DATELINE_CHARS)
    at = key.find(first)
    if at == 0 or (0 < at <= _DATELINE_CHARS and el.find(".//br") is not None):
        return True
    return len(key) >= 20 and first.startswith(key[:_KEY_CHARS])


def _anchor(tree: HtmlElement, paragraphs: list[str], at: int) -> HtmlElement | None:
    """The block where ``paragraphs[at]`` starts in the page: found from one of its words by
    a C-level search (in ``<p>`` blocks first, then in any text), confirmed by the block's
    opening and, when there is one, by a word of the next paragraph close around it: a copy
    of the first paragraph in a teaser strip elsewhere on the page is not the body."""
    first = _key(paragraphs[at])
    if len(first) < 20:
        return None
    # Long words first, but no long compounds: a page may hyphenate them with soft hyphens.
    words = sorted(dict.fromkeys(w for w in paragraphs[at].split()[:12] if len(w) <= 12),
                   key=len)
    nxt = paragraphs[at + 1].split()[:12] if at + 1 < len(paragraphs) else []
    after = max((w for w in nxt if len(w) <= 12), key=len, default="")
    for word in words[-_ANCHOR_WORDS:][::-1]:
        found: list[HtmlElement] = [el for el in _P_WITH(tree, w=word) if _opens(el, first)]
        if not found:
            for node in islice(_TEXT_WITH(tree, w=word), _ANCHOR_TRIES):
                el = node.getparent()
                if el is not None and node.is_tail:
                    el = el.getparent()
                elif el is None or el.tag in _NO_TEXT:
                    continue
                while el is not None and el.tag not in _BLOCK_SET:
                    el = el.getparent()
                if el is not None and _opens(el, first):
                    found.append(el)
        if found and len(after) < 4:
            return found[0]
        for depth in (1, 2):  # the tightest confirmation wins: a sibling, then a cousin
            for el in found:
                if any(after in a.text_content()
                       for a in (el, *islice(el.iterancestors(), depth))):
                    return el
    return None


def _preceding(el: HtmlElement, shared: set[HtmlElement]) -> Iterator[HtmlElement]:
    """The nodes before ``el`` in the page, nearest first, without its own containers
    (XPath's preceding axis, but lazy: only the nodes looked at are visited; drawings and
    formulas count as one node)."""
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
        while len(node) and node.tag not in _OPAQUE:
            node = node[-1]
        yield node


def _headline(el: HtmlElement, key: str, headline: str, shared: set[HtmlElement]) -> bool:
    """The story's headline: a block marked as the title, or a heading reading as ``title``
    (a blog's <h1> names the blog; its post titles are lesser headings). Titles of cards,
    teasers and related posts (in a link, an aside, another article, a related box) are
    not."""
    marked = bool(_TITLE_MARKS.search((el.get("class") or "").lower()))
    if not marked and (el.tag not in _HEADINGS or not headline
                       or len(key) < min(20, len(headline)) or key.lower() not in headline):
        return False
    for a in el.iterancestors():
        if a in shared:
            break
        marks = _marks(a)
        if (a.tag in _NOT_LEAD or _NEVER_LEAD_MARKS.search(marks)
                or _NEVER_LEAD_WORDS.intersection(_MARK_SPLIT.split(marks))):
            return False
    return True


def _in_card(el: HtmlElement, shared: set[HtmlElement], headline: str) -> bool:
    """A block beside a heading that links elsewhere: another story's card or teaser."""
    parent = el.getparent()
    if parent is None or parent in shared or _holds_headline(parent):
        return False  # the story's own header may link its author's name
    for h in parent.iter(*_HEADINGS):
        if h.find(".//a[@href]") is not None and not _headline(h, _text_key(h), headline, shared):
            return True
    return False


def body_lead(tree: HtmlElement, paragraphs: list[str], title: str | None = None) -> list[str]:
    """Up to LEAD_MAX marked prose blocks among the LEAD_WINDOW text blocks just before the
    body's first paragraph in the page, never across the headline (the ``<h1>``, or a
    heading marked as the title or reading as ``title``), neither in the body nor the
    headline, in page order."""
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
    for el in islice(_preceding(anchor, shared), LEAD_SCAN):
        if el.tag not in _BLOCK_SET or not (key := _text_key(el)):
            continue
        seen += 1
        if el.tag == "h1" or seen > LEAD_WINDOW or len(out) == LEAD_MAX or _headline(
                el, key, headline, shared):
            break
        text = _lead_block(el, shared)
        if text is None or _in_card(el, shared, headline):
            continue
        if body is None:
            body = squash(" ".join(paragraphs))
        if (key := squash(text)) in body or key[:_KEY_CHARS] in body or key.lower() in headline:
            continue  # already there, a truncated copy of the body's opening, the headline
        out.insert(0, text)
        body += key  # a lead repeated (mobile and desktop) comes back once
    return out


__all__ = ["body_lead"]
