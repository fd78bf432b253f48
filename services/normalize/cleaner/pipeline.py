"""Orchestration of the cleaner: page arrays -> evidence -> region -> smoothing -> headline."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from itertools import compress, repeat
from operator import eq, not_
from typing import Any

from . import classify as C
from . import lexicon, signals
from .blocks import Page, canonical, page_from_lines, page_from_text
from .headline import find_headline
from .language import detect_language
from .stopwords import stoplist

RemovalTuple = tuple[str, str, tuple[str, ...]]


def _template_hits(page: Page, site: str, templates: Any, page_id: str | None) -> dict[int, str]:
    """Indexes of short, non-sentence lines that recur across pages or sites.

    Thresholds never go below 2, so a line seen in a single page is never judged here.
    """
    lines = page.lines
    if page_id and hasattr(templates, "seen_excluding"):
        counts = templates.seen_excluding(site, lines, page_id)
    else:
        counts = templates.seen(site, lines)
    min_pages = max(2, int(getattr(templates, "min_pages", 3)))
    min_sites = max(2, int(getattr(templates, "min_sites", 3)))
    hits: dict[int, str] = {}
    n_words, terminal = page.n_words, page.terminal
    for i, (pages, sites) in enumerate(counts):
        n = n_words[i]
        if n > C.TEMPLATE_MAX_WORDS:
            continue
        if terminal[i] and n >= C.GOOD_MIN_WORDS:
            continue  # a sentence-shaped paragraph is not judged by this signal alone
        if pages >= min_pages:
            hits[i] = f"template:site={pages}"
        elif sites >= min_sites:
            hits[i] = f"template:sites={sites}"
    return hits


def run_capture(
    text: str,
    *,
    language: str | None,
    site: str | None,
    templates: Any,
    page_id: str | None,
) -> tuple[str | None, list[str], Iterable[RemovalTuple], str | None]:
    page = page_from_text(text)
    lines = page.lines
    lang = (
        language
        if language is not None
        else detect_language(lines, page.norms, page.n_words, page.terminal)
    )
    stop = stoplist(lang)
    hits: dict[int, str] | None = None
    if templates is not None and site:
        hits = _template_hits(page, site, templates, page_id)
    C.evidence(page, stop, hits)
    start, end = C.main_region(page)
    C.smooth(page, start, end)
    C.closing_line(page, stop)
    head = find_headline(page, stop)
    title = None
    state, cat, sig, norms = page.state, page.cat, page.sig, page.norms
    if head is not None:
        C.standfirst(page, head, stop)
        title = lines[head]
        head_norm = norms[head]
        copies = [head]
        if page.counts.get(head_norm, 1) > 1:
            copies = [i for i, s in enumerate(norms) if s == head_norm]
        for i in copies:
            state[i] = C.BAD
            cat[i] = "headline"
            sig[i] = ("headline",) if i == head else ("headline", "repeat")
    C.author_bio(page, head)
    if templates is not None and site and page_id:
        templates.record(site, page_id, lines)
    kept = list(map(eq, state, repeat(C.BODY)))
    body = list(compress(lines, kept))
    gone = list(map(not_, kept))
    # Triples built lazily: ``clean_capture`` turns them straight into Removal objects.
    removed = zip(compress(cat, gone), compress(lines, gone), compress(sig, gone), strict=True)
    return title, body, removed, lang


_BODY_CATEGORIES = frozenset({"paywall", "promo", "comments", "share", "media"})
# A line of a few words made only of credit words ("Getty Images", "Foto: dpa") is a credit
# left behind by its picture, one of related-box words ("Read more", "Most popular") the
# label of a box whose links extraction dropped: more categories for whole short lines.
_SHORT_CATEGORIES = _BODY_CATEGORIES | {"caption", "related"}


def run_body(
    paragraphs: list[str],
    *,
    title: str | None,
    language: str | None,
    authors: Sequence[str] = (),
    linked: Collection[int] = (),
) -> tuple[list[str], list[RemovalTuple], str | None]:
    """Conservative: remove only lines that are unmistakably boilerplate.

    ``linked``: indexes (into ``paragraphs``) of list items that carry a link in the page."""
    kept = [i for i, p in enumerate(paragraphs) if p and p.strip()]
    page = page_from_lines([paragraphs[i].strip() for i in kept])
    if linked:
        at = {k: i for i, k in enumerate(kept)}
        linked = {at[k] for k in linked if k in at}
    lang = language or detect_language(page.lines)
    title_norm = lexicon.normalize(title) if title else None
    names = [a.lower() for a in authors if a.count(" ") >= 1]
    body: list[str] = []
    removed: list[RemovalTuple] = []
    tail = page.n - TAIL_PARAGRAPHS
    bio_from = page.n - C.BIO_LAST_LINES
    captions = signals.page_caption_credits(page, signals.padded_lower(page))
    related = _tail_link_list(page, linked)
    closing = max(tail, _after_last_sentence(page))
    for i, text in enumerate(page.lines):
        verdict = _body_verdict(page, i, title_norm)
        if verdict is None and i in related:
            verdict = ("related", ("link_list", "item" if text.startswith(LIST_ITEM) else "heading",
                                   "tail"))
        if verdict is None and (i == 0 or i == page.n - 1) and page.n >= DATELINE_MIN_BODY:
            verdict = _dateline(page, i)
        if verdict is None and i in captions:
            verdict = ("caption", ("ends_with_credit",))
        if verdict is None and signals.is_disguised(text, page.n_words[i]):
            verdict = ("promo", ("mixed_script",))
        if (verdict is None and i >= closing and not page.terminal[i]
                and page.n_words[i] <= lexicon.WEAK_MAX_WORDS and not text.startswith(LIST_ITEM)
                and (cat := _opening_phrase(page, i)) in _BODY_CATEGORIES):
            verdict = (cat, (f"lexicon:{cat}", "weak_phrase", "no_terminal_punct", "tail"))
        if verdict is None and i >= tail and _tail_notice(page, i):
            verdict = ("site", ("copyright", "tail"))
        if verdict is None and i >= tail and _EMAIL_LINE.match(text):
            verdict = ("site", ("email_only", "tail"))
        if (
            verdict is None
            and i >= bio_from
            and page.n_words[i] <= C.BIO_MAX_WORDS
            and signals.opens_author_note(text, names)
        ):
            verdict = ("site", ("author_bio", "tail"))
        if verdict is None:
            body.append(text)
        else:
            removed.append((verdict[0], text, verdict[1]))
    return body, removed, lang


def _opening_phrase(page: Page, i: int) -> str | None:
    """The category of a weak phrase starting within the line's first words: a prompt says
    what to do first ("Subscribe to ...", "Get it on Google Play"); a spec line mentions the
    store in passing, further on."""
    words = canonical(page.norms[i]).split()
    for start in range(min(WEAK_OPENING_WORDS, len(words))):
        cat = lexicon.weak_match(" ".join(words[start:start + WEAK_PHRASE_MAX_WORDS]))
        if cat is not None:
            return cat
    return None


def _after_last_sentence(page: Page) -> int:
    """Where the lines after the body's last sentence start (a sentence: terminal
    punctuation, PROSE_MIN_WORDS words, no strong boilerplate phrase). A weak phrase decides
    only there: a subheading above prose is the article's, a prompt after it is not."""
    for i in range(page.n - 1, -1, -1):
        if (page.terminal[i] and page.n_words[i] >= PROSE_MIN_WORDS
                and lexicon.strong_match(canonical(page.norms[i])) is None):
            return i + 1
    return 0


TAIL_PARAGRAPHS = 3
PROSE_MIN_WORDS = 8
WEAK_OPENING_WORDS = 4  # a closing prompt's weak phrase starts within its first words
WEAK_PHRASE_MAX_WORDS = 4  # the longest weak phrase
TAIL_NOTICE_MAX_WORDS = 40
DATELINE_MIN_BODY = 4  # paragraphs; in a shorter body every line is at an edge
DATELINE_MAX_WORDS = 12
DATELINE_OTHER_WORDS = 5  # besides the date: a name, a place, "Updated"
LIST_ITEM = "- "  # how trafilatura's text output starts a list item
LINK_LIST_MIN_ITEMS = 3
LINK_ITEM_MAX_WORDS = 20  # the "-" of the item counts as one
LINK_ITEM_MEAN_WORDS = 6.0  # ... headlines, not names or one-word entries
LINK_HEADING_MAX_WORDS = 6


def _dateline(page: Page, i: int) -> tuple[str, tuple[str, ...]] | None:
    """The first or last paragraph of the body when it is a calendar date with at most a
    name, a place or a label beside it ("July 7, 2020", "Jane Doe | Paris | 08/01/2014",
    "Créé: 12.12.2019, 07h36"): the record's dates say it, the article does not. Times,
    scores, versions and list items are no dateline."""
    text = page.lines[i]
    if text.startswith(LIST_ITEM) or page.n_words[i] > DATELINE_MAX_WORDS or page.terminal[i]:
        return None
    other = signals.dateline_words(text)
    if other is None or other > DATELINE_OTHER_WORDS:
        return None
    return "other", ("date_or_time", "head" if i == 0 else "tail")


def _tail_link_list(page: Page, linked: Collection[int]) -> range:
    """A list of links to other articles under a short heading that ends the body ("More
    from us", "Read next"): every item links to the site's articles (``linked``, asked of
    the page), items are headline-sized and mostly not sentences, and the heading is a
    title, not an introduction ("at a glance:") or a quote. A list without a heading
    stays, unless every item ends with a date (a "recent posts" box whose heading
    extraction dropped)."""
    if not linked:
        return range(0)
    lines, n_words = page.lines, page.n_words
    k = page.n
    while k and k - 1 in linked and n_words[k - 1] <= LINK_ITEM_MAX_WORDS:
        k -= 1
    items = range(k, page.n)
    if len(items) < LINK_LIST_MIN_ITEMS or k == 0 or (k - 1 in linked):
        return range(0)
    if sum(n_words[i] - 1 for i in items) < LINK_ITEM_MEAN_WORDS * len(items):
        return range(0)
    if 3 * sum(1 for i in items if lines[i][-1] in ".!") > len(items):
        return range(0)
    head = lines[k - 1]
    if (n_words[k - 1] <= LINK_HEADING_MAX_WORDS and head[-1].isalnum()
            and not head.startswith(LIST_ITEM)):
        return range(k - 1, page.n)
    if all(signals.ends_with_date(lines[i]) for i in items):
        return items  # "recent posts" without their heading: linked headlines and their dates
    return range(0)


# A reporter's or the desk's address alone on a line under the story ("Email: ...").
_EMAIL_LINE = re.compile(r"^(?:e-?mail\s*:?\s*)?[\w.+-]+@[\w-]+(?:\.[\w-]+)+\.?$", re.IGNORECASE)


def _tail_notice(page: Page, i: int) -> bool:
    """A copyright or reprint notice among the last paragraphs: the site's, not the story's."""
    return page.n_words[i] <= TAIL_NOTICE_MAX_WORDS and signals.is_copyright(page.lines[i])


def _body_verdict(page: Page, i: int, title_norm: str | None) -> tuple[str, tuple[str, ...]] | None:
    text, norm = page.lines[i], canonical(page.norms[i])
    if title_norm and norm == title_norm:
        return "headline", ("headline",)
    if signals.is_duration(text):
        return "media", ("duration",)
    n = page.n_words[i]
    if n <= 30:
        cat = lexicon.strong_match(norm)
        if cat in _BODY_CATEGORIES:
            return cat, (f"lexicon:{cat}", "strong_phrase")
    if n <= 4 and not page.terminal[i]:
        cat = lexicon.exact_match(norm)  # a stock line, whole: "Read more", "Most popular"
        if cat not in _SHORT_CATEGORIES:
            tokens = norm.split()
            cat = lexicon.words_match(tokens)
            if cat not in _BODY_CATEGORIES and not _all_of(tokens, cat):
                cat = None
        if cat in _SHORT_CATEGORIES:
            return cat, (f"lexicon:{cat}", "short", "no_terminal_punct")
    return None


def _all_of(tokens: list[str], category: str | None) -> bool:
    """Every word of the line is of the category: "Read more", not "Popular Culture" (whose
    second word is a section name) nor "Mehr Sport"."""
    return all(t in lexicon.WORD_TOKENS and lexicon.word_category(t) == category
               for t in tokens)
