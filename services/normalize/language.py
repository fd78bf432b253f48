"""Language identification from the text, once per page on a bounded sample."""

from __future__ import annotations

import py3langid

_SAMPLE = 4000


def detect_language(text: str, declared: str | None = None) -> str | None:
    """The page's own declaration wins when it is a plausible code; else py3langid."""
    if declared:
        code = declared.strip().lower().replace("_", "-").split("-")[0]
        if len(code) == 2 and code.isalpha():
            return code
    sample = text[:_SAMPLE]
    if len(sample.split()) < 5:
        return None
    lang, _score = py3langid.classify(sample)
    return str(lang)
