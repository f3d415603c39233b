"""Refusing outbound URLs that point inside the network (SSRF), unless a host is allowed.

A webhook URL an admin types is fetched by our servers: without this check it
could reach the cloud metadata endpoint, a database, or localhost. The host is
resolved and every address it resolves to must be public.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from urllib.parse import urlsplit


class UnsafeUrl(ValueError):
    """The reason is safe to show to the admin who gave the URL."""


def _private(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def check_shape(url: str) -> str:
    """Scheme and host of a URL; returns the host. No DNS."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise UnsafeUrl("webhook URLs must be http or https")
    if not parts.hostname:
        raise UnsafeUrl("the webhook URL has no host")
    if parts.username or parts.password:
        raise UnsafeUrl("credentials in a webhook URL are not accepted; the payload is signed")
    return parts.hostname.lower()


async def check_url(url: str, allowed_hosts: Iterable[str] = ()) -> None:
    """Raise UnsafeUrl unless every address the URL's host resolves to is public
    (or the host is explicitly allowed)."""
    host = check_shape(url)
    if host in {h.lower() for h in allowed_hosts}:
        return
    port = urlsplit(url).port or 443
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise UnsafeUrl(f"the webhook host {host} does not resolve") from exc
    addresses = sorted({str(info[4][0]) for info in infos})
    inside = [a for a in addresses if _private(a)]
    if inside:
        raise UnsafeUrl(
            f"the webhook host {host} resolves to a private, loopback or link-local address "
            f"({inside[0]}); an admin can allow the host explicitly"
        )
