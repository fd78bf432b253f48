"""HTML or plain text? Decided from the markup itself, not from a file name or a header."""

from __future__ import annotations

import re

_DOC_START = re.compile(
    r"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b",
    re.IGNORECASE | re.DOTALL,
)
_TAG = re.compile(r"</?(?:p|div|span|a|br|li|ul|table|tr|td|h[1-6]|article|section|meta|"
                  r"title|img|script|style|body|html)\b[^>]*>", re.IGNORECASE)


def looks_like_html(text: str) -> bool:
    """A document start, or enough known tags in the first 64 KiB to be markup."""
    head = text[:65536]
    if _DOC_START.match(head):
        return True
    tags = len(_TAG.findall(head))
    return tags >= 3 and tags * 40 >= len(head.split("\n"))
