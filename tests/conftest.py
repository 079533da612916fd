"""Fixtures shared by every test: the shared folder, stores on both backends, the app, its client and CLI runner."""

import os
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import create_engine, text

from catalog.store import Store, migrate, open_store
from harvest.loader import load_files
from server import create_app

NOW = datetime(2026, 11, 21, 12, 0, 0, tzinfo=UTC)
"""The tests' "now": the examples' deadlines are judged against it."""

POSTGRES_ENV = "CATALOG_TEST_POSTGRES_URL"


def shared_path(*parts: str) -> Path:
    """A path under `../shared` (or `$CATALOG_SHARED_DIR`); fail loudly when it is missing, never skip."""
    root = Path(os.environ.get("CATALOG_SHARED_DIR", Path(__file__).resolve().parents[2] / "shared"))
    path = root.joinpath(*parts)
    if not path.exists():
        pytest.fail(f"{path} is missing: tests need the shared folder beside the repository (or CATALOG_SHARED_DIR)")
    return path


@pytest.fixture
def examples_path() -> Path:
    return shared_path("records", "examples.jsonl")


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'catalog.sqlite'}"


@pytest.fixture
def postgresql_url() -> Iterator[str]:
    """A fresh schema in the PostgreSQL of `CATALOG_TEST_POSTGRES_URL`, dropped afterwards."""
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(f"PostgreSQL tests need {POSTGRES_ENV} (CI sets it; e.g. postgresql://postgres@127.0.0.1/test)")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    separator = "&" if "?" in base else "?"
    yield f"{base}{separator}options=-csearch_path%3D{schema}"
    with admin.begin() as connection:
        connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def store_url(request: pytest.FixtureRequest) -> str:
    """A migrated, empty store on each backend."""
    url: str = request.getfixturevalue(f"{request.param}_url")
    migrate(url)
    return url


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    opened = open_store(store_url)
    yield opened
    opened.dispose()


@pytest.fixture
def seeded_store(store: Store, examples_path: Path) -> Store:
    """A store holding the shared examples, loaded at `NOW`."""
    load_files(store, [examples_path], now=NOW)
    return store


class Clock:
    """A clock the tests move by hand: give it to the app as `CLOCK`."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: int) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Callable[[], datetime]:
    return lambda: NOW


@pytest.fixture
def app(tmp_path: Path, examples_path: Path, clock: Callable[[], datetime]) -> Iterator[Flask]:
    """The app over a fresh SQLite store seeded with the shared examples, its clock fixed at `NOW`."""
    url = f"sqlite:///{tmp_path / 'app.sqlite'}"
    migrate(url)
    app = create_app({"TESTING": True, "DATABASE_URL": url, "CLOCK": clock, "BASE_URL": "http://catalog.test"})
    load_files(app.extensions["catalog.store"], [examples_path], now=NOW)
    yield app
    app.extensions["catalog.store"].dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite the golden files under tests/golden/ from the code's output, for review as a diff",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))
