"""SSRF guard: decide whether a URL may be fetched, and pin the address that was checked.

``vet_url`` parses a URL the way httpx will send it, refuses anything but plain http(s) to a
well-formed host, resolves the host once (numeric IPv4 spellings such as ``2130706433``,
``0x7f.1`` or ``127.1`` are decoded here exactly as ``inet_aton`` would, never handed to DNS),
and checks every address it got: loopback, private, link-local, CGNAT, multicast, reserved,
unspecified and cloud-metadata addresses are refused, also when wrapped in IPv4-mapped,
IPv4-compatible, 6to4, NAT64 or Teredo IPv6 forms. ``PRESSLINE_FETCH_ALLOWLIST`` (hostnames,
IPs or CIDRs) lets an operator allow internal sources.

The result, a ``VettedTarget``, carries the one IP that was checked. ``PinnedBackend`` is an
httpcore network backend that only opens TCP connections to the pinned ``(host, port) -> ip``
of the fetch in progress (no second DNS lookup, so DNS rebinding cannot move the connection),
and enforces the fetch's total deadline on every socket read and write.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import ipaddress
import re
import socket
import ssl
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

import httpcore
import httpx

from pressline.errors import (
    BlockedAddress,
    ConnectionFailed,
    FetchTimeout,
    InvalidInput,
)
from pressline.settings import Settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


# --- resolving -------------------------------------------------------------------------------


class Resolver(Protocol):
    def resolve(self, host: str, port: int) -> list[str]:
        """Every IP address (as a string) the host name resolves to."""
        ...


class SystemResolver:
    """The operating system's resolver (``getaddrinfo``), TCP addresses only."""

    def resolve(self, host: str, port: int) -> list[str]:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        out: list[str] = []
        for _family, _type, _proto, _canon, sockaddr in infos:
            ip = str(sockaddr[0]).split("%", 1)[0]
            if ip not in out:
                out.append(ip)
        return out


DEFAULT_RESOLVER: Resolver = SystemResolver()
# getaddrinfo takes no timeout: lookups run on these threads and the fetch waits only until
# its deadline. A lookup still hanging then keeps one thread until the resolver gives up.
DNS_THREADS = 8
_DNS_POOL = concurrent.futures.ThreadPoolExecutor(DNS_THREADS, thread_name_prefix="dns")


def _resolve_by(resolver: Resolver, name: str, port: int, deadline: float | None,
                url: str) -> list[str]:
    if deadline is None:
        return resolver.resolve(name, port)
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise FetchTimeout(f"no time left to resolve {name}", item=url)
    lookup = _DNS_POOL.submit(resolver.resolve, name, port)
    try:
        return lookup.result(timeout=remaining)
    except concurrent.futures.TimeoutError:
        lookup.cancel()
        raise FetchTimeout(f"resolving {name} took longer than the fetch deadline",
                           item=url) from None


# --- address policy --------------------------------------------------------------------------

_N = ipaddress.ip_network
_METADATA = {
    ipaddress.ip_address("169.254.169.254"): "cloud metadata endpoint",
    ipaddress.ip_address("169.254.170.2"): "cloud metadata endpoint (ECS)",
    ipaddress.ip_address("100.100.100.200"): "cloud metadata endpoint (Alibaba)",
    ipaddress.ip_address("fd00:ec2::254"): "cloud metadata endpoint (EC2 IPv6)",
}
# Checked in order; the first match names the refusal. Anything else that Python does not
# consider globally routable is refused as "special-purpose" after these.
_BLOCKED_V4: list[tuple[IPNetwork, str]] = [
    (_N("0.0.0.0/8"), "unspecified address (0.0.0.0/8)"),
    (_N("127.0.0.0/8"), "loopback address"),
    (_N("10.0.0.0/8"), "private address"),
    (_N("172.16.0.0/12"), "private address"),
    (_N("192.168.0.0/16"), "private address"),
    (_N("169.254.0.0/16"), "link-local address"),
    (_N("100.64.0.0/10"), "shared CGNAT address (100.64.0.0/10)"),
    (_N("224.0.0.0/4"), "multicast address"),
    (_N("255.255.255.255/32"), "broadcast address"),
    (_N("240.0.0.0/4"), "reserved address (240.0.0.0/4)"),
    (_N("192.0.0.0/24"), "IETF protocol assignment address"),
    (_N("192.0.2.0/24"), "documentation address"),
    (_N("198.51.100.0/24"), "documentation address"),
    (_N("203.0.113.0/24"), "documentation address"),
    (_N("198.18.0.0/15"), "benchmarking address"),
    (_N("192.88.99.0/24"), "6to4 relay anycast address"),
]
_BLOCKED_V6: list[tuple[IPNetwork, str]] = [
    (_N("::/128"), "unspecified address (::)"),
    (_N("::1/128"), "loopback address"),
    (_N("fe80::/10"), "link-local address"),
    (_N("fec0::/10"), "site-local address"),
    (_N("fc00::/7"), "private (unique local) address"),
    (_N("ff00::/8"), "multicast address"),
    (_N("64:ff9b:1::/48"), "local-use NAT64 address"),
    (_N("100::/64"), "discard-only address"),
    (_N("2001:db8::/32"), "documentation address"),
    (_N("2001:10::/28"), "ORCHID address"),
]
_MAPPED = _N("::ffff:0:0/96")
_TRANSLATED = _N("::ffff:0:0:0/96")
_COMPATIBLE = _N("::/96")
_NAT64 = _N("64:ff9b::/96")


def embedded_ipv4(ip: IPAddress) -> list[tuple[ipaddress.IPv4Address, str]]:
    """The IPv4 addresses an IPv6 address carries (mapped, compatible, 6to4, NAT64, Teredo)."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return []
    low32 = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip in _MAPPED:
        return [(low32, "IPv4-mapped")]
    if ip in _TRANSLATED:
        return [(low32, "IPv4-translated")]
    if ip in _COMPATIBLE and int(ip) > 1:  # :: and ::1 are themselves, not wrappers
        return [(low32, "IPv4-compatible")]
    if ip in _NAT64:
        return [(low32, "NAT64")]
    if ip.sixtofour is not None:
        return [(ip.sixtofour, "6to4")]
    if ip.teredo is not None:
        server, client = ip.teredo
        return [(server, "Teredo server"), (client, "Teredo client")]
    return []


def _own_reason(ip: IPAddress) -> str | None:
    if ip in _METADATA:
        return _METADATA[ip]
    table = _BLOCKED_V4 if isinstance(ip, ipaddress.IPv4Address) else _BLOCKED_V6
    for net, why in table:
        if ip in net:
            return why
    if not ip.is_global:
        return "special-purpose (non-global) address"
    return None


def blocked_reason(ip: IPAddress) -> str | None:
    """Why pressline must not connect to ``ip`` (ignoring the allowlist), or None."""
    ip = _strip_scope(ip)
    for inner, how in embedded_ipv4(ip):
        why = _own_reason(inner)
        if why:
            return f"{why} {inner} inside {how} IPv6 address"
    if embedded_ipv4(ip):
        return None  # a wrapper of public IPv4 addresses (e.g. NAT64 of a public host)
    return _own_reason(ip)


def _strip_scope(ip: IPAddress) -> IPAddress:
    if isinstance(ip, ipaddress.IPv6Address) and ip.scope_id:
        return ipaddress.IPv6Address(str(ip).split("%", 1)[0])
    return ip


@dataclass(frozen=True)
class Allowlist:
    hosts: frozenset[str]
    networks: tuple[IPNetwork, ...]

    @classmethod
    def parse(cls, entries: Iterable[str]) -> Allowlist:
        hosts: set[str] = set()
        nets: list[IPNetwork] = []
        for raw in entries:
            entry = raw.strip().strip("[]").lower()
            if not entry:
                continue
            try:
                nets.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                hosts.add(entry.rstrip("."))
        return cls(frozenset(hosts), tuple(nets))

    def allows_host(self, host: str) -> bool:
        return host.lower().rstrip(".") in self.hosts

    def allows_ip(self, ip: IPAddress) -> bool:
        ip = _strip_scope(ip)
        candidates: list[IPAddress] = [ip]
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            candidates.append(ip.ipv4_mapped)
        return any(c in net for c in candidates for net in self.networks
                   if c.version == net.version)


def check_address(ip: str | IPAddress, allowlist: Allowlist | Iterable[str] = (),
                  *, item: str | None = None) -> IPAddress:
    """The parsed address if it may be connected to; raises ``BlockedAddress`` saying why."""
    allow = allowlist if isinstance(allowlist, Allowlist) else Allowlist.parse(allowlist)
    try:
        addr = _strip_scope(ipaddress.ip_address(ip))
    except ValueError as exc:
        raise BlockedAddress(f"resolver returned something that is not an IP address: {ip!r}",
                             item=item) from exc
    if allow.allows_ip(addr):
        return addr
    why = blocked_reason(addr)
    if why:
        raise BlockedAddress(f"refused to connect to {addr}: {why} (not in PRESSLINE_FETCH_"
                             f"ALLOWLIST)", item=item)
    return addr


# --- parsing ---------------------------------------------------------------------------------

_LABEL = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$")
_NUMERIC_PART = re.compile(r"^(0x[0-9a-f]*|[0-9]+)$")


def parse_ipv4_loose(host: str) -> ipaddress.IPv4Address | None:
    """A numeric IPv4 spelling decoded as ``inet_aton`` does (``127.1``, ``0x7f.1``, ``0177.1``).

    Returns None when ``host`` is not purely numeric; raises ValueError when it is numeric but
    not a valid address (``1.2.3.256``, ``08.1``), which must not be passed on to DNS either.
    """
    parts = host.lower().split(".")
    if not all(_NUMERIC_PART.match(p) for p in parts):
        return None
    if len(parts) > 4:
        raise ValueError("more than four numeric parts")
    values: list[int] = []
    for p in parts:
        if p.startswith("0x"):
            if len(p) == 2:
                raise ValueError("empty hex part")
            values.append(int(p[2:], 16))
        elif len(p) > 1 and p.startswith("0"):
            values.append(int(p[1:], 8))  # raises ValueError on 8 or 9
        else:
            values.append(int(p, 10))
    *head, last = values
    if any(v > 255 for v in head) or last >= 256 ** (4 - len(head)):
        raise ValueError("numeric part out of range")
    number = 0
    for v in head:
        number = number * 256 + v
    number = (number << (8 * (4 - len(head)))) | last
    return ipaddress.IPv4Address(number)


@dataclass(frozen=True)
class VettedTarget:
    """A URL that passed the guard: connect to ``ip`` (or, if that fails, another of the
    checked ``ips``, in resolver order) and nothing else for ``host:port``."""

    url: str
    host: str  # as httpx sends it (ASCII, lower case, no brackets): the key the pin matches
    port: int
    ip: str
    ips: tuple[str, ...] = ()

    @property
    def addresses(self) -> tuple[str, ...]:
        return self.ips or (self.ip,)


def _explain_numeric_host(text: str, url: str) -> None:
    """httpx rejects dotted octal like ``0177.0.0.1``; say what it would have reached."""
    try:
        host = urlsplit(text).hostname or ""
        literal = parse_ipv4_loose(host)
    except ValueError:
        return
    if literal is not None and blocked_reason(literal):
        raise BlockedAddress(f"refused to connect to {literal} (spelled {host!r}): "
                             f"{blocked_reason(literal)}", item=url)


def parse_url(url: str) -> httpx.URL:
    """Parse strictly: http(s) only, no credentials, a well-formed host and port."""
    text = url.strip()
    try:
        parsed = httpx.URL(text)
    except (httpx.InvalidURL, ValueError, TypeError) as exc:
        _explain_numeric_host(text, url)
        raise InvalidInput(f"malformed URL: {exc}", item=url) from exc
    if parsed.scheme not in ("http", "https"):
        raise InvalidInput(f"unsupported URL scheme {parsed.scheme!r}: only http and https",
                           item=url)
    _, _, rest = text.partition("://")
    authority = re.split(r"[/?#]", rest, maxsplit=1)[0]
    if "@" in authority or parsed.userinfo:
        raise InvalidInput("URL carries credentials (user@host); such URLs are refused",
                           item=url)
    if "\\" in authority:
        raise InvalidInput("backslash in the URL's host part is ambiguous; refused", item=url)
    if not parsed.raw_host:
        raise InvalidInput("URL has no host", item=url)
    port = parsed.port
    if port is not None and not 0 < port < 65536:
        raise InvalidInput(f"URL port {port} is out of range", item=url)
    return parsed


def _host_ips(host: str, port: int, resolver: Resolver, url: str,
              deadline: float | None = None) -> tuple[list[str], bool]:
    """The addresses for a host and whether they came from the URL itself (literal)."""
    if ":" in host:  # IPv6 literal (httpx drops the brackets)
        if "%" in host:
            raise InvalidInput("IPv6 zone identifiers are not allowed in URLs", item=url)
        try:
            return [str(ipaddress.IPv6Address(host))], True
        except ValueError as exc:
            raise InvalidInput(f"invalid IPv6 address {host!r}", item=url) from exc
    name = host[:-1] if host.endswith(".") else host
    labels = name.split(".")
    if not name or len(name) > 253 or not all(_LABEL.match(lab) for lab in labels):
        raise InvalidInput(f"invalid host name {host!r}", item=url)
    try:
        literal = parse_ipv4_loose(name)
    except ValueError as exc:
        raise InvalidInput(f"host {host!r} is a malformed numeric IPv4 address ({exc})",
                           item=url) from exc
    if literal is not None:
        return [str(literal)], True
    if _NUMERIC_PART.match(labels[-1]):
        raise InvalidInput(f"host {host!r} ends in a number but is not an IPv4 address",
                           item=url)
    try:
        ips = _resolve_by(resolver, name, port, deadline, url)
    except (OSError, UnicodeError) as exc:
        raise ConnectionFailed(f"cannot resolve {name}: {exc}", item=url) from exc
    if not ips:
        raise ConnectionFailed(f"{name} resolved to no address", item=url)
    return list(ips), False


def vet_url(url: str, settings: Settings, resolver: Resolver | None = None,
            deadline: float | None = None) -> VettedTarget:
    """Parse, resolve and check a URL; the returned target names the one IP to connect to.
    With a ``deadline`` (``time.monotonic()``), the name lookup waits no longer than it."""
    parsed = parse_url(url)
    host = parsed.raw_host.decode("ascii").lower()
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    allow = Allowlist.parse(settings.allowlist)
    ips, literal = _host_ips(host, port, resolver or DEFAULT_RESOLVER, url, deadline)
    checked: list[IPAddress] = []
    for ip in ips:
        if allow.allows_host(host) and not literal:
            try:
                checked.append(_strip_scope(ipaddress.ip_address(ip)))
            except ValueError as exc:
                raise BlockedAddress(f"resolver returned {ip!r}, not an IP address",
                                     item=url) from exc
            continue
        try:
            checked.append(check_address(ip, allow, item=url))
        except BlockedAddress as exc:
            where = "" if literal else f" ({host} resolves to {ip})"
            raise BlockedAddress(f"{exc.message}{where}", item=url) from None
    addresses = tuple(dict.fromkeys(str(a) for a in checked))
    return VettedTarget(url=str(parsed), host=host, port=port, ip=addresses[0], ips=addresses)


# --- connecting only to the vetted address ---------------------------------------------------


@dataclass
class _Pin:
    target: VettedTarget
    deadline: float


class _DeadlineStream(httpcore.NetworkStream):
    """A socket stream whose reads and writes never outlive the current fetch's deadline."""

    def __init__(self, inner: httpcore.NetworkStream, backend: PinnedBackend) -> None:
        self._inner = inner
        self._backend = backend

    def _timeout(self, timeout: float | None, exc: type[Exception]) -> float | None:
        deadline = self._backend.current_deadline()
        if deadline is None:
            return timeout
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise exc("total fetch deadline passed")
        return remaining if timeout is None else min(timeout, remaining)

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, self._timeout(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, self._timeout(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        inner = self._inner.start_tls(ssl_context, server_hostname,
                                      self._timeout(timeout, httpcore.ConnectTimeout))
        return _DeadlineStream(inner, self._backend)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class PinnedBackend(httpcore.NetworkBackend):
    """Opens a TCP connection only to the address vetted for the fetch in progress.

    The pin is per thread; a connection attempt for any other host or port, or with no fetch
    in progress, raises ``BlockedAddress`` instead of resolving anything.
    """

    def __init__(self, inner: httpcore.NetworkBackend | None = None) -> None:
        self._inner = inner or httpcore.SyncBackend()
        self._local = threading.local()

    @contextlib.contextmanager
    def pinned(self, target: VettedTarget, deadline: float) -> Iterator[None]:
        previous = getattr(self._local, "pin", None)
        self._local.pin = _Pin(target, deadline)
        try:
            yield
        finally:
            self._local.pin = previous

    def current_deadline(self) -> float | None:
        pin: _Pin | None = getattr(self._local, "pin", None)
        return pin.deadline if pin else None

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        pin: _Pin | None = getattr(self._local, "pin", None)
        wanted = host.strip("[]").lower()
        if pin is None or pin.target.host != wanted or pin.target.port != port:
            raise BlockedAddress(f"connection to unvetted host {host}:{port} refused")
        remaining = pin.deadline - time.monotonic()
        if remaining <= 0:
            raise FetchTimeout("total fetch deadline passed before connecting",
                               item=pin.target.url)
        timeout = remaining if timeout is None else min(timeout, remaining)
        last: Exception | None = None
        for ip in pin.target.addresses:  # every one was checked; like create_connection
            try:
                stream = self._inner.connect_tcp(ip, port, timeout, local_address,
                                                 socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
                if time.monotonic() >= pin.deadline:
                    break
                continue
            return _DeadlineStream(stream, self)
        raise last or BlockedAddress("no vetted address to connect to")

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Iterable[Any] | None = None
                            ) -> httpcore.NetworkStream:
        raise BlockedAddress("unix socket connections are refused")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class PinnedTransport(httpx.HTTPTransport):
    """httpx's own transport, with a connection pool whose connects go through the pin."""

    def __init__(self, backend: PinnedBackend, *, limits: httpx.Limits | None = None,
                 verify: ssl.SSLContext | bool = True) -> None:
        super().__init__(trust_env=False)
        limits = limits or httpx.Limits(max_connections=100, max_keepalive_connections=20,
                                        keepalive_expiry=5.0)
        self.backend = backend
        self._pool.close()
        # httpx builds its pool without a way to pass a network backend; replace it with an
        # identical one that has ours (public httpcore API; `_pool` is httpx's attribute).
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(verify=verify, trust_env=False),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            http1=True,
            http2=False,
            network_backend=backend,
        )
