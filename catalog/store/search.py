"""Finding datasets in SQL: the normalised `search_text` column, free-text and facet filters, keyset pages.

Only datasets the public may find at the request's moment (public or restricted) are ever matched or counted:
every query here takes the visibility at that moment as a SQL expression (`catalog.store.sql.visibility_sql`),
so a release by the clock moves a dataset from restricted to public with no write.
"""

import unicodedata
from collections.abc import Callable, Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select

from catalog.records import Dataset, LangMap
from catalog.store import DatasetSearch, ListedDataset, StoredDataset
from catalog.store.expressions import bbox_overlaps
from catalog.store.tables import datasets
from catalog.timeutil import from_epoch, to_epoch
from catalog.vocab import Category, Visibility

FINDABLE = (Visibility.PUBLIC, Visibility.RESTRICTED)
"""What the public may find: the visibilities search, facets and sitemaps list."""

LIKE_ESCAPE = "\\"
FACETS = ("mission", "category", "access")
"""The facets counted over the matching set, in the order pages show them."""

Reader = Callable[[Any], list[Any]]
"""Run a query and return its rows (`SqlStore._read`)."""


def normalise(text: str) -> str:
    """Fold text for matching: NFKC (full-width Latin and half-width kana become ordinary), then case-folded."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())


def _languages(value: LangMap | None) -> list[str]:
    return [] if value is None else [value[language] for language in sorted(value)]


def search_text_of(dataset: Dataset) -> str:
    """Return what free text is matched against: id, titles, descriptions, keywords, instruments, targets, mission,
    DOI, every language, one field per line so that no term matches across two fields."""
    fields = [
        dataset.id,
        *_languages(dataset.title),
        *_languages(dataset.description),
        *dataset.keywords,
        *dataset.instruments,
        *dataset.targets,
        dataset.mission or "",
        dataset.doi or "",
    ]
    return "\n".join(normalise(" ".join(field.split())) for field in fields if field)


def terms_of(text: str | None) -> list[str]:
    """Split a query into its normalised whitespace-separated terms, each once, in order."""
    if text is None:
        return []
    return list(dict.fromkeys(normalise(text).split()))


def like_pattern(term: str) -> str:
    """A `LIKE` pattern matching `term` anywhere: `%`, `_` and the escape character itself match literally."""
    escaped = term.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2).replace("%", LIKE_ESCAPE + "%").replace("_", LIKE_ESCAPE + "_")
    return f"%{escaped}%"


def conditions(
    visibility: ColumnElement[str],
    *,
    text: str | None = None,
    mission: str | None = None,
    category: Category | None = None,
    access: Visibility | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    bbox: tuple[float, float, float, float] | None = None,
) -> list[ColumnElement[bool]]:
    """The SQL conditions of a search: findable at the moment `visibility` is taken at, and every filter given.

    A dataset matches the time range [start, end] when its coverage overlaps it; an open-ended coverage runs on,
    and a dataset without coverage matches no time range.
    """
    c = datasets.c
    if access is not None and access not in FINDABLE:
        raise ValueError(f"access must be one of {', '.join(FINDABLE)}, not {access!r}")
    wanted = [str(access)] if access is not None else [str(v) for v in FINDABLE]
    found: list[ColumnElement[bool]] = [visibility.in_(wanted)]
    for term in terms_of(text):
        found.append(c.search_text.like(like_pattern(term), escape=LIKE_ESCAPE))
    if mission is not None:
        found.append(c.mission_id == mission if mission else c.mission_id.is_(None))
    if category is not None:
        found.append(c.category == str(category))
    if start is not None:
        found.append(or_(c.temporal_end.is_(None), c.temporal_end >= to_epoch(start)))
        found.append(c.temporal_start.is_not(None))
    if end is not None:
        found.append(c.temporal_start <= to_epoch(end))
    if bbox is not None:
        found.append(bbox_overlaps(datasets, bbox))
    return found


def search(
    read: Reader,
    to_dataset: Callable[[Any], StoredDataset],
    visibility: ColumnElement[str],
    found: list[ColumnElement[bool]],
    *,
    after: str | None,
    limit: int,
) -> DatasetSearch:
    """Run a search: one page in id order after `after`, the total, and the facet counts over the whole match."""
    if limit < 1:
        raise ValueError(f"limit must be at least 1, not {limit}")
    c = datasets.c
    paged = [*found, c.id > after] if after is not None else found
    rows = read(select(datasets).where(*paged).order_by(c.id).limit(limit + 1))
    more = len(rows) > limit
    page = tuple(to_dataset(row) for row in rows[:limit])
    columns: Mapping[str, ColumnElement[Any]] = {"mission": c.mission_id, "category": c.category, "access": visibility}
    facets: dict[str, Mapping[str, int]] = {}
    for name in FACETS:
        column = columns[name]
        counted = read(select(column, func.count()).where(*found).group_by(column))
        ordered = sorted(((value, int(count)) for value, count in counted if value is not None), key=_by_count)
        facets[name] = MappingProxyType(dict(ordered))
    total = sum(facets["access"].values())
    return DatasetSearch(
        datasets=page,
        after=page[-1].record.id if more else None,
        total=total,
        facets=MappingProxyType(facets),
    )


def _by_count(item: tuple[str, int]) -> tuple[int, str]:
    return -item[1], item[0]


def listed(
    read: Reader,
    visibility: ColumnElement[str],
    datestamp: ColumnElement[int],
    *,
    after: str | None,
    limit: int,
) -> list[ListedDataset]:
    """Return the ids and datestamps of findable datasets in id order after `after` (sitemaps): no document is
    read or decoded, so a sitemap of any size streams in constant memory."""
    c = datasets.c
    where: list[ColumnElement[bool]] = [visibility.in_([str(v) for v in FINDABLE])]
    if after is not None:
        where.append(c.id > after)
    rows = read(select(c.id, datestamp).where(*where).order_by(c.id).limit(limit))
    return [ListedDataset(row[0], from_epoch(row[1])) for row in rows]


def listed_start(read: Reader, visibility: ColumnElement[str], position: int) -> str | None:
    """Return the id after which the findable datasets from `position` (0-based, id order) follow: None for 0.

    A sitemap page `n` starts at position `(n - 1) × size`; the count runs in SQL over the id index, and no row
    but the one answer travels to Python.
    """
    if position <= 0:
        return None
    c = datasets.c
    before = select(c.id).where(visibility.in_([str(v) for v in FINDABLE])).order_by(c.id).limit(position).subquery()
    found = read(select(func.max(before.c.id)))
    return None if not found or found[0][0] is None else str(found[0][0])
