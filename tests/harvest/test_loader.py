"""The contract-v1 loader: every bad input is reported as `FILE:LINE: field: message` and leaves the store as it was."""

import hashlib
import json
import sys
import tracemalloc
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from click.testing import CliRunner
from sqlalchemy import inspect, select, text
from sqlalchemy.engine import make_url

import harvest.loader
from catalog.policy import Timeline
from catalog.store import Change, Store, migrate, open_store
from catalog.store.sql import SqlStore
from catalog.store.tables import metadata
from catalog.vocab import Visibility
from harvest.loader import MAX_PROBLEMS, Line, LoadError, LoadReport, Problem, load_files, load_lines
from server.cli import main
from tests.conftest import NOW

Record = dict[str, Any]
InputLine = Record | list[Any] | str | bytes
"""A line to write: a record (as JSON), or text or bytes exactly as given."""

PUBLIC = Visibility.PUBLIC
RESTRICTED = Visibility.RESTRICTED


HAYABUSA2: Record = {"type": "mission", "id": "hayabusa2", "name": {"en": "Hayabusa2", "ja": "はやぶさ2"}}
ONC_L2B: Record = {
    "type": "dataset",
    "id": "hyb2-onc-l2b",
    "title": {"en": "Hayabusa2 ONC-T calibrated images of Ryugu"},
    "mission": "hayabusa2",
    "category": "observation",
    "creators": [{"name": "Hayabusa2 ONC team", "kind": "organization"}],
    "access": {"status": "public"},
}
ONC_GRANULE: Record = {
    "type": "granule",
    "id": "onc-0001",
    "dataset": "hyb2-onc-l2b",
    "datetime": "2019-02-21T01:23:45Z",
}
BASE: list[InputLine] = [HAYABUSA2, ONC_L2B, ONC_GRANULE]
"""Loaded first, so that every bad input meets a store that already holds something."""

XRISM: Record = {"type": "mission", "id": "xrism", "name": {"en": "XRISM", "ja": "クリズム"}}
RESOLVE: Record = {
    "type": "dataset",
    "id": "xrism-resolve-obs",
    "title": {"en": "XRISM Resolve observation event files"},
    "mission": "xrism",
    "category": "observation",
    "creators": [{"name": "XRISM Science Team", "kind": "organization"}],
    "access": {"status": "public", "proprietary_months": 12},
}
RESOLVE_GRANULE: Record = {
    "type": "granule",
    "id": "000128000",
    "dataset": "xrism-resolve-obs",
    "start": "2024-03-02T10:00:00Z",
    "end": "2024-03-03T04:00:00Z",
}
ONC_L2B_V2: Record = {**ONC_L2B, "title": {"en": "Hayabusa2 ONC-T calibrated images of Ryugu, version 2"}}
ONC_GRANULE_2: Record = {"type": "granule", "id": "onc-0002", "dataset": "hyb2-onc-l2b", "datetime": "2019-03-01"}
AROUND_BEFORE: list[InputLine] = [XRISM, RESOLVE, RESOLVE_GRANULE]
AROUND_AFTER: list[InputLine] = [ONC_L2B_V2, ONC_GRANULE_2]
"""Valid lines around the bad one: each adds or updates a record, so a partial commit would show."""
BAD_LINE = len(AROUND_BEFORE) + 1

TIR: Record = {
    "type": "dataset",
    "id": "hyb2-tir-l2",
    "title": {"en": "Hayabusa2 TIR calibrated images"},
    "mission": "hayabusa2",
    "category": "observation",
    "creators": [{"name": "Hayabusa2 TIR team", "kind": "organization"}],
    "access": {"status": "public"},
}
RESTRICTED_ACCESS: Record = {
    "status": "restricted",
    "reason": "incomplete-processing",
    "scope": "Hayabusa2 TIR team",
    "until": "2027-03-31",
}
DISCARDED: Record = {"state": "discarded", "discarded": "2025-04-01"}


def tir(**fields: Any) -> Record:
    return {**TIR, **fields}


def tir_without(name: str) -> Record:
    return {k: v for k, v in TIR.items() if k != name}


def restricted_without(name: str) -> Record:
    return tir(access={k: v for k, v in RESTRICTED_ACCESS.items() if k != name})


def onc_granule(granule_id: str = "onc-0003", **fields: Any) -> Record:
    return {"type": "granule", "id": granule_id, "dataset": "hyb2-onc-l2b", "datetime": "2019-03-02", **fields}


def onc_interval(start: str, end: str) -> Record:
    return {"type": "granule", "id": "onc-0003", "dataset": "hyb2-onc-l2b", "start": start, "end": end}


def encoded(line: InputLine) -> bytes:
    if isinstance(line, bytes):
        return line
    if isinstance(line, str):
        return line.encode()
    return json.dumps(line, ensure_ascii=False).encode()


def write(path: Path, lines: Sequence[InputLine]) -> Path:
    path.write_bytes(b"".join(encoded(line) + b"\n" for line in lines))
    return path


def records_of(lines: Sequence[InputLine]) -> list[Record]:
    return [line for line in lines if isinstance(line, dict)]


class StoreState(NamedTuple):
    """What "unchanged" is compared on: every row and table name, and on SQLite the bytes of its files."""

    rows: dict[str, list[tuple[Any, ...]]]
    files: dict[str, str]


def state(store: Store) -> StoreState:
    """Take the store's state without writing to it.

    Rows: every table's rows ordered by primary key, `alembic_version`, and the names of the tables there are.
    Files (SQLite): the sha256 of the database file and of its `-wal`. Nothing here closes the store's last
    connection and a failed load commits nothing, so no checkpoint rewrites the database file between two
    states; any commit appends frames to the WAL (and uncommitted pages would, should the page cache spill).
    """
    assert isinstance(store, SqlStore)
    rows: dict[str, list[tuple[Any, ...]]] = {}
    with store.engine.connect() as connection:
        rows["tables"] = [(name,) for name in sorted(inspect(connection).get_table_names())]
        for table in metadata.sorted_tables:
            query = select(table).order_by(*table.primary_key.columns)
            rows[table.name] = [tuple(row) for row in connection.execute(query)]
        rows["alembic_version"] = [tuple(row) for row in connection.execute(text("SELECT * FROM alembic_version"))]
    files: dict[str, str] = {}
    database = make_url(store.url).database
    if is_sqlite(store) and database:
        for path in (Path(database), Path(f"{database}-wal")):
            if path.exists():
                files[path.name] = hashlib.sha256(path.read_bytes()).hexdigest()
    return StoreState(rows, files)


def is_sqlite(store: Store) -> bool:
    return make_url(store.url).get_backend_name() == "sqlite"


def load_base(store: Store, tmp_path: Path) -> None:
    load_files(store, [write(tmp_path / "base.jsonl", BASE)], now=NOW)


def failed_load(store: Store, paths: Sequence[Path]) -> LoadError:
    """Load files that must fail; return the error after checking that the store did not change."""
    before = state(store)
    with pytest.raises(LoadError) as raised:
        load_files(store, paths, now=NOW)
    assert state(store) == before
    return raised.value


def where(problems: Sequence[Problem]) -> list[tuple[str, int, str]]:
    return [(p.source, p.line, p.field) for p in problems]


def test_the_shared_examples_load_and_reload_unchanged(store: Store, examples_path: Path) -> None:
    empty = state(store)
    report = load_files(store, [examples_path], now=NOW)
    assert (report.missions, report.datasets, report.granules) == (Change(added=3), Change(added=6), Change(added=2))
    assert report.lines == 11
    assert not report.dry_run
    loaded = state(store)
    assert loaded.rows != empty.rows
    again = load_files(store, [examples_path], now=NOW)
    assert (again.missions, again.datasets, again.granules) == (
        Change(unchanged=3),
        Change(unchanged=6),
        Change(unchanged=2),
    )
    assert again.retimed == 0
    assert state(store) == loaded


BAD_INPUTS = [
    pytest.param(
        '{"type": "mission", "id": "akatsuki", "name": {"en": "Akats', "json", "malformed JSON", id="truncated-json"
    ),
    pytest.param([HAYABUSA2], "record", "a record is a JSON object, not list", id="json-array"),
    pytest.param(
        b'{"type": "mission", "id": "akatsuki", "name": {"en": "\xe3\x81"}}', "encoding", "not UTF-8", id="not-utf8"
    ),
    pytest.param({k: v for k, v in TIR.items() if k != "type"}, "type", "required field is missing", id="no-type"),
    pytest.param(tir(type="instrument"), "type", "'instrument' is not one of", id="unknown-type"),
    pytest.param(tir_without("title"), "title", "required field is missing", id="no-title"),
    pytest.param(tir_without("creators"), "creators", "required field is missing", id="no-creators"),
    pytest.param(tir(creators=[]), "creators", "should be non-empty", id="empty-creators"),
    pytest.param(tir(id="Hyb2 ONC"), "id", "'Hyb2 ONC' is not in the expected form", id="bad-dataset-id"),
    pytest.param(tir(category="raw"), "category", "'raw' is not one of", id="bad-category"),
    pytest.param(restricted_without("scope"), "access.scope", "required field is missing", id="restricted-no-scope"),
    pytest.param(restricted_without("until"), "access.until", "required field is missing", id="restricted-no-until"),
    pytest.param(restricted_without("reason"), "access.reason", "required field is missing", id="restricted-no-reason"),
    pytest.param(
        tir(access={**RESTRICTED_ACCESS, "reason": "embargo"}),
        "access.reason",
        "'embargo' is not one of",
        id="bad-reason",
    ),
    pytest.param(tir(issued="2019-13-01"), "issued", "'2019-13-01' is not in the expected form", id="month-13"),
    pytest.param(tir(issued="2023-02-29"), "issued", "2023-02-29", id="no-feb-29-in-2023"),
    pytest.param(
        tir(access={**RESTRICTED_ACCESS, "until": "2023-02-29T00:00:00Z"}),
        "access.until",
        "2023-02-29",
        id="nested-feb-29",
    ),
    pytest.param(
        tir(temporal={"start": "2019-11-12", "end": "2018-06-10"}),
        "temporal.end",
        "ends before it starts",
        id="temporal",
    ),
    pytest.param(
        onc_interval("2019-03-02T12:00:00Z", "2019-03-02T11:00:00Z"),
        "end",
        "ends before it starts",
        id="granule-ends-before-start",
    ),
    pytest.param(
        onc_granule(dataset="hyb2-nirs3-l2"), "dataset", "unknown dataset 'hyb2-nirs3-l2'", id="unknown-dataset"
    ),
    pytest.param(
        {**RESOLVE, "title": {"en": "Again"}},
        "id",
        "duplicate dataset id 'xrism-resolve-obs', first at line 2",
        id="dup-dataset",
    ),
    pytest.param(
        {**XRISM, "url": "https://xrism.isas.jaxa.jp/"},
        "id",
        "duplicate mission id 'xrism', first at line 1",
        id="dup-mission",
    ),
    pytest.param(
        {**RESOLVE_GRANULE, "properties": {"object": "Cygnus X-1"}},
        "id",
        "duplicate granule id '000128000' of dataset 'xrism-resolve-obs', first at line 3",
        id="dup-granule",
    ),
    pytest.param(tir(mission="hayabusa3"), "mission", "unknown mission 'hayabusa3'", id="unknown-mission"),
    pytest.param(
        tir(related=[{"relation": "IsDerivedFrom", "target": "hyb2-tir-raw"}]),
        "related[0].target",
        "unknown dataset 'hyb2-tir-raw'",
        id="unknown-related-dataset",
    ),
    pytest.param(tir(lifecycle=DISCARDED), "lifecycle.reason", "needs a reason", id="discard-public-observation"),
    pytest.param(
        tir(category="simulation", lifecycle=DISCARDED),
        "lifecycle.reason",
        "needs a reason",
        id="discard-public-simulation",
    ),
    pytest.param(
        tir(access=RESTRICTED_ACCESS, category="source", retention={"reproducible": "easy"}, lifecycle=DISCARDED),
        "lifecycle.reason",
        "needs a reason",
        id="discard-source",
    ),
    pytest.param(
        tir(doi="https://doi.org/10.17597/isas.darts/hyb2-00300"),
        "doi",
        "'https://doi.org/10.17597/isas.darts/hyb2-00300' is not in the expected form",
        id="doi-as-url",
    ),
    pytest.param(
        tir(spatial={"bbox": [-190, -10, 10, 10]}), "spatial.bbox[0]", "less than the minimum of -180", id="bbox-west"
    ),
    pytest.param(
        onc_granule(bbox=[0, 0, 10, 91]), "bbox[3]", "greater than the maximum of 90", id="granule-bbox-north"
    ),
    pytest.param(tir(spatial={"bbox": [0, 50, 10, 10]}), "spatial.bbox", "south", id="bbox-south-above-north"),
]


@pytest.mark.parametrize(("bad", "field", "phrase"), BAD_INPUTS)
def test_a_bad_line_is_reported_and_the_store_is_unchanged(
    store: Store, tmp_path: Path, bad: InputLine, field: str, phrase: str
) -> None:
    load_base(store, tmp_path)
    update = write(tmp_path / "update.jsonl", [*AROUND_BEFORE, bad, *AROUND_AFTER])
    error = failed_load(store, [update])
    assert where(error.problems) == [(str(update), BAD_LINE, field)], error.problems
    assert error.total == 1
    (problem,) = error.problems
    assert str(problem).startswith(f"{update}:{BAD_LINE}: {field}: ")
    assert phrase in problem.message
    assert str(error) == "1 problem(s); the store is unchanged"


def test_the_lines_around_each_bad_one_change_the_store(store: Store, tmp_path: Path) -> None:
    """Without the bad line the same file loads and changes rows and, on SQLite, file bytes.

    So "unchanged" in the table above is not vacuous: a partial commit of the valid lines would show.
    """
    load_base(store, tmp_path)
    before = state(store)
    report = load_files(store, [write(tmp_path / "update.jsonl", [*AROUND_BEFORE, *AROUND_AFTER])], now=NOW)
    assert (report.missions, report.datasets, report.granules) == (
        Change(added=1),
        Change(added=1, updated=1),
        Change(added=2),
    )
    after = state(store)
    assert all(after.rows[table] != before.rows[table] for table in ("missions", "datasets", "granules"))
    if is_sqlite(store):
        assert before.files
        assert after.files != before.files


GOOD_INPUTS = [
    pytest.param(onc_granule("000128000"), id="same-granule-id-in-another-dataset"),
    pytest.param(
        tir(category="simulation", access=RESTRICTED_ACCESS, lifecycle=DISCARDED), id="discard-restricted-simulation"
    ),
    pytest.param(tir(related=[{"relation": "IsDerivedFrom", "target": "hyb2-onc-l2b"}]), id="related-stored-dataset"),
    pytest.param(
        tir(related=[{"relation": "IsDerivedFrom", "target": "xrism-resolve-obs"}]), id="related-input-dataset"
    ),
    pytest.param(
        tir(
            related=[
                {"relation": "Cites", "target": "10.17597/isas.darts/hyb2-00200"},
                {"relation": "IsDocumentedBy", "target": "https://www.hayabusa2.jaxa.jp/"},
            ]
        ),
        id="related-doi-and-url",
    ),
    pytest.param(tir(x_archive_path="/pub/hayabusa2/tir_bundle/"), id="unknown-field"),
    pytest.param(tir_without("mission"), id="no-mission"),
]


@pytest.mark.parametrize("good", GOOD_INPUTS)
def test_a_valid_line_in_the_same_place_loads(store: Store, tmp_path: Path, good: Record) -> None:
    load_base(store, tmp_path)
    lines = [*AROUND_BEFORE, good, *AROUND_AFTER]
    load_files(store, [write(tmp_path / "update.jsonl", lines)], now=NOW)
    for record in records_of(lines):
        if record["type"] == "granule":
            assert store.granule(record["dataset"], record["id"]) is not None
        elif record["type"] == "dataset":
            stored = store.dataset(record["id"])
            assert stored is not None
            assert dict(stored.record.extra) == {k: v for k, v in record.items() if k.startswith("x_")}
        else:
            assert store.mission(record["id"]) is not None


def test_every_bad_line_is_reported_in_line_order(store: Store, tmp_path: Path) -> None:
    load_base(store, tmp_path)
    path = write(
        tmp_path / "update.jsonl",
        [XRISM, tir(mission="hayabusa3"), RESOLVE, "{", tir_without("title") | {"id": "hyb2-nirs3-l2"}, [], ONC_L2B_V2],
    )
    error = failed_load(store, [path])
    assert where(error.problems) == [
        (str(path), 2, "mission"),
        (str(path), 4, "json"),
        (str(path), 5, "title"),
        (str(path), 6, "record"),
    ]
    assert error.total == 4
    assert str(error) == "4 problem(s); the store is unchanged"


def test_line_problems_do_not_hide_problems_between_records(store: Store, tmp_path: Path) -> None:
    """A broken line must not stop the checks that need the whole input (unknown datasets, duplicate granules)."""
    load_base(store, tmp_path)
    path = write(
        tmp_path / "update.jsonl",
        ["{", XRISM, RESOLVE, RESOLVE_GRANULE, onc_granule(dataset="hyb2-nirs3-l2"), RESOLVE_GRANULE],
    )
    error = failed_load(store, [path])
    assert where(error.problems) == [(str(path), 1, "json"), (str(path), 5, "dataset"), (str(path), 6, "id")]


def test_past_the_limit_problems_are_counted_not_listed(store: Store, tmp_path: Path) -> None:
    path = write(tmp_path / "bad.jsonl", [HAYABUSA2] + [[]] * (MAX_PROBLEMS + 50))
    error = failed_load(store, [path])
    assert error.total == MAX_PROBLEMS + 50
    assert [p.line for p in error.problems] == list(range(2, MAX_PROBLEMS + 2))
    assert str(error) == f"{MAX_PROBLEMS + 50} problem(s) (and 50 more); the store is unchanged"


def test_past_the_limit_duplicate_granules_are_counted(store: Store, tmp_path: Path) -> None:
    granules = [onc_granule(f"onc-{n:04d}") for n in range(MAX_PROBLEMS + 50)]
    path = write(tmp_path / "bad.jsonl", [HAYABUSA2, ONC_L2B, *granules, *granules])
    error = failed_load(store, [path])
    assert len(error.problems) == MAX_PROBLEMS
    assert error.total == MAX_PROBLEMS + 50


def test_problems_in_two_files_name_their_file(store: Store, tmp_path: Path) -> None:
    first = write(tmp_path / "a.jsonl", [HAYABUSA2, tir_without("title"), ONC_L2B])
    second = write(tmp_path / "b.jsonl", ["{", XRISM, {**ONC_L2B, "title": {"en": "Again"}}])
    error = failed_load(store, [first, second])
    assert where(error.problems) == [(str(first), 2, "title"), (str(second), 1, "json"), (str(second), 3, "id")]
    assert error.problems[2].message == f"duplicate dataset id 'hyb2-onc-l2b', first at {first}:3"


def test_a_duplicate_granule_in_another_file_names_both(store: Store, tmp_path: Path) -> None:
    first = write(tmp_path / "a.jsonl", [HAYABUSA2, ONC_L2B, ONC_GRANULE])
    second = write(tmp_path / "b.jsonl", [ONC_GRANULE])
    error = failed_load(store, [first, second])
    assert where(error.problems) == [(str(second), 1, "id")]
    assert f"duplicate granule id 'onc-0001' of dataset 'hyb2-onc-l2b', first at {first}:3" in error.problems[0].message


def test_an_unknown_dataset_named_in_two_files_is_reported_where_first_named(store: Store, tmp_path: Path) -> None:
    first = write(tmp_path / "a.jsonl", [HAYABUSA2, ONC_L2B, onc_granule(dataset="hyb2-nirs3-l2")])
    second = write(tmp_path / "b.jsonl", [onc_granule("onc-0004", dataset="hyb2-nirs3-l2")])
    error = failed_load(store, [first, second])
    assert where(error.problems) == [(str(first), 3, "dataset")]
    assert f"the last at {second}:1" in error.problems[0].message


def test_dry_run_reports_what_it_would_do_and_changes_nothing(store: Store, tmp_path: Path) -> None:
    load_base(store, tmp_path)
    before = state(store)
    path = write(tmp_path / "update.jsonl", [*AROUND_BEFORE, *AROUND_AFTER])
    report = load_files(store, [path], now=NOW, dry_run=True)
    assert report == LoadReport(
        lines=5,
        missions=Change(added=1),
        datasets=Change(added=1, updated=1),
        granules=Change(added=2),
        retimed=0,
        dry_run=True,
    )
    assert state(store) == before


def test_dry_run_of_a_bad_file_raises_the_same_problems(store: Store, tmp_path: Path) -> None:
    path = write(tmp_path / "bad.jsonl", [HAYABUSA2, tir_without("title")])
    before = state(store)
    with pytest.raises(LoadError) as raised:
        load_files(store, [path], now=NOW, dry_run=True)
    assert [str(p) for p in raised.value.problems] == [f"{path}:2: title: required field is missing"]
    assert state(store) == before


def granule_visibilities(store: Store, dataset_id: str, moment: datetime) -> dict[str, list[str]]:
    return {
        str(visibility): [
            g.record.id for g in store.granules_page(dataset_id, moment, visibilities=frozenset({visibility}))
        ]
        for visibility in (PUBLIC, RESTRICTED)
    }


RELEASED = {"type": "granule", "id": "000128000", "dataset": "xrism-resolve-obs", "datetime": "2024-03-03T04:00:00Z"}
PROPRIETARY = {"type": "granule", "id": "000412000", "dataset": "xrism-resolve-obs", "datetime": "2026-10-02T00:00:00Z"}


@pytest.mark.parametrize("split", [False, True], ids=["same-file", "next-file"])
def test_granules_may_come_before_their_dataset(store: Store, tmp_path: Path, split: bool) -> None:
    granules: list[InputLine] = [PROPRIETARY, RELEASED]
    records: list[InputLine] = [XRISM, RESOLVE]
    paths = (
        [write(tmp_path / "granules.jsonl", granules), write(tmp_path / "records.jsonl", records)]
        if split
        else [write(tmp_path / "all.jsonl", granules + records)]
    )
    report = load_files(store, paths, now=NOW)
    assert report.granules == Change(added=2)
    assert granule_visibilities(store, "xrism-resolve-obs", NOW) == {
        "public": ["000128000"],
        "restricted": ["000412000"],
    }
    stored = store.granule("xrism-resolve-obs", "000412000")
    assert stored is not None
    assert stored.timeline == Timeline(RESTRICTED, ((datetime(2027, 10, 2, tzinfo=UTC), PUBLIC),))
    later = datetime(2027, 10, 2, tzinfo=UTC)
    assert granule_visibilities(store, "xrism-resolve-obs", later) == {
        "public": ["000128000", "000412000"],
        "restricted": [],
    }


def test_blank_and_comment_lines_are_skipped_but_counted(store: Store, tmp_path: Path) -> None:
    lines: list[InputLine] = ["// exported 2026-11-20", "", HAYABUSA2, "   \t", "  // indented comment"]
    good = write(tmp_path / "good.jsonl", [*lines, ONC_L2B])
    assert load_files(store, [good], now=NOW).lines == 2
    bad = write(tmp_path / "bad.jsonl", [*lines, tir_without("title")])
    error = failed_load(store, [bad])
    assert [str(p) for p in error.problems] == [f"{bad}:6: title: required field is missing"]


def test_windows_line_endings_load(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "crlf.jsonl"
    path.write_bytes(b"".join(encoded(line) + b"\r\n" for line in ["// comment", *BASE]))
    report = load_files(store, [path], now=NOW)
    assert (report.lines, report.granules) == (3, Change(added=1))


def test_a_granule_of_a_dataset_in_the_store_loads(store: Store, tmp_path: Path, examples_path: Path) -> None:
    load_files(store, [examples_path], now=NOW)
    report = load_files(store, [write(tmp_path / "granules.jsonl", [{**PROPRIETARY, "id": "000413000"}])], now=NOW)
    assert (report.datasets, report.granules) == (Change(), Change(added=1))
    assert granule_visibilities(store, "xrism-resolve-obs", NOW) == {
        "public": ["000128000"],
        "restricted": ["000412000", "000413000"],
    }


def resolve_granule_lines(count: int, padding: int = 0, first: int = 1) -> Iterator[Line]:
    for index in range(count):
        record = {
            "type": "granule",
            "id": f"{index:09d}",
            "dataset": "xrism-resolve-obs",
            "start": "2024-03-02T10:00:00Z",
            "end": "2024-03-03T04:00:00Z",
            "properties": {"object": "Perseus cluster", "note": "x" * padding},
        }
        yield Line("generated", first + index, json.dumps(record))


@pytest.fixture
def sqlite_store(sqlite_url: str) -> Iterator[Store]:
    migrate(sqlite_url)
    opened = open_store(sqlite_url)
    load_lines(opened, [Line("records", n, json.dumps(r)) for n, r in enumerate([XRISM, RESOLVE], 1)], now=NOW)
    yield opened
    opened.dispose()


@pytest.mark.parametrize(
    ("workers", "bound"),
    [
        (0, harvest.loader.SCREEN_CHUNK),
        (1, harvest.loader.SCREEN_CHUNK * (harvest.loader.SCREEN_WINDOW + 1)),
        (2, harvest.loader.SCREEN_CHUNK * (2 * harvest.loader.SCREEN_WINDOW + 1)),
    ],
    ids=["here", "one-screening-process", "two-screening-processes"],
)
def test_load_lines_reads_a_bounded_window_ahead(sqlite_store: Store, workers: int, bound: int) -> None:
    """30 000 granules (fifteen chunks, six batches) go through while the generator is never more than a fixed
    window ahead of the line being taken: one chunk when screening here, the chunks in flight with a process."""
    count = 30_000
    produced = 0
    ahead = 0

    def lines() -> Iterator[Line]:
        nonlocal produced
        for line in resolve_granule_lines(count):
            produced += 1
            yield line

    def taken(line: Line) -> None:
        nonlocal ahead
        ahead = max(ahead, produced - line.number)

    report = load_lines(sqlite_store, lines(), now=NOW, on_line=taken, workers=workers)
    assert (report.lines, report.granules) == (count, Change(added=count))
    assert 0 < ahead <= bound < count


def test_load_lines_memory_does_not_grow_with_the_input(sqlite_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """Peak traced memory of loading 1 000 granule lines of 8 kB each stays under a quarter of their text alone.

    `held` is the size of the lines' strings only: a loader that kept every line (or parsed record) would trace
    at least that much. The loader holds one batch of staged granules at a time; with the batch cut to 50, that
    is about 50 x (text + parsed copy + records) ~ 1 MB against `held` ~ 8.3 MB, measured 1/8, so `held / 4`
    leaves twice the margin. The batch is cut because tracemalloc makes every allocation inside
    fastjsonschema's generated validator cost ~2 ms per line (line-number lookups in huge functions): the
    production batch of 5 000 would need tens of thousands of lines, a minute under tracemalloc. The screening
    chunk is cut likewise, and screening runs in this process (tracemalloc sees no other). One warm-up load (the
    fixture) compiles the validators and SQL first, so that their caches are not counted.
    """
    monkeypatch.setattr(harvest.loader, "BATCH", 50)
    monkeypatch.setattr(harvest.loader, "SCREEN_CHUNK", 50)
    count, padding = 1_000, 8_000
    held = sum(sys.getsizeof(line.text) for line in resolve_granule_lines(count, padding))
    tracemalloc.start()
    try:
        report = load_lines(sqlite_store, resolve_granule_lines(count, padding), now=NOW, workers=0)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert report.granules == Change(added=count)
    assert peak < held / 4, f"peak {peak / 1e6:.1f} MB for {held / 1e6:.1f} MB of lines"


def run_cli(url: str, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["load", *args], env={"CATALOG_DATABASE_URL": url})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_cli_load_reports_every_problem_and_changes_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.sqlite'}"
    code, out, err = run_cli(url, str(write(tmp_path / "base.jsonl", BASE)))
    assert code == 0, err
    assert "3 records read; the store is updated" in out
    assert "missions: 1 were added, 0 updated, 0 unchanged" in out.splitlines()[1]

    update = write(tmp_path / "update.jsonl", [*AROUND_BEFORE, *AROUND_AFTER])
    store = open_store(url)
    try:
        before = state(store).rows
        code, out, err = run_cli(url, "--dry-run", str(update))
        assert code == 0, err
        assert "the store is unchanged (dry run)" in out
        assert "datasets: 1 would be added, 1 updated, 0 unchanged" in out
        assert state(store).rows == before

        bad = write(tmp_path / "bad.jsonl", [*AROUND_BEFORE, tir_without("title"), "{", *AROUND_AFTER])
        code, out, err = run_cli(url, str(bad))
        assert code != 0
        assert out == ""
        problems = [line for line in err.splitlines() if line.startswith(str(bad))]
        assert problems[0] == f"{bad}:4: title: required field is missing"
        assert problems[1].startswith(f"{bad}:5: json: malformed JSON: ")
        assert len(problems) == 2
        assert "Error: 2 problem(s); the store is unchanged" in err.splitlines()
        assert state(store).rows == before
    finally:
        store.dispose()


PROVENANCE: Record = {
    "source": "partner",
    "base_url": "https://partner.example/oai",
    "identifier": "oai:partner.example:hyb2-onc-l2b",
    "datestamp": "2026-01-01T00:00:00Z",
    "metadata_namespace": "http://www.openarchives.org/OAI/2.0/oai_dc/",
    "harvested": "2026-02-01T00:00:00Z",
}


def test_a_load_never_writes_over_a_harvested_dataset_nor_the_other_way(store: Store, tmp_path: Path) -> None:
    load_base(store, tmp_path)
    harvested = {**ONC_L2B_V2, "provenance": PROVENANCE}
    error = failed_load(store, [write(tmp_path / "harvested.jsonl", [harvested])])
    assert where(error.problems) == [(str(tmp_path / "harvested.jsonl"), 1, "id")]
    assert "held by the archive's own records" in error.problems[0].message
    assert "harvest source 'partner'" in error.problems[0].message

    load_files(store, [write(tmp_path / "tir.jsonl", [{**TIR, "provenance": PROVENANCE}])], now=NOW)
    stored = store.dataset("hyb2-tir-l2")
    assert stored is not None
    assert stored.source == "partner"
    assert stored.record.provenance is not None
    assert stored.record.to_dict()["provenance"] == PROVENANCE
    error = failed_load(store, [write(tmp_path / "own.jsonl", [tir(title={"en": "Ours now?"})])])
    assert "held by harvest source 'partner'" in error.problems[0].message


def test_a_malformed_provenance_is_a_problem_of_its_line(store: Store, tmp_path: Path) -> None:
    load_base(store, tmp_path)
    bad = {**TIR, "provenance": {**PROVENANCE, "source": "Not A Name", "datestamp": "yesterday"}}
    error = failed_load(store, [write(tmp_path / "bad.jsonl", [bad])])
    assert {p.field for p in error.problems} == {"provenance.source", "provenance.datestamp"}
