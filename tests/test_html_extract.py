"""The cascade's choice by agreement on pages with no paragraphs to measure, and the
extractor's name in the record. (The standfirst is tested in test_lead.py.)"""

from __future__ import annotations

from services.normalize import cascade
from services.normalize.build import extract
from services.normalize.html import extract_html, parse_html
from tests.test_metadata import PARAGRAPHS_EN


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
