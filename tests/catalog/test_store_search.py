"""Dataset search in the store on SQLite and PostgreSQL: free text (English, Japanese, full-width), filters, facets
against a brute-force count from the policy, keyset paging, the clock, sitemap listings, and the 0003 backfill."""

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from importlib import import_module
from typing import Any

import pytest
from sqlalchemy import column, insert, select, table

from catalog.demo import demo_records
from catalog.policy import dataset_timeline, visibility_at
from catalog.records import Dataset
from catalog.store import DatasetSearch, Store, migrate, open_store
from catalog.store.search import like_pattern, normalise, search_text_of, terms_of
from catalog.store.sql import dataset_row, engine_for, migrate_url
from catalog.store.tables import datasets
from catalog.timeutil import parse_time, to_epoch
from catalog.vocab import Category, Visibility
from tests.catalog.test_store import (
    DAY,
    SECOND,
    ceil_second,
    dataset_record,
    discarded,
    load,
    mission_record,
    restricted_access,
)
from tests.conftest import NOW

LOADED = NOW - DAY
RELEASE = NOW + 10 * DAY
LATER = RELEASE + DAY
MOMENTS = (NOW, LATER)

Record = dict[str, Any]


def catalog() -> list[Record]:
    """Every policy state, titles in English and Japanese, full-width Latin, and `%`/`_` in a title."""
    return [
        mission_record("hayabusa2"),
        mission_record("arase"),
        mission_record("xrism"),
        dataset_record(
            "h2-onc",
            mission="hayabusa2",
            title={"en": "Hayabusa2 ONC-T calibrated images of Ryugu", "ja": "はやぶさ2 ONC-T リュウグウ較正画像"},
            description={"en": "Radiometrically calibrated images from the telescopic camera."},
            instruments=["ONC-T"],
            targets=["162173 Ryugu"],
            keywords=["asteroid", "imaging"],
            doi="10.17597/isas.darts/hyb2-00200",
            temporal={"start": "2018-06-10T00:00:00Z", "end": "2019-11-12T23:59:59Z"},
        ),
        dataset_record(
            "h2-nirs",
            restricted_access(NOW + 400 * DAY),
            mission="hayabusa2",
            category="analysis",
            title={"en": "Hayabusa2 NIRS3 spectra", "ja": "はやぶさ2 近赤外分光計 スペクトル"},
            instruments=["NIRS3"],
            targets=["162173 Ryugu"],
            temporal={"start": "2018-07-01T00:00:00Z", "end": "2019-12-31T00:00:00Z"},
        ),
        dataset_record(
            "arase-lepe",
            restricted_access(RELEASE, after="release"),
            mission="arase",
            title={"en": "Arase LEP-e electron flux", "ja": "あらせ 低エネルギー電子"},
            temporal={"start": "2017-03-01T00:00:00Z"},
        ),
        dataset_record(
            "arase-xep",
            restricted_access(RELEASE, after="release", disclose=False),
            mission="arase",
            title={"en": "Arase XEP-e secret flux", "ja": "あらせ 秘密 電子"},
            temporal={"start": "2017-03-01T00:00:00Z"},
        ),
        dataset_record(
            "gone",
            mission="hayabusa2",
            title={"en": "Hayabusa2 ONC-W1 superseded images of Ryugu"},
            lifecycle=discarded(NOW - 2 * DAY),
        ),
        dataset_record("sim", category="simulation", title={"en": "Dataset 100%_sim of dust"}),
        dataset_record(
            "xrism-resolve",
            mission="xrism",
            title={"en": "ＸＲＩＳＭ Resolve event files", "ja": "クリズム Resolve イベント"},
            keywords=["ﾏｲｸﾛｶﾛﾘﾒｰﾀ"],
            temporal={"start": "2023-09-07T00:00:00Z"},
        ),
    ]


def dataset_records() -> list[Record]:
    return [record for record in catalog() if record["type"] == "dataset"]


@pytest.fixture
def search_store(store: Store) -> Store:
    load(store, *catalog(), now=LOADED)
    return store


@dataclass(frozen=True)
class Filters:
    text: str | None = None
    mission: str | None = None
    category: Category | None = None
    access: Visibility | None = None
    start: datetime | None = None
    end: datetime | None = None

    def arguments(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in ("text", "mission", "category", "access", "start", "end")}


def brute_force(records: Sequence[Record], filters: Filters, now: datetime) -> dict[str, Visibility]:
    """The datasets a search must find, by the policy in Python and plain substring tests: id -> visibility."""
    found: dict[str, Visibility] = {}
    for record in records:
        dataset = Dataset.from_dict(record)
        visibility = visibility_at(dataset, now)
        if visibility not in (Visibility.PUBLIC, Visibility.RESTRICTED):
            continue
        if filters.access is not None and visibility is not filters.access:
            continue
        text = search_text_of(dataset)
        if not all(term in text for term in terms_of(filters.text)):
            continue
        if filters.mission is not None and dataset.mission != filters.mission:
            continue
        if filters.category is not None and dataset.category is not filters.category:
            continue
        temporal = dataset.temporal
        if filters.start is not None or filters.end is not None:
            if temporal is None:
                continue
            if filters.start is not None and temporal.end is not None and temporal.end < filters.start:
                continue
            if filters.end is not None and temporal.start > filters.end:
                continue
        found[dataset.id] = visibility
    return found


def expected_facets(records: Sequence[Record], found: Mapping[str, Visibility]) -> dict[str, dict[str, int]]:
    by_id = {record["id"]: record for record in records}
    missions = Counter(by_id[i]["mission"] for i in found if by_id[i].get("mission"))
    categories = Counter(by_id[i]["category"] for i in found)
    access = Counter(str(v) for v in found.values())
    return {"mission": dict(missions), "category": dict(categories), "access": dict(access)}


def follow(store: Store, now: datetime, filters: Filters, limit: int) -> tuple[list[str], list[DatasetSearch]]:
    """Follow a search's keyset pages to the end; return the ids in order and every page."""
    ids: list[str] = []
    pages: list[DatasetSearch] = []
    after: str | None = None
    for _ in range(100):
        page = store.search_datasets(now, **filters.arguments(), after=after, limit=limit)
        pages.append(page)
        ids.extend(stored.record.id for stored in page.datasets)
        if page.after is None:
            return ids, pages
        assert page.after == page.datasets[-1].record.id
        after = page.after
    raise AssertionError("paging did not end")


def found_ids(store: Store, now: datetime, **filters: Any) -> set[str]:
    ids, _ = follow(store, now, Filters(**filters), limit=100)
    return set(ids)


FILTER_GRID = [
    Filters(),
    Filters(text="ryugu"),
    Filters(text="RYUGU onc"),
    Filters(text="onc ryugu"),
    Filters(text="リュウグウ"),
    Filters(text="較正"),
    Filters(text="はやぶさ2 nirs3"),
    Filters(text="arase"),
    Filters(text="電子"),
    Filters(text="秘密"),
    Filters(text="superseded"),
    Filters(text="xrism"),
    Filters(text="ＲＹＵＧＵ"),
    Filters(text="マイクロ"),
    Filters(text="%"),
    Filters(text="_"),
    Filters(text="100%_"),
    Filters(text="ryugu\\"),
    Filters(text="10.17597/isas.darts/hyb2-00200"),
    Filters(mission="hayabusa2"),
    Filters(mission="arase"),
    Filters(mission="nothing"),
    Filters(category=Category.ANALYSIS),
    Filters(category=Category.SIMULATION),
    Filters(access=Visibility.PUBLIC),
    Filters(access=Visibility.RESTRICTED),
    Filters(start=parse_time("2019-12-01")),
    Filters(end=parse_time("2018-06-30")),
    Filters(start=parse_time("2019-11-13"), end=parse_time("2019-11-30")),
    Filters(start=parse_time("2025-01-01"), end=parse_time("2025-12-31")),
    Filters(start=parse_time("2000-01-01"), end=parse_time("2000-12-31")),
    Filters(text="hayabusa2", mission="hayabusa2", access=Visibility.PUBLIC),
    Filters(mission="arase", access=Visibility.PUBLIC),
]


@pytest.mark.parametrize("now", MOMENTS, ids=["now", "after-release"])
def test_every_search_finds_what_the_policy_and_a_substring_test_say(search_store: Store, now: datetime) -> None:
    records = dataset_records()
    for filters in FILTER_GRID:
        expected = brute_force(records, filters, now)
        ids, pages = follow(search_store, now, filters, limit=100)
        assert set(ids) == set(expected), filters
        result = pages[0]
        assert result.total == len(expected), filters
        assert {name: dict(counts) for name, counts in result.facets.items()} == expected_facets(records, expected)
        visibilities = {stored.record.id: stored.visibility(now) for stored in result.datasets}
        assert visibilities == expected, filters


def test_the_grid_covers_matches_and_misses() -> None:
    """The brute force is only a check if the grid holds searches that find some datasets and not others."""
    sizes = {len(brute_force(dataset_records(), filters, NOW)) for filters in FILTER_GRID}
    assert {0, 1} <= sizes
    assert max(sizes) == 5


def test_english_terms_all_occur_in_any_order_and_case(search_store: Store) -> None:
    assert found_ids(search_store, NOW, text="ryugu") == {"h2-onc", "h2-nirs"}
    assert found_ids(search_store, NOW, text="RYUGU onc") == {"h2-onc"}
    assert found_ids(search_store, NOW, text="  onc\tryugu ") == {"h2-onc"}
    assert found_ids(search_store, NOW, text="ryugu venus") == set()


def test_japanese_terms_match_as_substrings(search_store: Store) -> None:
    assert found_ids(search_store, NOW, text="リュウグウ") == {"h2-onc"}
    assert found_ids(search_store, NOW, text="較正") == {"h2-onc"}
    assert found_ids(search_store, NOW, text="はやぶさ2") == {"h2-onc", "h2-nirs"}
    assert found_ids(search_store, NOW, text="はやぶさ2　近赤外") == {"h2-nirs"}


def test_full_width_and_half_width_forms_match_their_ordinary_forms(search_store: Store) -> None:
    assert found_ids(search_store, NOW, text="xrism") == {"xrism-resolve"}
    assert found_ids(search_store, NOW, text="ＲＹＵＧＵ") == {"h2-onc", "h2-nirs"}
    assert found_ids(search_store, NOW, text="マイクロカロリメータ") == {"xrism-resolve"}


def test_like_wildcards_in_terms_match_literally(search_store: Store) -> None:
    assert found_ids(search_store, NOW, text="%") == {"sim"}
    assert found_ids(search_store, NOW, text="_") == {"sim"}
    assert found_ids(search_store, NOW, text="100%_sim") == {"sim"}
    assert found_ids(search_store, NOW, text="0%_s") == {"sim"}
    assert found_ids(search_store, NOW, text="1_0") == set()
    assert found_ids(search_store, NOW, text="\\") == set()
    assert like_pattern("a%b_c\\") == "%a\\%b\\_c\\\\%"


def test_hidden_and_deleted_datasets_never_appear_nor_count(search_store: Store) -> None:
    """Undisclosed arase-xep is hidden until its release, when it becomes public; discarded `gone` stays out."""
    for now, unseen in ((NOW, {"arase-xep", "gone"}), (RELEASE - SECOND, {"arase-xep", "gone"}), (LATER, {"gone"})):
        for text in (None, "arase", "xep", "秘密", "superseded", "gone", "onc"):
            result = search_store.search_datasets(now, text=text, limit=100)
            ids = {stored.record.id for stored in result.datasets}
            assert not ids & unseen
            assert result.total == len(ids)
            assert sum(result.facets["category"].values()) == result.total
        assert not unseen & {listed.id for listed in search_store.listed_datasets(now)}
    assert search_store.search_datasets(NOW, text="秘密").total == 0
    assert search_store.search_datasets(NOW, mission="arase").facets["mission"] == {"arase": 1}
    assert found_ids(search_store, LATER, text="秘密") == {"arase-xep"}


def test_each_filter_narrows_the_match(search_store: Store) -> None:
    assert found_ids(search_store, NOW, mission="hayabusa2") == {"h2-onc", "h2-nirs"}
    assert found_ids(search_store, NOW, category=Category.ANALYSIS) == {"h2-nirs"}
    assert found_ids(search_store, NOW, access=Visibility.RESTRICTED) == {"h2-nirs", "arase-lepe"}
    assert found_ids(search_store, NOW, access=Visibility.PUBLIC) == {"h2-onc", "sim", "xrism-resolve"}
    assert found_ids(search_store, NOW, text="ryugu", access=Visibility.PUBLIC) == {"h2-onc"}


def test_time_range_overlaps_coverage_and_open_ends_run_on(search_store: Store) -> None:
    """h2-onc covers 2018-06-10..2019-11-12, h2-nirs 2018-07-01..2019-12-31; arase and xrism run on; sim has none."""
    assert found_ids(search_store, NOW, start=parse_time("2019-11-13")) == {"h2-nirs", "arase-lepe", "xrism-resolve"}
    assert found_ids(search_store, NOW, end=parse_time("2018-06-30")) == {"h2-onc", "arase-lepe"}
    assert found_ids(
        search_store, NOW, start=parse_time("2019-11-12T23:59:59Z"), end=parse_time("2019-11-12T23:59:59Z")
    ) == {
        "h2-onc",
        "h2-nirs",
        "arase-lepe",
    }
    assert found_ids(search_store, NOW, start=parse_time("2017-01-01"), end=parse_time("2017-02-28")) == set()


def test_an_access_other_than_public_or_restricted_is_refused(search_store: Store) -> None:
    with pytest.raises(ValueError, match="access"):
        search_store.search_datasets(NOW, access=Visibility.HIDDEN)
    with pytest.raises(ValueError, match="limit"):
        search_store.search_datasets(NOW, limit=0)


@pytest.mark.parametrize("limit", [1, 2, 3, 5, 6, 100])
def test_paging_visits_every_match_once_in_id_order(search_store: Store, limit: int) -> None:
    for filters in (Filters(), Filters(text="ryugu"), Filters(mission="hayabusa2"), Filters(text="none-such")):
        ids, pages = follow(search_store, NOW, filters, limit=limit)
        expected = sorted(brute_force(dataset_records(), filters, NOW))
        assert ids == expected
        assert len(pages) == max(1, -(-len(expected) // limit))
        assert {page.total for page in pages} == {len(expected)}
        assert all(len(page.datasets) <= limit for page in pages)


def test_paging_stays_exact_when_a_dataset_is_added_between_pages(search_store: Store) -> None:
    first = search_store.search_datasets(NOW, limit=2)
    assert first.after is not None
    load(search_store, dataset_record("a-first"), dataset_record("zz-last"), now=NOW)
    rest, _ = follow_from(search_store, NOW, first.after)
    seen = [stored.record.id for stored in first.datasets] + rest
    assert len(seen) == len(set(seen))
    assert "zz-last" in seen
    assert "a-first" not in seen


def follow_from(store: Store, now: datetime, after: str | None) -> tuple[list[str], int]:
    ids: list[str] = []
    pages = 0
    while True:
        page = store.search_datasets(now, after=after, limit=2)
        pages += 1
        ids.extend(stored.record.id for stored in page.datasets)
        if page.after is None:
            return ids, pages
        after = page.after


def test_the_clock_moves_a_dataset_from_restricted_to_public(search_store: Store) -> None:
    before = search_store.search_datasets(RELEASE - SECOND, text="lep-e")
    after = search_store.search_datasets(RELEASE, text="lep-e")
    assert [stored.record.id for stored in before.datasets] == ["arase-lepe"]
    assert before.facets["access"] == {"restricted": 1}
    assert after.facets["access"] == {"public": 1}
    assert "arase-lepe" in found_ids(search_store, RELEASE, access=Visibility.PUBLIC)
    assert "arase-lepe" not in found_ids(search_store, RELEASE, access=Visibility.RESTRICTED)
    assert "arase-lepe" not in found_ids(search_store, RELEASE - SECOND, access=Visibility.PUBLIC)


def test_listed_datasets_are_the_findable_ones_with_their_datestamps(search_store: Store) -> None:
    for now in MOMENTS:
        listed = []
        after = None
        while True:
            batch = search_store.listed_datasets(now, after=after, limit=2)
            listed.extend(batch)
            if len(batch) < 2:
                break
            after = batch[-1].id
        expected = brute_force(dataset_records(), Filters(), now)
        assert [entry.id for entry in listed] == sorted(expected)
        stored = search_store.datasets_by_id(list(expected))
        assert {entry.id: entry.datestamp for entry in listed} == {i: s.datestamp(now) for i, s in stored.items()}
    lepe = {entry.id: entry.datestamp for entry in search_store.listed_datasets(LATER)}["arase-lepe"]
    assert lepe == ceil_second(RELEASE)


def test_listed_start_is_the_keyset_position_of_a_row_number(search_store: Store) -> None:
    ids = [entry.id for entry in search_store.listed_datasets(NOW)]
    assert search_store.listed_start(NOW, 0) is None
    for position in range(1, len(ids)):
        after = search_store.listed_start(NOW, position)
        assert after == ids[position - 1]
        assert [e.id for e in search_store.listed_datasets(NOW, after=after, limit=1)] == [ids[position]]


def test_search_text_is_rewritten_with_each_new_version(search_store: Store) -> None:
    assert found_ids(search_store, NOW, text="renamed") == set()
    changed = dataset_record("sim", category="simulation", title={"en": "Renamed dust model", "ja": "改名 塵"})
    load(search_store, changed, now=NOW)
    assert found_ids(search_store, NOW, text="renamed") == {"sim"}
    assert found_ids(search_store, NOW, text="改名") == {"sim"}
    assert found_ids(search_store, NOW, text="100%") == set()


def test_normalise_folds_width_and_case() -> None:
    assert normalise("ＸＲＩＳＭ Straße ﾏｲｸﾛ") == "xrism strasse マイクロ"
    assert terms_of("  Ryugu　リュウグウ ryugu ") == ["ryugu", "リュウグウ"]
    assert terms_of(None) == []


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def empty_url(request: pytest.FixtureRequest) -> str:
    url: str = request.getfixturevalue(f"{request.param}_url")
    return url


def test_migration_0003_fills_search_text_as_dataset_row_does(empty_url: str) -> None:
    migrate_url(empty_url, "0002")
    records = [r for r in demo_records(granules=0, today=NOW.date()) if r["type"] == "dataset"]
    rows = []
    for record in records:
        dataset = Dataset.from_dict(record)
        row = dataset_row(dataset, dataset_timeline(dataset), to_epoch(NOW), json.dumps(record), "0" * 32)
        rows.append({key: value for key, value in row.items() if key != "search_text"})
    before_0003 = table("datasets", *(column(c.name) for c in datasets.c if c.name != "search_text"))
    engine = engine_for(empty_url)
    try:
        with engine.begin() as connection:
            connection.execute(insert(before_0003), rows)
        migrate(empty_url)
        with engine.connect() as connection:
            stored = dict(connection.execute(select(datasets.c.id, datasets.c.search_text)).all())
    finally:
        engine.dispose()
    assert stored == {r["id"]: search_text_of(Dataset.from_dict(r)) for r in records}
    assert len(stored) == len(records) > 100
    store = open_store(empty_url)
    try:
        found = store.search_datasets(NOW, text="リュウグウ", limit=100)
        assert found.total > 0
        assert all("リュウグウ" in search_text_of(s.record) for s in found.datasets)
    finally:
        store.dispose()


def test_the_migration_keeps_its_own_copy_of_the_rule_in_step() -> None:
    migration = import_module("catalog.migrations.versions.0003_search_text")
    for record in (r for r in demo_records(granules=0, today=NOW.date()) if r["type"] == "dataset"):
        assert migration.search_text(record) == search_text_of(Dataset.from_dict(record))
    plain = dataset_record("plain", title="A plain title", description="Plain words")
    assert (
        migration.search_text(plain) == search_text_of(Dataset.from_dict(plain)) == "plain\na plain title\nplain words"
    )
