"""Where webhooks may go, and the one request that sends each attempt.

Only addresses on the public internet (or hosts listed in ``TANDEM_WEBHOOK_ALLOWED_HOSTS``)
receive anything: the check runs when an endpoint is created and again before every attempt,
against the addresses the connection then uses, so a DNS change cannot turn an endpoint into a
request to an internal service. IPv6 addresses that carry an IPv4 address (NAT64, 6to4, Teredo,
IPv4-compatible and IPv4-mapped) are judged by the IPv4 address they lead to as well.
"""

import http.client
import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings

TIMEOUT_SECONDS = 5.0
# Bytes of a receiver's answer kept in the log (the status code is what counts).
RESPONSE_EXCERPT = 200


class WebhookRefused(Exception):
    """The destination is not one Tandem may send to."""


def _allowed_hosts() -> set[str]:
    return {h.lower() for h in getattr(settings, "TANDEM_WEBHOOK_ALLOWED_HOSTS", None) or []}


# IPv6 prefixes that carry an IPv4 address: RFC 6052 (well-known NAT64), RFC 8215 (local-use
# NAT64), RFC 3056 (6to4). Teredo and IPv4-mapped are decoded by ``ipaddress`` itself.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")
_SIX_TO_FOUR = ipaddress.ip_network("2002::/16")


def _ipv4_at(packed: bytes, *spans: tuple[int, int]) -> ipaddress.IPv4Address:
    return ipaddress.IPv4Address(b"".join(packed[start:end] for start, end in spans))


def embedded_ipv4(ip: ipaddress.IPv6Address) -> list[tuple[str, ipaddress.IPv4Address]]:
    """The IPv4 addresses an IPv6 address leads to, with the name of the form:
    ``[("NAT64", IPv4Address("127.0.0.1"))]``; empty for a plain IPv6 address."""
    packed = ip.packed
    found: list[tuple[str, ipaddress.IPv4Address]] = []
    if ip.ipv4_mapped is not None:
        found.append(("IPv4-mapped", ip.ipv4_mapped))
    elif packed[:12] == bytes(12) and int(ip) > 1:
        # ::a.b.c.d (IPv4-compatible, deprecated by RFC 4291); :: and ::1 are themselves.
        found.append(("IPv4-compatible", _ipv4_at(packed, (12, 16))))
    if ip in _NAT64:
        found.append(("NAT64", _ipv4_at(packed, (12, 16))))
    if ip in _NAT64_LOCAL:
        # The operator picks the prefix length (/96 to /48): the IPv4 address sits where RFC
        # 6052 puts it for each length (skipping bits 64-71), and every reading must be public
        # (in practice a local-use address is refused: some reading is 0.x.x.x).
        for spans in (((12, 16),), ((9, 13),), ((7, 8), (9, 12)), ((6, 8), (9, 11))):
            found.append(("NAT64", _ipv4_at(packed, *spans)))
    if ip in _SIX_TO_FOUR and ip.sixtofour is not None:
        found.append(("6to4", ip.sixtofour))
    if ip.teredo is not None:
        server, client = ip.teredo
        found += [("Teredo", server), ("Teredo", client)]
    return found


def _public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return ip.is_global and not ip.is_multicast


def _refusal(host: str, address: str) -> str | None:
    """Why Tandem may not send to ``address`` (which ``host`` resolved to), or None."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        # Named first: "the NAT64 form of 127.0.0.1" says more than "not public".
        for form, ipv4 in embedded_ipv4(ip):
            if not _public(ipv4):
                return (
                    f"{host} resolves to {address}, the {form} form of {ipv4}, a private, "
                    "loopback or link-local address; webhooks go only to public addresses (an "
                    "operator can allow a host with TANDEM_WEBHOOK_ALLOWED_HOSTS)."
                )
    if not _public(ip):
        return (
            f"{host} resolves to {address}, a private, loopback or link-local address; "
            "webhooks go only to public addresses (an operator can allow a host with "
            "TANDEM_WEBHOOK_ALLOWED_HOSTS)."
        )
    return None


def _split(url: str) -> tuple[str, str, int, str]:
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise WebhookRefused("A webhook URL must be http:// or https:// with a host name.")
    if parts.username or parts.password:
        raise WebhookRefused("A webhook URL must not carry a user name or password.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise WebhookRefused("The webhook URL has an invalid port.") from exc
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme, parts.hostname.lower(), port, path


def webhook_destination(url: str) -> tuple[str, str, int, str, str]:
    """``(scheme, host, port, path, address to connect to)`` for a URL Tandem may send to.

    Raises ``WebhookRefused`` when the host does not resolve, or resolves to any address that is
    not public (private, loopback, link-local, multicast, reserved) or that is an IPv6 form of
    such an IPv4 address (NAT64, 6to4, Teredo, IPv4-compatible, IPv4-mapped), unless the host
    is listed in ``TANDEM_WEBHOOK_ALLOWED_HOSTS``.
    """
    scheme, host, port, path = _split(url)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise WebhookRefused(f"The host {host} does not resolve.") from exc
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if host not in _allowed_hosts():
        for address in addresses:
            refusal = _refusal(host, address)
            if refusal is not None:
                raise WebhookRefused(refusal)
    return scheme, host, port, path, addresses[0]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the address that was checked, not to whatever the name resolves to now."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, *, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        # HTTPSConnection.__init__ sets _context (the TLS settings); typeshed omits it.
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def webhook_post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    """One POST, no redirects followed, to the address ``webhook_destination`` checked (raises
    ``WebhookRefused`` when there is none); ``(status code, start of the answer)``."""
    scheme, host, port, path, address = webhook_destination(url)
    connection_class = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(host, port, address=address, timeout=TIMEOUT_SECONDS)
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        excerpt = response.read(RESPONSE_EXCERPT).decode("utf-8", "replace")
        return response.status, excerpt
    finally:
        connection.close()
