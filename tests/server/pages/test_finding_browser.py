"""The search page in headless Chromium against a live `isas-catalog serve`: a Japanese title word finds its dataset."""

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from catalog.demo import demo_records
from catalog.timeutil import utcnow
from server.pages.finding import PAGE_SIZE
from tests.catalog.test_store_search import Filters, brute_force

JAPANESE_WORD = re.compile(r"[\u30a1-\u30fa\u30fc]{2,}|[\u4e00-\u9fff]{2,}")


def pick_japanese_word(today: date) -> tuple[str, str]:
    """Choose a word of a findable demo dataset's Japanese title that finds it on the first page: (word, id).

    Japanese puts no spaces between words: a word here is a run of two or more katakana or of kanji.
    """
    records = [r for r in demo_records(granules=0, today=today) if r["type"] == "dataset"]
    findable = brute_force(records, Filters(), utcnow())
    choices = []
    for record in records:
        title = record["title"]
        if record["id"] not in findable or not isinstance(title, dict) or "ja" not in title:
            continue
        for word in set(JAPANESE_WORD.findall(title["ja"])):
            found = sorted(brute_force(records, Filters(text=word), utcnow()))
            if record["id"] in found[:PAGE_SIZE]:
                choices.append((len(found), len(word), word, record["id"]))
    assert choices, "the demo archive has findable datasets with Japanese titles"
    _, _, word, dataset_id = min(choices)
    return word, dataset_id


def test_a_japanese_title_word_typed_into_the_form_finds_its_dataset(
    live_server: str, browser: Any, live_today: date, artifacts: Callable[[str], Path]
) -> None:
    word, dataset_id = pick_japanese_word(live_today)
    browser.get(f"{live_server}/datasets?lang=ja")
    box = browser.find_element(By.ID, "q")
    box.clear()
    box.send_keys(word)
    browser.find_element(By.ID, "search").click()
    WebDriverWait(browser, 20).until(expected_conditions.url_contains("q="))
    WebDriverWait(browser, 20).until(expected_conditions.presence_of_element_located((By.ID, "total")))
    assert parse_qs(urlsplit(browser.current_url).query)["q"] == [word]
    result = browser.find_element(By.CSS_SELECTOR, f"ol#results li[data-id='{dataset_id}']")
    title = result.find_element(By.CSS_SELECTOR, "a.title")
    assert word in title.text
    assert title.get_attribute("href") == f"{live_server}/datasets/{dataset_id}"
    assert browser.find_element(By.ID, "q").get_attribute("value") == word
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "ja"
    browser.save_screenshot(str(artifacts("finding") / "search-japanese-word.png"))
    assert (artifacts("finding") / "search-japanese-word.png").stat().st_size > 0
