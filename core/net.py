"""Who is calling: the client's address, believed from a forwarded header only via a trusted proxy.

``REMOTE_ADDR`` is the peer of the TCP connection and cannot be forged. ``X-Forwarded-For`` is
written by whoever sent the request, so it is read only when the peer is one of
``TANDEM_TRUSTED_PROXIES``; then the header is walked from the right (each proxy appends the
address it received the request from) past the trusted proxies, and the first address that is
not one of them is the client. Everything to the left of it was written by the client and is
ignored.

``ClientAddressMiddleware`` puts that address into ``REMOTE_ADDR`` for the rest of the request,
so Django REST framework's throttles (with ``NUM_PROXIES = 0``: they never read the header
themselves), logs and any other code keyed on the client see the same address.
``LoopbackOnlyMiddleware`` refuses every request from another machine when the local (laptop)
settings run.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse

from core.exceptions import error_response

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# Where the middleware keeps the connection's own peer once REMOTE_ADDR holds the client.
PEER_ADDR_META = "TANDEM_PEER_ADDR"
_RESOLVED = "_tandem_client_ip"


# In TANDEM_TRUSTED_PROXIES: connections through a unix socket (a proxy on this machine),
# which have no peer address.
UNIX_SOCKET = "unix"


@lru_cache(maxsize=8)
def _parse_networks(entries: tuple[str, ...]) -> tuple[tuple[IPNetwork, ...], bool]:
    networks = []
    unix_socket = False
    for entry in entries:
        entry = entry.strip()
        if not entry:
            continue
        if entry.lower() == UNIX_SOCKET:
            unix_socket = True
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"TANDEM_TRUSTED_PROXIES: {entry!r} is not an IP address or network "
                "(give addresses or CIDRs separated by commas, e.g. 10.0.0.5,10.1.0.0/16, "
                "and `unix` for a proxy that connects through a unix socket)."
            ) from exc
    return tuple(networks), unix_socket


def trusted_proxies() -> tuple[IPNetwork, ...]:
    """``TANDEM_TRUSTED_PROXIES`` parsed (read on each call, so tests can change it)."""
    return _parse_networks(tuple(settings.TANDEM_TRUSTED_PROXIES))[0]


def trusts_unix_socket() -> bool:
    """Whether ``unix`` is in ``TANDEM_TRUSTED_PROXIES``."""
    return _parse_networks(tuple(settings.TANDEM_TRUSTED_PROXIES))[1]


def parse_address(value: str) -> IPAddress | None:
    """An address as a proxy writes it, or None when it is not one.

    Accepts ``1.2.3.4``, ``1.2.3.4:5678``, ``::1``, ``[::1]`` and ``[::1]:5678``; an IPv4
    address mapped into IPv6 (``::ffff:1.2.3.4``) is read as the IPv4 address it carries.
    """
    value = value.strip()
    if value.startswith("["):
        value = value[1:].split("]", 1)[0]
    elif value.count(":") == 1:  # IPv4 with a port; IPv6 has at least two colons
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _is_trusted(address: IPAddress, proxies: Iterable[IPNetwork]) -> bool:
    return any(address.version == net.version and address in net for net in proxies)


def resolve_client_ip(*, remote_addr: str, forwarded_for: str | None) -> str:
    """The client's address from the connection's peer and its ``X-Forwarded-For`` header."""
    peer = parse_address(remote_addr or "")
    proxies = trusted_proxies()
    if peer is None:
        # No address: a unix socket (gunicorn leaves REMOTE_ADDR empty), trusted only by name.
        if remote_addr or not trusts_unix_socket():
            return remote_addr or ""
        client: IPAddress | str = ""
    elif not _is_trusted(peer, proxies):
        return str(peer)
    else:
        client = peer
    for hop in reversed((forwarded_for or "").split(",")):
        address = parse_address(hop)
        if address is None:
            # A trusted proxy wrote something that is not an address: stop at the last hop
            # we can vouch for rather than believe anything further left.
            break
        client = address
        if not _is_trusted(address, proxies):
            break
    return str(client)


def client_ip(request: HttpRequest) -> str:
    """The address of the client that sent ``request`` (see the module docstring)."""
    resolved = getattr(request, _RESOLVED, None)
    if resolved is not None:
        return resolved
    return resolve_client_ip(
        remote_addr=request.META.get("REMOTE_ADDR", ""),
        forwarded_for=request.META.get("HTTP_X_FORWARDED_FOR"),
    )


class ClientAddressMiddleware:
    """Sets ``REMOTE_ADDR`` to the client's address (the peer's stays in ``TANDEM_PEER_ADDR``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        address = client_ip(request)
        request.META[PEER_ADDR_META] = request.META.get("REMOTE_ADDR", "")
        request.META["REMOTE_ADDR"] = address
        setattr(request, _RESOLVED, address)
        return self.get_response(request)


def is_loopback(address: str) -> bool:
    parsed = parse_address(address)
    return parsed is not None and parsed.is_loopback


def host_is_loopback(host: str) -> bool:
    """Whether a server listening on ``host`` is reachable from this machine only."""
    host = host.strip().lower()
    return host == "localhost" or is_loopback(host)


def bind_is_loopback(bind: str) -> bool:
    """Whether a server bound to ``bind`` (gunicorn's ``HOST:PORT``, ``[::1]:PORT`` or
    ``unix:PATH``) can be reached from this machine only. A port alone, an empty host and
    ``0.0.0.0`` are all interfaces."""
    bind = bind.strip()
    if bind.startswith("unix:"):
        return True
    if "://" in bind:
        bind = bind.split("://", 1)[1]
    if bind.startswith("["):
        host = bind[1:].split("]", 1)[0]
    elif bind.count(":") == 1:
        host = bind.split(":", 1)[0]
    elif bind.isdigit():
        return False
    else:
        host = bind
    return host_is_loopback(host)


LOOPBACK_ONLY_MESSAGE = (
    "Tandem is running with its local settings (config.settings.local), which serve this "
    "machine only. Open it on 127.0.0.1, or run config.settings.production to serve a network."
)
BIND_REFUSED_MESSAGE = (
    "The local settings (config.settings.local) serve this machine only: bind to 127.0.0.1 "
    "(or ::1, localhost), not {bind}. To serve a network, run config.settings.production with "
    "SECRET_KEY and ALLOWED_HOSTS set."
)


class LoopbackOnlyMiddleware:
    """With ``TANDEM_LOOPBACK_ONLY`` (the local settings), a request from another machine gets
    403 and reaches nothing: a server bound to 0.0.0.0 by hand still shows no debug page,
    no data and no login form to the network."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if getattr(settings, "TANDEM_LOOPBACK_ONLY", False) and not is_loopback(client_ip(request)):
            return error_response(LOOPBACK_ONLY_MESSAGE, status=403)
        return self.get_response(request)
