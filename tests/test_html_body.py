"""The HTML second pass on invented pages: what it removes from trafilatura's body, and what
it must leave alone."""

from __future__ import annotations

import pytest

from services.normalize.build import extract
from services.normalize.cleaner import clean_body
from services.normalize.html import parse_html, tail_links
from tests.test_metadata import PARAGRAPHS_EN, _page

HEADLINES = [
    "Harbour pier to reopen after two winters",
    "What the new tram timetable means for commuters",
    "Five questions about the school budget",
    "Museum opens its archive to the public",
]


def _items(linked: bool) -> str:
    """List items; linked ones carry the link on part of the headline, as round-up lists
    do (trafilatura itself drops items that are links through and through)."""
    if not linked:
        return "".join(f"<li>{h}</li>" for h in HEADLINES)
    out = []
    for h in HEADLINES:
        words = h.split()
        cut = len(words) // 2
        slug = "-".join(words).lower()
        out.append(f"<li>{' '.join(words[:cut])} <a href='/news/2024/03/{slug}'>"
                   f"{' '.join(words[cut:])}</a></li>")
    return "".join(out)


def _removed(record: object, signal: str) -> list[str]:
    return [r.text for r in record.removed if signal in r.signals]  # type: ignore[attr-defined]


def test_list_of_links_under_a_heading_ending_the_body_is_removed() -> None:
    """A heading and a list of linked headlines closing the article are related links."""
    tail = f"<h2>More from the Example</h2><ul>{_items(linked=True)}</ul>"
    record = extract(_page("<title>Bike lanes</title>", PARAGRAPHS_EN, tail=tail).encode(),
                     source="a.html", url="https://e.example/news/bikes")
    assert record.text.split("\n\n") == PARAGRAPHS_EN
    gone = _removed(record, "link_list")
    assert gone == ["More from the Example", *(f"- {h}" for h in HEADLINES)]
    assert {r.category for r in record.removed if "link_list" in r.signals} == {"related"}


def test_list_without_links_or_without_heading_stays() -> None:
    """Plain list items (no links) or linked items with no heading are kept as article text."""
    plain = f"<h2>What changes</h2><ul>{_items(linked=False)}</ul>"
    headless = f"<ul>{_items(linked=True)}</ul>"
    for tail in (plain, headless):
        record = extract(_page("<title>Bike lanes</title>", PARAGRAPHS_EN, tail=tail).encode(),
                         source="b.html", url="https://e.example/news/bikes")
        assert f"- {HEADLINES[0]}" in record.text
        assert not _removed(record, "link_list")


def test_lists_that_are_content_stay() -> None:
    """Unlinked items also found in the site's menu, or an introduced list ("at a
    glance:"), are content, not a related-links list."""
    nav = "".join(f"<li><a href='/topics/{h.lower().replace(' ', '-')}-news'>{h}</a></li>"
                  for h in HEADLINES)
    page = _page("<title>Bike lanes</title>", PARAGRAPHS_EN,
                 tail=f"<h2>Further reading</h2><ul>{_items(linked=False)}</ul>")
    page = page.replace("<nav>", f"<nav><ul>{nav}</ul>")
    glance = _page("<title>Bike lanes</title>", PARAGRAPHS_EN,
                   tail=f"<h2>The new rules at a glance:</h2><ul>{_items(linked=True)}</ul>")
    for html in (page, glance):
        record = extract(html.encode(), source="c.html", url="https://e.example/news/bikes")
        assert "\n\n- " in record.text  # the list reached the second pass, and stays
        assert not _removed(record, "link_list")


def test_only_links_to_the_sites_articles_count() -> None:
    """An item counts as linked when a link stays on the site and names an article (a
    slug or a number); links elsewhere, to sections or to other sites, do not."""
    hrefs = ["/news/2024/03/harbour-pier-to-reopen", "https://www.e.example/a/123456",
             "/news/", "https://other.example/news/harbour-pier-to-reopen", "mailto:a-b-c@e.x"]
    items = "".join(f"<li>Item {k} <a href='{h}'>here</a></li>" for k, h in enumerate(hrefs))
    tree = parse_html(f"<html><body><ul>{items}</ul></body></html>")
    assert tree is not None
    paragraphs = ["Intro", *(f"- Item {k} here" for k in range(len(hrefs)))]
    assert tail_links(tree, paragraphs, "https://e.example/news/bikes") == {1, 2}
    assert tail_links(tree, paragraphs[:3], "https://e.example/news/bikes") == frozenset()


def test_closing_list_items_are_read_as_trafilatura_writes_them() -> None:
    """Soft hyphens and script text in an item do not hide it from the page lookup."""
    items = "".join(f"<li>Item&shy;{k} <script>x()</script><a href='/news/2024/03/item-{k}-story'>"
                    "here</a></li>" for k in range(3))
    tree = parse_html(f"<html><body><ul>{items}</ul></body></html>")
    assert tree is not None
    paragraphs = ["Intro", *(f"- Item{k} here" for k in range(3))]
    assert tail_links(tree, paragraphs, "https://e.example/news/bikes") == {1, 2, 3}


def test_a_malformed_link_in_the_closing_list_is_skipped() -> None:
    """An href that is no URL ("http://[oops/") neither fails the page nor counts."""
    hrefs = ["http://[oops/", "/news/2024/03/harbour-pier-to-reopen", "/news/2024/03/tram-times",
             "/news/2024/03/school-budget"]
    items = "".join(f"<li>Item {k} <a href='{h}'>here</a></li>" for k, h in enumerate(hrefs))
    tree = parse_html(f"<html><body><ul>{items}</ul></body></html>")
    assert tree is not None
    paragraphs = ["Intro", *(f"- Item {k} here" for k in range(len(hrefs)))]
    assert tail_links(tree, paragraphs, "https://e.example/news/bikes") == {2, 3, 4}


def test_dated_linked_headlines_without_heading_are_recent_posts() -> None:
    """A closing list of linked headlines each ending with its date is a "recent posts" box,
    even when extraction dropped its heading; without the dates the list stays."""
    dates = ["March 3, 2024", "March 2, 2024", "28 February 2024"]
    dated = [f"- {h} - {d}" for h, d in zip(HEADLINES, dates, strict=False)]
    linked = range(len(PARAGRAPHS_EN), len(PARAGRAPHS_EN) + len(dated))
    c = clean_body([*PARAGRAPHS_EN, *dated], linked=linked)
    assert c.paragraphs == PARAGRAPHS_EN
    assert [r.signals for r in c.removed] == [("link_list", "item", "tail")] * len(dated)
    undated = [f"- {h}" for h in HEADLINES[:3]]
    assert clean_body([*PARAGRAPHS_EN, *undated], linked=linked).paragraphs == [
        *PARAGRAPHS_EN, *undated]


def test_without_a_url_the_canonical_link_tells_the_site() -> None:
    """A page dropped as a file (no URL) has its closing links judged against its canonical
    URL's host."""
    tail = f"<h2>More from the Example</h2><ul>{_items(linked=True)}</ul>".replace(
        "href='/news/", "href='https://e.example/news/")
    head = "<title>Bike lanes</title><link rel='canonical' href='https://e.example/news/bikes'>"
    record = extract(_page(head, PARAGRAPHS_EN, tail=tail).encode(), source="a.html")
    assert record.text.split("\n\n") == PARAGRAPHS_EN
    assert len(_removed(record, "link_list")) == 1 + len(HEADLINES)


def test_short_linked_names_are_no_link_list() -> None:
    """Linked items of a few words (winners, places, names) under a heading stay."""
    names = ["- Best film: The Long Story", "- Best actor: Jane Doe", "- Best music: Red Sky"]
    body = [*PARAGRAPHS_EN, "Winners", *names]
    linked = range(len(PARAGRAPHS_EN) + 1, len(body))
    assert clean_body(body, linked=linked).paragraphs == body


def test_list_of_linked_sentences_stays() -> None:
    """Linked items that are sentences (a list of findings, of steps) are not a link list."""
    items = [f"- {p.split(',')[0]}." for p in PARAGRAPHS_EN]
    body = [*PARAGRAPHS_EN, "Key points", *items]
    linked = range(len(PARAGRAPHS_EN) + 1, len(body))
    assert clean_body(body, linked=linked).paragraphs == body


def test_dateline_at_either_edge_of_the_body_is_removed() -> None:
    """A short date line first or last in the body goes; a date inside a sentence stays."""
    first, last = "March 5, 2024 | Jane Doe", "Aktualisiert: 05.03.2024, 11:00"
    middle = "The vote on 5 March 2024 followed a year of consultations."
    body = [first, PARAGRAPHS_EN[0], middle, *PARAGRAPHS_EN[1:], last]
    c = clean_body(body)
    assert c.paragraphs == [PARAGRAPHS_EN[0], middle, *PARAGRAPHS_EN[1:]]
    assert [(r.category, r.text, r.signals) for r in c.removed] == [
        ("other", first, ("date_or_time", "head")),
        ("other", last, ("date_or_time", "tail")),
    ]


@pytest.mark.parametrize(
    "line",
    [
        "Endstand: THW Kiel – SG Flensburg-Handewitt 31:28 (15:13)",
        "Info: Bürgerversammlung am Donnerstag, 14.11.2024, 19 Uhr, Rathaussaal",
        "Horario: de martes a domingo, de 10:00 a 20:00",
        "Renseignements et inscriptions au 04.78.12.34.56",
        "“Love your neighbour as yourself” — Mark 12:31",
        "Tested with firmware 2.4.11 and app version 5.1.20",
        "14:05 Uhr – Polizei sperrt die Innenstadt weiträumig ab",
    ],
)  # fmt: skip
def test_times_scores_numbers_and_dated_notices_at_the_edges_stay(line: str) -> None:
    """A time, a score, a phone number, a verse, a version or a dated notice with more to
    say is no dateline, first or last."""
    for body in ([line, *PARAGRAPHS_EN], [*PARAGRAPHS_EN, line]):
        assert clean_body(body).paragraphs == body


def test_short_body_and_dated_subheading_stay() -> None:
    """In a body of three paragraphs nothing is a dateline; nor is a dated sub-heading
    before the last paragraph."""
    short = ["Schools close early on 05.03.2024", *PARAGRAPHS_EN[:2]]
    assert clean_body(short).paragraphs == short
    body = [*PARAGRAPHS_EN[:3], "Neue Tarife ab 01.01.2025", PARAGRAPHS_EN[3]]
    assert clean_body(body).paragraphs == body


def test_date_lines_inside_the_body_and_dated_list_items_stay() -> None:
    """A date line amid the story (a schedule) and dated list items at the end are content."""
    schedule = "Saturday, 9 March 2024"
    dated = ["- 12 May 2023: first consultation", "- 28 May 2023: public hearing"]
    body = [*PARAGRAPHS_EN[:2], schedule, *PARAGRAPHS_EN[2:], *dated]
    assert clean_body(body).paragraphs == body


def _disguise(text: str) -> str:
    """Swap some Latin letters for their Cyrillic look-alikes, as filter-dodging ads do."""
    return text.translate(str.maketrans({"a": "а", "e": "е", "o": "о", "c": "с", "p": "р"}))


def test_text_disguised_with_look_alike_letters_is_removed() -> None:
    """An advertisement written with Cyrillic look-alikes inside Latin words goes as promo."""
    ad = _disguise("Advertise with the most visited news site in the region. We offer "
                   "complete digital marketing packages. Contact our sales team today.")
    c = clean_body([*PARAGRAPHS_EN, ad])
    assert c.paragraphs == list(PARAGRAPHS_EN)
    assert [(r.category, r.signals) for r in c.removed] == [("promo", ("mixed_script",))]


@pytest.mark.parametrize(
    "line",
    [
        "Компания Apple представила новый iPhone и обновила macOS для всех пользователей.",
        "The α-helix and the β-sheet are the two folds the team measured in the protein.",
        "Ο δήμαρχος είπε ότι το πρόγραμμα Erasmus+ θα συνεχιστεί και το επόμενο έτος.",
        "Cells were treated with TNFα, IFNγ and TGFβ for 24 hours before the NF-κB assay.",
        "Dose: 50μg daily, filter 0.2μm, resistor 4.7kΩ, current 15μA.",
        "Since sinθ = y/r and cosθ = x/r, it follows that tanθ = sinθ/cosθ for every angle.",
        # Ukrainian typed with a Latin "i", Russian with inflected brand names
        "Президент Украiни заявив, що уряд пiдтримає фермерiв у захiдних областях цiєї зими.",
        "Продажи iPhoneов и Samsungов выросли, а доля Xiaomiя упала во втором квартале.",
        # one odd word is a typo, not a campaign
        _disguise("Concert") + " sold out.",
    ],
)  # fmt: skip
def test_text_in_two_scripts_word_by_word_stays(line: str) -> None:
    """Latin names in Russian or Greek text, Greek letters in science and units, Cyrillic
    words with a stray Latin letter, a single odd word: no Latin word wears look-alikes."""
    body = [*PARAGRAPHS_EN, line]
    assert clean_body(body).paragraphs == body


def test_invitations_to_write_to_the_paper_are_removed() -> None:
    """A German prompt to write a letter goes as promo; a story about a letter keeps it."""
    prompts = ["Schreiben Sie einen Leserbrief an die Redaktion."]
    report = ("In a letter to the editor published on Monday, the former mayor called the "
              "plan a waste of money.")
    c = clean_body([*PARAGRAPHS_EN, report, *prompts])
    assert c.paragraphs == [*PARAGRAPHS_EN, report]
    assert {r.category for r in c.removed} == {"promo"}


@pytest.mark.parametrize(
    "line",
    [
        "Residents who object have until Friday to submit a letter to the council, officials said.",
        "Candidates must submit a letter of intent to the electoral commission by 1 March.",
        "Angry about the noise, he decided to send a letter to the editor of the local paper.",
        '"I came to Iowa to hear what you think, not to lecture you," the senator said.',
        '"Our supporters never miss our home games, even in the rain," the chairman said.',
        "Viele Anwohner wollen nun einen Leserbrief schreiben, um gegen den Plan zu protestieren.",
    ],
)  # fmt: skip
def test_news_about_letters_and_listening_stays(line: str) -> None:
    """Sentences that report on letters or quote someone asking for views are the story."""
    body = [*PARAGRAPHS_EN[:2], line, *PARAGRAPHS_EN[2:]]
    assert clean_body(body).paragraphs == body


@pytest.mark.parametrize(
    "prompt",
    [
        "Subscribe to The Valley Courier to save this story",
        "Get the Evening Briefing and other newsletters",
        "Special offer for readers this week",
        "Get it on Google Play",
    ],
)
def test_short_prompt_closing_the_body_is_removed(prompt: str) -> None:
    """A short unpunctuated sign-up or app prompt among the body's last lines goes as promo."""
    c = clean_body([*PARAGRAPHS_EN, prompt])
    assert c.paragraphs == PARAGRAPHS_EN
    assert [r.category for r in c.removed] == ["promo"]


@pytest.mark.parametrize(
    "line",
    [
        "Free trial periods under scrutiny",  # a subheading among the last lines, not last
        "Readers can subscribe to the council's weekly bulletin for updates.",  # a sentence
    ],
)
def test_weak_phrases_inside_the_body_or_in_sentences_stay(line: str) -> None:
    """A weak phrase decides only on the body's last lines, and never on a sentence."""
    middle = [*PARAGRAPHS_EN[:2], line, *PARAGRAPHS_EN[2:]]
    assert clean_body(middle).paragraphs == middle
    if line.endswith("."):
        assert clean_body([*PARAGRAPHS_EN, line]).paragraphs == [*PARAGRAPHS_EN, line]


@pytest.mark.parametrize(
    "closing",
    [
        ["- Subscribe to the council's alert list", "- Check the flood map daily"],
        ["Price: four pounds a month after the free trial"],
    ],
)
def test_closing_lines_that_mention_a_weak_phrase_in_passing_stay(closing: list[str]) -> None:
    """After the last sentence, list items and lines that mention the phrase further on stay."""
    body = [*PARAGRAPHS_EN, *closing]
    assert clean_body(body).paragraphs == body


@pytest.mark.parametrize(
    "line",
    [
        "Story continues below advertisement",
        "Advertisement - Continue Reading Below",
        "Continue reading the main story",
        "Media playback is unsupported on your device",
        "SCROLL DOWN FOR VIDEO",
        "Getty Images",
        "Foto: dpa",
        "Bildergalerie",
    ],
)
def test_ad_slot_media_and_credit_labels_inside_the_body_are_removed(line: str) -> None:
    """Labels an ad slot, a player or a picture leaves in the body go, wherever they sit."""
    c = clean_body([*PARAGRAPHS_EN[:2], line, *PARAGRAPHS_EN[2:]])
    assert c.paragraphs == PARAGRAPHS_EN
    assert [r.category for r in c.removed] in (["promo"], ["media"], ["caption"])


@pytest.mark.parametrize(
    "line",
    [
        "The photo agency Getty Images said it would review the picture.",
        "Sources",  # a subheading is not a credit (not a credit word)
        "Photo finish in Leeds",
    ],
)
def test_sentences_and_headings_about_photos_stay(line: str) -> None:
    """A sentence naming a photo agency, or a heading of other words, is the article's."""
    body = [*PARAGRAPHS_EN[:2], line, *PARAGRAPHS_EN[2:]]
    assert clean_body(body).paragraphs == body


def test_an_address_alone_under_the_story_goes() -> None:
    """A reporter's or press office's email alone on one of the last lines is contact
    boilerplate; one inside the story, or in a sentence, stays."""
    for line in ("jdoe@courier.example", "E-Mail: presse@verband.example"):
        c = clean_body([*PARAGRAPHS_EN, line])
        assert c.paragraphs == PARAGRAPHS_EN
        assert [r.signals for r in c.removed] == [("email_only", "tail")]
    sentence = "Readers can write to letters@courier.example with their views."
    assert clean_body([*PARAGRAPHS_EN, sentence]).paragraphs == [*PARAGRAPHS_EN, sentence]
    early = [PARAGRAPHS_EN[0], "jdoe@courier.example", *PARAGRAPHS_EN[1:]]
    assert clean_body(early).paragraphs == early


@pytest.mark.parametrize("label", ["Related", "Read more", "Most Popular", "Weitere Themen",
                                   "Lo más leído"])
def test_a_related_box_label_left_in_the_body_goes(label: str) -> None:
    """A short line of related-box words alone is the label of links extraction dropped."""
    c = clean_body([*PARAGRAPHS_EN[:2], label, *PARAGRAPHS_EN[2:]])
    assert c.paragraphs == PARAGRAPHS_EN
    assert [r.category for r in c.removed] == ["related"]


@pytest.mark.parametrize("heading", ["More rain expected", "Next steps for the council",
                                     "Popular with commuters", "Popular Culture", "Mehr Sport"])
def test_headings_that_use_a_related_word_stay(heading: str) -> None:
    """A subheading made of other words as well is the article's."""
    body = [*PARAGRAPHS_EN[:2], heading, *PARAGRAPHS_EN[2:]]
    assert clean_body(body).paragraphs == body


def test_wordpress_share_and_like_buttons_go() -> None:
    """Jetpack's button texts ("... (Opens in new window)", "Like Loading...") are a share bar."""
    for line in ("Click to share on Mastodon (Opens in new window)", "Like Loading..."):
        c = clean_body([*PARAGRAPHS_EN[:2], line, *PARAGRAPHS_EN[2:]])
        assert c.paragraphs == PARAGRAPHS_EN
        assert [r.category for r in c.removed] == ["share"]
