"""Split bodies: the article continues in later sibling containers of the same class.

Templates that put ads and pictures between stretches of text write the body as a run of
containers with one class ("module module-text", "GridWrapper …") separated by ad and
image rows. trafilatura keeps the first stretch only, in every mode. The later stretches are
found from the body's first paragraph: the nearest container above it that has following
siblings with its own tag and class. Their prose paragraphs (and the headings above them)
join the body in page order. A stretch holding a headline (``<h1>``) or an ``<article>`` is
another article, and nothing is added unless it reads as prose: mostly whole sentences, few
links.
"""

from __future__ import annotations

from lxml.html import HtmlElement

from services.normalize.lead import block_text, opening_key
from services.normalize.marks import words_of

CONTAINERS = frozenset({"div", "section"})
MAX_DEPTH = 6  # containers looked at above the body's first paragraph
MIN_WORDS = 30  # added text below this is not a stretch of the article
PARAGRAPH_MIN_WORDS = 5
MAX_LINK_SHARE = 0.3  # of the added text's characters
MIN_SENTENCE_SHARE = 0.5  # of the added paragraphs, ending as sentences do
LINKED_HEADING_SHARE = 0.8  # of a heading's text in links: an entry's title, not a subheading
_END = tuple(".!?…\"'»”“’)")
_BLOCKS = ("p", "h2", "h3", "h4")
_NOT_BODY = frozenset({"figure", "figcaption", "aside", "nav", "footer", "form", "header",
                       "blockquote", "table", "ul", "ol"})


def _stretches(anchor: HtmlElement) -> tuple[HtmlElement, list[HtmlElement]] | None:
    """The body's container and its later same-class siblings, nearest level first."""
    for depth, el in enumerate(anchor.iterancestors()):
        if depth >= MAX_DEPTH or el.tag in ("body", "html"):
            return None
        cls, parent = el.get("class"), el.getparent()
        if el.tag not in CONTAINERS or not cls or parent is None:
            continue
        later, seen = [], False
        for sib in parent:
            if sib is el:
                seen = True
            elif seen and sib.tag == el.tag and sib.get("class") == cls:
                later.append(sib)
        if later:
            return el, later
    return None


def _linked_heading(el: HtmlElement) -> bool:
    """A heading that is a link: an entry's title on a blog's front page, a teaser's."""
    for h in el.iter("h2", "h3", "h4"):
        text = " ".join(h.text_content().split())
        if text and _link_chars(h, el) >= LINKED_HEADING_SHARE * len(text):
            return True
    return False


def _another_article(el: HtmlElement) -> bool:
    """A headline, an ``<article>`` or an entry's linked title: another article's stretch."""
    return (el.find(".//h1") is not None or el.find(".//article") is not None
            or _linked_heading(el))


def _in_box(block: HtmlElement, stop: HtmlElement) -> bool:
    """The block is, or is inside, a caption, an aside, a list or an element the template
    marks as a box (up to the stretch)."""
    for up in (block, *block.iterancestors()):
        if up is stop:
            return False
        if up.tag in _NOT_BODY:
            return True
        values = [v for v in (up.get("class"), up.get("id")) if v]
        if values and words_of(values):
            return True
    return False


def _link_chars(block: HtmlElement, stop: HtmlElement) -> int:
    """The block's text inside links; all of it when a link inside the stretch wraps the
    block (a card). Not above the stretch: an unclosed ``<a name=top>`` can hold the page."""
    for up in block.iterancestors():
        if up is stop:
            break
        if up.tag == "a":
            return len(" ".join(block.text_content().split()))
    return sum(len(" ".join(a.text_content().split())) for a in block.iter("a"))


def continue_body(anchor: HtmlElement, paragraphs: list[str]) -> list[str]:
    """``paragraphs`` with the later stretches' paragraphs put in page order (unchanged when
    the body is not split, or what would join does not read as the article's prose)."""
    found = _stretches(anchor)
    if found is None:
        return paragraphs
    first, later = found
    if _linked_heading(first):
        return paragraphs  # the body is one entry of a list of entries
    keys = {opening_key(p): i for i, p in reversed(list(enumerate(paragraphs)))}
    after: dict[int, list[str]] = {}  # index of the known paragraph -> new ones after it
    last = -1
    added: list[tuple[str, int]] = []  # (text, link characters)
    pending_heading: str | None = None
    for stretch in (first, *later):
        if stretch is not first and last < 0:
            return paragraphs  # the body's own stretch matched nothing: no place to join at
        if stretch is not first and _another_article(stretch):
            continue
        for block in stretch.iter(*_BLOCKS):
            text = block_text(block)
            key = opening_key(text)
            if not key:
                continue
            if key in keys:
                last = max(last, keys[key])
                pending_heading = None
                continue
            if stretch is first or _in_box(block, stretch):
                continue
            if block.tag != "p":
                pending_heading = text
                continue
            if len(text.split()) < PARAGRAPH_MIN_WORDS:
                continue
            keys[key] = last  # a copy further on is not joined twice
            new = after.setdefault(last, [])
            if pending_heading is not None:
                new.append(pending_heading)
                pending_heading = None
            new.append(text)
            added.append((text, _link_chars(block, stretch)))
    if not _prose(added):
        return paragraphs
    out: list[str] = []
    for i, p in enumerate(paragraphs):
        out.append(p)
        out.extend(after.get(i, []))
    return out


def _prose(added: list[tuple[str, int]]) -> bool:
    words = sum(len(t.split()) for t, _ in added)
    chars = sum(len(t) for t, _ in added)
    if words < MIN_WORDS or sum(n for _, n in added) > MAX_LINK_SHARE * chars:
        return False
    sentences = sum(1 for t, _ in added if t.endswith(_END))
    return sentences >= MIN_SENTENCE_SHARE * len(added)
