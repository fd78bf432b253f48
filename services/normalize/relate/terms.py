"""Salient terms of an article, weighted, for story assignment.

Three kinds of term, all case-folded:

* ``e:`` names: runs of capitalized words that are not stopwords (``e:zhao leji`` and each of
  its words ``e:zhao``, ``e:leji``); a lone capitalized word at a sentence start counts as a
  plain word, since capitalization there says nothing. Weight x3.
* ``n:`` four-digit numbers (years and the like). Weight x1.
* ``w:`` other content words of four letters or more that are not stopwords. Weight x1.

Stopwords are jusText's lists (already a dependency) for English plus the record's language.
A term's weight is ``kind weight * (1 + ln tf)``; the vector keeps the top ``size`` terms and
is L2-normalized, so long articles do not outweigh short ones.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from functools import lru_cache

import justext

ENTITY_WEIGHT = 3.0
MAX_TERM_CHARS = 48

_LANGUAGES = {
    "en": "English", "de": "German", "fr": "French", "es": "Spanish", "it": "Italian",
    "pt": "Portuguese", "pl": "Polish", "nl": "Dutch", "ru": "Russian", "sv": "Swedish",
    "da": "Danish", "cs": "Czech", "tr": "Turkish", "fi": "Finnish", "uk": "Ukrainian",
    "ro": "Romanian", "hu": "Hungarian", "no": "Norwegian_Bokmal", "nb": "Norwegian_Bokmal",
    "el": "Greek", "ca": "Catalan", "hr": "Croatian", "sk": "Slovak", "id": "Indonesian",
}
# Calendar words are capitalized in English yet name no event.
_CALENDAR = {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january",
    "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december", "mr", "mrs", "ms", "dr",
}
_TOKEN = re.compile(r"[^\W_](?:[\w'’\-]*[^\W_])?|[.!?]")
_POSSESSIVE = re.compile(r"['’]s$")
_POSSESSIVE_ENDINGS = ("'s", "’s")


@lru_cache(maxsize=32)
def stopwords(language: str | None) -> frozenset[str]:
    words = set(justext.get_stoplist("English"))
    name = _LANGUAGES.get((language or "").lower())
    if name:
        words |= set(justext.get_stoplist(name))
    return frozenset(w.casefold() for w in words) | _CALENDAR


def _count_run(counts: Counter[str], run: list[str], at_sentence_start: bool) -> None:
    """Count a run of capitalized words: a name, unless it is one sentence-initial word."""
    if not run:
        return
    if len(run) == 1 and at_sentence_start:
        if len(run[0]) > 3:
            counts["w:" + run[0]] += 1
        return
    for word in run:
        counts["e:" + word] += 1
    if len(run) > 1:
        counts["e:" + " ".join(run)[:MAX_TERM_CHARS]] += 1


def term_counts(text: str, *, title: str | None = None, language: str | None = None
                ) -> Counter[str]:
    """Raw term counts (before weighting) of a title and text."""
    stop = stopwords(language)
    counts: Counter[str] = Counter()
    body = f"{title}\n\n{text}" if title else text
    for para in body.split("\n"):
        run: list[str] = []
        run_at_start = False
        sentence_start = True
        for match in _TOKEN.finditer(para):
            token = match.group()
            if token in ".!?":
                _count_run(counts, run, run_at_start)
                run = []
                sentence_start = True
                continue
            if token.endswith(_POSSESSIVE_ENDINGS):  # as _POSSESSIVE.sub, without a regex
                token = token[:-2]
            low = token.casefold()
            if token[:1].isupper() and low not in stop and not low.isdigit():
                if not run:
                    run_at_start = sentence_start
                run.append(low[:MAX_TERM_CHARS])
            else:
                _count_run(counts, run, run_at_start)
                run = []
                if low.isdigit():
                    if len(low) == 4:
                        counts["n:" + low] += 1
                elif low not in stop and len(low) > 3:
                    counts["w:" + low[:MAX_TERM_CHARS]] += 1
            sentence_start = False
        _count_run(counts, run, run_at_start)
    return counts


def term_vector(text: str, *, title: str | None = None, language: str | None = None,
                size: int = 64) -> dict[str, float]:
    """The weighted, L2-normalized top-``size`` term vector (ties broken by term)."""
    weights = {
        term: (ENTITY_WEIGHT if term.startswith("e:") else 1.0) * (1.0 + math.log(n))
        for term, n in term_counts(text, title=title, language=language).items()
    }
    top = sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[:size]
    norm = math.sqrt(sum(w * w for _, w in top)) or 1.0
    return {term: w / norm for term, w in top}


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    """Cosine similarity of two sparse vectors."""
    if len(a) > len(b):
        a, b = b, a
    dot = sum(w * b.get(t, 0.0) for t, w in a.items())
    na = math.sqrt(sum(w * w for w in a.values()))
    nb = math.sqrt(sum(w * w for w in b.values()))
    return dot / (na * nb) if na and nb else 0.0
