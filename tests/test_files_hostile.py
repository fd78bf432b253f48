"""Hostile dropped files: binary, bombs, empty, huge, bad UTF-8, escapes from the roots."""

from __future__ import annotations

import gzip
import os
import time
from pathlib import Path

import pytest
import redis

from pressline.errors import UnreadableFile
from pressline.record import ArticleRecord
from pressline.settings import Settings
from services.ingest.decode import decode_body
from services.ingest.files import read_page_file
from services.normalize.build import extract

MB = 1024 * 1024
PAGE = (b"<html><head><meta charset=\"utf-8\"><title>Ferry timetable changes</title></head>"
        b"<body><article><p>The ferry company announced that from next month the first "
        b"morning crossing will leave twenty minutes earlier, so that commuters reach the "
        b"mainland before the trains depart.</p><p>The last evening crossing stays as it is, "
        b"and the weekend timetable does not change at all this summer.</p></article></body>"
        b"</html>")


def file_settings(roots: str = "", max_bytes: int = MB) -> Settings:
    return Settings(redis_url="", file_roots=roots, file_max_bytes=max_bytes)


def refused(path: Path | str, words: str, settings: Settings | None = None) -> None:
    with pytest.raises(UnreadableFile) as info:
        read_page_file(str(path), settings or file_settings())
    assert info.value.reason == "unreadable_file"
    assert words.lower() in info.value.message.lower(), info.value.message


@pytest.mark.parametrize("head", [b"%PDF-1.7\n", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff\xe0",
                                  b"PK\x03\x04", b"\x7fELF\x02\x01", b"(\xb5/\xfd",
                                  b"<html>\0\0\0"])
def test_binary_file_refused(tmp_path: Path, head: bytes) -> None:
    """Files with a binary signature or NUL bytes are refused as binary."""
    path = tmp_path / "page.html"
    path.write_bytes(head + os.urandom(512))
    refused(path, "binary file")


def test_gzip_page_file_is_decompressed(tmp_path: Path) -> None:
    """A gzip-compressed page (.html.gz) is decompressed within the size cap."""
    path = tmp_path / "page.html.gz"
    path.write_bytes(gzip.compress(PAGE))
    assert read_page_file(str(path), file_settings()) == PAGE


def test_gzip_bomb_file_refused(tmp_path: Path) -> None:
    """A small gzip file inflating past file_max_bytes is refused without inflating it all."""
    path = tmp_path / "bomb.html.gz"
    path.write_bytes(gzip.compress(b"\0" * (50 * MB), compresslevel=6))
    assert path.stat().st_size < MB
    start = time.monotonic()
    refused(path, "gzip bomb")
    assert time.monotonic() - start < 2


@pytest.mark.parametrize(("data", "words"), [
    (gzip.compress(b"%PDF-1.4\n" + bytes(range(256))), "binary file inside gzip"),
    (gzip.compress(gzip.compress(PAGE)), "binary file inside gzip"),
    (b"\x1f\x8b\x08\x00not really gzip at all", "corrupt gzip"),
    (gzip.compress(PAGE)[:40], "truncated gzip"),
    (gzip.compress(b"   \n"), "empty once decompressed"),
])
def test_bad_gzip_files_refused(tmp_path: Path, data: bytes, words: str) -> None:
    """gzip files that hide binary, nest gzip, are corrupt, truncated or empty are refused."""
    path = tmp_path / "x.gz"
    path.write_bytes(data)
    refused(path, words)


def test_empty_file_refused(tmp_path: Path) -> None:
    """An empty file is refused as empty."""
    path = tmp_path / "empty.html"
    path.write_bytes(b"")
    refused(path, "empty")


def test_huge_sparse_file_refused_from_stat(tmp_path: Path) -> None:
    """A huge (sparse) file is refused from its size alone, without reading it."""
    path = tmp_path / "huge.html"
    with path.open("wb") as fh:
        fh.truncate(64 * 1024 * MB)  # 64 GiB, no blocks allocated
    start = time.monotonic()
    refused(path, f"over the {MB}-byte cap")
    assert time.monotonic() - start < 1


def test_invalid_utf8_file_still_yields_record(tmp_path: Path) -> None:
    """Invalid UTF-8 in a page declaring utf-8 becomes U+FFFD and a record is produced."""
    path = tmp_path / "broken.html"
    path.write_bytes(PAGE.replace(b"first morning", b"first \xff\xfe\xc3 morning"))
    raw = read_page_file(str(path), file_settings())
    text, charset = decode_body(raw)
    assert charset == "utf-8" and "\ufffd" in text
    record = extract(raw, source=path.name, settings=file_settings())
    assert "ferry company" in record.text


def test_undeclared_invalid_utf8_still_yields_record(tmp_path: Path) -> None:
    """Text with no declared charset and stray invalid bytes is decoded somehow, not refused."""
    path = tmp_path / "broken.txt"
    body = PAGE.replace(b'<meta charset="utf-8">', b"").replace(b"first", b"fir\x80st\xc3\x28")
    path.write_bytes(body)
    raw = read_page_file(str(path), file_settings())
    record = extract(raw, source=path.name, settings=file_settings())
    assert "ferry company" in record.text


def test_missing_file_and_directory_refused(tmp_path: Path) -> None:
    """A missing path and a directory are refused, saying which."""
    refused(tmp_path / "nope.html", "no such file")
    refused(tmp_path, "not a regular file")


def test_fifo_refused_without_blocking(tmp_path: Path) -> None:
    """A named pipe is refused at once instead of blocking the worker on open."""
    fifo = tmp_path / "pipe.html"
    os.mkfifo(fifo)
    start = time.monotonic()
    refused(fifo, "not a regular file")
    assert time.monotonic() - start < 1


@pytest.fixture()
def roots(tmp_path: Path) -> tuple[Path, Path]:
    inside = tmp_path / "drop"
    outside = tmp_path / "secret"
    inside.mkdir()
    outside.mkdir()
    (inside / "ok.html").write_bytes(PAGE)
    (outside / "secret.html").write_bytes(PAGE)
    return inside, outside


def test_path_inside_roots_read(roots: tuple[Path, Path]) -> None:
    """A file inside a configured root (also via an internal symlink) is read."""
    inside, _ = roots
    (inside / "link.html").symlink_to(inside / "ok.html")
    settings = file_settings(f"/nonexistent-root, {inside}")
    assert read_page_file(str(inside / "ok.html"), settings) == PAGE
    assert read_page_file(str(inside / "link.html"), settings) == PAGE


def test_path_outside_roots_refused(roots: tuple[Path, Path]) -> None:
    """A file outside the roots is refused, whether named directly or via ``..``."""
    inside, outside = roots
    settings = file_settings(str(inside))
    refused(outside / "secret.html", "outside the allowed roots", settings)
    refused(f"{inside}/../secret/secret.html", "outside the allowed roots", settings)
    refused("/etc/passwd", "outside the allowed roots", settings)
    refused(f"{inside}-evil/x.html", "outside the allowed roots", settings)


def test_symlink_escape_refused(roots: tuple[Path, Path]) -> None:
    """A symlink inside a root pointing outside it (file or directory) is refused."""
    inside, outside = roots
    (inside / "escape.html").symlink_to(outside / "secret.html")
    (inside / "dir").symlink_to(outside)
    settings = file_settings(str(inside))
    refused(inside / "escape.html", "outside the allowed roots", settings)
    refused(inside / "dir" / "secret.html", "outside the allowed roots", settings)


# --- end to end through real workers ---------------------------------------------------------


@pytest.mark.slow
@pytest.mark.usefixtures("workers")
def test_hostile_files_through_workers(settings: Settings, rclient: redis.Redis,
                                       tmp_path: Path) -> None:
    """Through real workers: bad UTF-8 gives a record; bomb, binary, huge are dead letters."""
    from tests.test_pipeline import run_items

    broken = tmp_path / "broken.html"
    broken.write_bytes(PAGE.replace(b"first morning", b"first \xff\xfe morning"))
    bomb = tmp_path / "bomb.html.gz"
    bomb.write_bytes(gzip.compress(b"\0" * (50 * MB), compresslevel=6))
    binary = tmp_path / "photo.html"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(256))
    huge = tmp_path / "huge.html"
    with huge.open("wb") as fh:
        fh.truncate(64 * 1024 * MB)
    results = run_items(settings, rclient, [str(broken), str(bomb), str(binary), str(huge)],
                        timeout=60)
    assert [k for k, _ in results] == ["record", "dead", "dead", "dead"], results
    rec = ArticleRecord.model_validate_json(results[0][1]["record"])
    assert "ferry company" in rec.text
    assert all(f["reason"] == "unreadable_file" for _, f in results[1:])
    assert "gzip bomb" in results[1][1]["message"]
    assert "binary" in results[2][1]["message"]
    assert "over the" in results[3][1]["message"]
