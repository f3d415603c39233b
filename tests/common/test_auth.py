"""Tokens and roles, at the API boundary a client sees."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx
import jwt
import pytest

from fairmarket.common.auth import AuthError, Role, issue_token, verify_token
from fairmarket.intake.app import create_app
from fairmarket.intake.settings import IntakeSettings

SECRET = "s" * 32


def test_a_token_carries_its_role() -> None:
    principal = verify_token(issue_token(SECRET, "staff", subject="ann"), SECRET)
    assert principal.role is Role.staff and principal.subject == "ann"
    assert principal.may(Role.viewer) and principal.may(Role.staff)
    assert not principal.may(Role.admin)


@pytest.mark.parametrize(
    "token",
    [
        issue_token("another-secret-another-secret-xx", "admin"),
        issue_token(SECRET, "admin", ttl=timedelta(seconds=-5)),
        issue_token(SECRET, "admin", audience="someone-else"),
        issue_token(SECRET, "admin", issuer="someone-else"),
        jwt.encode(
            {
                "sub": "x",
                "role": "god",
                "iss": "fairmarket",
                "aud": "fairmarket",
                "exp": 4102444800,
            },
            SECRET,
            algorithm="HS256",
        ),
        "not-a-jwt",
    ],
    ids=["wrong-signature", "expired", "audience", "issuer", "unknown-role", "garbage"],
)
def test_bad_tokens_are_refused(token: str) -> None:
    with pytest.raises(AuthError):
        verify_token(token, SECRET)


@pytest.fixture
def intake_client() -> httpx.AsyncClient:
    app = create_app(IntakeSettings(jwt_secret=SECRET))  # no lifespan: auth runs first
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://intake")


BODY = {"category": "coin", "attribution": {"category": "coin", "year": 1921}}


async def test_no_token_is_401_with_a_reason(intake_client: httpx.AsyncClient) -> None:
    r = await intake_client.post("/v1/intakes", json=BODY)
    assert r.status_code == 401
    assert r.json()["error"] == "unauthorized" and r.json()["reason"]
    assert r.headers["www-authenticate"] == "Bearer"


async def test_a_viewer_may_not_take_items_in(intake_client: httpx.AsyncClient) -> None:
    token = issue_token(SECRET, "viewer")
    r = await intake_client.post(
        "/v1/intakes", json=BODY, headers={"Authorization": f"Bearer {token}"}
    )
    assert r.status_code == 403
    assert "staff" in r.json()["reason"]


async def test_an_expired_token_is_401(intake_client: httpx.AsyncClient) -> None:
    token = issue_token(SECRET, "admin", ttl=timedelta(seconds=-1))
    r = await intake_client.get(
        "/v1/intakes/00000000-0000-0000-0000-000000000000",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 401
    assert "expired" in r.json()["reason"].lower()


async def test_a_malformed_intake_is_422_with_the_field(intake_client: httpx.AsyncClient) -> None:
    token = issue_token(SECRET, "staff")
    r = await intake_client.post(
        "/v1/intakes",
        json={"category": "coin", "attribution": {"category": "coin", "year": "soon"}},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 422
    assert "year" in r.json()["reason"]


def test_the_token_command_signs_with_the_secret_file_the_services_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from fairmarket.cli.main import app

    path = tmp_path / "jwt-secret"
    path.write_text(SECRET + "\n")  # as a mounted secret often ends
    monkeypatch.delenv("FAIRMARKET_JWT_SECRET", raising=False)
    monkeypatch.setenv("FAIRMARKET_JWT_SECRET_FILE", str(path))
    result = CliRunner().invoke(app, ["token", "--role", "staff"])
    assert result.exit_code == 0, result.output
    assert verify_token(result.stdout.strip().splitlines()[-1], SECRET).role is Role.staff
