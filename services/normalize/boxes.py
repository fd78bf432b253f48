"""Paragraphs that sit only in a box the page marks as not the article.

trafilatura prunes newsletter, sharing, related-story and ad containers by their class and
id, but all or nothing: when its matches hold more than 6/7 of the page's text (a wrapper
named "sticky-sidebar" or "elementor-widget" around the article) it prunes none of them, and
it does not know every mark (a call to action, an embedded post on a ``<blockquote>``, a
caption). Here each box is judged on its own, and a paragraph goes only when

* every copy of it in the body's container sits in such boxes (a pull quote or a teaser
  that repeats the body keeps the body's copy),
* the box is small beside the body, holds no ``<h1>`` and is not a heading itself,
* the box is what its mark says: a related box is mostly links, a comment comes with others
  (or the mark names comments), a caption sits by a picture, and a section id that is just
  the slug of its own heading ("what-the-tax-credit-means") is no mark at all, and
* all the paragraphs that go together are a small part of the body: marks that cover the
  body take nothing. "paywall" and "subscriber" are not marks (some sites put them on the
  paid text itself), nor "affiliate" (a shopping guide's product cards are its text).

Marks are read from ``class``, ``id`` and custom element names, split at ``-``, ``_`` and
camelCase, in English as web templates mostly are, with caption and ad words of other
languages; ``<figcaption>`` beside a picture is a caption box whatever its marks.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from itertools import accumulate

from lxml import etree
from lxml.html import HtmlElement

from services.normalize.cascade import squash
from services.normalize.cleaner import Removal
from services.normalize.lead import HEADINGS, OPAQUE, PICTURES, block_text, squashed
from services.normalize.marks import CAPTION_WORDS, words_of

BOX_MAX_SHARE = 1 / 3  # of the body's characters: one box at most
DROP_MAX_SHARE = 1 / 3  # of the body's characters: all the paragraphs that go, together
ROOT_SHARE = 0.8  # of the body's characters: the container searched holds at least this
RELATED_LINK_SHARE = 0.5  # of a related box's text that is link text
MAX_LOOKUP = 50_000_000  # paragraphs x characters in boxes: past it (a live page with
# thousands of comments in the body's container) the page is left as it is

_ATTRS = etree.XPath(".//@class | .//@id", smart_strings=False)
_SLUG_WORD = re.compile(r"[a-z0-9]+")
_SLUG_MIN_WORDS = 3


class _Mark:
    """A marked element: its category, the word that matched and where it was read."""

    __slots__ = ("category", "el", "value", "word")

    def __init__(self, el: HtmlElement, category: str, word: str, value: str) -> None:
        self.el, self.category, self.word, self.value = el, category, word, value


def _holds(text: str, chars: float) -> bool:
    """At least ``chars`` characters besides whitespace (the raw length answers most)."""
    return len(text) >= chars and len("".join(text.split())) >= chars


def content_root(anchor: HtmlElement, body_chars: int) -> tuple[HtmlElement, str] | None:
    """The nearest container of the body's first paragraph holding most of the body's text,
    and its text: boxes are looked for in it, not in the whole page (a page has thousands
    of elements)."""
    for el in anchor.iterancestors():
        if el.tag in ("body", "html"):
            break
        if _holds(text := el.text_content(), ROOT_SHARE * body_chars):
            return el, text
    return None


def _marked(root: HtmlElement) -> list[_Mark]:
    """Every marked element under ``root``, in page order (outermost first)."""
    marks = words_of(list(dict.fromkeys(_ATTRS(root))))
    get = marks.get
    out: list[_Mark] = []
    for el in root.iter(etree.Element):
        tag = el.tag
        if tag == "figcaption":
            out.append(_Mark(el, "caption", "figcaption", "figcaption"))
        elif marks and ((hit := get(value := el.get("class", "")))
                        or (hit := get(value := el.get("id", "")))):
            out.append(_Mark(el, hit[0], hit[1], value))
        elif "-" in tag and (hit := words_of([tag]).get(tag)):  # <newsletter-signup>
            out.append(_Mark(el, hit[0], hit[1], tag))
    return out


def _fold(text: str) -> set[str]:
    """The words of a text, lower-cased and without accents, as slugs write them."""
    plain = unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode()
    return set(_SLUG_WORD.findall(plain))


def _heading_slug(mark: _Mark) -> bool:
    """An id made from the words of the element's own heading: the section's name."""
    if mark.value != mark.el.get("id"):
        return False
    words = _SLUG_WORD.findall(mark.value.lower())
    heading = next(mark.el.iter(*HEADINGS), None)
    return (len(words) >= _SLUG_MIN_WORDS and heading is not None
            and set(words) <= _fold(heading.text_content()))


def _near_picture(el: HtmlElement) -> bool:
    """A picture in the element or next to it (in its parent or grandparent)."""
    scope = el
    for _ in range(3):
        if next(scope.iter(*PICTURES), None) is not None:
            return True
        parent = scope.getparent()
        if parent is None:
            return False
        scope = parent
    return False


def _is_box(mark: _Mark, text: str) -> bool:
    """Whether the element is what its mark says it is."""
    el, category = mark.el, mark.category
    if el.tag in HEADINGS or _heading_slug(mark):
        return False
    if category == "related":
        links = sum(len(squash(a.text_content())) for a in el.iter("a"))
        return links >= RELATED_LINK_SHARE * len(text)
    ident = el.get("id") or ""
    if category == "comments" and mark.word == "comment" and (
            words_of([ident]).get(ident, ("",))[0] != "comments"):
        # one "comment" by class: a box only among others like it ("comments", or an id
        # such as "comment-4521", names the thread or the comment itself)
        return any(sib is not None and sib.get("class") == mark.value
                   for sib in (el.getprevious(), el.getnext()))
    if mark.word.removesuffix("s") in CAPTION_WORDS or mark.word == "figcaption":
        return _near_picture(el)
    return True


def _text(el: HtmlElement) -> str:
    """The element's text without whitespace, and without what a reader does not see as
    text (a sign-up form's CSS, its country <select>, an icon's SVG do not make it a big
    box), read as ``block_text`` reads it."""
    if next(el.iter(*OPAQUE), None) is None:
        return squash(el.text_content())
    return squash(block_text(el))


def _boxes(root: HtmlElement, body_chars: int) -> list[tuple[str, _Mark]]:
    """(text without whitespace, mark) of the outermost small boxes under ``root``."""
    taken: set[HtmlElement] = set()
    out: list[tuple[str, _Mark]] = []
    for mark in _marked(root):
        el = mark.el
        if taken.intersection(el.iterancestors()):
            continue
        text = _text(el)
        if len(text) >= BOX_MAX_SHARE * body_chars or el.find(".//h1") is not None:
            continue  # too big to be a box: the boxes inside it are judged on their own
        if text and _is_box(mark, text):
            taken.add(el)
            out.append((text, mark))
    return out


def drop_boxed(tree: HtmlElement, paragraphs: list[str],
               anchor: HtmlElement | None) -> tuple[list[str], list[Removal]]:
    """The paragraphs without those found only in marked boxes, and the audit of what went.

    ``anchor``: the body's first paragraph in the page (``lead.body_anchor``). Without it,
    or when no container short of ``<body>`` holds most of the body, nothing is removed:
    searching the whole page would cost two to three times as much."""
    keys = list(map(squashed, paragraphs))
    body_chars = sum(map(len, keys))
    found = content_root(anchor, body_chars) if anchor is not None and body_chars else None
    if found is None:
        return paragraphs, []
    root, root_text = found
    boxes = _boxes(root, body_chars)
    if not boxes:
        return paragraphs, []
    joined = "\0".join(text for text, _ in boxes)
    if len(keys) * len(joined) > MAX_LOOKUP:
        return paragraphs, []
    starts = list(accumulate((len(text) + 1 for text, _ in boxes), initial=0))
    hits: dict[int, _Mark] = {}
    around: str | None = None
    for i, key in enumerate(keys):
        at = joined.find(key) if key else -1
        if at < 0:
            continue
        around = squash(root_text) if around is None else around
        if around.count(key) <= joined.count(key):  # no copy outside the boxes
            hits[i] = boxes[bisect_right(starts, at) - 1][1]
    if not hits or sum(len(keys[i]) for i in hits) > DROP_MAX_SHARE * body_chars:
        return paragraphs, []
    removed = [Removal(mark.category, paragraphs[i],
                       ("box", f"mark={mark.word}", f"in={mark.value[:60]}"))
               for i, mark in sorted(hits.items())]
    return [p for i, p in enumerate(paragraphs) if i not in hits], removed
