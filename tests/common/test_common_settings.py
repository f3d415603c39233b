"""The JWT signing secret: from FAIRMARKET_JWT_SECRET or a mounted FAIRMARKET_JWT_SECRET_FILE."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pydantic import ValidationError

from fairmarket.catalog.settings import CatalogSettings
from fairmarket.collector.settings import CollectorSettings
from fairmarket.common.auth import issue_token, verify_token
from fairmarket.common.settings import CommonSettings

SECRET = "a-signing-secret-of-at-least-32-bytes"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings are read from the environment: start from none of ours."""
    for name in list(os.environ):
        if name.startswith("FAIRMARKET_"):
            monkeypatch.delenv(name)


def secret_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "jwt-secret"
    path.write_text(text)
    return path


def test_the_secret_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAIRMARKET_JWT_SECRET", SECRET)
    settings = CommonSettings()
    assert settings.jwt_secret.get_secret_value() == SECRET
    assert settings.jwt_secret_file is None


def test_the_secret_comes_from_a_mounted_file_without_its_newline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAIRMARKET_JWT_SECRET_FILE", str(secret_file(tmp_path, SECRET + "\n")))
    settings = CommonSettings()
    assert settings.jwt_secret.get_secret_value() == SECRET
    assert SECRET not in repr(settings) and SECRET not in str(settings.model_dump())


def test_only_the_trailing_newline_is_stripped(tmp_path: Path) -> None:
    path = secret_file(tmp_path, f" {SECRET} \r\n")
    assert CommonSettings(jwt_secret_file=path).jwt_secret.get_secret_value() == f" {SECRET} "


def test_every_service_reads_the_file_and_verifies_its_tokens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tokens issued with the file's secret are accepted by a service configured with it."""
    monkeypatch.setenv("FAIRMARKET_JWT_SECRET_FILE", str(secret_file(tmp_path, SECRET + "\n")))
    token = issue_token(SECRET, "staff")
    for settings in (CatalogSettings(), CollectorSettings()):
        principal = verify_token(
            token,
            settings.jwt_secret.get_secret_value(),
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
        )
        assert principal.role == "staff"


def test_the_value_wins_over_the_file_as_for_the_collectors_credentials(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAIRMARKET_JWT_SECRET", SECRET)
    monkeypatch.setenv("FAIRMARKET_JWT_SECRET_FILE", str(secret_file(tmp_path, "other\n")))
    assert CommonSettings().jwt_secret.get_secret_value() == SECRET


def test_an_empty_value_falls_back_to_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAIRMARKET_JWT_SECRET", "")
    monkeypatch.setenv("FAIRMARKET_JWT_SECRET_FILE", str(secret_file(tmp_path, SECRET)))
    assert CommonSettings().jwt_secret.get_secret_value() == SECRET


@pytest.mark.parametrize("value", [None, ""])
def test_no_secret_at_all_stops_the_service_at_start(
    value: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAIRMARKET_DISCOGS_TOKEN", "s3cret-discogs-token")
    if value is not None:
        monkeypatch.setenv("FAIRMARKET_JWT_SECRET", value)
    with pytest.raises(ValidationError) as caught:
        CollectorSettings()
    message = str(caught.value)
    assert "FAIRMARKET_JWT_SECRET or FAIRMARKET_JWT_SECRET_FILE" in message
    assert "s3cret" not in message  # the error does not print the other settings' inputs


def test_a_missing_file_stops_the_service_at_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAIRMARKET_JWT_SECRET_FILE", str(tmp_path / "missing"))
    with pytest.raises(ValidationError, match=r"jwt_secret_file .*missing cannot be read"):
        CommonSettings()


def test_an_unreadable_file_stops_the_service_at_start(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match=r"jwt_secret_file .* cannot be read"):
        CommonSettings(jwt_secret_file=tmp_path)  # a directory: reading it fails


def test_a_binary_file_stops_the_service_without_quoting_it(tmp_path: Path) -> None:
    path = tmp_path / "jwt-secret"
    path.write_bytes(b"\xffs3cret\xfe")
    with pytest.raises(ValidationError, match="is not UTF-8 text") as caught:
        CommonSettings(jwt_secret_file=path)
    assert "s3cret" not in str(caught.value) and "xff" not in str(caught.value)


@pytest.mark.parametrize("text", ["", "\n", "\r\n\n"])
def test_an_empty_file_stops_the_service_at_start(text: str, tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match=r"jwt_secret_file .* is empty"):
        CommonSettings(jwt_secret_file=secret_file(tmp_path, text))
