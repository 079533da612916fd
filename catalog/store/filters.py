"""Compile a CQL2 filter tree (`catalog.filters`) into one SQLAlchemy boolean over `granules` joined to `datasets`.

The same tree gives the same rows on SQLite and PostgreSQL, and no literal can make the SQL fail at run time:

- Every node is two-valued: a leaf whose property is missing, or whose value has another JSON type than the
  literal, is false (not NULL), so `NOT` means "every other item" on both backends.
- A free property (`properties.<name>` in the granule's JSON `doc`) is looked up by a bound parameter, never
  spliced into SQL. On SQLite a name of letters, digits and `_:.-` is read by the quoted path
  `json_extract(doc, :path)` with `:path` = `$.properties."name"`; any other name through
  `json_each(doc, '$.properties')`, matching the decoded `key` (a path cannot name every key portably: SQLite
  before 3.45 has no escape for `"` in a path label, and compares labels with the raw JSON text), about half as
  fast. PostgreSQL reads `CAST(doc AS jsonb) -> 'properties' -> :name`. Values are compared only after their JSON
  type is checked equal to the literal's, numbers and booleans as jsonb on PostgreSQL (no cast that could fail),
  strings as text in code-point order (`COLLATE "C"`, SQLite's binary order).
- A dataset-level queryable (mission, category, processing level, instruments, targets) becomes
  `granules.dataset_id IN (SELECT datasets.id FROM datasets WHERE <leaf>)`: an uncorrelated subquery computed
  once, not a read of each granule's dataset JSON.
- `S_INTERSECTS` is a bounding-box overlap on the granule's `west/south/east/north` (either box may cross the
  antimeridian; a granule without a box, not on Earth, never matches). The exact test of top-level predicates is
  the caller's (`catalog.filters.exact_geometries`).
- LIKE is case-sensitive on both: SQLite's LIKE folds ASCII case, so there the pattern becomes a GLOB. A
  case-insensitive LIKE folds ASCII only on SQLite, all of Unicode on PostgreSQL (ILIKE).
"""

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Text,
    and_,
    bindparam,
    case,
    cast,
    exists,
    false,
    func,
    literal,
    not_,
    or_,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import JSONB

from catalog.filters import (
    And,
    ArrayOp,
    ArrayPredicate,
    Between,
    Compare,
    CompareOp,
    Constant,
    Filter,
    In,
    Intersects,
    IsNull,
    Kind,
    Level,
    Like,
    Not,
    Or,
    Property,
    Queryable,
    Scalar,
    Temporal,
    TemporalOp,
    Timestamp,
    Value,
    conjuncts,
)
from catalog.store.expressions import bbox_overlaps, unindexed
from catalog.store.tables import datasets, granules

DIALECTS = ("sqlite", "postgresql")
LIKE_ESCAPE = "\\"

Condition = ColumnElement[bool]

_OPERATORS: dict[CompareOp, Callable[[Any, Any], Any]] = {
    CompareOp.EQ: lambda a, b: a == b,
    CompareOp.NE: lambda a, b: a != b,
    CompareOp.LT: lambda a, b: a < b,
    CompareOp.LE: lambda a, b: a <= b,
    CompareOp.GT: lambda a, b: a > b,
    CompareOp.GE: lambda a, b: a >= b,
}
_ORDERING = (CompareOp.LT, CompareOp.LE, CompareOp.GT, CompareOp.GE)


def filter_sql(expr: Filter, dialect: str, *, datasets_chosen: bool = False) -> Condition:
    """Return `expr` as a boolean over `granules JOIN datasets` for `dialect` ("sqlite" or "postgresql").

    `datasets_chosen`: the query already keeps to the datasets `dataset_sql(expr)` matches, so the top-level
    conjuncts on dataset-level queryables are left out (a planner misjudges their subqueries).
    """
    if dialect not in DIALECTS:
        raise ValueError(f"no filter SQL for the dialect {dialect!r}")
    compiler = _Compiler(dialect == "postgresql")
    if not datasets_chosen:
        return compiler.node(expr)
    return and_(true(), *(compiler.node(part) for part in conjuncts(expr) if not _on_dataset(part)))


def _on_dataset(part: Filter) -> bool:
    return (
        isinstance(part, Compare | Like | In | Between | IsNull | Temporal | ArrayPredicate)
        and part.prop.queryable.level is Level.DATASET
    )


def dataset_sql(expr: Filter, dialect: str) -> Condition | None:
    """Return what `expr` requires of an item's dataset as a boolean over `datasets` alone: its top-level
    conjuncts on dataset-level queryables (None when it has none). Every item `expr` matches belongs to a dataset
    this matches, so a search can first find the few datasets it may draw from."""
    if dialect not in DIALECTS:
        raise ValueError(f"no filter SQL for the dialect {dialect!r}")
    compiler = _Compiler(dialect == "postgresql")
    parts = [
        compiler.predicate(part.prop.queryable, part)  # type: ignore[union-attr]
        for part in conjuncts(expr)
        if _on_dataset(part)
    ]
    return and_(*parts) if parts else None


def json_type_of(value: Scalar) -> str:
    """The JSON type of a literal, as jsonb_typeof names it."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return "string"


PATH_SAFE_KEY = re.compile(r"[A-Za-z0-9_:.\-]{1,200}")
"""Free-property names SQLite reads by a quoted JSON path (`$.properties."name"`, bound as a parameter): the
fast way, and exact for these characters on every SQLite version. Other names go through `json_each`."""

SQLITE_TYPES = {"boolean": ("true", "false"), "number": ("integer", "real"), "string": ("text",)}
"""The `json_type` names SQLite gives each JSON type."""


def glob_pattern(pattern: str) -> str:
    """A canonical CQL2 LIKE pattern as an SQLite GLOB (case-sensitive): `%` is `*`, `_` is `?`, and GLOB's own
    metacharacters stand for themselves in brackets."""
    out: list[str] = []
    chars = iter(pattern)
    for char in chars:
        if char == "\\":
            char = next(chars, "\\")
            literal_char = True
        else:
            literal_char = False
        if not literal_char and char == "%":
            out.append("*")
        elif not literal_char and char == "_":
            out.append("?")
        elif char in "*?[":
            out.append(f"[{char}]")
        else:
            out.append(char)
    return "".join(out)


def iso_seconds(seconds: int) -> str:
    """An instant as the RFC 3339 text records use, for comparing a free property with a timestamp literal."""
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class _Compiler:
    """One compilation: the dialect decides how JSON values are read; the tree's shape is kept as is."""

    def __init__(self, postgresql: bool) -> None:
        self.postgresql = postgresql
        self.dialect = "postgresql" if postgresql else "sqlite"

    def node(self, expr: Filter) -> Condition:
        if isinstance(expr, And):
            return and_(true(), *(self.node(part) for part in expr.parts))
        if isinstance(expr, Or):
            return or_(false(), *(self.node(part) for part in expr.parts))
        if isinstance(expr, Not):
            return not_(self.node(expr.part))
        if isinstance(expr, Constant):
            return true() if expr.value else false()
        if isinstance(expr, Intersects):
            return bbox_overlaps(granules, expr.bbox) if expr.prop.queryable.kind is Kind.GEOMETRY else false()
        return self.leaf(expr)

    def leaf(self, expr: Filter) -> Condition:
        """A predicate on one property: on the granule row, or inside the dataset subquery."""
        prop: Property = expr.prop  # type: ignore[union-attr]
        where = prop.queryable
        condition = self.predicate(where, expr)
        if where.level is Level.DATASET:
            return unindexed(granules.c.dataset_id, self.dialect).in_(select(datasets.c.id).where(condition))
        return condition

    def predicate(self, where: Queryable, expr: Filter) -> Condition:
        if isinstance(expr, Compare):
            return self.compare(where, expr.op, expr.value)
        if isinstance(expr, Between):
            return and_(self.compare(where, CompareOp.GE, expr.low), self.compare(where, CompareOp.LE, expr.high))
        if isinstance(expr, In):
            return or_(false(), *(self.compare(where, CompareOp.EQ, value) for value in expr.values))
        if isinstance(expr, IsNull):
            return self.is_null(where)
        if isinstance(expr, Like):
            return self.like(where, expr.pattern, expr.nocase)
        if isinstance(expr, Temporal):
            return self.temporal(where, expr)
        if isinstance(expr, ArrayPredicate):
            return self.array(where, expr.op, expr.values)
        raise TypeError(f"not a filter leaf: {expr!r}")

    def column(self, where: Queryable) -> Any:
        table = granules if where.level is Level.GRANULE else datasets
        assert where.column is not None
        return table.c[where.column]

    def compare(self, where: Queryable, op: CompareOp, value: Value) -> Condition:
        if where.kind is Kind.TIMESTAMP and where.column is not None:
            if not isinstance(value, Timestamp):
                return false()
            return _OPERATORS[op](self.column(where), value.seconds)  # type: ignore[no-any-return]
        if isinstance(value, Timestamp):
            value = iso_seconds(value.seconds)
        if where.kind is Kind.STRING:
            if not isinstance(value, str):
                return false()
            if where.column is not None:
                return self.string_compare(self.column(where), op, value)
            return self.json_field(where, "string", lambda _, text: self.string_compare(text, op, value))
        if where.kind is Kind.ANY:
            return self.free_compare(where.name, op, value)
        return false()

    def string_compare(self, text: Any, op: CompareOp, value: str) -> Condition:
        if self.postgresql and op in _ORDERING:
            text = text.collate("C")
        return _OPERATORS[op](text, value)  # type: ignore[no-any-return]

    def free_compare(self, name: str, op: CompareOp, value: Scalar) -> Condition:
        kind = json_type_of(value)
        if self.postgresql:
            if kind == "string":
                assert isinstance(value, str)
                return self.free_field(name, kind, lambda _, text: self.string_compare(text, op, value))
            return self.free_field(name, kind, lambda jsonb, _: _OPERATORS[op](jsonb, jsonb_literal(value)))
        bound = int(value) if isinstance(value, bool) else value
        return self.free_field(name, kind, lambda sql_value, _: _OPERATORS[op](sql_value, bound))

    def free_field(self, name: str, kind: str | None, test: Callable[[Any, Any], Any]) -> Condition:
        """Whether the granule's free property `name` has the JSON type `kind` (any non-null type when None) and
        passes `test(value, text)`: value the jsonb (PostgreSQL) or SQL value (SQLite), text its text form."""
        if self.postgresql:
            value = cast(granules.c.doc, JSONB)["properties"][bindparam(None, name, type_=Text)]
            text = cast(granules.c.doc, JSONB)["properties"][bindparam(None, name, type_=Text)].astext
            typed = func.jsonb_typeof(value) == kind if kind else func.jsonb_typeof(value) != "null"
            return func.coalesce(and_(typed, test(value, text)), false())
        if PATH_SAFE_KEY.fullmatch(name):
            path = bindparam(None, f'$.properties."{name}"', type_=Text)
            json_type = func.json_type(granules.c.doc, path)
            found = func.json_extract(granules.c.doc, path)
            typed = json_type.in_(SQLITE_TYPES.get(kind, (kind,))) if kind else json_type != "null"
            return func.coalesce(and_(typed, test(found, found)), false())
        each = func.json_each(granules.c.doc, "$.properties").table_valued("key", "value", "type")
        typed = each.c.type.in_(SQLITE_TYPES.get(kind, (kind,))) if kind else each.c.type != "null"
        return exists(
            select(literal(1))
            .select_from(each)
            .where(each.c.key == bindparam(None, name, type_=Text), typed, test(each.c.value, each.c.value))
        )

    def json_field(self, where: Queryable, kind: str, test: Callable[[Any, Any], Any]) -> Condition:
        """A key of the dataset's JSON (inside the dataset subquery): its JSON type is `kind` and it passes
        `test(value, text)` as in `free_field`."""
        key = where.json_key
        assert key is not None
        if self.postgresql:
            value = cast(datasets.c.doc, JSONB)[key]
            return and_(func.jsonb_typeof(value) == kind, test(value, value.astext))
        path = f"$.{key}"
        value = func.json_extract(datasets.c.doc, path)
        return and_(func.json_type(datasets.c.doc, path).in_(SQLITE_TYPES.get(kind, (kind,))), test(value, value))

    def is_null(self, where: Queryable) -> Condition:
        if where.kind is Kind.GEOMETRY:
            return granules.c.west.is_(None)
        if where.column is not None:
            column = self.column(where)
            return column.is_(None) if column.nullable else false()
        if where.json_key is not None:
            if self.postgresql:
                value = cast(datasets.c.doc, JSONB)[where.json_key]
                return or_(value.is_(None), func.jsonb_typeof(value) == "null")
            path = f"$.{where.json_key}"
            return func.coalesce(func.json_type(datasets.c.doc, path), "null") == "null"
        return not_(self.free_field(where.name, None, lambda _value, _text: true()))

    def like(self, where: Queryable, pattern: str, nocase: bool) -> Condition:
        def test(_value: Any, text: Any) -> Condition:
            if self.postgresql:
                if nocase:
                    return text.ilike(pattern, escape=LIKE_ESCAPE)  # type: ignore[no-any-return]
                return text.like(pattern, escape=LIKE_ESCAPE)  # type: ignore[no-any-return]
            if nocase:
                return text.like(pattern, escape=LIKE_ESCAPE)  # type: ignore[no-any-return]
            return text.op("GLOB", is_comparison=True)(glob_pattern(pattern))  # type: ignore[no-any-return]

        if where.kind is Kind.STRING:
            if where.column is not None:
                return test(None, self.column(where))
            return self.json_field(where, "string", test)
        if where.kind is Kind.ANY:
            return self.free_field(where.name, "string", test)
        return false()

    def temporal(self, where: Queryable, expr: Temporal) -> Condition:
        if where.kind is not Kind.TIMESTAMP or where.column is None:
            return false()
        column = self.column(where)
        start, end = expr.start, expr.end
        within = and_(
            true() if start is None else column >= start,
            true() if end is None else column <= end,
        )
        match expr.op:
            case TemporalOp.BEFORE:
                return false() if start is None else column < start
            case TemporalOp.AFTER:
                return false() if end is None else column > end
            case TemporalOp.INTERSECTS:
                return within
            case TemporalOp.DISJOINT:
                return not_(within)
            case TemporalOp.EQUALS:
                return false() if start is None or end is None else and_(column == start, column == end)
            case TemporalOp.BEFORE_OR_DURING:
                return true() if end is None else column <= end
            case TemporalOp.DURING_OR_AFTER:
                return true() if start is None else column >= start
        raise TypeError(f"no temporal predicate {expr.op!r}")

    def array(self, where: Queryable, op: ArrayOp, values: tuple[Scalar, ...]) -> Condition:
        if where.kind not in (Kind.STRINGS, Kind.ANY):
            return false()
        if self.postgresql:
            if where.kind is Kind.STRINGS:
                return self.json_field(where, "array", lambda value, _: self.jsonb_array_test(value, op, values))
            return self.free_field(where.name, "array", lambda value, _: self.jsonb_array_test(value, op, values))
        if where.kind is Kind.STRINGS:
            path = f"$.{where.json_key}"
            is_array = func.json_type(datasets.c.doc, path) == "array"
            return and_(is_array, self.sqlite_array_test(datasets.c.doc, path, op, values))
        if PATH_SAFE_KEY.fullmatch(where.name):
            path = f'$.properties."{where.name}"'
            is_array = func.json_type(granules.c.doc, path) == "array"
            return func.coalesce(and_(is_array, self.sqlite_array_test(granules.c.doc, path, op, values)), false())
        each = func.json_each(granules.c.doc, "$.properties").table_valued("key", "value", "type")
        array_text = case((each.c.type == "array", each.c.value), else_=literal("[]"))
        return exists(
            select(literal(1))
            .select_from(each)
            .where(
                each.c.key == bindparam(None, where.name, type_=Text),
                each.c.type == "array",
                self.sqlite_array_test(array_text, "$", op, values),
            )
        )

    def jsonb_array_test(self, array: Any, op: ArrayOp, values: tuple[Scalar, ...]) -> Condition:
        """`op` of a jsonb array and a literal array (PostgreSQL)."""
        match op:
            case ArrayOp.EQUALS:
                return array == jsonb_literal(list(values))  # type: ignore[no-any-return]
            case ArrayOp.CONTAINS:
                return array.op("@>", is_comparison=True)(jsonb_literal(list(values)))  # type: ignore[no-any-return]
            case ArrayOp.CONTAINED_BY:
                return array.op("<@", is_comparison=True)(jsonb_literal(list(values)))  # type: ignore[no-any-return]
            case ArrayOp.OVERLAPS:
                return or_(false(), *(array.op("@>", is_comparison=True)(jsonb_literal([value])) for value in values))
        raise TypeError(f"no array predicate {op!r}")

    def sqlite_array_test(self, source: Any, path: str, op: ArrayOp, values: tuple[Scalar, ...]) -> Condition:
        """`op` of the JSON array at `path` in the JSON text `source` and a literal array (SQLite).

        The array is always read through its container and path, never as a value of its own: `json_each` of a
        value that is a plain string would fail ("malformed JSON"), whatever guards the SQL puts beside it.
        """
        match op:
            case ArrayOp.EQUALS:
                return and_(
                    func.json_array_length(source, path) == len(values),
                    *(
                        element_is(
                            func.json_type(source, f"{path}[{index}]"),
                            func.json_extract(source, f"{path}[{index}]"),
                            value,
                        )
                        for index, value in enumerate(values)
                    ),
                )
            case ArrayOp.CONTAINS:
                return and_(true(), *(self.has_element(source, path, (value,)) for value in values))
            case ArrayOp.CONTAINED_BY:
                elements = func.json_each(source, path).table_valued("value", "type")
                return not_(
                    exists(
                        select(literal(1))
                        .select_from(elements)
                        .where(not_(or_(false(), *(element_is(elements.c.type, elements.c.value, v) for v in values))))
                    )
                )
            case ArrayOp.OVERLAPS:
                return self.has_element(source, path, values)
        raise TypeError(f"no array predicate {op!r}")

    def has_element(self, source: Any, path: str, values: tuple[Scalar, ...]) -> Condition:
        """Whether the JSON array at `path` in `source` (SQLite) has an element equal to one of `values`."""
        elements = func.json_each(source, path).table_valued("value", "type")
        return exists(
            select(literal(1))
            .select_from(elements)
            .where(or_(false(), *(element_is(elements.c.type, elements.c.value, value) for value in values)))
        )


def element_is(json_type: Any, sql_value: Any, value: Scalar) -> Condition:
    """Whether an SQLite JSON value (its `json_type`, its SQL value) equals a literal of the same JSON type."""
    kind = json_type_of(value)
    bound = int(value) if isinstance(value, bool) else value
    return and_(json_type.in_(SQLITE_TYPES[kind]), sql_value == bound)


def jsonb_literal(value: Any) -> Any:
    """A literal as jsonb on PostgreSQL: a bound JSON text cast to jsonb (the text is ours, so the cast holds)."""
    return cast(bindparam(None, json.dumps(value, ensure_ascii=False), type_=Text), JSONB)
