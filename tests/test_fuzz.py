"""Property-based fuzzing of the normalize entry point, ``services.normalize.build.extract``.

Whatever bytes or markup come in, ``extract`` either returns a record or raises one of
pressline's ``PermanentError`` subclasses, and each example finishes within the deadline.
"""

from __future__ import annotations

import codecs
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pressline.errors import PermanentError
from pressline.record import ArticleRecord
from pressline.settings import Settings
from services.ingest.decode import decode_body
from services.normalize.build import extract

SETTINGS = Settings(redis_url="")
FUZZ = settings(max_examples=200, deadline=timedelta(seconds=5), derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
SEEDS = sorted((Path(__file__).resolve().parents[1] / "seeds").glob("*.txt"))
SEED_TEXT = [p.read_bytes()[:20000] for p in SEEDS[:3]] or [b"plain text"]

# Labels a page may declare; the non-text codecs Python knows (base64, rot13, idna...) are
# covered separately below.
CHARSETS = ["utf-8", "utf8", "UTF-8", "iso-8859-1", "latin1", "windows-1251", "cp1252",
            "shift_jis", "euc-jp", "gb2312", "gbk", "big5", "koi8-r", "utf-16", "utf-16le",
            "utf-32", "ascii", "x-user-defined", "bogus-charset", "", "utf-7", "tis-620",
            "iso-2022-jp", "x-sjis", "unicode-1-1-utf-8", ":::", "-"]
CONTENT_TYPES = st.one_of(st.none(), st.sampled_from(
    ["text/html", "text/plain", "application/xhtml+xml"]).flatmap(
        lambda t: st.sampled_from(CHARSETS).map(lambda c: f"{t}; charset={c}" if c else t)))
TAGS = ["html", "head", "body", "title", "meta", "article", "main", "div", "p", "span", "a",
        "script", "style", "nav", "footer", "header", "h1", "h2", "ul", "li", "table", "tr",
        "td", "br", "img", "time", "noscript", "template", "svg", "math", "iframe", "pre",
        "figure", "figcaption", "aside", "section", "blockquote", "textarea", "xmp", "plaintext"]
ATTRS = ["class", "id", "href", "src", "charset", "content", "name", "property", "lang",
         "datetime", "itemprop", "rel", "http-equiv", "style", "hidden"]
WORDS = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]),
                max_size=40)
PROSE = st.lists(st.sampled_from(
    ["the", "council", "voted", "harbour", "lighthouse", "on", "Tuesday", "and", "residents",
     "gathered", "outside", "town", "hall", "—", "“quoted”", "café", "München", "東京",
     "Москва", "&amp;", "&nbsp;", "&#0;", "&#x110000;", "&bogus;", "\u200b", "\ufeff",
     "\x00", "\r\n", "\t", "<", ">", "]]>", "<!--", "-->"]),
    max_size=60).map(" ".join)


def _attr(name: str, value: str) -> str:
    return f' {name}="{value}"'


@st.composite
def markup(draw: st.DrawFn, depth: int = 0) -> str:
    """Random, often broken, HTML: nested tags, odd attributes, entities, comments, text."""
    parts: list[str] = []
    for _ in range(draw(st.integers(0, 6))):
        kind = draw(st.integers(0, 9))
        if kind <= 3 and depth < 6:
            tag = draw(st.sampled_from(TAGS))
            attrs = "".join(_attr(draw(st.sampled_from(ATTRS)), draw(WORDS))
                            for _ in range(draw(st.integers(0, 3))))
            inner = draw(markup(depth + 1))
            close = draw(st.sampled_from([f"</{tag}>", "", f"</{tag}", "</>"]))
            parts.append(f"<{tag}{attrs}>{inner}{close}")
        elif kind <= 6:
            parts.append(draw(PROSE))
        elif kind == 7:
            parts.append(draw(st.sampled_from(
                ["<!-- c -->", "<!--", "<![CDATA[x]]>", "<!doctype html>", "<?xml version='1.0'"
                 " encoding='utf-16'?>", "<meta charset=utf-8>", '<meta charset="koi8-r">',
                 "<meta http-equiv=refresh content='0;url=javascript:1'>", "<", "&", "\x00",
                 '<meta property="article:published_time" content="9999-99-99T99:99">',
                 '<time datetime="-0001-01-01">', '<html lang="xx-\u0000">'])))
        else:
            parts.append(draw(WORDS))
    return "".join(parts)


def check(content: bytes | str, content_type: str | None = None,
          url: str | None = None) -> None:
    try:
        record = extract(content, source="fuzz", url=url, content_type=content_type,
                         settings=SETTINGS)
    except PermanentError:
        return
    assert isinstance(record, ArticleRecord)
    assert record.word_count >= SETTINGS.min_text_words


@FUZZ
@given(st.binary(max_size=20000), CONTENT_TYPES)
def test_random_bytes(content: bytes, content_type: str | None) -> None:
    """Random bytes give a record or a PermanentError, never another exception."""
    check(content, content_type)


@FUZZ
@given(markup(), st.sampled_from(["utf-8", "cp1252", "utf-16", "shift_jis", "koi8-r"]),
       CONTENT_TYPES, st.one_of(st.none(), st.sampled_from(
           ["http://example.org/a", "https://xn--mnchen-3ya.de/x?y#z", "http://[::1]:1/",
            "http://a/b/../../c", "not a url", "http://%zz/", "http://例え.jp/"])))
def test_random_markup(html: str, encoding: str, content_type: str | None,
                       url: str | None) -> None:
    """Random, broken markup (as text and as bytes in several encodings) never crashes."""
    check(html, None, url)
    check(html.encode(encoding, errors="replace"), content_type, url)


@FUZZ
@given(st.sampled_from(SEED_TEXT), st.integers(0, 20000), st.binary(min_size=1, max_size=64),
       st.sampled_from(["", "<html><body><article>", "<meta charset=utf-16>", "\xef\xbb\xbf"]))
def test_mutated_real_pages(seed: bytes, at: int, junk: bytes, prefix: str) -> None:
    """Real captures with random bytes spliced in still give a record or a PermanentError."""
    cut = at % (len(seed) + 1)
    check(prefix.encode("latin-1") + seed[:cut] + junk + seed[cut:])


@FUZZ
@given(st.integers(1, 5000).flatmap(lambda n: st.sampled_from(
    ["<div>" * n, "<p>" * n + "x", "<a>" * n, "&amp;" * n, "<!--" * n, "<" * n])))
def test_pathological_repetition(html: str) -> None:
    """Deep nesting and long runs of one token stay fast and never crash."""
    check(html)
    check(html.encode())


@pytest.mark.parametrize("label", ["base64", "rot13", "hex", "zlib", "idna", "punycode",
                                   "undefined", "uu", "quopri"])
def test_declared_non_text_codec_does_not_crash(label: str) -> None:
    """A page declaring a non-text Python codec as its charset is decoded by a text charset."""
    body = f'<meta charset="{label}"><p>hello world \xff</p>'.encode("latin-1")
    text, used = decode_body(body)
    assert "<p>hello world " in text
    # The declared codec is ignored; detection reads the one high byte as windows-1252.
    assert codecs.lookup(used).name != codecs.lookup(label).name
    assert text.endswith("<p>hello world \xff</p>") and used == "cp1252"
