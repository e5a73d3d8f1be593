"""Who may read ``/metrics`` (and the worker's exporter): it reveals project and policy ids and
volumes, so it answers only with the operator's token, or without one to loopback clients."""

import hmac
import ipaddress
from collections.abc import Mapping

# A reverse proxy on the same host makes every client look like loopback: a request that came
# through one (it says so in one of these headers) is not a local client.
FORWARDING_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_REAL_IP", "HTTP_FORWARDED")


def _is_loopback(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback


def metrics_access_allowed(*, meta: Mapping[str, str], token: str) -> bool:
    """Whether a request (Django's ``request.META`` or a WSGI environ) may read metrics.

    With ``token`` set, only ``Authorization: Bearer <token>`` (compared in constant time), from
    anywhere; without one, only a client on this host that did not come through a proxy.
    """
    if token:
        scheme, _, given = meta.get("HTTP_AUTHORIZATION", "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(
            given.strip().encode(), token.encode()
        )
    if any(meta.get(header) for header in FORWARDING_HEADERS):
        return False
    return _is_loopback(meta.get("REMOTE_ADDR", ""))
