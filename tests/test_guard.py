"""SSRF guard: hostile URLs are refused before any connection, through the real fetch path.

Every hostile URL goes through ``fetch`` with a client from ``make_client`` (real httpx, real
httpcore pool, the real pinning backend). DNS is injected; the only network backend under the
pin is a loopback-only safety net, so even a guard bug could never send traffic off this
machine. Plain socket listeners on 127.0.0.1 and ::1 (same port as the URLs) record any
connection that got through: the assertion is that none did.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import httpcore
import httpx
import pytest
import redis

from pressline.errors import (
    BlockedAddress,
    ConnectionFailed,
    FetchRefused,
    FetchTimeout,
    InvalidInput,
    PermanentError,
)
from pressline.settings import Settings
from services.ingest.fetch import fetch, make_client
from services.ingest.guard import (
    Allowlist,
    blocked_reason,
    check_address,
    parse_ipv4_loose,
    vet_url,
)
from tests.conftest import self_signed_cert

# --- helpers shared with the other hostile-input test modules --------------------------------

Handler = Callable[[socket.socket, bytes], None]


class RawServer:
    """A TCP server on a loopback address: records every accepted connection, then lets
    ``handler`` answer the request head with raw bytes (``None``: accept and close)."""

    def __init__(self, handler: Handler | None = None, host: str = "127.0.0.1",
                 port: int = 0) -> None:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, port))
        self.sock.listen(64)
        self.sock.settimeout(0.1)
        self.host = host
        self.port: int = self.sock.getsockname()[1]
        self.handler = handler
        self.accepted: list[Any] = []
        self.requests: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    @property
    def base(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                conn, peer = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.accepted.append(peer)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            if self.handler is None:
                return
            conn.settimeout(10)
            head = b""
            try:
                while b"\r\n\r\n" not in head:
                    data = conn.recv(4096)
                    if not data:
                        return
                    head += data
                self.requests.append(head)
                self.handler(conn, head)
            except OSError:
                pass

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


def http_response(status: int = 200, body: bytes = b"", ctype: str | None = "text/html",
                  headers: dict[str, str] | None = None, length: bool = True) -> bytes:
    lines = [f"HTTP/1.1 {status} X"]
    if ctype is not None:
        lines.append(f"Content-Type: {ctype}")
    if length:
        lines.append(f"Content-Length: {len(body)}")
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def respond(data: bytes) -> Handler:
    def handler(conn: socket.socket, _head: bytes) -> None:
        conn.sendall(data)
    return handler


class LoopbackOnly(httpcore.NetworkBackend):
    """Safety net under the pin: records every connect and refuses anything not loopback."""

    def __init__(self) -> None:
        self.inner = httpcore.SyncBackend()
        self.attempts: list[tuple[str, int]] = []

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        self.attempts.append((host, port))
        if not ipaddress.ip_address(host).is_loopback:
            raise AssertionError(f"test tried to connect to non-loopback {host}")
        return self.inner.connect_tcp(host, port, timeout, local_address, socket_options)

    def sleep(self, seconds: float) -> None:
        self.inner.sleep(seconds)


class DictResolver:
    """Injected DNS: each name maps to a list of addresses, or to successive lists per call."""

    def __init__(self, table: dict[str, list[str] | list[list[str]]]) -> None:
        self.table = table
        self.calls: list[str] = []

    def resolve(self, host: str, port: int) -> list[str]:
        self.calls.append(host)
        if host not in self.table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        value = self.table[host]
        if value and isinstance(value[0], list):
            index = min(self.calls.count(host), len(value)) - 1
            return list(value[index])
        return [str(v) for v in value]


def guard_settings(allowlist: str = "", **kw: Any) -> Settings:
    base: dict[str, Any] = {"redis_url": "", "fetch_allowlist": allowlist,
                            "fetch_total_timeout": 5.0, "fetch_read_timeout": 3.0,
                            "fetch_connect_timeout": 2.0}
    base.update(kw)
    return Settings(**base)


@contextlib.contextmanager
def client_with_net(settings: Settings) -> Iterator[tuple[httpx.Client, LoopbackOnly]]:
    net = LoopbackOnly()
    client = make_client(settings, network_backend=net)
    try:
        yield client, net
    finally:
        client.close()


# --- fixtures --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def listeners() -> Iterator[tuple[RawServer, RawServer]]:
    """Plain listeners on 127.0.0.1 and ::1, on the same port, that record connections."""
    v4 = RawServer(None, "127.0.0.1")
    for _ in range(20):
        try:
            v6 = RawServer(None, "::1", v4.port)
            break
        except OSError:
            v4.close()
            v4 = RawServer(None, "127.0.0.1")
    else:
        pytest.skip("no free port on both 127.0.0.1 and ::1")
    yield v4, v6
    time.sleep(0.3)
    v4.close()
    v6.close()
    # No test in this module may ever have reached them.
    assert v4.accepted == [] and v6.accepted == []


PUBLIC = "93.184.216.34"  # never connected to: the guard refuses the name before that
RESOLVER_TABLE: dict[str, list[str]] = {
    "loop.test": ["127.0.0.1"],
    "loop2.test": ["127.255.255.254"],
    "ten.test": ["10.0.0.5"],
    "corp.test": ["172.16.0.1"],
    "corp2.test": ["172.31.255.255"],
    "home.test": ["192.168.1.1"],
    "meta.test": ["169.254.169.254"],
    "ecs.test": ["169.254.170.2"],
    "ll.test": ["169.254.1.1"],
    "cgnat.test": ["100.64.0.1"],
    "cgnat2.test": ["100.127.255.254"],
    "mcast.test": ["224.0.0.1"],
    "ssdp.test": ["239.255.255.250"],
    "zero.test": ["0.0.0.0"],
    "res.test": ["240.0.0.1"],
    "bcast.test": ["255.255.255.255"],
    "doc.test": ["192.0.2.1"],
    "bench.test": ["198.18.0.1"],
    "v6loop.test": ["::1"],
    "v6zero.test": ["::"],
    "mapped.test": ["::ffff:127.0.0.1"],
    "mapped10.test": ["::ffff:10.0.0.1"],
    "mappedmeta.test": ["::ffff:169.254.169.254"],
    "sixtofour.test": ["2002:7f00:1::"],
    "sixtofour10.test": ["2002:a00:1::1"],
    "nat64.test": ["64:ff9b::7f00:1"],
    "nat64meta.test": ["64:ff9b::a9fe:a9fe"],
    "nat64local.test": ["64:ff9b:1::a00:1"],
    "ec2v6.test": ["fd00:ec2::254"],
    "ula.test": ["fc00::1"],
    "v6ll.test": ["fe80::1"],
    "v6mcast.test": ["ff02::1"],
    "compat.test": ["::7f00:1"],
    "teredo.test": ["2001:0:4136:e378:8000:63bf:80ff:fffe"],
    "mixed.test": [PUBLIC, "127.0.0.1"],
    "localhost": ["127.0.0.1", "::1"],
    "good.test": [PUBLIC],
}

B, INV = BlockedAddress, InvalidInput
HOSTILE: list[tuple[str, type[PermanentError], str]] = [
    # names that resolve to forbidden addresses
    *[(f"http://{name}:{{port}}/", B, words) for name, words in [
        ("loop.test", "loopback"), ("loop2.test", "loopback"), ("ten.test", "private"),
        ("corp.test", "private"), ("corp2.test", "private"), ("home.test", "private"),
        ("meta.test", "cloud metadata"), ("ecs.test", "cloud metadata"),
        ("ll.test", "link-local"), ("cgnat.test", "CGNAT"), ("cgnat2.test", "CGNAT"),
        ("mcast.test", "multicast"), ("ssdp.test", "multicast"), ("zero.test", "unspecified"),
        ("res.test", "reserved"), ("bcast.test", "broadcast"), ("doc.test", "documentation"),
        ("bench.test", "benchmarking"), ("v6loop.test", "loopback"),
        ("v6zero.test", "unspecified"), ("mapped.test", "IPv4-mapped"),
        ("mapped10.test", "IPv4-mapped"), ("mappedmeta.test", "cloud metadata"),
        ("sixtofour.test", "6to4"), ("sixtofour10.test", "6to4"), ("nat64.test", "NAT64"),
        ("nat64meta.test", "cloud metadata"), ("nat64local.test", "local-use NAT64"),
        ("ec2v6.test", "cloud metadata"), ("ula.test", "unique local"),
        ("v6ll.test", "link-local"), ("v6mcast.test", "multicast"),
        ("compat.test", "IPv4-compatible"), ("teredo.test", "Teredo client"),
        ("mixed.test", "loopback"), ("localhost", "loopback"), ("LOCALHOST.", "loopback"),
        ("LoOp.TeSt", "loopback"),
    ]],
    # literal addresses and their numeric spellings
    ("http://127.0.0.1:{port}/", B, "loopback"),
    ("http://127.1:{port}/", B, "loopback"),
    ("http://2130706433:{port}/", B, "loopback"),
    ("http://0x7f000001:{port}/", B, "loopback"),
    ("http://0x7f.1:{port}/", B, "loopback"),
    ("http://0177.1:{port}/", B, "loopback"),
    ("http://017700000001:{port}/", B, "loopback"),
    ("http://0x7f.0.0.1:{port}/", B, "loopback"),
    ("http://0X7F.0.0.01:{port}/", B, "loopback"),
    ("http://127.0.0.1.:{port}/", B, "loopback"),
    ("http://0:{port}/", B, "unspecified"),
    ("http://0.0.0.0:{port}/", B, "unspecified"),
    ("http://[::1]:{port}/", B, "loopback"),
    ("http://[::]:{port}/", B, "unspecified"),
    ("http://[::ffff:127.0.0.1]:{port}/", B, "IPv4-mapped"),
    ("http://[::ffff:7f00:1]:{port}/", B, "IPv4-mapped"),
    ("http://[0:0:0:0:0:ffff:127.0.0.1]:{port}/", B, "IPv4-mapped"),
    ("http://[2002:7f00:1::]:{port}/", B, "6to4"),
    ("http://[64:ff9b::7f00:1]:{port}/", B, "NAT64"),
    ("http://[::127.0.0.1]:{port}/", B, "IPv4-compatible"),
    ("https://127.0.0.1:{port}/", B, "loopback"),
    ("http://169.254.169.254/latest/meta-data/", B, "cloud metadata"),
    ("http://[fd00:ec2::254]/latest/meta-data/", B, "cloud metadata"),
    ("http://100.100.100.200/latest/meta-data/", B, "cloud metadata"),
    ("http://10.0.0.1:{port}/", B, "private"),
    ("http://192.168.0.1/", B, "private"),
    ("http://0xa9fea9fe/", B, "cloud metadata"),
    ("http://2852039166/", B, "cloud metadata"),
    ("http://0251.0376.0251.0376/", B, "cloud metadata"),
    # malformed or ambiguous hosts and ports
    ("http://0177.0.0.1:{port}/", B, "loopback"),
    ("http://127.000.000.001:{port}/", B, "loopback"),
    ("http://08.0.0.1:{port}/", INV, "malformed"),
    ("http://0x.1:{port}/", INV, "malformed numeric"),
    ("http://1.2.3.4.5:{port}/", INV, "malformed numeric"),
    ("http://%31%32%37.0.0.1:{port}/", INV, "invalid host name"),
    ("http://foo.127:{port}/", INV, "ends in a number"),
    ("http://[fe80::1%25lo]:{port}/", INV, "zone"),
    ("http://127.0.0.1:99999/", INV, "out of range"),
    ("http:///127.0.0.1/", INV, "no host"),
    # credentials and parser-confusion tricks
    ("http://user@127.0.0.1:{port}/", INV, "credentials"),
    ("http://good.test@127.0.0.1:{port}/", INV, "credentials"),
    ("http://good.test:pw@loop.test:{port}/", INV, "credentials"),
    ("http://:@127.0.0.1:{port}/", INV, "credentials"),
    ("http://good.test\\@127.0.0.1:{port}/", INV, "credentials"),
    ("http://127.0.0.1:{port}\\@good.test/", INV, "URL"),
    ("http://%67ood.test@127.0.0.1:{port}/", INV, "credentials"),
    # other schemes
    ("file:///etc/passwd", INV, "scheme"),
    ("file://localhost/etc/passwd", INV, "scheme"),
    ("gopher://127.0.0.1:{port}/_GET%20/", INV, "scheme"),
    ("ftp://127.0.0.1:{port}/", INV, "scheme"),
    ("dict://127.0.0.1:{port}/info", INV, "scheme"),
    ("ldap://127.0.0.1:{port}/", INV, "scheme"),
    ("ws://127.0.0.1:{port}/", INV, "scheme"),
    ("jar:http://127.0.0.1:{port}!/", INV, "scheme"),
    ("javascript:alert(1)", INV, "scheme"),
    ("data:text/html,<h1>hi</h1>", INV, "scheme"),
    ("//127.0.0.1:{port}/", INV, ""),
]
# Guard on the table, not a test: at least 50 URLs, none listed twice.
assert len({t[0] for t in HOSTILE}) == len(HOSTILE) >= 50


@pytest.mark.parametrize(("template", "exc", "words"), HOSTILE,
                         ids=[t[0].replace("{port}", "P") for t in HOSTILE])
def test_hostile_url_refused_without_connecting(
        listeners: tuple[RawServer, RawServer], template: str, exc: type[PermanentError],
        words: str) -> None:
    """Each hostile URL raises the right PermanentError saying why; nothing connects."""
    v4, v6 = listeners
    before = (len(v4.accepted), len(v6.accepted))
    url = template.replace("{port}", str(v4.port))
    settings = guard_settings()
    with client_with_net(settings) as (client, net), pytest.raises(exc) as info:
        fetch(url, settings, client, resolver=DictResolver(dict(RESOLVER_TABLE)))
    err = info.value
    assert err.reason == exc.reason
    assert words.lower() in err.message.lower(), err.message
    assert err.item == url
    assert net.attempts == []
    time.sleep(0.01)
    assert (len(v4.accepted), len(v6.accepted)) == before


@pytest.mark.parametrize("spelling", ["127.1", "0x7f.1", "2130706433", "0177.1",
                                      "017700000001", "0x7f.0.0.1", "0", "10.1.2",
                                      "0xa9fea9fe", "0251.0376.0251.0376", "1.0x10.0377"])
def test_numeric_spellings_match_inet_aton(spelling: str) -> None:
    """Numeric IPv4 spellings decode exactly as the OS's inet_aton decodes them."""
    parsed = parse_ipv4_loose(spelling)
    assert parsed is not None
    assert parsed.packed == socket.inet_aton(spelling)


@pytest.mark.parametrize("ip", ["8.8.8.8", "93.184.216.34", "2606:4700:4700::1111",
                                "64:ff9b::808:808", "2002:808:808::1", "::ffff:8.8.8.8"])
def test_public_addresses_pass(ip: str) -> None:
    """Public addresses (also wrapped public IPv4) are not blocked."""
    assert blocked_reason(ipaddress.ip_address(ip)) is None
    check_address(ip, [])


def test_allowlist_entries() -> None:
    """The allowlist matches host names exactly (any case) and addresses within CIDRs."""
    allow = Allowlist.parse(["Intranet.Test", "10.1.0.0/16", "127.0.0.1", " ", "::1"])
    assert allow.allows_host("intranet.test") and allow.allows_host("INTRANET.TEST.")
    assert not allow.allows_host("x.intranet.test")
    check_address("10.1.2.3", allow)
    check_address("::ffff:127.0.0.1", allow)
    check_address("::1", allow)
    with pytest.raises(BlockedAddress, match="private"):
        check_address("10.2.0.1", allow)
    with pytest.raises(BlockedAddress, match="loopback"):
        check_address("127.0.0.2", allow)


ARTICLE = (b"<html><head><title>Pinned</title></head><body><article><p>"
           + b"The lighthouse keeper counted the ships that passed the harbour wall. " * 8
           + b"</p></article></body></html>")


@pytest.mark.parametrize(("allowlist", "host"), [
    ("127.0.0.1", "127.0.0.1"), ("127.0.0.0/8", "127.0.0.1"), ("intranet.test", "intranet.test"),
    ("INTRANET.test", "intranet.test"), ("::1", "[::1]"),
])
def test_allowlist_lets_loopback_through(allowlist: str, host: str) -> None:
    """An allowlisted host, IP or CIDR is fetched although it is internal."""
    family_host = "::1" if host == "[::1]" else "127.0.0.1"
    server = RawServer(respond(http_response(200, ARTICLE)), family_host)
    try:
        settings = guard_settings(allowlist)
        resolver = DictResolver({"intranet.test": ["127.0.0.1"]})
        with client_with_net(settings) as (client, net):
            got = fetch(f"http://{host}:{server.port}/a", settings, client, resolver=resolver)
        assert got.status == 200 and b"lighthouse keeper" in got.body
        assert len(server.accepted) == 1
        assert net.attempts == [(family_host, server.port)]
        assert b"Host: " + host.encode() in server.requests[0]
    finally:
        server.close()


@pytest.mark.parametrize(("location", "exc", "words"), [
    ("http://127.0.0.2:{p2}/", BlockedAddress, "loopback"),
    ("http://0x7f000002:{p2}/", BlockedAddress, "loopback"),
    ("http://[::1]:{p6}/", BlockedAddress, "loopback"),
    ("http://[::ffff:127.0.0.2]:{p2}/", BlockedAddress, "IPv4-mapped"),
    ("http://meta.test/latest/meta-data/", BlockedAddress, "cloud metadata"),
    ("http://ten.test:{p2}/", BlockedAddress, "private"),
    ("file:///etc/passwd", InvalidInput, "scheme"),
    ("gopher://127.0.0.2:{p2}/", InvalidInput, "scheme"),
    ("http://user@127.0.0.2:{p2}/", InvalidInput, "credentials"),
])
def test_redirect_to_blocked_address_refused_at_hop(location: str, exc: type[PermanentError],
                                                    words: str) -> None:
    """A redirect from an allowed host to a blocked address is refused at that hop."""
    blocked = RawServer(None, "127.0.0.2")
    blocked6 = RawServer(None, "::1")
    loc = location.replace("{p2}", str(blocked.port)).replace("{p6}", str(blocked6.port))
    origin = RawServer(respond(http_response(302, b"", headers={"Location": loc})))
    try:
        settings = guard_settings("127.0.0.1")
        with client_with_net(settings) as (client, net), pytest.raises(exc) as info:
            fetch(f"{origin.base}/start", settings, client,
                  resolver=DictResolver(dict(RESOLVER_TABLE)))
        assert words.lower() in info.value.message.lower()
        assert info.value.message.startswith("redirect to ")
        assert len(origin.accepted) == 1
        assert blocked.accepted == [] and blocked6.accepted == []
        assert net.attempts == [("127.0.0.1", origin.port)]
    finally:
        for s in (origin, blocked, blocked6):
            s.close()


def test_redirect_chain_capped_at_max_redirects() -> None:
    """Redirects between allowed URLs stop after fetch_max_redirects hops."""
    def handler(conn: socket.socket, head: bytes) -> None:
        n = int(head.split(b" ")[1].strip(b"/") or b"0")
        conn.sendall(http_response(302, headers={"Location": f"/{n + 1}"}))
    server = RawServer(handler)
    try:
        settings = guard_settings("127.0.0.1")
        with client_with_net(settings) as (client, _net), \
                pytest.raises(FetchRefused, match="more than 5 redirects"):
            fetch(f"{server.base}/0", settings, client)
        assert len(server.requests) == 6
    finally:
        server.close()


def _pair_on_same_port() -> tuple[RawServer, RawServer]:
    for _ in range(20):
        first = RawServer(respond(http_response(200, ARTICLE)), "127.0.0.2")
        try:
            return first, RawServer(respond(http_response(200, b"<p>rebound</p>")), "127.0.0.3",
                                    first.port)
        except OSError:
            first.close()
    raise RuntimeError("no free port on both 127.0.0.2 and 127.0.0.3")


def test_dns_rebinding_connects_to_checked_address() -> None:
    """The connection goes to the address that was checked; a second lookup never happens."""
    checked, rebound = _pair_on_same_port()
    try:
        settings = guard_settings("127.0.0.2")
        resolver = DictResolver({"rebind.test": [["127.0.0.2"], ["127.0.0.3"]]})
        with client_with_net(settings) as (client, net):
            got = fetch(f"http://rebind.test:{checked.port}/", settings, client,
                        resolver=resolver)
            assert b"lighthouse keeper" in got.body
            assert resolver.calls == ["rebind.test"]
            assert len(checked.accepted) == 1 and rebound.accepted == []
            assert net.attempts == [("127.0.0.2", checked.port)]
            # The next lookup rebinds to 127.0.0.3, which is not allowlisted: refused.
            with pytest.raises(BlockedAddress, match=r"rebind\.test resolves to 127\.0\.0\.3"):
                fetch(f"http://rebind.test:{checked.port}/again", settings, client,
                      resolver=resolver)
        assert rebound.accepted == []
        assert b"Host: rebind.test:" in checked.requests[0]
    finally:
        checked.close()
        rebound.close()


def test_falls_back_to_next_checked_address() -> None:
    """When the first checked address refuses, the next checked one is tried (none other)."""
    server = RawServer(respond(http_response(200, ARTICLE)), "127.0.0.5")
    try:
        settings = guard_settings("127.0.0.0/8")
        resolver = DictResolver({"multi.test": ["127.0.0.4", "127.0.0.5"]})
        with client_with_net(settings) as (client, net):
            got = fetch(f"http://multi.test:{server.port}/", settings, client, resolver=resolver)
        assert got.status == 200
        assert net.attempts == [("127.0.0.4", server.port), ("127.0.0.5", server.port)]
        assert len(server.accepted) == 1
    finally:
        server.close()


def test_client_refuses_unvetted_connections(listeners: tuple[RawServer, RawServer]) -> None:
    """Used outside fetch(), the client opens no connection at all (nothing was vetted)."""
    v4, _ = listeners
    before = len(v4.accepted)
    settings = guard_settings("127.0.0.1")
    with client_with_net(settings) as (client, net), \
            pytest.raises(BlockedAddress, match="unvetted"):
        client.get(f"{v4.base}/")
    assert net.attempts == []
    assert len(v4.accepted) == before


def test_fetch_requires_pinning_client() -> None:
    """fetch() refuses an ordinary httpx client, which would resolve names itself."""
    with httpx.Client() as plain, pytest.raises(TypeError, match="make_client"):
        fetch("http://example.test/", guard_settings(), plain)


def test_dns_failure_is_transient() -> None:
    """A name that does not resolve is a ConnectionFailed (retried), not a crash."""
    settings = guard_settings()
    with client_with_net(settings) as (client, net), \
            pytest.raises(ConnectionFailed, match="cannot resolve"):
        fetch("http://nowhere.test/", settings, client, resolver=DictResolver({}))
    assert net.attempts == []


class HangingResolver:
    """Injected DNS that hangs (as a dead resolver does) until released."""

    def __init__(self) -> None:
        self.release = threading.Event()

    def resolve(self, host: str, port: int) -> list[str]:
        self.release.wait(30)
        return [PUBLIC]


def test_hanging_dns_lookup_ends_at_the_fetch_deadline() -> None:
    """A name lookup that hangs ends as a FetchTimeout at the fetch's total deadline."""
    settings = guard_settings(fetch_total_timeout=0.5)
    resolver = HangingResolver()
    try:
        with client_with_net(settings) as (client, net):
            started = time.monotonic()
            with pytest.raises(FetchTimeout, match=r"resolving slow\.test"):
                fetch("http://slow.test/", settings, client, resolver=resolver)
            assert time.monotonic() - started < 10  # not the resolver's 30 s
            assert net.attempts == []
    finally:
        resolver.release.set()


def test_vet_url_returns_checked_ip() -> None:
    """vet_url names the host, port and the one checked IP to connect to."""
    target = vet_url("https://News.Example.test/a?b=1", guard_settings(),
                     DictResolver({"news.example.test": [PUBLIC, "2606:4700::1"]}))
    assert (target.host, target.port, target.ip) == ("news.example.test", 443, PUBLIC)
    assert target.addresses == (PUBLIC, "2606:4700::1")


# --- end to end through real workers (allowlist there: 127.0.0.1 only) -----------------------


@pytest.mark.slow
@pytest.mark.usefixtures("workers")
def test_hostile_urls_dead_letter_through_workers(settings: Settings,
                                                  rclient: redis.Redis) -> None:
    """Hostile URLs submitted to real workers end as dead letters saying why; none connect."""
    from tests.test_pipeline import run_items

    blocked = RawServer(None, "127.0.0.2")
    blocked6 = RawServer(None, "::1")
    p2, p6 = blocked.port, blocked6.port
    cases = [
        (f"http://127.0.0.2:{p2}/e2e", "blocked_address", "loopback"),
        (f"http://0x7f000002:{p2}/e2e", "blocked_address", "loopback"),
        (f"http://[::1]:{p6}/e2e", "blocked_address", "loopback"),
        (f"http://[::ffff:127.0.0.2]:{p2}/e2e", "blocked_address", "IPv4-mapped"),
        (f"http://user@127.0.0.2:{p2}/e2e", "invalid_input", "credentials"),
        (f"gopher://127.0.0.2:{p2}/e2e", "invalid_input", "scheme"),
    ]
    try:
        results = run_items(settings, rclient, [c[0] for c in cases], timeout=60)
        for (url, reason, words), (kind, fields) in zip(cases, results, strict=True):
            assert kind == "dead", url
            assert fields["reason"] == reason, (url, fields)
            assert words.lower() in fields["message"].lower(), (url, fields["message"])
            assert fields["attempts"] == "1"
        assert blocked.accepted == [] and blocked6.accepted == []
    finally:
        blocked.close()
        blocked6.close()


# --- TLS: the pinned connection still verifies the certificate for the original host ---------


@pytest.fixture(scope="module")
def tls_cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """A throwaway self-signed certificate for news.test."""
    return self_signed_cert(tmp_path_factory.mktemp("tls"), "news.test")


class TLSServer:
    """HTTPS on 127.0.0.1 for one connection; records the SNI name the client sent."""

    def __init__(self, cert: str, key: str) -> None:
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.load_cert_chain(cert, key)
        self.ctx.sni_callback = self._sni
        self.sni: list[str | None] = []
        self.requests: list[bytes] = []
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(5)
        self.port: int = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self._serve_one, daemon=True)
        self.thread.start()

    def _sni(self, _sock: ssl.SSLObject, name: str | None, _ctx: ssl.SSLContext) -> None:
        self.sni.append(name)

    def _serve_one(self) -> None:
        try:
            conn, _ = self.sock.accept()
        except OSError:
            return
        with conn:
            try:
                tls = self.ctx.wrap_socket(conn, server_side=True)
                self.requests.append(tls.recv(65536))
                tls.sendall(http_response(200, ARTICLE))
                tls.close()
            except (ssl.SSLError, OSError):
                pass

    def close(self) -> None:
        self.thread.join(5)
        self.sock.close()


@pytest.mark.parametrize("trusted", [True, False])
def test_https_pins_ip_but_verifies_original_host(tls_cert: tuple[str, str],
                                                  trusted: bool) -> None:
    """https to a pinned IP sends SNI for the URL's host and verifies its certificate."""
    cert, key = tls_cert
    server = TLSServer(cert, key)
    try:
        settings = guard_settings("news.test")
        resolver = DictResolver({"news.test": ["127.0.0.1"]})
        verify: ssl.SSLContext | bool = ssl.create_default_context(cafile=cert) if trusted \
            else True
        net = LoopbackOnly()
        client = make_client(settings, network_backend=net, verify=verify)
        try:
            if trusted:
                got = fetch(f"https://news.test:{server.port}/a", settings, client,
                            resolver=resolver)
                assert got.status == 200 and got.url == f"https://news.test:{server.port}/a"
            else:
                with pytest.raises(ConnectionFailed, match="CERTIFICATE_VERIFY_FAILED"):
                    fetch(f"https://news.test:{server.port}/a", settings, client,
                          resolver=resolver)
        finally:
            client.close()
        server.thread.join(5)
        assert server.sni == ["news.test"]
        assert net.attempts == [("127.0.0.1", server.port)]
        if trusted:
            assert b"Host: news.test:" in server.requests[0]
    finally:
        server.close()
