"""Outbound URL checks (SSRF) and webhook signatures."""

from __future__ import annotations

import pytest

from fairmarket.common.netguard import UnsafeUrl, check_url
from fairmarket.common.signing import BadSignature, sign, verify


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
    ],
)
async def test_internal_addresses_and_odd_urls_are_refused(url: str, why: str) -> None:
    with pytest.raises(UnsafeUrl):
        await check_url(url)


async def test_an_allowed_host_passes_and_a_public_address_passes() -> None:
    await check_url("http://127.0.0.1:9/hook", ["127.0.0.1"])
    await check_url("https://8.8.8.8/hook")  # a literal public address needs no DNS


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
