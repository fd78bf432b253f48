"""The standfirst that trafilatura's precision mode drops, put back from the page.

Precision mode removes the article's ``<header>`` and most blocks above the body, and with
them the lead paragraph (dek, standfirst, teaser, Vorspann, chapo, entradilla...). The page
still says where the body starts: ``body_anchor`` finds the body's first paragraph in the
tree (``boxes.py`` uses it too), ``lead_above`` walks back over the blocks just above it,
never past the headline, and takes the prose blocks that something marks as a lead: a class,
id, ``itemprop`` or ``data-*`` value naming a standfirst, or the article's own ``<header>``.
Unmarked prose is never guessed at (captions, embeds and boxes sit there too), and
containers that mark something else rule a block out.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import islice

from lxml import etree
from lxml.html import HtmlElement

from services.normalize.cascade import INVISIBLE_RE, squash
from services.normalize.cleaner.pipeline import LIST_ITEM
from services.normalize.marks import CAPTION_WORDS, words_of

LEAD_MIN_WORDS = 10
LEAD_MAX = 2
LEAD_WINDOW = 40  # text blocks before the body's first paragraph that may hold its lead
LEAD_SCAN = 600  # nodes (inline ones too) looked at before the body
LEAD_ANCHOR_WORDS = 10  # the body's first paragraph this long is looked up in the page ...
LEAD_ANCHOR_MAX = 5  # ... among its first paragraphs (else the first one is)
LEAD_LINK_SHARE = 0.5  # a block mostly made of link text is a teaser card, not a lead
KEY_CHARS = 60  # a block's opening, compared without whitespace
MIN_KEY_CHARS = 20  # shorter openings (a kicker, a one-word line) identify nothing
_DATELINE_CHARS = 40  # a short line (a dateline) may open the body's block before its text
_SEARCH_WORDS = 12  # opening words of a paragraph that search words are taken from ...
_SEARCH_WORD_CHARS = 12  # ... no longer than this (long compounds carry soft hyphens) ...
_SEARCH_TRIES = 2  # ... trying this many of them, longest first ...
_SEARCH_HITS = 50  # ... and this many matches of each
_CONFIRM_DEPTHS = (1, 2, 3)  # the next paragraph beside the body's first: sibling, cousin...
_HEADINGS_LOOKED = 20  # headings looked at in a wrapper (for the headline, a card's link)
_DATA_CHARS = 40  # data-* values longer than this are payloads, not names
_END = tuple(".!?…\"'»”“’‘›")

_BLOCKS = frozenset({"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "td",
                     "dd", "section", "header", "article", "figcaption"})
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
NO_TEXT = frozenset({"script", "style", "noscript", "template"})
OPAQUE = NO_TEXT | {"svg", "math", "select"}  # one node for the walk, no text
PICTURES = frozenset({"img", "picture", "video", "iframe", "svg", "canvas"})
_BESIDE_PICTURE = PICTURES | {"figure"}  # a figure next to a block holds its picture
# A heading's class naming it the story's title ("entry-title", "headline"; not
# "panel-title" or "subheadline").
_TITLE_MARKS = re.compile(
    r"(?<![\w-])(?:(?:entry|post|article|story|page|content)[-_]*)?(?:title|headline)(?![\w-])")
# A lead is found by what marks it (class, id, itemprop, data-* values, camelCase split)
# or by sitting in a content <header> (inside <article> or <main>).
_LEAD_MARKS = re.compile(
    r"lead(?!er|ing|[-_ ]?(?:art|image|img|media|photo|picture|video|visual|asset))|lede|"
    r"intro|teaser|excerpt|abstract|summary|(?<![a-z])dek|deck|standfirst|"
    r"desc(?!end)|sub[-_ ]?title|sub[-_ ]?head|subline|strapline|synopsis|blurb|chapo|chapeau|"
    r"sous[-_ ]?titre|entradilla|bajada|copete|sub[-_ ]?titulo|sumario|linha[-_ ]?fina|vorspann|"
    r"sottotitolo|occhiello|sommario|catenaccio")
# Anywhere between a block and the body, these rule it out: tags, and marks or mark words
# (split on punctuation) of the site's header, screen-reader text, paywall, newsletter,
# sharing, ads, disclosures, players, key points, galleries, related stories ...
_NEVER_LEAD_TAGS = frozenset({
    "a", "figure", "figcaption", "nav", "aside", "form", "button", "address", "time", "ul",
    "ol", "table", "footer", "dialog", "article", "blockquote", "noscript", "template",
    "video", "audio", "iframe", "object", "picture",
})
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
# ... and captions, pictures, dates, authors and promos rule it out too, except on a wrapper
# that also holds the headline (a photo header, a header "with-authors", a layout's "promo"
# section around headline and dek).
_NOT_LEAD_MARKS = re.compile(r"author|autor|auteur|bio\b|byline|promo")
_NOT_LEAD_WORDS = CAPTION_WORDS | {
    "captions", "credits", "figure", "photo", "foto", "image", "media", "thumbnail", "date",
    "time", "bu", "visuel",
}
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_MARK_SPLIT = re.compile(r"[^a-z0-9]+")


def _texts(el: HtmlElement) -> Iterator[str]:
    """The element's text in reading order, without script, style, noscript, template or
    drawing text (their subtrees are skipped, their tails kept); ``<br>`` reads as a space."""
    walker = etree.iterwalk(el, events=("start", "end", "comment", "pi"))
    for event, node in walker:
        if event == "start":
            if node.tag in OPAQUE:
                walker.skip_subtree()
            elif node.tag == "br":
                yield " "
            elif node.text:
                yield node.text
        elif node is not el and node.tail:  # "end", or a comment / processing instruction
            yield node.tail


def block_text(el: HtmlElement) -> str:
    """The block's text as trafilatura writes it: whitespace collapsed, no soft hyphens."""
    return " ".join(INVISIBLE_RE.sub("", "".join(_texts(el))).split())


def _text_key(el: HtmlElement, chars: int = KEY_CHARS) -> str:
    """The first ``chars`` characters of the element's text without whitespace: read
    lazily, so nested wrappers cost the page's size, not size times depth."""
    got, n = [], 0
    for piece in _texts(el):
        if piece := squash(piece):
            got.append(piece)
            n += len(piece)
            if n >= chars:
                break
    return "".join(got)[:chars]


def squashed(paragraph: str) -> str:
    """An extracted paragraph as the page's text reads (squashed), without its list-item
    dash: what paragraphs are looked up in the page by."""
    return squash(paragraph.removeprefix(LIST_ITEM))


def opening_key(paragraph: str) -> str:
    """A paragraph's opening as ``_text_key`` reads it from the page: what an extracted
    paragraph is looked up in the page (or in another text) by."""
    return squashed(paragraph)[:KEY_CHARS]


def _is_leaf(el: HtmlElement) -> bool:
    walker = etree.iterwalk(el, events=("start",))
    for _, node in walker:
        if node is not el and node.tag in _BLOCKS:
            return False
        if node.tag in OPAQUE:
            walker.skip_subtree()
    return True


def _marks(el: HtmlElement) -> str:
    """What the element says it is: class, id, itemprop and short data-* values."""
    values = [el.get("class") or "", el.get("id") or "", el.get("itemprop") or ""]
    values += [v for k, v in el.items() if k.startswith("data-") and len(v) <= _DATA_CHARS]
    return _CAMEL.sub(" ", " ".join(values)).lower()


def _hidden(el: HtmlElement) -> bool:
    style = (el.get("style") or "").replace(" ", "").lower()
    return (el.get("hidden") is not None or el.get("aria-hidden") == "true"
            or el.get("role") in ("dialog", "alertdialog") or el.get("aria-modal") == "true"
            or "display:none" in style or "visibility:hidden" in style)


# Boxes that boxes.py drops as promo, related, share or embedded media (marks.py's
# vocabulary) hold no lead either; "promo" itself is left to _NOT_LEAD_MARKS, which spares
# the wrapper of a headline.
_NEVER_LEAD_BOXES = frozenset({"promo", "related", "share", "media"})
_HEADLINE_PROMO = frozenset({"promo", "promotion"})


def _box_marked(el: HtmlElement) -> bool:
    values = [v for v in (el.get("class"), el.get("id")) if v]
    return values != [] and any(
        category in _NEVER_LEAD_BOXES and word.removesuffix("s") not in _HEADLINE_PROMO
        for category, word in words_of(values).values())


def _never_lead(el: HtmlElement, marks: str) -> bool:
    return (el.tag in _NEVER_LEAD_TAGS or _hidden(el) or bool(_NEVER_LEAD_MARKS.search(marks))
            or not _NEVER_LEAD_WORDS.isdisjoint(_MARK_SPLIT.split(marks)) or _box_marked(el))


def _in_box(el: HtmlElement, shared: set[HtmlElement]) -> bool:
    """Inside a container, not shared with the body, that never holds the story's parts."""
    for a in el.iterancestors():
        if a in shared:
            return False
        if _never_lead(a, _marks(a)):
            return True
    return False


def _title_marked(el: HtmlElement) -> bool:
    return bool(_TITLE_MARKS.search((el.get("class") or "").lower()))


def _holds_headline(el: HtmlElement) -> bool:
    return any(h.tag == "h1" or _title_marked(h)
               for h in islice(el.iter(*HEADINGS), _HEADINGS_LOOKED))


def _content_header(el: HtmlElement) -> bool:
    return el.tag == "header" and any(a.tag in ("article", "main") for a in el.iterancestors())


def _beside_picture(el: HtmlElement) -> bool:
    """A block next to a picture in the same wrapper: a caption, whatever it is called."""
    parent = el.getparent()
    return parent is not None and any(
        isinstance(s.tag, str) and (s.tag in _BESIDE_PICTURE or s.find(".//img") is not None)
        for s in parent if s is not el)


def _lead_block(el: HtmlElement, shared: set[HtmlElement]) -> str | None:
    """The text of a prose leaf block that something marks as the lead, when no container
    between it and the body's own containers (``shared``: the article around both says
    nothing) marks it as something else."""
    if not _is_leaf(el):
        return None
    text = block_text(el)
    if len(text.split()) < LEAD_MIN_WORDS:
        return None
    mark: str | None = None  # "class" (the block or a wrapper is named a lead) or "header"
    own = False  # the block itself is named a dek: it may end without a stop
    for a in (el, *el.iterancestors()):
        if a in shared:
            break
        marks = _marks(a)
        if _never_lead(a, marks):
            return None
        if ((_NOT_LEAD_MARKS.search(marks) or not _NOT_LEAD_WORDS.isdisjoint(
                _MARK_SPLIT.split(marks))) and not (mark and _holds_headline(a))):
            return None
        if mark is None and _LEAD_MARKS.search(marks):
            mark, own = "class", a is el
        elif mark is None and _content_header(a):
            mark = "header"
    if mark is None or not (own or text.endswith(_END)):
        return None
    if mark == "header" and _beside_picture(el):
        return None
    linked = sum(len(block_text(a)) for a in el.iter("a"))
    if linked > LEAD_LINK_SHARE * len(text):
        return None
    return text


_P_WITH = etree.XPath("//p[contains(., $w)]")
_TEXT_WITH = etree.XPath("//text()[contains(., $w)]")


def _opens(el: HtmlElement, first: str) -> bool:
    """A block whose text opens with the paragraph, after at most a short dateline line."""
    at = _text_key(el, KEY_CHARS + _DATELINE_CHARS).find(first)
    return at == 0 or (0 < at <= _DATELINE_CHARS and el.find(".//br") is not None)


def _search_words(paragraph: str) -> list[str]:
    """Opening words to look a paragraph up by, longest first."""
    words = dict.fromkeys(w for w in paragraph.split()[:_SEARCH_WORDS]
                          if len(w) <= _SEARCH_WORD_CHARS)
    return sorted(words, key=len, reverse=True)[:_SEARCH_TRIES]


def _anchor(tree: HtmlElement, paragraphs: list[str], at: int) -> HtmlElement | None:
    """The block where ``paragraphs[at]`` starts in the page: found from one of its words by
    a C-level search (in ``<p>`` blocks first, then in any text), confirmed by the block's
    opening and, when there is one, by words of the next paragraph close around it: a copy
    of the first paragraph in a teaser strip elsewhere on the page is not the body."""
    first = opening_key(paragraphs[at])
    if len(first) < MIN_KEY_CHARS:
        return None
    after = _search_words(paragraphs[at + 1]) if at + 1 < len(paragraphs) else []
    texts: dict[HtmlElement, str] = {}  # copies of the opening may share a wrapper
    for word in _search_words(paragraphs[at]):
        found = [el for el in islice(_P_WITH(tree, w=word), _SEARCH_HITS) if _opens(el, first)]
        if not found:
            for node in islice(_TEXT_WITH(tree, w=word), _SEARCH_HITS):
                el = node.getparent()
                if el is not None and node.is_tail:
                    el = el.getparent()
                elif el is None or el.tag in NO_TEXT:
                    continue
                while el is not None and el.tag not in _BLOCKS:
                    el = el.getparent()
                if el is not None and _opens(el, first):
                    found.append(el)
        if found and not after:
            return found[0]
        for depth in _CONFIRM_DEPTHS:  # the tightest confirmation wins
            for el in found:
                around = [el, *islice(el.iterancestors(), depth)][-1]
                if around not in texts:
                    texts[around] = around.text_content()
                if any(w in texts[around] for w in after):
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
        while len(node) and node.tag not in OPAQUE:
            node = node[-1]
        yield node


def _headline(el: HtmlElement, key: str, headline: str, shared: set[HtmlElement]) -> bool:
    """The story's headline: an ``<h1>`` or a block marked as the title, or a heading that
    reads as ``title`` (a blog's <h1> names the blog; its post titles are lesser headings).
    Titles of cards, teasers and related boxes are not."""
    if not (el.tag == "h1" or _title_marked(el) or (
            el.tag in HEADINGS and len(key) >= min(MIN_KEY_CHARS, len(headline)) > 0
            and key.lower() in headline)):
        return False
    return not _in_box(el, shared)


def _in_card(el: HtmlElement, shared: set[HtmlElement], headline: str) -> bool:
    """A block beside a heading that links elsewhere: another story's card or teaser."""
    parent = el.getparent()
    if parent is None or parent in shared or _holds_headline(parent):
        return False  # the story's own header may link its author's name
    for h in islice(parent.iter(*HEADINGS), _HEADINGS_LOOKED):
        if h is el or el in h.iterancestors():
            continue
        if h.find(".//a[@href]") is not None and not _headline(h, _text_key(h), headline,
                                                                shared):
            return True
    return False


def body_anchor(tree: HtmlElement, paragraphs: list[str]) -> HtmlElement | None:
    """The block of the page where the body's first prose paragraph starts, if found."""
    at = next((i for i, p in enumerate(paragraphs[:LEAD_ANCHOR_MAX])
               if len(p.split()) >= LEAD_ANCHOR_WORDS), 0)
    return _anchor(tree, paragraphs, at) if paragraphs else None


def body_lead(tree: HtmlElement, paragraphs: list[str], title: str | None = None) -> list[str]:
    """The lead blocks to put before ``paragraphs``, in page order (at most LEAD_MAX)."""
    anchor = body_anchor(tree, paragraphs)
    return [] if anchor is None else lead_above(anchor, paragraphs, title)


def lead_above(anchor: HtmlElement, paragraphs: list[str], title: str | None = None) -> list[str]:
    """The lead blocks above ``anchor`` (the body's first paragraph in the page).

    Looked for among the LEAD_WINDOW text blocks just above it, back to the headline (the
    ``<h1>``, a block marked as the title, a heading reading as ``title``). A block already
    in the body, a truncated copy of its opening and the headline itself are skipped."""
    shared = set(anchor.iterancestors())
    body: str | None = None  # squashed once a block qualifies
    headline = squash(title or "").lower()
    out: list[str] = []
    seen = 0
    for el in islice(_preceding(anchor, shared), LEAD_SCAN):
        if el.tag not in _BLOCKS or not (opening := _text_key(el)):
            continue
        seen += 1
        if seen > LEAD_WINDOW or len(out) == LEAD_MAX or _headline(el, opening, headline,
                                                                     shared):
            break
        text = _lead_block(el, shared)
        if text is None or _in_card(el, shared, headline):
            continue
        if body is None:
            body = squash(" ".join(paragraphs))
        squashed = squash(text)
        if squashed[:KEY_CHARS] in body or squashed.lower() in headline:
            continue
        out.insert(0, text)
        body += squashed  # a lead repeated (mobile and desktop) comes back once
    return out


__all__ = ["HEADINGS", "KEY_CHARS", "MIN_KEY_CHARS", "NO_TEXT", "OPAQUE", "PICTURES",
           "block_text", "body_anchor", "body_lead", "lead_above", "opening_key", "squashed"]
