"""CQL2 filters as plain data: the neutral tree an item search carries, and the queryables it may name.

The tree knows neither the CQL2 encodings (`server.stac.cql2` parses text and JSON with pygeofilter into it) nor
SQL (`catalog.store.filters` compiles it for SQLite and PostgreSQL), so each side can change alone and the tests
can build filters by hand. Every leaf has the property on its left and a literal on its right, already checked
against the property's kind: a tree that exists compiles. Times are whole seconds since the epoch, as the store
keeps them; a literal with a fraction of a second is floored to the second like the stored times.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any


class Kind(StrEnum):
    """What a queryable holds, which decides the literals and operators it takes."""

    STRING = "string"
    TIMESTAMP = "timestamp"
    GEOMETRY = "geometry"
    STRINGS = "strings"
    """A JSON array of strings: array predicates, IS NULL."""
    ANY = "any"
    """A free property: any JSON value, compared only with literals of its own JSON type."""


class Level(StrEnum):
    """Where a queryable lives: in the granule's row, or in its dataset's (matched once per dataset)."""

    GRANULE = "granule"
    DATASET = "dataset"


@dataclass(frozen=True, slots=True)
class Queryable:
    """A named property the filter may use: its kind, and the column or dataset JSON key that holds it."""

    name: str
    kind: Kind
    level: Level
    column: str | None = None
    json_key: str | None = None
    title: str = ""
    description: str = ""


QUERYABLES: Mapping[str, Queryable] = MappingProxyType(
    {
        q.name: q
        for q in (
            Queryable("id", Kind.STRING, Level.GRANULE, column="id", title="Item ID"),
            Queryable("collection", Kind.STRING, Level.GRANULE, column="dataset_id", title="Collection ID"),
            Queryable(
                "datetime",
                Kind.TIMESTAMP,
                Level.GRANULE,
                column="start_time",
                title="Date and time",
                description="The start of the observation.",
            ),
            Queryable("start_datetime", Kind.TIMESTAMP, Level.GRANULE, column="start_time", title="Start"),
            Queryable("end_datetime", Kind.TIMESTAMP, Level.GRANULE, column="end_time", title="End"),
            Queryable(
                "geometry",
                Kind.GEOMETRY,
                Level.GRANULE,
                title="Footprint on Earth",
                description="Matched by bounding box; items not on Earth have none and never intersect.",
            ),
            Queryable("mission", Kind.STRING, Level.DATASET, column="mission_id", title="Mission"),
            Queryable("category", Kind.STRING, Level.DATASET, column="category", title="Dataset category"),
            Queryable(
                "processing:level", Kind.STRING, Level.DATASET, json_key="processing_level", title="Processing level"
            ),
            Queryable("instruments", Kind.STRINGS, Level.DATASET, json_key="instruments", title="Instruments"),
            Queryable("ssys:targets", Kind.STRINGS, Level.DATASET, json_key="targets", title="Solar-system targets"),
        )
    }
)
"""The named queryables; any other valid name is a free property of the granule (`properties.<name>`)."""

MAX_NAME_LENGTH = 200


def free_property(name: str) -> Queryable:
    """The queryable of a name not in `QUERYABLES`: the granule's free property of that name."""
    return Queryable(name, Kind.ANY, Level.GRANULE)


def queryable(name: str) -> Queryable:
    return QUERYABLES.get(name) or free_property(name)


Scalar = str | int | float | bool
"""A JSON scalar literal (numbers finite, integers within 64 bits, strings without NUL)."""


@dataclass(frozen=True, slots=True)
class Timestamp:
    """An instant, in whole seconds since the epoch."""

    seconds: int


Value = Scalar | Timestamp


@dataclass(frozen=True, slots=True)
class Property:
    name: str

    @property
    def queryable(self) -> Queryable:
        return queryable(self.name)


class CompareOp(StrEnum):
    EQ = "="
    NE = "<>"
    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="


class TemporalOp(StrEnum):
    """The temporal predicates an instant property supports; `T_OVERLAPS` is read as `T_INTERSECTS` (the parser
    does not tell them apart)."""

    BEFORE = "t_before"
    AFTER = "t_after"
    INTERSECTS = "t_intersects"
    DISJOINT = "t_disjoint"
    EQUALS = "t_equals"
    BEFORE_OR_DURING = "before_or_during"
    DURING_OR_AFTER = "during_or_after"


class ArrayOp(StrEnum):
    EQUALS = "a_equals"
    CONTAINS = "a_contains"
    CONTAINED_BY = "a_containedby"
    OVERLAPS = "a_overlaps"


@dataclass(frozen=True, slots=True)
class Compare:
    """`property op value`; a free property matches only when its JSON value has the literal's type."""

    prop: Property
    op: CompareOp
    value: Value


@dataclass(frozen=True, slots=True)
class Like:
    """`property LIKE pattern` in CQL2 syntax: `%` any run, `_` one character, `\\` escapes the next one. The
    pattern is canonical: every escape is followed by `%`, `_` or `\\`."""

    prop: Property
    pattern: str
    nocase: bool = False


@dataclass(frozen=True, slots=True)
class In:
    prop: Property
    values: tuple[Value, ...]


@dataclass(frozen=True, slots=True)
class Between:
    """`low <= property <= high`, both literals of one type."""

    prop: Property
    low: Value
    high: Value


@dataclass(frozen=True, slots=True)
class IsNull:
    """The property is absent or JSON null (never true of `id`, `collection` and the times)."""

    prop: Property


@dataclass(frozen=True, slots=True)
class Temporal:
    """A temporal predicate of an instant property and a literal instant (`start == end`) or closed interval;
    None is an open end (`..`)."""

    prop: Property
    op: TemporalOp
    start: int | None
    end: int | None


@dataclass(frozen=True, slots=True)
class Intersects:
    """`S_INTERSECTS(geometry, literal)`, compiled as bounding-box overlap: `bbox` is the literal's
    `(west, south, east, north)` (west > east crosses the antimeridian) and `geometry` its GeoJSON, for an
    exact test after SQL (`exact_geometries`)."""

    prop: Property
    bbox: tuple[float, float, float, float]
    geometry: Mapping[str, Any] = field(hash=False, compare=True)


@dataclass(frozen=True, slots=True)
class ArrayPredicate:
    """`A_EQUALS` (same elements in the same order), `A_CONTAINS`, `A_CONTAINEDBY` (an array property only), or
    `A_OVERLAPS` of an array property and an array literal."""

    prop: Property
    op: ArrayOp
    values: tuple[Scalar, ...]


@dataclass(frozen=True, slots=True)
class And:
    parts: tuple["Filter", ...]


@dataclass(frozen=True, slots=True)
class Or:
    parts: tuple["Filter", ...]


@dataclass(frozen=True, slots=True)
class Not:
    part: "Filter"


@dataclass(frozen=True, slots=True)
class Constant:
    """`INCLUDE` (True) or `EXCLUDE` (False)."""

    value: bool


Filter = Compare | Like | In | Between | IsNull | Temporal | Intersects | ArrayPredicate | And | Or | Not | Constant
"""A filter: every node is two-valued (a leaf whose property is missing is false, so `NOT` of it is true)."""


def conjuncts(expr: Filter) -> Iterator[Filter]:
    """The parts of `expr` that must all hold: the members of nested ANDs, else `expr` itself."""
    if isinstance(expr, And):
        for part in expr.parts:
            yield from conjuncts(part)
    else:
        yield expr


def exact_geometries(expr: Filter) -> tuple[Mapping[str, Any], ...]:
    """Return the GeoJSON geometries of the `S_INTERSECTS` predicates that are top-level conjuncts of `expr`.

    SQL matches a spatial predicate by bounding box only; a result must intersect each of these geometries too,
    which the caller checks with shapely. Predicates under OR or NOT stay bounding-box matches (a superset for OR,
    a subset under NOT): the documented limit of the filter on `geometry`.
    """
    return tuple(part.geometry for part in conjuncts(expr) if isinstance(part, Intersects))
