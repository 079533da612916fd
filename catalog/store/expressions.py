"""SQL expressions the item queries share: bounding boxes that meet (across the antimeridian too), and a column
kept from steering SQLite's choice of index."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, or_
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import UnaryExpression


def longitudes_overlap(west: Any, east: Any, query_west: float, query_east: float) -> ColumnElement[bool]:
    """Whether a stored longitude range meets a query's; either may cross the antimeridian (west > east)."""
    if query_west <= query_east:
        return or_(
            and_(west <= east, west <= query_east, east >= query_west),
            and_(west > east, or_(west <= query_east, east >= query_west)),
        )
    return or_(and_(west <= east, or_(east >= query_west, west <= query_east)), west > east)


def bbox_overlaps(table: Any, bbox: Sequence[float]) -> ColumnElement[bool]:
    """Whether a row's bbox meets `(west, south, east, north)`; a row without one (not on Earth) never does."""
    west, south, east, north = bbox
    c = table.c
    return and_(
        c.west.is_not(None),
        c.south <= north,
        c.north >= south,
        longitudes_overlap(c.west, c.east, west, east),
    )


def unindexed(column: ColumnElement[str], dialect: str) -> ColumnElement[str]:
    """`column` as SQLite's unary `+` writes it, so that a condition on it cannot pick an index.

    A search restricted to some datasets (`dataset_id IN (…)`) otherwise makes SQLite fetch every granule of those
    datasets by the `dataset_id` index and sort them all, where walking the sort order's index stops after a page.
    PostgreSQL plans from statistics and has no unary `+` for text: the column is left as it is.
    """
    if dialect != "sqlite":
        return column
    plus: ColumnElement[str] = UnaryExpression(column, operator=operators.custom_op("+"), type_=column.type)
    return plus
