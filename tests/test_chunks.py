"""Split bodies: later same-class stretches of the article join the body in page order."""

from __future__ import annotations

from services.normalize.chunks import continue_body
from services.normalize.html import parse_html
from services.normalize.lead import body_anchor
from tests.test_metadata import PARAGRAPHS_EN

MORE = [
    "The second stretch of the report begins after an advertisement row, as the "
    "template splits the text into modules between pictures.",
    "Residents interviewed on the avenue said they had not expected the lanes so soon, "
    "although most welcomed the change.",
    "The final stretch closes the article after a gallery, with the date of the next "
    "council meeting on the plan.",
]


def _stretch(paragraphs: list[str], heading: str = "", cls: str = "module module-text") -> str:
    head = f"<h2>{heading}</h2>" if heading else ""
    return f"<div class='{cls}'>{head}" + "".join(f"<p>{p}</p>" for p in paragraphs) + "</div>"


def _run(stretches: str) -> tuple[list[str], list[str]]:
    """The body's first stretch is what extraction returned; the rest is for continue_body."""
    html = (f"<html><body><main><h1>Council expands bike lanes</h1>{stretches}</main>"
            "</body></html>")
    tree = parse_html(html)
    assert tree is not None
    first = PARAGRAPHS_EN[:2]
    anchor = body_anchor(tree, first)
    assert anchor is not None
    return first, continue_body(anchor, first)


AD = "<div class='ad-row'><img src='ad.png'></div>"
PICTURE = "<div class='module module-image'><img src='a.jpg'></div>"


def test_later_stretches_of_the_same_class_join_in_page_order() -> None:
    """Stretches after ad and picture rows join, a subheading above its paragraph."""
    page = (_stretch(PARAGRAPHS_EN[:2]) + AD + _stretch(MORE[:2], heading="On the avenue")
            + PICTURE + _stretch(MORE[2:]))
    first, joined = _run(page)
    assert joined == [*first, "On the avenue", *MORE]


def test_a_body_in_one_container_is_unchanged() -> None:
    """Without later siblings of the body's class there is nothing to join."""
    page = _stretch(PARAGRAPHS_EN[:2]) + AD + _stretch(MORE, cls="module module-teaser")
    first, joined = _run(page)
    assert joined == first


def test_entries_of_a_blog_front_page_are_not_joined() -> None:
    """Stretches whose headings are links are entries or teasers: other articles."""
    linked = "<a href='/2024/03/harbour-pier-to-reopen'>Harbour pier to reopen</a>"
    page = (_stretch(PARAGRAPHS_EN[:2], cls="entry") + _stretch(MORE, heading=linked, cls="entry"))
    assert _run(page)[1] == PARAGRAPHS_EN[:2]
    own = (f"<div class='entry'><h2>{linked}</h2>"
           + "".join(f"<p>{p}</p>" for p in PARAGRAPHS_EN[:2]) + "</div>"
           + _stretch(MORE, cls="entry"))
    assert _run(own)[1] == PARAGRAPHS_EN[:2]


def test_a_stretch_with_its_own_headline_is_another_article() -> None:
    """A later stretch holding an <h1> (the next article, loaded below) is skipped."""
    other = ("<div class='module module-text'><h1>Museum opens its archive</h1>"
             + "".join(f"<p>{p}</p>" for p in MORE) + "</div>")
    page = _stretch(PARAGRAPHS_EN[:2]) + AD + other
    assert _run(page)[1] == PARAGRAPHS_EN[:2]


def test_link_lists_and_fragments_do_not_join() -> None:
    """Later stretches of links, or of short fragments, do not read as the article."""
    links = [f"<a href='/news/{k}'>{m}</a>" for k, m in enumerate(MORE)]
    page = _stretch(PARAGRAPHS_EN[:2]) + AD + _stretch(links)
    assert _run(page)[1] == PARAGRAPHS_EN[:2]
    bits = ["Tags and more", "Share this with friends", "Print the page now"]
    page = _stretch(PARAGRAPHS_EN[:2]) + AD + _stretch(bits * 4)
    assert _run(page)[1] == PARAGRAPHS_EN[:2]


def test_captions_and_marked_boxes_in_a_stretch_stay_out() -> None:
    """A figure's caption or a box marked as a promo inside a later stretch is not body."""
    extra = ("<figure><img src='b.jpg'><figcaption><p>The new lanes on the avenue, seen "
             "from the town hall on Monday morning.</p></figcaption></figure>"
             "<div class='newsletter-signup'><p>Sign up to get the council's weekly "
             "briefing in your inbox every Friday morning.</p></div>")
    page = (_stretch(PARAGRAPHS_EN[:2]) + AD
            + _stretch(MORE).replace("</div>", extra + "</div>"))
    assert _run(page)[1] == [*PARAGRAPHS_EN[:2], *MORE]
