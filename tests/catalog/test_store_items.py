"""Item search in the store on SQLite and PostgreSQL: what the public may see at a moment, every sort paged forward
and back by keyset against a brute-force answer from the policy, ties, the antimeridian, counts and their budget."""

import random
import time
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import pytest

from catalog.policy import granule_visibility_at
from catalog.records import Dataset, Granule
from catalog.store import ItemQuery, SortKey, Store, items
from catalog.store.items import footprint_of
from catalog.timeutil import format_time
from catalog.vocab import Visibility
from tests.catalog.test_store import DAY, dataset_record, discarded, load, mission_record, restricted_access
from tests.conftest import NOW

RELEASE = NOW + 10 * DAY
LATER = RELEASE + DAY
HOUR = timedelta(hours=1)
SHOWN = (Visibility.PUBLIC, Visibility.RESTRICTED)

Record = dict[str, Any]


def granule(dataset_id: str, number: int, rng: random.Random) -> Record:
    """A granule with a start drawn from few values (so that sort keys tie), and sometimes a bbox."""
    start = NOW - 400 * DAY + rng.randrange(12) * 30 * DAY
    record: Record = {
        "type": "granule",
        "id": f"g{number:03d}",
        "dataset": dataset_id,
        "start": format_time(start),
        "end": format_time(start + rng.randrange(1, 48) * HOUR),
        "properties": {"exposure_s": rng.randrange(10, 5000)},
        "assets": [{"href": f"https://data.example/{dataset_id}/g{number:03d}.fits", "roles": ["data"]}],
    }
    kind = rng.randrange(4)
    if kind == 1:
        west = rng.uniform(-170, 160)
        south = rng.uniform(-80, 70)
        record["bbox"] = [west, south, west + rng.uniform(0.5, 10), south + rng.uniform(0.5, 10)]
    elif kind == 2:
        record["bbox"] = [rng.uniform(170, 179), -10.0, rng.uniform(-179, -170), 10.0]
    return record


def catalog() -> list[Record]:
    rng = random.Random(5)
    records: list[Record] = [
        mission_record("m1"),
        dataset_record("open", mission="m1"),
        dataset_record("embargo", restricted_access(RELEASE, after="release"), mission="m1"),
        dataset_record("secret", restricted_access(RELEASE, disclose=False), mission="m1"),
        dataset_record("gone", lifecycle=discarded(NOW - 5 * DAY)),
        dataset_record("rolling", {"status": "public", "proprietary_months": 12}, title={"en": "Rolling Venus"}),
    ]
    for dataset_id in ("open", "embargo", "secret", "gone", "rolling"):
        records.extend(granule(dataset_id, number, rng) for number in range(23))
    records.append(
        {
            **granule("open", 99, rng),
            "access": {
                "status": "restricted",
                "reason": "privacy-or-safety",
                "scope": "team",
                "until": "2099-01-01",
                "disclose": False,
            },
        }
    )
    return records


@pytest.fixture(params=[True, False], ids=["by-dataset", "one-walk"])
def items_store(store: Store, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Store:
    """The test catalog; searched dataset by dataset (its few datasets), or forced to one walk of the sort order."""
    if not request.param:
        monkeypatch.setattr(items, "ARMS", 0)
        monkeypatch.setattr(items, "SOURCES", 0)
    load(store, *catalog(), now=NOW - 30 * DAY)
    return store


def truth(moment: datetime) -> list[tuple[Granule, Dataset, Visibility]]:
    """What the policy says the public may see at `moment`, from the records alone."""
    records = catalog()
    datasets = {r["id"]: Dataset.from_dict(r) for r in records if r["type"] == "dataset"}
    found = []
    for record in records:
        if record["type"] != "granule":
            continue
        item = Granule.from_dict(record)
        dataset = datasets[item.dataset]
        visibility = granule_visibility_at(item, dataset, moment, dataset_shown_before=True)
        if visibility in SHOWN:
            found.append((item, dataset, visibility))
    return found


def sort_value(item: Granule, field: str) -> Any:
    return {
        "datetime": int(item.start.timestamp()),
        "start_datetime": int(item.start.timestamp()),
        "end_datetime": int(item.end.timestamp()),
        "id": item.id,
        "collection": item.dataset,
    }[field]


def ordered(found: Sequence[Granule], sort: Sequence[SortKey]) -> list[tuple[str, str]]:
    """Brute-force order: stable sorts from the last key to the first, then the tie-breakers."""
    keys = list(sort)
    fields = [key.field for key in keys]
    last = keys[-1].descending if keys else False
    if "collection" not in fields:
        keys.append(SortKey("collection", last))
    if "id" not in fields:
        keys.append(SortKey("id", last))
    result = list(found)
    for key in reversed(keys):
        result.sort(
            key=lambda g: sort_value(g, "datetime" if key.field == "start_datetime" else key.field),
            reverse=key.descending,
        )
    return [(g.dataset, g.id) for g in result]


def page_through(store: Store, moment: datetime, query: ItemQuery, limit: int) -> list[list[tuple[str, str]]]:
    pages = []
    after = None
    while True:
        page = store.search_items(moment, query, limit=limit, after=after)
        pages.append([(i.granule.record.dataset, i.granule.record.id) for i in page.items])
        if page.after is None:
            return pages
        after = page.after


SORTS = [
    (),
    (SortKey("datetime"),),
    (SortKey("datetime", descending=True),),
    (SortKey("end_datetime"),),
    (SortKey("id"),),
    (SortKey("collection", descending=True),),
    (SortKey("datetime", descending=True), SortKey("id")),
    (SortKey("collection"), SortKey("datetime", descending=True)),
]


@pytest.mark.parametrize("sort", SORTS, ids=lambda s: ",".join(("-" if k.descending else "+") + k.field for k in s))
def test_every_sort_pages_forward_and_back_through_exactly_what_is_visible(items_store: Store, sort: Any) -> None:
    query = ItemQuery(sort=tuple(sort)) if sort else ItemQuery()
    expected = ordered([g for g, _, _ in truth(NOW)], query.sort)
    pages = page_through(items_store, NOW, query, 7)
    assert [key for page in pages for key in page] == expected
    assert all(len(page) == 7 for page in pages[:-1])
    # back from the last page with `before`, page by page, to the first
    first_key = items_store.search_items(NOW, query, limit=7, after=None)
    assert first_key.before is None
    last = items_store.search_items(NOW, query, limit=len(expected) + 5)
    keys = [i.key for i in last.items]
    before: tuple[Any, ...] | None = keys[len(expected) - len(pages[-1])]
    back: list[list[tuple[str, str]]] = []
    while before is not None:
        page = items_store.search_items(NOW, query, limit=7, before=before)
        back.insert(0, [(i.granule.record.dataset, i.granule.record.id) for i in page.items])
        before = page.before
    assert [key for page in back for key in page] == expected[: len(expected) - len(pages[-1])]


def test_hidden_deleted_and_undisclosed_never_appear_and_releases_need_no_write(items_store: Store) -> None:
    now_found = {
        (i.granule.record.dataset, i.granule.record.id): i.visibility
        for i in items_store.search_items(NOW, ItemQuery(), limit=1000).items
    }
    assert not any(dataset in ("secret", "gone") for dataset, _ in now_found)
    assert ("open", "g099") not in now_found
    assert {v for (d, _), v in now_found.items() if d == "embargo"} == {Visibility.RESTRICTED}
    assert {(g.dataset, g.id): v for g, _, v in truth(NOW)} == now_found
    later = {
        (i.granule.record.dataset, i.granule.record.id): i.visibility
        for i in items_store.search_items(LATER, ItemQuery(), limit=1000).items
    }
    assert {v for (d, _), v in later.items() if d == "embargo"} == {Visibility.PUBLIC}
    assert {(g.dataset, g.id): v for g, _, v in truth(LATER)} == later
    rolling = {v for (d, _), v in now_found.items() if d == "rolling"}
    assert rolling == {Visibility.PUBLIC, Visibility.RESTRICTED}


def _expected(moment: datetime, keep: Any) -> set[tuple[str, str]]:
    return {(g.dataset, g.id) for g, d, _ in truth(moment) if keep(g, d)}


def _found(store: Store, query: ItemQuery) -> set[tuple[str, str]]:
    page = store.search_items(NOW, query, limit=1000)
    assert page.after is None
    found = {(i.granule.record.dataset, i.granule.record.id) for i in page.items}
    assert len(found) == len(page.items)
    count = store.count_items(NOW, query, budget=5.0)
    if query.intersects is None:
        assert count == len(found)
    return found


def test_filters_match_the_brute_force_answer(items_store: Store) -> None:
    start, end = NOW - 200 * DAY, NOW - 100 * DAY
    assert _found(items_store, ItemQuery(start=start, end=end)) == _expected(
        NOW, lambda g, d: g.end >= start and g.start <= end
    )
    assert _found(items_store, ItemQuery(start=start)) == _expected(NOW, lambda g, d: g.end >= start)
    assert _found(items_store, ItemQuery(collections=("embargo", "secret"))) == _expected(
        NOW, lambda g, d: g.dataset == "embargo"
    )
    assert _found(items_store, ItemQuery(ids=("g001", "g002", "g099"))) == _expected(
        NOW, lambda g, d: g.id in ("g001", "g002")
    )
    assert _found(items_store, ItemQuery(collections=())) == set()
    assert _found(items_store, ItemQuery(text="venus")) == _expected(NOW, lambda g, d: g.dataset == "rolling")


def _meets(granule: Granule, box: tuple[float, float, float, float]) -> bool:
    footprint = footprint_of(granule)
    if footprint is None:
        return False
    import shapely.geometry

    west, south, east, north = box
    query: Any
    if west > east:
        query = shapely.geometry.MultiPolygon(
            [shapely.geometry.box(west, south, 180, north), shapely.geometry.box(-180, south, east, north)]
        )
    else:
        query = shapely.geometry.box(west, south, east, north)
    return bool(footprint.intersects(query))


@pytest.mark.parametrize(
    "box", [(-180.0, -90.0, 180.0, 90.0), (0.0, 0.0, 60.0, 40.0), (175.0, -5.0, -175.0, 5.0), (178.5, 0, 179.0, 1)]
)
def test_bbox_and_intersects_across_the_antimeridian(
    items_store: Store, box: tuple[float, float, float, float]
) -> None:
    expected = _expected(NOW, lambda g, d: _meets(g, box))
    assert expected or box == (178.5, 0, 179.0, 1)
    assert _found(items_store, ItemQuery(bbox=box)) == expected
    if box[0] <= box[2]:
        west, south, east, north = box
        polygon = {
            "type": "Polygon",
            "coordinates": [[[west, south], [east, south], [east, north], [west, north], [west, south]]],
        }
        assert _found(items_store, ItemQuery(intersects=polygon)) == expected


def test_intersects_is_exact_beyond_the_bbox(items_store: Store) -> None:
    """A triangle whose bbox meets granules that the triangle itself misses: those are left out."""
    triangle = {"type": "Polygon", "coordinates": [[[-180, -90], [180, -90], [-180, 90], [-180, -90]]]}
    import shapely.geometry

    shape = shapely.geometry.shape(triangle)
    expected = _expected(NOW, lambda g, d: footprint_of(g) is not None and shape.intersects(footprint_of(g)))
    assert _found(items_store, ItemQuery(intersects=triangle)) == expected
    assert expected != _expected(NOW, lambda g, d: footprint_of(g) is not None)


def test_a_count_past_its_budget_is_none_not_an_error(items_store: Store) -> None:
    from sqlalchemy import text

    from catalog.store.items import count_within

    assert items_store.count_items(NOW, ItemQuery(), budget=5.0) == len(truth(NOW))
    slow = text(
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100000000) SELECT count(*) FROM c"
    )
    engine = items_store.engine  # type: ignore[attr-defined]
    with engine.connect() as connection:
        started = time.monotonic()
        assert count_within(connection, slow, 0.05) is None
        assert time.monotonic() - started < 2.0
        quick = text("SELECT count(*) FROM granules")
        assert count_within(connection, quick, 5.0) == sum(r["type"] == "granule" for r in catalog())


@pytest.mark.parametrize("moment", [NOW - 400 * DAY, NOW - 5 * DAY, NOW, RELEASE, RELEASE + HOUR, LATER + 400 * DAY])
def test_the_spelled_out_visibility_agrees_with_the_case(items_store: Store, moment: datetime) -> None:
    """`shown_sql` (what PostgreSQL can estimate) selects what `visibility_sql` does, at any moment."""
    from sqlalchemy import func, select

    from catalog.store.sql import DATASET_SHIFTS, GRANULE_SHIFTS, shown_sql, visibility_sql
    from catalog.store.tables import datasets, granules

    at = int(moment.timestamp())
    engine = items_store.engine  # type: ignore[attr-defined]
    with engine.connect() as connection:
        for table, shifts in ((granules, GRANULE_SHIFTS), (datasets, DATASET_SHIFTS)):
            for wanted in (("public", "restricted"), ("deleted",), ("hidden",)):
                spelled = shown_sql(table, shifts, at, wanted)
                case = visibility_sql(table, shifts, at).in_(wanted)

                counts = [
                    connection.execute(select(func.count()).select_from(table).where(*where)).scalar_one()
                    for where in ((spelled,), (case,), (spelled, case))
                ]
                assert counts[0] == counts[1] == counts[2], (table.name, wanted)
