"""Metadata: JSON-LD, OpenGraph-only and bare pages, authors, dates, canonical URLs, language."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.normalize.build import extract
from services.normalize.html import parse_html
from services.normalize.metadata import (
    canonicalize_url,
    clean_authors,
    extract_metadata,
    parse_date,
)

PARAGRAPHS_EN = [
    "The city council voted on Tuesday to expand the network of protected bicycle lanes "
    "across the northern districts, after a year of consultations with residents.",
    "Officials said the first segments would open in the spring and that the work would be "
    "financed from the existing transport budget rather than from new borrowing.",
    "Several shop owners along the main avenue had argued that the loss of parking would hurt "
    "their business, but the final plan keeps most of the spaces on the side streets.",
    "The mayor described the decision as a turning point for the way people move around the "
    "city, and promised a review of the results after twelve months.",
]


def _page(head: str, paragraphs: list[str], *, lang: str | None = "en", tail: str = "") -> str:
    lang_attr = f' lang="{lang}"' if lang else ""
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return (f"<!DOCTYPE html><html{lang_attr}><head><meta charset='utf-8'>{head}</head><body>"
            "<nav><a href='/'>Home</a> <a href='/news'>News</a></nav>"
            f"<article><h1>Council expands bike lanes</h1>{body}{tail}</article>"
            "<footer>Contact us. All rights reserved.</footer></body></html>")


JSONLD_HEAD = """
<title>Council expands bike lanes | The Daily Example</title>
<link rel="canonical" href="HTTPS://WWW.Example.com/news/2024/03/05/bike-lanes?utm_source=x&amp;id=7&amp;fbclid=abc">
<script type="application/ld+json">
{"@context": "https://schema.org", "@graph": [
  {"@type": "WebSite", "@id": "https://www.example.com/#site", "name": "The Daily Example"},
  {"@type": "Person", "@id": "https://www.example.com/#jane", "name": "Jane Doe"},
  {"@type": ["NewsArticle"], "headline": "Council expands bike lanes",
   "author": [{"@id": "https://www.example.com/#jane"},
              {"@type": "Person", "name": "By John Smith (john.smith@example.com)"},
              {"@type": "Organization", "name": "The Daily Example"}],
   "publisher": {"@type": "NewsMediaOrganization", "name": "The Daily Example"},
   "datePublished": "2024-03-05T09:30:00+01:00", "dateModified": "2024-03-05T11:00:00Z",
   "description": "Protected lanes for the northern districts.",
   "image": {"@type": "ImageObject", "url": "/img/lanes.jpg"},
   "keywords": "cycling, city council, transport",
   "inLanguage": "en-GB",
   "isAccessibleForFree": "False",
   "hasPart": {"@type": "WebPageElement", "isAccessibleForFree": false,
               "cssSelector": ".paywall"}}
]}
</script>
"""


def test_jsonld_graph_fields_and_provenance() -> None:
    """A JSON-LD NewsArticle inside @graph fills every field, with json-ld provenance."""
    url = "https://www.example.com/news/2024/03/05/bike-lanes?utm_medium=social"
    meta = extract_metadata(parse_html(_page(JSONLD_HEAD, PARAGRAPHS_EN)), url)  # type: ignore[arg-type]
    assert meta.title == "Council expands bike lanes"
    assert meta.authors == ["Jane Doe", "John Smith"]
    assert meta.published_at == datetime(2024, 3, 5, 8, 30, tzinfo=UTC)
    assert meta.published_at is not None and meta.published_at.utcoffset() == timedelta(hours=1)
    assert meta.modified_at == datetime(2024, 3, 5, 11, 0, tzinfo=UTC)
    assert meta.site == "The Daily Example"
    assert meta.domain == "example.com"
    assert meta.description == "Protected lanes for the northern districts."
    assert meta.image == "https://www.example.com/img/lanes.jpg"
    assert meta.tags == ["cycling", "city council", "transport"]
    assert meta.paywalled is True
    assert meta.canonical_url == "https://www.example.com/news/2024/03/05/bike-lanes?id=7"
    prov = meta.provenance
    assert prov["published_at"].source == "json-ld"
    assert prov["published_at"].raw == "2024-03-05T09:30:00+01:00"
    assert prov["authors"].source == "json-ld"
    assert prov["paywalled"].source == "json-ld"
    assert prov["canonical_url"].source == "html"


def test_jsonld_record_is_paywalled_with_provenance() -> None:
    """Through the library path, the record carries the metadata and its provenance."""
    html = _page(JSONLD_HEAD, PARAGRAPHS_EN)
    record = extract(html.encode("utf-8"), source="bike.html",
                     url="https://www.example.com/news/2024/03/05/bike-lanes",
                     content_type="text/html; charset=utf-8")
    assert record.paywalled is True
    assert record.title == "Council expands bike lanes"
    assert record.authors == ["Jane Doe", "John Smith"]
    assert record.language == "en"
    assert record.canonical_url == "https://www.example.com/news/2024/03/05/bike-lanes?id=7"
    assert record.provenance["modified_at"].raw == "2024-03-05T11:00:00Z"
    extractor, _, addition = record.provenance["text"].raw.partition("+")
    assert extractor in {"trafilatura", "trafilatura-full", "trafilatura-balanced",
                         "readability", "justext"}
    assert addition in {"", "lead"}
    assert not record.text.startswith("Council expands bike lanes")
    assert "bicycle lanes" in record.text


OG_HEAD = """
<title>Council expands bike lanes - Example Tribune</title>
<meta property="og:title" content="Council expands bike lanes">
<meta property="og:site_name" content="Example Tribune">
<meta property="og:url" content="http://tribune.example.org/a/bike-lanes/?utm_campaign=spring&amp;gclid=XYZ">
<meta property="og:image" content="https://cdn.example.org/lanes.jpg">
<meta property="og:description" content="Protected lanes, at last.">
<meta name="author" content="By Anna Lee and Mark O'Brien">
<meta property="article:published_time" content="2024-02-01T08:00:00-05:00">
<meta property="article:tag" content="Cycling">
<meta property="article:tag" content="Transport">
"""


def test_opengraph_only_page() -> None:
    """Without JSON-LD, OpenGraph and article:* meta fill the fields with meta provenance."""
    meta = extract_metadata(parse_html(_page(OG_HEAD, PARAGRAPHS_EN, lang="en-US")),  # type: ignore[arg-type]
                            "http://tribune.example.org/a/bike-lanes/")
    assert meta.title == "Council expands bike lanes"
    assert meta.site == "Example Tribune"
    assert meta.authors == ["Anna Lee", "Mark O'Brien"]
    assert meta.published_at == datetime(2024, 2, 1, 13, 0, tzinfo=UTC)
    assert meta.provenance["published_at"].source == "meta"
    assert meta.provenance["published_at"].raw == "2024-02-01T08:00:00-05:00"
    assert meta.image == "https://cdn.example.org/lanes.jpg"
    assert meta.tags == ["Cycling", "Transport"]
    assert meta.canonical_url == "http://tribune.example.org/a/bike-lanes/"
    assert meta.language == "en"
    assert meta.paywalled is False


def test_page_without_metadata_uses_html_url_and_text() -> None:
    """A bare page: title from <title>, date from the URL, language from the text."""
    html = _page("<title>Council expands bike lanes</title>", PARAGRAPHS_EN, lang=None)
    url = "https://news.example.net/2023/11/20/council-bike-lanes.html?utm_source=feed"
    record = extract(html.encode("utf-8"), source="bare.html", url=url)
    assert record.title == "Council expands bike lanes"
    assert record.published_at == datetime(2023, 11, 20)
    assert record.provenance["published_at"].source == "url"
    assert record.site == "news.example.net"
    assert record.domain == "news.example.net"
    assert record.canonical_url == "https://news.example.net/2023/11/20/council-bike-lanes.html"
    assert record.language == "en"
    assert record.provenance["language"].source == "text"
    assert record.authors == []
    assert record.paywalled is False and record.truncated is False


def test_future_date_rejected() -> None:
    """A publication date after ingestion time is rejected; the next candidate is used."""
    future = (datetime.now(UTC) + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    head = (f'<meta property="article:published_time" content="{future}">'
            '<meta name="date" content="2022-06-01T10:00:00+02:00">')
    meta = extract_metadata(parse_html(_page(head, PARAGRAPHS_EN)), "https://e.example/x")  # type: ignore[arg-type]
    assert meta.published_at == datetime(2022, 6, 1, 8, 0, tzinfo=UTC)
    assert meta.provenance["published_at_rejected"].raw == future
    head_only_future = f'<meta property="article:published_time" content="{future}">'
    meta = extract_metadata(parse_html(_page(head_only_future, PARAGRAPHS_EN)),  # type: ignore[arg-type]
                            "https://e.example/x")
    assert meta.published_at is None


@pytest.mark.parametrize(
    ("head", "published", "modified"),
    [
        ('<meta name="article_date_original" content="Saturday, December 27, 2014, 12:06 PM">'
         '<meta name="article_date_updated" content="Saturday, December 27, 2014, 12:10 PM">',
         datetime(2014, 12, 27, 12, 6), datetime(2014, 12, 27, 12, 10)),
        ('<meta name="cXenseParse:recs:publishtime" content="2018-06-18T10:01:00.000Z">'
         '<meta property="article:modified_time" content="2018-06-18T13:57:57.000Z">',
         datetime(2018, 6, 18, 10, 1, tzinfo=UTC), datetime(2018, 6, 18, 13, 57, 57, tzinfo=UTC)),
    ],
)
def test_cms_date_conventions(head: str, published: datetime, modified: datetime) -> None:
    """Dates in CMS-specific meta names (Advance Local, cXense) are read, from meta."""
    meta = extract_metadata(parse_html(_page(head, PARAGRAPHS_EN)), None)  # type: ignore[arg-type]
    assert (meta.published_at, meta.modified_at) == (published, modified)
    assert meta.provenance["published_at"].source == "meta"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (["By Jane Doe"], ["Jane Doe"]),
        (["Jane Doe and John Smith"], ["Jane Doe", "John Smith"]),
        (["Jane Doe, John Smith; jane@example.com"], ["Jane Doe", "John Smith"]),
        (["Von Max Mustermann und Erika Musterfrau"], ["Max Mustermann", "Erika Musterfrau"]),
        (["Jane Doe", "jane doe", "The Daily Example"], ["Jane Doe"]),
        (["Smith, John"], ["Smith, John"]),
        (["John E. Smith"], ["John E. Smith"]),
        (["Jane Doe | Staff Writer"], ["Jane Doe"]),
        (["https://example.com/authors/jane", "Reuters"], []),
        (["Ann Lee, Bo Chen, and Cy Diaz, CNN"], ["Ann Lee", "Bo Chen", "Cy Diaz"]),
        (["By Ann Lee And Bo Chen For The Sunday Paper"], ["Ann Lee", "Bo Chen"]),
        (["Centers for Disease Control"], ["Centers for Disease Control"]),
        (["National Center for Health Statistics"], ["National Center for Health Statistics"]),
        (["Ann Lee, Jr."], ["Ann Lee Jr."]),
        (["Ann Lee, Paris, Bo Chen"], ["Ann Lee", "Bo Chen"]),
        (["Ann Lee", "SHOW ALL POSTS BYAnn Lee"], ["Ann Lee"]),
        (["Ann Lee", "Joann Lee"], ["Ann Lee", "Joann Lee"]),
        (["Shawn Lee", "DeShawn Lee", "Mary Shawn Lee"], ["Shawn Lee", "DeShawn Lee",
                                                          "Mary Shawn Lee"]),
        (["Ann Lee Jr."], ["Ann Lee Jr."]),
        (["jdoe", "site-admin"], []),
        (["严玉洁"], ["严玉洁"]),
    ],
)
def test_clean_authors(raw: list[str], expected: list[str]) -> None:
    """Authors lose "By", emails, URLs, roles, site names, outlets, places and handles; lists
    split and deduplicated."""
    assert clean_authors(raw, site="The Daily Example", domain="example.com") == expected


def test_canonical_url_tracking_stripped() -> None:
    """Scheme/host case normalized, default port, fragment and tracking parameters removed."""
    url = ("HTTPS://WWW.Example.COM:443/Path/Story?utm_source=a&utm_medium=b&fbclid=c"
           "&gclid=d&mc_cid=e&page=2#comments")
    assert canonicalize_url(url) == "https://www.example.com/Path/Story?page=2"


def test_canonical_to_homepage_ignored() -> None:
    """A canonical link pointing at the site's home page is a template error, not the URL."""
    head = '<link rel="canonical" href="https://example.com/">'
    meta = extract_metadata(parse_html(_page(head, PARAGRAPHS_EN)),  # type: ignore[arg-type]
                            "https://example.com/world/story-1?utm_source=x")
    assert meta.canonical_url == "https://example.com/world/story-1"


def test_parse_date_forms() -> None:
    """ISO with and without offsets, RFC 2822 and day.month.year all parse."""
    assert parse_date("2024-03-05T09:30:00Z") == datetime(2024, 3, 5, 9, 30, tzinfo=UTC)
    parsed = parse_date("2024-03-05T09:30:00+0100")
    assert parsed is not None and parsed.utcoffset() == timedelta(hours=1)
    assert parse_date("2024-03-05") == datetime(2024, 3, 5)
    assert parse_date("Tue, 05 Mar 2024 09:30:00 GMT") == datetime(2024, 3, 5, 9, 30,
                                                                    tzinfo=UTC)
    assert parse_date("05.03.2024") == datetime(2024, 3, 5)
    assert parse_date("not a date") is None


PAYWALL_TAIL = ("<p>The council will publish the detailed map of the new lanes and the "
                "timetable for the works in the coming</p>"
                "<p>Subscribe to continue reading. Already a subscriber? Sign in.</p>")


def test_subscribe_prompt_after_cut_body_is_paywalled_and_truncated() -> None:
    """A subscribe prompt after a body that stops mid-sentence: paywalled and truncated."""
    html = _page("<title>Council expands bike lanes</title>", PARAGRAPHS_EN[:2],
                 tail=PAYWALL_TAIL)
    record = extract(html.encode("utf-8"), source="pw.html", url="https://e.example/a/b")
    assert "Subscribe to continue reading" not in record.text
    assert record.paywalled is True
    assert record.truncated is True
    assert record.provenance["paywalled"].source == "text"


FOUR_LANGUAGES = {
    "en": PARAGRAPHS_EN,
    "de": [
        "Der Stadtrat hat am Dienstag beschlossen, das Netz der geschützten Radwege in den "
        "nördlichen Bezirken deutlich auszubauen, nachdem die Bürger ein Jahr lang befragt wurden.",
        "Die ersten Abschnitte sollen im Frühjahr eröffnet werden, und die Arbeiten werden aus "
        "dem bestehenden Verkehrshaushalt bezahlt, nicht aus neuen Krediten.",
        "Mehrere Ladenbesitzer an der Hauptstraße hatten befürchtet, dass der Wegfall der "
        "Parkplätze ihrem Geschäft schaden würde, doch die meisten Plätze bleiben erhalten.",
    ],
    "es": [
        "El ayuntamiento aprobó el martes ampliar la red de carriles bici protegidos en los "
        "distritos del norte, después de un año de consultas con los vecinos.",
        "Las autoridades dijeron que los primeros tramos se abrirán en primavera y que las obras "
        "se pagarán con el presupuesto de transporte que ya existe.",
        "Varios comerciantes de la avenida principal temían que la pérdida de aparcamiento "
        "perjudicara sus negocios, pero el plan final mantiene la mayoría de las plazas.",
    ],
    "fr": [
        "Le conseil municipal a voté mardi l'extension du réseau de pistes cyclables protégées "
        "dans les quartiers du nord, après une année de consultations avec les habitants.",
        "Les responsables ont indiqué que les premiers tronçons ouvriraient au printemps et que "
        "les travaux seraient financés par le budget des transports existant.",
        "Plusieurs commerçants de l'avenue principale craignaient que la perte de places de "
        "stationnement ne nuise à leurs affaires, mais le plan final en conserve la plupart.",
    ],
}


@pytest.mark.parametrize("lang", sorted(FOUR_LANGUAGES))
def test_language_detected_from_text(lang: str) -> None:
    """With no declaration, the language comes from the text, with "text" provenance."""
    html = _page("<title>Radwege</title>", FOUR_LANGUAGES[lang], lang=None)
    record = extract(html.encode("utf-8"), source=f"{lang}.html",
                     url=f"https://{lang}.example.org/story")
    assert record.language == lang
    assert record.provenance["language"].source == "text"


@pytest.mark.parametrize("lang", sorted(FOUR_LANGUAGES))
def test_language_declared(lang: str) -> None:
    """A declared <html lang> is taken, with "html" provenance."""
    html = _page("<title>Radwege</title>", FOUR_LANGUAGES[lang], lang=f"{lang}-XX")
    record = extract(html.encode("utf-8"), source=f"{lang}.html")
    assert record.language == lang
    assert record.provenance["language"].source == "html"
