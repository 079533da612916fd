"""The store's side of renditions, on both backends: stored per stretch of time, chosen by the moment and the
context, replaced whole, and kept fresh by `harvest.renditions.refresh` (which renders only what is stale)."""

from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from typing import Any, cast

import pytest
from sqlalchemy import Engine

from catalog.store import Rendition, Store, migrate, open_store
from catalog.store.sql import engine_for
from catalog.timeutil import to_epoch
from catalog.vocab import Visibility
from crosswalks.renditions import RenderContext, stretches
from harvest.renditions import refresh
from tests.catalog.test_store import dataset_record, load, restricted_access
from tests.conftest import NOW

DAY = timedelta(days=1)
CONTEXT = RenderContext("catalog.test", "TEST.SYMBOL", "http://catalog.test/datasets/")
SHOWN = frozenset({Visibility.PUBLIC, Visibility.RESTRICTED, Visibility.DELETED})


def rendition(store: Store, dataset_id: str, prefix: str, since: int, until: int | None, body: bytes) -> Rendition:
    """A rendition of the version of the dataset the store holds."""
    stored = store.dataset(dataset_id)
    assert stored is not None
    return Rendition(prefix, since, until, stored.digest, to_epoch(stored.changed), CONTEXT.key, None, body)


def bodies(
    store: Store, moment_offset: timedelta, prefix: str | None = "oai_dc", context: str = CONTEXT.key
) -> dict[str, bytes | None]:
    entries = store.dataset_entries(NOW + moment_offset, visibilities=SHOWN, prefix=prefix, context=context)
    return {entry.id: None if entry.rendition is None else entry.rendition.body for entry in entries}


def test_the_rendition_of_the_stretch_holding_the_moment_is_chosen(store: Store) -> None:
    load(store, dataset_record("a"), dataset_record("b"), now=NOW)
    middle = to_epoch(NOW + 10 * DAY)
    store.put_renditions(
        {
            "a": [
                rendition(store, "a", "oai_dc", 0, middle, b"<early/>"),
                rendition(store, "a", "oai_dc", middle, None, b"<late/>"),
            ]
        }
    )
    assert bodies(store, DAY) == {"a": b"<early/>", "b": None}
    assert bodies(store, 10 * DAY) == {"a": b"<late/>", "b": None}
    assert bodies(store, DAY, prefix="datacite") == {"a": None, "b": None}
    assert bodies(store, DAY, context="another") == {"a": None, "b": None}
    assert bodies(store, DAY, prefix=None) == {"a": None, "b": None}
    entries = store.dataset_entries(NOW + DAY, visibilities=SHOWN, prefix="oai_dc", context=CONTEXT.key)
    assert all(entry.doc is None for entry in entries), "list pages never read the JSON"


def test_a_rendition_of_another_version_is_not_served(store: Store) -> None:
    load(store, dataset_record("a"), now=NOW)
    store.put_renditions({"a": [rendition(store, "a", "oai_dc", 0, None, b"<v1/>")]})
    assert bodies(store, DAY) == {"a": b"<v1/>"}
    load(store, dataset_record("a", keywords=["v2"]), now=NOW + DAY)
    assert bodies(store, 2 * DAY) == {"a": None}


def test_putting_renditions_replaces_all_of_a_datasets_and_none_of_the_others(store: Store) -> None:
    load(store, dataset_record("a"), dataset_record("b"), now=NOW)
    store.put_renditions(
        {
            "a": [rendition(store, "a", "oai_dc", 0, None, b"<a1/>")],
            "b": [rendition(store, "b", "oai_dc", 0, None, b"<b/>")],
        }
    )
    store.put_renditions({"a": [rendition(store, "a", "datacite", 0, None, b"<a2/>")]})
    assert bodies(store, DAY) == {"a": None, "b": b"<b/>"}
    assert bodies(store, DAY, prefix="datacite") == {"a": b"<a2/>", "b": None}
    versions = {
        key: {(stored.digest, to_epoch(stored.changed))} for key, stored in store.datasets_by_id(["a", "b"]).items()
    }
    assert store.rendition_states(["a", "b", "c"], CONTEXT.key) == versions
    assert store.rendition_count(CONTEXT.key) == (2, 2)
    store.put_renditions({"a": []})
    assert store.rendition_count(CONTEXT.key) == (1, 2)


def test_related_targets_give_doi_and_timeline_without_decoding(store: Store) -> None:
    release = NOW + 30 * DAY
    load(
        store,
        dataset_record("with-doi", doi="10.1234/x"),
        dataset_record("secret", restricted_access(release, after="release", disclose=False)),
        now=NOW,
    )
    found = store.related_targets(["with-doi", "secret", "unknown"])
    assert set(found) == {"with-doi", "secret"}
    assert found["with-doi"][0] == "10.1234/x"
    assert found["secret"][0] is None
    assert found["secret"][1].at(NOW) is Visibility.HIDDEN
    assert found["secret"][1].at(release + DAY) is Visibility.PUBLIC


def test_entries_by_id_page_every_dataset_with_its_json(store: Store) -> None:
    load(store, *(dataset_record(f"d{index:03d}") for index in range(25)), now=NOW)
    seen: list[str] = []
    after = None
    while page := store.entries_by_id(after=after, limit=7):
        assert all(entry.doc is not None and entry.record().id == entry.id for entry in page)
        seen += [entry.id for entry in page]
        after = page[-1].id
    assert seen == [f"d{index:03d}" for index in range(25)]


@pytest.mark.parametrize("workers", [0, 2])
def test_refresh_renders_what_is_stale_and_only_that(store: Store, workers: int) -> None:
    release = NOW + 30 * DAY
    load(
        store,
        dataset_record("open", doi="10.1234/open"),
        dataset_record("embargoed", restricted_access(release, after="release")),
        dataset_record("undisclosed", restricted_access(NOW + 3000 * DAY, disclose=False)),
        now=NOW,
    )
    first = refresh(store, CONTEXT, workers=workers)
    assert (first.datasets, first.rendered) == (3, 2), "a dataset never listed has nothing to render"
    assert first.renditions == 3 + 2, "three formats for the DOI; oai_dc before and after the release"
    assert refresh(store, CONTEXT, workers=workers).rendered == 0
    load(store, dataset_record("open", doi="10.1234/open", keywords=["changed"]), now=NOW + DAY)
    again = refresh(store, CONTEXT, workers=workers)
    assert again.rendered == 1
    assert refresh(store, CONTEXT, workers=workers, force=True).rendered == 3
    assert refresh(store, RenderContext("catalog.test", "OTHER", "http://elsewhere/"), workers=workers).rendered == 2
    stored = store.dataset("embargoed")
    assert stored is not None
    expected = (stored.digest, to_epoch(stored.changed))
    assert store.rendition_states(["embargoed"], CONTEXT.key) == {}, "re-rendered in the other context"
    refresh(store, CONTEXT, workers=workers)
    assert store.rendition_states(["embargoed"], CONTEXT.key) == {"embargoed": {expected}}
    spans = [(since, until) for since, until, _ in stretches(stored.record, stored.timeline, stored.changed)]
    assert spans == [(0, to_epoch(release)), (to_epoch(release), None)]


class CountingStore:
    """A store that counts the calls of some of its methods."""

    def __init__(self, store: Store, counted: set[str]) -> None:
        self.store = store
        self.calls: Counter[str] = Counter()
        self.counted = counted

    def __getattr__(self, name: str) -> Any:
        found = getattr(self.store, name)
        if name not in self.counted:
            return found

        def counting(*args: Any, **kwargs: Any) -> Any:
            self.calls[name] += 1
            return found(*args, **kwargs)

        return counting


def test_a_first_rendering_looks_nothing_up_and_analyzes_once(store: Store) -> None:
    """With no rendition in its context, a refresh knows every listed dataset is stale; the planner gets statistics
    as soon as the first batch is written, not after the last."""
    load(store, *(dataset_record(f"d{index:03d}") for index in range(450)), now=NOW)
    counting = CountingStore(store, {"rendition_states", "analyze"})
    first = refresh(cast(Store, counting), CONTEXT)
    assert (first.datasets, first.rendered) == (450, 450)
    assert counting.calls == Counter({"analyze": 1})
    load(store, dataset_record("d007", keywords=["changed"]), now=NOW + DAY)
    counting.calls.clear()
    again = refresh(cast(Store, counting), CONTEXT)
    assert again.rendered == 1
    assert counting.calls == Counter({"rendition_states": 3}), "three batches of 200 looked up, no analysis"


@pytest.fixture
def postgresql_store(postgresql_url: str) -> Iterator[tuple[Store, Engine]]:
    """A migrated PostgreSQL store, and an engine of its own to look at its tables with."""
    migrate(postgresql_url)
    store = open_store(postgresql_url)
    engine = engine_for(postgresql_url)
    yield store, engine
    engine.dispose()
    store.dispose()


@pytest.mark.postgresql
def test_a_load_leaves_the_planner_statistics_up_to_date(postgresql_store: tuple[Store, Engine]) -> None:
    """PostgreSQL plans keyset pages badly without statistics; SQLite's `analyze` is a no-op."""
    store, engine = postgresql_store
    load(store, *(dataset_record(f"s{index:03d}") for index in range(30)), now=NOW)
    with engine.connect() as connection:
        analyzed = connection.exec_driver_sql(
            "SELECT relname FROM pg_stat_user_tables WHERE schemaname = current_schema() AND last_analyze IS NOT NULL"
        )
        assert {row[0] for row in analyzed} >= {"datasets", "dataset_sets", "renditions", "granules"}
        vacuumed = connection.exec_driver_sql(
            "SELECT relname FROM pg_stat_user_tables WHERE schemaname = current_schema() AND last_vacuum IS NOT NULL"
        )
        assert {row[0] for row in vacuumed} == {"datasets", "dataset_sets", "renditions"}, "granules are not"


@pytest.mark.postgresql
def test_rendition_bodies_stay_in_their_rows_compressed(postgresql_store: tuple[Store, Engine]) -> None:
    """Migration 0009: a page of renditions reads no TOAST table; lz4 compresses them where the server has it."""
    store, engine = postgresql_store
    load(store, dataset_record("a"), now=NOW)
    body = b"".join(b"<dc:subject>keyword %d</dc:subject>" % index for index in range(200))
    assert len(body) > 6000
    store.put_renditions({"a": [rendition(store, "a", "oai_dc", 0, None, body)]})
    assert bodies(store, DAY) == {"a": body}
    with engine.connect() as connection:
        stored, size, storage, method, lz4, toast_table = connection.exec_driver_sql(
            "SELECT pg_column_size(r.body), length(r.body), a.attstorage, a.attcompression, "
            "EXISTS (SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' "
            "AND 'lz4' = ANY(enumvals)), "
            "c.reltoastrelid::regclass::text FROM renditions r, pg_class c, pg_attribute a "
            "WHERE c.oid = 'renditions'::regclass AND a.attrelid = c.oid AND a.attname = 'body'"
        ).one()
        toasted = connection.exec_driver_sql(f"SELECT coalesce(sum(length(chunk_data)), 0) FROM {toast_table}")
        toast = toasted.scalar_one()
    assert storage == "m"
    assert stored < size / 4, "compressed"
    assert toast < stored, "in its row: the TOAST table does not hold it"
    assert method == ("l" if lz4 else "")
