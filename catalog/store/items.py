"""Item search in SQL: granules the public may see at a moment, filtered, sorted and paged by keyset.

Every sort ends with the collection and the granule id, so a position in any order is a unique key and a page
continues after (or, for a `prev` link, ends before) the last key seen: no OFFSET, and the thousandth page walks
the same index range as the first (migration 0006 adds the indexes the common orders walk). What the public may
see is decided in SQL at the request's moment from both timelines, the granule's and its dataset's, so a release
by the clock needs no write.
"""

import json
import sqlite3
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import shapely.geometry
import shapely.prepared
from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    bindparam,
    false,
    func,
    or_,
    select,
    text,
    true,
    tuple_,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import OperationalError

from catalog.records import Granule
from catalog.store import ItemKey, ItemQuery, SortKey, StoredDataset, StoredGranule
from catalog.store import search as dataset_search
from catalog.store.expressions import bbox_overlaps, unindexed
from catalog.store.tables import datasets, granules
from catalog.vocab import Visibility

SHOWN = (str(Visibility.PUBLIC), str(Visibility.RESTRICTED))

SORT_COLUMNS: Mapping[str, Any] = {
    "datetime": granules.c.start_time,
    "start_datetime": granules.c.start_time,
    "end_datetime": granules.c.end_time,
    "id": granules.c.id,
    "collection": granules.c.dataset_id,
}
"""Where each sortable field lives; an item's `datetime` is the start of its interval."""

ARMS = 32
"""Up to this many datasets, a search reads each one's index on its own and merges (`rows_in_order`)."""
SOURCES = 2000
"""Up to this many datasets, a search names them in one list rather than by the conditions that chose them."""
BATCH = 200
"""Rows read at a time while an exact geometry test thins a page out."""

Order = list[tuple[Any, bool]]
"""The columns of an order and, for each, whether it descends."""


def order_of(sort: Sequence[SortKey]) -> Order:
    """Return the columns a sort orders by, ending with collection and id (the direction of the last key) so that
    every position is unique."""
    order: Order = []
    seen: set[str] = set()
    for key in sort:
        column = SORT_COLUMNS[key.field]
        if column.name not in seen:
            order.append((column, key.descending))
            seen.add(column.name)
    descending = order[-1][1] if order else False
    for column in (granules.c.dataset_id, granules.c.id):
        if column.name not in seen:
            order.append((column, descending))
            seen.add(column.name)
    return order


def past(order: Order, key: ItemKey) -> ColumnElement[bool]:
    """The rows strictly after `key` in `order`: one row-value comparison when every column runs the same way
    (an index walks it), the expanded form otherwise."""
    directions = {descending for _, descending in order}
    columns = [column for column, _ in order]
    if len(directions) == 1:
        if directions == {True}:
            return tuple_(*columns) < tuple_(*key)
        return tuple_(*columns) > tuple_(*key)
    alternatives = []
    for index, (column, descending) in enumerate(order):
        equal = [order[i][0] == key[i] for i in range(index)]
        beyond = column < key[index] if descending else column > key[index]
        alternatives.append(and_(*equal, beyond))
    return or_(*alternatives)


def reverse(order: Order) -> Order:
    return [(column, not descending) for column, descending in order]


def shown_at(table: Any, shifts: int, now: int) -> ColumnElement[bool]:
    from catalog.store.sql import shown_sql

    return shown_sql(table, shifts, now, SHOWN)


def conditions(
    query: ItemQuery, now: int, dialect: str, sources: Sequence[str] | None = None
) -> list[ColumnElement[bool]]:
    """The SQL of a query: shown at `now` (granule and dataset), and every filter it gives.

    `sources`: every dataset the query may draw from (`candidates`, complete); what they already settle (the
    collections, the free text, the filter's dataset-level conjuncts) becomes one list a planner can estimate.
    """
    from catalog.store.sql import DATASET_SHIFTS, GRANULE_SHIFTS

    g = granules.c
    found: list[ColumnElement[bool]] = [
        shown_at(granules, GRANULE_SHIFTS, now),
        shown_at(datasets, DATASET_SHIFTS, now),
    ]
    if sources is not None:
        found.append(unindexed(g.dataset_id, dialect).in_(sources))
    elif query.collections is not None:
        found.append(unindexed(g.dataset_id, dialect).in_(query.collections) if query.collections else false())
    if query.ids is not None:
        found.append(g.id.in_(query.ids) if query.ids else false())
    if query.start is not None:
        found.append(g.end_time >= int(query.start.timestamp()))
    if query.end is not None:
        found.append(g.start_time <= int(query.end.timestamp()))
    if query.bbox is not None:
        found.append(bbox_overlaps(granules, query.bbox))
    if query.intersects is not None:
        found.append(bbox_overlaps(granules, shapely.geometry.shape(dict(query.intersects)).bounds))
    if query.filter is not None:
        from catalog.store.filters import filter_sql

        found.append(filter_sql(query.filter, dialect, datasets_chosen=sources is not None))
    terms = dataset_search.terms_of(query.text)
    if terms and sources is None:
        likes = [
            datasets.c.search_text.like(dataset_search.like_pattern(term), escape=dataset_search.LIKE_ESCAPE)
            for term in terms
        ]
        found.append(unindexed(g.dataset_id, dialect).in_(select(datasets.c.id).where(*likes)))
    return found


def chooses_datasets(query: ItemQuery, dialect: str) -> bool:
    """Whether a query keeps to some datasets by what the datasets alone say (beyond being shown)."""
    from catalog.store.filters import dataset_sql

    if query.collections is not None or dataset_search.terms_of(query.text):
        return True
    return query.filter is not None and dataset_sql(query.filter, dialect) is not None


def candidates(query: ItemQuery, now: int, dialect: str, limit: int) -> Any:
    """The datasets a query's items may come from, as far as the datasets alone tell (shown at `now`, among
    `collections`, matching `text` and the filter's dataset-level conjuncts), in id order, at most `limit`."""
    from catalog.store.filters import dataset_sql
    from catalog.store.sql import DATASET_SHIFTS

    d = datasets.c
    where: list[ColumnElement[bool]] = [shown_at(datasets, DATASET_SHIFTS, now)]
    if query.collections is not None:
        where.append(d.id.in_(query.collections) if query.collections else false())
    for term in dataset_search.terms_of(query.text):
        where.append(d.search_text.like(dataset_search.like_pattern(term), escape=dataset_search.LIKE_ESCAPE))
    if query.filter is not None:
        required = dataset_sql(query.filter, dialect)
        if required is not None:
            where.append(required)
    return select(d.id).where(*where).order_by(d.id).limit(limit)


def exact_test(query: ItemQuery) -> Callable[[StoredGranule], bool] | None:
    """The geometry test SQL's bbox pre-filter leaves to be done exactly (shapely), or None when there is none."""
    shapes = [shapely.geometry.shape(dict(query.intersects))] if query.intersects is not None else []
    if query.filter is not None:
        from catalog.filters import exact_geometries

        shapes.extend(shapely.geometry.shape(dict(geometry)) for geometry in exact_geometries(query.filter))
    if not shapes:
        return None
    prepared = [shapely.prepared.prep(shape) for shape in shapes]

    def holds(stored: StoredGranule) -> bool:
        footprint = footprint_of(stored.record)
        return footprint is not None and all(shape.intersects(footprint) for shape in prepared)

    return holds


def footprint_of(granule: Granule) -> Any:
    """The granule's footprint on Earth: its geometry, else its bbox; None when it is not on Earth."""
    if granule.geometry is not None:
        return shapely.geometry.shape(dict(granule.geometry))
    if granule.bbox is not None:
        west, south, east, north = granule.bbox
        if west > east:
            return shapely.geometry.MultiPolygon(
                [shapely.geometry.box(west, south, 180.0, north), shapely.geometry.box(-180.0, south, east, north)]
            )
        return shapely.geometry.box(west, south, east, north)
    return None


def select_page(
    found: Sequence[ColumnElement[bool]],
    order: Order,
    key: ItemKey | None,
    limit: int,
    *,
    by_dataset: bool = False,
) -> Any:
    """One batch of rows in `order` after `key`; `by_dataset`: of the one dataset bound as `:arm`."""
    where = [*found]
    if key is not None:
        where.append(past(order, key))
    if by_dataset:
        where.append(granules.c.dataset_id == bindparam("arm", type_=granules.c.dataset_id.type))
    columns = [column for column, _ in order]
    return (
        select(granules, *[column.label(f"k{index}") for index, column in enumerate(columns)])
        .select_from(granules.join(datasets, datasets.c.id == granules.c.dataset_id))
        .where(*where)
        .order_by(*[column.desc() if descending else column.asc() for column, descending in order])
        .limit(limit)
    )


def lateral_page(
    found: Sequence[ColumnElement[bool]], order: Order, key: ItemKey | None, limit: int, arms: Sequence[str]
) -> Any:
    """One batch in `order` after `key` from the datasets `arms`: each dataset's own batch (its index walked from
    `key`) in a LATERAL subquery, the union ordered and cut once (PostgreSQL)."""
    listed = bindparam("arms", list(arms), type_=postgresql.ARRAY(granules.c.dataset_id.type))
    arm = func.unnest(listed).table_valued("id").render_derived(name="arm")
    where = [*found, granules.c.dataset_id == arm.c.id]
    if key is not None:
        where.append(past(order, key))
    columns = [column for column, _ in order]
    each = (
        select(granules, *[column.label(f"k{index}") for index, column in enumerate(columns)])
        .select_from(granules.join(datasets, datasets.c.id == granules.c.dataset_id))
        .where(*where)
        .order_by(*[column.desc() if descending else column.asc() for column, descending in order])
        .limit(limit)
        .lateral("each")
    )
    keys = [each.c[f"k{index}"] for index in range(len(order))]
    return (
        select(each)
        .select_from(arm.join(each, true()))
        .order_by(*[k.desc() if descending else k.asc() for k, (_, descending) in zip(keys, order, strict=True)])
        .limit(limit)
    )


def in_order(rows: Sequence[Any], order: Order) -> list[Any]:
    """Sort rows by their keys as SQL orders them (code point order for ids, as the `C` collation does)."""
    ordered = list(rows)
    for index in range(len(order) - 1, -1, -1):
        ordered.sort(key=lambda row: row._mapping[f"k{index}"], reverse=order[index][1])
    return ordered


def key_of(row: Any, order: Order) -> ItemKey:
    return tuple(row._mapping[f"k{index}"] for index in range(len(order)))


def granule_of(row: Any) -> StoredGranule:
    from catalog.store.sql import GRANULE_SHIFTS, timeline_from_row
    from catalog.timeutil import from_epoch

    return StoredGranule(
        record=Granule.from_dict(json.loads(row.doc)),
        changed=from_epoch(row.changed),
        timeline=timeline_from_row(row._mapping, GRANULE_SHIFTS),
    )


def rows_in_order(
    read: Callable[[Any], list[Any]],
    read_each: Callable[[Any, Sequence[Mapping[str, Any]]], list[Any]],
    found: Sequence[ColumnElement[bool]],
    order: Order,
    start: ItemKey | None,
    wanted: int,
    test: Callable[[StoredGranule], bool] | None,
    arms: Sequence[str] | None = None,
    *,
    lateral: bool = False,
) -> list[tuple[StoredGranule, ItemKey]]:
    """Up to `wanted` granules in `order` after `start` that pass `test`, reading in batches while it thins them.

    With `arms` (a few dataset ids), each batch merges one batch per dataset, each walking that dataset's
    `(dataset_id, start_time, id)` index from the key: a search confined to a few datasets then reads a page from
    each, instead of every granule of them all (the `dataset_id` index, then a sort) or of the whole archive (the
    sort order's index, skipping what the datasets rule out). The one statement runs once per dataset, or, with
    `lateral` (PostgreSQL), once for all of them as a LATERAL join.
    """
    kept: list[tuple[StoredGranule, ItemKey]] = []
    key = start
    while len(kept) < wanted:
        batch = wanted - len(kept) if test is None else max(BATCH, wanted - len(kept))
        if arms is None:
            rows = read(select_page(found, order, key, batch))
        elif lateral:
            rows = read(lateral_page(found, order, key, batch, arms))
        else:
            each = read_each(select_page(found, order, key, batch, by_dataset=True), [{"arm": arm} for arm in arms])
            rows = in_order(each, order)[:batch]
        for row in rows:
            granule = granule_of(row)
            key = key_of(row, order)
            if test is None or test(granule):
                kept.append((granule, key))
                if len(kept) == wanted:
                    break
        if len(rows) < batch:
            break
    return kept


def datasets_for(
    rows: Sequence[tuple[StoredGranule, ItemKey]], lookup: Callable[[Sequence[str]], dict[str, StoredDataset]]
) -> dict[str, StoredDataset]:
    return lookup(sorted({granule.record.dataset for granule, _ in rows}))


def count_within(connection: Connection, query: Any, budget: float) -> int | None:
    """Run a count, giving up after `budget` seconds: SQLite's progress handler interrupts it, PostgreSQL's
    `statement_timeout` cancels it. Either way the answer is None, never an error."""
    dialect = connection.dialect.name
    if dialect == "sqlite":
        raw = connection.connection.driver_connection
        assert isinstance(raw, sqlite3.Connection)
        deadline = time.monotonic() + budget
        raw.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
        try:
            return int(connection.execute(query).scalar_one())
        except OperationalError as error:
            if "interrupted" in str(error.orig):
                return None
            raise
        finally:
            raw.set_progress_handler(None, 0)
    with connection.begin():
        connection.execute(text(f"SET LOCAL statement_timeout = {max(1, int(budget * 1000))}"))
        try:
            with connection.begin_nested():
                return int(connection.execute(query).scalar_one())
        except OperationalError as error:
            if getattr(error.orig, "sqlstate", None) == "57014":
                return None
            raise


def count_query(found: Sequence[ColumnElement[bool]]) -> Any:
    return (
        select(func.count()).select_from(granules.join(datasets, datasets.c.id == granules.c.dataset_id)).where(*found)
    )
