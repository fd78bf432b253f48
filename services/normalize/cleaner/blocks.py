"""A capture as flat per-page arrays: one entry per non-empty line, features computed once.

Everything that can run over the whole page runs there (C-level passes of ``str`` methods
and precompiled regexes over the joined text); per-line Python work is limited to a few
list comprehensions. No cross-page caches: a page costs the same cold or warm.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_TERMINAL = frozenset(".!?…:;。！？；：")
STOP_SAMPLE_CHARS = 300
_CLOSERS = "\"'”’»«)]* 」』）"


def _byte_table() -> bytes:
    """Lowercased UTF-8 -> normalized bytes in one ``bytes.translate``: ASCII punctuation
    and underscore to space, ASCII digits to "0", and the lead byte of U+0080-U+00BF and
    U+2000-U+2FFF (Latin-1 and general punctuation, arrows, symbols), U+E000-U+EFFF
    (private use: icon fonts) and U+10000-U+3FFFF (emoji) to space; the orphaned
    continuation bytes are dropped when decoding."""
    tab = bytearray(range(256))
    for c in b"!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~\t\r\x0b\x0c":
        tab[c] = 0x20
    for c in b"0123456789":
        tab[c] = 0x30
    for c in (0xC2, 0xE2, 0xEE, 0xF0):
        tab[c] = 0x20
    return bytes(tab)


_BYTE_TABLE = _byte_table()
_PUA_F = re.compile(rb"\xef[\x80-\xa3][\x80-\xbf]")  # U+F000-U+F8FF, icon fonts
_ZEROS = re.compile(r"00+")
# Scripts written without spaces between words: Thai, Lao, Myanmar, Khmer (about four
# characters a word) and Chinese, Japanese kana (about two). Their lines are counted in
# estimated words, so a paragraph is not taken for a one-word menu item.
_ABUGIDA_CHARS = "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff"
_IDEOGRAPHIC_CHARS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_UNSPACED = re.compile(f"[{_ABUGIDA_CHARS}{_IDEOGRAPHIC_CHARS}]")
# UTF-8 lead bytes of those scripts (and of some neighbours: a cheap, inclusive test).
_UNSPACED_LEADS = tuple(bytes([x]) for x in (0xE0, 0xE1, *range(0xE3, 0xEA), 0xEF))
_ABUGIDA = re.compile(f"[{_ABUGIDA_CHARS}]")
_IDEOGRAPHIC = re.compile(f"[{_IDEOGRAPHIC_CHARS}]")


def _count_unspaced(lines: list[str], n_words: list[int]) -> None:
    """Add estimated words for runs of unspaced scripts (see ``_UNSPACED``)."""
    for i, s in enumerate(lines):
        if _UNSPACED.search(s):
            n_words[i] += len(_IDEOGRAPHIC.findall(s)) // 2 + len(_ABUGIDA.findall(s)) // 4


def _normalize_bytes(b: bytes) -> list[str]:
    """Normalized lines of a lowercased page's UTF-8, all at once: punctuation and symbols
    to spaces, digits to "0", trimmed. Runs of spaces or zeros are NOT collapsed here (that
    is the costly part); consumers split on whitespace or call ``canonical``."""
    if b"\xef" in b:
        b = _PUA_F.sub(b" ", b)
    return list(map(str.strip, b.translate(_BYTE_TABLE).decode("utf-8", "ignore").split("\n")))


def canonical(norm: str) -> str:
    """A normalized line with single spaces and digit runs as one "0"."""
    if "  " in norm:
        norm = " ".join(norm.split())
    if "00" in norm:
        norm = _ZEROS.sub("0", norm)
    return norm


class Page:
    """Per-line arrays of one page. States and labels are filled in by the classifier."""

    __slots__ = (
        "cat",
        "counts",
        "joined",
        "lines",
        "lower",
        "n",
        "n_words",
        "norms",
        "sig",
        "state",
        "stop_ratio",
        "terminal",
        "tokens",
        "weight",
    )  # fmt: skip

    def __init__(self, lines: list[str], joined: str) -> None:
        self.lines = lines
        n = self.n = len(lines)
        self.joined = joined
        self.lower = joined.lower()
        raw = self.lower.encode("utf-8", "surrogatepass")
        self.norms = _normalize_bytes(raw) if n else []
        self.n_words = [s.count(" ") + 1 for s in lines]
        if not raw.isascii() and any(lead in raw for lead in _UNSPACED_LEADS):
            _count_unspaced(lines, self.n_words)
        self.terminal = [
            s[-1] in _TERMINAL or (s[-1] in _CLOSERS and is_terminal(s)) for s in lines
        ]
        self.stop_ratio = [0.0] * n
        self.state = [""] * n  # good / near / short / bad / body
        self.cat = [""] * n
        self.sig: list[tuple[str, ...]] = [()] * n
        self.weight = [0.0] * n
        self.counts: dict[str, int] = {}  # normalized line -> occurrences (classifier)
        # Whole-line token lists split once and shared (stop-word density, headline topic):
        # their strings keep their hashes, so later set lookups on them are cheap.
        self.tokens: dict[int, list[str]] = {}

    def line_counter(self) -> Callable[[int], int]:
        """Line index of positions in ``joined`` visited in increasing order (one scan's
        matches; a match in "\n" + joined + "\n" that starts at a line's newline has that
        line's offset): newlines are counted from the previous position. A table of line
        starts for bisecting cost more to build than all the scans that used it."""
        count_nl = self.joined.count
        k = last = 0

        def line_of(pos: int) -> int:
            nonlocal k, last
            if pos < last:  # out of order: count again from the top
                k = last = 0
            k += count_nl("\n", last, pos)
            last = pos
            return k

        return line_of

    def density(self, stop: frozenset[str], i: int) -> float:
        """Stop-word density of one line (computed on demand)."""
        self.fill_stop_ratio(stop, [i])
        return self.stop_ratio[i]

    def fill_stop_ratio(self, stop: frozenset[str], idx: list[int]) -> None:
        """Stop-word density of the given lines (only those with more than two tokens).

        Long lines are sampled: their first STOP_SAMPLE_CHARS normalized characters (some
        forty words) estimate the density as well as the whole line does."""
        if not stop:
            return
        ratios, norms, tokens = self.stop_ratio, self.norms, self.tokens
        contains = stop.__contains__
        cut = STOP_SAMPLE_CHARS
        for i in idx:
            norm = norms[i]
            if len(norm) > cut:
                toks = norm[:cut].split()
                del toks[-1]  # may be cut mid-word
            else:
                toks = tokens[i] = norm.split()
            k = len(toks)
            if k > 2:
                ratios[i] = sum(map(contains, toks)) / k


def is_terminal(text: str) -> bool:
    """Ends like a sentence (ignoring closing quotes and brackets)."""
    t = text.rstrip(_CLOSERS)
    return bool(t) and t[-1] in _TERMINAL


_ODD_SPACES = ("  ", "\t", "\xa0", "\u2009", "\u202f")


def _odd_space(s: str) -> bool:
    return any(w in s for w in _ODD_SPACES)


def _split(text: str) -> tuple[list[str], str]:
    """Non-empty stripped lines (whitespace runs collapsed) and the lines joined by "\n"."""
    lines = list(filter(None, map(str.strip, text.splitlines())))
    joined = "\n".join(lines)
    if _odd_space(joined):
        lines = [" ".join(s.split()) if _odd_space(s) else s for s in lines]
        joined = "\n".join(lines)
    return lines, joined


def split_lines(text: str) -> list[str]:
    """Non-empty lines with whitespace collapsed; blank separators carry no signal here."""
    return _split(text)[0]


def page_from_text(text: str) -> Page:
    return Page(*_split(text))


def page_from_lines(lines: list[str]) -> Page:
    """Page from already split lines (the HTML second pass): one line per paragraph, its
    whitespace (newlines included) collapsed."""
    return page_from_text("\n".join(" ".join(s.split()) for s in lines))


__all__ = ["Page", "is_terminal", "page_from_lines", "page_from_text", "split_lines"]
