"""Page language, detected once per page from a short sample of its prose-looking lines.

A page in one of the widely used languages is recognised by its most frequent function
words (a few dozen per language, counted over ~100 normalized tokens: cheap, and they fit
in cache). Anything less clear-cut goes to py3langid, whose tables are large enough that
one call costs far more than the rest of the page's classification.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from itertools import chain

SAMPLE_CHARS = 300
_MIN_SAMPLE_WORDS = 10
VOTE_TOKENS = 200
VOTE_MIN_HITS = 12
VOTE_MARGIN = 3.0

# Very frequent function words that are (nearly) specific to one language. A word shared
# by two of these languages is left out of both.
_FUNCTION_WORDS: dict[str, str] = {
    "en": "the and of that with for are this have from not were which has been they their "
    "would there will about what when who into than only",
    "de": "der die und das ist nicht mit sich auf für dem den ein eine einer auch wird "
    "werden sind wurde noch nach bei aus wie oder über zum zur vom sie ich",
    "fr": "les et des est une dans pour qui pas sur au aux sont ont été cette avec comme "
    "nous vous leur ces fait être",
    "es": "el los las y del es más pero sus fue cuando también",
    "pt": "os em uma com não foi ao pelo pela são também seu sua isso ele ela",
    "it": "di che è per sono della dei delle nel nella alla anche più questo questa gli "
    "hanno stato essere",
    "nl": "het een van dat niet met op voor zijn ook aan maar wordt door werd nog naar bij "
    "uit hebben deze",
    "pl": "w się z że nie jest jak po od przez dla jego są tak ale już tym oraz może który "
    "która które",
}


def _vote_index() -> dict[str, str]:
    owner: dict[str, str] = {}
    shared: set[str] = set()
    for lang, words in _FUNCTION_WORDS.items():
        for w in words.split():
            if w in owner and owner[w] != lang:
                shared.add(w)
            owner[w] = lang
    return {w: lang for w, lang in owner.items() if w not in shared}


_VOTE = _vote_index()


def _prose_first(n_words: Sequence[int], terminal: Sequence[bool]) -> Iterator[int]:
    """Lines of more than ten words ending like a sentence first, then the other long
    ones (a menu flattened into one line has no sentence ending). Lazily."""
    long = _MIN_SAMPLE_WORDS
    first = (i for i, n in enumerate(n_words) if n > long and terminal[i])
    then = (i for i, n in enumerate(n_words) if n > long and not terminal[i])
    return chain(first, then)


def vote_language(
    norms: Sequence[str], n_words: Sequence[int], terminal: Sequence[bool]
) -> str | None:
    """Language of the first prose-like lines by function-word counts; None if unclear."""
    toks: list[str] = []
    for i in _prose_first(n_words, terminal):
        toks += norms[i].split()
        if len(toks) >= VOTE_TOKENS:
            break
    counts = Counter(filter(None, map(_VOTE.get, toks)))
    if not counts:
        return None
    top = counts.most_common(2)
    lang, hits = top[0]
    second = top[1][1] if len(top) > 1 else 0
    if hits >= VOTE_MIN_HITS and hits >= VOTE_MARGIN * second:
        return lang
    return None


def detect_language(
    lines: Sequence[str],
    norms: Sequence[str] | None = None,
    n_words: Sequence[int] | None = None,
    terminal: Sequence[bool] | None = None,
) -> str | None:
    """Function-word vote when the page's arrays are given and it is clear-cut, else
    py3langid on prose-like lines (body candidates), not on menus."""
    order: Iterator[int]
    if norms is not None and n_words is not None and terminal is not None:
        lang = vote_language(norms, n_words, terminal)
        if lang:
            return lang
        order = _prose_first(n_words, terminal)
    else:
        order = (i for i, line in enumerate(lines) if line.count(" ") >= _MIN_SAMPLE_WORDS)
    parts: list[str] = []
    size = 0
    for i in order:
        parts.append(lines[i])
        size += len(lines[i])
        if size >= SAMPLE_CHARS:
            break
    if size < 100:
        parts = list(lines[:200])
    sample = " ".join(parts)[:SAMPLE_CHARS]
    if len(sample) < 20:
        return None
    import py3langid

    lang, _ = py3langid.classify(sample)
    return str(lang)


__all__ = ["detect_language", "vote_language"]
