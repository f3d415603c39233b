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

import httpx

from fairmarket.common.inputs import web_url


class UnsafeUrl(ValueError):
    """The reason is safe to show to the admin who gave the URL."""


_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address reaches: IPv4-mapped, IPv4-compatible (::a.b.c.d),
    NAT64 (64:ff9b::/96), 6to4 (2002::/16) and Teredo (server and client)."""
    found = []
    if ip.ipv4_mapped is not None:
        found.append(ip.ipv4_mapped)
    if 1 < int(ip) < 2**32:  # IPv4-compatible; :: and ::1 are themselves not global
        found.append(ipaddress.IPv4Address(int(ip)))
    if ip in _NAT64:
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    if ip.sixtofour is not None:
        found.append(ip.sixtofour)
    if ip.teredo is not None:
        found.extend(ip.teredo)
    return found


def _private(address: str) -> bool:
    """Not a public unicast address, or an IPv6 form reaching an IPv4 one that is not."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if any(_private(str(v4)) for v4 in embedded_ipv4(ip)):
            return True
    return not ip.is_global or ip.is_multicast


def check_shape(url: str) -> str:
    """Scheme and host of a URL, parsed as httpx (which sends the request) parses it;
    returns the host. No DNS."""
    try:
        web_url(url)
    except ValueError as exc:
        raise UnsafeUrl(f"the webhook URL is not usable: {exc}") from exc
    parts = urlsplit(url)
    if parts.username or parts.password:
        raise UnsafeUrl("credentials in a webhook URL are not accepted; the payload is signed")
    return httpx.URL(url).host.lower()


async def check_url(url: str, allowed_hosts: Iterable[str] = ()) -> str | None:
    """Raise UnsafeUrl unless every address the URL's host resolves to is public (or the
    host is explicitly allowed: None); returns the checked address to connect to."""
    host = check_shape(url)
    if host in {h.lower() for h in allowed_hosts}:
        return None
    port = httpx.URL(url).port or 443
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError) as exc:  # gaierror, or a name idna refuses
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
