"""Bytes to text: the header's charset, then the page's ``<meta>``, then detection.

Undecodable bytes become U+FFFD rather than failing the page: a record with a few
replacement characters is worth more than a dead letter.
"""

from __future__ import annotations

import codecs
import re
from collections import Counter

from charset_normalizer import from_bytes

_META_CHARSET = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE
)
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9._:-]+)""")
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Browsers treat these labels as their supersets (WHATWG encoding standard).
_ALIASES = {"x-sjis": "shift_jis"}  # labels Python does not know
_SUPERSETS = {"iso8859-1": "cp1252", "ascii": "cp1252", "iso8859-9": "cp1254", "tis-620": "cp874",
              "gb2312": "gb18030", "gbk": "gb18030"}  # by Python codec name


_NOT_WEB_ENCODINGS = {"idna", "punycode", "undefined", "raw-unicode-escape", "unicode-escape",
                      "mbcs", "oem", "utf-7", "palmos"}


def normalize_charset(label: str | None) -> str | None:
    """A Python codec name for a declared label, or None when Python does not know it."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    label = _ALIASES.get(label, label)
    try:
        info = codecs.lookup(label)
    except LookupError:
        return None
    # Python also knows codecs that are not text encodings (base64, rot13, idna...): a page
    # declaring one is lying, so fall back to detection rather than crash.
    if not getattr(info, "_is_text_encoding", True) or info.name in _NOT_WEB_ENCODINGS:
        return None
    return _SUPERSETS.get(info.name, info.name)


def charset_from_content_type(content_type: str | None) -> str | None:
    if not content_type:
        return None
    for param in content_type.split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            return normalize_charset(value)
    return None


def sniff_meta_charset(body: bytes) -> str | None:
    """The charset a page declares in its first 4 KiB (``<meta>`` or XML declaration)."""
    head = body[:4096]
    match = _META_CHARSET.search(head) or _XML_DECL.search(head)
    return normalize_charset(match.group(1).decode("ascii", "ignore")) if match else None


def decode_body(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Decode a page; returns ``(text, charset_used)``."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            return body.decode(name, errors="replace"), name
    declared = charset_from_content_type(content_type) or sniff_meta_charset(body)
    if declared:
        return body.decode(declared, errors="replace"), declared
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    encoding = _detect(_text_sample(body)) or "cp1252"
    return body.decode(encoding, errors="replace"), encoding


SAMPLE_BYTES = 65536


def _text_sample(body: bytes) -> bytes:
    """The page's lines with non-ASCII bytes: detection then weighs the text, not the ASCII
    markup, scripts and styles around it (whose weight makes every decoding look clean)."""
    lines = [line for line in body.splitlines() if not line.isascii()]
    return b"\n".join(lines)[:SAMPLE_BYTES] if lines else body[:SAMPLE_BYTES]


# Legacy encodings that web pages use (WHATWG's list, as Python codecs): detection picks
# among these only, so a short page never comes out as an obscure code page (cp1006...).
_WEB_LEGACY = ["cp1252", "cp1250", "cp1251", "cp1253", "cp1254", "cp1255", "cp1256", "cp1257",
               "cp1258", "cp874", "cp866", "koi8_r", "koi8_u", "mac_cyrillic", "iso8859_2",
               "iso8859_3", "iso8859_4", "iso8859_5", "iso8859_6", "iso8859_7", "iso8859_8",
               "iso8859_10", "iso8859_13", "iso8859_14", "iso8859_15", "iso8859_16",
               "shift_jis", "euc_jp", "iso2022_jp", "euc_kr", "gb18030", "big5"]
_TIE = 0.01


def _detect(sample: bytes) -> str | None:
    """The web encoding that reads the sample with the least mess; windows-1252 (the web's
    default) whenever it reads it as cleanly as the best, as with a few accented letters,
    unless its accented letters straddle alphabets ("baþkenti" has Icelandic þ beside
    Turkish ç) and another clean reading's fit one alphabet better ("başkenti")."""
    matches = list(from_bytes(sample, cp_isolation=_WEB_LEGACY))
    if not any("cp1252" in m.could_be_from_charset for m in matches):
        matches += list(from_bytes(sample, cp_isolation=["cp1252"]))  # scored on its own
    if not matches:
        return None
    best = min(matches, key=lambda m: m.chaos)
    tied = [m for m in matches if m.chaos <= best.chaos + _TIE]
    western = next((m for m in tied if "cp1252" in m.could_be_from_charset), None)
    fits = {id(m): alphabet_fit(str(m)) for m in tied}
    if western is not None and fits[id(western)] is None:
        return "cp1252"  # no accented letters to judge by
    # The best fit wins; windows-1252 wins a tie on fit, then the least mess.
    pick = max(tied, key=lambda m: (fits[id(m)] or 0.0, m is western, -m.chaos))
    return "cp1252" if pick is western else normalize_charset(pick.encoding)


# The letters beyond ASCII of Latin-script orthographies. A right decoding puts a page's
# accented letters in one of these; a wrong one scatters them across alphabets ("þ" beside
# "ç") or turns them into symbols inside words ("Rz¹d").
_ALPHABETS = [
    frozenset(letters + letters.upper())
    for letters in {
        "de": "äöüß", "fr": "àâæçéèêëîïôœùûüÿ", "es": "áéíñóúü", "pt": "áâãàçéêíóôõú",
        "it": "àèéìíîòóùú", "nl": "éëïóöü", "sv fi": "åäöé", "da no": "æøåé",
        "is": "áðéíóúýþæö", "pl": "ąćęłńóśźż", "cs": "áčďéěíňóřšťúůýž",
        "sk": "áäčďéíĺľňóôŕšťúýž", "hu": "áéíóöőúüű", "ro": "ăâîșțşţ", "hr sl": "čćđšž",
        "tr": "çğıöşüİ", "lv": "āčēģīķļņšūž", "lt": "ąčęėįšųūž", "et": "äöõüšž",
        "ca": "àçéèíïòóúü",
    }.values()
]  # fmt: skip


def alphabet_fit(text: str) -> float | None:
    """Share of the text's accented letters that belong to the one alphabet holding most of
    them, where a symbol wedged inside a word ("Rz¹d", "mo¿e") counts as a letter that fits
    none; None when there is neither. Other symbols never count (« © ² µ º at a word's
    edge): a right reading keeps them as symbols, and a wrong one must not win by turning
    them into letters."""
    letters = [c for c in _NON_ASCII.findall(text) if c.isalpha() and c not in _LETTERLIKE]
    wedged = sum(1 for c in _WEDGED.findall(text) if not c.isalpha() and c not in _IN_WORD)
    if not letters and not wedged:
        return None
    counts = Counter(letters)
    best = max(sum(counts[c] for c in alphabet) for alphabet in _ALPHABETS)
    return best / (len(letters) + wedged)


_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_LETTERLIKE = frozenset("µªºƒ")  # letters by Unicode category, symbols in use
# A non-ASCII character between two letters; the non-letters among them are wedged,
# except the apostrophes, dashes and middle dot that do sit there ("l’école", "col·legi").
_WEDGED = re.compile(r"(?<=[^\W\d_])[^\x00-\x7f](?=[^\W\d_])")
_IN_WORD = frozenset("’‘–—·‐‑\xa0\u00ad")
