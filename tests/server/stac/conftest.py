"""Fixtures for the STAC API's end-to-end tests: the demo archive with granules behind a live `isas-catalog serve`
and behind the Flask test client, and the ground truth of what the policy lets the public see, computed from the
demo records with `catalog.policy` (never from the API under test)."""

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from flask import Flask
from flask.testing import FlaskClient

from catalog.contract import canonical
from catalog.demo import demo_records
from catalog.policy import granule_visibility_at, visibility_at
from catalog.records import Dataset, Granule, Mission
from catalog.store import migrate
from catalog.timeutil import utcnow
from catalog.vocab import Visibility
from harvest.loader import Line, load_lines
from server import create_app
from tests.conftest import NOW
from tests.server.test_cli import free_port

DEMO_GRANULES = 3000
"""Granules in both demo archives: enough that collections page many times at a small `limit`."""
DEMO_TODAY = NOW.date()
"""The day the in-process demo archive is built for: the tests' `NOW`, so its policy states are fixed."""
BASE_URL = "http://catalog.test"
SECRET_KEY = "stac-tests-secret-key-long-enough-for-itsdangerous"
SERVE_WORKERS = 3
SHOWN = frozenset({Visibility.PUBLIC, Visibility.RESTRICTED})
SERVER_ERROR = re.compile(r'" 5\d\d ')
"""A 5xx in gunicorn's access log (`"GET /stac HTTP/1.1" 200 1234 …`): checked when the live server stops."""


@dataclass(frozen=True)
class Archive:
    """The demo archive as records, to ask the policy what the public may see at a moment."""

    missions: Mapping[str, Mission]
    datasets: Mapping[str, Dataset]
    granules: Mapping[tuple[str, str], Granule]

    @classmethod
    def build(cls, today: date, granules: int = DEMO_GRANULES) -> "Archive":
        missions: dict[str, Mission] = {}
        datasets: dict[str, Dataset] = {}
        found: dict[tuple[str, str], Granule] = {}
        for record in demo_records(granules=granules, today=today):
            if record["type"] == "mission":
                missions[record["id"]] = Mission.from_dict(record)
            elif record["type"] == "dataset":
                datasets[record["id"]] = Dataset.from_dict(record)
            elif record["type"] == "granule":
                granule = Granule.from_dict(record)
                found[(granule.dataset, granule.id)] = granule
        return cls(missions, datasets, found)

    def collections_at(self, moment: datetime) -> dict[str, Visibility]:
        """The datasets that are STAC collections at `moment` (public or restricted), with their visibility."""
        shown = {key: visibility_at(dataset, moment) for key, dataset in self.datasets.items()}
        return {key: visibility for key, visibility in shown.items() if visibility in SHOWN}

    def items_at(self, moment: datetime) -> dict[tuple[str, str], Visibility]:
        """The granules that are STAC items at `moment`, keyed by (collection, id), with their visibility."""
        shown = {
            key: granule_visibility_at(granule, self.datasets[granule.dataset], moment)
            for key, granule in self.granules.items()
        }
        return {key: visibility for key, visibility in shown.items() if visibility in SHOWN}

    def undisclosed_ids(self, moment: datetime) -> frozenset[str]:
        """Ids of datasets and granules the public may not even know of at `moment` (hidden), and that no
        visible record shares."""
        visible = set(self.collections_at(moment)) | {item for _, item in self.items_at(moment)}
        hidden = {key for key, dataset in self.datasets.items() if visibility_at(dataset, moment) is Visibility.HIDDEN}
        hidden |= {
            key[1]
            for key, granule in self.granules.items()
            if granule_visibility_at(granule, self.datasets[granule.dataset], moment) is Visibility.HIDDEN
        }
        return frozenset(hidden - visible)


TOKEN = re.compile(r"[^/?&=,;\s\"'<>()\[\]{}]+")


def strings_in(document: Any) -> Iterator[str]:
    """Every string in a JSON document, keys included."""
    if isinstance(document, str):
        yield document
    elif isinstance(document, Mapping):
        for key, value in document.items():
            yield str(key)
            yield from strings_in(value)
    elif isinstance(document, list):
        for value in document:
            yield from strings_in(value)


def named_ids(document: Any, candidates: frozenset[str]) -> set[str]:
    """The candidates that a document names: as a whole string or as a segment of a URL or list in one."""
    named: set[str] = set()
    for text in strings_in(document):
        if text in candidates:
            named.add(text)
        for token in TOKEN.findall(unquote(text)):
            if token in candidates:
                named.add(token)
    return named


def demo_lines(today: date, granules: int) -> Iterator[Line]:
    for number, record in enumerate(demo_records(granules=granules, today=today), 1):
        yield Line("demo", number, canonical(record))


@pytest.fixture(scope="session")
def demo_archive() -> Archive:
    """The in-process demo archive's records (built for `DEMO_TODAY`)."""
    return Archive.build(DEMO_TODAY)


@pytest.fixture(scope="session")
def stac_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file holding the demo archive with granules, built for `DEMO_TODAY`, loaded at `NOW`."""
    path = tmp_path_factory.mktemp("stac-demo") / "demo.sqlite"
    url = f"sqlite:///{path}"
    migrate(url)
    app = create_app({"TESTING": True, "DATABASE_URL": url, "CLOCK": lambda: NOW, "BASE_URL": BASE_URL})
    load_lines(app.extensions["catalog.store"], demo_lines(DEMO_TODAY, DEMO_GRANULES), now=NOW)
    app.extensions["catalog.store"].dispose()
    return path


@pytest.fixture(scope="session")
def stac_app(stac_database: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The app over a copy of the demo archive, its clock fixed at `NOW`; the tests only read it."""
    path = tmp_path_factory.mktemp("stac-app") / "demo.sqlite"
    shutil.copyfile(stac_database, path)
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": f"sqlite:///{path}",
            "CLOCK": lambda: NOW,
            "BASE_URL": BASE_URL,
            "SECRET_KEY": SECRET_KEY,
        }
    )
    yield app
    app.extensions["catalog.store"].dispose()


@pytest.fixture
def stac_client(stac_app: Flask) -> FlaskClient:
    return stac_app.test_client()


@pytest.fixture(scope="session")
def live_today() -> date:
    """The day the live server's demo archive is built for: the real day, since `serve` judges by the real clock."""
    return utcnow().date()


@pytest.fixture(scope="session")
def live_archive(live_today: date) -> Archive:
    """The live server's demo records: judge them at `utcnow()` around each request."""
    return Archive.build(live_today)


def _wait_for(port: int, server: "subprocess.Popen[bytes]", log: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            if server.poll() is not None:
                pytest.fail(f"isas-catalog serve exited with {server.returncode}:\n{log.read_text()[-3000:]}")
            if time.monotonic() > deadline:
                pytest.fail("isas-catalog serve did not accept connections within 60 s")
            time.sleep(0.2)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory, live_today: date) -> Iterator[str]:
    """`isas-catalog demo --granules 3000 --today <today>`, then `isas-catalog serve` (gunicorn) on a free port;
    yield the server's base URL (the STAC API is at `{base}/stac`)."""
    folder = tmp_path_factory.mktemp("stac-live")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "CATALOG_DATABASE_URL": f"sqlite:///{folder / 'live.sqlite'}",
        "CATALOG_BASE_URL": base,
        "CATALOG_SECRET_KEY": SECRET_KEY,
    }
    built = subprocess.run(
        [sys.executable, "-m", "server.cli", "demo", "--granules", str(DEMO_GRANULES), "--today", str(live_today)],
        env=env,
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if built.returncode != 0:
        pytest.fail(f"isas-catalog demo failed ({built.returncode}):\n{built.stdout}\n{built.stderr[-3000:]}")
    log_path = folder / "serve.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "server.cli", "serve", "--port", str(port), "--workers", str(SERVE_WORKERS)],
            env=env,
            cwd=folder,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_for(port, server, log_path)
            with urllib.request.urlopen(f"{base}/stac", timeout=30) as response:
                assert response.status == 200, f"GET {base}/stac answered {response.status}"
            yield base
        finally:
            server.terminate()
            server.wait(timeout=30)
    served = log_path.read_text(errors="replace")
    failures = [line for line in served.splitlines() if SERVER_ERROR.search(line) or "Traceback" in line]
    assert not failures, "the live server answered with a 5xx or logged a traceback:\n" + "\n".join(failures[:20])
