"""Render an HTML page into a plain-text capture, as a browser's "select all, copy" would.

The whole page is kept (menus, footers, comments, captions); only non-rendered content
(script, style, head, templates, hidden elements) is dropped. One block element per line.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from lxml import etree, html

BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "center",
        "dd",
        "details",
        "dialog",
        "dir",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hgroup",
        "hr",
        "html",
        "legend",
        "li",
        "main",
        "menu",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "thead",
        "tfoot",
        "tr",
        "td",
        "th",
        "caption",
        "ul",
        "option",
    ]
)
DROP_TAGS = frozenset(
    [
        "head",
        "script",
        "style",
        "noscript",
        "template",
        "svg",
        "math",
        "iframe",
        "object",
        "embed",
        "canvas",
        "select",
        "datalist",
        "title",
        "meta",
        "link",
        "base",
        "audio",
        "video",
        "source",
        "track",
        "map",
    ]
)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_WS = re.compile(r"\s+")


def decode_html(data: bytes) -> str:
    """Decode page bytes following the declared charset (trafilatura's logic)."""
    from trafilatura.utils import decode_file

    return str(decode_file(data))


def _hidden(el: etree._Element) -> bool:
    if el.get("hidden") is not None:
        return True
    if el.get("aria-hidden") == "true" and el.tag in ("span", "i", "div") and not len(el):
        return False
    style = el.get("style")
    if style and _HIDDEN_STYLE.search(style):
        return True
    return el.tag == "input" and (el.get("type") or "").lower() == "hidden"


class _Writer:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.buf: list[str] = []
        self.pre = 0

    def text(self, s: str | None) -> None:
        if s:
            self.buf.append(s)

    def flush(self) -> None:
        if not self.buf:
            return
        raw = "".join(self.buf)
        self.buf = []
        if self.pre:
            for part in raw.split("\n"):
                part = _WS.sub(" ", part).strip()
                if part:
                    self.lines.append(part)
            return
        line = _WS.sub(" ", raw).strip()
        if line:
            self.lines.append(line)


def _walk(el: etree._Element, w: _Writer) -> None:
    tag = el.tag if isinstance(el.tag, str) else ""
    if not tag:  # comments, processing instructions
        w.text(el.tail)
        return
    tag = tag.lower()
    if tag in DROP_TAGS or _hidden(el):
        w.text(el.tail)
        return
    block = tag in BLOCK_TAGS
    if block:
        w.flush()
    if tag == "pre":
        w.pre += 1
    if tag == "br":
        w.flush()
    elif tag == "img":
        pass
    elif tag in ("input", "textarea"):
        if tag == "input" and (el.get("type") or "").lower() in ("submit", "button"):
            w.text(" " + (el.get("value") or "") + " ")
        elif tag == "textarea":
            w.text(el.text)
    else:
        w.text(el.text)
        for child in el:
            _walk(child, w)
    if tag == "pre":
        w.pre -= 1
    if block:
        w.flush()
    elif tag in ("td", "th"):
        w.text(" ")
    w.text(el.tail)


def render_capture(page: str) -> str:
    """Return the page's visible text, one block per line."""
    if not page.strip():
        return ""
    try:
        root = html.document_fromstring(page)
    except (etree.ParserError, ValueError):
        page = page.encode("utf-8", "replace").decode("utf-8")
        try:
            root = html.document_fromstring(page.encode("utf-8"))
        except etree.ParserError:
            return ""
    w = _Writer()
    _walk(root, w)
    w.flush()
    return "\n".join(w.lines) + "\n"


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: render_capture.py IN.html > OUT.txt", file=sys.stderr)
        return 2
    sys.stdout.write(render_capture(decode_html(Path(argv[1]).read_bytes())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
