"""Helpers of the console's browser tests: Debian's headless Chromium driven by Selenium
(browser downloads are impossible here) and people added with the CLI.

Without Chromium the browser tests skip on a developer's machine but FAIL in CI (CI=true):
.ci/run installs the `chromium` and `chromium-driver` packages when they are missing.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from fairmarket.cli.stack import Stack

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"
CHROMIUM = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
CHROMEDRIVER = ("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver")


def _first(paths: tuple[str, ...], name: str) -> str | None:
    return next((p for p in paths if Path(p).exists()), None) or shutil.which(name)


def browser_or_fail() -> tuple[str, str]:
    chromium = _first(CHROMIUM, "chromium")
    driver = _first(CHROMEDRIVER, "chromedriver")
    if chromium and driver:
        return chromium, driver
    reason = "no chromium/chromedriver: apt-get install chromium chromium-driver"
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{reason} (CI must run the browser tests)")
    pytest.skip(reason)


def new_browser(width: int = 1024, height: int = 900, offline: bool = True):  # type: ignore[no-untyped-def]
    """A headless Chromium; `offline`: every host but loopback fails to resolve, as with no
    internet, so a page that needs a CDN shows it."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium, driver = browser_or_fail()
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        f"--window-size={width},{height}",
        "--lang=en-US",
    ):
        options.add_argument(arg)
    if offline:
        options.add_argument("--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1")
    return webdriver.Chrome(options=options, service=Service(driver))


@dataclass
class Person:
    email: str
    password: str  # one-time until the first sign-in changes it
    one_time: bool = True


def add_person(stack: Stack, email: str, role: str) -> Person:
    """Through the command a shop uses: `fairmarket user add EMAIL --role ROLE`."""
    done = subprocess.run(
        [sys.executable, "-m", "fairmarket.cli", "user", "add", email, "--role", role],
        env={**os.environ, "FAIRMARKET_DATABASE_URL": stack.database_url},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    found = re.search(r"one-time password: (\S+)", done.stdout)
    assert found, done.stdout
    return Person(email, found.group(1))
