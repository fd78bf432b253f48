"""Bylines that name no person: news agencies, desks and roles ("By Associated Press",
"Redaktion", "Staff Writer").

Shared by the metadata reader (authors from JSON-LD and meta tags) and the text cleaner
(bylines in captures), so both drop the same non-names.
"""

from __future__ import annotations

import re

_ROLE_WORDS = frozenset({
    "staff", "writer", "reporter", "correspondent", "editor", "editors", "contributor",
    "columnist", "senior", "chief", "political", "news", "desk", "team", "agency", "wire",
    "redaktion", "redakteur", "redakteurin", "korrespondent", "korrespondentin", "autor",
    "autorin", "agencies", "the", "for", "special", "to", "associated", "press", "updated",
    "published", "on", "at", "photographer", "photo", "photos", "contributing", "freelance",
    "managing", "deputy", "national", "international", "business", "sports", "science",
    "letters", "newsroom", "editorial", "redacción", "redaccion", "rédaction", "redazione",
    "redakcja", "unknown", "admin", "administrator", "anonymous", "guest", "webmaster",
    # credentials after a comma are not names
    "phd", "ph.d", "md", "m.d", "mba", "msc", "bsc", "ma", "ms", "rd", "rn", "dr", "prof",
    "mph", "lcsw", "cpt", "cscs",
})
_DESK = re.compile(r"redaktion|redacci[oó]n|r[ée]daction|newsroom|newsdesk", re.IGNORECASE)
_AGENCIES = frozenset({"ap", "afp", "dpa", "reuters", "apa", "epd", "kna", "efe", "ansa",
                       "sda", "pap", "upi", "bloomberg", "associated press"})


def is_staff_name(name: str) -> bool:
    """A (casefolded) name that is an agency, a desk or a role, not a person."""
    return (name in _AGENCIES or all(w.strip(".") in _ROLE_WORDS for w in name.split())
            or _DESK.search(name) is not None)
