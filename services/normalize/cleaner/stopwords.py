"""Stop lists per language, from jusText, keyed by ISO 639-1 code.

Stop-word density separates prose from menus and lists in any language jusText covers.
"""

from __future__ import annotations

from functools import cache

import justext

_ISO_TO_JUSTEXT = {
    "af": "Afrikaans", "sq": "Albanian", "ar": "Arabic", "hy": "Armenian", "az": "Azerbaijani",
    "eu": "Basque", "be": "Belarusian", "bn": "Bengali", "bs": "Bosnian", "br": "Breton",
    "bg": "Bulgarian", "ca": "Catalan", "hr": "Croatian", "cs": "Czech", "da": "Danish",
    "nl": "Dutch", "en": "English", "eo": "Esperanto", "et": "Estonian", "fi": "Finnish",
    "fr": "French", "gl": "Galician", "ka": "Georgian", "de": "German", "el": "Greek",
    "he": "Hebrew", "hi": "Hindi", "hu": "Hungarian", "is": "Icelandic", "id": "Indonesian",
    "ga": "Irish", "it": "Italian", "ko": "Korean", "ku": "Kurdish", "la": "Latin",
    "lv": "Latvian", "lt": "Lithuanian", "lb": "Luxembourgish", "mk": "Macedonian",
    "ms": "Malay", "mt": "Maltese", "mr": "Marathi", "ne": "Nepali", "nb": "Norwegian_Bokmal",
    "no": "Norwegian_Bokmal", "nn": "Norwegian_Nynorsk", "oc": "Occitan", "fa": "Persian",
    "pl": "Polish", "pt": "Portuguese", "ro": "Romanian", "ru": "Russian", "sr": "Serbian",
    "sk": "Slovak", "sl": "Slovenian", "es": "Spanish", "sw": "Swahili", "sv": "Swedish",
    "tl": "Tagalog", "ta": "Tamil", "te": "Telugu", "tr": "Turkish", "uk": "Ukrainian",
    "ur": "Urdu", "vi": "Vietnamese", "cy": "Welsh",
}  # fmt: skip

# Prose density thresholds, as in jusText (fraction of tokens that are stop words).
DENSITY_LOW = 0.22
DENSITY_HIGH = 0.30


@cache
def stoplist(language: str | None) -> frozenset[str]:
    """Return the stop list for an ISO code; empty when unknown, which disables the signal."""
    name = _ISO_TO_JUSTEXT.get((language or "").lower())
    if not name:
        return frozenset()
    return frozenset(w.lower() for w in justext.get_stoplist(name))


@cache
def common_stoplist() -> frozenset[str]:
    """Union of the main supported languages, for sampling before the language is known."""
    out: set[str] = set()
    for code in ("en", "de", "es", "fr", "pl", "pt", "it"):
        out |= stoplist(code)
    return frozenset(out)
