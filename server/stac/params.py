"""STAC API request parameters as data: GET query strings and POST bodies parsed into one `SearchRequest`.

Every check raises `InvalidParameter` naming the parameter and what is wrong with it; nothing here knows Flask.
"""

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import shapely.geometry
from shapely.errors import ShapelyError

from catalog.store import DEFAULT_SORT, SORTABLE, ItemQuery, SortKey
from server.stac.errors import InvalidParameter

GEOMETRY_TYPES = frozenset(
    {"Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon", "GeometryCollection"}
)
MAX_IDS = 1000
"""The most ids or collections one search may name."""
MAX_TEXT = 1000
"""The longest free-text query (`q`) accepted, in characters."""
_RFC3339 = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
OPEN = ("", "..")


@dataclass(frozen=True, slots=True)
class Fields:
    """The Fields extension: paths to include and to exclude (dotted, e.g. `properties.datetime`);
    `include_given`: a body named `include` (even empty), which asks for the default fields rather than all."""

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    include_given: bool = False


@dataclass(frozen=True, slots=True)
class SearchRequest:
    """An item search as asked: the store's query, the page size and position, and how to shape the items."""

    query: ItemQuery
    limit: int
    token: str | None = None
    fields: Fields | None = None
    filter_given: bool = False
    extra: Mapping[str, Any] = field(default_factory=dict)


def parse_limit(value: Any, *, default: int, maximum: int) -> int:
    """Parse `limit`: a positive integer; one above `maximum` is lowered to it."""
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        raise InvalidParameter(f"limit: expected a positive integer, got {value!r}")
    if isinstance(value, str):
        if not re.fullmatch(r"\+?\d{1,12}", value.strip()):
            raise InvalidParameter(f"limit: expected a positive integer, got {_shown(value)}")
        value = int(value.strip())
    if not isinstance(value, int):
        raise InvalidParameter(f"limit: expected a positive integer, got {_shown(value)}")
    if value < 1:
        raise InvalidParameter(f"limit: must be at least 1, got {value}")
    return min(value, maximum)


def _has_control(text: str) -> bool:
    """Whether text holds a control character (NUL among them, which PostgreSQL cannot store in text) or a lone
    surrogate (which no database encodes)."""
    return any(ord(ch) < 32 or ord(ch) == 127 or 0xD800 <= ord(ch) <= 0xDFFF for ch in text)


def _shown(value: Any, length: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= length else text[:length] + "…"


def _number(value: Any, name: str) -> float:
    if isinstance(value, bool):
        raise InvalidParameter(f"{name}: expected a number, got {value!r}")
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            raise InvalidParameter(f"{name}: expected a number, got {_shown(value)}") from None
    if not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidParameter(f"{name}: expected a finite number, got {_shown(value)}")
    return float(value)


def parse_bbox(value: Any, *, body: bool = False) -> tuple[float, float, float, float] | None:
    """Parse `bbox`: `west,south,east,north` (or the 6-number 3D form), in degrees; west > east crosses the
    antimeridian. In a body it is an array of numbers, never a string."""
    if value is None or (value == "" and not body):
        return None
    parts: Sequence[Any]
    if isinstance(value, str) and not body:
        parts = value.split(",")
    elif isinstance(value, list):
        parts = value
    else:
        raise InvalidParameter(f"bbox: expected 4 or 6 numbers, got {_shown(value)}")
    if len(parts) not in (4, 6):
        raise InvalidParameter(f"bbox: expected 4 or 6 numbers, got {len(parts)}")
    numbers = [_number(part, "bbox") for part in parts]
    if len(numbers) == 6:
        west, south, low, east, north, high = numbers
        if low > high:
            raise InvalidParameter(f"bbox: the minimum elevation {low} is above the maximum {high}")
    else:
        west, south, east, north = numbers
    for name, longitude in (("west", west), ("east", east)):
        if not -180 <= longitude <= 180:
            raise InvalidParameter(f"bbox: {name} longitude {longitude} is outside [-180, 180]")
    for name, latitude in (("south", south), ("north", north)):
        if not -90 <= latitude <= 90:
            raise InvalidParameter(f"bbox: {name} latitude {latitude} is outside [-90, 90]")
    if south > north:
        raise InvalidParameter(f"bbox: south {south} is north of north {north}")
    return west, south, east, north


def parse_moment(text: str, name: str = "datetime") -> datetime:
    """Parse an RFC 3339 date-time: date, time and zone (STAC API; a bare date is refused, as the validators
    expect)."""
    match = _RFC3339.match(text.strip())
    if match is None:
        raise InvalidParameter(f"{name}: {_shown(text)} is not an RFC 3339 date-time (e.g. 2024-03-02T10:00:00Z)")
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    try:
        parsed = datetime.fromisoformat(
            f"{year}-{month}-{day}T{hour}:{minute}:{second}{(fraction or '')[:7]}{'+00:00' if zone in 'Zz' else zone}"
        )
    except (ValueError, OverflowError):
        raise InvalidParameter(f"{name}: {_shown(text)} is not a real date-time") from None
    try:
        return parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        raise InvalidParameter(f"{name}: {_shown(text)} is out of range") from None


def parse_datetime(value: Any) -> tuple[datetime | None, datetime | None]:
    """Parse `datetime`: an instant, or an interval `start/end` with `..` (or nothing) for an open end."""
    if value is None or value == "":
        return None, None
    if not isinstance(value, str):
        raise InvalidParameter(f"datetime: expected an RFC 3339 date-time or interval, got {_shown(value)}")
    if "/" not in value:
        moment = parse_moment(value)
        return moment, moment
    parts = value.split("/")
    if len(parts) != 2:
        raise InvalidParameter(f"datetime: an interval has exactly one '/', got {_shown(value)}")
    start_text, end_text = (part.strip() for part in parts)
    if start_text in OPEN and end_text in OPEN:
        raise InvalidParameter("datetime: an interval needs at least one closed end")
    start = None if start_text in OPEN else parse_moment(start_text, "datetime start")
    end = None if end_text in OPEN else parse_moment(end_text, "datetime end")
    if start is not None and end is not None and start > end:
        raise InvalidParameter(f"datetime: the interval starts ({start_text}) after it ends ({end_text})")
    return start, end


def parse_strings(value: Any, name: str) -> tuple[str, ...] | None:
    """Parse a list of ids: comma-separated in a query string, an array of strings in a body."""
    if value is None:
        return None
    items: list[Any]
    if isinstance(value, str):
        items = [part.strip() for part in value.split(",") if part.strip()]
    elif isinstance(value, list):
        items = value
    else:
        raise InvalidParameter(f"{name}: expected a list of strings, got {_shown(value)}")
    if any(not isinstance(item, str) or not item for item in items):
        raise InvalidParameter(f"{name}: every entry must be a non-empty string")
    if any(_has_control(item) for item in items):
        raise InvalidParameter(f"{name}: control characters are not allowed in ids")
    if len(items) > MAX_IDS:
        raise InvalidParameter(f"{name}: at most {MAX_IDS} entries, got {len(items)}")
    return tuple(dict.fromkeys(items))


def parse_intersects(value: Any) -> Mapping[str, Any] | None:
    """Parse `intersects`: a GeoJSON geometry (an object in a body, JSON text in a query string)."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise InvalidParameter("intersects: not valid JSON") from None
    if not isinstance(value, dict) or not isinstance(value.get("type"), str) or value["type"] not in GEOMETRY_TYPES:
        raise InvalidParameter(f"intersects: expected a GeoJSON geometry, one of {', '.join(sorted(GEOMETRY_TYPES))}")
    try:
        shape = shapely.geometry.shape(value)
        bounds = shape.bounds
    except (ShapelyError, ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError) as error:
        raise InvalidParameter(f"intersects: not a valid GeoJSON {value.get('type')}: {error}") from None
    if shape.is_empty or not all(math.isfinite(b) for b in bounds):
        raise InvalidParameter("intersects: the geometry is empty or has coordinates that are not finite numbers")
    west, south, east, north = bounds
    if west < -180 or east > 180 or south < -90 or north > 90:
        raise InvalidParameter("intersects: coordinates must be longitude in [-180, 180] and latitude in [-90, 90]")
    return value


def _sort_field(name: str) -> str:
    field_name = name.removeprefix("properties.")
    if field_name not in SORTABLE:
        raise InvalidParameter(f"sortby: cannot sort by {_shown(name)}; sortable fields: {', '.join(SORTABLE)}")
    return field_name


def parse_sortby(value: Any) -> tuple[SortKey, ...]:
    """Parse `sortby`: `-datetime,+id` in a query string, `[{"field": …, "direction": "asc"|"desc"}]` in a body."""
    if value is None or value == "" or value == []:
        return DEFAULT_SORT
    keys: list[SortKey] = []
    if isinstance(value, str):
        for part in value.split(","):
            part = part.strip()
            if not part:
                raise InvalidParameter("sortby: an empty field name")
            descending = part.startswith("-")
            keys.append(SortKey(_sort_field(part.lstrip("+-").strip()), descending))
    elif isinstance(value, list):
        for entry in value:
            if not isinstance(entry, dict) or not isinstance(entry.get("field"), str):
                raise InvalidParameter('sortby: each entry must be {"field": …, "direction": "asc" or "desc"}')
            direction = entry.get("direction", "asc")
            if direction not in ("asc", "desc"):
                raise InvalidParameter(f"sortby: direction must be 'asc' or 'desc', got {_shown(direction)}")
            keys.append(SortKey(_sort_field(entry["field"]), direction == "desc"))
    else:
        raise InvalidParameter(f"sortby: expected fields like '-datetime', got {_shown(value)}")
    return tuple(keys)


def parse_fields(value: Any) -> Fields | None:
    """Parse `fields`: `a,-b,+c` in a query string, `{"include": […], "exclude": […]}` in a body."""
    if value == "" or value is None:
        return None
    include: list[str] = []
    exclude: list[str] = []
    include_given = False
    if isinstance(value, str):
        for part in value.split(","):
            part = part.strip()
            if not part:
                continue
            (exclude if part.startswith("-") else include).append(part.lstrip("+-"))
    elif isinstance(value, dict):
        include_given = "include" in value
        for name, target in (("include", include), ("exclude", exclude)):
            entries = value.get(name) or []
            if not isinstance(entries, list) or any(not isinstance(entry, str) for entry in entries):
                raise InvalidParameter(f"fields: {name} must be a list of strings")
            target.extend(entries)
    else:
        raise InvalidParameter(f"fields: expected 'a,-b' or {{include, exclude}}, got {_shown(value)}")
    for path in (*include, *exclude):
        if not path or len(path) > 200 or any(not part for part in path.split(".")):
            raise InvalidParameter(f"fields: {_shown(path)} is not a dotted field path")
    return Fields(tuple(include), tuple(exclude), include_given)


def parse_text(value: Any) -> str | None:
    """Parse `q`: free text (a string, or in a body a list of strings, all of which must occur)."""
    if value is None or value == "":
        return None
    if isinstance(value, list) and all(isinstance(entry, str) for entry in value):
        value = " ".join(value)
    if not isinstance(value, str):
        raise InvalidParameter(f"q: expected text, got {_shown(value)}")
    if len(value) > MAX_TEXT:
        raise InvalidParameter(f"q: at most {MAX_TEXT} characters")
    if _has_control(value.replace("\t", " ").replace("\n", " ")):
        raise InvalidParameter("q: control characters are not allowed")
    return value


def parse_token(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > 2000:
        raise InvalidParameter("token: not a paging token this server issued")
    return value


def search_request(
    parameters: Mapping[str, Any],
    *,
    default_limit: int,
    max_limit: int,
    collection: str | None = None,
    body: bool = False,
) -> SearchRequest:
    """Parse an item search, from a query string's parameters or (`body`) a POST body's fields.

    With `collection`, it is one collection's items (`/collections/{id}/items`): `collections` is that one.
    """
    from server.stac import cql2

    if body and "fields" in parameters and parameters["fields"] is None:
        raise InvalidParameter("fields: null; give {include, exclude}, or leave fields out")
    bbox = parse_bbox(parameters.get("bbox"), body=body)
    intersects = parse_intersects(parameters.get("intersects"))
    if bbox is not None and intersects is not None:
        raise InvalidParameter("bbox and intersects: give one of them, not both")
    start, end = parse_datetime(parameters.get("datetime"))
    collections = (
        (collection,) if collection is not None else parse_strings(parameters.get("collections"), "collections")
    )
    filter_value = parameters.get("filter")
    filter_ = None
    if filter_value is not None and filter_value != "":
        lang = parameters.get("filter-lang")
        if lang is not None and lang not in cql2.FILTER_LANGS:
            raise InvalidParameter(f"filter-lang: expected one of {', '.join(cql2.FILTER_LANGS)}, got {_shown(lang)}")
        crs = parameters.get("filter-crs")
        if crs is not None and not isinstance(crs, str):
            raise InvalidParameter("filter-crs: expected a CRS URI")
        if not isinstance(filter_value, str | dict):
            raise InvalidParameter("filter: expected CQL2 text or a CQL2 JSON object")
        filter_ = cql2.parse_filter(filter_value, lang, crs=crs)
    query = ItemQuery(
        collections=collections,
        ids=parse_strings(parameters.get("ids"), "ids"),
        bbox=bbox,
        intersects=intersects,
        start=start,
        end=end,
        filter=filter_,
        text=parse_text(parameters.get("q")),
        sort=parse_sortby(parameters.get("sortby")),
    )
    return SearchRequest(
        query=query,
        limit=parse_limit(parameters.get("limit"), default=default_limit, maximum=max_limit),
        token=parse_token(parameters.get("token")),
        fields=parse_fields(parameters.get("fields")),
        filter_given=filter_ is not None,
    )
