"""Headline finder: a headline-shaped line before the body that matches the body's topic.

A capture that starts with body text gets no headline: nothing is invented.
"""

from __future__ import annotations

from itertools import compress, islice, repeat
from operator import eq, itemgetter

from . import signals
from .blocks import Page
from .classify import BAD, BODY

MAX_LOOKBACK = 30
BODY_SAMPLE_CHARS = 4_000
MIN_WORDS, MAX_WORDS = 3, 30
# Score weights, fitted on the tune half of devdata (headline = the page's own title):
# 59 -> 71 of 119 right there, 69 -> 76 of 120 on the check half.
CONFIDENT_HITS = 3
REPEAT_BONUS = 0.1
PROXIMITY_BONUS = 0.15
DEK_WORDS = 12
DEK_PENALTY = 0.1
_HEADLINE_OK_CATEGORIES = frozenset({"caption", "duplicate", "navigation", "other", "related"})
_FIRST5 = itemgetter(slice(None, 5))
_NO_HEADLINE_SIGNALS = ("credit_shape", "date_or_time", "duration")


def _lowercase_start(text: str) -> bool:
    """Headlines open with a capitalised word, a digit or a quote, in scripts with case
    ("iPhone" and "eBay" count as capitalised)."""
    first = text.split(None, 1)[0] if text.strip() else ""
    return first[:1].isalpha() and first.islower()


def _tag_list(text: str) -> bool:
    """A list of tags or keywords ("amiga, dogs, floppy, Hunde"): three or more commas
    between items of at most two words each."""
    if text.count(",") < 3:
        return False
    items = text.split(",")
    return sum(len(x.split()) for x in items) <= 2 * len(items)


def find_headline(page: Page, stop: frozenset[str]) -> int | None:
    """Best candidate by topic overlap with the body, repetition, proximity and length."""
    state = page.state
    try:
        first = state.index(BODY)
    except ValueError:
        return None
    norms = page.norms
    # The topic sample: body lines from the first one until BODY_SAMPLE_CHARS characters
    # (the line that crosses the limit included).
    tokens = page.tokens
    sample: list[str] = []
    size = 0
    for i in compress(range(first, page.n), map(eq, islice(state, first, None), repeat(BODY))):
        toks = tokens.get(i)
        sample += toks if toks is not None else norms[i].split()
        size += len(norms[i])
        if size >= BODY_SAMPLE_CHARS:
            break
    lo = max(0, first - MAX_LOOKBACK)
    lines, n_words, cat, sig, counts = page.lines, page.n_words, page.cat, page.sig, page.counts
    cands: list[tuple[int, set[str]]] = []
    for i in range(lo, first):
        text = lines[i]
        if not (MIN_WORDS <= n_words[i] <= MAX_WORDS) or len(text) > 250:
            continue
        if state[i] == BAD and cat[i] not in _HEADLINE_OK_CATEGORIES:
            continue
        if signals.ends_with_period(text) or any(s in sig[i] for s in _NO_HEADLINE_SIGNALS):
            continue
        if _lowercase_start(text) or _tag_list(text):
            continue
        content = {t for t in norms[i].split() if len(t) > 2 and t not in stop and t.strip("0")}
        if len(content) >= 2:
            cands.append((i, content))
    if not cands:
        return None
    # The topic: the words of the body's first BODY_SAMPLE_CHARS characters and their
    # 5-letter stems, looked up only for the candidates' words (no set of the sample).
    words = set().union(*(c for _, c in cands))
    found = words.intersection(sample)
    stems_wanted = {t[:5] for t in words - found if len(t) >= 5}
    stems = stems_wanted.intersection(map(_FIRST5, sample)) if stems_wanted else set()
    best: int | None = None
    best_score = 0.0
    for i, content in cands:
        missing = content - found
        hits = len(content) - len(missing)
        if missing:
            # (a word shorter than 5 letters is its own stem: missing too)
            hits += sum(1 for t in missing if t[:5] in stems)
        overlap = hits / len(content)
        repeated = counts.get(norms[i], 0) >= 2
        if overlap < (0.34 if repeated else 0.5):
            continue
        # Overlap counts in full only with CONFIDENT_HITS topic words behind it: a
        # two-word menu label matching one body word is weak evidence.
        score = overlap * min(1.0, hits / CONFIDENT_HITS)
        score += REPEAT_BONUS if repeated else 0.0
        score += PROXIMITY_BONUS * (1 - (first - i) / MAX_LOOKBACK)
        if n_words[i] > DEK_WORDS:
            score -= DEK_PENALTY  # a long line near the body is more often the standfirst
        if score > best_score:
            best, best_score = i, score
    return best
