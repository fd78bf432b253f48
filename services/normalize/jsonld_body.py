"""The article text a page declares in JSON-LD (``articleBody``), for when the HTML shows
little of it.

Some pages render only the lead in HTML and load the rest with script, yet their JSON-LD
carries the whole text. Where the JSON-LD body exists and the HTML extraction is fine, the
two agree (newspaper4k's CNN and Wired pages: shingle F1 1.0 between them), so the declared
body only replaces an extraction that is a small part of it and that it contains: a short
summary in ``articleBody`` (some sites put the description there) or a different article
never wins: one of the extracted paragraphs must be in the declared body.
"""

from __future__ import annotations

import html
import re

from lxml import etree
from lxml.html import fragment_fromstring

from services.normalize.cascade import squash, words
from services.normalize.lead import MIN_KEY_CHARS, NO_TEXT, opening_key

BODY_MIN_WORDS = 150  # a declared body shorter than this is a summary, not the article
BODY_MAX_SHARE = 0.25  # the extraction must be at most this share of the declared body,
# and one of its paragraphs must be found in it (a near-empty page goes to the cascade)

_MARKUP = re.compile(r"<(?:p|br|div|h[1-6]|li|ul|ol|blockquote|span|a|strong|em|b|i|script|"
                     r"style|iframe|figure|img)\b", re.IGNORECASE)
_BLOCK_END = re.compile(r"<br\s*/?>|</(?:p|div|h[1-6]|li|blockquote|tr)>", re.IGNORECASE)
_LINE = re.compile(r"\s*\n\s*")


def body_paragraphs(raw: str) -> list[str]:
    """The declared body as paragraphs: HTML inside the string is read as HTML (block ends
    become paragraph breaks; scripts and styles go), Markdown loses its markup (image embeds
    go, links keep their text), plain text splits at its newlines."""
    text = raw
    if _MARKUP.search(text):
        try:
            frag = fragment_fromstring(_BLOCK_END.sub("\n", text), create_parent="div")
        except (etree.ParserError, ValueError):
            frag = None
        if frag is not None:
            for el in list(frag.iter(*NO_TEXT)):
                el.drop_tree()
            text = frag.text_content()  # entities decoded by the parser
        else:
            text = html.unescape(text)
    else:
        text = html.unescape(text)
    if _MD.search(text):
        text = _markdown_text(text)
    return [" ".join(p.split()) for p in _LINE.split(text) if any(c.isalnum() for c in p)]


# Markdown as CMSs export it: [text](url){: attrs}, **strong**, _em_, "### heading", and
# image embeds "[#image: /photos/...]|||caption|||".
_MD = re.compile(r"\]\(|\*\*|^#{1,6} |\|\|\|", re.MULTILINE)
# (bounded repeats: a text of many unclosed "[" stays linear)
_MD_EMBED = re.compile(r"\[#\w+:[^\]\n]{0,500}\](?:\|\|\|[^|]{0,2000}\|\|\|)?")
_MD_LINK = re.compile(r"!?\[([^\]\n]{0,500})\]\([^)\s]{0,2000}\)(?:\{:[^}\n]{0,200}\})?")
_MD_MARKS = re.compile(r"\*\*|^#{1,6} +|\{:[^}\n]{0,200}\}", re.MULTILINE)


def _markdown_text(text: str) -> str:
    text = _MD_EMBED.sub("\n", text)
    text = _MD_LINK.sub(r"\1", text)
    return _MD_MARKS.sub("", text)


def with_declared(paragraphs: list[str], declared: list[str]) -> list[str] | None:
    """The declared body in place of the extracted ``paragraphs``, after the extracted ones
    that precede the first it shares (a standfirst the declared body leaves out); None when
    the extraction stands."""
    total = words(declared)
    if total < BODY_MIN_WORDS or words(paragraphs) > BODY_MAX_SHARE * total:
        return None
    haystack = squash("".join(declared))
    for i, p in enumerate(paragraphs):
        key = opening_key(p)
        if len(key) >= MIN_KEY_CHARS and key in haystack:
            return paragraphs[:i] + declared
    return None


def replace_with_declared(paragraphs: list[str], raw: str) -> list[str] | None:
    """``with_declared`` on the raw ``articleBody``, parsed only when its length in
    whitespace-separated pieces (about its words) leaves the extraction a small share."""
    if words(paragraphs) > BODY_MAX_SHARE * len(raw.split()):
        return None
    return with_declared(paragraphs, body_paragraphs(raw))
