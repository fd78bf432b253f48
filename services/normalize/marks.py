"""What a page's class and id values say an element is: the vocabulary of template marks.

boxes.py drops paragraphs found only in boxes marked this way; lead.py never takes a lead
from inside one. Marks are split at ``-``, ``_`` and camelCase; a box noun may follow a
word ("sharebar", "jp-relatedposts").
"""

from __future__ import annotations

import re
from bisect import bisect_right
from itertools import accumulate

# Words naming a picture's caption or credit, in the languages templates use.
CAPTION_WORDS = frozenset({"caption", "credit", "bildunterschrift", "bildtext", "legende",
                           "leyenda", "legenda", "didascalia"})
# Words a template marks a box with (each begins and ends a word of the mark, plural
# allowed), by the audit category they give.
CATEGORIES: dict[str, tuple[str, ...]] = {
    "promo": ("newsletter", "signup", "sign-up", "donate", "donation", "sponsor", "sponsored",
              "advert", "advertisement", "anzeige", "werbung", "publicidad", "publicite",
              "pubblicita", "promo", "promotion", "cta", "outbrain", "taboola"),
    "related": ("related", "recommended", "recommendation", "more-stories", "read-also",
                "link-box", "link-list", "linkbox", "linklist"),
    "share": ("share", "sharing", "social"),
    "media": ("tweet", "twitter-tweet", "instagram-media", "tiktok-embed", "fb-post",
              "mastodon-embed", "bluesky-embed", "reddit-embed"),
    "caption": (*sorted(CAPTION_WORDS), "copyright"),
    "comments": ("comment",),
}
CATEGORY = {stem: cat for cat, stems in CATEGORIES.items() for stem in stems}
_STEMS = "|".join(sorted(map(re.escape, CATEGORY), key=len, reverse=True))
# A box noun may follow a stem in one word ("sharebar", "jp-relatedposts", "commentbox").
_NOUNS = "posts?|stories|articles|bar|box|buttons?|tools|widget|links|module|block|list"
_MARK = re.compile(rf"(?<![a-z])({_STEMS})(s?)(?:{_NOUNS})?(?![a-z])")
_WORD_JOIN = re.compile(r"(?<=[a-z])(?=[A-Z])|_")  # camelCase and "_" read as "-"


def words_of(values: list[str]) -> dict[str, tuple[str, str]]:
    """The values that carry a mark: value -> (category, the word that matched, plural
    kept). One regex pass over the values joined, not one per value."""
    low = _WORD_JOIN.sub("-", "\0".join(values)).lower()  # NUL: never in an XML attribute
    starts = list(accumulate((len(v) + 1 for v in low.split("\0")), initial=0))
    marks: dict[str, tuple[str, str]] = {}
    for m in _MARK.finditer(low):
        value = values[bisect_right(starts, m.start()) - 1]
        marks.setdefault(value, (CATEGORY[m.group(1)], m.group(1) + m.group(2)))
    return marks
