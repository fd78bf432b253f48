"""The JSON-LD ``articleBody`` as the article's text when the HTML shows only a part of it."""

from __future__ import annotations

import json

from services.normalize.build import extract
from services.normalize.jsonld_body import body_paragraphs, with_declared
from tests.test_metadata import PARAGRAPHS_EN, _page

LEAD = ("Travellers heading north this winter face new rules at the border, and the ferry "
        "companies have already changed their timetables for the season.")
BODY = [
    f"{p} Officials in the northern districts added that the details of the plan would "
    f"be published in the coming weeks, section {k}."
    for k, p in enumerate(PARAGRAPHS_EN * 3)
]


def _declaring(declared: str, shown: list[str]) -> bytes:
    """A page showing ``shown`` whose JSON-LD declares ``declared`` (the rest would load into
    the empty app container)."""
    ld = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle",
                     "headline": "Council expands bike lanes", "articleBody": declared})
    head = ("<title>Council expands bike lanes</title>"
            f"<script type='application/ld+json'>{ld}</script>")
    return _page(head, shown, tail="<div id='app'></div>").encode()


def test_html_inside_the_declared_body_is_read_as_paragraphs() -> None:
    """Block ends and <br> split paragraphs; tags, scripts and styles go; entities are decoded
    once; punctuation-only bits go."""
    raw = ("<p>First &amp; one.</p><p>Second <a href='/x'>linked</a> one.<br>Third.</p>"
           "<div>,</div><script>var x = 1;</script><style>.a{color:red}</style>"
           "<p>Write &amp;lt;b&amp;gt; for bold.</p>")
    assert body_paragraphs(raw) == ["First & one.", "Second linked one.", "Third.",
                                    "Write &lt;b&gt; for bold."]
    assert body_paragraphs("One &amp; line.\n\n  Two  lines.\n") == ["One & line.", "Two lines."]


def test_markdown_in_the_declared_body_loses_its_markup() -> None:
    """Markdown exports keep link text and headings' words; image embeds and marks go."""
    raw = ("**Lead in bold.**\n\n### Harbour Lodge, Brighton\n\n"
           "[#image: /photos/61979e]|||The lodge at dusk.|||\n\n"
           "Ten miles from [the Harbour Lodge](https://e.example/?utm=x){: target=\"_blank\"}.")
    assert body_paragraphs(raw) == ["Lead in bold.", "Harbour Lodge, Brighton",
                                    "Ten miles from the Harbour Lodge."]


def test_page_showing_only_its_lead_gets_the_declared_body() -> None:
    """A page whose HTML holds the lead and the first paragraph (the rest loads by script)
    gets the whole JSON-LD body, after the lead the declared body leaves out."""
    record = extract(_declaring("\n\n".join(BODY), [LEAD, BODY[0]]), source="a.html")
    assert record.text.split("\n\n") == [LEAD, *BODY]
    assert record.provenance["text"].raw == "json-ld"


def test_full_extraction_or_a_summary_in_json_ld_changes_nothing() -> None:
    """When the HTML shows the article, or the declared body is a short summary, the
    extraction stands."""
    whole = extract(_declaring("\n\n".join(BODY), BODY), source="b.html")
    assert whole.text.split("\n\n") == BODY
    assert whole.provenance["text"].raw != "json-ld"
    summary = extract(_declaring(LEAD, [LEAD, *BODY]), source="c.html")
    assert summary.text.split("\n\n") == [LEAD, *BODY]
    assert summary.provenance["text"].raw != "json-ld"
    assert with_declared(["A teaser of six words only."], [LEAD, LEAD]) is None


def test_another_article_in_json_ld_is_not_taken() -> None:
    """A long declared body that holds none of the extracted paragraphs is another text,
    even when the extraction is nearly empty (that page is the cascade's)."""
    other = [f"Unrelated report number {k} on a distant harbour, its boats and its fishermen, "
             "told at length for the weekend edition of the paper." for k in range(12)]
    shown = [LEAD, "A short second paragraph of the real article, long enough to be looked up."]
    assert with_declared(shown, other) is None
    assert with_declared(["Watch: the council votes."], other) is None  # near-empty too
