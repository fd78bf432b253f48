"""What pressline adds around trafilatura's body: the standfirst that precision mode drops,
and the cascade's choice by agreement on pages with no paragraphs to measure."""

from __future__ import annotations

import pytest

from services.normalize import cascade
from services.normalize.build import extract
from services.normalize.html import LEAD_ANCHOR_MAX, body_lead, extract_html, parse_html
from tests.test_metadata import PARAGRAPHS_EN

LEAD = ("Protected lanes will link the northern districts to the centre by next spring, "
        "the council said after a year of talks.")
TEASER = ("A new library opens its doors in the old market hall, with a reading room for "
          "children and a café.")
HEADLINE = "Council expands bike lanes"


def _story(header_extra: str = "", after: str = "", between: str = "",
           before: str = "") -> str:
    """An article page: ``header_extra`` in the article's header, ``between`` after the
    header and before the body, ``before`` above the headline, ``after`` after the article."""
    paragraphs = "".join(f"<p>{p}</p>" for p in PARAGRAPHS_EN)
    return (
        f"<html><head><title>{HEADLINE}</title></head><body>"
        f"<nav><a href='/'>Home</a> <a href='/news'>News</a></nav><main>{before}<article>"
        f"<header><h1>{HEADLINE}</h1>"
        f"{header_extra}<p class='byline'>By Jane Doe, 5 March 2024</p></header>{between}"
        f"<div class='article-body'>{paragraphs}</div></article>{after}</main>"
        "<footer>© Example Tribune</footer></body></html>"
    )


def _lead(html: str, paragraphs: list[str] | None = None, title: str | None = None) -> list[str]:
    tree = parse_html(html)
    assert tree is not None
    return body_lead(tree, list(PARAGRAPHS_EN) if paragraphs is None else paragraphs, title)[1]


def test_standfirst_in_the_article_header_opens_the_body() -> None:
    """trafilatura's precision mode drops <header>; its lead paragraph comes back first."""
    record = extract(_story(f"<p class='lead'>{LEAD}</p>").encode(), source="lanes.html")
    assert record.text.startswith(LEAD)
    assert record.text.count(LEAD) == 1
    assert record.provenance["text"].raw == "trafilatura+lead"
    assert "By Jane Doe" not in record.text


@pytest.mark.parametrize(
    "html",
    [
        # a teaser block of its own between the header and the body
        _story(between=f"<div class='teaser-text'><p>{LEAD}</p></div>"),
        # no <header>, no <article>: headline, date, lead and body in plain divs
        ("<html><body><div class='news'><h1>" + HEADLINE + "</h1><div>5 March 2024</div>"
         f"<div class='intro'>{LEAD}</div><div class='text'>"
         + "".join(f"<p>{p}</p>" for p in PARAGRAPHS_EN) + "</div></div></body></html>"),
    ],
)  # fmt: skip
def test_standfirst_outside_any_header_comes_back(html: str) -> None:
    """A lead set apart from the body in its own block, wherever the template puts it."""
    assert _lead(html) == [LEAD]


def test_lead_goes_before_the_first_paragraph_of_prose() -> None:
    """When the body opens with a short line (a kicker), the lead goes after it, before the
    first paragraph it was found above."""
    html = _story(between=f"<div class='lead'>{LEAD}</div>")
    tree = parse_html(html)
    assert tree is not None
    assert body_lead(tree, ["Transport", *PARAGRAPHS_EN]) == (1, [LEAD])


def test_page_without_a_lead_is_unchanged() -> None:
    """No prose before the body: the body is trafilatura's, and says so."""
    record = extract(_story().encode(), source="lanes.html")
    assert record.text.startswith(PARAGRAPHS_EN[0])
    assert record.provenance["text"].raw == "trafilatura"


def test_teaser_cards_never_join_the_story() -> None:
    """Other <article>s (teaser cards), before or after the story, are not its lead."""
    card = (f"<article class='card'><header><p>{TEASER}</p></header>"
            "<a href='/news/library-opens'>Read</a></article>")
    html = _story(after=card, between=card)
    assert _lead(html) == []
    assert TEASER not in extract(html.encode(), source="lanes.html").text


def test_caption_and_short_lines_stay_out() -> None:
    """A figure caption, a kicker and a date line before the body are no standfirst."""
    extra = (f"<figure><img src='a.jpg'><figcaption><p>{LEAD}</p></figcaption></figure>"
             "<p>Transport</p><div>Updated 5 March 2024 at 10:00.</div>")
    assert _lead(_story(extra)) == []
    assert _lead(_story(between=f"<div class='image-caption'>{LEAD}</div>")) == []


@pytest.mark.parametrize(
    ("header_extra", "between"),
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
        ("", "<aside class='more'><p>More coverage of the city's transport plans, from "
         "congestion charges to the new tram line.</p></aside>"),
        ("", "<div class='modal' aria-hidden='true'><p>Thank you for subscribing. You now have "
         "unlimited access to all our articles.</p></div>"),
        ("", "<div style='display: none'><p>Allow notifications from this site to hear about "
         "breaking news as soon as it happens.</p></div>"),
    ],
)  # fmt: skip
def test_prose_that_is_not_the_standfirst_stays_out(header_extra: str, between: str) -> None:
    """An author box, a disclosure, a player notice, a key-points list, an aside and hidden
    dialogs never open the story."""
    assert _lead(_story(header_extra, between=between)) == []


def test_nothing_is_taken_from_above_the_headline() -> None:
    """The walk back from the body stops at the page's <h1>: a site's tagline or a previous
    story's summary above the headline is no lead."""
    tagline = ("<div class='intro'>Independent news and views from the northern districts of "
               "the city, every day since 1887.</div>")
    assert _lead(_story(before=tagline)) == []


def test_headline_set_in_a_lesser_heading_is_not_the_lead() -> None:
    """A blog that sets the headline in <h3> (its <h1> is the blog's name): the headline,
    known from the page title, never becomes a body paragraph."""
    question = "Should the council expand the network of protected bike lanes this year?"
    html = ("<html><body><h1>Jane's blog</h1><div class='post'>"
            f"<h3 class='storytitle'>{question}</h3>"
            + "".join(f"<p>{p}</p>" for p in PARAGRAPHS_EN) + "</div></body></html>")
    assert _lead(html, title=f"{question} | Jane's blog") == []
    assert _lead(html) == [question]  # without the title, a question reads as a dek


def test_site_header_inside_a_page_wide_article_stays_out() -> None:
    """A masthead's appeal is not the lead when the whole page is one <article>."""
    html = ("<html><body><article class='page'><header class='site-header'><div>Our newsroom "
            "relies on readers like you, so please donate today to keep local journalism "
            "free.</div></header>" + "".join(f"<p>{p}</p>" for p in PARAGRAPHS_EN)
            + "</article></body></html>")
    assert _lead(html) == []


def test_marks_of_the_article_around_both_do_not_block_the_lead() -> None:
    """Only containers private to the lead are judged: a WordPress article whose classes
    name its author and tags still gets its lead back."""
    html = _story(f"<p class='lead'>{LEAD}</p>").replace(
        "<article>", "<article class='post tag-transport displayed_author-jane-doe'>")
    assert _lead(html) == [LEAD]


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
    assert _lead(_story(header_extra)) == [LEAD]


def test_line_breaks_in_the_standfirst_keep_words_apart() -> None:
    """A <br> between two sentences of the lead becomes a space."""
    first, second = LEAD.split(", the council")
    html = _story(f"<p class='lead'>{first}.<br>The council{second}</p>")
    assert _lead(html) == [f"{first}. The council{second}"]


def test_lead_already_in_the_body_is_not_doubled() -> None:
    """When trafilatura kept the lead's text, nothing is added."""
    assert _lead(_story(f"<p class='lead'>{LEAD}</p>"), [LEAD, *PARAGRAPHS_EN]) == []


def test_no_lead_for_a_body_without_prose_at_its_start() -> None:
    """A body whose first paragraphs are all short lines (a shop's product facts) is no
    article opening: nothing is looked up before it."""
    facts = [f"Size {n}" for n in range(LEAD_ANCHOR_MAX + 1)]
    html = _story(between=f"<div class='intro'>{LEAD}</div>").replace(
        "<div class='article-body'>",
        "<div class='article-body'>" + "".join(f"<p>{f}</p>" for f in facts))
    assert _lead(html, [*facts, *PARAGRAPHS_EN]) == []


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
