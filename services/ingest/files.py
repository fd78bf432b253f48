"""Reading a dropped file: refuse what cannot be a page before anyone parses it.

Paths must lie inside ``PRESSLINE_FILE_ROOTS`` when it is set (symlinks resolved first, so a
link or ``..`` cannot escape). Only regular files are opened, never blocking on a FIFO; the
size is checked on the open descriptor before reading and the read itself is capped.
gzip-compressed files (``.html.gz`` archives) are decompressed with the same cap on the
decompressed size, so a gzip bomb is refused rather than expanded.
"""

from __future__ import annotations

import errno
import os
import stat
import zlib
from pathlib import Path

from pressline.errors import UnreadableFile
from pressline.settings import Settings

# Leading bytes of formats that are certainly not a page (PDF, images, archives, office files).
_BINARY_MAGIC = (
    b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"PK\x03\x04", b"\x1f\x8b", b"BZh",
    b"\xfd7zXZ", b"7z\xbc\xaf", b"\x7fELF", b"RIFF", b"\xd0\xcf\x11\xe0", b"OggS", b"ID3",
    b"(\xb5/\xfd", b"Rar!", b"\x00\x00\x01\x00", b"wOFF", b"wOF2", b"\xca\xfe\xba\xbe",
)
_GZIP = b"\x1f\x8b"


def looks_binary(head: bytes) -> bool:
    """NUL bytes or a known binary signature (UTF-16 with a BOM is text)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    if head.startswith(_BINARY_MAGIC):
        return True
    return b"\x00" in head[:8192]


def _inside_roots(path: str, settings: Settings) -> Path:
    """The resolved path; refused when roots are configured and it lies outside all of them."""
    try:
        resolved = Path(path).resolve(strict=False)
    except (OSError, RuntimeError) as exc:  # symlink loop
        raise UnreadableFile(f"cannot resolve path: {exc}", item=path) from exc
    roots = settings.roots
    if not roots:
        return resolved
    for root in roots:
        base = Path(root).resolve(strict=False)
        if resolved == base or resolved.is_relative_to(base):
            return resolved
    raise UnreadableFile(
        f"path {resolved} is outside the allowed roots (PRESSLINE_FILE_ROOTS)", item=path)


def _gunzip(body: bytes, cap: int, path: str) -> bytes:
    z = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out: list[bytes] = []
    size = 0
    data = body
    try:
        while data and not z.eof:
            chunk = z.decompress(data, cap - size + 1)
            size += len(chunk)
            if size > cap:
                raise UnreadableFile(
                    f"gzip file decompresses to more than the {cap}-byte cap (gzip bomb?)",
                    item=path)
            out.append(chunk)
            data = z.unconsumed_tail
        if not z.eof:
            raise UnreadableFile("truncated gzip file", item=path)
    except zlib.error as exc:
        raise UnreadableFile(f"corrupt gzip file: {exc}", item=path) from exc
    return b"".join(out)


def _read_at_most(fd: int, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while size < limit:
        chunk = os.read(fd, min(1024 * 1024, limit - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def read_page_file(path: str, settings: Settings) -> bytes:
    """The file's bytes (decompressed when gzip), or ``UnreadableFile`` saying why not."""
    resolved = _inside_roots(path, settings)
    cap = settings.file_max_bytes
    try:
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
        fd = os.open(resolved, flags)
    except FileNotFoundError as exc:
        raise UnreadableFile(f"no such file: {path}", item=path) from exc
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise UnreadableFile("path changed into a symlink while opening", item=path) from exc
        raise UnreadableFile(f"cannot read file: {exc.strerror or exc}", item=path) from exc
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise UnreadableFile(f"not a regular file: {path}", item=path)
        if st.st_size == 0:
            raise UnreadableFile("file is empty", item=path)
        if st.st_size > cap:
            raise UnreadableFile(f"file is {st.st_size} bytes, over the {cap}-byte cap",
                                 item=path)
        body = _read_at_most(fd, cap + 1)
    except OSError as exc:
        raise UnreadableFile(f"cannot read file: {exc.strerror or exc}", item=path) from exc
    finally:
        os.close(fd)
    if len(body) > cap:
        raise UnreadableFile(f"file grew over the {cap}-byte cap while reading", item=path)
    if not body:
        raise UnreadableFile("file is empty", item=path)
    if body.startswith(_GZIP):
        body = _gunzip(body, cap, path)
        if not body.strip():
            raise UnreadableFile("gzip file is empty once decompressed", item=path)
        if looks_binary(body):
            raise UnreadableFile("binary file inside gzip, not an HTML or text page", item=path)
        return body
    if looks_binary(body):
        raise UnreadableFile("binary file, not an HTML or text page", item=path)
    return body
