"""Unit tests of the cleaner's structural rules and fast page arrays (invented texts)."""

from __future__ import annotations

import pytest

from services.normalize.cleaner import clean_body, clean_capture
from services.normalize.cleaner.blocks import canonical, page_from_text, split_lines
from services.normalize.cleaner.language import vote_language
from services.normalize.cleaner.lexicon import normalize
from tests.conftest import DE_BODY
from tests.conftest import capture_page as page

EN_BODY = [
    "The village council agreed on Tuesday to reopen the old ferry landing, which has been "
    "closed since the spring floods damaged its wooden deck and railings.",
    "Repairs will start next month and should be finished before the summer season, the "
    "mayor told residents at a packed meeting in the school hall.",
    "The ferry operator said it would run an extra evening crossing on weekends once the "
    "landing is back in use, and that fares would not change this year.",
]
EN_TITLE = "Ferry landing to reopen after flood repairs"




def _thread(rows: list[tuple[str, str, str]], opener: str, reply: str) -> list[str]:
    out: list[str] = []
    for name, when, text in rows:
        out += [f"{name} {opener}", when, text, reply]
    return out


def test_comment_thread_without_heading_removed_english() -> None:
    """A comment thread found by its furniture (says:, dates, Reply) loses to a short article."""
    # The article wins even though the comments are longer prose.
    rows = [
        ("Margaret Hill", "March 3, 2021 at 10:15 am",
         "I have lived here for forty years and I can tell you that the landing has always "
         "been the heart of this village, so this is very welcome news for all of us."),
        ("Tom B.", "March 3, 2021 at 11:02 am",
         "Finally some common sense from the council, although I do wonder why it took them "
         "the best part of a year to make a decision that everybody could see was needed."),
        ("Priya", "March 4, 2021 at 8:40 am",
         "Will the evening crossing also run on bank holidays? My family visits every summer "
         "and the last boat has always been far too early for anyone coming back late."),
        ("Old Sailor", "March 4, 2021 at 9:12 am",
         "The deck was rotten long before the floods, anyone who walked on it knew that, and "
         "the repairs should have been done years ago when the money was still there."),
    ]  # fmt: skip
    c = clean_capture(page("Home", "News", EN_TITLE, EN_BODY, _thread(rows, "says:", "Reply")))
    assert c.paragraphs == EN_BODY
    assert all(r.category == "comments" for r in c.removed if "rotten" in r.text)


def test_comment_thread_without_heading_removed_german() -> None:
    """German thread furniture (schrieb:, relative times, Antworten) also ends the body."""
    body = [
        "Der Gemeinderat hat am Dienstag beschlossen, die alte Fähranlegestelle wieder zu "
        "öffnen, die seit dem Hochwasser im Frühjahr gesperrt ist.",
        "Die Reparatur soll im kommenden Monat beginnen und vor der Sommersaison fertig sein, "
        "wie die Bürgermeisterin bei einer Versammlung in der Schule sagte.",
        "Der Fährbetrieb kündigte an, am Wochenende zusätzlich eine Abendfahrt anzubieten, "
        "sobald der Anleger wieder benutzt werden kann.",
    ]
    rows = [
        ("Hanna K.", "vor 3 Tagen",
         "Ich wohne seit vierzig Jahren hier und kann nur sagen, dass der Anleger immer das "
         "Herz unseres Dorfes war, deshalb freuen wir uns alle sehr über diese Nachricht."),
        ("Jens", "vor 2 Tagen",
         "Endlich eine vernünftige Entscheidung des Rates, auch wenn ich mich frage, warum es "
         "fast ein ganzes Jahr gedauert hat, bis sich jemand darum gekümmert hat."),
        ("Alter Seebär", "vor 5 Stunden",
         "Die Planken waren schon lange vor dem Hochwasser morsch, das wusste jeder, der dort "
         "entlanggegangen ist, und man hätte das schon vor Jahren reparieren müssen."),
    ]  # fmt: skip
    c = clean_capture(page("Startseite", "Anleger wird wieder geöffnet", body,
                           _thread(rows, "schrieb:", "Antworten")))  # fmt: skip
    assert c.paragraphs == body
    assert c.language == "de"
    times = [r for r in c.removed if r.text.startswith("vor ")]
    assert times and all("relative_time" in r.signals for r in times)


def test_list_items_inside_body_kept_spanish() -> None:
    """A list of short items between two body paragraphs stays in the text."""
    items = [
        "Dos tazas de harina de trigo",
        "Tres huevos grandes a temperatura ambiente",
        "Una cucharada de azúcar moreno",
        "Medio litro de leche entera",
    ]
    body = [
        "La receta de esta semana es un bizcocho sencillo que se prepara en menos de una hora "
        "y que gusta tanto a los niños como a los mayores de la casa.",
        *items,
        "Se mezclan primero los huevos con el azúcar, después se añade la leche y por último la "
        "harina, sin dejar de remover para que no queden grumos en la masa.",
    ]
    c = clean_capture(page("Inicio", "Recetas", "Bizcocho de la abuela", body,
                           "Deja un comentario"))  # fmt: skip
    assert c.paragraphs == body
    assert all(r.text not in items for r in c.removed)


def test_link_run_between_paragraphs_still_removed() -> None:
    """A run of one-word links between two paragraphs is not a list: it is removed."""
    links = ["Gardening", "Recipes", "Motoring", "Puzzles", "Obituaries"]
    c = clean_capture(page(EN_TITLE, EN_BODY[:2], links, EN_BODY[2:]))
    assert c.paragraphs == EN_BODY
    assert {r.text for r in c.removed} >= set(links)


def test_standfirst_below_headline_kept_french() -> None:
    """A long standfirst without a final full stop between title and body is kept."""
    title = "La ville inaugure une nouvelle ligne de tramway"
    lead = (
        "Après trois ans de travaux, la ligne relie enfin la gare au campus et promet de "
        "désengorger le centre aux heures de pointe"
    )
    body = [
        "La nouvelle ligne de tramway, longue de huit kilomètres, a été inaugurée samedi en "
        "présence du maire et de nombreux habitants venus l'essayer.",
        "Elle relie la gare centrale au campus universitaire en moins de vingt minutes, avec un "
        "passage toutes les six minutes aux heures de pointe.",
        "Les commerçants du centre espèrent désormais retrouver une clientèle qui avait "
        "déserté les rues pendant toute la durée du chantier.",
    ]
    c = clean_capture(page("Accueil", "Actualités", title, title, lead, body,
                           "Laisser un commentaire"))  # fmt: skip
    assert c.title == title
    assert c.paragraphs == [lead, *body]


def test_closing_line_without_full_stop_kept_german() -> None:
    """The article's last sentence, set without a final stop, stays in the text."""
    body = list(DE_BODY)
    last = (
        "Wer bis dahin noch Bücher zurückgeben möchte, kann das wie gewohnt an der "
        "Rückgabeklappe neben dem Haupteingang tun"
    )
    c = clean_capture(page("Stadtbibliothek wird saniert", body, last, "Impressum",
                           "Datenschutz", "Kontakt"))  # fmt: skip
    assert c.paragraphs == [*body, last]


def test_near_repeated_caption_removed_but_table_rows_kept() -> None:
    """A caption and its reworded alt text go as near repeats; merely similar table rows stay."""
    cap_a = (
        "Workers inspect the damaged wooden pilings of the old grain pier at low tide on "
        "Monday morning"
    )
    cap_b = (
        "Workers inspect the damaged wooden pilings of the old grain pier during low tide "
        "early on Monday"
    )
    c = clean_capture(page(EN_TITLE, EN_BODY[:1], cap_a, cap_b, EN_BODY[1:]))
    assert c.paragraphs == EN_BODY
    assert {r.category for r in c.removed if r.text in (cap_a, cap_b)} == {"caption"}
    rows = ["Ferry tickets for adults cost four pounds per crossing",
            "Ferry tickets for children cost two pounds per crossing",
            "Ferry tickets for bicycles cost one pound per crossing"]  # fmt: skip
    c = clean_capture(page(EN_TITLE, EN_BODY[:1], rows, EN_BODY[1:]))
    assert c.paragraphs == [EN_BODY[0], *rows, *EN_BODY[1:]]


def test_short_run_cut_off_by_promo_island_kept() -> None:
    """Prose cut off by a block of sign-up and sharing prompts is kept; the prompts are removed."""
    # The cut-off prose is kept as a second run.
    island = ["Sign up for our newsletter", "Share on Facebook", "Share on Twitter",
              "Follow us on Instagram", "Download the app", "Subscribe now",
              "Read more", "Related articles", "Share this article"]  # fmt: skip
    tail = [
        "Work on the landing is expected to cost about two hundred thousand pounds, most of it "
        "covered by the insurance claim filed after the floods last spring.",
        "The council will publish the full timetable for the works on its website next week, "
        "together with the dates on which the crossing has to close for the heavy lifting.",
    ]
    c = clean_capture(page(EN_TITLE, EN_BODY, island, tail, "All rights reserved"))
    assert c.paragraphs == [*EN_BODY, *tail]
    assert all(r.text not in tail for r in c.removed)


def test_consent_banner_phrases_removed() -> None:
    """Consent-banner lines in Spanish and Polish are removed as site boilerplate."""
    es = "Utilizamos cookies propias y de terceros para mejorar nuestros servicios."
    pl = "Używamy plików cookie, aby zapewnić najlepszą jakość korzystania z serwisu."
    c = clean_capture(page(EN_TITLE, EN_BODY, es, pl))
    assert c.paragraphs == EN_BODY
    assert {r.category for r in c.removed if r.text in (es, pl)} == {"site"}


def test_vote_language_on_function_words() -> None:
    """Polish and Italian prose are recognised from their function words alone."""
    pl = (
        "Rada miasta zdecydowała w poniedziałek, że stary most zostanie wyremontowany, "
        "ale prace nie rozpoczną się przed jesienią, ponieważ nie ma jeszcze wykonawcy, "
        "który przygotowałby projekt oraz kosztorys dla całej inwestycji. "
    ) * 3
    it = (
        "Il consiglio comunale ha deciso che il vecchio ponte sarà restaurato, ma i lavori "
        "non inizieranno prima dell'autunno perché non è stato ancora scelto chi dovrà "
        "preparare il progetto della nuova struttura e questo è un problema. "
    ) * 3
    for text, lang in ((pl, "pl"), (it, "it")):
        p = page_from_text(text)
        assert vote_language(p.norms, p.n_words, p.terminal) == lang
    menu = page_from_text("Home\nNews\nSport\nWeather\nContact us")
    assert vote_language(menu.norms, menu.n_words, menu.terminal) is None


def test_page_normalization_matches_line_normalization() -> None:
    """Whole-page normalization gives the per-line normal form, line by line."""
    text = (
        "Read more »\n„Zitat“ – sagte sie, 12.03.2024!\nDon’t miss: 3 comments\n"
        "  Café\u00a0au  lait  \n\n¿Qué pasó? 1 200 €\nl'homme d'État"
    )
    p = page_from_text(text)
    assert p.lines == split_lines(text)
    assert [canonical(n) for n in p.norms] == [normalize(line) for line in p.lines]


def test_clean_body_keeps_multiline_paragraph_whole() -> None:
    """clean_body treats a paragraph with an inner line break as one paragraph (Italian)."""
    from services.normalize.cleaner import clean_body

    paras = [
        "Il consiglio comunale ha approvato ieri il restauro del vecchio ponte,\nchiuso da "
        "due anni dopo la piena del fiume.",
        "Iscriviti alla nostra newsletter settimanale.",
        "I lavori dureranno circa otto mesi e costeranno due milioni di euro.",
    ]
    c = clean_body(paras)
    assert c.paragraphs == [" ".join(paras[0].split()), paras[2]]
    assert [r.category for r in c.removed] == ["promo"]


def test_footer_starts_at_a_footer_not_at_a_lone_help_link() -> None:
    """A lone "Help" link in an account menu is no footer; a link cluster or a copyright is."""
    from services.normalize.cleaner import classify
    from services.normalize.cleaner.stopwords import stoplist

    lines = ["Login", "Help", "Newsletter", "Search", "Weather", "Jobs", "Recipes", "Video",
             "Contact", "Imprint", "Privacy", "Cookie settings", "Sitemap",
             "© 2024 Example Media. All rights reserved."]  # fmt: skip
    p = page_from_text("\n".join(lines))
    classify.evidence(p, stoplist("en"))
    site = [i for i in range(p.n) if p.cat[i] == "site"]
    assert {lines[i] for i in site} >= {"Help", "Imprint", "Privacy", "Sitemap"}
    assert not classify._footer_marker(p, lines.index("Help"))
    assert classify._footer_marker(p, lines.index("Imprint"))
    assert classify._footer_marker(p, len(lines) - 1)


def test_sentence_sparse_in_function_words_kept_between_captions_german() -> None:
    """A German sentence sparse in function words between two captions is body, not boilerplate."""
    sparse = ("Steigende Energiepreise, teure Baumaterialien, fehlende Fachkräfte, lange "
              "Genehmigungsverfahren und strenge Auflagen verzögern zahlreiche kommunale "
              "Bauprojekte erheblich.")  # fmt: skip
    cap = "Blick in den Lesesaal der alten Stadtbibliothek"
    c = clean_capture(page("Stadtbibliothek wird saniert", list(DE_BODY[:2]), cap, cap,
                           sparse, "Foto: Stadtarchiv", list(DE_BODY[2:])))  # fmt: skip
    assert sparse in c.paragraphs
    assert cap not in c.paragraphs


def test_repeated_numbers_in_a_table_are_not_captions() -> None:
    """Repeated table values ("12 %") are not captions or duplicates; prose around it stays."""
    table = ["Region", "2023", "2024", "North", "12 %", "12 %", "South", "8 %", "12 %",
             "East", "8 %", "8 %"]  # fmt: skip
    c = clean_capture(page(EN_TITLE, EN_BODY[:2], table, EN_BODY[2:]))
    assert c.paragraphs[:2] == EN_BODY[:2] and c.paragraphs[-1] == EN_BODY[2]
    cells = [r for r in c.removed if r.text in ("12 %", "8 %")]
    assert cells and not {r.category for r in cells} & {"caption", "duplicate"}


def test_tag_list_and_lowercase_line_are_not_headlines() -> None:
    """A keyword list and a lowercase line on the topic are not headlines; the real one is found."""
    tags = "ferry, landing, flood, repairs, village council"
    cloud = "ferry landing flood repairs village council mayor"
    c = clean_capture(page("Home", "News", EN_TITLE, "By Jane Miller", tags, cloud, EN_BODY))
    assert c.title == EN_TITLE
    assert c.paragraphs == EN_BODY


def test_headline_opening_with_a_brand_in_lower_case_is_found() -> None:
    """A headline may open with a brand written in lower case ("iPhone", "eBay")."""
    title = "iPhone sales help the ferry operator sell more tickets online"
    body = [*EN_BODY, "The operator said that most tickets are now bought on an iPhone "
            "app, and that online sales have doubled since the ferry landing was closed."]
    c = clean_capture(page("Home", "News", title, body))
    assert c.title == title


@pytest.mark.parametrize(
    "form",
    [
        ["Schreibe einen Kommentar", "Deine E-Mail-Adresse wird nicht veröffentlicht. "
         "Erforderliche Felder sind mit * markiert."],
        ["Laisser une réponse", "Les champs obligatoires sont indiqués avec *"],
        ["Deja una respuesta", "Los campos obligatorios están marcados con *"],
        ["Lascia una risposta", "Il tuo indirizzo email non sarà pubblicato."],
        ["Geef een reactie", "Je e-mailadres wordt niet gepubliceerd."],
        ["Twój adres e-mail nie zostanie opublikowany."],
    ],
)
def test_wordpress_comment_form_removed(form: list[str]) -> None:
    """WordPress's comment form, in its translations, is comment furniture."""
    c = clean_body([*EN_BODY, *form], title=EN_TITLE)
    assert c.paragraphs == EN_BODY
    assert {r.category for r in c.removed} == {"comments"}


NAV = ["Home", "Politics", "Business", "Sport", "Culture"]
BIO = ("Maria Keller is a reporter covering transport and the coast. She joined the paper in "
       "2019 and lives by the harbour with two dogs.")


def test_author_box_naming_the_byline_removed() -> None:
    """A closing paragraph that opens with the byline's name is an author box, not body."""
    c = clean_capture(page(NAV, EN_TITLE, "By Maria Keller", "March 4, 2024", EN_BODY, BIO,
                           "Leave a comment"))  # fmt: skip
    assert c.paragraphs == EN_BODY
    assert c.title == EN_TITLE
    assert any(r.text == BIO and "author_bio" in r.signals for r in c.removed)


def test_closing_paragraph_naming_someone_else_kept() -> None:
    """A last paragraph opening with a name the byline does not give stays in the body."""
    last = ("Peter Brandt, who runs the ferry, said he would hire two more deckhands for the "
            "summer and hoped the landing would bring back day trippers.")
    c = clean_capture(page(NAV, EN_TITLE, "By Maria Keller", EN_BODY, last, "Leave a comment"))
    assert c.paragraphs == [*EN_BODY, last]
    no_byline = clean_capture(page(NAV, EN_TITLE, EN_BODY, BIO, "Leave a comment"))
    assert no_byline.paragraphs == [*EN_BODY, BIO]


def test_author_box_after_repeated_name_removed_german() -> None:
    """An author box under a line repeating the byline name is removed (German)."""
    bio = ("Als Redakteurin schreibe ich seit vielen Jahren über Kultur und Stadtentwicklung "
           "und freue mich über Hinweise aus der Nachbarschaft.")
    c = clean_capture(page(["Startseite", "Kultur", "Lokales"], "Stadtbibliothek wird saniert",
                           "Anna Schmidt", "12. März 2024", list(DE_BODY), "Anna Schmidt", bio,
                           "Schreibe einen Kommentar"))  # fmt: skip
    assert c.paragraphs == list(DE_BODY)
    assert any(r.text == bio and "author_bio" in r.signals for r in c.removed)


def test_clean_body_removes_author_box_of_the_page_authors() -> None:
    """The HTML second pass drops a closing paragraph opening with a metadata author's name."""
    c = clean_body([*EN_BODY, BIO], title=EN_TITLE, authors=["Maria Keller"])
    assert c.paragraphs == EN_BODY
    assert clean_body([*EN_BODY, BIO], title=EN_TITLE).paragraphs == [*EN_BODY, BIO]


@pytest.mark.parametrize(
    "caption",
    [
        "Protesters gathered outside the harbour office on Tuesday. (Photo: Jane Doe/AP)",
        "Der Minister sprach am Dienstag im Bundestag über den Haushalt. Foto: Max Muster/dpa",
        "Los pescadores protestaron frente al puerto (Foto: Archivo)",
    ],
)
def test_caption_ending_with_picture_credit_removed(caption: str) -> None:
    """A line that ends with a picture credit is a caption, inside the article too."""
    c = clean_capture(page(NAV, EN_TITLE, EN_BODY[:2], caption, EN_BODY[2:]))
    assert c.paragraphs == EN_BODY
    assert any(r.text == caption and r.category == "caption" for r in c.removed)
    assert clean_body([*EN_BODY[:2], caption, *EN_BODY[2:]]).paragraphs == EN_BODY


def test_paragraph_ending_with_a_text_source_kept() -> None:
    """A paragraph closing with its text source or a "(pictured, ...)" aside stays."""
    lines = [
        "The investigation into the accident at the harbour is continuing, the police said on "
        "Wednesday, and divers will search the basin again once the weather has calmed down "
        "(Source: Reuters)",
        "Imports of cheap chicken from abroad rose again last year, and the farmers say that "
        "they cannot compete with the prices of the large farms (pictured, a farm in the south)",
    ]
    c = clean_capture(page(NAV, EN_TITLE, EN_BODY[:2], lines, EN_BODY[2:]))
    assert c.paragraphs == [*EN_BODY[:2], *lines, *EN_BODY[2:]]


@pytest.mark.parametrize(
    ("header", "last"),
    [
        (["Donald Trump", "By Maria Keller"],
         "Donald Trump is expected to visit the harbour next month, his office said on Friday."),
        (["By Maria Keller, Staff Writer"],
         "Staff writers at the port union, who are on strike, said they would return on Monday."),
        (["By The Associated Press"],
         "The Associated Press reported last year that the pier had been closed twice before."),
        (["By Associated Press"],
         "Associated Press, which first reported the closure, said the pier would reopen."),
        (["By News Desk"],
         "News desk, the paper's overnight team, found two earlier closures in the records."),
        (["By Dan Rose"],
         "Dan Rosen, a spokesman for the harbour authority, said the plans were final."),
    ],
)
def test_closing_paragraph_opening_with_a_non_author_name_kept(header: list[str],
                                                               last: str) -> None:
    """Kickers, roles, agencies and longer names are no author: the last paragraph stays."""
    c = clean_capture(page(NAV, EN_TITLE, header, "March 4, 2024", EN_BODY, last,
                           "Leave a comment"))  # fmt: skip
    assert c.paragraphs == [*EN_BODY, last]


def test_author_box_under_a_heading_with_the_byline_name_removed() -> None:
    """A bio under a heading that repeats the byline's name (without "By") is removed."""
    note = "Covers city hall and transport for the paper and lives by the harbour with two dogs."
    c = clean_capture(page(NAV, EN_TITLE, "By Maria Keller", "March 4, 2024", EN_BODY,
                           "Maria Keller", note, "Leave a comment"))  # fmt: skip
    assert c.paragraphs == EN_BODY
    assert any(r.text == note and "author_bio" in r.signals for r in c.removed)


@pytest.mark.parametrize(
    "line",
    [
        "Die Stadt will zeigen, wie neue Radwege finanziert werden. Leitbild: eine klimaneutrale "
        "Innenstadt bis 2040",
        "The new phone takes sharp pictures in low light. Telephoto: 12 MP with 5x optical zoom",
        "We need a new vision for the harbour. Picture: a city that finally works for everyone",
        "Wie geht es weiter? BILD: Wir schauen nach vorn",
        "The first volume of the series was published by the studio (Image Comics)",
        "Here is the gallery of the best pictures of the regatta (photos below)",
    ],
)
def test_line_ending_like_a_credit_but_not_one_kept(line: str) -> None:
    """Compounds ("Leitbild:"), sentence openers and asides in brackets are no credits."""
    assert clean_body([*EN_BODY, line]).paragraphs == [*EN_BODY, line]
