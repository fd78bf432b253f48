"""The devdata evaluation rules, in one place for the regression tests and bench/eval_*.py.

Pages are split by the sha1 of their file name (even: TUNE, where choices are made; odd:
CHECK, where they are verified). Snippets match as substrings after collapsing whitespace,
as trafilatura's own evaluation does; a 'with' snippet found in the title counts as found.
Headlines are scored against the page's own title (its HTML metadata, which often carries
the site name too): right when most words of the shorter of the two are shared.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence

_WS = re.compile(r"\s+")


def half(name: str) -> str:
    """``tune`` or ``check`` for a devdata file name."""
    return "tune" if int(hashlib.sha1(name.encode()).hexdigest(), 16) % 2 == 0 else "check"


def collapse(text: str) -> str:
    return _WS.sub(" ", text).strip()


def snippet_score(text: str, expected: Mapping[str, Sequence[str]],
                  title: str | None = None) -> tuple[int, int, bool]:
    """(with-snippets found, without-snippets leaked, page meets every snippet)."""
    body, head = collapse(text), collapse(title or "")
    found = sum(1 for s in expected["with"] if collapse(s) in body or collapse(s) in head)
    leaked = sum(1 for s in expected["without"] if collapse(s) in body)
    return found, leaked, found == len(expected["with"]) and leaked == 0


_WORD = re.compile(r"\w{3,}")


def title_matches(reference: str, title: str | None) -> bool:
    """The headline found names the same thing as the page's own title: at least
    TITLE_SHARE of the words (3+ letters) of the shorter one are in the other."""
    ref, got = set(_WORD.findall(reference.lower())), set(_WORD.findall((title or "").lower()))
    return bool(ref and got) and len(ref & got) >= TITLE_SHARE * min(len(ref), len(got))


TITLE_SHARE = 0.6
