"""The HTML second pass on invented pages: what it removes from trafilatura's body, and what
it must leave alone."""

from __future__ import annotations

from services.normalize.build import extract
from services.normalize.cleaner import clean_body
from tests.test_metadata import PARAGRAPHS_EN, _page

HEADLINES = [
    "Harbour pier to reopen after two winters",
    "What the new tram timetable means for commuters",
    "Five questions about the school budget",
    "Museum opens its archive to the public",
]


def _items(linked: bool) -> str:
    """List items; linked ones carry the link on part of the headline, as round-up lists
    do (trafilatura itself drops items that are links through and through)."""
    if not linked:
        return "".join(f"<li>{h}</li>" for h in HEADLINES)
    out = []
    for k, h in enumerate(HEADLINES):
        words = h.split()
        cut = len(words) // 2
        out.append(f"<li>{' '.join(words[:cut])} <a href='/news/{k}'>"
                   f"{' '.join(words[cut:])}</a></li>")
    return "".join(out)


def _removed(record: object, signal: str) -> list[str]:
    return [r.text for r in record.removed if signal in r.signals]  # type: ignore[attr-defined]


def test_list_of_links_under_a_heading_ending_the_body_is_removed() -> None:
    """A heading and a list of linked headlines closing the article are related links."""
    tail = f"<h2>More from the Example</h2><ul>{_items(linked=True)}</ul>"
    record = extract(_page("<title>Bike lanes</title>", PARAGRAPHS_EN, tail=tail).encode(),
                     source="a.html", url="https://e.example/news/bikes")
    assert record.text.split("\n\n") == PARAGRAPHS_EN
    gone = _removed(record, "link_list")
    assert gone == ["More from the Example", *(f"- {h}" for h in HEADLINES)]
    assert {r.category for r in record.removed if "link_list" in r.signals} == {"related"}


def test_list_without_links_or_without_heading_stays() -> None:
    """Plain list items (no links) or linked items with no heading are kept as article text."""
    plain = f"<h2>What changes</h2><ul>{_items(linked=False)}</ul>"
    headless = f"<ul>{_items(linked=True)}</ul>"
    for tail in (plain, headless):
        record = extract(_page("<title>Bike lanes</title>", PARAGRAPHS_EN, tail=tail).encode(),
                         source="b.html", url="https://e.example/news/bikes")
        assert f"- {HEADLINES[0]}" in record.text
        assert not _removed(record, "link_list")


def test_list_of_linked_sentences_stays() -> None:
    """Linked items that are sentences (a list of findings, of steps) are not a link list."""
    items = [f"- {p.split(',')[0]}." for p in PARAGRAPHS_EN]
    body = [*PARAGRAPHS_EN, "Key points", *items]
    linked = range(len(PARAGRAPHS_EN) + 1, len(body))
    assert clean_body(body, linked=linked).paragraphs == body


def test_dateline_at_either_edge_of_the_body_is_removed() -> None:
    """A short date line first or last in the body goes; a date inside a sentence stays."""
    first, last = "March 5, 2024 | Jane Doe", "Aktualisiert: 05.03.2024, 11:00"
    middle = "The vote on 5 March 2024 followed a year of consultations."
    body = [first, PARAGRAPHS_EN[0], middle, *PARAGRAPHS_EN[1:], last]
    c = clean_body(body)
    assert c.paragraphs == [PARAGRAPHS_EN[0], middle, *PARAGRAPHS_EN[1:]]
    assert [(r.category, r.text, r.signals) for r in c.removed] == [
        ("other", first, ("date_or_time", "head")),
        ("other", last, ("date_or_time", "tail")),
    ]


def test_date_lines_inside_the_body_and_dated_list_items_stay() -> None:
    """A date line amid the story (a schedule) and dated list items at the end are content."""
    schedule = "Saturday, 9 March 2024"
    dated = ["- 12 May 2023: first consultation", "- 28 May 2023: public hearing"]
    body = [*PARAGRAPHS_EN[:2], schedule, *PARAGRAPHS_EN[2:], *dated]
    assert clean_body(body).paragraphs == body
