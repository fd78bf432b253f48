"""The publication date a page shows beside its article but declares nowhere else.

A last resort after JSON-LD, meta tags, the URL and a lone ``<time>``: a third of the devdata
pages have none of those. Only the article's own header is read (the nearest container of
the body that also holds the ``<h1>``, or the ``<article>``), and only a short element that is
a ``<time>`` or is named for a date: a date box in the site's top bar shows the day the page
was fetched, not the day it was written. An element that says the page was updated is
skipped. Month names are read in the languages the cleaner knows.
"""

from __future__ import annotations

import re
from datetime import datetime

from lxml.html import HtmlElement

from services.normalize.lead import NO_TEXT

SHOWN_MAX_CHARS = 60  # a date line, not a paragraph that mentions a date
SCAN_MAX = 400  # elements read in the header scope

_MONTHS: dict[str, int] = {}
for _names in (
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
):
    for _k, _name in enumerate(_names.split(), start=1):
        if _name != "-":
            _MONTHS.setdefault(_name, _k)
            _MONTHS.setdefault(_name[:3], _k)  # "Jan.", "févr" reads by its first three
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


def parse_shown(text: str) -> datetime | None:
    """The first calendar date in a short text (numbers or a month name), as a naive
    midnight: the time shown beside it seldom says which zone."""
    for pattern, (d, m, y) in _FORMS:
        for match in pattern.finditer(text):
            groups = match.groups()
            month_raw = groups[m - 1]
            month = (int(month_raw) if month_raw.isdigit()
                     else _MONTHS.get(month_raw.lower(), _MONTHS.get(month_raw.lower()[:3], 0)))
            try:
                return datetime(int(groups[y - 1]), month, int(groups[d - 1]))
            except ValueError:
                continue
    return None


def _scope(anchor: HtmlElement) -> HtmlElement | None:
    for el in anchor.iterancestors():
        if el.tag in ("body", "html"):
            return None
        if el.tag == "article" or el.find(".//h1") is not None:
            return el
    return None


def shown_date(anchor: HtmlElement) -> tuple[datetime, str] | None:
    """The date shown in the article's header, and the text it was read from."""
    scope = _scope(anchor)
    if scope is None:
        return None
    for n, el in enumerate(scope.iter()):
        if n >= SCAN_MAX:
            break
        tag = el.tag
        if not isinstance(tag, str) or tag in NO_TEXT:
            continue
        if tag != "time" and not _DATE_MARK.search(f"{el.get('class', '')} {el.get('id', '')}"):
            continue
        text = " ".join(el.text_content().split())
        if not text or len(text) > SHOWN_MAX_CHARS or _UPDATED.search(text):
            continue
        found = parse_shown(text)
        if found is not None:
            return found, text
    return None
