"""Fixtures for the pages: the demo archive behind the Flask test client, a live `isas-catalog serve` over the
demo archive, and a headless Chromium (Debian's `chromium` and `chromium-driver`) to drive it."""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from catalog.contract import canonical
from catalog.demo import demo_records
from catalog.records import Dataset
from catalog.store import migrate
from catalog.timeutil import utcnow
from harvest.loader import Line, load_lines
from server import create_app
from tests.conftest import NOW
from tests.server.test_cli import free_port

DEMO_TODAY = NOW.date()
"""The day the Flask-client demo archive is built for: the tests' `NOW`, so its policy states are fixed."""

BASE_URL = "http://catalog.test"
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
REPO_ROOT = Path(__file__).resolve().parents[3]
ARTIFACTS = REPO_ROOT / "test-artifacts"
SERVE_WORKERS = 4
"""gunicorn's sync workers each hold one connection until it sends a request: a browser's idle sockets must not
starve the live server (the browser is also told not to open speculative connections)."""


def demo_lines(today: date) -> Iterator[Line]:
    """The demo archive as `isas-catalog demo` builds it (no granules: pages are about datasets)."""
    for number, record in enumerate(demo_records(granules=0, today=today), 1):
        yield Line("demo", number, canonical(record))


def demo_datasets(today: date) -> list[Dataset]:
    """The demo archive's datasets as records, to compute what the policy says of each."""
    return [Dataset.from_dict(r) for r in demo_records(granules=0, today=today) if r["type"] == "dataset"]


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file holding the demo archive built for `DEMO_TODAY` and loaded at `NOW`; copy it, don't write it."""
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    url = f"sqlite:///{path}"
    migrate(url)
    app = create_app({"TESTING": True, "DATABASE_URL": url, "CLOCK": lambda: NOW, "BASE_URL": BASE_URL})
    load_lines(app.extensions["catalog.store"], demo_lines(DEMO_TODAY), now=NOW)
    app.extensions["catalog.store"].dispose()
    return path


@pytest.fixture
def demo_clock() -> Callable[[], datetime]:
    """The demo app's clock; override this fixture (or patch `app.extensions["catalog.clock"]`) to travel."""
    return lambda: NOW


@pytest.fixture
def demo_app(demo_database: Path, tmp_path: Path, demo_clock: Callable[[], datetime]) -> Iterator[Flask]:
    """The app over a private copy of the demo archive, its clock at `NOW`, its base URL `BASE_URL`."""
    path = tmp_path / "demo.sqlite"
    shutil.copyfile(demo_database, path)
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{path}", "CLOCK": demo_clock, "BASE_URL": BASE_URL})
    yield app
    app.extensions["catalog.store"].dispose()


@pytest.fixture
def demo_client(demo_app: Flask) -> FlaskClient:
    return demo_app.test_client()


@pytest.fixture(scope="session")
def live_today() -> date:
    """The day the live server's demo archive is built for.

    `isas-catalog serve` judges the policy by the real clock (a served app has no test `CLOCK`), so the demo is
    built for the real day, as `isas-catalog demo --today` would be: every policy state is then present whatever
    day the tests run. Compute expectations with `demo_datasets(live_today)` and `visibility_at(…, utcnow())`.
    """
    return utcnow().date()


def _wait_for(port: int, server: "subprocess.Popen[bytes]") -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            if server.poll() is not None:
                pytest.fail(f"isas-catalog serve exited with {server.returncode} before accepting connections")
            if time.monotonic() > deadline:
                pytest.fail("isas-catalog serve did not accept connections within 30 s")
            time.sleep(0.2)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory, live_today: date) -> Iterator[str]:
    """Run `isas-catalog demo --today …` then `isas-catalog serve` (gunicorn) on a free port; yield its base URL."""
    folder = tmp_path_factory.mktemp("live")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "CATALOG_DATABASE_URL": f"sqlite:///{folder / 'live.sqlite'}",
        "CATALOG_BASE_URL": base,
    }
    built = subprocess.run(
        [sys.executable, "-m", "server.cli", "demo", "--granules", "0", "--today", live_today.isoformat()],
        env=env,
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if built.returncode != 0:
        pytest.fail(f"isas-catalog demo failed ({built.returncode}):\n{built.stdout}\n{built.stderr}")
    log = (folder / "serve.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "server.cli", "serve", "--port", str(port), "--workers", str(SERVE_WORKERS)],
        env=env,
        cwd=folder,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_for(port, server)
        with urllib.request.urlopen(f"{base}/health", timeout=10) as response:
            assert response.status == 200
        yield base
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """A headless Chromium driven by Selenium (Debian's `chromium`, `chromium-driver`); fails if either is missing."""
    missing = [str(path) for path in (CHROMIUM, CHROMEDRIVER) if not path.exists()]
    if missing:
        pytest.fail(
            f"{' and '.join(missing)} missing: the browser tests need Debian's Chromium "
            "(apt-get install chromium chromium-driver)"
        )
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"):
        options.add_argument(argument)
    options.add_argument("--window-size=1280,1600")
    options.add_experimental_option("prefs", {"net.network_prediction_options": 2})
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="session")
def artifacts() -> Callable[[str], Path]:
    """A folder under `test-artifacts/` at the repository root (git-ignored) for screenshots: `artifacts("landing")`."""

    def folder(name: str) -> Path:
        path = ARTIFACTS / name
        path.mkdir(parents=True, exist_ok=True)
        return path

    return folder
