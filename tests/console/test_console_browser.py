"""The console as people at the counter use it, in headless Chromium against the whole
stack (four service processes, PostgreSQL, broker, sandbox marketplaces).

Screenshots of the main pages are saved to docs/screenshots/ (the README shows them).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from console_pages import fmv_text, png, shot, sign_in, sign_out, wait
from console_support import Person, new_browser
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

pytestmark = pytest.mark.e2e


def test_a_day_at_the_counter(
    console_stack: Any, people: dict[str, Person], tmp_path: Path
) -> None:
    """Staff take in a coin with a photo, see it valued, read its comps and make a product;
    an admin excludes a comp, sees the FMV move, and approves the price change it caused."""
    base = console_stack.urls["catalog"]
    driver = new_browser()
    try:
        driver.get(f"{base}/console/items")  # signed out: sent to sign in, and back after
        wait(driver, lambda d: "/console/sign-in?next=/console/items" in d.current_url, 20)
        shot(driver, "sign-in", 768)
        sign_in(driver, base, people["staff"])

        driver.find_element(By.LINK_TEXT, "Take in").click()
        wait(driver, lambda d: d.find_elements(By.ID, "take-in"), 20, "take-in form")
        photo = tmp_path / "morgan.png"
        photo.write_bytes(png())
        driver.find_element(By.ID, "title").send_keys("1921-D Morgan dollar, MS-63")
        driver.find_element(By.ID, "f-year").send_keys("3021")  # a typo the intake refuses
        driver.find_element(By.ID, "take-in-submit").click()
        year_error = wait(driver, lambda d: d.find_elements(By.ID, "e-year"), 20, "year error")
        assert "less than or equal to 2100" in year_error[0].text  # the intake's reason
        assert driver.find_element(By.ID, "title").get_attribute("value").startswith("1921-D")
        driver.find_element(By.ID, "f-year").clear()
        driver.find_element(By.ID, "f-year").send_keys("1921")
        driver.find_element(By.ID, "f-mintmark").send_keys("D")
        driver.find_element(By.ID, "f-denomination").send_keys("Morgan Dollar")
        Select(driver.find_element(By.ID, "f-grade")).select_by_value("MS63")
        driver.find_element(By.ID, "photos").send_keys(str(photo))
        wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#thumbs img.thumb"), 10, "thumb")
        shot(driver, "take-in")
        driver.find_element(By.ID, "take-in-submit").click()

        # the page waits for the catalog, then for the valuation, refreshing itself
        wait(driver, lambda d: "/console/items/" in d.current_url, 30, "item page")
        assert "photos refused" not in driver.page_source
        item_url = driver.current_url.split("?")[0]
        wait(driver, lambda d: fmv_text(d) not in (None, "—"), 180, "valuation shown")
        first_fmv = fmv_text(driver)
        assert first_fmv and first_fmv.startswith("$")
        assert driver.find_elements(By.CSS_SELECTOR, "svg.chart circle.comp"), "chart points"
        # the photo taken in, served from the intake through the console: the real image
        assert len(driver.find_elements(By.CSS_SELECTOR, "#item-photos img.thumb")) == 1
        wait(
            driver,
            lambda d: d.execute_script(
                "const i = document.querySelector('#item-photos img.thumb');"
                "return i.complete && i.naturalWidth === 48 && i.naturalHeight === 32"
            ),
            20,
            "the photo's thumbnail loaded",
        )
        comps = driver.find_elements(By.CSS_SELECTOR, "table.comps tbody tr")
        assert comps, "the comps are shown as evidence"
        assert not driver.find_elements(By.CSS_SELECTOR, "form.flag"), "flags are admins'"
        assert "sale" in driver.find_element(By.CSS_SELECTOR, "details.confidence").text
        shot(driver, "item")

        Select(driver.find_element(By.ID, "p-ending")).select_by_value("none")
        driver.find_element(By.ID, "create-product").click()
        wait(driver, lambda d: "/console/products" in d.current_url, 20, "products page")
        price = driver.find_element(By.CSS_SELECTOR, "table.products td.price").text
        assert price == first_fmv  # markup 1.0, no rounding: the FMV itself
        sign_out(driver)

        sign_in(driver, base, people["admin"])
        driver.get(item_url)
        rows = driver.find_elements(By.CSS_SELECTOR, "table.comps tbody tr.used")
        assert rows, "comps the valuation used, to flag"
        assert all(
            "used, weight" in r.find_element(By.CSS_SELECTOR, "td.status").text for r in rows
        )
        cents = int(first_fmv.lstrip("$").replace(",", "").replace(".", ""))
        target = min(rows, key=lambda r: abs(int(r.get_attribute("data-total")) - cents))
        comp_id = target.get_attribute("data-comp")
        target.find_element(By.CSS_SELECTOR, "input[name=reason]").send_keys("a cleaned coin")
        target.find_element(By.CSS_SELECTOR, "form.flag button").click()
        wait(driver, lambda d: "comp excluded" in d.page_source, 20, "flag saved")
        wait(driver, lambda d: fmv_text(d) not in (None, first_fmv), 120, "the FMV moves")
        second_fmv = fmv_text(driver)
        row = driver.find_element(By.CSS_SELECTOR, f'tr[data-comp="{comp_id}"]')
        # the catalog's stored status, in the API's (and the CSV's) words
        assert (
            "excluded by admin: a cleaned coin"
            in row.find_element(By.CSS_SELECTOR, "td.status").text
        )
        driver.set_window_size(768, 1000)  # a tablet at the counter: nothing off the side
        assert driver.execute_script(
            "return document.documentElement.scrollWidth <= window.innerWidth"
        ), "the item page scrolls sideways at 768 px"
        shot(driver, "item-admin-768", 768)

        driver.find_element(By.LINK_TEXT, "Products").click()
        pending = wait(
            driver, lambda d: d.find_elements(By.CSS_SELECTOR, "table.pending tbody tr"), 30
        )
        assert second_fmv in pending[0].text  # the proposed price, waiting for approval
        shot(driver, "products")
        pending[0].find_element(By.CSS_SELECTOR, "button.approve-price").click()
        wait(driver, lambda d: "approve-price: done" in d.page_source, 20, "approved")
        price = driver.find_element(By.CSS_SELECTOR, "table.products td.price").text
        assert price == second_fmv
        assert not driver.find_elements(By.CSS_SELECTOR, "table.pending tbody tr")
        driver.find_element(By.CSS_SELECTOR, "table.products button.publish").click()
        wait(driver, lambda d: "publish: done" in d.page_source, 20, "published")
        row = driver.find_element(By.CSS_SELECTOR, "table.products tbody tr")
        assert "published" in row.text and row.find_elements(By.CSS_SELECTOR, "button.unpublish")

        driver.get(f"{base}/console/items?category=coin&sort=fmv")
        shot(driver, "items", 768)
    finally:
        driver.quit()


def test_a_viewer_sees_no_edit_controls_and_forged_posts_are_refused(
    console_stack: Any, people: dict[str, Person], browser: Any
) -> None:
    base = console_stack.urls["catalog"]
    # an item taken in by a machine, through the API with the natural body
    body = {
        "category": "record",
        "title": "Kind of Blue (Columbia CL 1355)",
        "attribution": {
            "artist": "Miles Davis",
            "title": "Kind of Blue",
            "catalog_number": "CL 1355",
        },
    }
    auth = {"Authorization": f"Bearer {console_stack.admin_token}"}
    taken = httpx.post(f"{console_stack.urls['intake']}/v1/intakes", json=body, headers=auth)
    assert taken.status_code == 201, taken.text
    item_id = taken.json()["id"]

    sign_in(browser, base, people["viewer"], keyboard=True)
    assert not browser.find_elements(By.LINK_TEXT, "Take in")
    browser.get(f"{base}/console/items/{item_id}")  # waits for the catalog, then shows it
    wait(browser, lambda d: "Kind of Blue (Columbia" in d.find_element(By.TAG_NAME, "h1").text, 60)
    for control in ("#reprice", "#create-product", "form.flag", "a[href$='/attribution']"):
        assert not browser.find_elements(By.CSS_SELECTOR, control), control
    browser.get(f"{base}/console/items")  # filters update the list in place (htmx)
    browser.execute_script("document.body.dataset.marker = 'same page'")
    Select(browser.find_element(By.ID, "category")).select_by_value("record")
    wait(browser, lambda d: "category=record" in d.current_url, 20, "the URL follows")
    wait(browser, lambda d: "Kind of Blue (Columbia" in d.find_element(By.ID, "results").text, 20)
    assert browser.execute_script("return document.body.dataset.marker") == "same page"
    assert all(
        row.find_elements(By.TAG_NAME, "td")[1].text == "record"
        for row in browser.find_elements(By.CSS_SELECTOR, "#results tbody tr")
    )
    browser.get(f"{base}/console/items/00000000-0000-0000-0000-00000000abcd")
    missing = browser.find_element(By.CSS_SELECTOR, "p.error").text
    assert "intake 00000000-0000-0000-0000-00000000abcd not found" in missing
    browser.get(f"{base}/console/items/{item_id}")
    exported = browser.execute_async_script(
        """const done = arguments[arguments.length - 1];
        fetch('/console/items.csv?category=record&q=Kind+of+Blue').then(r => r.text().then(done));"""
    )
    lines = exported.strip().splitlines()
    assert lines[0].startswith("id,") and len(lines) == 2 and item_id in lines[1]
    forged = browser.execute_async_script(
        """const done = arguments[arguments.length - 1];
        const token = JSON.parse(document.body.getAttribute('hx-headers'))['X-CSRF-Token'];
        const body = new URLSearchParams({csrf_token: token});
        fetch(arguments[0], {method: 'POST', body}).then(r => r.text().then(t => done([r.status, t])));""",
        f"/console/items/{item_id}/reprice",
    )
    assert forged[0] == 403 and "role viewer may not do this; needs staff" in forged[1]


def test_staff_edit_an_attribution_and_an_admin_tunes_a_source(
    console_stack: Any, people: dict[str, Person], browser: Any
) -> None:
    base = console_stack.urls["catalog"]
    coin = {"category": "coin", "title": "1881-S Morgan dollar", "attribution": {"year": 1881}}
    auth = {"Authorization": f"Bearer {console_stack.admin_token}"}
    taken = httpx.post(f"{console_stack.urls['intake']}/v1/intakes", json=coin, headers=auth)
    assert taken.status_code == 201, taken.text
    sign_in(browser, base, people["staff"])
    browser.get(f"{base}/console/items/{taken.json()['id']}")
    wait(browser, lambda d: d.find_elements(By.LINK_TEXT, "Edit attribution"), 60)
    revision = int(re.search(r"revision (\d+)", browser.page_source).group(1))  # type: ignore[union-attr]
    browser.find_element(By.LINK_TEXT, "Edit attribution").click()
    variety = wait(browser, lambda d: d.find_elements(By.ID, "f-variety"), 20)[0]
    variety.clear()
    variety.send_keys("VAM-1")
    browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    wait(browser, lambda d: "attribution saved" in d.page_source, 20, "saved at the intake")
    wait(browser, lambda d: f"revision {revision + 1}" in d.page_source, 60, "the new revision")
    assert "variety VAM-1" in browser.find_element(By.CSS_SELECTOR, "p.meta").text
    browser.find_element(By.ID, "reprice").click()
    wait(browser, lambda d: "re-pricing: asking every source" in d.page_source, 20, "re-price")
    runs = browser.find_elements(By.CSS_SELECTOR, "table.runs tbody tr")
    assert any(r.text.startswith("ebay ") for r in runs), [r.text for r in runs]
    sign_out(browser)

    sign_in(browser, base, people["admin"])
    browser.get(f"{base}/console/sources")
    row = browser.find_element(By.CSS_SELECTOR, 'tr[data-source="ebay"]')
    edit = row.find_element(By.XPATH, "following-sibling::tr[1]")
    edit.find_element(By.TAG_NAME, "summary").click()
    weight = edit.find_element(By.CSS_SELECTOR, "input[name=reputation]")
    weight.clear()
    weight.send_keys("20")  # above the API's bound: refused next to the field
    edit.find_element(By.CSS_SELECTOR, "input[name=exclude_keywords]").send_keys("replica")
    edit.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    error = wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "details[open] .error"), 20)
    assert "less than or equal to 10" in error[0].text
    row = browser.find_element(By.CSS_SELECTOR, 'tr[data-source="ebay"]')
    edit = row.find_element(By.XPATH, "following-sibling::tr[1]")
    weight = edit.find_element(By.CSS_SELECTOR, "input[name=reputation]")
    weight.clear()
    weight.send_keys("0.9")
    keywords = edit.find_element(By.CSS_SELECTOR, "input[name=exclude_keywords]")
    keywords.send_keys(", replica")
    edit.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait(browser, lambda d: "ebay saved" in d.page_source, 20, "source saved")
    row = browser.find_element(By.CSS_SELECTOR, 'tr[data-source="ebay"]')
    assert row.find_element(By.CSS_SELECTOR, "td.weight").text == "0.9"
    assert "replica" in row.text
    shot(browser, "sources")
    browser.find_element(By.LINK_TEXT, "Watches").click()
    assert wait(browser, lambda d: d.find_element(By.TAG_NAME, "h1").text == "Watches", 20)
    watch_a_price_in_the_console(console_stack, browser)
    add_a_clerk_in_the_console(browser, base)


def watch_a_price_in_the_console(console_stack: Any, browser: Any) -> None:
    """An admin creates a watch (refused next to the URL when it points inside the shop, by
    the API's own guard), sees its secret once, disables it and deletes it."""
    admin = {"Authorization": f"Bearer {console_stack.admin_token}"}

    def api_watches() -> list[dict[str, Any]]:
        listed = httpx.get(f"{console_stack.urls['catalog']}/v1/watches", headers=admin)
        assert listed.status_code == 200, listed.text
        return [w for w in listed.json() if w["query"] == "Morgan dollar"]

    browser.find_element(By.ID, "w-query").send_keys("Morgan dollar")
    Select(browser.find_element(By.ID, "w-category")).select_by_value("coin")
    Select(browser.find_element(By.ID, "w-kind")).select_by_value("fmv_above")
    browser.find_element(By.ID, "w-value").send_keys("1250.50")
    browser.find_element(By.ID, "w-url").send_keys("http://127.0.0.1:9/hook")
    browser.find_element(By.ID, "create-watch").click()
    error = wait(browser, lambda d: d.find_elements(By.ID, "e-url"), 20, "url refused")
    assert "loopback" in error[0].text  # the SSRF guard's reason, next to the field
    assert browser.find_element(By.ID, "w-query").get_attribute("value") == "Morgan dollar"
    assert not api_watches()
    url = browser.find_element(By.ID, "w-url")
    url.clear()
    url.send_keys("https://93.184.215.14/fairmarket-hook")  # a public address
    browser.find_element(By.ID, "create-watch").click()
    secret = wait(browser, lambda d: d.find_elements(By.ID, "watch-secret"), 20, "created")
    assert secret[0].text.startswith("whsec_")
    [watch] = api_watches()
    assert watch["category"] == "coin" and watch["enabled"]
    assert watch["condition"] == {"kind": "fmv_above", "value": 125050.0}  # dollars to cents
    section = f'section[data-watch="{watch["id"]}"]'
    shot(browser, "watches")
    browser.find_element(By.CSS_SELECTOR, f"{section} button.toggle").click()
    wait(browser, lambda d: "watch disabled" in d.page_source, 20, "disabled")
    state = browser.find_element(By.CSS_SELECTOR, f"{section} .state").text
    assert state.startswith("disabled") and not api_watches()[0]["enabled"]
    browser.find_element(By.CSS_SELECTOR, f"{section} button.delete").click()
    wait(browser, lambda d: "watch deleted" in d.page_source, 20, "deleted")
    assert not browser.find_elements(By.CSS_SELECTOR, section) and not api_watches()


def add_a_clerk_in_the_console(browser: Any, base: str) -> None:
    """An admin adds a staff account, reads its one-time password once, and the clerk signs
    in with it (and is asked for a password of their own)."""
    browser.find_element(By.LINK_TEXT, "Users").click()
    browser.find_element(By.ID, "new-email").send_keys("clerk@counter.example")
    Select(browser.find_element(By.ID, "new-role")).select_by_value("staff")
    browser.find_element(By.CSS_SELECTOR, "form[action='/console/users'] button").click()
    one_time = wait(browser, lambda d: d.find_elements(By.ID, "one-time-password"), 20)[0].text
    row = browser.find_element(By.CSS_SELECTOR, 'tr[data-email="clerk@counter.example"]')
    assert "staff" in row.text
    shot(browser, "users")
    browser.get(f"{base}/console/users")
    assert one_time not in browser.page_source  # shown once
    sign_out(browser)
    sign_in(browser, base, Person("clerk@counter.example", one_time))
    assert browser.find_elements(By.LINK_TEXT, "Take in")  # staff may take in


def test_a_post_without_the_csrf_token_is_refused(
    console_stack: Any, people: dict[str, Person], browser: Any
) -> None:
    base = console_stack.urls["catalog"]
    sign_in(browser, base, people["staff"])
    refused = browser.execute_async_script(
        """const done = arguments[arguments.length - 1];
        const body = new URLSearchParams({category: 'coin', title: 'no token'});
        fetch('/console/take-in', {method: 'POST', body}).then(r => r.text().then(t => done([r.status, t])));"""
    )
    assert refused[0] == 403 and "CSRF token is missing or wrong" in refused[1]


def test_api_docs_render_offline(console_stack: Any, browser: Any) -> None:
    """Swagger UI from local files: with every host but loopback unresolvable, /docs of
    each service still shows its operations."""
    for service in ("catalog", "intake", "collector", "valuation"):
        browser.get(f"{console_stack.urls[service]}/docs")
        title = wait(
            browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".swagger-ui .info .title"), 30
        )
        assert f"fairmarket {service}" in title[0].text
        assert browser.find_elements(By.CSS_SELECTOR, ".opblock"), f"{service}: operations"
    shot(browser, "api-docs")


def test_the_demo_prints_the_console_and_a_sign_in_that_works(
    console_stack: Any, browser: Any
) -> None:
    """What `./fm demo` prints after the stack is up: the console's URL and a sign-in."""
    from rich.console import Console

    from fairmarket.cli.up import print_console

    out = Console(record=True, width=200)
    line = print_console(console_stack, out)
    found = re.search(r"console: (\S+/console) .* sign in as (\S+) with password (\S+)", line)
    assert found, line
    url, email, password = found.groups()
    assert url == f"{console_stack.urls['catalog']}/console"
    sign_in(browser, console_stack.urls["catalog"], Person(email, password, one_time=False))
    assert "admin@demo.local" in browser.find_element(By.CSS_SELECTOR, "form.who").text
    assert browser.find_elements(By.LINK_TEXT, "Users")  # the demo's account is an admin
