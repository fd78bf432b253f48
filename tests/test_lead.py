"""The standfirst that trafilatura's precision mode drops comes back (normalize/lead.py)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from lxml.html import document_fromstring

from services.normalize.build import extract
from services.normalize.html import DEFAULT_OPTIONS, extract_html, parse_html
from services.normalize.lead import LEAD_ANCHOR_MAX, body_lead
from tests.test_metadata import PARAGRAPHS_EN

LEAD = ("Protected lanes will link the northern districts to the centre by next spring, "
        "the council said after a year of talks.")
TEASER = ("A new library opens its doors in the old market hall, with a reading room for "
          "children and a café.")
HEADLINE = "Council expands bike lanes"
BODY = "".join(f"<p>{p}</p>" for p in PARAGRAPHS_EN)


def _story(header_extra: str = "", after: str = "", between: str = "",
           before: str = "") -> str:
    """An article page: ``header_extra`` in the article's header, ``between`` after the
    header and before the body, ``before`` above the headline, ``after`` after the article."""
    return (
        f"<html><head><title>{HEADLINE}</title></head><body>"
        f"<nav><a href='/'>Home</a> <a href='/news'>News</a></nav><main>{before}<article>"
        f"<header><h1>{HEADLINE}</h1>"
        f"{header_extra}<p class='byline'>By Jane Doe, 5 March 2024</p></header>{between}"
        f"<div class='article-body'>{BODY}</div></article>{after}</main>"
        "<footer>© Example Tribune</footer></body></html>"
    )


def _lead(html: str, paragraphs: list[str] | None = None, title: str | None = None) -> list[str]:
    tree = parse_html(html)
    assert tree is not None
    return body_lead(tree, list(PARAGRAPHS_EN) if paragraphs is None else paragraphs, title)


# What comes back


def test_standfirst_in_the_article_header_opens_the_record() -> None:
    """A prose paragraph in the article's own <header> comes back first, once, as "+lead"."""
    record = extract(_story(f"<p>{LEAD}</p>").encode(), source="lanes.html")
    assert record.text.startswith(LEAD)
    assert record.text.count(LEAD) == 1
    assert record.provenance["text"].raw == "trafilatura+lead"
    assert "By Jane Doe" not in record.text


def test_the_lead_can_be_switched_off() -> None:
    """ExtractOptions(lead=False) keeps trafilatura's body as it is (for side-by-side runs)."""
    html = _story(f"<p class='lead'>{LEAD}</p>")
    assert extract_html(html).paragraphs[0] == LEAD
    off = extract_html(html, options=replace(DEFAULT_OPTIONS, lead=False))
    assert off.paragraphs[0] == PARAGRAPHS_EN[0] and off.extractor == "trafilatura"


def test_page_without_a_lead_is_unchanged() -> None:
    """With nothing marked above the body, the record is trafilatura's body and says so."""
    record = extract(_story(between=f"<div>{TEASER}</div>").encode(), source="lanes.html")
    assert record.text.startswith(PARAGRAPHS_EN[0])
    assert record.provenance["text"].raw == "trafilatura"


@pytest.mark.parametrize(
    "between",
    [
        f"<div class='teaser-text'><p>{LEAD}</p></div>",
        f"<h2 class='Page-subHeadline'>{LEAD}</h2>",
        f"<div class='documentDescription'>{LEAD}</div>",
        f"<p class='storyDek'>{LEAD}</p>",
        f"<p class='artikel-vorspann'>{LEAD}</p>",
        f"<p class='chapo'>{LEAD}</p>",
        f"<div data-gu-name='standfirst'><p>{LEAD}</p></div>",
        f"<p data-qa='subheadline'>{LEAD}</p>",
        f"<div itemprop='description'>{LEAD}</div>",
    ],
)  # fmt: skip
def test_block_named_a_lead_comes_back(between: str) -> None:
    """A block named a lead by class (camelCase too, several languages), data-* or itemprop."""
    assert _lead(_story(between=between)) == [LEAD]


def test_lead_in_plain_divs_without_header_or_article() -> None:
    """Headline, date, marked intro and body in bare divs: the intro comes back."""
    html = (f"<html><body><div class='news'><h1>{HEADLINE}</h1><div>5 March 2024</div>"
            f"<div class='intro'>{LEAD}</div><div class='text'>{BODY}</div></div></body></html>")
    assert _lead(html) == [LEAD]


def test_lead_goes_before_short_opening_lines() -> None:
    """The lead stands above the body in the page, so it comes before a short opening line."""
    html = _story(between=f"<div class='lead'>{LEAD}</div>").replace(
        "<div class='article-body'>", "<div class='article-body'><p>It is official.</p>")
    record = extract(html.encode(), source="lanes.html")
    assert record.text.startswith(LEAD + "\n")
    assert "It is official." in record.text


def test_dek_named_as_such_may_end_without_a_stop() -> None:
    """A sub-headline whose own class names it a dek comes back without a final stop."""
    dek = LEAD.rstrip(".")
    assert _lead(_story(between=f"<h2 class='content-head__subtitle'>{dek}</h2>")) == [dek]


def test_unmarked_fragment_in_a_marked_wrapper_needs_a_stop() -> None:
    """A block that only its wrapper marks must end like a sentence."""
    assert _lead(_story(between=f"<div class='intro'><p>{LEAD.rstrip('.')}</p></div>")) == []


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


def test_lead_text_reads_in_order() -> None:
    """Nested inline markup keeps its words in reading order."""
    html = _story("<p class='lead'>Protected lanes will link the <strong><a href='/n'><em>"
                  "northern</em> districts</a></strong> to the centre by next spring, the "
                  "council said after a year of talks.</p>")
    assert _lead(html) == [LEAD]


def test_line_breaks_invisible_characters_and_hidden_text_in_the_lead() -> None:
    """<br> reads as a space; soft hyphens, direction marks, noscript and icon text go."""
    first, second = LEAD.split(", the council")
    html = _story(f"<p class='lead'>Pro&shy;tected{first[9:]}.<br>The council{second}\u200e"
                  "<noscript><span>Enable JavaScript.</span></noscript>"
                  "<svg><title>Arrow icon</title></svg></p>")
    assert _lead(html) == [f"{first}. The council{second}"]


def test_two_marked_blocks_come_back_in_page_order() -> None:
    """A dek and an intro paragraph both come back, in the order of the page."""
    dek = "Protected lanes for the north, paid from the transport budget, the council says."
    html = _story(f"<p class='dek'>{dek}</p>", between=f"<div class='intro'>{LEAD}</div>")
    assert _lead(html) == [dek, LEAD]


def test_named_dek_beside_the_hero_picture_comes_back() -> None:
    """A picture beside a block named a dek does not make it a caption."""
    html = _story(between=f"<div class='hero'><img src='a.jpg'><p class='dek'>{LEAD}</p></div>")
    assert _lead(html) == [LEAD]


def test_comments_inside_the_lead_keep_the_text_around_them() -> None:
    """Text after an HTML comment inside the lead is kept (trees parsed without trafilatura)."""
    first, rest = LEAD.split(" northern ")
    html = _story(f"<p class='lead'>{first} northern <!-- map -->{rest}</p>")
    assert body_lead(document_fromstring(html), list(PARAGRAPHS_EN)) == [LEAD]


# What stays out


def test_unmarked_prose_before_the_body_stays_out() -> None:
    """A sentence between headline and body that nothing marks as the lead is not guessed at."""
    for block in (f"<div class='bildunterschrift'>{LEAD}</div>", f"<div>{LEAD}</div>",
                  f"<blockquote class='twitter-tweet'><p>{LEAD}</p></blockquote>"):
        assert _lead(_story(between=block)) == [], block


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
        ("", "<aside class='more'><p class='teaser'>More coverage of the city's transport "
         "plans, from congestion charges to the new tram line.</p></aside>"),
        ("", "<div class='intro' role='dialog'><p>Thank you for subscribing. You now have "
         "unlimited access to all our articles.</p></div>"),
        ("", "<div class='teaser' style='display: none'><p>Allow notifications from this site to "
         "hear about breaking news as soon as it happens.</p></div>"),
        ("", "<div class='paywall-teaser'><p>This article is for subscribers only. Try four "
         "weeks for one euro and read on.</p></div>"),
        ("", "<div class='related-stories'><div class='teaser'><p class='teaser__text'>The city "
         "is planning a new tram line from the central station to the north.</p></div></div>"),
    ],
)  # fmt: skip
def test_boxes_that_are_not_the_standfirst_stay_out(header_extra: str, between: str) -> None:
    """Author, disclosure, player, key-points, aside, dialog, paywall and related boxes stay out."""
    assert _lead(_story(header_extra, between=between)) == []


@pytest.mark.parametrize("box", ["cta-box", "signupBox", "taboola-widget", "outbrain_module",
                                 "social-tools", "recommended-reads"])  # fmt: skip
def test_boxes_that_boxes_py_drops_hold_no_lead(box: str) -> None:
    """A teaser in a box marked as a call to action, a sign-up, a recommendation widget or
    a sharing bar (the vocabulary boxes.py drops boxes by) does not come back as a lead."""
    pitch = ("Get the whole story first: our morning briefing brings every council vote to "
             "your inbox, free of charge.")
    html = _story(between=f"<div class='{box}'><p class='teaser'>{pitch}</p></div>")
    assert _lead(html) == []


def test_a_promo_wrapper_around_the_headline_still_gives_its_dek() -> None:
    """A layout's "promo" section around headline and dek is no promo box."""
    html = (f"<html><body><main><article><div class='promo-header'><h1>{HEADLINE}</h1>"
            f"<p class='dek'>{LEAD}</p></div><div class='article-body'>{BODY}</div>"
            "</article></main></body></html>")
    assert _lead(html)[0] == LEAD


def test_figure_caption_kicker_and_date_line_stay_out() -> None:
    """A lead-named caption inside a figure, a kicker and a date line are no standfirst."""
    extra = (f"<figure><img src='a.jpg'><figcaption><p class='lead'>{LEAD}</p></figcaption>"
             "</figure><p>Transport</p><div>Updated 5 March 2024 at 10:00.</div>")
    assert _lead(_story(extra)) == []


@pytest.mark.parametrize(
    "between",
    [
        f"<div class='image-description'>{LEAD}</div>",
        f"<p class='leadImageCaption'>{LEAD}</p>",
        f"<div class='lead-art'><img src='a.jpg'><div><span>{LEAD}</span></div></div>",
    ],
)  # fmt: skip
def test_captions_named_with_lead_words_stay_out(between: str) -> None:
    """Caption and picture words beat a lead word; "lead art" is a picture, not a lead."""
    assert _lead(_story(between=between)) == []


def test_unmarked_caption_in_the_header_stays_out() -> None:
    """In the article's header an unmarked sentence beside a picture is its caption."""
    assert _lead(_story(f"<div><img src='a.jpg'><p>{LEAD}</p></div>")) == []
    assert _lead(_story(f"<div><p>{LEAD}</p></div>")) == [LEAD]


def test_teaser_cards_never_join_the_story() -> None:
    """Other <article>s and teasers inside a link stay out, even with a summary class."""
    card = (f"<article class='card'><header><p class='summary'>{TEASER}</p></header>"
            "<a href='/news/library-opens'>Read</a></article>")
    linked = f"<div class='inline-teaser'><a href='/library'><p>{TEASER}</p></a></div>"
    html = _story(after=card, between=card + linked)
    assert _lead(html) == []
    assert TEASER not in extract(html.encode(), source="lanes.html").text


def test_card_beside_a_heading_that_links_elsewhere_stays_out() -> None:
    """Teaser text beside a heading linking to another story is that story's card."""
    card = ("<div class='top'><h3 class='teaser__title'><a href='/other'>Library opens</a></h3>"
            f"<p class='teaser__text'>{TEASER}</p></div>")
    html = (f"<html><body>{card}<div class='article'><div>{HEADLINE}</div>"
            f"<div class='article-body'>{BODY}</div></div></body></html>")
    assert _lead(html) == []


def test_own_header_may_link_its_author() -> None:
    """The story's header, which holds the headline, may link the author's name."""
    own = _story(f"<p class='article-excerpt'>{LEAD}</p><h4 class='author-name'><a "
                 "href='/author/jane'>Jane Doe</a></h4>")
    assert _lead(own) == [LEAD]


def test_dek_heading_with_a_link_is_no_card() -> None:
    """A dek set in a heading that holds a link is still the dek."""
    dek = LEAD.replace("northern districts", "<a href='/map'>northern districts</a>")
    assert _lead(_story(between=f"<div><h2 class='standfirst'>{dek}</h2></div>")) == [LEAD]


def test_words_around_the_lead_mark_count_only_beside_the_headline() -> None:
    """A photo header holding the headline may wrap the dek; an author box may not."""
    hero = (f"<html><body><main><div class='hero hero--photo story-header--with-authors'>"
            f"<h1>{HEADLINE}</h1><p class='dek'>{LEAD}</p></div><div class='body'>{BODY}"
            "</div></main></body></html>")
    assert _lead(hero) == [LEAD]
    box = hero.replace(f"<p class='dek'>{LEAD}</p></div>",
                       f"</div><div class='author-box'><p class='description'>{LEAD}</p></div>")
    assert _lead(box) == []


def test_site_header_inside_a_page_wide_article_stays_out() -> None:
    """A masthead's appeal is not the lead when the whole page is one <article>."""
    html = ("<html><body><article class='page'><header class='site-header'><div "
            "class='intro'>Our newsroom relies on readers like you, so please donate today "
            f"to keep local journalism free.</div></header>{BODY}</article></body></html>")
    assert _lead(html) == []


def test_marks_of_the_article_around_both_do_not_block_the_lead() -> None:
    """Only containers private to the lead are judged, not the article around lead and body."""
    html = _story(f"<p class='lead'>{LEAD}</p>").replace(
        "<article>", "<article class='post category-transport'>")
    assert _lead(html) == [LEAD]


def test_copies_of_the_body_are_not_doubled() -> None:
    """A lead trafilatura kept, or a truncated excerpt of the body's opening, is not added."""
    assert _lead(_story(f"<p class='lead'>{LEAD}</p>"), [LEAD, *PARAGRAPHS_EN]) == []
    opening = "Good news for cyclists at last."
    excerpt = " ".join(f"{opening} {PARAGRAPHS_EN[0]}".split()[:25]) + "…"
    html = _story(f"<p class='excerpt'>{excerpt}</p>").replace(
        "<div class='article-body'>", f"<div class='article-body'><p>{opening}</p>")
    assert _lead(html, [opening, *PARAGRAPHS_EN]) == []


def test_short_marked_lines_and_link_lists_stay_out() -> None:
    """A lead-named line under ten words, or one made mostly of links, is no standfirst."""
    assert _lead(_story(between="<p class='intro'>Transport news for the north.</p>")) == []
    links = ("<p class='teaser'><a href='/a'>Library opens its doors in the old market "
             "hall</a> and <a href='/b'>tram line plans are unveiled at city hall</a>.</p>")
    assert _lead(_story(between=links)) == []


def test_marked_block_that_is_the_headline_stays_out() -> None:
    """A summary that only repeats the page title is the headline, not a lead."""
    question = "Should the council expand the network of protected bike lanes this year?"
    html = _story(between=f"<p class='summary'>{question}</p>")
    assert _lead(html, title=f"{question} | Example Tribune") == []
    assert _lead(html) == [question]


# Where the walk starts and stops


def test_nothing_is_taken_from_above_the_h1() -> None:
    """The walk back from the body stops at the page's <h1>."""
    tagline = ("<div class='site-intro'>Independent news and views from the northern "
               "districts of the city, every day since 1887.</div>")
    assert _lead(_story(before=tagline)) == []


def test_walk_stops_at_a_heading_marked_as_the_title() -> None:
    """A blog description above a post title marked "entry-title" is not the post's lead."""
    blog = ("<html><body><div id='header'><p class='description'>Notes on cycling, city "
            "planning and everyday life in the valley, written by a commuter.</p></div>"
            f"<h3 class='post-title entry-title'>{HEADLINE}</h3><div class='post-body'>"
            f"{BODY}</div></body></html>")
    assert _lead(blog) == []


def test_walk_stops_at_a_heading_reading_as_the_title() -> None:
    """An unmarked heading that reads as the page title is the headline: nothing above it."""
    intro = "Notes on cycling, city planning and everyday life in the valley, by a commuter."
    html = (f"<html><body><h1>Jane's blog</h1><div class='intro'>{intro}</div>"
            f"<h3>{HEADLINE}</h3><div class='post'>{BODY}</div></body></html>")
    assert _lead(html, title=f"{HEADLINE} | Jane's blog") == []
    assert _lead(html) == [intro]  # without the title the heading is just a heading


def test_headline_in_a_lesser_heading_is_not_the_lead() -> None:
    """A marked heading that is the page title is the headline, not a dek."""
    question = "Should the council expand the network of protected bike lanes this year?"
    html = ("<html><body><h1>Jane's blog</h1><div class='post'>"
            f"<h3 class='story-subtitle'>{question}</h3>{BODY}</div></body></html>")
    assert _lead(html, title=f"{question} | Jane's blog") == []
    assert _lead(html) == [question]


@pytest.mark.parametrize(
    "box",
    [
        ("<div class='related-posts'><h4 class='post-title'><a href='/x'>Library opens in "
         "market hall</a></h4></div>"),
        "<aside><h1>Most read</h1><p>Library opens in market hall</p></aside>",
    ],
)  # fmt: skip
def test_titles_in_boxes_between_lead_and_body_do_not_stop_the_walk(box: str) -> None:
    """Post titles in a related box, an <h1> in an aside: not the story's headline."""
    assert _lead(_story(f"<p class='standfirst'>{LEAD}</p>", between=box)) == [LEAD]


def test_body_found_behind_a_dateline() -> None:
    """The body's block may open with a dateline line ("LONDON<br>")."""
    html = _story(f"<p class='lead'>{LEAD}</p>").replace(
        f"<p>{PARAGRAPHS_EN[0]}</p>", f"<p>LONDON<br>{PARAGRAPHS_EN[0]}</p>")
    assert _lead(html) == [LEAD]


def test_a_large_drawing_between_lead_and_body_is_one_node() -> None:
    """An inline chart of thousands of shapes does not use up the walk."""
    drawing = "<svg>" + "<path d='M0 0'/>" * 2000 + "</svg>"
    assert _lead(_story(f"<p class='lead'>{LEAD}</p>", between=drawing)) == [LEAD]


def test_body_with_direction_marks_and_soft_hyphens_is_found() -> None:
    """Invisible characters in the page's copy of the body do not hide its opening."""
    shy = PARAGRAPHS_EN[0].replace("protected", "pro&shy;tected").replace("city", "\u200ecity")
    html = _story(f"<p class='lead'>{LEAD}</p>").replace(PARAGRAPHS_EN[0], shy)
    assert _lead(html) == [LEAD]


def test_body_two_wrappers_deep_is_found() -> None:
    """Paragraphs each in two wrappers (Drupal paragraphs) still confirm the body."""
    deep = "".join(f"<div class='paragraph'><div class='field'><p>{p}</p></div></div>"
                   for p in PARAGRAPHS_EN)
    assert _lead(_story(f"<p class='lead'>{LEAD}</p>").replace(BODY, deep)) == [LEAD]


def test_a_copy_of_the_opening_in_a_teaser_strip_is_not_the_body() -> None:
    """A teaser strip repeating the opening is not the body, so its neighbours are no leads."""
    strip = ("<div class='top-stories'>"
             f"<div class='teaser'><p class='summary'>{TEASER}</p></div>"
             f"<div class='teaser'><p class='summary'>{PARAGRAPHS_EN[0]}</p></div></div>")
    html = _story(before=strip)
    assert _lead(html) == []
    assert _lead(html.replace("</h1>", f"</h1><p class='lead'>{LEAD}</p>")) == [LEAD]


def test_the_tightest_confirmation_of_the_body_wins() -> None:
    """A copy in a top bar is confirmed only by the page wrapper; the body by its siblings."""
    html = _story(f"<p class='lead'>{LEAD}</p>").replace(
        "<body>", f"<body><div class='page'><div class='topbar'><p>{PARAGRAPHS_EN[0]}</p></div>"
    ).replace("</body>", "</div></body>")
    assert _lead(html) == [LEAD]


def test_body_opening_with_a_list_finds_its_lead() -> None:
    """trafilatura writes list items with a "- " prefix; the page does not."""
    items = ["The council approved protected lanes for all northern districts on Tuesday.",
             "Work starts in March and is paid for from the existing transport budget."]
    html = _story(between=f"<p class='lead'>{LEAD}</p>").replace(
        "<div class='article-body'>",
        "<div class='article-body'><ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>")
    assert _lead(html, [f"- {i}" for i in items] + list(PARAGRAPHS_EN)) == [LEAD]


def test_body_in_bare_text_after_a_script_is_found() -> None:
    """Body text that follows an inline script (a tail, not a text node of its own block)."""
    text = "<br><br>".join(PARAGRAPHS_EN)
    html = (f"<html><body><main><h1>{HEADLINE}</h1><div class='intro'>{LEAD}</div>"
            f"<div class='text'><script>var x = 1;</script>{text}</div></main></body></html>")
    assert _lead(html) == [LEAD]


def test_deeply_nested_body_does_not_use_up_the_walk() -> None:
    """The body's own wrappers, however many, are not counted as blocks before it."""
    deep = "<div>" * 60 + BODY + "</div>" * 60
    assert _lead(_story(f"<p class='lead'>{LEAD}</p>").replace(BODY, deep)) == [LEAD]


def test_no_lead_for_a_body_without_prose_at_its_start() -> None:
    """A body opening with short lines only (a shop's product facts) is no article opening."""
    facts = [f"Size {n}" for n in range(LEAD_ANCHOR_MAX + 1)]
    html = _story(between=f"<div class='intro'>{LEAD}</div>").replace(
        "<div class='article-body'>",
        "<div class='article-body'>" + "".join(f"<p>{f}</p>" for f in facts))
    assert _lead(html, [*facts, *PARAGRAPHS_EN]) == []
