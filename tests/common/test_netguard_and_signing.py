"""Outbound URL checks (SSRF) and webhook signatures."""

from __future__ import annotations

import pytest

from fairmarket.catalog.netguard import UnsafeUrl, check_url, pin
from fairmarket.catalog.signing import BadSignature, sign, verify


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://127.0.0.1:8080/hook", "loopback"),
        ("http://localhost/hook", "loopback"),
        ("http://10.1.2.3/hook", "private"),
        ("http://192.168.0.10/hook", "private"),
        ("http://169.254.169.254/latest/meta-data", "link-local"),
        ("http://[::1]/hook", "loopback"),
        ("http://[::ffff:127.0.0.1]/hook", "mapped loopback"),
        ("http://0.0.0.0/hook", "unspecified"),
        ("ftp://example.com/hook", "scheme"),
        ("http://user:pw@example.com/hook", "credentials"),
        ("http://[::127.0.0.1]/hook", "IPv4-compatible loopback"),
        ("http://[::7f00:1]/hook", "IPv4-compatible loopback, hex"),
        ("http://[64:ff9b::127.0.0.1]/hook", "NAT64 of loopback"),
        ("http://[64:ff9b::a00:1]/hook", "NAT64 of a private address"),
        ("http://[2002:7f00:1::]/hook", "6to4 of loopback"),
        ("http://[2002:a9fe:a9fe::]/hook", "6to4 of the metadata address"),
        ("http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/hook", "Teredo of a loopback client"),
        ("http://host\t/a", "tab in the host"),
        ("http://example.com:99999/hook", "port out of range"),
        ("http://example.com:-1/hook", "negative port"),
        ("http://example.com:abc/hook", "port not a number"),
        ("http://[::1/a", "unclosed IPv6 literal"),
        ("http://" + "a" * 64 + ".com/hook", "label over 63 characters"),
        ("http://a..com/hook", "empty label"),
        ("http://exa\x00mple.com/hook", "NUL byte"),
        ("javascript:alert(document.cookie)", "script scheme"),
    ],
)
async def test_internal_addresses_and_odd_urls_are_refused(url: str, why: str) -> None:
    with pytest.raises(UnsafeUrl):
        await check_url(url)


async def test_an_allowed_host_passes_and_a_public_address_passes() -> None:
    await check_url("http://127.0.0.1:9/hook", ["127.0.0.1"])
    await check_url("https://8.8.8.8/hook")  # a literal public address needs no DNS
    # IPv6 forms embedding a public IPv4 address are judged by it, so pass too
    await check_url("https://[64:ff9b::808:808]/hook")
    await check_url("https://[2002:808:808::]/hook")


@pytest.mark.parametrize(
    ("url", "address", "pinned", "host", "sni"),
    [
        (
            "https://hooks.example.com/x?y=1",
            "93.184.216.34",
            "https://93.184.216.34/x?y=1",
            "hooks.example.com",
            "hooks.example.com",
        ),
        (
            "http://hooks.example.com:8080/x",
            "93.184.216.34",
            "http://93.184.216.34:8080/x",
            "hooks.example.com:8080",
            None,
        ),
        (
            "https://hooks.example.com/x",
            "2606:2800:220:1::1",
            "https://[2606:2800:220:1::1]/x",
            "hooks.example.com",
            "hooks.example.com",
        ),
    ],
)
def test_a_delivery_goes_to_the_address_that_was_checked(
    url: str, address: str, pinned: str, host: str, sni: str | None
) -> None:
    to, headers, extensions = pin(url, address)
    assert (to, headers["Host"], extensions.get("sni_hostname")) == (pinned, host, sni)
    assert pin(url, None) == (url, {}, {})  # an allowed host: as given


async def test_a_dns_answer_that_changes_after_the_check_is_never_used(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Rebinding: public when checked, loopback a moment later. The checked address is
    the one connected to, so the second answer is never asked for. No traffic is sent."""
    import asyncio
    import socket

    answers = iter(["93.184.216.34", "127.0.0.1"])
    asked: list[str] = []

    async def getaddrinfo(host: str, port: int, **kw: object) -> list[tuple]:
        asked.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port))]

    monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", getaddrinfo)
    url = "https://rebind.example/hook"
    to, headers, _ = pin(url, await check_url(url))
    assert to == "https://93.184.216.34/hook" and headers == {"Host": "rebind.example"}
    assert asked == ["rebind.example"]


async def test_a_pinned_request_reaches_the_receiver_under_its_own_host_name() -> None:
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    import httpx

    hosts: list[str | None] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            hosts.append(self.headers.get("Host"))
            self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.handle_request, daemon=True).start()
    port = server.server_address[1]
    try:
        to, headers, extensions = pin(f"http://receiver.test:{port}/hook", "127.0.0.1")
        async with httpx.AsyncClient(trust_env=False) as client:
            r = await client.post(to, content=b"{}", headers=headers, extensions=extensions)
    finally:
        server.server_close()
    assert r.status_code == 204 and hosts == [f"receiver.test:{port}"]


def test_a_signature_verifies_and_a_tampered_or_old_one_does_not() -> None:
    body = b'{"fmv_usd_cents":12000}'
    header = sign("whsec_x", body, timestamp=1_800_000_000)
    verify("whsec_x", header, body, now=1_800_000_100)
    with pytest.raises(BadSignature, match="does not match"):
        verify("whsec_x", header, body + b" ", now=1_800_000_100)
    with pytest.raises(BadSignature, match="does not match"):
        verify("whsec_other", header, body, now=1_800_000_100)
    with pytest.raises(BadSignature, match="tolerance"):
        verify("whsec_x", header, body, now=1_800_000_000 + 301)  # a replay, later
    with pytest.raises(BadSignature, match="malformed"):
        verify("whsec_x", "v1=abc", body)
