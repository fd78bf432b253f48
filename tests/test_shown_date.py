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
        ("12 juil. 2021", datetime(2021, 7, 12)),  # "jui" alone would be June or July
        ("3 juin 2021", datetime(2021, 6, 3)),
        ("5 mrt 2020", datetime(2020, 3, 5)),
    ],
)  # fmt: skip
def test_dates_in_numbers_and_month_names(text: str, expected: datetime) -> None:
    """Numeric, ISO and month-name dates in eight languages read as that day."""
    assert parse_shown(text) == expected


@pytest.mark.parametrize(
    "text", ["31.02.2022", "Page 2 of 3", "12:30", "2.5 million in 2021", "3 jui 2021"])
def test_no_calendar_date(text: str) -> None:
    """Impossible days, page counters, times, figures and an ambiguous month are no date."""
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


def _logo_page(top: str, header: str = "") -> bytes:
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS_EN)
    return (f"<html lang='en'><head><title>Council expands bike lanes</title></head><body>"
            f"<div id='wrapper'>{top}<div class='story'><h2>Council expands bike lanes</h2>"
            f"{header}<div class='text'>{body}</div></div></div></body></html>").encode()


def test_a_logo_headline_does_not_open_the_top_bar() -> None:
    """An <h1> that is the site's logo is no headline: the top bar's date is not read."""
    top = ("<div class='masthead'><h1 class='logo'>The Valley Courier</h1>"
           "<div class='date'>Mon, 25 Dec 2023</div></div>")
    assert extract(_logo_page(top), source="g").published_at is None


def test_updated_marks_and_dates_in_sentences_are_skipped() -> None:
    """An element named "updated" is skipped for the one named "published"; a date inside
    a sentence of the header is not the page's."""
    stamps = ("<span class='date-updated'>5 May 2021</span> "
              "<span class='date-published'>1 May 2021</span>")
    assert extract(_page(stamps), source="h").published_at == datetime(2021, 5, 1)
    sentence = "<p>The council meets again on <time>12 June 2021</time> to vote.</p>"
    assert extract(_page(sentence), source="i").published_at is None


def test_top_bar_header_is_skipped_but_an_article_header_outside_article_is_read() -> None:
    """A <header> outside any <article> is the site's top bar unless it holds the headline."""
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS_EN)
    bar = (f"<html lang='en'><head><title>Council expands bike lanes</title></head><body>"
           f"<main><div class='head'><h1>Council expands bike lanes</h1></div>"
           f"<header class='site'><div class='date'>Mon, 25 Dec 2023</div></header>"
           f"<div class='text'>{body}</div></main></body></html>").encode()
    assert extract(bar, source="j").published_at is None
    own = (f"<html lang='en'><head><title>Council expands bike lanes</title></head><body>"
           f"<main><header class='article-header'><h1>Council expands bike lanes</h1>"
           f"<span class='date'>2 March 2021</span></header><div class='text'>{body}</div>"
           "</main></body></html>").encode()
    assert extract(own, source="k").published_at == datetime(2021, 3, 2)


def test_wordpress_entry_date_and_byline_dates_are_read() -> None:
    """A never-edited WordPress post marks its date "entry-date published updated"; a
    byline line that ends with the date is no sentence."""
    wp = "<time class='entry-date published updated'>March 5, 2024</time>"
    assert extract(_page(wp), source="l").published_at == datetime(2024, 3, 5)
    byline = "<p class='byline'>By Jonathan Smithers, Staff Writer | <time>March 5, 2024</time></p>"
    assert extract(_page(byline), source="m").published_at == datetime(2024, 3, 5)


def test_a_logo_matching_the_site_part_of_the_title_is_no_headline() -> None:
    """The <title>'s site name ("... – Town Gazette") does not make the logo a headline."""
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS_EN)
    html = ("<html lang='en'><head><title>Council expands bike lanes – Town Gazette</title>"
            "</head><body><div id='page'><div class='masthead'><h1>Town Gazette</h1>"
            "<div class='date'>Mon, 2 June 2025</div></div><div class='story'>"
            f"<h2>Council expands bike lanes</h2><div class='text'>{body}</div></div>"
            "</div></body></html>").encode()
    assert extract(html, source="n").published_at is None
