"""Loads that meet: one commits, the other stops with a clear error and writes nothing."""

import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import harvest.loader
from catalog.store import Store, StoreError, migrate, open_store
from harvest.loader import Line, LoadReport, load_lines
from tests.conftest import NOW


def dataset(title: str) -> str:
    return json.dumps(
        {
            "type": "dataset",
            "id": "hyb2-onc-l2b",
            "title": {"en": title},
            "category": "observation",
            "creators": [{"name": "Hayabusa2 ONC team", "kind": "organization"}],
            "access": {"status": "public"},
        }
    )


def test_two_loads_of_the_same_new_dataset_one_wins(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first load holds its transaction open after writing the dataset; the second writes the same id and
    waits on it; when the first commits, the second fails with a StoreError and leaves the first's record."""
    monkeypatch.setattr(harvest.loader, "SCREEN_CHUNK", 1)
    written, go = threading.Event(), threading.Event()
    results: dict[str, LoadReport | Exception] = {}

    def first_lines() -> Iterator[Line]:
        yield Line("first.jsonl", 1, dataset("first"))
        written.set()
        go.wait(10)

    def run(name: str, lines: Iterator[Line] | list[Line]) -> None:
        try:
            results[name] = load_lines(store, lines, now=NOW, workers=0)
        except Exception as error:
            results[name] = error

    first = threading.Thread(target=run, args=("first", first_lines()))
    first.start()
    assert written.wait(10)
    second = threading.Thread(target=run, args=("second", [Line("second.jsonl", 1, dataset("second"))]))
    second.start()
    time.sleep(0.5)
    go.set()
    first.join(20)
    second.join(40)
    assert isinstance(results["first"], LoadReport)
    assert results["first"].datasets.added == 1
    assert isinstance(results["second"], StoreError)
    assert "nothing was written" in str(results["second"])
    stored = store.dataset("hyb2-onc-l2b")
    assert stored is not None
    assert stored.record.title["en"] == "first"


def test_a_load_into_a_locked_sqlite_store_says_so(tmp_path: Path) -> None:
    path = tmp_path / "locked.sqlite"
    migrate(f"sqlite:///{path}")
    store = open_store(f"sqlite:///{path}?timeout=0.2")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StoreError, match="another load is running"):
            load_lines(store, [Line("x.jsonl", 1, dataset("blocked"))], now=NOW, workers=0)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert store.dataset("hyb2-onc-l2b") is None
    store.dispose()
