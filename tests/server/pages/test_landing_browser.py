"""Landing pages in a real browser: headless Chromium against a live `isas-catalog serve` over the demo archive.

Each page's access box must say what the policy says, visibly, and carry download links only for public data.
Screenshots are kept under `test-artifacts/landing/` at the repository root.
"""

import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait
from signposting import find_signposting_http_link

from catalog.policy import visibility_at
from catalog.records import Dataset
from catalog.timeutil import utcnow
from catalog.vocab import Visibility
from crosswalks import statements
from tests.server.pages.conftest import demo_datasets


def pick(datasets: list[Dataset], visibility: Visibility, test: Callable[[Dataset], bool]) -> Dataset:
    moment = utcnow()
    return next(d for d in datasets if visibility_at(d, moment) is visibility and test(d))


@pytest.fixture(scope="module")
def cases(live_today: date) -> dict[str, Dataset]:
    """One dataset of each kind the access box distinguishes, as the live server's demo archive holds it."""
    datasets = demo_datasets(live_today)
    return {
        "public": pick(datasets, Visibility.PUBLIC, lambda d: bool(d.assets) and d.access.caveat is None),
        "restricted": pick(datasets, Visibility.RESTRICTED, lambda d: bool(d.assets) and d.access.scope is not None),
        "caveated": pick(datasets, Visibility.PUBLIC, lambda d: d.access.caveat is not None and bool(d.assets)),
        "discarded": pick(datasets, Visibility.DELETED, lambda d: bool(d.assets) and d.lifecycle.reason is not None),
    }


def status_of(url: str) -> tuple[int, list[str]]:
    """The HTTP status and the Link headers of a GET, without following errors into exceptions."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers.get_all("Link") or []
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get_all("Link") or []


def open_page(browser: Any, url: str, screenshot: Path) -> str:
    """Load a page, save a full-page screenshot, and return the access box's visible text."""
    browser.get(url)
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1280, max(900, min(int(height) + 40, 6000)))
    browser.save_screenshot(str(screenshot))
    assert screenshot.stat().st_size > 0
    found = browser.find_elements(By.ID, "access")
    assert found, f"no access box at {browser.current_url}: {browser.page_source[:2000]}"
    box: str = found[0].text
    return box


def hrefs(browser: Any) -> set[str]:
    return {str(a.get_attribute("href")) for a in browser.find_elements(By.TAG_NAME, "a")}


@pytest.mark.parametrize("kind", ["public", "restricted", "caveated", "discarded"])
def test_the_access_box_says_what_the_policy_says(
    live_server: str, browser: Any, cases: dict[str, Dataset], artifacts: Callable[[str], Path], kind: str
) -> None:
    dataset = cases[kind]
    url = f"{live_server}/datasets/{dataset.id}?lang=en"
    status, links = status_of(url)
    assert status == (410 if kind == "discarded" else 200)
    box = open_page(browser, url, artifacts("landing") / f"{kind}-{dataset.id}.png")
    assets = {a.href for a in dataset.assets}
    shown = hrefs(browser)
    assert browser.find_element(By.TAG_NAME, "h1").text == statements.text_in(dataset.title, "en")
    signposts = find_signposting_http_link(links, baseurl=live_server + "/")
    if kind in ("public", "caveated"):
        assert "Public: open access" in box
        assert {str(a.get_attribute("href")) for a in browser.find_elements(By.CSS_SELECTOR, "a.download")} == assets
        assert {str(s.target) for s in signposts.items} <= assets
    else:
        assert assets.isdisjoint(shown)
        assert browser.find_elements(By.CSS_SELECTOR, "a.download") == []
        assert "No download links are offered while the data is not public." in box
        assert not {str(s.target) for s in signposts.items} & assets
    banners = browser.find_elements(By.CSS_SELECTOR, ".banner.caveat")
    if kind == "caveated":
        assert dataset.access.caveat is not None
        assert len(banners) == 1
        assert banners[0].is_displayed()
        assert "Accuracy not guaranteed" in banners[0].text
        assert statements.text_in(dataset.access.caveat, "en") in banners[0].text
    else:
        assert banners == []
    if kind == "restricted":
        access = dataset.access
        assert access.reason is not None
        assert access.scope is not None
        assert access.until is not None
        assert "Not public" in box
        assert statements.REASONS[access.reason]["en"] in box
        assert access.scope in box
        assert access.until.date().isoformat() in box
    if kind == "discarded":
        assert dataset.lifecycle.discarded is not None
        assert dataset.lifecycle.reason is not None
        assert dataset.lifecycle.discarded.date().isoformat() in box
        assert statements.text_in(dataset.lifecycle.reason, "en") in box
    use = browser.find_element(By.ID, "use").text
    assert "ISAS/JAXA" in use
    assert "Government of Japan Standard Terms of Use" in use
    assert browser.find_element(By.ID, "citation").text.strip()


def test_the_language_switch_shows_the_page_in_japanese(
    live_server: str, browser: Any, cases: dict[str, Dataset], artifacts: Callable[[str], Path]
) -> None:
    dataset = cases["restricted"]
    assert dataset.access.reason is not None
    browser.get(f"{live_server}/datasets/{dataset.id}?lang=en")
    browser.find_element(By.CSS_SELECTOR, 'nav a[hreflang="ja"]').click()
    box = open_page(browser, browser.current_url, artifacts("landing") / f"restricted-ja-{dataset.id}.png")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "ja"
    assert browser.find_element(By.TAG_NAME, "h1").text == statements.text_in(dataset.title, "ja")
    assert statements.REASONS[dataset.access.reason]["ja"] in box
    assert "宇宙航空研究開発機構・宇宙科学研究所" in browser.find_element(By.ID, "use").text


def test_the_citation_style_form_works_without_javascript(
    live_server: str, browser: Any, cases: dict[str, Dataset]
) -> None:
    dataset = cases["public"]
    browser.get(f"{live_server}/datasets/{dataset.id}?lang=en")
    apa = browser.find_element(By.ID, "citation").text
    browser.find_element(By.CSS_SELECTOR, "form.citation-style select[name=style] option[value=ieee]").click()
    browser.find_element(By.CSS_SELECTOR, "form.citation-style button[type=submit]").click()
    WebDriverWait(browser, 10).until(expected_conditions.url_contains("style=ieee"))
    assert browser.find_element(By.ID, "citation").text not in ("", apa)
