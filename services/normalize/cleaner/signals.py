"""Shape signals: sentence form, credits, durations, dates, title case.

Each family is one precompiled, language-neutral regex. The page-level finders run it over
the whole page between newlines (the line-opening families only at the line starts one
shared gate lets through) and return the line indexes it hit; the single-line helpers
serve the HTML second pass and the headline finder.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from services.normalize.staff import is_staff_name

from .blocks import Page, is_terminal

CaseFree = tuple[re.Pattern[str], re.Pattern[str]]


def _casefree(body: str) -> CaseFree:
    """A page-level pattern (from a line start) in two forms: plain, for the lowercased
    page, several times faster than its IGNORECASE twin, which serves pages whose
    lowercasing moved positions (a few rare letters change length)."""
    return re.compile(r"\n" + body), re.compile(r"\n" + body, re.IGNORECASE)


def padded_lower(page: Page) -> str | None:
    """The lowercased page between newlines, when its positions are the page's own."""
    low = page.lower
    return "\n" + low + "\n" if len(low) == len(page.joined) else None


def _starts(
    pattern: CaseFree, padded: str, padded_low: str | None, at: list[int] | None = None
) -> Iterator[re.Match[str]]:
    if padded_low is not None:
        return _matches(pattern[0], padded_low, at)
    return _matches(pattern[1], padded, at)


def _matches(pattern: re.Pattern[str], text: str, at: list[int] | None) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text)``, trying only the positions in ``at`` when given (which
    must hold every position where the pattern matches: ``line_openings``)."""
    if at is None:
        yield from pattern.finditer(text)
        return
    end, match = 0, pattern.match
    for pos in at:
        if pos >= end:
            m = match(text, pos)
            if m is not None:
                end = m.end()
                yield m


_DURATION_BODY = r"[\(\[]?\d{1,2}(?::\d{2}){1,2}[\)\]]?(?: ?(?:min|mins|minutes?))?"
DURATION = re.compile(r"^" + _DURATION_BODY + r"$")
# Page-level forms start with a literal newline (a search jumps from line start to line
# start) and run over "\n" + joined + "\n", where the "\n" before a line sits at the
# line's own offset in ``joined``.
_DURATION_PAGE = re.compile(r"\n" + _DURATION_BODY + r"(?=\n)")
DURATION_MAX_CHARS = 16

_CREDIT_SLASH_BODY = r"[^\s/]+(?: [^\s/]+){0,4}(?:/[^\s/]+(?: [^\s/]+){0,3}){1,4}"
_CREDIT_SLASH = re.compile(r"^" + _CREDIT_SLASH_BODY + r"$")
_CREDIT_WORD_BODY = (
    r"[\(\[]?(?:©|\(c\)|copyright\b|photo\b|photos\b|foto\b|fotos\b|fot\.|bild\b|"
    r"bildquelle\b|quelle\b|image\b|imagen\b|imagem\b|crédits?\b|credits?\b|source\b|"
    r"fuente\b|zdjęcie\b|źródło\b|illustration\b|grafik\b)"
)
_CREDIT_WORD = re.compile(_CREDIT_WORD_BODY, re.IGNORECASE)
_CREDIT_WORD_PAGE = _casefree(_CREDIT_WORD_BODY)
CREDIT_MAX_WORDS = 12
CREDIT_MAX_CHARS = 120

# "5. März", "12 janvier" / "July 7," (a year follows in both forms).
_DAY_MONTH = (r"\b\d{1,2}\.? ?(?:jan|feb|mär|mar|apr|mai|may|jun|jul|aug|sep|okt|oct|nov|de[cz])"
              r"\w*\.? ")
_MONTH_DAY = r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w*\.? \d{1,2},? "
_DATE = re.compile(
    r"\b\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\b|\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}:\d{2}\b|"
    rf"{_DAY_MONTH}\d{{4}}\b|{_MONTH_DAY}\d{{4}}\b",
    re.IGNORECASE,
)

# A calendar date only (no times, scores, versions or phone numbers): day, month and year
# in numbers (either order) or with a month name, or ISO. For datelines.
CALENDAR_DATE = re.compile(
    r"\b(?:0?[1-9]|[12]\d|3[01])[./-](?:0?[1-9]|1[0-2])[./-](?:19|20)\d\d\b|"
    r"\b(?:0?[1-9]|1[0-2])/(?:0?[1-9]|[12]\d|3[01])/(?:19|20)\d\d\b|"
    r"\b(?:19|20)\d\d-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])\b|"
    rf"{_DAY_MONTH}(?:19|20)\d\d\b|{_MONTH_DAY}(?:19|20)\d\d\b",
    re.IGNORECASE,
)
_ENDS_WITH_DATE = re.compile(rf"(?:{CALENDAR_DATE.pattern})\W*$", re.IGNORECASE)
_CLOCK = re.compile(r"\b\d{1,2}[:h.]\d{2}\b")
_WORDS = re.compile(r"[^\W\d_]+")


def dateline_words(text: str) -> int | None:
    """Words left once a line's calendar dates and clock times are taken out; None when it
    has no calendar date."""
    rest, n = CALENDAR_DATE.subn(" ", text)
    if not n:
        return None
    return len(_WORDS.findall(_CLOCK.sub(" ", rest)))


# Necessary conditions, cheap to test (they start with a digit class, which sre scans for
# quickly): every _DATE form has a digit next to a date separator or four digits in a
# row; every _RELATIVE_TIME form has a number followed by whitespace.
DATE_PRE = re.compile(r"\d(?:[./:\-]\d|\d\d\d)")
RELATIVE_PRE = re.compile(r"\d\s")


# Comment-thread furniture: a relative time stamp ("3 hours ago", "vor 2 Tagen") and the
# "Name says:" line that opens a comment, in the main languages.
_RELATIVE_TIME = re.compile(
    r"\b\d+\s+(?:min(?:ute)?s?|hours?|hrs?|days?|weeks?|months?|years?)\s+ago\b|"
    r"\bvor\s+\d+\s+(?:min(?:uten?)?|std|stunden?|tag(?:en)?|wochen?|monat(?:en)?|jahr(?:en)?)\b|"
    r"\bhace\s+\d+\s+(?:min(?:utos?)?|horas?|d[ií]as?|semanas?|mes(?:es)?|años?)\b|"
    r"\bil y a\s+\d+\s+(?:min(?:utes?)?|heures?|h|jours?|semaines?|mois|ans?)\b|"
    r"\bh[áa]\s+\d+\s+(?:min(?:utos?)?|horas?|dias?|semanas?|meses|anos?)\b|"
    r"\b\d+\s+(?:minut\w*|godzin\w*|dni|dzień|tygodni\w*|miesi\w*|lat)\s+temu\b|"
    r"\b\d+\s+(?:minuti|or[ae]|giorni|settimane|mesi|anni)\s+fa\b",
    re.IGNORECASE,
)
_COMMENT_BYLINE = re.compile(
    r"\b(?:says|said|wrote|sagt|schreibt|schrieb|dice|dijo|escribió|dit|écrit|a écrit|disse|"
    r"escreveu|scrive|ha scritto|pisze|napisał|napisała)\s*:$",
    re.IGNORECASE,
)
COMMENT_BYLINE_MAX_WORDS = 8
# The header blog themes put over a comment thread: a count, a word for replies, a
# preposition and the post's title in quotes ("12 thoughts on “Title”", "3 Antworten zu
# „Titel“", "5 réponses à « Titre »"). Page-level form: from a line start.
_COMMENT_COUNT_BODY = (
    r"(?:\d+|one|eine?|una?|une)\s+"
    r"(?:responses?|replies|reply|thoughts?|comments?|antworten|antwort|gedanken|gedanke|"
    r"kommentare?|reaktionen|respuestas?|comentarios?|réponses?|commentaires?|"
    r"komentarz[ey]?|odpowied[zź]\w*|risposte|commenti|respostas?|comentários?)\s+"
    r"(?:to|on|for|zu|auf|a|en|à|sur|do|na|su|para)\s+[“\"„«‘'‚»]"
    # ... and the quoted title closes the line: the header is nothing else, unlike a
    # sentence that opens with "One response to “defund the police” has been ...".
    r"[^\n]{1,200}[”\"“»«’'‘]\s*:?(?=\n)"
)
_COMMENT_COUNT_PAGE = _casefree(_COMMENT_COUNT_BODY)
COMMENT_COUNT_MAX_WORDS = 40


def is_relative_time(text: str) -> bool:
    return _RELATIVE_TIME.search(text) is not None


def is_comment_byline(text: str) -> bool:
    """ "Jane Doe says:" - the line that opens a comment in many blog themes."""
    return _COMMENT_BYLINE.search(text) is not None


# A copyright notice: pages put it last, under the footer, so prose after it is an
# overlay (consent dialog, modal), not more article. Notice-shaped: it opens with the
# sign or the word, or carries the sign or a year with a "rights reserved" phrase; a
# sentence about copyright ("The lawsuit alleges copyright infringement") is not one.
_COPYRIGHT_OPENING = re.compile(r"\s*(?:©|\(c\)|copyright\b)", re.IGNORECASE)
_RIGHTS_RESERVED = re.compile(
    r"rights reserved|rechte vorbehalten|derechos reservados|droits réservés|"
    r"prawa zastrzeżone|direitos reservados|diritti riservati",
    re.IGNORECASE,
)
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


def is_copyright(text: str) -> bool:
    if _COPYRIGHT_OPENING.match(text) or "©" in text:
        return True
    return _RIGHTS_RESERVED.search(text) is not None and _YEAR.search(text) is not None


# A byline: "By"-word, then names of two to four capitalised words. Several names are
# joined by "and"-words (commas count only in such a list: "By Jane Doe, Staff Writer"
# names one person). Scripts without case have no such names.
_BY_PREFIX = re.compile(r"(?:by|von|por|par|door|przez)\s+", re.IGNORECASE)
_AND_WORDS = re.compile(r" (?:and|und|y|et|e|en|i|&) ")
_NAME_WORD = re.compile(r"[^\W\d_][\w.'’-]*$")
_ARTICLES = frozenset({"The", "Der", "Die", "Das", "El", "La", "Le", "Les", "Los", "Las", "Il",
                       "Lo", "Het"})  # fmt: skip
BYLINE_MAX_WORDS = 12


def _name(part: str) -> str | None:
    words = part.split()
    if not 2 <= len(words) <= 4 or _ARTICLES.intersection(words):
        return None
    if not all(_NAME_WORD.match(w) and w[0].isupper() for w in words):
        return None
    name = " ".join(words).lower()
    return None if is_staff_name(name) else name  # "By Associated Press", "By News Desk"


def byline_names(text: str) -> list[str]:
    """Lowercased author names of a byline ("By Jane Doe and John Roe") or of a line that is
    nothing but a name ("Isabella Beyer")."""
    text = text.strip()
    if not text[:1].isupper() or text.count(" ") >= BYLINE_MAX_WORDS or ends_with_period(text):
        return []
    m = _BY_PREFIX.match(text)
    if m:
        text = text[m.end() :]
    parts = _AND_WORDS.split(text)
    if len(parts) > 1:
        parts = [p for part in parts for p in part.split(",")]
    else:
        parts = parts[0].split(",")[:1]  # "Jane Doe, Staff Writer": the name only
    names = [_name(p) for p in parts if p.strip()]
    return [n for n in names if n] if names and all(names) else []


def is_byline(text: str) -> bool:
    """Opens with a "By"-word ("By", "Von", "Por", ...)."""
    return _BY_PREFIX.match(text.lstrip()) is not None


# The word after an author's name that opens a note about them ("Jane Doe is a reporter",
# "... ist Redakteurin", "... escribe sobre"), or a comma before an apposition.
_BIO_VERB_LIST = (
    "is was has writes covers reports joined lives contributed teaches works holds edits "
    "ist war hat schreibt lebt arbeitet berichtet es fue ha escribe vive trabaja cubre "
    "est a écrit vit travaille couvre è scrive lavora é foi tem escreve trabalha "
    "schrijft woont werkt jest pisze mieszka pracuje"
)
BIO_VERBS = frozenset(_BIO_VERB_LIST.split())


def opens_author_note(text: str, names: Iterable[str]) -> bool:
    """The line opens with one of the (lowercased) names, then a comma or a bio verb."""
    low = text.lstrip().lower()
    for name in names:
        if low.startswith(name):
            rest = low[len(name) :]
            if rest.startswith(","):
                return True
            words = rest.split(None, 1)
            if rest[:1].isspace() and words and words[0] in BIO_VERBS:
                return True
    return False


# A Latin word with Cyrillic or Greek look-alike letters swapped in, so that an advertisement
# passes filters ("Аdvеrtіѕе"). Greek letters in science (TNFα, 10 kΩ, sinθ) are no look-alikes,
# and a Cyrillic word with a stray Latin letter (Ukrainian typed with Latin "i") is not Latin.
_TOKEN = re.compile(r"\w+")
_FOREIGN = re.compile(r"[\u0370-\u052f]")
_LATIN = re.compile(r"[A-Za-z]")
_LOOKALIKE = frozenset("аеорсухіјѕԁһԛԝАВЕКМНОРСТХІЈЅΑΒΕΖΗΙΚΜΝΟΡΤΥΧοι")
DISGUISED_MIN_WORDS = 3


def _disguised_word(word: str) -> bool:
    foreign = _FOREIGN.findall(word)
    return (bool(foreign) and all(c in _LOOKALIKE for c in foreign)
            and len(_LATIN.findall(word)) > len(foreign))


# A Latin letter next to a Cyrillic or Greek one: only a mixed word has it, so pages written
# in those scripts (with Latin brand names) skip the per-word test.
_MIXED = re.compile(r"[A-Za-z][\u0370-\u052f]|[\u0370-\u052f][A-Za-z]")


def is_disguised(text: str, n_words: int) -> bool:
    """At least DISGUISED_MIN_WORDS words, and a quarter of the line, are disguised."""
    if not _MIXED.search(text):
        return False
    mixed = sum(map(_disguised_word, _TOKEN.findall(text)))
    return mixed >= DISGUISED_MIN_WORDS and 4 * mixed >= n_words


def ends_with_period(text: str) -> bool:
    t = text.rstrip("\"'”’»«)]* ")
    return bool(t) and t[-1] in ".;"


def is_duration(text: str) -> bool:
    return len(text) <= DURATION_MAX_CHARS and DURATION.match(text) is not None


def _slash_credit_parts(text: str) -> bool:
    parts = text.split("/")
    return all(len(p) >= 3 and p[:1].isupper() and p[-1] != ":" for p in parts)


def is_credit(text: str, n_words: int) -> bool:
    """Photo-credit shape: "Name/Agency/File", or a short "Photo: ..." / "© ..." line."""
    if n_words > CREDIT_MAX_WORDS or len(text) > CREDIT_MAX_CHARS:
        return False
    if "/" in text and "://" not in text and _CREDIT_SLASH.match(text):
        return _slash_credit_parts(text)
    return (_CREDIT_WORD.match(text) is not None and not is_terminal(text.rstrip("."))) or (
        text.startswith("©")
    )


def page_durations(page: Page, padded: str, at: list[int] | None = None) -> list[int]:
    """Lines that are only a media duration ("03:17", "(1:02:03)")."""
    lines, line_of = page.lines, page.line_counter()
    out = []
    for m in _matches(_DURATION_PAGE, padded, at):
        i = line_of(m.start())
        if len(lines[i]) <= DURATION_MAX_CHARS:
            out.append(i)
    return out


# A figure label opening a line: "Abbildung 2:", "Fig. 3:", "Foto:", "Photo:", "Grafik:".
_PHOTO_WORDS = ("foto", "fotos", "photo", "photos", "bild", "image", "imagen")
_CAPTION_LABEL_BODY = (
    r"[\(\[]?(?:abbildung|abb\.|fig\.|figure|" + "|".join(_PHOTO_WORDS) + "|"
    r"grafik|graphic|infografik|infographic|illustration|gráfico|graphique)"
    r"(?: ?\d{1,3}[a-z]?)? ?[:|]"
)
_CAPTION_LABEL_PAGE = _casefree(_CAPTION_LABEL_BODY)
# The union of the line-opening families, as a lookahead: one pass over the line starts
# finds where any of them matches, and each family is then tried only there (most of
# the cost of a family's own pass is visiting every line start). Case-free, so on the
# lowercased page it is a superset of the case-sensitive duration pattern too.
# The first lookahead holds the first two characters of every family's opening (keep it
# in step with the bodies above): most lines fail it at once, where sre would otherwise
# enter each family's optional bracket and word alternation (40% of the pass).
_OPENING_HEADS = (
    r"(?=[\d(\[©]|ab|bi|ei|fi|fo|fu|gr|il|im|in|on|ph|qu|so|un|co|cr|zd|źr)"
)
_OPENINGS = _casefree(
    _OPENING_HEADS
    + "(?="
    + "|".join(
        f"(?:{body})"
        for body in (
            _DURATION_BODY + r"(?=\n)",
            _CAPTION_LABEL_BODY,
            _CREDIT_WORD_BODY,
            _COMMENT_COUNT_BODY,
        )
    )
    + ")"
)


def line_openings(padded: str, padded_low: str | None) -> list[int]:
    """Positions (of the "\n" before the line) where a line-opening family may match."""
    return [m.start() for m in _starts(_OPENINGS, padded, padded_low)]


CAPTION_LABEL_MAX_WORDS = 60
_QUOTES = "\"'”’»« "


def page_caption_labels(
    page: Page, padded: str, padded_low: str | None, at: list[int] | None = None
) -> list[int]:
    """Lines that open with a figure label and a colon: a caption, however long. Not a
    question, and not an all-capitals label without a number: interviews print their
    questions as "BILD: Herr Minister, ...?"."""
    lines, n_words, line_of = page.lines, page.n_words, page.line_counter()
    out = []
    for m in _starts(_CAPTION_LABEL_PAGE, padded, padded_low, at):
        i = line_of(m.start())
        text = lines[i]
        if n_words[i] > CAPTION_LABEL_MAX_WORDS or text.rstrip(_QUOTES).endswith("?"):
            continue
        label = text[: m.end() - m.start() - 1]
        if label.isupper() and not any(c.isdigit() for c in label):
            continue
        out.append(i)
    return out


def page_comment_counts(
    page: Page, padded: str, padded_low: str | None, at: list[int] | None = None
) -> list[int]:
    """Lines that open with a comment-thread header (count, "replies", title in quotes)."""
    n_words, line_of = page.n_words, page.line_counter()
    hits = _starts(_COMMENT_COUNT_PAGE, padded, padded_low, at)
    return [i for i in (line_of(m.start()) for m in hits) if n_words[i] <= COMMENT_COUNT_MAX_WORDS]


# A caption that ends with its picture's credit: "... on Tuesday. (Photo: Jane Doe/AP)",
# "... im Bundestag. Foto: dpa". Picture words only: a text source ("Quelle: SWR") closes
# news paragraphs too. Both forms open with a literal, so sre jumps between candidates.
_PICTURE_WORDS = (*_PHOTO_WORDS, "bilder", "symbolbild", "symbolfoto", "archivbild",
                  "archivfoto", "imagem", "picture", "zdjęcie", "fot.")  # fmt: skip
_PICTURE_ALT = "|".join(map(re.escape, _PICTURE_WORDS))
# In brackets, the word is followed by a colon, a slash or "by", or the credit is a ©:
# "(Image Comics)" and "(photos below)" are no credits.
_CREDIT_IN_BRACKETS = re.compile(
    r"\((?:©[^\n()]{1,80}|(?:" + _PICTURE_ALT + r")(?![^\W\d_]) ?(?::|/| by )[^\n()]{1,80})\)"
    r" *(?=\n)"
)
# After the last sentence: a whole picture word (not "Leitbild:", "Telephoto:") right after
# the stop, then a short credit (not "Picture: a city that finally works for everyone").
_CREDIT_AFTER_SENTENCE = re.compile(
    r": (?:" + "|".join(f"(?<=[.!?\"”“»)] {re.escape(w)}: )" for w in _PICTURE_WORDS)
    + r")[^\n.!?]{1,60}(?=\n)"
)
CAPTION_CREDIT_MAX_WORDS = 60
CREDIT_AFTER_MAX_WORDS = 6
SHOUTED_CREDIT_MAX_WORDS = 3  # "BILD: Wir schauen nach vorn" is an interview's label


def page_caption_credits(page: Page, padded_low: str | None) -> set[int]:
    """Lines of a few words up to CAPTION_CREDIT_MAX_WORDS that end with a picture
    credit, in brackets or after the caption's last sentence. (Not on the rare page whose
    lowercasing moves positions.)"""
    out: set[int] = set()
    if padded_low is None:
        return out
    n_words, joined, line_of = page.n_words, page.joined, page.line_counter()
    for m in _CREDIT_IN_BRACKETS.finditer(padded_low):
        i = line_of(m.start() - 1)
        # not at the line's start: a caption before the credit
        if 1 < n_words[i] <= CAPTION_CREDIT_MAX_WORDS and padded_low[m.start() - 1] != "\n":
            out.add(i)
    line_of = page.line_counter()
    for m in _CREDIT_AFTER_SENTENCE.finditer(padded_low):
        i = line_of(m.start() - 1)
        if n_words[i] > CAPTION_CREDIT_MAX_WORDS:
            continue
        credit = joined[m.start() + 1 : m.end() - 1].split()  # (padded is joined shifted by one)
        word = joined[joined.rfind(" ", 0, m.start() - 1) + 1 : m.start() - 1]
        shouted = word.isupper() and "/" not in m.group()
        if len(credit) <= (SHOUTED_CREDIT_MAX_WORDS if shouted else CREDIT_AFTER_MAX_WORDS):
            out.add(i)
    return out


def page_credits(
    page: Page, padded: str, padded_low: str | None, at: list[int] | None = None
) -> set[int]:
    """Lines shaped like a photo credit (``is_credit``), looked for where they can be:
    lines with a slash, and lines opening with a credit word."""
    lines, n_words = page.lines, page.n_words
    out: set[int] = set()
    joined, line_of = page.joined, page.line_counter()
    pos = joined.find("/")
    while pos >= 0:  # each line with a slash once: links hold many
        i = line_of(pos)
        if is_credit(lines[i], n_words[i]):
            out.add(i)
        end = joined.find("\n", pos)
        pos = joined.find("/", end) if end >= 0 else -1
    line_of = page.line_counter()
    for m in _starts(_CREDIT_WORD_PAGE, padded, padded_low, at):
        i = line_of(m.start())
        if i not in out and is_credit(lines[i], n_words[i]):
            out.add(i)
    return out


def ends_with_date(text: str) -> bool:
    """The line closes on a calendar date ("... - October 9, 2020")."""
    return _ENDS_WITH_DATE.search(text) is not None


def has_date(text: str) -> bool:
    return _DATE.search(text) is not None
