"""What a person does in the console's pages, for the browser tests: sign in (a first
sign-in chooses a password), sign out, wait for a page that may reload itself, save a
screenshot, read the FMV shown; and a real photo to upload."""

from __future__ import annotations

import struct
import zlib
from typing import Any

from console_support import SCREENSHOTS, Person
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

NEW_PASSWORD = "counter-password-2026"


def png(width: int = 48, height: int = 32) -> bytes:
    """A real PNG (a gradient), built here: the intake judges photos by their bytes."""
    rows = b"".join(
        b"\x00" + b"".join(bytes((x * 5 % 256, y * 7 % 256, 120)) for x in range(width))
        for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def wait(driver: Any, condition: Any, timeout: float = 120, what: str = "") -> Any:
    """Poll `condition` until it holds; a page that reloads itself mid-check (the item page
    does when its valuation arrives) is checked again rather than failing the test."""
    return WebDriverWait(
        driver, timeout, poll_frequency=0.3, ignored_exceptions=(StaleElementReferenceException,)
    ).until(condition, message=what or "condition")


def shot(driver: Any, name: str, width: int = 1024) -> None:
    """A full-page screenshot at `width` px (768: a tablet at the counter)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(width, min(max(height + 120, 700), 4000))
    driver.save_screenshot(str(SCREENSHOTS / f"{name}.png"))
    driver.set_window_size(1024, 900)


def sign_in(driver: Any, base: str, person: Person, *, keyboard: bool = False) -> None:
    """`keyboard`: with the keys alone (the email field has the focus, Tab, Enter)."""
    driver.get(f"{base}/console/sign-in")
    if keyboard:
        driver.switch_to.active_element.send_keys(
            person.email, Keys.TAB, person.password, Keys.ENTER
        )
    else:
        driver.find_element(By.ID, "email").send_keys(person.email)
        driver.find_element(By.ID, "password").send_keys(person.password)
        driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    if person.one_time:  # the console asks for a password of one's own first
        wait(driver, lambda d: d.current_url.endswith("/console/password"), 20, "password page")
        driver.find_element(By.ID, "password").send_keys(NEW_PASSWORD)
        driver.find_element(By.ID, "password_again").send_keys(NEW_PASSWORD, Keys.ENTER)
        person.password, person.one_time = NEW_PASSWORD, False
    wait(driver, lambda d: "/console/items" in d.current_url, 20, "signed in")


def sign_out(driver: Any) -> None:
    driver.find_element(By.CSS_SELECTOR, "form.who button").click()
    wait(driver, lambda d: "/console/sign-in" in d.current_url, 20, "signed out")


def fmv_text(driver: Any) -> str | None:
    found = driver.find_elements(By.ID, "fmv")
    return found[0].text if found else None
