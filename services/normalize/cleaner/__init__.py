"""Plain-text boilerplate cleaner for page captures and extracted paragraphs.

``clean_capture`` labels every line of a whole-page text capture as body, headline or
boilerplate (with a category and the signals that decided); ``clean_body`` is the
conservative second pass over paragraphs already extracted from HTML.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from typing import NamedTuple, Protocol, cast

from .pipeline import run_body, run_capture


class Removal(NamedTuple):
    """One removed line for the audit trail: immutable, and cheap to build by the
    thousand (most lines of a capture are removed)."""

    category: str
    text: str
    signals: tuple[str, ...]


@dataclass
class Cleaned:
    title: str | None
    paragraphs: list[str]
    removed: list[Removal] = field(default_factory=list)
    language: str | None = None

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)


def _removals(rows: Iterable[tuple[str, str, tuple[str, ...]]]) -> list[Removal]:
    # ``tuple.__new__`` straight from C: no Python-level ``__new__`` per removed line.
    return cast(list[Removal], list(map(tuple.__new__, repeat(Removal), rows)))


class TemplateStore(Protocol):
    def seen(self, site: str, lines: Sequence[str]) -> list[tuple[int, int]]:
        """For each line: (pages of this site that had it, distinct sites that had it),
        EXCLUDING the current page."""
        ...

    def record(self, site: str, page_id: str, lines: Sequence[str]) -> None:
        """Count this page's lines (idempotent per page_id)."""
        ...


def clean_capture(
    text: str,
    *,
    language: str | None = None,
    site: str | None = None,
    templates: TemplateStore | None = None,
    page_id: str | None = None,
) -> Cleaned:
    """Split a whole-page capture into headline, body paragraphs and audited removals."""
    title, body, removed, lang = run_capture(
        text, language=language, site=site, templates=templates, page_id=page_id
    )
    return Cleaned(title=title, paragraphs=body, removed=_removals(removed), language=lang)


def clean_body(
    paragraphs: list[str],
    *,
    title: str | None = None,
    language: str | None = None,
    authors: Sequence[str] = (),
    linked: Collection[int] = (),
) -> Cleaned:
    """Remove only clear boilerplate (sign-up, paywall, newsletter, an author box naming one
    of ``authors``, a list of links closing the body...) from extracted text. ``linked``:
    indexes of the paragraphs that are list items carrying a link in the page."""
    body, removed, lang = run_body(paragraphs, title=title, language=language, authors=authors,
                                   linked=linked)
    return Cleaned(title=title, paragraphs=body, removed=_removals(removed), language=lang)


__all__ = ["Cleaned", "Removal", "TemplateStore", "clean_body", "clean_capture"]
