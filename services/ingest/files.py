"""Reading a dropped file: refuse what cannot be a page before anyone parses it."""

from __future__ import annotations

from pathlib import Path

from pressline.errors import UnreadableFile
from pressline.settings import Settings

# Leading bytes of formats that are certainly not a page (PDF, images, archives, office files).
_BINARY_MAGIC = (
    b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"PK\x03\x04", b"\x1f\x8b", b"BZh",
    b"\xfd7zXZ", b"7z\xbc\xaf", b"\x7fELF", b"RIFF", b"\xd0\xcf\x11\xe0", b"OggS", b"ID3",
)


def looks_binary(head: bytes) -> bool:
    """NUL bytes or a known binary signature (UTF-16 with a BOM is text)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    if head.startswith(_BINARY_MAGIC):
        return True
    return b"\x00" in head[:8192]


def read_page_file(path: str, settings: Settings) -> bytes:
    p = Path(path)
    try:
        size = p.stat().st_size
        if not p.is_file():
            raise UnreadableFile(f"not a regular file: {path}", item=path)
        if size == 0:
            raise UnreadableFile("file is empty", item=path)
        if size > settings.file_max_bytes:
            raise UnreadableFile(
                f"file is {size} bytes, over the {settings.file_max_bytes}-byte cap", item=path
            )
        body = p.read_bytes()
    except FileNotFoundError as exc:
        raise UnreadableFile(f"no such file: {path}", item=path) from exc
    except OSError as exc:
        raise UnreadableFile(f"cannot read file: {exc.strerror or exc}", item=path) from exc
    if looks_binary(body):
        raise UnreadableFile("binary file, not an HTML or text page", item=path)
    return body
