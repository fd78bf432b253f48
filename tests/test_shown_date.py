"""The date a page shows in its article header, read when the page declares no date."""

from __future__ import annotations

from datetime import datetime

import pytest

from services.normalize.build import extract
from services.normalize.shown_date import parse_shown
from tests.test_metadata import PARAGRAPHS_EN


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("27.01.2022", datetime(2022, 1, 27)),
        ("Von Deutscher Tennis Bund 4. 2. 2022.", datetime(2022, 2, 4)),
        ("2022-04-26 21:21:50", datetime(2022, 4, 26)),
        ("Dienstag, 2. November 2021", datetime(2021, 11, 2)),
        ("8 January 2020, 3:51 pm", datetime(2020, 1, 8)),
        ("April 13, 2020", datetime(2020, 4, 13)),
        ("Sept. 9, 2019", datetime(2019, 9, 9)),
        ("mercredi 11 septembre 2019", datetime(2019, 9, 11)),
        ("3 de mayo de 2021", datetime(2021, 5, 3)),
        ("12 marca 2020", datetime(2020, 3, 12)),
        ("14 febbraio 2018", datetime(2018, 2, 14)),
    ],
)  # fmt: skip
def test_dates_in_numbers_and_month_names(text: str, expected: datetime) -> None:
    """Numeric, ISO and month-name dates in eight languages read as that day."""
    assert parse_shown(text) == expected


@pytest.mark.parametrize("text", ["31.02.2022", "Page 2 of 3", "12:30", "2.5 million in 2021"])
def test_no_calendar_date(text: str) -> None:
    """Impossible days, page counters, times and figures are no date."""
    assert parse_shown(text) is None


def _page(header: str, top_bar: str = "") -> bytes:
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS_EN)
    return (f"<html lang='en'><head><title>Council expands bike lanes</title></head><body>"
            f"<div class='topbar'>{top_bar}</div><div class='story'>"
            f"<h1>Council expands bike lanes</h1>{header}<div class='text'>{body}</div>"
            "</div><footer>Contact us.</footer></body></html>").encode()


def test_date_in_the_article_header_is_the_publication_date() -> None:
    """A short element named for a date beside the headline gives published_at, from html."""
    record = extract(_page("<span class='post-date'>Tuesday, 2 March 2021</span>"), source="a")
    assert record.published_at == datetime(2021, 3, 2)
    assert record.provenance["published_at"].source == "html"
    assert record.provenance["published_at"].raw == "Tuesday, 2 March 2021"


def test_top_bar_date_updates_and_prose_are_not_read() -> None:
    """A date box outside the article (today's date), an "Updated" line, a sentence that
    mentions a date and a line not named for a date give no publication date."""
    top_bar = "<div id='date-box'>Mon, 25 Dec 2023</div>"
    assert extract(_page("", top_bar), source="b").published_at is None
    updated = "<div class='date'>Updated 4 May 2021</div>"
    assert extract(_page(updated), source="c").published_at is None
    prose = ("<p class='dateline'>The council first discussed the plan at its meeting on "
             "4 May 2021, and again in the autumn.</p>")
    assert extract(_page(prose), source="d").published_at is None
    assert extract(_page("<p>4 May 2021</p>"), source="f").published_at is None


def test_a_declared_date_wins_over_the_shown_one() -> None:
    """JSON-LD, meta tags and the URL come first; the shown date is only a last resort."""
    html = _page("<span class='date'>2 March 2021</span>").replace(
        b"</title>", b"</title><meta property='article:published_time' content='2021-03-01'>")
    record = extract(html, source="e")
    assert record.published_at == datetime(2021, 3, 1)
    assert record.provenance["published_at"].source == "meta"
