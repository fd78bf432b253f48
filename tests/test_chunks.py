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


def test_joined_text_keeps_page_order_around_what_extraction_found() -> None:
    """A later stretch that extraction partly found gets its other paragraphs beside them,
    and a paragraph after all the stretches stays last."""
    page = (_stretch(PARAGRAPHS_EN[:2]) + AD + _stretch([MORE[0], PARAGRAPHS_EN[2], MORE[1]])
            + "<p>" + PARAGRAPHS_EN[3] + "</p>")
    html = f"<html><body><main><h1>Council expands bike lanes</h1>{page}</main></body></html>"
    tree = parse_html(html)
    assert tree is not None
    found = PARAGRAPHS_EN[:4]
    anchor = body_anchor(tree, found)
    assert anchor is not None
    assert continue_body(anchor, found) == [*PARAGRAPHS_EN[:2], MORE[0], PARAGRAPHS_EN[2],
                                             MORE[1], PARAGRAPHS_EN[3]]


def test_nothing_joins_when_the_first_stretch_matches_no_extracted_paragraph() -> None:
    """If extraction split the first stretch's paragraph (a <br> dateline), there is no
    known place to join at, so nothing is put before the body."""
    first = f"<div class='m'><p>LONDON, March 3<br>{PARAGRAPHS_EN[0]} {PARAGRAPHS_EN[1]}</p></div>"
    html = (f"<html><body><main><h1>Bike lanes</h1>{first}{AD}{_stretch(MORE, cls='m')}"
            "</main></body></html>")
    tree = parse_html(html)
    assert tree is not None
    found = ["LONDON, March 3", f"{PARAGRAPHS_EN[0]} {PARAGRAPHS_EN[1]}"]
    anchor = body_anchor(tree, found)
    assert anchor is not None
    assert continue_body(anchor, found) == found


def test_cards_marked_paragraphs_and_repeats_do_not_join() -> None:
    """Teaser cards (a link wrapping heading and summary), an <article>, a paragraph marked
    as a sign-up box and a second copy of a joined paragraph stay out."""
    cards = "".join(f"<a href='/news/story-{k}'><h3>Teaser {k}</h3><p>{m}</p></a>"
                    for k, m in enumerate(MORE))
    with_cards = _stretch([]).replace("</div>", cards + "</div>")
    assert _run(_stretch(PARAGRAPHS_EN[:2]) + AD + with_cards)[1] == PARAGRAPHS_EN[:2]
    article = _stretch([]).replace("</div>", "<article>" + "".join(
        f"<p>{m}</p>" for m in MORE) + "</article></div>")
    assert _run(_stretch(PARAGRAPHS_EN[:2]) + AD + article)[1] == PARAGRAPHS_EN[:2]
    signup = ("<p class='newsletter-signup'>Sign up to get the council's weekly briefing in "
              "your inbox every Friday morning.</p>")
    with_signup = _stretch(MORE).replace("</div>", signup + "</div>")
    page = _stretch(PARAGRAPHS_EN[:2]) + AD + with_signup + PICTURE + _stretch(MORE[:1])
    assert _run(page)[1] == [*PARAGRAPHS_EN[:2], *MORE]


def test_too_little_or_unfinished_text_does_not_join() -> None:
    """Under 30 words, or mostly lines that do not end as sentences, is no stretch of prose."""
    short = ["The lanes open in spring, the council said."]
    assert _run(_stretch(PARAGRAPHS_EN[:2]) + AD + _stretch(short))[1] == PARAGRAPHS_EN[:2]
    labels = [f"{m.rstrip('.')} and more to follow" for m in MORE]
    assert _run(_stretch(PARAGRAPHS_EN[:2]) + AD + _stretch(labels))[1] == PARAGRAPHS_EN[:2]


def test_an_unclosed_anchor_around_the_page_does_not_make_everything_a_link() -> None:
    """An unclosed <a name=top> that the parser wraps around the page is not a card."""
    page = (_stretch(PARAGRAPHS_EN[:2]) + AD + _stretch(MORE[:2], heading="On the avenue")
            + PICTURE + _stretch(MORE[2:]))
    html = (f"<html><body><a name='top'><main><h1>Council expands bike lanes</h1>{page}</main>"
            "</body></html>")
    tree = parse_html(html)
    assert tree is not None
    anchor = body_anchor(tree, PARAGRAPHS_EN[:2])
    assert anchor is not None
    assert continue_body(anchor, PARAGRAPHS_EN[:2]) == [*PARAGRAPHS_EN[:2], "On the avenue", *MORE]
