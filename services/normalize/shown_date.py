"""The publication date a page shows beside its article but declares nowhere else.

A last resort after JSON-LD, meta tags, the URL and a lone ``<time>``: a third of the devdata
pages have none of those. Only the article is read: the ``<article>`` holding the body, or
else, from the block of the headline (the ``<h1>`` the page's title names, never a logo),
the header down to the body's first paragraph; and only a short element that is a
``<time>`` or is named for a date, outside navigation, the site's top bar and sentences. A
date box in the top bar shows the day the page was fetched, not the day it was written. An
element whose text or name says "updated" is skipped. Month names are read in the
languages the cleaner knows.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from itertools import islice

from lxml.html import HtmlElement

from services.normalize.cascade import squash
from services.normalize.lead import NO_TEXT
from services.normalize.metadata import TITLE_SEP

SHOWN_MAX_CHARS = 60  # a date line, not a paragraph that mentions a date
SCAN_MAX = 400  # elements read in the header scope
PROSE_SHARE = 0.5  # a date under half of its paragraph's text sits in a sentence ...
SENTENCE_MIN_WORDS = 8  # ... when the paragraph is one
HEADLINE_MIN_CHARS = 10  # an <h1> this short (a logo, "News") identifies no headline

_NAMES = (
    "january february march april may june july august september october november december",
    "januar februar märz april mai juni juli august september oktober november dezember",
    "jänner feber - - - - - - - - - -",
    "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
    "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre "
    "dicembre",
    "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro dezembro",
    "januari februari maart april mei juni juli augustus september oktober november december",
    "stycznia lutego marca kwietnia maja czerwca lipca sierpnia września października "
    "listopada grudnia",
    "- - mrt - - - - - - - - -",  # Dutch abbreviates March so
)


def _month_table() -> dict[str, int]:
    """Full names, and their 3- and 4-letter openings ("Jan.", "févr", "juil") where an
    opening names one month in every language ("jui" is June or July: not read)."""
    months: dict[str, set[int]] = {}
    for names in _NAMES:
        for k, name in enumerate(names.split(), start=1):
            if name == "-":
                continue
            months.setdefault(name, set()).add(k)
            for n in (3, 4):
                if len(name) > n:
                    months.setdefault(name[:n], set()).add(k)
    return {key: next(iter(ks)) for key, ks in months.items() if len(ks) == 1}


_MONTHS = _month_table()
_MONTH = r"([^\W\d_]{3,})\.?"
_YEAR = r"((?:19|20)\d\d)(?!\d)"
_FORMS = (
    # 2022-04-26
    (re.compile(rf"(?<!\d){_YEAR}-(\d\d)-(\d\d)(?!\d)"), (3, 2, 1)),
    # 27.01.2022, 4. 2. 2022
    (re.compile(rf"(?<![\d.])(\d{{1,2}})\.\s?(\d{{1,2}})\.\s?{_YEAR}"), (1, 2, 3)),
    # 2. November 2021, 8 January 2020, 11 septembre 2019, 3 de mayo de 2021
    (re.compile(rf"(?<!\d)(\d{{1,2}})\.?\s+(?:de\s+)?{_MONTH}\s+(?:de\s+)?{_YEAR}", re.I),
     (1, 2, 3)),
    # January 8, 2020
    (re.compile(rf"(?<![^\W\d_]){_MONTH}\s+(\d{{1,2}}),?\s+{_YEAR}", re.I), (2, 1, 3)),
)
_DATE_MARK = re.compile(
    r"(?:^|[\s_-])(?:date|datum|fecha|data|time|posted|published|pubdate|dateline|"
    r"entry-date|post-date|meta-date|publish(?:ed)?-?(?:at|on|date)?)(?:$|[\s_-])",
    re.IGNORECASE,
)
_UPDATED = re.compile(
    r"updated|modified|aktualisiert|geändert|actualizad|mis à jour|modifié|aggiornat"
    r"|atualizad|bijgewerkt|zaktualizowan",
    re.IGNORECASE,
)


# WordPress themes mark a never-edited post's date "entry-date published updated".
_PUBLISHED = re.compile(r"publish|posted|entry-date|pubdate", re.IGNORECASE)


def parse_shown(text: str) -> datetime | None:
    """The first calendar date in a short text (numbers or a month name), as a naive
    midnight: the time shown beside it seldom says which zone."""
    for pattern, (d, m, y) in _FORMS:
        for match in pattern.finditer(text):
            groups = match.groups()
            month_raw = groups[m - 1]
            low = month_raw.lower()
            month = (int(month_raw) if month_raw.isdigit()
                     else _MONTHS.get(low) or _MONTHS.get(low[:4]) or _MONTHS.get(low[:3], 0))
            try:
                return datetime(int(groups[y - 1]), month, int(groups[d - 1]))
            except ValueError:
                continue
    return None


def _headline(el: HtmlElement, titles: list[str]) -> bool:
    """An ``<h1>`` that is the article's headline: it holds, or is held by, the main part of a
    title the page declares (the longest part between separators, so a logo matching the
    site name after "|" is no headline)."""
    text = squash(el.text_content()).casefold()
    if len(text) < HEADLINE_MIN_CHARS:
        return False
    return any(text in t or t in text for t in titles)


def _title_keys(titles: list[str | None]) -> list[str]:
    """The main part of each title, squashed and case-folded, for ``_headline``."""
    keys = []
    for title in titles:
        if not title:
            continue
        main = max(TITLE_SEP.split(title), key=len)
        key = squash(main).casefold()
        if len(key) >= HEADLINE_MIN_CHARS:
            keys.append(key)
    return keys


def _header(anchor: HtmlElement, titles: list[str]) -> Iterator[HtmlElement]:
    """The elements where the article shows its date, in page order: all of the
    ``<article>`` holding the body; else, in the nearest container holding the headline, from
    the headline's own block (a date line may sit above the ``<h1>``) to the body's first
    paragraph."""
    for scope in anchor.iterancestors():
        if scope.tag in ("body", "html"):
            return
        if scope.tag == "article":
            yield from islice(scope.iter(), SCAN_MAX)
            return
        h1 = next((h for h in scope.iter("h1") if _headline(h, titles)), None)
        if h1 is None:
            continue
        parent = h1.getparent()
        block = parent if parent is not None and parent is not scope else h1
        started = False
        for n, el in enumerate(scope.iter()):
            if el is anchor or n >= SCAN_MAX:
                return
            started = started or el is block
            if started:
                yield el
        return


def _in_prose(el: HtmlElement) -> bool:
    """A date inside a paragraph's sentence ("the meeting is on <time>…</time>")."""
    parent = el.getparent()
    if parent is None or parent.tag != "p":
        return False
    around = " ".join(parent.text_content().split())
    if not around.endswith((".", "!", "?")) or len(around.split()) < SENTENCE_MIN_WORDS:
        return False  # a byline ("By Jane Doe | March 5, 2024"), not a sentence
    return len(el.text_content().strip()) < PROSE_SHARE * len(around)


def _aside(el: HtmlElement, titles: list[str]) -> bool:
    """In navigation, or in a ``<header>`` outside any article that holds no headline (the
    site's top bar; an article header set outside ``<article>`` holds the ``<h1>``)."""
    for up in el.iterancestors():
        if up.tag == "nav":
            return True
        if up.tag == "header" and next(up.iterancestors("article"), None) is None:
            return not any(_headline(h, titles) for h in up.iter("h1"))
    return False


def shown_date(anchor: HtmlElement, title: str | None = None) -> tuple[datetime, str] | None:
    """The date shown in the article's header, and the text it was read from. ``title``: the
    title the page declares (JSON-LD, meta); the ``<title>`` element counts too."""
    head = anchor.getroottree().find(".//title")
    titles = _title_keys([title, head.text_content() if head is not None else None])
    for el in _header(anchor, titles):
        tag = el.tag
        if not isinstance(tag, str) or tag in NO_TEXT:
            continue
        marks = f"{el.get('class', '')} {el.get('id', '')}"
        if tag != "time" and not _DATE_MARK.search(marks):
            continue
        text = " ".join(el.text_content().split())
        if (not text or len(text) > SHOWN_MAX_CHARS or _UPDATED.search(text)
                or (_UPDATED.search(marks) and not _PUBLISHED.search(marks))
                or _aside(el, titles) or _in_prose(el)):
            continue
        found = parse_shown(text)
        if found is not None:
            return found, text
    return None
