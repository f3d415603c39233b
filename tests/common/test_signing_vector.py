"""Webhook signatures against values computed without the project's code.

A receiver written in another language checks `Fairmarket-Signature` with its own HMAC:
these vectors pin the scheme (HMAC-SHA256 of `<t>.<body>`, hex, `t=<t>,v1=<hex>`), so a
change that `sign` and `verify` would make together still fails here.
"""

from __future__ import annotations

import hashlib
import hmac

import pytest

from fairmarket.catalog.signing import BadSignature, sign, verify

SECRET = "whsec_x"
BODY = b'{"fmv_usd_cents":12000}'
T = 1_800_000_000
# printf '%s' '1800000000.{"fmv_usd_cents":12000}' | openssl dgst -sha256 -hmac whsec_x
OPENSSL_MAC = "66490b840c0bec6ecc6f97b89b60c3ad157e4b0b2c69e1b2085ff87a6e50e3fa"


def test_the_signature_is_the_hmac_a_receiver_computes_itself() -> None:
    mac = hmac.new(SECRET.encode(), f"{T}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert mac == OPENSSL_MAC
    assert sign(SECRET, BODY, timestamp=T) == f"t={T},v1={OPENSSL_MAC}"


def test_a_header_built_by_a_receiver_verifies_and_a_wrong_mac_does_not() -> None:
    verify(SECRET, f"t={T},v1={OPENSSL_MAC}", BODY, now=T + 10)
    wrong = hmac.new(SECRET.encode(), BODY, hashlib.sha256).hexdigest()  # no timestamp
    with pytest.raises(BadSignature, match="does not match"):
        verify(SECRET, f"t={T},v1={wrong}", BODY, now=T + 10)
