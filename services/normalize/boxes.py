"""Paragraphs that sit only in a box the page marks as not the article.

trafilatura prunes newsletter, sharing, related-story and ad containers by their class and
id, but all or nothing: when its matches hold more than 6/7 of the page's text (a wrapper
named "sticky-sidebar" or "elementor-widget" around the article) it prunes none of them, and
the pitch, the embedded tweet and the caption stay in the body. Here each box is judged on
its own, and a paragraph goes only when

* every copy of it on the page sits in such boxes (a pull quote or a teaser that repeats the
  body keeps the body's copy),
* the box is small beside the body, holds no ``<h1>`` and is not a heading itself, and
* all the paragraphs that go together are a small part of the body: a mark that covers the
  body ("paywall" marks the paid text on some sites, so it is not a mark here) takes nothing.

Marks are read from ``class`` and ``id``, split on punctuation and camelCase, in the words
web templates use across languages; ``<figcaption>`` is a caption box whatever its marks.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from itertools import accumulate

from lxml import etree
from lxml.html import HtmlElement

from services.normalize.cascade import INVISIBLE
from services.normalize.cleaner import Removal
from services.normalize.cleaner.pipeline import LIST_ITEM

BOX_MAX_SHARE = 1 / 3  # of the body's characters: a box, and all that goes together

# Mark stems by the audit category they give. Each must start a word of the class or id
# ("newsletter-promo", "relatedPost", "c-letters-cta") and end one, or run into a plural.
_CATEGORIES: dict[str, tuple[str, ...]] = {
    "promo": ("newsletter", "signup", "sign-up", "donate", "donation", "affiliate", "sponsor",
              "sponsored", "advert", "advertisement", "promo", "promotion", "cta", "outbrain",
              "taboola"),
    "related": ("related", "recommended", "recommendation", "more-stories", "linkbox",
                "link-box", "linklist", "link-list"),
    "share": ("share", "sharing", "social"),
    "media": ("tweet", "twitter-tweet", "instagram-media", "tiktok-embed"),
    "caption": ("caption", "credit", "copyright"),
    "comments": ("comment",),
}
_CATEGORY = {stem: cat for cat, stems in _CATEGORIES.items() for stem in stems}
_STEMS = "|".join(sorted(map(re.escape, _CATEGORY), key=len, reverse=True))
# On class and id values split at camelCase and lower-cased: a stem starts a word and ends
# one, or runs into a plural.
_MARK = re.compile(rf"(?<![a-z])({_STEMS})s?(?![a-z])")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_ATTRS = etree.XPath(".//@class | .//@id", smart_strings=False)
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
ROOT_SHARE = 0.8  # of the body's characters: the content root holds at least this much


_INVISIBLE = re.compile(f"[{INVISIBLE}]")


def _cut(text: str) -> str:
    """``squash``, cheaper on long texts: the text without whitespace and invisible
    characters (rare: looked for before they are taken out)."""
    text = "".join(text.split())
    return _INVISIBLE.sub("", text) if _INVISIBLE.search(text) else text


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


def _marked(root: HtmlElement) -> list[tuple[HtmlElement, str, str]]:
    """(element, category, the mark) of every marked element under ``root``, in page order
    (outermost first).

    The distinct class and id values are matched in one regex pass over them joined; the
    elements are then visited once, looking their values up in the matches."""
    values = list(dict.fromkeys(_ATTRS(root)))
    low = _CAMEL.sub(" ", "\0".join(values)).lower()  # NUL: never in an XML attribute
    starts = list(accumulate((len(v) + 1 for v in low.split("\0")), initial=0))
    marks: dict[str, str] = {}
    for m in _MARK.finditer(low):
        value = values[bisect_right(starts, m.start()) - 1]
        marks.setdefault(value, _CATEGORY[m.group(1)])
    if not marks:
        return [(el, "caption", "figcaption") for el in root.iter("figcaption")]
    out: list[tuple[HtmlElement, str, str]] = []
    get = marks.get
    for el in root.iter(etree.Element):
        if el.tag == "figcaption":
            out.append((el, "caption", "figcaption"))
        elif (cat := get(value := el.get("class", ""))) or (cat := get(value := el.get("id", ""))):
            out.append((el, cat, value))
    return out


def _boxes(root: HtmlElement, body_chars: int) -> list[tuple[str, str, str]]:
    """(squashed text, category, mark) of the outermost small boxes under ``root``."""
    taken: set[HtmlElement] = set()
    out: list[tuple[str, str, str]] = []
    for el, category, mark in _marked(root):
        if el.tag in _HEADINGS or taken.intersection(el.iterancestors()):
            continue
        text = el.text_content()
        if _holds(text, BOX_MAX_SHARE * body_chars) or el.find(".//h1") is not None:
            continue  # too big to be a box: the boxes inside it are judged on their own
        taken.add(el)
        if text := _cut(text):
            out.append((text, category, mark))
    return out


def drop_boxed(tree: HtmlElement, paragraphs: list[str],
               anchor: HtmlElement | None) -> tuple[list[str], list[Removal]]:
    """The paragraphs without those found only in marked boxes, and the audit of what went.

    ``anchor``: the body's first paragraph in the page (``lead.body_anchor``). Without it,
    or when no container short of ``<body>`` holds most of the body, nothing goes: the
    whole page is not searched (it costs two or three times the pages that have one)."""
    keys = [_cut(p.removeprefix(LIST_ITEM)) for p in paragraphs]
    body_chars = sum(map(len, keys))
    found = content_root(anchor, body_chars) if anchor is not None and body_chars else None
    if found is None:
        return paragraphs, []
    root, root_text = found
    boxes = _boxes(root, body_chars)
    joined = "\0".join(box[0] for box in boxes)
    hits = {i: box for i, k in enumerate(keys) if k and k in joined
            for box in boxes if k in box[0]}
    if not hits:
        return paragraphs, []
    around = _cut(root_text)
    gone = {i: box for i, box in hits.items()
            if around.count(keys[i]) <= sum(b[0].count(keys[i]) for b in boxes)}
    if not gone or sum(len(keys[i]) for i in gone) > BOX_MAX_SHARE * body_chars:
        return paragraphs, []
    removed = [Removal(box[1], paragraphs[i], ("box", f"mark={box[2][:60]}"))
               for i, box in sorted(gone.items())]
    return [p for i, p in enumerate(paragraphs) if i not in gone], removed
