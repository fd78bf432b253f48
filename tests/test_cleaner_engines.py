"""The cleaner's fast paths find what the plain ones find.

Two whole-page passes take shortcuts: the lexicon's phrase and word-line regexes run on
RE2 over the UTF-8 of the joined lines instead of sre line by line, and the line-opening
signal families try only the line starts that ``line_openings`` lets through. Each is
checked here against the plain form on the devdata captures and on generated lines built
from the lexicon's own phrases and the families' own regexes, in several scripts, cases and
spacings.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.normalize.cleaner import lexicon, signals
from services.normalize.cleaner.blocks import Page, canonical, page_from_text

ROOT = Path(__file__).resolve().parent
CAPTURES = sorted((ROOT / "data" / "captures").glob("*.txt"))
PHRASES = sorted(lexicon._PHRASE_KIND)
WORDS = sorted(lexicon.WORD_TOKENS)
FILLER = ["the", "and", "für", "café", "niño", "Москва", "東京", "0", "00", "ß", "İstanbul",
          "ﬁle", "«", "—", "3", "12:05", "2 min", "(1:02:03)", "©", "/", "AP/Reuters"]  # fmt: skip
OPENERS = ["Photo:", "FOTO:", "Abb. 3:", "Fig. 2:", "(Bild:", "Copyright", "© AP", "03:17",
           "03:17 MIN", "[2:05]", "12 comments on “A title”", "One response to „Titel“",
           "3 Antworten zu «x»", "Source:", "Quelle: dpa", "Crédit photo", "Image:",
           "grafik|", "Abbildung 2:", "Figure 1:", "Fotos:", "Photos:", "Imagen:", "Graphic:",
           "Gráfico:", "Graphique:", "Infografik:", "Illustration:", "Bildquelle: x", "(c) 2020",
           "Credits: x", "Fuente: EFE", "Zdjęcie: x", "Źródło: x", "fot. x", "Eine Antwort auf „x“",
           "Una respuesta a «x»", "Une réponse à « x »", "1 reply to \"x\""]  # fmt: skip


def _reference(page: Page) -> tuple[dict[int, str], dict[int, str], dict[int, str]]:
    """``page_phrases``'s answer worked out line by line, without its page-level machinery:
    sre on the plain phrase trie (a literal space first) over each line alone, and the word
    table on the line's canonical tokens."""
    phrase = re.compile(lexicon._trie_source(lexicon._PHRASE_KIND))
    strong: dict[int, str] = {}
    weak: dict[int, str] = {}
    words: dict[int, str] = {}
    for i, norm in enumerate(page.norms):
        if page.n_words[i] > lexicon.STRONG_MAX_WORDS or " " not in norm:
            continue
        for m in phrase.finditer(" " + norm + " "):
            is_strong, cat = lexicon._PHRASE_KIND[canonical(m.group().strip())]
            (strong if is_strong else weak).setdefault(i, cat)
        hit = lexicon.words_match(canonical(norm).split())
        if hit is not None:
            words[i] = hit
    return strong, weak, words


@pytest.mark.parametrize("path", CAPTURES[::6], ids=lambda p: p.stem)
def test_page_phrases_matches_the_line_by_line_reference_on_devdata(path: Path) -> None:
    """RE2 over the joined lines labels the same lines, with the same categories, as sre
    line by line."""
    page = page_from_text(path.read_text(encoding="utf-8"))
    assert lexicon.page_phrases(page) == _reference(page)


LINE = st.lists(st.sampled_from(PHRASES + WORDS + FILLER), min_size=1, max_size=12).map(" ".join)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.lists(LINE, min_size=1, max_size=20))
def test_page_phrases_matches_the_line_by_line_reference_on_generated_lines(
    lines: list[str],
) -> None:
    """Lines made of lexicon phrases, boilerplate words and mixed-script filler."""
    page = page_from_text("\n".join(lines))
    assert lexicon.page_phrases(page) == _reference(page)


def test_word_only_lines_are_found_anywhere_on_the_page() -> None:
    """A line of boilerplate words is found on any line, not only the first."""
    page = page_from_text("A first line of the story, as it was written.\nEmail Print Tweet\n"
                          "More text follows here.\nPrint Email Tweet")  # fmt: skip
    assert sorted(lexicon.page_phrases(page)[2]) == [1, 3]


def test_phrases_are_looked_for_in_lines_up_to_the_word_limit() -> None:
    """A strong phrase marks a line of STRONG_MAX_WORDS words, not one word longer."""
    prompt = "Subscribe to read the rest"
    at_limit = " ".join([prompt, *["word"] * (lexicon.STRONG_MAX_WORDS - 5)])
    over = at_limit + " word"
    page = page_from_text("\n".join([at_limit, over]))
    assert page.n_words[:2] == [lexicon.STRONG_MAX_WORDS, lexicon.STRONG_MAX_WORDS + 1]
    assert lexicon.page_phrases(page)[0] == {0: "paywall"}


def test_no_tab_reaches_the_normalized_lines() -> None:
    """The phrase pattern opens with ``[ \\t]`` to stay on RE2's DFA; that matches nothing
    more only because normalized lines hold no tab."""
    page = page_from_text("Sign\tup\tnow\n\tRead more\t\nx\t\ty")
    assert not any("\t" in norm for norm in page.norms)
    assert lexicon.PHRASE_SOURCE.startswith("[ \\t]")


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
