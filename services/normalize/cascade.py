"""Fallback extractors for when trafilatura's result is empty or nearly empty.

When trafilatura (after its own full run) returns almost nothing, trafilatura without
``favor_precision``, readability-lxml and jusText also run, and every candidate is scored on
evidence: how much of the page's own paragraph text (``<p>`` blocks outside navigation,
asides, comment and teaser containers) it covers, or, on a page with no such blocks, how much
of its text another extractor also returned. A fallback wins only by a clear margin. The
caller records which extractor won.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from copy import deepcopy
from dataclasses import dataclass
from functools import cached_property
from itertools import chain

from lxml.html import HtmlElement

_WS = re.compile(r"\s+")
# Soft hyphens, zero-width characters and direction marks: extractors drop them.
INVISIBLE = "\u00ad\u200b\u200c\u200d\u200e\u200f\u2060\ufeff"
INVISIBLE_RE = re.compile(f"[{INVISIBLE}]")


def squash(text: str) -> str:
    """Text without whitespace: extractors and ``text_content()`` space inline elements and
    ``<br>`` differently. ``str`` methods, and the invisible characters (rare) looked for
    before they are taken out: several times faster than one regex on a page's text."""
    text = "".join(text.split())
    return INVISIBLE_RE.sub("", text) if INVISIBLE_RE.search(text) else text


_SKIP = frozenset({"script", "style", "noscript", "template", "svg", "nav", "footer", "header",
                   "aside", "form", "button", "select", "iframe"})
_BLOCK_MIN_CHARS = 80  # a "paragraph" the yardstick counts
TRIGGER_MIN_WORDS = 20  # below this (near-empty), the fallbacks compete with the primary
_MARGIN = 0.2  # a fallback must cover this much more of the page's paragraphs

# JusText stop-list names by ISO 639-1 code (the languages the seeds and devdata hold).
_JUSTEXT_LANG = {
    "en": "English", "de": "German", "fr": "French", "es": "Spanish", "it": "Italian",
    "pt": "Portuguese", "pl": "Polish", "nl": "Dutch", "sv": "Swedish", "da": "Danish",
    "no": "Norwegian_Bokmal", "fi": "Finnish", "cs": "Czech", "sk": "Slovak", "hu": "Hungarian",
    "ro": "Romanian", "tr": "Turkish", "ru": "Russian", "uk": "Ukrainian", "el": "Greek",
    "hr": "Croatian", "sl": "Slovenian", "ca": "Catalan",
}


@dataclass
class Candidate:
    name: str
    paragraphs: list[str]
    score: float = 0.0

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)

    @cached_property
    def flat(self) -> str:
        """The paragraphs joined, whitespace runs as one space (what scoring compares)."""
        return flat(self.paragraphs)


# Class or id of a consent layer; "cmp-text" and the like are Adobe AEM's content components.
_CONSENT_MARKS = r"cookie|consent|gdpr|cmp(?![\w-])|cmp\d"
_NOT_CONTENT = re.compile(
    r"comment|reply|respond|sidebar|widget|related|footer|nav|menu|share|social|teaser|promo|"
    r"newsletter|banner|breadcrumb|recommend|" + _CONSENT_MARKS,
    re.IGNORECASE,
)


@dataclass
class PageProfile:
    """What the page itself says about where its text is: its paragraph-sized ``<p>`` blocks
    outside navigation, header, footer, asides, comment and teaser containers."""

    paragraphs: list[str]

    @property
    def chars(self) -> int:
        return sum(len(p) for p in self.paragraphs)


def _class_id(el: HtmlElement) -> str:
    return f"{el.get('class') or ''} {el.get('id') or ''}"


def _outside_boilerplate(el: HtmlElement) -> bool:
    """No boilerplate container between the block and ``<body>``: a class on ``<body>`` or
    ``<html>`` ("has-sidebar", "menu-closed") says nothing about the block."""
    for anc in el.iterancestors():
        if not isinstance(anc.tag, str):
            continue
        if anc.tag in ("body", "html"):
            break
        if anc.tag in _SKIP:
            return False
        marks = _class_id(anc)
        if marks.strip() and _NOT_CONTENT.search(marks):
            return False
    return True


def profile(tree: HtmlElement) -> PageProfile:
    body = tree.find(".//body")
    root = body if body is not None else tree
    out: list[str] = []
    for el in root.iter("p"):
        text = _WS.sub(" ", el.text_content()).strip()
        if len(text) >= _BLOCK_MIN_CHARS and _outside_boilerplate(el):
            out.append(text)
    return PageProfile(out)


def words(paragraphs: list[str]) -> int:
    """Whitespace-separated words of an extraction: what every length rule here compares."""
    return sum(len(p.split()) for p in paragraphs)


def needs_fallback(paragraphs: list[str]) -> bool:
    """Empty or nearly so. Measured on devdata TUNE: a share-of-page trigger and a 60-word
    trigger lost pages or changed none once trafilatura's own full run had been tried."""
    return words(paragraphs) < TRIGGER_MIN_WORDS


def _readability(tree: HtmlElement, url: str | None) -> list[str]:
    from readability import Document

    doc = Document(deepcopy(tree), url=url, min_text_length=25)
    summary = doc.summary(html_partial=True)
    from lxml.html import fragment_fromstring

    frag = fragment_fromstring(summary, create_parent="div")
    out: list[str] = []
    for el in frag.iter("p", "li", "h1", "h2", "h3", "h4", "blockquote", "pre", "td", "div"):
        if el.tag == "div" and any(isinstance(c.tag, str) for c in el):
            # a div with element children: only its own loose text counts
            text = _WS.sub(" ", el.text or "").strip()
        else:
            if any(isinstance(a.tag, str) and a.tag in ("p", "li", "blockquote", "pre", "td")
                   for a in el.iterancestors()):
                continue
            text = _WS.sub(" ", el.text_content()).strip()
        if text:
            out.append(text)
    return out


def _justext(tree: HtmlElement, language: str | None) -> list[str]:
    from justext.core import (
        ParagraphMaker,
        classify_paragraphs,
        preprocessor,
        revise_paragraph_classification,
    )
    from justext.utils import get_stoplist

    name = _JUSTEXT_LANG.get(language or "", "English")
    stoplist = get_stoplist(name)
    dom = preprocessor(deepcopy(tree))
    paragraphs = ParagraphMaker.make_paragraphs(dom)
    classify_paragraphs(paragraphs, stoplist, 70, 200, 0.30, 0.32, 0.2, False)
    revise_paragraph_classification(paragraphs, 200)
    return [_WS.sub(" ", p.text).strip() for p in paragraphs
            if not p.is_boilerplate and p.text.strip()]


Extractor = Callable[[HtmlElement, str | None, str | None], list[str]]
EXTRACTORS: dict[str, Extractor] = {
    "readability": lambda tree, url, lang: _readability(tree, url),
    "justext": lambda tree, url, lang: _justext(tree, lang),
}


def flat(paragraphs: list[str]) -> str:
    """The paragraphs joined, whitespace runs as one space."""
    return " ".join(_WS.sub(" ", p) for p in paragraphs)


def coverage(paragraphs: list[str], prof: PageProfile) -> float:
    """Share of the page's paragraph text (by characters) that the candidate contains."""
    if not prof.chars:
        return 0.0
    text = flat(paragraphs)
    return sum(len(p) for p in prof.paragraphs if p[:60] in text) / prof.chars


_CONSENT = re.compile(_CONSENT_MARKS, re.IGNORECASE)


def consent_text(tree: HtmlElement) -> str:
    """The text of the page's cookie and consent layers.

    When the article itself is rendered by script, several extractors can agree on the
    consent layer, the only prose left in the HTML: agreement on it is no evidence. Only
    consent marks count here: on real pages the article can sit in ``<noscript>`` (Blogger)
    or inside a ``<header>`` that wraps the whole page."""
    body = tree.find(".//body")
    parts: list[str] = []
    todo = list(body if body is not None else tree)  # never <body> itself: "cookies-not-set"
    while todo:
        el = todo.pop()
        if not isinstance(el.tag, str) or el.tag in ("script", "style", "template"):
            continue
        if _CONSENT.search(_class_id(el)):
            parts.append(el.text_content())  # its subtree is in this text already
        else:
            todo.extend(el)
    return squash("".join(parts))  # without whitespace: <br> joins words in text_content


def agreement(candidate: Candidate, candidates: list[Candidate], excluded: str = "") -> int:
    """Words of the candidate's paragraphs that another extractor returned as well, except
    those found in ``excluded`` (the consent layers' text, without whitespace)."""
    others = [c.flat for c in candidates if c is not candidate]
    total = 0
    for p in candidate.paragraphs:
        key = _WS.sub(" ", p)[:60]
        if any(key in text for text in others) and squash(key) not in excluded:
            total += len(p.split())
    return total


def choose(tree: HtmlElement, primary: Candidate, url: str | None, language: str | None,
           *, force: bool = False, more: Mapping[str, Extractor] | None = None) -> Candidate:
    """The primary candidate unless it is empty or very short and a fallback (``more``
    first, then EXTRACTORS) shows clearly better evidence.

    The evidence is coverage of the page's own paragraph text. A page with none to measure
    (its text sits in bare ``<div>``s or between ``<br>``s) is judged by agreement instead:
    the words a candidate shares with another extractor, since two independent methods
    seldom return the same boilerplate. A fallback must then agree on TRIGGER_MIN_WORDS more
    words than the primary does. Candidates are tried in order, each against the best so
    far, so a later one must beat an earlier winner by the margin too."""
    if not force and not needs_fallback(primary.paragraphs):
        return primary
    candidates = [primary]
    for name, fn in chain((more or {}).items(), EXTRACTORS.items()):
        try:
            paragraphs = fn(tree, url, language)
        except Exception:  # a failing fallback must never fail the page
            continue
        candidates.append(Candidate(name, paragraphs))
    prof = profile(tree)
    margin: float
    if prof.chars:
        for cand in candidates:
            cand.score = coverage(cand.paragraphs, prof)
        margin = _MARGIN
    else:
        consent = consent_text(tree)
        for cand in candidates:
            cand.score = agreement(cand, candidates, consent)
        margin = TRIGGER_MIN_WORDS
    best = primary
    for cand in candidates[1:]:
        if cand.score > best.score + margin:
            best = cand
    return best
