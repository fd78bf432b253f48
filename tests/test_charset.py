"""Charsets: the header, then <meta>, then detection; bad bytes become U+FFFD, never a failure."""

from __future__ import annotations

import pytest

from services.ingest.decode import decode_body
from services.normalize.build import extract

DE = [
    "Die Bürgerinnen und Bürger der Stadt haben über die Zukunft des großen Marktplatzes "
    "abgestimmt, und die Mehrheit sprach sich für eine Begrünung und weniger Autos aus.",
    "Der Gemeinderat will die Pläne nun in den nächsten Monaten ausarbeiten und die Kosten "
    "für die Umgestaltung öffentlich vorstellen, bevor die Arbeiten beginnen können.",
    "Kritiker befürchten höhere Mieten für die Geschäfte rund um den Platz, während die "
    "Befürworter auf mehr Besucher und eine ruhigere Innenstadt hoffen.",
]
RU = [
    "Городской совет во вторник одобрил план расширения сети велосипедных дорожек в северных "
    "районах после года консультаций с жителями.",
    "Чиновники заявили, что первые участки откроются весной, а работы будут оплачены из "
    "существующего транспортного бюджета без новых займов.",
    "Несколько владельцев магазинов на главном проспекте опасались потери парковочных мест, "
    "но окончательный план сохраняет большую часть мест на боковых улицах.",
]
JA = [
    "市議会は火曜日、北部地区の自転車専用レーンの整備を拡大する計画を承認した。住民との一年間にわたる協議を経ての決定となった。",
    "当局によると、最初の区間は春に開通する予定で、工事費は新たな借り入れではなく既存の交通予算から賄われるという。",
    "大通りの商店主の一部は駐車場の減少が商売に悪影響を与えると懸念していたが、最終計画では側道の駐車スペースの大半が維持される。",
    "市長はこの決定を市内の移動の在り方を変える転換点と位置づけ、十二か月後に成果を検証すると約束した。",
    "自転車利用者の団体は計画を歓迎しつつも、交差点の安全対策をさらに強化するよう求めている。",
]
FR = [
    "Le conseil municipal a voté mardi l'extension du réseau de pistes cyclables protégées "
    "dans les quartiers du nord, après une année entière de consultations avec les habitants.",
    "Les élus ont précisé que les premiers tronçons ouvriraient au printemps et que les "
    "travaux seraient financés par le budget des transports déjà prévu à cet effet.",
    "Plusieurs commerçants de l'avenue principale craignaient que la réduction du "
    "stationnement ne nuise à leurs affaires, mais le plan définitif en conserve la majorité.",
]


def _html(paragraphs: list[str], head: str = "", title: str = "Story") -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f"<!DOCTYPE html><html><head>{head}<title>{title}</title></head><body>"
            f"<article><h1>{title}</h1>{body}</article></body></html>")


def test_header_charset_wins() -> None:
    """The Content-Type charset decodes the page even when <meta> says otherwise."""
    raw = _html(DE, head='<meta charset="utf-8">').encode("iso-8859-1")
    text, used = decode_body(raw, "text/html; charset=ISO-8859-1")
    assert used == "cp1252"
    assert "Bürgerinnen" in text
    record = extract(raw, source="de.html", content_type="text/html; charset=ISO-8859-1")
    assert "großen Marktplatzes" in record.text
    assert "\ufffd" not in record.text
    assert record.language == "de"


def test_meta_charset_koi8r() -> None:
    """With no header charset, <meta charset="koi8-r"> decodes a Russian page."""
    raw = _html(RU, head='<meta charset="koi8-r">').encode("koi8-r")
    _text, used = decode_body(raw, "text/html")
    assert used == "koi8-r"
    record = extract(raw, source="ru.html", content_type="text/html")
    assert "велосипедных дорожек" in record.text
    assert record.language == "ru"


def test_meta_http_equiv_shift_jis() -> None:
    """<meta http-equiv="Content-Type" content="...; charset=Shift_JIS"> decodes Japanese."""
    head = '<meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS">'
    # one sentence a paragraph, as many Japanese pages are laid out (the word count takes each
    # CJK character as a word, so the split is not needed to reach the minimum length)
    sentences = [s + "。" for p in JA for s in p.split("。") if s]
    raw = _html(sentences, head=head).encode("shift_jis")
    _text, used = decode_body(raw, None)
    assert used == "shift_jis"
    record = extract(raw, source="ja.html")
    assert "自転車専用レーン" in record.text
    assert record.language == "ja"


def test_meta_charset_iso_8859_2() -> None:
    """A Central European charset declared only in <meta> is honoured."""
    pl = ["Rada miasta zatwierdziła we wtorek rozbudowę sieci chronionych ścieżek rowerowych "
          "w północnych dzielnicach po roku konsultacji z mieszkańcami.",
          "Urzędnicy zapowiedzieli, że pierwsze odcinki zostaną otwarte wiosną, a prace będą "
          "finansowane z istniejącego budżetu transportowego bez nowych pożyczek."]
    raw = _html(pl, head='<meta charset="iso-8859-2">').encode("iso-8859-2")
    record = extract(raw, source="pl.html")
    assert "ścieżek rowerowych" in record.text


def test_no_declaration_detected() -> None:
    """No header and no <meta>: UTF-8 when valid, else the detector (here windows-1252)."""
    raw_utf8 = _html(FR).encode("utf-8")
    assert decode_body(raw_utf8)[1] == "utf-8"
    raw = _html(FR * 3).encode("windows-1252")
    text, used = decode_body(raw)
    assert "réseau de pistes cyclables protégées" in text, used
    record = extract(raw, source="fr.html")
    assert "pistes cyclables protégées" in record.text
    assert record.language == "fr"


def test_short_undeclared_latin_text_reads_as_windows_1252() -> None:
    """A few accented letters with no declaration decode as windows-1252, the web default."""
    text, used = decode_body("<p>Un café naïve à la crème, 5 €</p>".encode("cp1252"))
    assert (text, used) == ("<p>Un café naïve à la crème, 5 €</p>", "cp1252")
    text, used = decode_body(b'<meta charset="no-such-label"><p>hello world \xff</p>')
    assert text.endswith("hello world \xff</p>") and used == "cp1252"


def test_undeclared_cyrillic_and_polish_still_detected() -> None:
    """Detection keeps other web encodings when windows-1252 reads the bytes worse."""
    ru = "<p>Сегодня в Москве прошло заседание городского совета.</p>"
    assert decode_body(ru.encode("cp1251")) == (ru, "cp1251")
    pl = "<p>Zażółć gęślą jaźń, powiedział minister w środę.</p>"
    assert decode_body(pl.encode("cp1250"))[0] == pl


# One ordinary sentence each (few of the letters that differ between code pages).
ACCENTED = {
    "tr": "Türkiye'nin başkenti Ankara'da düzenlenen toplantıda bakan yeni kuralları açıkladı.",
    "pl": "Rząd przedstawił w środę nowy projekt ustawy o ochronie środowiska.",
    "cs": "Vláda ve středu schválila návrh zákona o ochraně přírody.",
    "hu": "A kormány szerdán elfogadta a javaslatot, a változások jövőre lépnek életbe.",
    "lv": "Valdība trešdien apstiprināja likumprojektu par vides aizsardzību.",
    "is": "Ríkisstjórnin samþykkti á miðvikudag frumvarp um náttúruvernd.",
    "de": "Die Bürger müssen größere Straßen überqueren, während die Ärzte beschäftigt sind.",
    "es": "El niño comió piñas el miércoles por la mañana; ¿quién pagó la cuenta?",
}


@pytest.mark.parametrize(
    ("lang", "charset"),
    [("tr", "cp1254"), ("tr", "iso-8859-9"), ("pl", "cp1250"), ("pl", "iso-8859-2"),
     ("cs", "cp1250"), ("cs", "iso-8859-2"), ("hu", "iso-8859-2"), ("lv", "cp1257"),
     ("is", "cp1252"), ("de", "cp1252"), ("es", "cp1252")],
)  # fmt: skip
def test_undeclared_accented_sentence_reads_right(lang: str, charset: str) -> None:
    """Undeclared legacy bytes decode to the right letters, not a look-alike code page's."""
    html = f"<p>{ACCENTED[lang]}</p>"
    text, used = decode_body(html.encode(charset))
    assert text == html, used
    if charset == "cp1252":
        assert used == "cp1252"  # the web's default keeps its ties


@pytest.mark.parametrize(
    "text",
    [
        "Le ministre a jugé la réforme «indispensable» et a promis «des résultats».",
        "Il sindaco ha definito la decisione «un passo avanti» per la città.",
        "Die Lage sei «ernst, aber stabil», hiess es in Bern.",
        "Le «Monde»", "Foto: ©Reuters", "Flat of 85 m² near the station", "Bayer® shares fell",
        "Dose: 5 µg per day", "Der Verbrauch liegt bei 4,5 m³ Gas.", "São Paulo nº 3",
        "Sjøen «nei»", "Þetta er «gott»", "L’été dernier, l’hôtel était plein",
    ],
)  # fmt: skip
def test_western_symbols_keep_windows_1252(text: str) -> None:
    """Guillemets, ©, ², µ, º beside words are symbols: no code page that reads them as
    letters (Ť, Đ, ē, ľ, ş) wins over windows-1252."""
    html = f"<p>{text}</p>"
    assert decode_body(html.encode("cp1252")) == (html, "cp1252")


def test_detection_weighs_the_text_not_the_markup() -> None:
    """Greek, Arabic and Polish text after 47 KB of ASCII styles is still detected."""
    css = ("<style>" + "body{margin:0;padding:0} .a{color:#333} " * 1200 + "</style>\n").encode()
    for text, charset in [
        ("Η κυβέρνηση ανακοίνωσε σήμερα νέα μέτρα για την οικονομία.", "cp1253"),
        ("أعلنت الحكومة اليوم عن إجراءات جديدة لدعم الاقتصاد الوطني.", "cp1256"),
        ("Zażółć gęślą jaźń, powiedział minister w środę podczas konferencji.", "cp1250"),
    ]:
        decoded, used = decode_body(css + f"<p>{text}</p>".encode(charset))
        assert decoded.endswith(f"<p>{text}</p>"), used


def test_latin1_labels_mean_windows_1252() -> None:
    """"latin-1" and "iso-8859-1" labels decode as windows-1252, as browsers do (0x80 = €)."""
    for label in ("latin-1", "ISO-8859-1", "l1"):
        raw = f'<meta charset="{label}"><p>price \x80 5</p>'.encode("latin-1")
        assert decode_body(raw) == (raw.decode("cp1252"), "cp1252")


def test_lying_declaration_gives_replacement_characters() -> None:
    """Latin-1 bytes declared as UTF-8: U+FFFD in the text, and still a record."""
    raw = _html(DE, head='<meta charset="utf-8">').encode("iso-8859-1")
    text, used = decode_body(raw, "text/html; charset=utf-8")
    assert used == "utf-8" and "\ufffd" in text
    record = extract(raw, source="lie.html", content_type="text/html; charset=utf-8")
    assert "\ufffd" in record.text
    assert "Marktplatzes" in record.text
    assert record.word_count > 20


def test_undecodable_bytes_inside_utf8() -> None:
    """Stray invalid bytes in a UTF-8 page become U+FFFD; the rest decodes normally."""
    raw = _html(FR, head='<meta charset="utf-8">').encode("utf-8")
    raw = raw.replace(b"mardi", b"mar\xff\xfedi")
    record = extract(raw, source="bad.html")
    assert "mar\ufffd\ufffddi" in record.text
    assert "pistes cyclables protégées" in record.text
