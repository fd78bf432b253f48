"""The cleaner's fast paths find what the plain ones find.

Two whole-page passes take shortcuts: the lexicon's phrase and word-line regexes run on
RE2 over UTF-8 bytes instead of sre over str, and the line-opening signal families try
only the line starts that ``line_openings`` lets through. Each is checked here against
the plain form on the devdata captures and on generated lines built from the lexicon's own
phrases, in several scripts, cases and spacings.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.normalize.cleaner import lexicon, signals
from services.normalize.cleaner.blocks import Page, page_from_text

ROOT = Path(__file__).resolve().parent
CAPTURES = sorted((ROOT / "data" / "captures").glob("*.txt"))
PHRASES = sorted(lexicon._PHRASE_KIND)
WORDS = sorted(lexicon.WORD_TOKENS)
FILLER = ["the", "and", "für", "café", "niño", "Москва", "東京", "0", "00", "ß", "İstanbul",
          "ﬁle", "«", "—", "3", "12:05", "2 min", "(1:02:03)", "©", "/", "AP/Reuters"]  # fmt: skip
FAMILIES = ("page_durations", "page_caption_labels", "page_comment_counts", "page_credits")
OPENERS = ["Photo:", "FOTO:", "Abb. 3:", "Fig. 2:", "(Bild:", "Copyright", "© AP", "03:17",
           "03:17 MIN", "[2:05]", "12 comments on “A title”", "One response to „Titel“",
           "3 Antworten zu «x»", "Source:", "Quelle: dpa", "Crédit photo", "Image:",
           "grafik|", "Abbildung 2:", "Figure 1:", "Fotos:", "Photos:", "Imagen:", "Graphic:",
           "Gráfico:", "Graphique:", "Infografik:", "Illustration:", "Bildquelle: x", "(c) 2020",
           "Credits: x", "Fuente: EFE", "Zdjęcie: x", "Źródło: x", "fot. x", "Eine Antwort auf „x“",
           "Una respuesta a «x»", "Une réponse à « x »", "1 reply to \"x\""]  # fmt: skip


def _spans_re2(source: str, text: str) -> list[str]:
    return [m.group().decode() for m in lexicon._page_regex(source).finditer(text.encode())]


def _spans_sre(source: str, text: str) -> list[str]:
    return [m.group() for m in re.compile(source).finditer(text)]


def _joined_norms(page: Page) -> tuple[str, str]:
    """The text the lexicon scans for phrases and for word lines, built as ``page_phrases``
    does (on all lines)."""
    text = " " + " \n ".join(page.norms) + " "
    return text, text


@pytest.mark.parametrize("path", CAPTURES[::6], ids=lambda p: p.stem)
def test_re2_and_sre_agree_on_devdata(path: Path) -> None:
    """Both engines find the same phrase and word-line matches on a real capture."""
    phrases_text, words_text = _joined_norms(page_from_text(path.read_text(encoding="utf-8")))
    assert _spans_re2(lexicon.PHRASE_SOURCE, phrases_text) == _spans_sre(
        lexicon.PHRASE_SOURCE, phrases_text
    )
    assert _spans_re2(lexicon.WORDS_LINE_SOURCE, words_text) == _spans_sre(
        lexicon.WORDS_LINE_SOURCE, words_text
    )


LINE = st.lists(st.sampled_from(PHRASES + WORDS + FILLER), min_size=1, max_size=12).map(" ".join)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.lists(LINE, min_size=1, max_size=20))
def test_re2_and_sre_agree_on_generated_lines(lines: list[str]) -> None:
    """Lines made of lexicon phrases, boilerplate words and mixed-script filler."""
    phrases_text, words_text = _joined_norms(page_from_text("\n".join(lines)))
    assert _spans_re2(lexicon.PHRASE_SOURCE, phrases_text) == _spans_sre(
        lexicon.PHRASE_SOURCE, phrases_text
    )
    assert _spans_re2(lexicon.WORDS_LINE_SOURCE, words_text) == _spans_sre(
        lexicon.WORDS_LINE_SOURCE, words_text
    )


def _families(page: Page, gated: bool) -> list[object]:
    padded = "\n" + page.joined + "\n"
    low = signals.padded_lower(page)
    at = signals.line_openings(padded, low) if gated else None
    return [
        signals.page_durations(page, padded, at),
        signals.page_caption_labels(page, padded, low, at),
        signals.page_comment_counts(page, padded, low, at),
        signals.page_credits(page, padded, low, at),
    ]


@pytest.mark.parametrize("path", CAPTURES[::6], ids=lambda p: p.stem)
def test_line_openings_gate_loses_nothing_on_devdata(path: Path) -> None:
    """Each line-opening family finds the same lines through the gate as on its own."""
    page = page_from_text(path.read_text(encoding="utf-8"))
    assert _families(page, gated=True) == _families(page, gated=False)


OPENING_LINE = st.tuples(
    st.sampled_from(OPENERS), st.lists(st.sampled_from(FILLER + WORDS), max_size=8)
).map(lambda t: " ".join([t[0], *t[1]]))


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.lists(st.one_of(OPENING_LINE, LINE), min_size=1, max_size=20), st.booleans())
def test_line_openings_gate_loses_nothing_on_generated_lines(
    lines: list[str], odd_case: bool
) -> None:
    """Generated openers, in any case; "İ" makes lowercasing move positions, so the families
    run case-insensitively on the page itself."""
    if odd_case:
        lines = [*lines, "İ"]
    page = page_from_text("\n".join(lines))
    if odd_case:
        assert signals.padded_lower(page) is None
    gated = _families(page, gated=True)
    assert gated == _families(page, gated=False)


def test_generated_openers_are_found() -> None:
    """The generated openers do hit each family, so the agreement above is not vacuous."""
    page = page_from_text("\n".join(OPENERS))
    durations, labels, counts, credits = _families(page, gated=True)
    assert durations and labels and counts and credits


# The families' own regexes, as line openings (the comment-count header's closing
# lookahead left to the page's newline). Drawing lines from them reaches every alternative,
# so a word added to a family whose first two letters the gate's heads lack fails here.
FAMILY_BODIES = {
    "duration": signals._DURATION_BODY,
    "caption label": signals._CAPTION_LABEL_BODY,
    "credit word": signals._CREDIT_WORD_BODY,
    "comment count": signals._COMMENT_COUNT_BODY.removesuffix(r"(?=\n)"),
}
FAMILY_LINE = st.sampled_from(sorted(FAMILY_BODIES)).flatmap(
    lambda name: st.tuples(
        st.just(name),
        st.from_regex(re.compile(FAMILY_BODIES[name], re.IGNORECASE), fullmatch=True),
    )
)


def _family_positions(padded: str, low: str | None) -> set[int]:
    """Line starts where a family's regex matches, each searched on its own."""
    found = {m.start() for m in signals._DURATION_PAGE.finditer(padded)}
    for pattern in (signals._CAPTION_LABEL_PAGE, signals._CREDIT_WORD_PAGE,
                    signals._COMMENT_COUNT_PAGE):  # fmt: skip
        found.update(m.start() for m in signals._starts(pattern, padded, low))
    return found


def _kept_whole(name: str, line: str) -> bool:
    """The page keeps the line as it is and its family's regex matches all of it there."""
    if line != " ".join(line.split()):
        return False
    if name == "duration":  # (matched on the page as written, not lowercased)
        return re.fullmatch(signals._DURATION_BODY, line) is not None
    return re.fullmatch(FAMILY_BODIES[name], line.lower()) is not None


@settings(max_examples=500, derandomize=True, deadline=None)
@given(st.lists(st.tuples(FAMILY_LINE, st.sampled_from(["", " x", " Agence"])), min_size=1,
                max_size=6))  # fmt: skip
def test_line_openings_gate_admits_every_family_match(
    lines: list[tuple[tuple[str, str], str]],
) -> None:
    """Every line start where a family's own regex matches passes the gate."""
    page = page_from_text("\n".join(line + tail for (_, line), tail in lines))
    padded = "\n" + page.joined + "\n"
    low = signals.padded_lower(page)
    found = _family_positions(padded, low)
    assert found <= set(signals.line_openings(padded, low))
    (name, line), tail = lines[0]
    if not tail and _kept_whole(name, line):  # not vacuous: the first line is found
        assert 0 in found
