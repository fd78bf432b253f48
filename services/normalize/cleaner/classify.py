"""Line classifier over a Page's flat arrays: evidence, then a body region, then smoothing.

1. Evidence: lexicon, shape (length, terminal punctuation, stop-word density), credits,
   durations, dates, in-page repeats and near-repeats, cross-page templates.
2. Region: the maximum-weight run of lines (prose adds, boilerplate subtracts), so menus,
   footers, comment threads and teasers around the article fall outside it. A comment
   thread is recognised by its furniture (cue, date and reply lines close together) as
   well as by a heading. Runs of prose cut off by a short boilerplate island join the body.
3. Smoothing: short lines between body lines are sub-headings or list/table items; short
   lines touching boilerplate are boilerplate; a standfirst under the headline and a last
   sentence lacking its stop are kept.

Everything works on the flat per-line arrays of ``blocks.Page``. Whole-page passes are
regexes over the joined page (the lexicon's on RE2, the line-opening signals behind one
gate) and list comprehensions (on Python 3.11 as fast as ``compress``/``map`` filters, and
faster where those call a slot wrapper); Python loops visit hits.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from itertools import accumulate, compress, count, pairwise, repeat
from operator import eq, itemgetter, mul

from . import lexicon, signals
from .blocks import Page, canonical
from .stopwords import DENSITY_HIGH, DENSITY_LOW

GOOD_MIN_WORDS = 12
LONG_WORDS = 25
NEAR_MIN_WORDS = 5
LONG_SENTENCE_WORDS = 15
DENSITY_SPARSE = 0.10
SUBHEADING_MAX_WORDS = 12
HEADLINE_SHAPED_WORDS = 10
REPEAT_WINDOW = 3
TEMPLATE_MAX_WORDS = 30
NEAR_MIN_WORDS_REPEAT = 3
NEAR_KEY_CHARS = 32  # near repeats share their first or last normalized characters
NEAR_LONG_RATIO = 1.6
NEAR_LONG_OVERLAP = 0.6
WORDS_MATCH_MAX = 6
_KEY_HEAD = itemgetter(slice(None, NEAR_KEY_CHARS))
_KEY_TAIL = itemgetter(slice(-NEAR_KEY_CHARS, None))

GOOD, NEAR, SHORT, BAD, BODY = "good", "near", "short", "bad", "body"


def _bad(page: Page, i: int, category: str, *sig: str) -> None:
    page.state[i] = BAD
    page.cat[i] = category
    page.sig[i] = page.sig[i] + sig


def _lexicon_hits(page: Page) -> dict[int, str]:
    """Lexicon category per line, in rule order: strong phrase, whole line, weak phrase,
    all-boilerplate words. Whole-line lookups are one C-level ``map``; the phrase and
    word-line regexes run once each over the lines of up to STRONG_MAX_WORDS words, joined
    once (word lines then count up to WORDS_MATCH_MAX words); Python loops only visit
    hits."""
    n_words, terminal, norms = page.n_words, page.terminal, page.norms
    out, weak, words = lexicon.page_phrases(page)
    short = WORDS_MATCH_MAX
    weak_max = lexicon.WEAK_MAX_WORDS

    def eligible(i: int) -> bool:
        n = n_words[i]
        return n <= short or (n <= weak_max and not terminal[i])

    exact_get = lexicon.EXACT_GET
    exact = list(map(exact_get, norms))
    for i in compress(count(), exact):
        cat = exact[i]
        if cat is not None and i not in out and eligible(i):
            out[i] = cat
    # Lines whose normalized form keeps runs of spaces or zeros need no second lookup:
    # the phrase and word regexes accept those runs.
    for i, cat in weak.items():
        if i not in out and eligible(i):
            out[i] = cat
    for i, cat in words.items():
        if n_words[i] <= short and i not in out:
            out[i] = cat
    return out


def evidence(
    page: Page,
    stop: frozenset[str],
    template_hits: dict[int, str] | None = None,
) -> None:
    """Per-line states from the line alone and from in-page repeats."""
    page.state = state = [SHORT] * page.n
    n_words, terminal, lines = page.n_words, page.terminal, page.lines
    padded = "\n" + page.joined + "\n"
    padded_low = signals.padded_lower(page)
    at = signals.line_openings(padded, padded_low)
    for i in signals.page_durations(page, padded, at):
        _bad(page, i, "media", "duration")
    for i, cat in _lexicon_hits(page).items():
        if state[i] != BAD:
            if n_words[i] <= 4:
                _bad(page, i, cat, f"lexicon:{cat}", "short")
            else:
                _bad(page, i, cat, f"lexicon:{cat}")
    for hits, category, signal in (
        (signals.page_comment_counts(page, padded, padded_low, at), "comments", "comment_count"),
        (signals.page_caption_labels(page, padded, padded_low, at), "caption", "caption_label"),
        (signals.page_credits(page, padded, padded_low, at), "caption", "credit_shape"),
        (signals.page_caption_credits(page, padded_low), "caption", "ends_with_credit"),
    ):
        for i in hits:
            if state[i] != BAD:
                _bad(page, i, category, signal)
    if template_hits:
        for i, hit in template_hits.items():
            if state[i] != BAD:
                _bad(page, i, "site", hit)
    norms = page.norms
    has_date, date_pre = signals.has_date, signals.DATE_PRE.search
    relative, relative_pre = signals.is_relative_time, signals.RELATIVE_PRE.search
    for i in [i for i, s in enumerate(norms) if "0" in s]:
        if state[i] != BAD and n_words[i] <= 8 and not terminal[i]:
            t = lines[i]
            if date_pre(t) and has_date(t):
                _bad(page, i, "other", "date_or_time", "short")
            elif relative_pre(t) and relative(t):
                _bad(page, i, "other", "relative_time", "short")
    byline = signals.is_comment_byline
    for i in [i for i, t in enumerate(lines) if t[-1] == ":"]:
        if state[i] != BAD and n_words[i] <= signals.COMMENT_BYLINE_MAX_WORDS and byline(lines[i]):
            _bad(page, i, "comments", "comment_byline", "short")
    # Only a sentence-ending line or a long one can be prose; the others stay SHORT and
    # their stop-word density is never needed (it is filled in later where it is).
    rest = [
        i
        for i, n in enumerate(n_words)
        if n >= NEAR_MIN_WORDS and (terminal[i] or n >= LONG_WORDS) and state[i] != BAD
    ]
    _shape(page, stop, rest)
    mark_repeats(page)
    sig = page.sig
    for i in [i for i, n in enumerate(n_words) if n >= HEADLINE_SHAPED_WORDS]:
        if state[i] == SHORT and not terminal[i]:
            sig[i] = sig[i] + ("headline_shaped",)


def _shape(page: Page, stop: frozenset[str], idx: list[int]) -> None:
    """Prose or not, from length, sentence ending and stop-word density."""
    page.fill_stop_ratio(stop, idx)
    has_stop = bool(stop)
    state, n_words, terminal, ratio = page.state, page.n_words, page.terminal, page.stop_ratio
    for i in idx:
        n = n_words[i]
        r = ratio[i]
        t = terminal[i]
        dense = (not has_stop) or r >= DENSITY_LOW
        if (n >= GOOD_MIN_WORDS and dense and (t or n >= LONG_WORDS)) or (
            n >= 8 and t and (not has_stop or r >= DENSITY_HIGH)
        ):
            state[i] = GOOD
        elif t and dense:
            state[i] = NEAR
        elif t and n >= LONG_SENTENCE_WORDS and r >= DENSITY_SPARSE:
            # A whole sentence with few function words (German compounds, technical
            # prose): body when the region around it is, never a reason for a region.
            state[i] = NEAR
        else:
            state[i] = SHORT


def _overlapping(a: str, b: str) -> bool:
    """Most of the smaller line's words are in the other (NEAR_LONG_OVERLAP)."""
    if a == b:  # most near-repeat candidates are exact copies: no need to split them
        return True
    sa, sb = set(a.split()), set(b.split())
    return len(sa & sb) >= NEAR_LONG_OVERLAP * min(len(sa), len(sb))


def _numeric(norm: str) -> bool:
    """A table cell or a quantity ("1", "20,2 Mio.", "15,7 %"): at least half of its
    tokens are numbers. Equal values recur in tables and lists; that is no caption."""
    if "0" not in norm:
        return False
    toks = norm.split()
    return 2 * sum(1 for t in toks if not t.strip("0")) >= len(toks)


def _nearest_same(keys: list[str], k: int) -> int:
    """The nearest of the REPEAT_WINDOW positions before ``k`` with the same key, else k."""
    key = keys[k]
    for p in range(k - 1, max(k - REPEAT_WINDOW, 0) - 1, -1):
        if keys[p] == key:
            return p
    return k


def mark_repeats(page: Page) -> None:
    """Exact and near repeats: adjacent ones are caption groups, others duplicates.

    Exact repeats come from one normalized-key count (work only on repeated lines); near
    repeats from opening/closing keys within a bounded window."""
    norms, state, n_words = page.norms, page.state, page.n_words
    counts = page.counts = Counter(norms)
    # Python loops visit only repeated lines.
    multi: set[str] = set()
    if len(counts) < page.n:
        multi = {k for k, c in counts.items() if c > 1}
        # ("0" first: most repeated lines hold no number, and the call costs more)
        multi.difference_update([k for k in multi if "0" in k and _numeric(k)])
    adjacent: set[int] = set()
    rep_idx: list[int] = []
    if multi:
        rep_idx = [i for i, s in enumerate(norms) if s in multi]
        last: dict[str, int] = {}
        for i in rep_idx:
            norm = norms[i]
            j = last.get(norm)
            if j is not None and i - j <= REPEAT_WINDOW:
                adjacent.add(i)
                adjacent.add(j)
            last[norm] = i
    near_hits: dict[int, int] = {}  # later line -> earlier near-identical line
    # Near repeats (a caption and its alt text, a teaser and its lead): a nearby line of
    # similar length with the same opening or closing characters, confirmed by word
    # overlap. Keys, not pairwise similarity: a line is compared with another only when
    # their keys match, so tables and lists of similar short rows are not "repeats".
    min_words = NEAR_MIN_WORDS_REPEAT
    cand = [i for i, s in enumerate(norms) if len(s) > NEAR_KEY_CHARS and n_words[i] >= min_words]
    cand_norms = list(map(norms.__getitem__, cand))
    heads = list(map(_KEY_HEAD, cand_norms))
    tails = list(map(_KEY_TAIL, cand_norms))
    # Candidates whose key equals that of one of the REPEAT_WINDOW candidates before it:
    # shifted C-level compares, no hashing of the keys (only such lines can pair up).
    m = len(cand)
    paired: set[int] = set()
    for d in range(1, REPEAT_WINDOW + 1):
        paired.update(compress(range(d, m), map(eq, heads[d:], heads)))
        paired.update(compress(range(d, m), map(eq, tails[d:], tails)))
    for k in paired:
        i = cand[k]
        for keys in (heads, tails):
            j = cand[_nearest_same(keys, k)]
            if (
                i > j >= i - REPEAT_WINDOW
                and max(n_words[i], n_words[j]) <= NEAR_LONG_RATIO * min(n_words[i], n_words[j])
                and _overlapping(norms[i], norms[j])
            ):
                near_hits[i] = j
                break
    # Each line's own verdict depends only on its state before this step, so own verdicts
    # run first (the many plain duplicates in one tight loop) and near-repeat partners
    # after, in line order: the same labels as one ordered pass over all of them.
    special = adjacent.union(near_hits)
    for i in sorted(special):
        if state[i] != BAD:
            _bad(page, i, "caption", f"repeat:{max(2, counts[norms[i]])}", "adjacent_repeat")
    long_idx: list[int] = []  # repeated lines too long for a plain duplicate, still open
    if multi:
        cat, sig = page.cat, page.sig
        dup_sig: dict[int, tuple[str, ...]] = {}
        short = SUBHEADING_MAX_WORDS
        for i in rep_idx:
            if state[i] != BAD:
                if n_words[i] >= short:
                    long_idx.append(i)
                    continue
                c = counts[norms[i]]
                g = dup_sig.get(c)
                if g is None:
                    g = dup_sig[c] = (f"repeat:{c}",)
                state[i] = BAD
                cat[i] = "duplicate"
                sig[i] = sig[i] + g
    for i in sorted(near_hits):
        j = near_hits[i]
        if state[j] != BAD:
            _bad(page, j, "caption", "near_repeat", f"repeat:{max(2, counts[norms[i]])}")
    # Long non-adjacent repeats: keep the first, drop later copies.
    seen: set[str] = set()
    for i in long_idx:
        if state[i] != BAD:  # (a near-repeat partner may just have been removed)
            norm = norms[i]
            if norm in seen:
                _bad(page, i, "duplicate", f"repeat:{counts[norm]}")
            seen.add(norm)


ZONE_MIN_GOOD_WORDS = 300
THREAD_MIN_GOOD_WORDS = 50  # article words needed before a structural comment thread
COPYRIGHT_MIN_GOOD_WORDS = 100  # ... before a copyright notice among footer links ends it
THREAD_WINDOW = 8
THREAD_MIN_META = 3
EXTRA_RUN_MIN_WEIGHT = 40.0
STANDFIRST_MAX_GAP = 3
EXTRA_GAP_MAX_LINES = 12
EXTRA_GAP_BEFORE_MAX_LINES = 6
LIST_MAX_LINES = 40
LIST_ITEM_MIN_WORDS = 3
LIST_WORDY_SHARE = 0.6
LIST_MIN_MEAN_WORDS = 3.0
_END_MARKERS = frozenset({"comments", "site"})


_THREAD_META_SIGNALS = frozenset({"date_or_time", "relative_time", "comment_byline"})
_META_CATEGORIES = frozenset({"comments", "other"})
_LIGHT_BOILERPLATE = frozenset({"caption", "duplicate"})


def _comment_threads(page: Page) -> set[int]:
    """Comment cues ("Reply", "Jane says:", a comment-count widget) that sit among other
    comment furniture: at least THREAD_MIN_META cue, date or relative-time lines within
    THREAD_WINDOW lines. A thread is recognised by this structure, with or without a
    "Comments" heading."""
    cat, sig = page.cat, page.sig
    meta = [
        i
        for i, c in enumerate(cat)
        if c in _META_CATEGORIES
        and (c == "comments" or (sig[i] and sig[i][0] in _THREAD_META_SIGNALS))
    ]
    if len(meta) < THREAD_MIN_META:
        return set()
    out: set[int] = set()
    for i in meta:
        if cat[i] != "comments":
            continue
        lo = bisect_left(meta, i - THREAD_WINDOW)
        hi = bisect_right(meta, i + THREAD_WINDOW)
        if hi - lo >= THREAD_MIN_META:
            out.add(i)
    return out


def _weights(page: Page) -> list[float]:
    """Line weights for the region: prose adds its length (at most 150), a sentence-ending
    short line 3, other short lines -1 or -2, captions and duplicates -4, other
    boilerplate -12. After an end-of-article marker (comment widget, copyright footer)
    that follows enough prose, prose weighs against (half its length) and is marked."""
    state, n_words, cat, sig = page.state, page.n_words, page.cat, page.sig
    # (most lines are short or boilerplate: those tests first)
    weight = [
        (-1.0 if n <= 3 else -2.0)
        if s == SHORT
        else (-4.0 if c in _LIGHT_BOILERPLATE else -12.0)
        if s == BAD
        else (float(n) if n < 150 else 150.0)
        if s == GOOD
        else 3.0
        for s, n, c in zip(state, n_words, cat, strict=True)
    ]
    # good_before[i]: prose words in lines [0, i)
    good_before = list(accumulate(map(mul, n_words, map(eq, state, repeat(GOOD))), initial=0))
    total_good = good_before[-1]
    need = min(ZONE_MIN_GOOD_WORDS, 0.5 * (total_good or 1))
    thread_need = min(THREAD_MIN_GOOD_WORDS, need)
    threads: set[int] | None = None
    zone, start = "", -1
    for i in [i for i, c in enumerate(cat) if c in _END_MARKERS]:
        seen_good = good_before[i]
        if threads is None:
            threads = _comment_threads(page)
        if i in threads and seen_good >= thread_need:
            zone = "comment"
        elif seen_good >= need or (
            seen_good >= COPYRIGHT_MIN_GOOD_WORDS
            and signals.is_copyright(page.lines[i])
            and _footer_cluster(page, i, COPYRIGHT_WINDOW)
        ):
            sg = sig[i]
            if sg and (sg[0].startswith("lexicon:") or sg[0] == "comment_count"):
                if cat[i] == "comments":
                    zone = "comment"
                elif _footer_marker(page, i):
                    zone = "footer"
        if zone:
            start = i
            break
    if zone:
        mark = (f"{zone}_zone",)
        for i in range(start + 1, page.n):
            s = state[i]
            if s == GOOD:
                weight[i] = -weight[i] / 2
                sig[i] = sig[i] + mark
            elif s == NEAR:
                weight[i] = -1.0
    return weight


FOOTER_WINDOW = 5
FOOTER_MIN_LINKS = 3
COPYRIGHT_WINDOW = 10  # a copyright notice sits under the footer's links, not among them


def _footer_marker(page: Page, i: int) -> bool:
    """A site line that starts the footer: one of several words (a copyright notice,
    "Imprint Privacy"), or one of FOOTER_MIN_LINKS site lines within FOOTER_WINDOW lines
    (Imprint / Privacy / Contact). A lone "Help" in an account menu does not end the page."""
    return page.n_words[i] > 1 or _footer_cluster(page, i)


def _footer_cluster(page: Page, i: int, window: int = FOOTER_WINDOW) -> bool:
    """FOOTER_MIN_LINKS site lines (this one included) within ``window`` lines."""
    cat = page.cat
    lo, hi = max(0, i - window), min(page.n, i + window + 1)
    return sum(1 for k in range(lo, hi) if cat[k] == "site") >= FOOTER_MIN_LINKS


def main_region(page: Page) -> tuple[int, int]:
    """Maximum-sum run of line weights (Kadane); (-1, -1) when nothing is prose."""
    weight = page.weight = _weights(page)
    best, best_s, best_e = 0.0, -1, -1
    cur, cur_s = 0.0, 0
    for i, w in enumerate(weight):
        if cur <= 0:
            cur, cur_s = w, i
        else:
            cur += w
        if cur > best:
            best, best_s, best_e = cur, cur_s, i
    return best_s, best_e


# Shape signals of a removed line, by (fewer than GOOD_MIN_WORDS words, terminal).
_SHAPE_SIGNALS = {
    (True, True): ("short",),
    (True, False): ("short", "no_terminal_punct"),
    (False, True): (),
    (False, False): ("no_terminal_punct",),
}


# A position signal and the shape signals as one tuple, by signal and [short][terminal].
_ZONE_SIGNALS = {
    zone: tuple(
        tuple((zone, *_SHAPE_SIGNALS[short, terminal]) for terminal in (False, True))
        for short in (False, True)
    )
    for zone in ("head_zone", "tail_zone", "between_runs")
}


def _shape_signals(page: Page, i: int) -> tuple[str, ...]:
    short = page.n_words[i] < GOOD_MIN_WORDS and "short" not in page.sig[i]
    return _SHAPE_SIGNALS[short, page.terminal[i]]


def _zone_out(
    page: Page, lo: int, hi: int, category: str, zone_sig: str, comments: bool = False
) -> None:
    """Every line of [lo, hi) not already boilerplate becomes ``category`` (with
    ``comments``, one marked in a comment zone becomes "comments"). ``zone_sig`` is one of
    the signals ``_ZONE_SIGNALS`` precomputes."""
    state, sig, cat, n_words, terminal = page.state, page.sig, page.cat, page.n_words, page.terminal
    added = _ZONE_SIGNALS[zone_sig]
    for i in range(lo, hi):
        if state[i] != BAD:
            state[i] = BAD
            g = sig[i]
            cat[i] = "comments" if comments and "comment_zone" in g else category
            sig[i] = g + added[n_words[i] < GOOD_MIN_WORDS and "short" not in g][terminal[i]]


def _list_like(words: list[int]) -> bool:
    """A run of short lines between body lines that reads as a list or table inside the
    article (items of a few words each), not as a menu of one-word links."""
    k = len(words)
    if k < 2 or k > LIST_MAX_LINES:
        return False
    wordy = sum(1 for n in words if n >= LIST_ITEM_MIN_WORDS)
    return wordy >= LIST_WORDY_SHARE * k and sum(words) >= LIST_MIN_MEAN_WORDS * k


def standfirst(page: Page, head: int, stop: frozenset[str]) -> None:
    """Lines just above the body and below the headline that read as prose (a standfirst or
    lead set without its final stop): at most STANDFIRST_MAX_GAP lines up, each longer than
    a sub-heading and dense in stop words, and removed only by position."""
    state, sig, n_words = page.state, page.sig, page.n_words
    try:
        first = state.index(BODY)
    except ValueError:
        return
    i = first - 1
    while i > head and first - i <= STANDFIRST_MAX_GAP:
        g = sig[i]
        if (
            state[i] == BAD
            and page.cat[i] == "navigation"
            and "head_zone" in g
            and g[0] in ("head_zone", "headline_shaped")
            and n_words[i] > SUBHEADING_MAX_WORDS
            and (not stop or page.density(stop, i) >= DENSITY_LOW)
        ):
            state[i] = BODY
            sig[i] = (*g, "standfirst")
        i -= 1


def closing_line(page: Page, stop: frozenset[str]) -> None:
    """The line right after the last body line, when it reads as prose that lacks its final
    stop (longer than a sub-heading, dense in stop words) and was removed only by position:
    the article's last sentence, not a teaser title."""
    state, sig, n_words = page.state, page.sig, page.n_words
    last = len(state) - 1 - state[::-1].index(BODY) if BODY in state else -1
    i = last + 1
    if last < 0 or i >= page.n:
        return
    g = sig[i]
    if (
        page.cat[i] == "site"
        and g
        and g[0] in ("tail_zone", "headline_shaped")
        and "tail_zone" in g
        and n_words[i] > SUBHEADING_MAX_WORDS
        and (not stop or page.density(stop, i) >= DENSITY_LOW)
    ):
        state[i] = BODY
        sig[i] = (*g, "closing_line")


BYLINE_WINDOW = 4  # a byline sits this close to the headline (or to the body's start)
BIO_LAST_LINES = 2
BIO_MAX_WORDS = 160


def author_bio(page: Page, head: int | None) -> None:
    """An author box closing the article: one of its last BIO_LAST_LINES body lines opens
    with a name the byline gave and a bio verb ("Jane Doe is a reporter who ..."), or
    follows a removed line repeating a name-only line of the byline. Names come only from
    lines next to the headline, so a person the story is about is not taken for one."""
    state = page.state
    body = list(compress(count(), map(eq, state, repeat(BODY))))
    if len(body) <= BIO_LAST_LINES:
        return
    first, last = body[0], body[-BIO_LAST_LINES:]
    lines, n_words = page.lines, page.n_words
    anchor = head if head is not None else first
    lo, hi = max(0, anchor - BYLINE_WINDOW), min(first, anchor + BYLINE_WINDOW + 1)
    names: set[str] = set()  # from "By ..." lines
    name_lines: set[str] = set()  # normalized names, from those and name-only lines
    for k in range(lo, hi):
        if state[k] != BODY and k != head and 2 <= n_words[k] <= signals.BYLINE_MAX_WORDS:
            found = signals.byline_names(lines[k])
            if found:
                name_lines.update(map(lexicon.normalize, found))
                if signals.is_byline(lines[k]):
                    names.update(found)
    if not name_lines:
        return
    norms, sig = page.norms, page.sig
    for i in last:
        if n_words[i] > BIO_MAX_WORDS or state[i] != BODY:
            continue
        after_name = i > 0 and canonical(norms[i - 1]) in name_lines
        if after_name or signals.opens_author_note(lines[i], names):
            # (the name heading above the note, if it was kept as a sub-heading, goes too)
            for k in (i - 1, i) if after_name and state[i - 1] == BODY else (i,):
                state[k] = BAD
                page.cat[k] = "site"
                sig[k] = (*sig[k], "author_bio", *_shape_signals(page, k))


def extra_runs(page: Page, start: int, end: int) -> list[tuple[int, int]]:
    """The main run plus nearby runs of prose cut off from it by a short boilerplate island
    (an inline promo box, a caption block, a "Read more" teaser): each must carry
    EXTRA_RUN_MIN_WEIGHT of prose, sit at most EXTRA_GAP_MAX_LINES lines away (fewer
    before the article) and lie outside a comment or footer zone (whose prose weighs
    negative). The island lines themselves stay removed."""
    if start < 0:
        return []
    weight, n = page.weight, page.n
    runs = [(start, end)]
    i = end + 1
    while i < n:
        g = i
        while g < n and weight[g] <= 0:
            g += 1
        if g >= n or g - i > EXTRA_GAP_MAX_LINES:
            break
        best, best_e = _best_run(weight, range(g, n))
        if best < EXTRA_RUN_MIN_WEIGHT:
            break
        runs.append((g, best_e))
        i = best_e + 1
    i = start - 1
    while i >= 0:
        g = i
        while g >= 0 and weight[g] <= 0:
            g -= 1
        if g < 0 or i - g > EXTRA_GAP_BEFORE_MAX_LINES:
            break
        best, best_s = _best_run(weight, range(g, -1, -1))
        if best < EXTRA_RUN_MIN_WEIGHT:
            break
        runs.insert(0, (best_s, g))
        i = best_s - 1
    return runs


def _best_run(weight: list[float], lines: range) -> tuple[float, int]:
    """Heaviest prefix of a run of lines walked in either direction: (its weight, the line
    where it ends), stopping once the running sum falls to zero."""
    best, best_k, cur = 0.0, -1, 0.0
    for k in lines:
        cur += weight[k]
        if cur > best:
            best, best_k = cur, k
        elif cur <= 0:
            break
    return best, best_k


def smooth(page: Page, start: int, end: int) -> None:
    """Final labels: body inside the main run and the extra runs near it (``extra_runs``);
    short runs kept only between body lines; everything else is boilerplate."""
    sig = page.sig
    n = page.n
    runs = extra_runs(page, start, end)
    _zone_out(page, 0, runs[0][0] if runs else n, "navigation", "head_zone")
    if not runs:
        return
    _zone_out(page, runs[-1][1] + 1, n, "site", "tail_zone", comments=True)
    for (_, e0), (s1, _) in pairwise(runs):
        _zone_out(page, e0 + 1, s1, "other", "between_runs")
    for s0, e0 in runs:
        if (s0, e0) != (start, end):
            for i in range(s0, e0 + 1):
                sig[i] = sig[i] + ("extra_run",)
        _smooth_run(page, s0, e0)


def _smooth_run(page: Page, start: int, end: int) -> None:
    state, sig, n_words, terminal = page.state, page.sig, page.n_words, page.terminal
    for i in range(start, end + 1):
        if state[i] in (GOOD, NEAR):
            state[i] = BODY
    lines, cat = page.lines, page.cat
    i = start
    while i <= end:
        if state[i] != SHORT:
            i += 1
            continue
        j = i
        while j + 1 <= end and state[j + 1] == SHORT:
            j += 1
        run = range(i, j + 1)
        prev_ok = i - 1 >= start and state[i - 1] == BODY
        next_ok = j + 1 <= end and state[j + 1] == BODY
        keep = (
            prev_ok
            and next_ok
            and len(run) <= 3
            and all(
                n_words[k] <= SUBHEADING_MAX_WORDS
                and "headline_shaped" not in sig[k]
                and len(lines[k]) <= 120
                for k in run
            )
        )
        sentence = prev_ok and next_ok and all(terminal[k] and n_words[k] >= 8 for k in run)
        listed = (
            not keep
            and not sentence
            and prev_ok
            and next_ok
            and _list_like([n_words[k] for k in run])
        )
        after_related = i - 1 >= 0 and cat[i - 1] == "related"
        for k in run:
            if sentence:
                state[k] = BODY
                sig[k] = sig[k] + ("context:body_neighbours",)
            elif keep:
                state[k] = BODY
                sig[k] = sig[k] + ("subheading",)
            elif listed:
                state[k] = BODY
                sig[k] = sig[k] + ("list_item",)
            elif after_related:
                _bad(page, k, "related", "context:after_related", *_shape_signals(page, k))
            elif "headline_shaped" in sig[k]:
                _bad(page, k, "related", *_shape_signals(page, k))
            else:
                _bad(page, k, "other", "context:boilerplate_neighbours", *_shape_signals(page, k))
        i = j + 1
