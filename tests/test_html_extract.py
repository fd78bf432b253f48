"""What pressline adds around trafilatura's body: the standfirst from the article's header,
and the cascade's choice by agreement on pages with no paragraphs to measure."""

from __future__ import annotations

import pytest

from services.normalize import cascade
from services.normalize.build import extract
from services.normalize.html import extract_html, header_lead, parse_html
from tests.test_metadata import PARAGRAPHS_EN

LEAD = ("Protected lanes will link the northern districts to the centre by next spring, "
        "the council said after a year of talks.")
TEASER = ("A new library opens its doors in the old market hall, with a reading room for "
          "children and a café.")


def _story(header_extra: str = "", after: str = "") -> str:
    paragraphs = "".join(f"<p>{p}</p>" for p in PARAGRAPHS_EN)
    return (
        "<html><head><title>Council expands bike lanes</title></head><body>"
        "<nav><a href='/'>Home</a> <a href='/news'>News</a></nav><main><article>"
        "<header><h1>Council expands bike lanes</h1>"
        f"{header_extra}<p class='byline'>By Jane Doe, 5 March 2024</p></header>"
        f"<div class='article-body'>{paragraphs}</div></article>{after}</main>"
        "<footer>© Example Tribune</footer></body></html>"
    )


def test_standfirst_in_the_article_header_opens_the_body() -> None:
    """trafilatura's precision mode drops <header>; its lead paragraph comes back first."""
    record = extract(_story(f"<p class='lead'>{LEAD}</p>").encode(), source="lanes.html")
    assert record.text.startswith(LEAD)
    assert record.text.count(LEAD) == 1
    assert record.provenance["text"].raw.endswith("+header-lead")
    assert "By Jane Doe" not in record.text


def test_page_without_a_lead_is_unchanged() -> None:
    """No prose in the header: the body is trafilatura's, and says so."""
    record = extract(_story().encode(), source="lanes.html")
    assert record.text.startswith(PARAGRAPHS_EN[0])
    assert "header-lead" not in record.provenance["text"].raw


def test_teaser_card_header_never_joins_the_story() -> None:
    """Another <article> (a teaser card) has a prose header; it is not the story's lead."""
    card = (f"<article class='card'><header><p>{TEASER}</p></header>"
            "<a href='/news/library-opens'>Read</a></article>")
    html = _story(after=card)
    tree = parse_html(html)
    assert tree is not None
    assert header_lead(tree, list(PARAGRAPHS_EN)) == []
    assert TEASER not in extract(html.encode(), source="lanes.html").text


def test_caption_and_short_lines_in_the_header_stay_out() -> None:
    """A figure caption, a kicker and a date line in the header are no standfirst."""
    extra = (f"<figure><img src='a.jpg'><figcaption><p>{LEAD}</p></figcaption></figure>"
             "<p>Transport</p><div>Updated 5 March 2024 at 10:00.</div>")
    tree = parse_html(_story(extra))
    assert tree is not None
    assert header_lead(tree, list(PARAGRAPHS_EN)) == []


@pytest.mark.parametrize(
    ("header_extra", "after"),
    [
        ("<div class='author-bio'>Jane Doe is the Tribune's transport correspondent and has "
         "covered city hall since 2015.</div>", ""),
        ("<div class='disclosure'>When you buy through links on our site, we may earn an "
         "affiliate commission. Here is how it works.</div>", ""),
        ("<div class='audio'><button>Play</button><span>Listen to this article. This audio is "
         "generated automatically and may contain errors.</span></div>", ""),
        ("<div class='summary'><div><ul><li>Protected lanes will reach the northern districts "
         "by next spring.</li><li>Work starts in March and is paid from the transport "
         "budget.</li></ul></div></div>", ""),
        ("", "<aside class='more'><header><p>More coverage of the city's transport plans, from "
         "congestion charges to the new tram line.</p></header></aside>"),
        ("", "<section><header><h2>Background</h2><p>The plan was first proposed in 2019 and "
         "shelved during the pandemic, officials recalled.</p></header></section>"),
    ],
)  # fmt: skip
def test_header_text_that_is_not_the_standfirst_stays_out(header_extra: str, after: str) -> None:
    """An author box, a disclosure, a player notice, a key-points list, and headers after
    the body or of an aside never open the story."""
    tree = parse_html(_story(header_extra, after))
    assert tree is not None
    assert header_lead(tree, list(PARAGRAPHS_EN)) == []


def test_site_header_inside_a_page_wide_article_stays_out() -> None:
    """A masthead's appeal is not the lead when the whole page is one <article>."""
    html = ("<html><body><article class='page'><header class='site-header'><div>Our newsroom "
            "relies on readers like you, so please donate today to keep local journalism "
            "free.</div></header>" + "".join(f"<p>{p}</p>" for p in PARAGRAPHS_EN)
            + "</article></body></html>")
    tree = parse_html(html)
    assert tree is not None
    assert header_lead(tree, list(PARAGRAPHS_EN)) == []


@pytest.mark.parametrize(
    "header_extra",
    [
        f"<div class='dek mobile'>{LEAD}</div><div class='dek desktop'>{LEAD}</div>",
        f"<div class='standfirst'><section><p>{LEAD}</p></section></div>",
        f"<div class='inner'><header><p class='dek'>{LEAD}</p></header></div>",
    ],
)  # fmt: skip
def test_standfirst_comes_back_once(header_extra: str) -> None:
    """A lead repeated for mobile and desktop, or wrapped in nested blocks, is added once."""
    tree = parse_html(_story(header_extra))
    assert tree is not None
    assert header_lead(tree, list(PARAGRAPHS_EN)) == [LEAD]


def test_line_breaks_in_the_standfirst_keep_words_apart() -> None:
    """A <br> between two sentences of the lead becomes a space."""
    first, second = LEAD.split(", the council")
    tree = parse_html(_story(f"<p class='lead'>{first}.<br>The council{second}</p>"))
    assert tree is not None
    assert header_lead(tree, list(PARAGRAPHS_EN)) == [f"{first}. The council{second}"]


def test_lead_already_in_the_body_is_not_doubled() -> None:
    """When trafilatura kept the header's text, nothing is added."""
    tree = parse_html(_story(f"<p class='lead'>{LEAD}</p>"))
    assert tree is not None
    assert header_lead(tree, [LEAD, *PARAGRAPHS_EN]) == []


def _divs_only() -> str:
    """Text in bare <div>s: no <p> blocks for the coverage yardstick to measure."""
    body = "".join(f"<div>{p}</div>" for p in PARAGRAPHS_EN)
    return f"<html><body><div id='menu'><a href='/'>Home</a></div><div>{body}</div></body></html>"


def test_without_paragraphs_to_measure_a_confirmed_fallback_wins() -> None:
    """No <p> evidence: a fallback whose text another extractor also returns replaces an
    empty primary."""
    tree = parse_html(_divs_only())
    assert tree is not None
    assert cascade.profile(tree).chars == 0
    best = cascade.choose(tree, cascade.Candidate("trafilatura", []), None, "en",
                          more={"other": lambda t, u, lang: list(PARAGRAPHS_EN)})
    assert best.name == "other"
    assert PARAGRAPHS_EN[0] in best.text


def test_without_paragraphs_to_measure_an_unconfirmed_fallback_loses() -> None:
    """A fallback that no other extractor agrees with never wins on its length alone."""
    tree = parse_html(_divs_only())
    assert tree is not None
    junk = [f"Offer number {n}: buy two tickets and get the third one for free today."
            for n in range(20)]
    best = cascade.choose(tree, cascade.Candidate("trafilatura", []), None, "en",
                          more={"junk": lambda t, u, lang: junk})
    assert best.name == "trafilatura" and best.paragraphs == []
    assert cascade.agreement(cascade.Candidate("junk", junk), [best]) == 0


CONSENT = [
    "We use cookies and similar technologies to personalise content and advertising, to "
    "provide social media features and to analyse our traffic.",
    "We also share information about your use of our site with our social media, advertising "
    "and analytics partners, who may combine it with other information you have provided.",
    "By clicking Accept all you agree to the storage of cookies on your device. You can "
    "change your choice at any time in the privacy settings of this website.",
]


def test_a_consent_layer_is_no_article_even_when_extractors_agree() -> None:
    """A page whose story is rendered by script holds only a consent layer in bare <div>s:
    the extractors that return it agree, but on consent text, so the cascade keeps the
    empty result."""
    html = ("<html lang='en'><head><title>Council expands bike lanes</title></head><body>"
            "<div id='app'><h1>Council expands bike lanes</h1></div><div id='cookie-layer'>"
            + "".join(f"<div>{c}</div>" for c in CONSENT)
            + "<div><a>Accept all</a> <a>Settings</a></div></div></body></html>")
    tree = parse_html(html)
    assert tree is not None
    more = {"other": lambda t, u, lang: list(CONSENT)}
    best = cascade.choose(tree, cascade.Candidate("trafilatura", []), None, "en", more=more)
    assert best.name == "trafilatura" and best.paragraphs == []


def test_consent_marks_on_body_or_on_content_components_are_no_consent_layer() -> None:
    """A consent plugin's class on <body> ("cookies-not-set") and content components named
    "cmp-text" (Adobe AEM) leave the article's text out of the consent text."""
    paragraphs = "".join(f"<div class='cmp-text'>{p}</div>" for p in PARAGRAPHS_EN)
    tree = parse_html(f"<html><body class='home cookies-not-set'>{paragraphs}</body></html>")
    assert tree is not None
    assert cascade.consent_text(tree) == ""


def test_consent_layer_split_by_line_breaks_is_still_recognised() -> None:
    """Sentences of the layer joined by <br> still match the extractors' spaced text."""
    html = ("<html><body><div id='app'></div><div class='qc-cmp2-container'>"
            + "".join(f"<div>Cookies.<br>{c}</div>" for c in CONSENT) + "</div></body></html>")
    tree = parse_html(html)
    assert tree is not None
    spaced = [f"Cookies. {c}" for c in CONSENT]
    more = {"one": lambda t, u, lang: spaced, "two": lambda t, u, lang: spaced}
    best = cascade.choose(tree, cascade.Candidate("trafilatura", []), None, "en", more=more)
    assert best.paragraphs == []


def test_extract_html_reports_the_extractor_that_won() -> None:
    """The chosen extractor's name (here trafilatura's full rerun) reaches the provenance."""
    html = _divs_only()
    extracted = extract_html(html)
    assert extracted.extractor == "trafilatura-full"
    assert extract(html.encode(), source="a.html").provenance["text"].raw == "trafilatura-full"
    assert extracted.paragraphs[0] == PARAGRAPHS_EN[0]
