"""Set membership in the store on SQLite and PostgreSQL: static sets, access sets by the clock, counts, ListSets."""

from datetime import datetime
from typing import Any

import pytest

from catalog.store import Store, StoredDataset
from catalog.vocab import Visibility
from tests.catalog.test_store import (
    DAY,
    DELETED,
    LISTED,
    PUBLIC,
    RESTRICTED,
    SECOND,
    SHOWN,
    dataset_record,
    discarded,
    load,
    mission_record,
    page_ids,
    restricted_access,
)
from tests.conftest import NOW

LOADED = NOW - DAY
RELEASE = NOW + 10 * DAY
LATER = RELEASE + DAY


def catalog() -> list[dict[str, Any]]:
    released = restricted_access(RELEASE, after="release")
    return [
        mission_record("hayabusa2"),
        mission_record("arase"),
        dataset_record("h2-onc", mission="hayabusa2", instruments=["ONC-T"], doi="10.17597/h2-onc"),
        dataset_record("h2-nirs", mission="hayabusa2", instruments=["NIRS3"], category="analysis"),
        dataset_record("arase-lepe", released, mission="arase", instruments=["LEPe"]),
        dataset_record(
            "arase-xep",
            restricted_access(RELEASE, after="release", disclose=False),
            mission="arase",
            instruments=["XEP-e"],
            doi="10.34515/arase-xep",
        ),
        dataset_record("sim", category="simulation", doi="10.17597/sim"),
        dataset_record(
            "gone", mission="hayabusa2", instruments=["ONC-W1"], doi="10.17597/gone", lifecycle=discarded(NOW - 2 * DAY)
        ),
    ]


@pytest.fixture
def sets_store(store: Store) -> Store:
    load(store, *catalog(), now=LOADED)
    return store


def in_set(
    store: Store,
    now: datetime,
    set_spec: str | None,
    *,
    visibilities: frozenset[Visibility] = LISTED,
    since: datetime | None = None,
    limit: int = 2,
) -> list[StoredDataset]:
    """Follow the pages of one set to the end, and check that the count agrees with what was paged."""
    seen: list[StoredDataset] = []
    after: tuple[datetime, str] | None = None
    for _ in range(100):
        page = store.datasets_page(
            now, visibilities=visibilities, after=after, since=since, limit=limit, set_spec=set_spec
        )
        seen.extend(page)
        if len(page) < limit:
            break
        after = (page[-1].datestamp(now), page[-1].record.id)
    else:
        pytest.fail("datasets_page never ran out of pages")
    assert store.count_datasets(now, visibilities=visibilities, since=since, set_spec=set_spec) == len(seen)
    return seen


def ids(store: Store, now: datetime, set_spec: str | None, **options: Any) -> set[str]:
    return set(page_ids(in_set(store, now, set_spec, **options)))


@pytest.mark.parametrize(
    ("set_spec", "expected"),
    [
        (None, {"h2-onc", "h2-nirs", "arase-lepe", "sim", "gone"}),
        ("mission:hayabusa2", {"h2-onc", "h2-nirs", "gone"}),
        ("mission:hayabusa2:onc-t", {"h2-onc"}),
        ("mission:hayabusa2:onc-w1", {"gone"}),
        ("mission:arase", {"arase-lepe"}),
        ("mission:arase:lepe", {"arase-lepe"}),
        ("mission:arase:xep-e", set()),
        ("category:observation", {"h2-onc", "arase-lepe", "gone"}),
        ("category:analysis", {"h2-nirs"}),
        ("category:simulation", {"sim"}),
        ("openaire_data", {"h2-onc", "sim", "gone"}),
        ("access:open", {"h2-onc", "h2-nirs", "sim"}),
        ("access:restricted", {"arase-lepe"}),
        ("mission:nowhere", set()),
        ("category:observation:x", set()),
    ],
)
def test_set_filters_at_now(sets_store: Store, set_spec: str | None, expected: set[str]) -> None:
    assert ids(sets_store, NOW, set_spec) == expected
    assert ids(sets_store, NOW, set_spec, limit=100) == expected


def test_deleted_datasets_stay_in_their_static_sets_as_tombstones(sets_store: Store) -> None:
    assert ids(sets_store, NOW, "openaire_data", visibilities=frozenset({DELETED})) == {"gone"}
    assert ids(sets_store, NOW, "openaire_data", visibilities=SHOWN) == {"h2-onc", "sim"}


def test_access_sets_intersect_the_visibilities_asked_for(sets_store: Store) -> None:
    assert ids(sets_store, NOW, "access:open", visibilities=frozenset({RESTRICTED})) == set()
    assert ids(sets_store, NOW, "access:restricted", visibilities=frozenset({RESTRICTED})) == {"arase-lepe"}
    assert ids(sets_store, NOW, "access:open", visibilities=frozenset({DELETED})) == set()
    assert ids(sets_store, NOW, "access:open", visibilities=frozenset()) == set()


def test_a_release_by_the_clock_moves_a_dataset_between_access_sets(sets_store: Store) -> None:
    before = RELEASE - SECOND
    assert ids(sets_store, before, "access:restricted") == {"arase-lepe"}
    assert ids(sets_store, LATER, "access:restricted") == set()
    assert ids(sets_store, LATER, "access:open") == {"h2-onc", "h2-nirs", "sim", "arase-lepe", "arase-xep"}
    assert ids(sets_store, LATER, "mission:arase:xep-e") == {"arase-xep"}
    moved = in_set(sets_store, LATER, "access:open", since=RELEASE)
    assert [(stored.record.id, stored.datestamp(LATER)) for stored in moved] == [
        ("arase-lepe", RELEASE),
        ("arase-xep", RELEASE),
    ]


def test_sets_lists_only_sets_with_a_disclosed_member(sets_store: Store) -> None:
    assert sets_store.sets(NOW) == [
        "access:open",
        "access:restricted",
        "category:analysis",
        "category:observation",
        "category:simulation",
        "mission:arase",
        "mission:arase:lepe",
        "mission:hayabusa2",
        "mission:hayabusa2:nirs3",
        "mission:hayabusa2:onc-t",
        "mission:hayabusa2:onc-w1",
        "openaire_data",
    ]
    later = sets_store.sets(LATER)
    assert "mission:arase:xep-e" in later
    assert "access:restricted" not in later


def test_a_set_of_undisclosed_datasets_is_never_listed(store: Store) -> None:
    hidden = restricted_access(RELEASE, disclose=False)
    load(store, mission_record("secret"), dataset_record("s1", hidden, mission="secret", doi="10.17597/s1"), now=NOW)
    assert store.sets(NOW) == []
    assert store.count_datasets(NOW, visibilities=frozenset(Visibility) - {Visibility.HIDDEN}) == 0
    assert store.count_datasets(NOW, visibilities=LISTED, set_spec="mission:secret") == 0


def test_an_empty_store_has_no_sets(store: Store) -> None:
    assert store.sets(NOW) == []
    assert store.count_datasets(NOW, visibilities=LISTED) == 0
    assert store.earliest_datestamp(NOW, visibilities=LISTED) is None


def test_a_new_mission_moves_the_dataset_between_sets_and_its_datestamp(sets_store: Store) -> None:
    record = dataset_record("h2-nirs", mission="arase", instruments=["NIRS3"], category="analysis")
    report = load(sets_store, mission_record("hayabusa2"), mission_record("arase"), record, now=NOW)
    assert report.datasets.updated == 1
    assert ids(sets_store, NOW, "mission:hayabusa2") == {"h2-onc", "gone"}
    assert ids(sets_store, NOW, "mission:arase") == {"arase-lepe", "h2-nirs"}
    assert [s.record.id for s in in_set(sets_store, NOW, "mission:arase", since=NOW)] == ["h2-nirs"]
    stored = sets_store.dataset("h2-nirs")
    assert stored is not None
    assert stored.datestamp(NOW) == NOW
    listed = sets_store.sets(NOW)
    assert "mission:arase:nirs3" in listed
    assert "mission:hayabusa2:nirs3" not in listed


def test_reloading_unchanged_records_keeps_their_sets(sets_store: Store) -> None:
    before = sets_store.sets(NOW)
    report = load(sets_store, *catalog(), now=NOW)
    assert report.datasets.updated == 0
    assert sets_store.sets(NOW) == before
    assert ids(sets_store, NOW, "mission:hayabusa2:onc-t") == {"h2-onc"}


def test_earliest_datestamp_ignores_hidden_datasets(store: Store) -> None:
    first, second = NOW - 3 * DAY, NOW - 2 * DAY
    load(store, dataset_record("hidden", restricted_access(RELEASE, after="release", disclose=False)), now=first)
    load(store, dataset_record("shown", restricted_access(RELEASE, after="release")), now=second)
    assert store.earliest_datestamp(NOW, visibilities=LISTED) == second
    assert store.earliest_datestamp(NOW, visibilities=frozenset({PUBLIC})) is None
    assert store.earliest_datestamp(LATER, visibilities=frozenset({PUBLIC})) == RELEASE
    assert store.earliest_datestamp(LATER, visibilities=LISTED) == RELEASE
