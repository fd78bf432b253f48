"""What pressline adds around trafilatura's body: the standfirst that precision mode drops,
and the cascade's choice by agreement on pages with no paragraphs to measure."""

from __future__ import annotations

import pytest

from services.normalize import cascade
from services.normalize.build import extract
from services.normalize.html import extract_html, parse_html
from services.normalize.lead import LEAD_ANCHOR_MAX, body_lead
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
    return body_lead(tree, list(PARAGRAPHS_EN) if paragraphs is None else paragraphs, title)


def test_standfirst_in_the_article_header_opens_the_body() -> None:
    """trafilatura's precision mode drops <header>; its lead paragraph comes back first."""
    record = extract(_story(f"<p>{LEAD}</p>").encode(), source="lanes.html")
    assert record.text.startswith(LEAD)
    assert record.text.count(LEAD) == 1
    assert record.provenance["text"].raw == "trafilatura+lead"
    assert "By Jane Doe" not in record.text


@pytest.mark.parametrize(
    "html",
    [
        # a lead block of its own between the header and the body
        _story(between=f"<div class='teaser-text'><p>{LEAD}</p></div>"),
        # no <header>, no <article>: headline, date, lead and body in plain divs
        ("<html><body><div class='news'><h1>" + HEADLINE + "</h1><div>5 March 2024</div>"
         f"<div class='intro'>{LEAD}</div><div class='text'>"
         + "".join(f"<p>{p}</p>" for p in PARAGRAPHS_EN) + "</div></div></body></html>"),
        # CMS class names: camelCase (Brightspot, Plone), a German "Vorspann"
        _story(between=f"<h2 class='Page-subHeadline'>{LEAD}</h2>"),
        _story(between=f"<div class='documentDescription'>{LEAD}</div>"),
        _story(between=f"<p class='artikel-vorspann'>{LEAD}</p>"),
    ],
)  # fmt: skip
def test_standfirst_marked_as_such_comes_back(html: str) -> None:
    """A lead set apart from the body in a block its class names as a lead, or in the
    article's own <header>, wherever the template puts it."""
    assert _lead(html) == [LEAD]


def test_unmarked_prose_before_the_body_stays_out() -> None:
    """A sentence between headline and body that nothing marks as the lead (a caption in
    any language, an embedded post, a box) is not taken: the walk never guesses."""
    for block in (f"<div class='bildunterschrift'>{LEAD}</div>", f"<div>{LEAD}</div>",
                  f"<blockquote class='twitter-tweet'><p>{LEAD}</p></blockquote>"):
        assert _lead(_story(between=block)) == [], block


def test_lead_goes_first_before_short_opening_lines() -> None:
    """When the body opens with short lines, the lead still comes first: it stands above
    the body in the page."""
    html = _story(between=f"<div class='lead'>{LEAD}</div>").replace(
        "<div class='article-body'>", "<div class='article-body'><p>It is official.</p>")
    record = extract(html.encode(), source="lanes.html")
    assert record.text.startswith(LEAD + "\n")
    assert "It is official." in record.text


def test_page_without_a_lead_is_unchanged() -> None:
    """No prose before the body: the body is trafilatura's, and says so."""
    record = extract(_story().encode(), source="lanes.html")
    assert record.text.startswith(PARAGRAPHS_EN[0])
    assert record.provenance["text"].raw == "trafilatura"


def test_teaser_cards_never_join_the_story() -> None:
    """Other <article>s (teaser cards) and teasers inside a link, before or after the
    story, are not its lead, even with a summary class."""
    card = (f"<article class='card'><header><p class='summary'>{TEASER}</p></header>"
            "<a href='/news/library-opens'>Read</a></article>")
    linked = f"<div class='inline-teaser'><a href='/library'><p>{TEASER}</p></a></div>"
    html = _story(after=card, between=card + linked)
    assert _lead(html) == []
    assert TEASER not in extract(html.encode(), source="lanes.html").text


def test_caption_and_short_lines_stay_out() -> None:
    """A figure caption, a kicker and a date line before the body are no standfirst."""
    extra = (f"<figure><img src='a.jpg'><figcaption><p class='lead'>{LEAD}</p></figcaption>"
             "</figure><p>Transport</p><div>Updated 5 March 2024 at 10:00.</div>")
    assert _lead(_story(extra)) == []
    assert _lead(_story(between=f"<div class='image-description'>{LEAD}</div>")) == []
    assert _lead(_story(between=f"<p class='leadImageCaption'>{LEAD}</p>")) == []


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
def test_prose_that_is_not_the_standfirst_stays_out(header_extra: str, between: str) -> None:
    """An author box, a disclosure, a player notice, a key-points list, an aside, hidden
    dialogs, a paywall box and related stories never open the story, whatever else their
    classes say."""
    assert _lead(_story(header_extra, between=between)) == []


def test_words_around_the_lead_mark_count_only_beside_the_headline() -> None:
    """A wrapper that holds the headline may say "photo" or "authors" (a photo header, a
    header "with-authors"); a box that does not (an author box, a picture's wrapper) rules
    out a lead-marked block inside it."""
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS_EN)
    hero = (f"<html><body><main><div class='hero hero--photo story-header--with-authors'>"
            f"<h1>{HEADLINE}</h1><p class='dek'>{LEAD}</p></div><div class='body'>{body}"
            "</div></main></body></html>")
    assert _lead(hero) == [LEAD]
    box = hero.replace(f"<p class='dek'>{LEAD}</p></div>",
                       f"</div><div class='author-box'><p class='description'>{LEAD}</p></div>")
    assert _lead(box) == []


def test_nothing_is_taken_from_above_the_headline() -> None:
    """The walk back from the body stops at the page's <h1>, or at a heading marked as the
    post's title: a site's tagline above the headline is no lead."""
    tagline = ("<div class='site-intro'>Independent news and views from the northern "
               "districts of the city, every day since 1887.</div>")
    assert _lead(_story(before=tagline)) == []
    blog = ("<html><body><div id='header'><p class='description'>Notes on cycling, city "
            "planning and everyday life in the valley, written by a commuter.</p></div>"
            f"<h3 class='post-title entry-title'>{HEADLINE}</h3><div class='post-body'>"
            + "".join(f"<p>{p}</p>" for p in PARAGRAPHS_EN) + "</div></body></html>")
    assert _lead(blog) == []


def test_headline_set_in_a_lesser_heading_is_not_the_lead() -> None:
    """A blog that sets the headline in <h3> (its <h1> is the blog's name): the headline,
    known from the page title, never becomes a body paragraph."""
    question = "Should the council expand the network of protected bike lanes this year?"
    html = ("<html><body><h1>Jane's blog</h1><div class='post'>"
            f"<h3 class='story-subtitle'>{question}</h3>"
            + "".join(f"<p>{p}</p>" for p in PARAGRAPHS_EN) + "</div></body></html>")
    assert _lead(html, title=f"{question} | Jane's blog") == []
    assert _lead(html) == [question]  # without the title, a marked question reads as a dek


def test_site_header_inside_a_page_wide_article_stays_out() -> None:
    """A masthead's appeal is not the lead when the whole page is one <article>."""
    html = ("<html><body><article class='page'><header class='site-header'><div "
            "class='intro'>Our newsroom relies on readers like you, so please donate today "
            "to keep local journalism free.</div></header>"
            + "".join(f"<p>{p}</p>" for p in PARAGRAPHS_EN) + "</article></body></html>")
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


def test_line_breaks_and_soft_hyphens_in_the_standfirst() -> None:
    """A <br> between two sentences of the lead becomes a space; soft hyphens go, as
    trafilatura drops them from the body (where they must not hide the body's opening)."""
    first, second = LEAD.split(", the council")
    html = _story(f"<p class='lead'>Pro&shy;tected{first[9:]}.<br>The council{second}</p>")
    # the body's longest opening word is hyphenated in the page: the next one is searched
    html = html.replace(PARAGRAPHS_EN[0], PARAGRAPHS_EN[0].replace("protected", "pro&shy;tected"))
    assert _lead(html) == [f"{first}. The council{second}"]


def test_copies_of_the_body_are_not_doubled() -> None:
    """When trafilatura kept the lead, or the block above is a truncated excerpt of the
    body's first paragraph, nothing is added."""
    assert _lead(_story(f"<p class='lead'>{LEAD}</p>"), [LEAD, *PARAGRAPHS_EN]) == []
    opening = "Good news for cyclists at last."
    excerpt = " ".join(f"{opening} {PARAGRAPHS_EN[0]}".split()[:25]) + "…"
    html = _story(f"<p class='excerpt'>{excerpt}</p>").replace(
        "<div class='article-body'>", f"<div class='article-body'><p>{opening}</p>")
    assert _lead(html, [opening, *PARAGRAPHS_EN]) == []


def test_a_copy_of_the_opening_in_a_teaser_strip_is_not_the_body() -> None:
    """The story's own teaser in a strip above the page repeats its first paragraph; the
    body is where the next paragraph follows, so the strip's neighbours are never leads."""
    strip = ("<div class='top-stories'>"
             f"<div class='teaser'><p class='summary'>{TEASER}</p></div>"
             f"<div class='teaser'><p class='summary'>{PARAGRAPHS_EN[0]}</p></div></div>")
    html = _story(before=strip)
    assert _lead(html) == []
    assert _lead(html.replace("</h1>", f"</h1><p class='lead'>{LEAD}</p>")) == [LEAD]


def test_body_opening_with_a_list_finds_its_lead() -> None:
    """trafilatura writes list items with a "- " prefix; the page does not."""
    items = ["The council approved protected lanes for all northern districts on Tuesday.",
             "Work starts in March and is paid for from the existing transport budget."]
    html = _story(between=f"<p class='lead'>{LEAD}</p>").replace(
        "<div class='article-body'>",
        "<div class='article-body'><ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>")
    assert _lead(html, [f"- {i}" for i in items] + list(PARAGRAPHS_EN)) == [LEAD]


@pytest.mark.parametrize(
    "between",
    [
        f"<div data-gu-name='standfirst'><p>{LEAD}</p></div>",
        f"<p data-qa='subheadline'>{LEAD}</p>",
        f"<div itemprop='description'>{LEAD}</div>",
    ],
)  # fmt: skip
def test_marks_in_data_attributes_and_itemprop(between: str) -> None:
    """Sites with hashed or utility class names say what a block is in data-* attributes or
    schema.org's itemprop."""
    assert _lead(_story(between=between)) == [LEAD]


def test_a_dek_named_as_such_may_end_without_a_stop() -> None:
    """Sub-headlines often have no final stop: one whose own class names it a dek comes
    back; an unmarked sentence fragment in a marked wrapper does not."""
    dek = LEAD.rstrip(".")
    assert _lead(_story(between=f"<h2 class='content-head__subtitle'>{dek}</h2>")) == [dek]
    assert _lead(_story(between=f"<div class='intro'><p>{dek}</p></div>")) == []
    assert _lead(_story(between=f"<p class='dek'>{LEAD}\u200e</p>")) == [LEAD]


def test_lead_pictures_and_cards_stay_out() -> None:
    """The "lead art" is a picture, not a lead, and its caption stays out; so does the text
    of another story's card (a heading that links elsewhere beside it), while the story's
    own header may link its author."""
    art = (f"<div class='lead-art'><img src='a.jpg'><div><span>{LEAD}</span></div></div>")
    assert _lead(_story(between=art)) == []
    card = ("<div class='top'><h3 class='teaser__title'><a href='/other'>Library opens</a></h3>"
            f"<p class='teaser__text'>{TEASER}</p></div>")
    html = ("<html><body>" + card + "<div class='article'><div>"
            + HEADLINE + "</div><div class='article-body'>"
            + "".join(f"<p>{p}</p>" for p in PARAGRAPHS_EN) + "</div></div></body></html>")
    assert _lead(html) == []
    own = _story(f"<p class='article-excerpt'>{LEAD}</p><h4 class='author-name'><a "
                 "href='/author/jane'>Jane Doe</a></h4>")
    assert _lead(own) == [LEAD]


def test_a_related_box_between_lead_and_body_does_not_stop_the_walk() -> None:
    """Post titles inside a related-posts box are not the story's headline."""
    box = ("<div class='related-posts'><h4 class='post-title'><a href='/x'>Library opens in "
           "market hall</a></h4></div>")
    assert _lead(_story(f"<p class='standfirst'>{LEAD}</p>", between=box)) == [LEAD]


def test_body_found_behind_a_dateline_and_a_drawing() -> None:
    """The body's block may open with a dateline line ("LONDON<br>"), and a large inline
    drawing between lead and body counts as one node of the walk."""
    drawing = "<svg>" + "<path d='M0 0'/>" * 2000 + "</svg>"
    html = _story(f"<p class='lead'>{LEAD}</p>", between=drawing).replace(
        f"<p>{PARAGRAPHS_EN[0]}</p>", f"<p>LONDON<br>{PARAGRAPHS_EN[0]}</p>")
    assert _lead(html) == [LEAD]


def test_the_body_is_where_its_next_paragraph_follows_closely() -> None:
    """A copy of the opening in a bar at the top of the page is confirmed only loosely (the
    page wrapper holds the rest of the story too); the body's own block, whose siblings hold
    the next paragraph, wins."""
    html = _story(f"<p class='lead'>{LEAD}</p>").replace(
        "<body>", f"<body><div class='page'><div class='topbar'><p>{PARAGRAPHS_EN[0]}</p></div>"
    ).replace("</body>", "</div></body>")
    assert _lead(html) == [LEAD]


def test_unmarked_caption_in_the_header_stays_out() -> None:
    """In the article's header an unmarked sentence beside a picture is its caption."""
    html = _story(f"<div><img src='a.jpg'><p>{LEAD}</p></div>")
    assert _lead(html) == []
    assert _lead(_story(f"<div><p>{LEAD}</p></div>")) == [LEAD]


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
