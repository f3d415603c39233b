"""Refusing outbound URLs that point inside the network (SSRF), unless a host is allowed.

A webhook URL an admin types is fetched by our servers: without this check it
could reach the cloud metadata endpoint, a database, or localhost. The host is
resolved and every address it resolves to must be public, and the request then goes
to the address that was checked (`pin`): resolving again to connect would let a DNS
answer that changed in between (rebinding) reach inside after all.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit, urlunsplit


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


async def check_url(url: str, allowed_hosts: Iterable[str] = ()) -> str | None:
    """Raise UnsafeUrl unless every address the URL's host resolves to is public (or the
    host is explicitly allowed: None); returns the checked address to connect to."""
    host = check_shape(url)
    if host in {h.lower() for h in allowed_hosts}:
        return None
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
    return addresses[0]


def pin(url: str, address: str | None) -> tuple[str, dict[str, str], dict[str, Any]]:
    """The URL with its host replaced by the checked address, the Host header, and the
    TLS server name (httpx's `sni_hostname` extension: the certificate is still checked
    against the host's name); unchanged when there is no address to pin."""
    if address is None:
        return url, {}, {}
    parts = urlsplit(url)
    host = parts.hostname or ""
    if host == address:
        return url, {}, {}
    literal = f"[{address}]" if ":" in address else address
    netloc = f"{literal}:{parts.port}" if parts.port else literal
    shown = f"{host}:{parts.port}" if parts.port else host
    extensions = {"sni_hostname": host} if parts.scheme == "https" else {}
    return urlunsplit(parts._replace(netloc=netloc)), {"Host": shown}, extensions
