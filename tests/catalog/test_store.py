"""Store contract on SQLite and PostgreSQL: migrations, idempotent loads, visibility and datestamps in SQL, paging."""

import json
import math
import os
import threading
import uuid
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from itertools import count, pairwise
from pathlib import Path
from typing import Any, cast

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

from catalog.policy import dataset_timeline, datestamp_at, granule_timeline, granule_visibility_at, visibility_at
from catalog.records import Dataset, Granule
from catalog.store import Change, Store, StoredDataset, StoreError, migrate, open_store
from catalog.store.sql import SqlStore, engine_for
from catalog.store.tables import metadata
from catalog.timeutil import add_months, format_time, parse_time
from catalog.vocab import Visibility
from harvest.loader import Line, LoadReport, load_lines
from tests.conftest import NOW, POSTGRES_ENV

Record = dict[str, Any]

PUBLIC = Visibility.PUBLIC
RESTRICTED = Visibility.RESTRICTED
DELETED = Visibility.DELETED
HIDDEN = Visibility.HIDDEN
LISTED = frozenset({PUBLIC, RESTRICTED, DELETED})
"""What a harvester is shown: records and tombstones."""
SHOWN = frozenset({PUBLIC, RESTRICTED})
SECOND = timedelta(seconds=1)
DAY = timedelta(days=1)
TEAM = "ISAS test team"


def public_access(**fields: Any) -> Record:
    return {"status": "public", **fields}


def restricted_access(until: datetime, *, after: str = "review", disclose: bool = True) -> Record:
    return {
        "status": "restricted",
        "reason": "proprietary-period",
        "scope": TEAM,
        "until": format_time(until),
        "after": after,
        "disclose": disclose,
    }


def discarded(when: datetime | None) -> Record:
    lifecycle: Record = {"state": "discarded", "reason": "Superseded by a later version."}
    if when is not None:
        lifecycle["discarded"] = format_time(when)
    return lifecycle


def dataset_record(dataset_id: str, access: Record | None = None, **fields: Any) -> Record:
    """A minimal contract-v1 dataset; `fields` add or replace top-level fields."""
    return {
        "type": "dataset",
        "id": dataset_id,
        "title": {"en": f"Dataset {dataset_id}"},
        "category": "observation",
        "creators": [{"name": TEAM, "kind": "organization"}],
        "access": access if access is not None else public_access(),
        **fields,
    }


def mission_record(mission_id: str) -> Record:
    return {"type": "mission", "id": mission_id, "name": {"en": mission_id.upper()}}


def granule_record(dataset_id: str, granule_id: str, acquired: datetime, **fields: Any) -> Record:
    return {
        "type": "granule",
        "id": granule_id,
        "dataset": dataset_id,
        "datetime": format_time(acquired - DAY),
        "acquired": format_time(acquired),
        **fields,
    }


def lines(records: Sequence[Mapping[str, Any]]) -> list[Line]:
    return [Line("t", number, json.dumps(record)) for number, record in enumerate(records, 1)]


def load(store: Store, *records: Mapping[str, Any], now: datetime) -> LoadReport:
    return load_lines(store, lines(records), now=now)


def harvest(
    store: Store,
    now: datetime,
    *,
    visibilities: frozenset[Visibility] = LISTED,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 7,
) -> list[StoredDataset]:
    """Follow `datasets_page` keyset pages to the end, as a resumption token would."""
    seen: list[StoredDataset] = []
    after: tuple[datetime, str] | None = None
    for _ in range(1000):
        page = store.datasets_page(now, visibilities=visibilities, after=after, since=since, until=until, limit=limit)
        assert len(page) <= limit
        seen.extend(page)
        if len(page) < limit:
            return seen
        after = (page[-1].datestamp(now), page[-1].record.id)
    pytest.fail("datasets_page never ran out of pages")


def keys(datasets: Sequence[StoredDataset], now: datetime) -> list[tuple[datetime, str]]:
    return [(stored.datestamp(now), stored.record.id) for stored in datasets]


def page_ids(datasets: Sequence[StoredDataset]) -> list[str]:
    return [stored.record.id for stored in datasets]


def granule_ids(store: Store, dataset_id: str, now: datetime, visibilities: frozenset[Visibility]) -> list[str]:
    """Every granule id of a dataset in `visibilities` at `now`, by id pages of 3."""
    seen: list[str] = []
    after: str | None = None
    for _ in range(1000):
        page = store.granules_page(dataset_id, now, visibilities=visibilities, after=after, limit=3)
        seen.extend(stored.record.id for stored in page)
        if len(page) < 3:
            return seen
        after = page[-1].record.id
    pytest.fail("granules_page never ran out of pages")


def ceil_second(moment: datetime) -> datetime:
    """The store's rounding of a shift moment: up to the whole second."""
    return datetime.fromtimestamp(math.ceil(moment.timestamp()), moment.tzinfo)


EXPRESSION_INDEXES = {"ix_datasets_settled_visibility"}
"""Indexes on expressions, which SQLite's reflection skips: compared by `test_expression_indexes_are_migrated`."""


def schema_differences(url: str, **options: bool) -> list[Any]:
    def include(_object: Any, name: str | None, kind: str, _reflected: bool, _compare_to: Any) -> bool:
        return not (kind == "index" and name in EXPRESSION_INDEXES)

    engine = engine_for(url)
    try:
        with engine.connect() as connection, warnings.catch_warnings():
            warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based index")
            warnings.filterwarnings("ignore", "autogenerate skipping metadata-specified expression-based index")
            context = MigrationContext.configure(connection, opts={**options, "include_object": include})
            return list(compare_metadata(context, metadata))
    finally:
        engine.dispose()


def test_expression_indexes_are_migrated(store_url: str) -> None:
    engine = engine_for(store_url)
    try:
        with engine.connect() as connection:
            if store_url.startswith("sqlite"):
                query = "SELECT name FROM sqlite_master WHERE type = 'index'"
            else:
                query = "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
            found = {row[0] for row in connection.exec_driver_sql(query)}
    finally:
        engine.dispose()
    assert found >= EXPRESSION_INDEXES


def test_migrate_twice_keeps_schema_and_data(store: Store, store_url: str) -> None:
    store.check()
    load(store, dataset_record("kept"), now=NOW)
    migrate(store_url)
    store.check()
    stored = store.dataset("kept")
    assert stored is not None
    assert stored.changed == NOW


def test_migrated_schema_matches_table_metadata(store_url: str) -> None:
    assert schema_differences(store_url) == []
    assert schema_differences(store_url, compare_type=True) == []


def test_server_defaults_differ_only_cosmetically_on_sqlite(store_url: str) -> None:
    """SQLite reflects `DEFAULT ''` as the SQL text `('')`, which Alembic reports against the Python `""`."""
    differences = schema_differences(store_url, compare_type=True, compare_server_default=True)
    if store_url.startswith("postgresql"):
        assert differences == []
        return
    assert len(differences) == 1
    [(operation, _, table, column, _, reflected, declared)] = differences[0]
    assert (operation, table, column) == ("modify_default", "datasets", "source")
    assert declared.arg == ""
    assert str(reflected.arg.text).strip("()") == "''"


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def test_unmigrated_store_asks_for_migrate(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    url: str = request.getfixturevalue(f"{backend}_url")
    if backend == "sqlite":
        (tmp_path / "catalog.sqlite").touch()
    store = open_store(url)
    try:
        with pytest.raises(StoreError, match="isas-catalog migrate"):
            store.check()
        with pytest.raises(StoreError, match="isas-catalog migrate"):
            store.dataset("anything")
    finally:
        store.dispose()


def test_reloading_the_same_records_changes_nothing(store: Store) -> None:
    records = [
        mission_record("m1"),
        dataset_record("d1", mission="m1"),
        dataset_record("d2", restricted_access(NOW + 10 * DAY, after="release")),
        granule_record("d1", "g1", NOW - 400 * DAY),
    ]
    first = load(store, *records, now=NOW)
    assert (first.missions, first.datasets, first.granules) == (Change(added=1), Change(added=2), Change(added=1))
    later = NOW + 30 * DAY
    second = load(store, *records, now=later)
    assert (second.missions, second.datasets, second.granules) == (
        Change(unchanged=1),
        Change(unchanged=2),
        Change(unchanged=1),
    )
    assert second.retimed == 0
    mission = store.mission("m1")
    granule = store.granule("d1", "g1")
    assert mission is not None
    assert granule is not None
    assert (mission.changed, granule.changed) == (NOW, NOW)
    stored = store.datasets_by_id(["d1", "d2"])
    assert {key: value.changed for key, value in stored.items()} == {"d1": NOW, "d2": NOW}
    assert stored["d1"].datestamp(later) == NOW
    assert stored["d2"].datestamp(later) == NOW + 10 * DAY


def test_key_order_and_white_space_are_no_change(store: Store) -> None:
    record = dataset_record("d1", keywords=["asteroid"], temporal={"start": "2020-01-01", "end": None})
    load(store, record, now=NOW)
    reordered = json.dumps(dict(reversed(record.items())), indent=3, separators=(" ,", " :  "))
    report = load_lines(store, [Line("t", 1, reordered)], now=NOW + DAY)
    assert report.datasets == Change(unchanged=1)
    stored = store.dataset("d1")
    assert stored is not None
    assert stored.changed == NOW


def test_a_changed_field_is_a_new_version(store: Store) -> None:
    original = dataset_record("d1", x_archive={"shelf": "B2", "tape": 17})
    load(store, original, now=NOW)
    later = NOW + 3 * DAY
    edited = {**original, "title": {"en": "Renamed"}}
    report = load(store, edited, now=later)
    assert report.datasets == Change(updated=1)
    stored = store.dataset("d1")
    assert stored is not None
    assert stored.changed == later
    assert stored.datestamp(later + DAY) == later
    assert stored.record == Dataset.from_dict(edited)
    assert stored.record.extra == {"x_archive": {"shelf": "B2", "tape": 17}}
    assert [s.record.id for s in store.datasets_page(later, visibilities=LISTED, since=later)] == ["d1"]


def test_stored_record_is_the_original_json(store: Store) -> None:
    creators = [{"name": TEAM, "kind": "organization", "x_staff_id": 42}]
    original = dataset_record("d1", creators=creators, x_archive={"shelf": "B2"}, doi="10.17597/isas.darts/test-1")
    load(store, original, now=NOW)
    stored = store.dataset("d1")
    assert stored is not None
    assert stored.record == Dataset.from_dict(original)
    assert stored.record.extra == {"x_archive": {"shelf": "B2"}}
    assert stored.record.creators[0].extra == {"x_staff_id": 42}


PAST = NOW - 10 * DAY
DISCARDED_PAST = NOW - 5 * DAY
DEADLINE = NOW + 10 * DAY
LATER = NOW + 20 * DAY
DEADLINES = (PAST, DISCARDED_PAST, DEADLINE, LATER)

VISIBILITY_CASES: Mapping[str, Record] = {
    "public": dataset_record("public"),
    "restricted-review": dataset_record("restricted-review", restricted_access(DEADLINE)),
    "restricted-discard": dataset_record("restricted-discard", restricted_access(DEADLINE, after="discard")),
    "undisclosed": dataset_record("undisclosed", restricted_access(DEADLINE, disclose=False)),
    "release-future": dataset_record("release-future", restricted_access(DEADLINE, after="release")),
    "release-past": dataset_record("release-past", restricted_access(PAST, after="release")),
    "undisclosed-release": dataset_record(
        "undisclosed-release", restricted_access(LATER, after="release", disclose=False)
    ),
    "discarded-shown": dataset_record("discarded-shown", lifecycle=discarded(DISCARDED_PAST)),
    "discarded-undated": dataset_record("discarded-undated", lifecycle=discarded(None)),
    "discarded-later": dataset_record("discarded-later", lifecycle=discarded(LATER)),
    "discarded-never-shown": dataset_record(
        "discarded-never-shown", restricted_access(DEADLINE, disclose=False), lifecycle=discarded(DISCARDED_PAST)
    ),
    "discarded-undated-never-shown": dataset_record(
        "discarded-undated-never-shown", restricted_access(DEADLINE, disclose=False), lifecycle=discarded(None)
    ),
    "released-then-discarded": dataset_record(
        "released-then-discarded", restricted_access(DEADLINE, after="release"), lifecycle=discarded(LATER)
    ),
    "undisclosed-released-then-discarded": dataset_record(
        "undisclosed-released-then-discarded",
        restricted_access(DEADLINE, after="release", disclose=False),
        lifecycle=discarded(LATER),
    ),
    "discarded-before-release": dataset_record(
        "discarded-before-release", restricted_access(LATER, after="release"), lifecycle=discarded(DEADLINE)
    ),
}

QUERY_MOMENTS = (
    NOW - 400 * DAY,
    NOW,
    NOW + 400 * DAY,
    *(deadline + offset for deadline in DEADLINES for offset in (-SECOND, timedelta(0), SECOND)),
)


def test_visibility_table_covers_every_visibility() -> None:
    seen = {visibility_at(Dataset.from_dict(r), m) for r in VISIBILITY_CASES.values() for m in QUERY_MOMENTS}
    assert seen == set(Visibility)


def test_sql_visibility_agrees_with_policy(store: Store) -> None:
    load(store, *VISIBILITY_CASES.values(), now=NOW)
    records = {key: Dataset.from_dict(record) for key, record in VISIBILITY_CASES.items()}
    found: dict[tuple[str, str], list[str]] = {}
    expected: dict[tuple[str, str], list[str]] = {}
    listings: dict[str, list[tuple[datetime, str]]] = {}
    for moment in QUERY_MOMENTS:
        for visibility in Visibility:
            where = (format_time(moment), str(visibility))
            found[where] = sorted(page_ids(store.datasets_page(moment, visibilities=frozenset({visibility}))))
            expected[where] = sorted(
                key for key, record in records.items() if visibility_at(record, moment) is visibility
            )
        listings[format_time(moment)] = keys(store.datasets_page(moment, visibilities=frozenset(Visibility)), moment)
    assert found == expected
    assert listings == {
        format_time(moment): sorted(
            (datestamp_at(NOW, dataset_timeline(record), moment), key) for key, record in records.items()
        )
        for moment in QUERY_MOMENTS
    }


GRID = timedelta(hours=6)
grid_moments = st.integers(-8, 8).map(lambda step: NOW + step * GRID)
deadlines = st.tuples(grid_moments, st.sampled_from([0, 0, 250_000])).map(
    lambda pair: pair[0] + timedelta(microseconds=pair[1])
)


def rfc3339(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ") if moment.microsecond else format_time(moment)


@st.composite
def accesses(draw: st.DrawFn) -> Record:
    if draw(st.booleans()):
        return public_access()
    return {
        "status": "restricted",
        "reason": "rights-granted",
        "scope": TEAM,
        "until": rfc3339(draw(deadlines)),
        "after": draw(st.sampled_from(["release", "review", "discard"])),
        "disclose": draw(st.booleans()),
    }


@st.composite
def lifecycles(draw: st.DrawFn) -> Record:
    state = draw(st.sampled_from(["active", "active", "dated", "undated"]))
    if state == "active":
        return {"state": "active"}
    lifecycle = discarded(None)
    if state == "dated":
        lifecycle["discarded"] = rfc3339(draw(deadlines))
    return lifecycle


@st.composite
def histories(draw: st.DrawFn) -> list[tuple[Record, Record | None]]:
    """Datasets with a first version and, maybe, a second one loaded later."""
    versions = []
    for index in range(draw(st.integers(1, 5))):
        first = dataset_record(f"d{index}", draw(accesses()), lifecycle=draw(lifecycles()))
        second = None
        if draw(st.booleans()):
            second = dataset_record(f"d{index}", draw(accesses()), lifecycle=draw(lifecycles()))
        versions.append((first, second))
    return versions


def ever_shown(record: Record, until: datetime) -> bool:
    """Whether a freshly loaded version was ever anything but hidden up to `until` (a tombstone counts)."""
    timeline = dataset_timeline(Dataset.from_dict(record))
    return any(visibility is not HIDDEN for moment, visibility in timeline.steps() if moment is None or moment <= until)


EXAMPLES = count()


@settings(max_examples=25, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    history=histories(),
    first_load=grid_moments,
    reload_steps=st.integers(0, 8),
    moments=st.lists(grid_moments, min_size=1, max_size=3, unique=True),
)
def test_sql_visibility_and_datestamps_agree_with_policy(
    store: Store,
    history: list[tuple[Record, Record | None]],
    first_load: datetime,
    reload_steps: int,
    moments: list[datetime],
) -> None:
    """Examples share the test's store, each under its own id prefix: a fresh store per example costs too much."""
    prefix = f"e{next(EXAMPLES)}-"
    history = [
        ({**first, "id": prefix + first["id"]}, None if second is None else {**second, "id": prefix + second["id"]})
        for first, second in history
    ]
    reload = first_load + reload_steps * GRID
    expected: dict[str, tuple[Dataset, datetime, bool]] = {}
    for first, second in history:
        expected[first["id"]] = (Dataset.from_dict(first), first_load, False)
        if second is not None and second != first:
            expected[first["id"]] = (Dataset.from_dict(second), reload, ever_shown(first, reload))

    def ours(
        moment: datetime, visibilities: frozenset[Visibility], stamp: datetime | None = None
    ) -> list[StoredDataset]:
        listing = harvest(store, moment, visibilities=visibilities, since=stamp, until=stamp, limit=500)
        return [stored for stored in listing if stored.record.id.startswith(prefix)]

    load(store, *(first for first, _ in history), now=first_load)
    reloaded = [second for _, second in history if second is not None]
    if reloaded:
        load(store, *reloaded, now=reload)
    for moment in moments:
        for visibility in Visibility:
            page = ours(moment, frozenset({visibility}))
            assert set(page_ids(page)) == {
                key
                for key, (record, _, shown) in expected.items()
                if visibility_at(record, moment, shown_before=shown) is visibility
            }, (visibility, moment)
        stamps = {
            key: ceil_second(datestamp_at(changed, dataset_timeline(record, shown_before=shown), moment))
            for key, (record, changed, shown) in expected.items()
        }
        listed = ours(moment, frozenset(Visibility))
        assert keys(listed, moment) == sorted((stamp, key) for key, stamp in stamps.items())
        stamp = stamps[f"{prefix}d0"]
        tied = sorted(key for key, value in stamps.items() if value == stamp)
        assert page_ids(ours(moment, frozenset(Visibility), stamp)) == tied


def test_withdrawing_a_shown_dataset_leaves_a_tombstone(store: Store) -> None:
    later = NOW + 2 * DAY
    load(
        store,
        dataset_record("was-public"),
        dataset_record("was-restricted", restricted_access(NOW + 100 * DAY)),
        dataset_record("never-shown", restricted_access(NOW + 100 * DAY, disclose=False)),
        now=NOW,
    )
    hide = restricted_access(NOW + 100 * DAY, disclose=False)
    report = load(
        store,
        dataset_record("was-public", hide),
        dataset_record("was-restricted", hide),
        dataset_record("never-shown", hide, keywords=["renamed"]),
        now=later,
    )
    assert report.datasets == Change(updated=3)
    stored = store.datasets_by_id(["was-public", "was-restricted", "never-shown"])
    assert {key: value.visibility(later) for key, value in stored.items()} == {
        "was-public": DELETED,
        "was-restricted": DELETED,
        "never-shown": HIDDEN,
    }
    deleted = store.datasets_page(later, visibilities=frozenset({DELETED}))
    assert keys(deleted, later) == [(later, "was-public"), (later, "was-restricted")]
    assert page_ids(harvest(store, later, visibilities=frozenset(Visibility) - {DELETED})) == ["never-shown"]
    assert page_ids(harvest(store, later)) == ["was-public", "was-restricted"]


@pytest.mark.parametrize(
    "discard_day", [None, -30, 1, 2], ids=["undated", "before-first-load", "between-loads", "at-reload"]
)
def test_discarding_a_public_dataset_deletes_it_at_reload(store: Store, discard_day: int | None) -> None:
    later = NOW + 2 * DAY
    load(store, dataset_record("d1"), now=NOW)
    when = None if discard_day is None else NOW + discard_day * DAY
    load(store, dataset_record("d1", lifecycle=discarded(when)), now=later)
    stored = store.dataset("d1")
    assert stored is not None
    assert stored.visibility(later) is DELETED
    assert stored.datestamp(later) == later
    assert keys(store.datasets_page(later, visibilities=frozenset({DELETED})), later) == [(later, "d1")]
    assert store.datasets_page(later, visibilities=SHOWN) == []


def test_a_future_discard_deletes_by_the_clock(store: Store) -> None:
    discard_at = NOW + 5 * DAY
    load(store, dataset_record("d1"), now=NOW - DAY)
    load(store, dataset_record("d1", lifecycle=discarded(discard_at)), now=NOW)
    assert keys(store.datasets_page(NOW, visibilities=frozenset({PUBLIC})), NOW) == [(NOW, "d1")]
    assert store.datasets_page(discard_at - SECOND, visibilities=frozenset({DELETED})) == []
    after = discard_at + DAY
    assert keys(store.datasets_page(after, visibilities=frozenset({DELETED})), after) == [(discard_at, "d1")]


PAGING_START = NOW - 40 * DAY
PAGING_LOADS = 10
PAGING_PREFIXES = ("p-", "p.", "p_", "p")
"""Separators sort differently in code points and in most locales' collations; ids must page in code points."""


def paging_record(index: int) -> Record:
    dataset_id = f"{PAGING_PREFIXES[index % len(PAGING_PREFIXES)]}{index:02d}"
    kind = index % 6
    if kind == 1:
        return dataset_record(dataset_id, restricted_access(NOW + 100 * DAY))
    if kind == 2:
        return dataset_record(
            dataset_id, restricted_access(NOW - 25 * DAY + index * timedelta(hours=1), after="release")
        )
    if kind == 3:
        return dataset_record(dataset_id, restricted_access(NOW + 100 * DAY, disclose=False))
    if kind == 4:
        return dataset_record(dataset_id, lifecycle=discarded(PAGING_START - DAY))
    if kind == 5:
        release = NOW - 26 * DAY + index * timedelta(hours=1)
        return dataset_record(dataset_id, restricted_access(release, after="release", disclose=False))
    return dataset_record(dataset_id)


PAGING_RECORDS = [paging_record(index) for index in range(3 * PAGING_LOADS)]
LAST_RELEASED = PAGING_RECORDS[26]
LAST_RELEASE = NOW - 25 * DAY + 26 * timedelta(hours=1)


def paging_load_time(group: int) -> datetime:
    return PAGING_START + group * DAY


@pytest.fixture
def paging_store(store: Store) -> Store:
    """Thirty datasets, three per load (ties on `changed`), the last load 31 days before `NOW`."""
    for group in range(PAGING_LOADS):
        load(store, *PAGING_RECORDS[3 * group : 3 * group + 3], now=paging_load_time(group))
    return store


def expected_listing(now: datetime, visibilities: frozenset[Visibility] = LISTED) -> list[tuple[datetime, str]]:
    listing = []
    for index, record in enumerate(PAGING_RECORDS):
        dataset = Dataset.from_dict(record)
        if visibility_at(dataset, now) in visibilities:
            stamp = datestamp_at(paging_load_time(index // 3), dataset_timeline(dataset), now)
            listing.append((stamp, dataset.id))
    return sorted(listing)


PAGING_MOMENTS = {
    "before-releases": NOW - 30 * DAY,
    "at-a-release": NOW - 25 * DAY + 14 * timedelta(hours=1),
    "after-releases": NOW,
}


def test_keyset_pages_return_every_listed_dataset_once_in_order(paging_store: Store) -> None:
    listings = {label: keys(harvest(paging_store, now), now) for label, now in PAGING_MOMENTS.items()}
    assert listings == {label: expected_listing(now) for label, now in PAGING_MOMENTS.items()}
    for listing in listings.values():
        assert all(earlier < later for earlier, later in pairwise(listing))
        assert len(listing) > 7


def test_pages_of_one_bulk_load_are_exact_at_every_page_size(store: Store) -> None:
    """One load gives every dataset the same `changed`: a page's bound then shares its datestamp with the rows of
    every branch before and after it (embargoed datasets, whose datestamp is still `changed`, among them)."""
    loaded = PAGING_START
    load(store, *PAGING_RECORDS, now=loaded)
    for now in PAGING_MOMENTS.values():
        expected = []
        for record in PAGING_RECORDS:
            dataset = Dataset.from_dict(record)
            if visibility_at(dataset, now) in LISTED:
                expected.append((datestamp_at(loaded, dataset_timeline(dataset), now), dataset.id))
        expected.sort()
        assert sum(1 for stamp, _ in expected if stamp == loaded) > 10
        for limit in range(1, 9):
            assert keys(harvest(store, now, limit=limit), now) == expected, (now, limit)


def checkouts_of(store: Store) -> list[int]:
    """A list that grows by one at every connection the store's pool hands out."""
    seen: list[int] = []
    event.listen(cast(SqlStore, store).engine, "checkout", lambda *_: seen.append(threading.get_ident()))
    return seen


def test_reads_within_reading_share_one_connection_of_this_thread(paging_store: Store) -> None:
    checkouts = checkouts_of(paging_store)
    with paging_store.reading():
        paging_store.dataset_entries(NOW, visibilities=LISTED, prefix="oai_dc", context="c", limit=3)
        paging_store.count_datasets(NOW, visibilities=LISTED)
        with paging_store.reading():
            assert paging_store.related_targets(["p-00"])
        elsewhere = threading.Thread(target=paging_store.datasets_by_id, args=(["p-00"],))
        elsewhere.start()
        elsewhere.join()
        paging_store.datasets_by_id(["p.01"])
    mine = threading.get_ident()
    assert checkouts.count(mine) == 1, "one checkout for every read of the block, nested ones included"
    assert len(checkouts) == 2, "another thread reads on a connection of its own"
    paging_store.related_targets(["p-00"])
    paging_store.related_targets(["p-00"])
    assert checkouts.count(mine) == 3, "outside the block, each read checks one out"


def test_a_failed_read_within_reading_is_a_store_error_and_frees_the_connection(paging_store: Store) -> None:
    with pytest.raises(StoreError, match="cannot read the store"), paging_store.reading():
        cast(SqlStore, paging_store)._read(text("SELECT * FROM no_such_table"))
    assert paging_store.related_targets(["p-00"]), "the next read gets a working connection"


def test_a_release_by_the_clock_moves_the_dataset_to_the_end(paging_store: Store) -> None:
    before = NOW - 30 * DAY
    loaded = paging_load_time(26 // 3)
    assert (loaded, LAST_RELEASED["id"]) in keys(harvest(paging_store, before), before)
    assert keys(harvest(paging_store, NOW), NOW)[-1] == (LAST_RELEASE, LAST_RELEASED["id"])
    stored = paging_store.dataset(LAST_RELEASED["id"])
    assert stored is not None
    assert stored.changed == loaded


def test_ties_on_datestamp_are_broken_by_id(paging_store: Store) -> None:
    group = paging_load_time(2)
    listing = keys(harvest(paging_store, NOW, since=group, until=group, limit=1), NOW)
    expected = [key for key in expected_listing(NOW) if key[0] == group]
    assert listing == expected
    assert len(expected) > 1


DATESTAMP_RANGES: Mapping[str, tuple[datetime | None, datetime | None]] = {
    "loads": (paging_load_time(2), paging_load_time(5)),
    "one-release": (LAST_RELEASE, LAST_RELEASE),
    "since-only": (paging_load_time(9), None),
    "until-only": (None, paging_load_time(0)),
    "empty": (paging_load_time(3) + SECOND, paging_load_time(4) - SECOND),
}


def test_since_and_until_are_inclusive(paging_store: Store) -> None:
    found = {
        label: keys(harvest(paging_store, NOW, since=since, until=until, limit=2), NOW)
        for label, (since, until) in DATESTAMP_RANGES.items()
    }
    expected = {
        label: [
            (stamp, key)
            for stamp, key in expected_listing(NOW)
            if (since is None or since <= stamp) and (until is None or stamp <= until)
        ]
        for label, (since, until) in DATESTAMP_RANGES.items()
    }
    assert found == expected
    assert expected["empty"] == []
    for label, (since, until) in DATESTAMP_RANGES.items():
        if since is not None and label != "empty":
            assert expected[label][0][0] == since, label
        if until is not None and label != "empty":
            assert expected[label][-1][0] == until, label


COLLATION_IDS = tuple(f"a{separator}{n}" for n in range(3) for separator in ("", "-", ".", "_"))
"""Ids that locale collations (glibc, ICU) order otherwise than code points, which Python and `C` use."""


@contextmanager
def locale_collated_database() -> Iterator[str]:
    """A scratch PostgreSQL database collated by a locale rather than `C`, as most installations are."""
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(f"PostgreSQL tests need {POSTGRES_ENV}")
    name = f"collation_{uuid.uuid4().hex[:12]}"
    admin = create_engine(make_url(base).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            icu = connection.execute(text("SELECT 1 FROM pg_collation WHERE collname = 'en-x-icu'")).first()
            version = int(connection.execute(text("SHOW server_version_num")).scalar_one())
            libc = connection.execute(text("SELECT 1 FROM pg_collation WHERE collname = 'en_US.utf8'")).first()
            if icu and version >= 150000:
                locale = "LOCALE_PROVIDER icu ICU_LOCALE 'en' LOCALE 'C'"
            elif libc:
                locale = "LC_COLLATE 'en_US.utf8' LC_CTYPE 'en_US.utf8'"
            else:
                pytest.skip("this PostgreSQL has neither ICU (15+) nor an en_US.utf8 locale")
            connection.execute(text(f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' {locale}"))
        try:
            yield make_url(base).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f"DROP DATABASE {name}"))
    finally:
        admin.dispose()


@pytest.mark.postgresql
def test_keyset_paging_does_not_depend_on_the_database_collation() -> None:
    with locale_collated_database() as url:
        migrate(url)
        store = open_store(url)
        try:
            load(store, *(dataset_record(dataset_id) for dataset_id in COLLATION_IDS), now=NOW)
            listing = harvest(store, NOW, limit=2)
        finally:
            store.dispose()
    found = page_ids(listing)
    assert {dataset_id: found.count(dataset_id) for dataset_id in COLLATION_IDS} == dict.fromkeys(COLLATION_IDS, 1)
    assert found == sorted(COLLATION_IDS)


PROPRIETARY = "prop"
GRANULE_AGES = range(0, 500, 50)


def proprietary_dataset(months: int) -> Record:
    return dataset_record(PROPRIETARY, public_access(proprietary_months=months))


def granule_catalog() -> list[Record]:
    """Datasets of every kind, each with granules: a rolling proprietary period, restricted, hidden, deleted."""
    records = [
        proprietary_dataset(12),
        dataset_record("restricted", restricted_access(NOW + 100 * DAY)),
        dataset_record("hidden", restricted_access(NOW + 100 * DAY, disclose=False)),
        dataset_record("gone", lifecycle=discarded(NOW - 10 * DAY)),
    ]
    records += [granule_record(PROPRIETARY, f"g{age:03d}", NOW - age * DAY) for age in GRANULE_AGES]
    records += [
        granule_record("restricted", "r1", NOW - 800 * DAY),
        granule_record("restricted", "r2", NOW - 800 * DAY, access=public_access()),
        granule_record("hidden", "h1", NOW - 800 * DAY),
        granule_record("hidden", "h2", NOW - 800 * DAY, access=public_access()),
        granule_record("gone", "x1", NOW - 800 * DAY),
    ]
    return records


def expected_granules(records: Sequence[Record], now: datetime) -> dict[tuple[str, str], Visibility]:
    datasets = {r["id"]: Dataset.from_dict(r) for r in records if r["type"] == "dataset"}
    return {
        (r["dataset"], r["id"]): granule_visibility_at(Granule.from_dict(r), datasets[r["dataset"]], now)
        for r in records
        if r["type"] == "granule"
    }


@pytest.fixture
def granule_store(store: Store) -> Store:
    load(store, *granule_catalog(), now=NOW - DAY)
    return store


def test_granules_page_is_capped_by_the_dataset(granule_store: Store) -> None:
    policy = expected_granules(granule_catalog(), NOW)
    found: dict[tuple[str, str], list[str]] = {}
    expected: dict[tuple[str, str], list[str]] = {}
    for dataset_id in (PROPRIETARY, "restricted", "hidden", "gone"):
        for visibilities in (frozenset({PUBLIC}), frozenset({RESTRICTED}), SHOWN):
            where = (dataset_id, "+".join(sorted(visibilities)))
            found[where] = granule_ids(granule_store, dataset_id, NOW, visibilities)
            expected[where] = sorted(
                granule_id
                for (owner, granule_id), visibility in policy.items()
                if owner == dataset_id and visibility in visibilities
            )
    assert found == expected


def test_granule_visibilities_at_now(granule_store: Store) -> None:
    by_dataset: dict[str, dict[str, list[str]]] = {}
    for dataset_id in (PROPRIETARY, "restricted", "hidden", "gone"):
        by_dataset[dataset_id] = {
            str(visibility): granule_ids(granule_store, dataset_id, NOW, frozenset({visibility}))
            for visibility in SHOWN
        }
    assert by_dataset == {
        PROPRIETARY: {"public": ["g400", "g450"], "restricted": [f"g{age:03d}" for age in range(0, 400, 50)]},
        "restricted": {"public": [], "restricted": ["r1", "r2"]},
        "hidden": {"public": [], "restricted": []},
        "gone": {"public": [], "restricted": []},
    }


def test_granule_returns_its_timeline(granule_store: Store) -> None:
    stored = granule_store.granule(PROPRIETARY, "g100")
    assert stored is not None
    dataset = Dataset.from_dict(proprietary_dataset(12))
    assert stored.record == Granule.from_dict(granule_record(PROPRIETARY, "g100", NOW - 100 * DAY))
    assert stored.timeline == granule_timeline(stored.record, dataset)
    assert stored.timeline.shifts == ((add_months(NOW - 100 * DAY, 12), PUBLIC),)
    assert stored.changed == NOW - DAY
    assert granule_store.granule(PROPRIETARY, "g101") is None
    assert granule_store.granule("restricted", "g100") is None
    assert granule_store.granules_page("nothing", NOW, visibilities=frozenset(Visibility)) == []


def test_a_new_proprietary_period_retimes_stored_granules(granule_store: Store) -> None:
    assert granule_ids(granule_store, PROPRIETARY, NOW, frozenset({PUBLIC})) == ["g400", "g450"]
    report = load(granule_store, proprietary_dataset(1), now=NOW)
    assert report.datasets == Change(updated=1)
    assert report.granules == Change()
    assert report.retimed == len(GRANULE_AGES)
    assert granule_ids(granule_store, PROPRIETARY, NOW, frozenset({PUBLIC})) == [
        f"g{age:03d}" for age in GRANULE_AGES if age
    ]
    assert granule_ids(granule_store, PROPRIETARY, NOW, frozenset({RESTRICTED})) == ["g000"]
    stored = granule_store.granule(PROPRIETARY, "g100")
    assert stored is not None
    assert stored.timeline.shifts == ((add_months(NOW - 100 * DAY, 1), PUBLIC),)


def test_reloading_without_an_access_change_retimes_nothing(granule_store: Store) -> None:
    report = load(granule_store, {**proprietary_dataset(12), "keywords": ["x-ray"]}, now=NOW)
    assert (report.datasets, report.retimed) == (Change(updated=1), 0)


def test_stats_count_by_visibility(granule_store: Store) -> None:
    records = granule_catalog()
    datasets = [Dataset.from_dict(r) for r in records if r["type"] == "dataset"]
    expected_datasets = {str(v): sum(visibility_at(d, NOW) is v for d in datasets) for v in Visibility}
    granule_visibilities = list(expected_granules(records, NOW).values())
    expected = {str(v): granule_visibilities.count(v) for v in Visibility}
    stats = granule_store.stats(NOW)
    assert (stats.missions, stats.datasets, stats.granules) == (0, expected_datasets, expected)
    assert expected == {"public": 2, "restricted": 10, "deleted": 0, "hidden": 3}
    brief = granule_store.stats(NOW, granules=False)
    assert (brief.missions, brief.datasets, brief.granules) == (0, expected_datasets, None)


def test_stats_of_an_empty_store(store: Store) -> None:
    stats = store.stats(NOW)
    zero = {str(v): 0 for v in Visibility}
    assert (stats.missions, stats.datasets, stats.granules) == (0, zero, zero)


def test_missions_and_lookups(store: Store) -> None:
    load(store, mission_record("m2"), mission_record("m1"), mission_record("m3"), now=NOW)
    load(store, dataset_record("a", mission="m1"), dataset_record("b", mission="m2"), now=NOW + DAY)
    assert [m.record.id for m in store.missions()] == ["m1", "m2", "m3"]
    assert [m.record.id for m in store.missions(["m3", "m1", "zz"])] == ["m1", "m3"]
    assert store.missions([]) == []
    mission = store.mission("m2")
    assert mission is not None
    assert (mission.record.name, mission.changed) == ({"en": "M2"}, NOW)
    assert store.mission("zz") is None
    stored = store.dataset("a")
    assert stored is not None
    assert (stored.record.mission, stored.changed) == ("m1", NOW + DAY)
    assert store.dataset("zz") is None
    assert sorted(store.datasets_by_id(["b", "a", "zz"])) == ["a", "b"]
    assert store.datasets_by_id([]) == {}


def test_all_datasets_iterates_past_its_batch(store: Store) -> None:
    expected = sorted(f"d{index:04d}" for index in range(523))
    load(store, *(dataset_record(dataset_id) for dataset_id in reversed(expected)), now=NOW)
    assert [stored.record.id for stored in store.all_datasets()] == expected


def test_shared_examples_at_now(seeded_store: Store) -> None:
    assert [m.record.id for m in seeded_store.missions()] == ["akatsuki", "hayabusa2", "xrism"]
    expected = {
        PUBLIC: ["hyb2-onc-l2b", "vco-lir-l3-beta", "xrism-resolve-obs"],
        RESTRICTED: ["hyb2-onc-raw"],
        DELETED: ["ryugu-shape-v1"],
        HIDDEN: ["ss-520-x-hk"],
    }
    for visibility, dataset_ids in expected.items():
        page = seeded_store.datasets_page(NOW, visibilities=frozenset({visibility}))
        assert page_ids(page) == dataset_ids, visibility
    xrism = "xrism-resolve-obs"
    assert granule_ids(seeded_store, xrism, NOW, frozenset({PUBLIC})) == ["000128000"]
    assert granule_ids(seeded_store, xrism, NOW, frozenset({RESTRICTED})) == ["000412000"]
    proprietary = seeded_store.granule(xrism, "000412000")
    assert proprietary is not None
    assert proprietary.timeline.initial is RESTRICTED
    assert proprietary.timeline.shifts == ((parse_time("2027-10-02"), PUBLIC),)
    stats = seeded_store.stats(NOW)
    assert (stats.missions, stats.datasets) == (3, {"public": 3, "restricted": 1, "deleted": 1, "hidden": 1})
    assert stats.granules == {"public": 1, "restricted": 1, "deleted": 0, "hidden": 0}
