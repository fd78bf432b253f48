"""Paragraphs found only in boxes the page marks as not the article go (normalize/boxes.py)."""

from __future__ import annotations

from dataclasses import replace

import pytest
import trafilatura

from pressline.record import RawPage
from pressline.settings import Settings
from services.normalize import boxes
from services.normalize.boxes import drop_boxed
from services.normalize.build import normalize_page
from services.normalize.html import DEFAULT_OPTIONS, extract_html, parse_html
from services.normalize.lead import body_anchor
from tests.test_metadata import PARAGRAPHS_EN

PITCH = "Get our morning briefing in your inbox every weekday, free of charge."
TWEET = "Huge crowds at the opening of the new lanes this morning, what a day for the city!"
CAPTION = "Cyclists ride along the new lane on the northern avenue on Monday."


def _page(box: str, *, body_class: str = "article-body", after: int = 1) -> str:
    """An article whose body holds ``box`` after its ``after``-th paragraph."""
    paras = [f"<p>{p}</p>" for p in PARAGRAPHS_EN]
    paras.insert(after, box)
    return ("<html><head><title>Council expands bike lanes</title></head><body>"
            "<nav><a href='/'>Home</a></nav><main><article><h1>Council expands bike lanes</h1>"
            f"<div class='{body_class}'>{''.join(paras)}</div></article></main>"
            "<footer>© Example Tribune</footer></body></html>")


Audit = list[tuple[str, str, tuple[str, ...]]]


def _drop(html: str, extra: str, at: int = 1) -> tuple[list[str], Audit]:
    """drop_boxed over the body as trafilatura would give it, ``extra`` at index ``at``."""
    tree = parse_html(html)
    assert tree is not None
    paragraphs = list(PARAGRAPHS_EN)
    paragraphs.insert(at, extra)
    kept, removed = drop_boxed(tree, paragraphs, body_anchor(tree, paragraphs))
    return kept, [tuple(r) for r in removed]  # type: ignore[misc]


@pytest.mark.parametrize(("box", "text", "category", "word", "value"), [
    (f"<div class='inline-newsletter-signup'><p>{PITCH}</p></div>", PITCH, "promo",
     "newsletter", "inline-newsletter-signup"),
    (f"<blockquote class='twitter-tweet'><p>{TWEET}</p></blockquote>", TWEET, "media",
     "twitter-tweet", "twitter-tweet"),
    (f"<figure><img src='a.jpg'><figcaption>{CAPTION}</figcaption></figure>", CAPTION,
     "caption", "figcaption", "figcaption"),
    (f"<aside id='relatedStories'><a href='/a'>{PITCH}</a></aside>", PITCH, "related",
     "related", "relatedStories"),
    (f"<figure><img src='a.jpg'><figcaption>{CAPTION}</figcaption></figure>"
     "<div class='share-bar'></div>", CAPTION, "caption", "figcaption", "figcaption"),
    (f"<div class='c-letters-cta'><p>{PITCH}</p></div>", PITCH, "promo", "cta",
     "c-letters-cta"),
    (f"<div class='inlineSignUp'><p>{PITCH}</p></div>", PITCH, "promo", "sign-up",
     "inlineSignUp"),
    (f"<div class='jp_relatedposts'><a href='/a'>{PITCH}</a></div>", PITCH, "related",
     "related", "jp_relatedposts"),
    (f"<newsletter-signup><p>{PITCH}</p></newsletter-signup>", PITCH, "promo", "newsletter",
     "newsletter-signup"),
    (f"<div><img src='a.jpg'><p class='bildunterschrift'>{CAPTION}</p></div>", CAPTION,
     "caption", "bildunterschrift", "bildunterschrift"),
])
def test_paragraph_only_in_a_marked_box_goes_with_its_reason(
        box: str, text: str, category: str, word: str, value: str) -> None:
    """A pitch, an embedded post, a caption, a related box: out, with the word that marked
    it and where it was read (camelCase, "_" and custom element names read as words)."""
    kept, removed = _drop(_page(box), text)
    assert kept == PARAGRAPHS_EN
    assert removed == [(category, text, ("box", f"mark={word}", f"in={value}"))]


@pytest.mark.parametrize("mark", ["commentary-body", "shareholder-note", "promotional",
                                  "paywall", "subscriber-content", "js_readmore"])
def test_marks_that_do_not_name_a_box_keep_the_text(mark: str) -> None:
    """A mark word must be whole ("commentary" is not "comment"); "paywall" marks paid text."""
    kept, removed = _drop(_page(f"<div class='{mark}'><p>{PITCH}</p></div>"), PITCH)
    assert PITCH in kept and removed == []


@pytest.mark.parametrize("box", [
    f"<div class='factbox recommendations'><p>{PITCH}</p></div>",  # prose, not links
    f"<blockquote class='reader-comment'><p>{PITCH}</p></blockquote>",  # one, alone
    f"<figure><figcaption>{PITCH}</figcaption></figure>",  # a quote's attribution
    f"<p class='photo-credit'>{PITCH}</p>",  # no picture near
    f"<section id='what-the-tax-credit-means'><h2>What the tax credit means</h2>"
    f"<img src='a.jpg'><p>{PITCH}</p></section>",  # the id is the heading's slug
    f"<section id='credit-immobilier-ce-qui-change'><h2>Crédit immobilier : ce qui "
    f"change</h2><img src='a.jpg'><p>{PITCH}</p></section>",
    f"<div class='product-card affiliate-module'><h3>Folding bike</h3><p>{PITCH}</p>"
    "<a href='https://shop.example/x'>$1,650 at Example</a></div>",  # a guide's own text
])
def test_boxes_that_are_not_what_their_mark_says_keep_the_text(box: str) -> None:
    """A related box is mostly links, a comment comes with others, a caption sits by a
    picture, a section id spelling its own heading is a name, not a mark, and "affiliate"
    marks a shopping guide's product cards."""
    kept, removed = _drop(_page(box), PITCH)
    assert PITCH in kept and removed == []


def test_comments_among_others_go() -> None:
    """Comments that repeat one mark go, each with its category."""
    box = "".join(f"<div class='user-comment'><p>{t}</p></div>" for t in (PITCH, TWEET))
    tree = parse_html(_page(box))
    assert tree is not None
    paragraphs = [*PARAGRAPHS_EN[:1], PITCH, TWEET, *PARAGRAPHS_EN[1:]]
    kept, removed = drop_boxed(tree, paragraphs, body_anchor(tree, paragraphs))
    assert kept == PARAGRAPHS_EN
    assert [r.category for r in removed] == ["comments", "comments"]


def test_inline_styles_do_not_make_a_box_big() -> None:
    """A sign-up form's inline CSS is not text: the box stays small and its pitch goes."""
    css = "<style>" + ".signup-form input { border: 1px solid #ccc; } " * 40 + "</style>"
    kept, removed = _drop(_page(f"<div class='newsletter-form'>{css}<p>{PITCH}</p></div>"),
                          PITCH)
    assert kept == PARAGRAPHS_EN and removed[0][0] == "promo"


@pytest.mark.parametrize("inside", ["select", "svg"])
def test_form_controls_and_drawings_do_not_make_a_box_big(inside: str) -> None:
    """A country picker's options or an icon's SVG text, with no style or script beside
    them, are not text either: the box stays small and its pitch goes."""
    items = "".join(f"<option>Country number {i}</option>" if inside == "select"
                    else f"<text>label {i} of the icon drawing</text>" for i in range(60))
    box = f"<div class='newsletter-form'><{inside}>{items}</{inside}><p>{PITCH}</p></div>"
    kept, removed = _drop(_page(box), PITCH)
    assert kept == PARAGRAPHS_EN and removed[0][0] == "promo"


def test_text_also_outside_the_boxes_stays() -> None:
    """A paragraph repeated in a share box (a pull quote, a teaser) keeps its body copy."""
    box = f"<div class='share-quote'><p>{PARAGRAPHS_EN[2]}</p></div>"
    tree = parse_html(_page(box))
    assert tree is not None
    paragraphs = list(PARAGRAPHS_EN)
    kept, removed = drop_boxed(tree, paragraphs, body_anchor(tree, paragraphs))
    assert kept == PARAGRAPHS_EN and removed == []


def test_a_marked_wrapper_around_the_body_is_not_a_box() -> None:
    """A wrapper named "sticky-sidebar social-reading" holds the article: it takes nothing,
    and the boxes inside it are still judged one by one."""
    html = _page(f"<div class='newsletter-promo'><p>{PITCH}</p></div>",
                 body_class="article-content sticky-sidebar social-reading")
    kept, removed = _drop(html, PITCH)
    assert kept == PARAGRAPHS_EN
    assert [r[0] for r in removed] == ["promo"]


def test_a_heading_is_never_a_box() -> None:
    """A heading under a picture, styled by a utility class ("caption-s5"), is the
    article's own."""
    heading = "What the plan changes for shop owners"
    box = f"<figure><img src='a.jpg'></figure><h2 class='caption-s5'>{heading}</h2>"
    kept, removed = _drop(_page(box), heading)
    assert heading in kept and removed == []


def test_a_box_holding_the_headline_is_not_a_box() -> None:
    """A header section marked "promo" around the headline keeps its standfirst."""
    dek = "The northern districts get protected lanes by spring, financed from the budget."
    html = _page("").replace(
        "<h1>Council expands bike lanes</h1>",
        f"<div class='promo-header'><h1>Council expands bike lanes</h1><p>{dek}</p></div>")
    kept, removed = _drop(html, dek, at=0)
    assert kept[0] == dek and removed == []


def test_marks_covering_much_of_the_body_take_nothing() -> None:
    """When the marked paragraphs would be over a third of the body, the marks are wrong."""
    box = "".join(f"<div class='promo'><p>{p}</p></div>" for p in PARAGRAPHS_EN[1:3])
    html = ("<html><body><article><h1>Council expands bike lanes</h1><div class='body'>"
            f"<p>{PARAGRAPHS_EN[0]}</p>{box}<p>{PARAGRAPHS_EN[3]}</p></div></article>"
            "</body></html>")
    tree = parse_html(html)
    assert tree is not None
    paragraphs = list(PARAGRAPHS_EN)
    assert drop_boxed(tree, paragraphs, body_anchor(tree, paragraphs)) == (paragraphs, [])


def test_without_an_anchor_nothing_is_searched() -> None:
    """When the body's first paragraph is not found in the page, the body is left as is."""
    tree = parse_html(_page(f"<div class='newsletter'><p>{PITCH}</p></div>"))
    assert tree is not None
    paragraphs = [*PARAGRAPHS_EN, PITCH]
    assert drop_boxed(tree, paragraphs, None) == (paragraphs, [])


def test_embedded_post_that_trafilatura_keeps_leaves_the_record() -> None:
    """End to end: trafilatura keeps an embedded post's text; the record does not, and its
    audit trail says why. ExtractOptions(boxes=False) keeps it (for side-by-side runs)."""
    html = _page(f"<blockquote class='twitter-tweet'><p>{TWEET}</p>"
                 "&mdash; Cycling Club (@club) <a href='https://x.com/1'>March 5, 2024</a>"
                 "</blockquote>")
    assert TWEET in (trafilatura.extract(html, favor_precision=True) or "")
    unboxed = extract_html(html, None, replace(DEFAULT_OPTIONS, boxes=False))
    assert any(TWEET in p for p in unboxed.paragraphs)
    page = RawPage(job_id="j", item="i", source="s")
    record = normalize_page(page, html, Settings(redis_url=""))
    assert TWEET not in record.text
    assert PARAGRAPHS_EN[1] in record.text
    assert record.removed is not None
    boxed = [r for r in record.removed if r.signals[:1] == ["box"]]
    assert boxed and boxed[0].category == "media" and TWEET in boxed[0].text


def test_past_the_lookup_budget_the_page_is_left_as_is(monkeypatch: pytest.MonkeyPatch) -> None:
    """Paragraphs times box text past MAX_LOOKUP (thousands of comments): nothing goes."""
    html = _page(f"<div class='inline-newsletter-signup'><p>{PITCH}</p></div>")
    assert _drop(html, PITCH)[1]
    monkeypatch.setattr(boxes, "MAX_LOOKUP", 10)
    kept, removed = _drop(html, PITCH)
    assert PITCH in kept and removed == []


def test_nested_boxes_count_once_against_a_body_copy() -> None:
    """A share bar inside a promo box holds a copy of a body paragraph: counted once, the
    copy in the body keeps the paragraph."""
    box = (f"<div class='promo-box'><div class='share-bar'><p>{PARAGRAPHS_EN[2]}</p></div>"
           "</div>")
    tree = parse_html(_page(box))
    assert tree is not None
    paragraphs = list(PARAGRAPHS_EN)
    assert drop_boxed(tree, paragraphs, body_anchor(tree, paragraphs)) == (paragraphs, [])


def test_each_paragraph_is_charged_to_its_own_box() -> None:
    """Two boxes of different kinds: each removal names the box its text was found in."""
    boxes_html = (f"<div class='newsletter'><p>{PITCH}</p></div>"
                  f"<blockquote class='twitter-tweet'><p>{TWEET}</p></blockquote>")
    tree = parse_html(_page(boxes_html))
    assert tree is not None
    paragraphs = [*PARAGRAPHS_EN[:1], PITCH, TWEET, *PARAGRAPHS_EN[1:]]
    kept, removed = drop_boxed(tree, paragraphs, body_anchor(tree, paragraphs))
    assert kept == PARAGRAPHS_EN
    assert [(r.category, r.text) for r in removed] == [("promo", PITCH), ("media", TWEET)]


def test_a_list_item_is_looked_up_without_its_dash() -> None:
    """trafilatura writes list items as "- item": the item is found in the box all the same,
    and the audit keeps the text as extracted."""
    box = f"<ul class='related-links'><li><a href='/a'>{PITCH}</a></li></ul>"
    kept, removed = _drop(_page(box), f"- {PITCH}")
    assert kept == PARAGRAPHS_EN and removed[0][:2] == ("related", f"- {PITCH}")


def test_a_body_directly_under_body_is_not_searched() -> None:
    """With no container short of <body> around the paragraphs, nothing is removed."""
    paras = "".join(f"<p>{p}</p>" for p in PARAGRAPHS_EN)
    html = f"<html><body>{paras}<div class='newsletter'><p>{PITCH}</p></div></body></html>"
    tree = parse_html(html)
    assert tree is not None
    paragraphs = [*PARAGRAPHS_EN, PITCH]
    anchor = body_anchor(tree, paragraphs)
    assert anchor is not None
    assert drop_boxed(tree, paragraphs, anchor) == (paragraphs, [])


@pytest.mark.parametrize(("box", "goes"), [
    (f"<div class='comments'><p>{PITCH}</p></div>", True),  # names the thread
    (f"<div class='comment' id='comment-4521'><p>{PITCH}</p></div>", True),  # by its id
    (f"<blockquote class='reader-comment' id='q7'><p>{PITCH}</p></blockquote>", False),
])
def test_a_comment_box_is_named_by_a_plural_or_an_id(box: str, goes: bool) -> None:
    """"comments" or a comment's own id make a box; a lone "comment" class does not, even
    on an element that has some id."""
    kept, removed = _drop(_page(box), PITCH)
    assert (PITCH not in kept) is goes
    assert [r[0] for r in removed] == (["comments"] if goes else [])
