"""Bounding boxes in SQL: whether stored `west/south/east/north` columns meet a box, across the antimeridian too."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, or_


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
