"""Hostile responses from real local HTTP servers: bombs, tricklers, loops, wrong types, lies.

Servers are raw socket servers on 127.0.0.1 (allowlisted in the settings built here) so each
can misbehave byte by byte; ``fetch`` runs with a real client from ``make_client``.
"""

from __future__ import annotations

import gzip
import socket
import time
import zlib
from collections.abc import Iterator

import pytest
import redis

from pressline.errors import FetchRefused, FetchTimeout, PermanentError, UnsupportedContent
from pressline.record import ArticleRecord
from pressline.settings import Settings
from services.ingest.decode import decode_body
from services.ingest.fetch import Fetched, decoded_cap, fetch
from services.normalize.build import extract
from tests.test_guard import RawServer, client_with_net, guard_settings, http_response, respond

MB = 1024 * 1024
ARTICLE = ("<html><head><title>Quay repairs finished</title></head><body><article>"
           + "<p>The harbour authority said the repairs to the old quay were finished on time, "
           "and fishing boats could tie up there again from Monday morning.</p>" * 6
           + "</article></body></html>").encode()
BOMB = gzip.compress(b"\0" * (10 * MB), compresslevel=9)  # ~10 KB on the wire


def settings_for(**kw: object) -> Settings:
    kw.setdefault("fetch_max_decoded_bytes", 4 * MB)
    return guard_settings("127.0.0.1", fetch_max_bytes=MB, **kw)


def get(handler: object, settings: Settings | None = None, path: str = "/") -> Fetched:
    server = RawServer(handler)  # type: ignore[arg-type]
    try:
        settings = settings or settings_for()
        with client_with_net(settings) as (client, _net):
            return fetch(f"{server.base}{path}", settings, client)
    finally:
        server.close()


def refused(handler: object, exc: type[PermanentError] | type[FetchTimeout], words: str,
            settings: Settings | None = None, path: str = "/") -> str:
    with pytest.raises(exc) as info:
        get(handler, settings, path)
    assert words.lower() in info.value.message.lower(), info.value.message
    return info.value.message


# Guard for the bomb tests below, not a test: the bomb must fit under the 1 MB wire cap and
# inflate past the decoded cap, or those tests would be refused for the wrong reason.
assert len(BOMB) < settings_for().fetch_max_bytes
assert decoded_cap(settings_for()) < 10 * MB


def test_gzip_page_is_decoded() -> None:
    """A normal gzip-encoded page is decompressed by our own bounded decoder."""
    got = get(respond(http_response(200, gzip.compress(ARTICLE),
                                    headers={"Content-Encoding": "gzip"})))
    assert got.body == ARTICLE


@pytest.mark.parametrize("wbits", [zlib.MAX_WBITS, -zlib.MAX_WBITS])
def test_deflate_page_is_decoded(wbits: int) -> None:
    """deflate bodies decode both zlib-wrapped (RFC) and raw (what some servers send)."""
    z = zlib.compressobj(wbits=wbits)
    body = z.compress(ARTICLE) + z.flush()
    got = get(respond(http_response(200, body, headers={"Content-Encoding": "deflate"})))
    assert got.body == ARTICLE


def test_gzip_bomb_refused() -> None:
    """A 10 KB gzip body that inflates to 10 MB is cut off at the decoded cap."""
    refused(respond(http_response(200, BOMB, headers={"Content-Encoding": "gzip"})),
            FetchRefused, "decompresses to more than 4194304 bytes")


def test_deflate_bomb_refused() -> None:
    """The same bomb as deflate is refused the same way."""
    bomb = zlib.compress(b"\0" * (10 * MB), 9)
    refused(respond(http_response(200, bomb, headers={"Content-Encoding": "deflate"})),
            FetchRefused, "decompresses to more than")


def test_bomb_without_content_length_refused() -> None:
    """A close-delimited bomb (no Content-Length) is refused at the decoded cap too."""
    refused(respond(http_response(200, BOMB, headers={"Content-Encoding": "gzip"},
                                  length=False)), FetchRefused, "decompresses to more than")


@pytest.mark.parametrize("headers", [
    {"Content-Encoding": "gzip, gzip"},
    {"Content-Encoding": "gzip,deflate"},
    {"Content-Encoding": "deflate, gzip, identity"},
])
def test_stacked_encodings_refused(headers: dict[str, str]) -> None:
    """Stacked content encodings are refused rather than unwrapped layer after layer."""
    body = gzip.compress(gzip.compress(ARTICLE))
    refused(respond(http_response(200, body, headers=headers)), FetchRefused, "stacked")


def test_repeated_encoding_headers_refused() -> None:
    """Two Content-Encoding headers count as stacked encodings."""
    raw = http_response(200, gzip.compress(gzip.compress(ARTICLE)),
                        headers={"Content-Encoding": "gzip"})
    raw = raw.replace(b"Content-Encoding: gzip", b"Content-Encoding: gzip\r\n"
                      b"Content-Encoding: gzip")
    refused(respond(raw), FetchRefused, "stacked")


@pytest.mark.parametrize("coding", ["br", "zstd", "compress", "x-evil"])
def test_unknown_encoding_refused(coding: str) -> None:
    """Encodings we did not ask for and cannot bound are refused, naming the encoding."""
    refused(respond(http_response(200, b"\x0b\x02\x80xyz", headers={"Content-Encoding": coding})),
            UnsupportedContent, repr(coding))


def test_corrupt_gzip_refused() -> None:
    """A body that claims gzip but is garbage is refused as corrupt."""
    refused(respond(http_response(200, b"\x1f\x8b\x08\x00garbage-garbage-garbage",
                                  headers={"Content-Encoding": "gzip"})),
            FetchRefused, "corrupt gzip")


def _trickle_body(conn: socket.socket, _head: bytes) -> None:
    conn.sendall(http_response(200, b"", length=False))
    for _ in range(30):
        conn.sendall(b"<")
        time.sleep(0.5)


def _trickle_headers(conn: socket.socket, _head: bytes) -> None:
    for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 100:
        conn.sendall(bytes([byte]))
        time.sleep(0.3)


@pytest.mark.parametrize("handler", [_trickle_body, _trickle_headers],
                         ids=["body", "headers"])
def test_trickling_server_cut_off_by_total_deadline(handler: object) -> None:
    """A server sending a byte now and then (each read within the read timeout) is cut off."""
    settings = settings_for(fetch_total_timeout=1.5, fetch_read_timeout=5.0)
    start = time.monotonic()
    refused(handler, FetchTimeout, "total deadline", settings)
    assert time.monotonic() - start < 3.0


def test_silent_server_times_out() -> None:
    """A server that accepts and never answers ends in FetchTimeout, within the deadline."""
    def silent(conn: socket.socket, _head: bytes) -> None:
        time.sleep(5)
    settings = settings_for(fetch_total_timeout=1.0, fetch_read_timeout=5.0)
    start = time.monotonic()
    refused(silent, FetchTimeout, "deadline", settings)
    assert time.monotonic() - start < 2.5


def test_redirect_loop_refused() -> None:
    """A redirect loop (/a -> /b -> /a) is refused as a loop before the redirect cap."""
    def loop(conn: socket.socket, head: bytes) -> None:
        nxt = "/b" if head.startswith(b"GET /a ") else "/a"
        conn.sendall(http_response(302, headers={"Location": nxt}))
    msg = refused(loop, FetchRefused, "redirect loop", path="/a")
    assert "redirects" in msg


def test_self_redirect_refused() -> None:
    """A page redirecting to itself is refused at once."""
    refused(respond(http_response(301, headers={"Location": "/same"})), FetchRefused,
            "redirect loop", path="/same")


@pytest.mark.parametrize(("ctype", "body"), [
    ("application/pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"),
    ("image/png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
    ("image/jpeg", b"\xff\xd8\xff\xe0\0\x10JFIF"),
    ("application/json", b'{"title": "not a page"}'),
    ("application/octet-stream", b"\0\1\2\3"),
    ("application/zip", b"PK\x03\x04"),
    ("video/mp4", b"\0\0\0\x18ftypmp42"),
    ("APPLICATION/PDF; charset=binary", b"%PDF-1.4"),
])
def test_non_html_types_refused(ctype: str, body: bytes) -> None:
    """PDF, images, JSON, octet-stream and friends are refused, naming the type."""
    media = ctype.split(";")[0].lower()
    refused(respond(http_response(200, body, ctype=ctype)), UnsupportedContent, repr(media))


def test_missing_type_with_binary_body_refused() -> None:
    """No Content-Type and a binary body (sniffed) is refused as binary."""
    refused(respond(http_response(200, b"\x89PNG\r\n\x1a\n" + bytes(range(256)), ctype=None)),
            UnsupportedContent, "looks binary")


def test_html_label_on_binary_body_refused() -> None:
    """A PDF served as text/html is refused: the body is sniffed, not just the label."""
    refused(respond(http_response(200, b"%PDF-1.4\n" + bytes(range(256)))), UnsupportedContent,
            "body is binary")


def test_missing_type_with_text_body_accepted() -> None:
    """No Content-Type but a textual body is still fetched."""
    assert get(respond(http_response(200, ARTICLE, ctype=None))).body == ARTICLE


def test_huge_content_length_refused_before_reading() -> None:
    """A Content-Length over the raw cap is refused before any body is read."""
    raw = http_response(200, b"<p>tiny</p>").replace(b"Content-Length: 11",
                                                     b"Content-Length: 99999999999")
    refused(respond(raw), FetchRefused, "Content-Length 99999999999")


def test_body_over_raw_cap_without_length_refused() -> None:
    """A close-delimited body larger than the raw cap is cut off at the cap."""
    def flood(conn: socket.socket, _head: bytes) -> None:
        conn.sendall(http_response(200, b"", length=False))
        for _ in range(40):
            conn.sendall(b"<p>" + b"a" * 65536)
    refused(flood, FetchRefused, f"body larger than {MB} bytes")


def test_chunked_body_over_raw_cap_refused() -> None:
    """A chunked body larger than the raw cap is cut off at the cap."""
    def chunked(conn: socket.socket, _head: bytes) -> None:
        conn.sendall(http_response(200, b"", length=False,
                                   headers={"Transfer-Encoding": "chunked"}))
        for _ in range(40):
            conn.sendall(b"10000\r\n" + b"a" * 65536 + b"\r\n")
        conn.sendall(b"0\r\n\r\n")
    refused(chunked, FetchRefused, "body larger than")


LIAR = ("<html><head><title>Caf\u00e9 owners \u201cdelighted\u201d</title></head><body>"
        "<article><p>The caf\u00e9 on the market square reopened on Saturday, and its owners "
        "said they were \u201cdelighted\u201d by the number of guests who came na\u00efvely "
        "expecting the old menu.</p><p>The new menu offers cr\u00e8me br\u00fbl\u00e9e, "
        "fresh bread and a dozen kinds of coffee roasted in the town itself every week.</p>"
        "</article></body></html>").encode("cp1252")


def test_lying_charset_still_yields_a_record() -> None:
    """A page declaring utf-8 but sending cp1252 decodes with replacement chars into a record."""
    got = get(respond(http_response(200, LIAR, ctype="text/html; charset=utf-8")))
    text, charset = decode_body(got.body, got.content_type)
    assert charset == "utf-8" and "\ufffd" in text
    record = extract(got.body, source="liar", url="http://127.0.0.1/liar",
                     content_type=got.content_type, settings=guard_settings())
    assert "market square" in record.text


# --- end to end through real workers ---------------------------------------------------------


@pytest.fixture()
def hostile_server() -> Iterator[RawServer]:
    def route(conn: socket.socket, head: bytes) -> None:
        path = head.split(b" ")[1]
        if path == b"/liar":
            conn.sendall(http_response(200, LIAR, ctype="text/html; charset=utf-8"))
        elif path == b"/bomb":  # 50 MB of zeros: over the workers' 40 MB decoded cap
            conn.sendall(http_response(200, WORKER_BOMB, headers={"Content-Encoding": "gzip"}))
        elif path == b"/json":
            conn.sendall(http_response(200, b"{}", ctype="application/json"))
        else:
            conn.sendall(http_response(200, gzip.compress(gzip.compress(ARTICLE)),
                                       headers={"Content-Encoding": "gzip, gzip"}))
    server = RawServer(route)
    yield server
    server.close()


WORKER_BOMB = gzip.compress(b"\0" * (50 * MB), compresslevel=6)


@pytest.mark.slow
@pytest.mark.usefixtures("workers")
def test_hostile_responses_through_workers(settings: Settings, rclient: redis.Redis,
                                           hostile_server: RawServer) -> None:
    """Through real workers: the liar becomes a record; bomb, JSON, stacked are dead letters."""
    from tests.test_pipeline import run_items

    base = hostile_server.base
    results = run_items(settings, rclient, [f"{base}/liar", f"{base}/bomb", f"{base}/json",
                                            f"{base}/stacked"], timeout=60)
    kinds = [k for k, _ in results]
    assert kinds == ["record", "dead", "dead", "dead"], results
    rec = ArticleRecord.model_validate_json(results[0][1]["record"])
    assert "market square" in rec.text
    assert [(f["reason"], f["attempts"]) for _, f in results[1:]] == [
        ("fetch_refused", "1"), ("unsupported_content", "1"), ("fetch_refused", "1")]
    assert "decompresses to more than" in results[1][1]["message"]
    assert "application/json" in results[2][1]["message"]
    assert "stacked" in results[3][1]["message"]
