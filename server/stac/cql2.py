"""The STAC Filter extension: CQL2 text and JSON parsed with pygeofilter into `catalog.filters`, and `/queryables`.

pygeofilter does the parsing; this module decides what its AST may say here. Every refusal is an
`InvalidParameter` whose description names what is wrong and where (a line and column in text, a JSON pointer in
JSON), so that any filter a client sends ends as a tree that compiles or as a 400, never as an exception from
the parser. Three places where pygeofilter 0.4 is lenient or off the CQL2 standard are closed here: timestamps
and dates are read strictly as RFC 3339 (its text transformer would read `2024-13-01` as 13 January), a JSON
`bbox` is read as `[west, south, east, north]`, and the JSON form of BETWEEN takes both the draft
`[x, [low, high]]` and the final `[x, low, high]` arguments.

pygeofilter 0.4's text grammar falls short of CQL2 1.0 in a few places (NOT of a parenthesised condition,
temporal and array predicates written as functions, array literals, open or date bounds of an INTERVAL, `''` in a
string, one-letter names): the parser here is pygeofilter's grammar and transformer with those rules patched in
(`GRAMMAR_PATCHES`). Temporal predicates hold for the instant properties (`datetime`, `start_datetime`,
`end_datetime`): T_BEFORE, T_AFTER, T_INTERSECTS, T_DISJOINT, T_EQUALS; pygeofilter reads T_OVERLAPS as
T_INTERSECTS. The temporal-functions and array-functions conformance classes are not claimed: the first needs
interval properties, the second array-to-array property comparisons.
"""

import functools
import json
import math
import re
import unicodedata
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import shapely.geometry
from lark import Lark, v_args
from lark.exceptions import LarkError, UnexpectedInput, VisitError
from pygeofilter import ast, values
from pygeofilter.cql2 import ARRAY_PREDICATES_MAP
from pygeofilter.parsers.cql2_json import parse as parse_json_ast
from pygeofilter.parsers.cql2_text import parser as text_parser_module

from catalog.filters import (
    MAX_NAME_LENGTH,
    QUERYABLES,
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
)
from catalog.timeutil import to_epoch
from server.stac.errors import InvalidParameter

FILTER_LANGS = ("cql2-text", "cql2-json")
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"

CONFORMANCE: tuple[str, ...] = (
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
    "https://api.stacspec.org/v1.0.0-rc.2/item-search#filter",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-json",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
    "http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions-plus-points",
)
"""What is implemented in full. S_INTERSECTS is exact (bounding box in SQL, then the geometry) where it is a
top-level conjunct, a bounding-box match under OR and NOT; temporal and array functions, property-property
comparisons, CASEI/ACCENTI and arithmetic are not claimed."""

MAX_TEXT = 20_000
MAX_DEPTH = 100
"""Nesting of conditions (a run of ANDs or of ORs is one level)."""
MAX_TERMS = 256
"""Properties and literals in one filter: SQLite refuses expressions deeper than 1000, and a run of ORs (an IN
list is one) is as deep as it is long."""

JSON_SCHEMA = "https://json-schema.org/draft/2019-09/schema"

_COMPARISONS: Mapping[type[ast.Node], CompareOp] = {
    ast.Equal: CompareOp.EQ,
    ast.NotEqual: CompareOp.NE,
    ast.LessThan: CompareOp.LT,
    ast.LessEqual: CompareOp.LE,
    ast.GreaterThan: CompareOp.GT,
    ast.GreaterEqual: CompareOp.GE,
}
_FLIPPED = {
    CompareOp.EQ: CompareOp.EQ,
    CompareOp.NE: CompareOp.NE,
    CompareOp.LT: CompareOp.GT,
    CompareOp.LE: CompareOp.GE,
    CompareOp.GT: CompareOp.LT,
    CompareOp.GE: CompareOp.LE,
}
_TEMPORAL: Mapping[type[ast.Node], TemporalOp] = {
    ast.TimeBefore: TemporalOp.BEFORE,
    ast.TimeAfter: TemporalOp.AFTER,
    ast.TimeOverlaps: TemporalOp.INTERSECTS,
    ast.TimeDisjoint: TemporalOp.DISJOINT,
    ast.TimeEquals: TemporalOp.EQUALS,
    ast.TimeBeforeOrDuring: TemporalOp.BEFORE_OR_DURING,
    ast.TimeDuringOrAfter: TemporalOp.DURING_OR_AFTER,
}
_TEMPORAL_FLIPPED = {
    TemporalOp.BEFORE: TemporalOp.AFTER,
    TemporalOp.AFTER: TemporalOp.BEFORE,
    TemporalOp.INTERSECTS: TemporalOp.INTERSECTS,
    TemporalOp.DISJOINT: TemporalOp.DISJOINT,
    TemporalOp.EQUALS: TemporalOp.EQUALS,
}
_ARRAYS: Mapping[type[ast.Node], ArrayOp] = {
    ast.ArrayEquals: ArrayOp.EQUALS,
    ast.ArrayContains: ArrayOp.CONTAINS,
    ast.ArrayContainedBy: ArrayOp.CONTAINED_BY,
    ast.ArrayOverlaps: ArrayOp.OVERLAPS,
}
_ARRAYS_FLIPPED = {
    ArrayOp.EQUALS: ArrayOp.EQUALS,
    ArrayOp.CONTAINS: ArrayOp.CONTAINED_BY,
    ArrayOp.CONTAINED_BY: ArrayOp.CONTAINS,
    ArrayOp.OVERLAPS: ArrayOp.OVERLAPS,
}

JSON_OPERATORS = {
    "and": (2, None),
    "or": (2, None),
    "not": (1, 1),
    "isNull": (1, 1),
    "like": (2, 2),
    "in": (2, 2),
    "between": (2, 3),
    **dict.fromkeys(("=", "<>", "<", "<=", ">", ">="), (2, 2)),
    **dict.fromkeys(("s_intersects", "s_equals", "s_disjoint", "s_touches", "s_within"), (2, 2)),
    **dict.fromkeys(("s_overlaps", "s_crosses", "s_contains"), (2, 2)),
    **dict.fromkeys(("t_disjoint", "t_before", "t_after", "t_meets", "t_metby", "t_overlaps"), (2, 2)),
    **dict.fromkeys(("t_overlappedby", "t_begins", "t_begunby", "t_during", "t_contains", "t_ends"), (2, 2)),
    **dict.fromkeys(("t_endedby", "t_equals", "t_intersects"), (2, 2)),
    **dict.fromkeys(("a_equals", "a_contains", "a_containedby", "a_overlaps"), (2, 2)),
}
"""The CQL2 JSON operators pygeofilter reads, with their argument counts (least, most)."""

NOT_SUPPORTED_JSON = {"casei", "accenti", "+", "-", "*", "/", "%", "div", "^"}

RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_filter(value: str | Mapping[str, Any], lang: str | None, *, crs: str | None = None) -> Filter:
    """Parse a `filter` in `lang` (None: cql2-text for a string, cql2-json for an object; a string in cql2-json is
    JSON text) into the neutral tree, or raise `InvalidParameter` saying what and where."""
    if crs is not None and crs != CRS84:
        raise InvalidParameter(f"filter-crs: only {CRS84} is supported, not {crs!r}")
    if lang is None:
        lang = "cql2-text" if isinstance(value, str) else "cql2-json"
    if lang not in FILTER_LANGS:
        raise InvalidParameter(f"filter-lang: {lang!r} is not one of {', '.join(FILTER_LANGS)}")
    if lang == "cql2-text":
        if not isinstance(value, str):
            raise InvalidParameter("filter: a cql2-text filter is a string")
        return _translate(_parse_text(value), text=True)
    if isinstance(value, str):
        if len(value) > MAX_TEXT * 5:
            raise InvalidParameter(f"filter: longer than {MAX_TEXT * 5} characters")
        try:
            value = json.loads(value)
        except json.JSONDecodeError as error:
            raise InvalidParameter(
                f"filter: malformed JSON at line {error.lineno}, column {error.colno}: {error.msg}"
            ) from None
        except RecursionError:
            raise InvalidParameter("filter: nested too deeply") from None
    if not isinstance(value, Mapping) or "op" not in value:
        raise InvalidParameter("filter: a cql2-json filter is an object with an 'op'")
    normal = _normal_json(value, "", 0)
    try:
        tree = parse_json_ast(normal)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError) as error:
        raise InvalidParameter(f"filter: not valid CQL2 JSON ({error})") from None
    return _translate(tree, text=False)


def _translate(tree: Any, *, text: bool) -> Filter:
    try:
        return _Translator(text=text).condition(tree, 0)
    except RecursionError:
        raise InvalidParameter(f"filter: nested deeper than {MAX_DEPTH}") from None


def queryables_document(stac_base: str, collection_id: str | None) -> dict[str, Any]:
    """The JSON Schema of the queryables, for `/queryables` or `/collections/{id}/queryables`.

    The same properties hold in every collection; any other name is an item's free property (`properties` of
    the record), so `additionalProperties` is true.
    """
    where = (
        f"{stac_base}/queryables" if collection_id is None else f"{stac_base}/collections/{collection_id}/queryables"
    )
    title = "Queryables of every item" if collection_id is None else f"Queryables of the items of {collection_id}"
    return {
        "$schema": JSON_SCHEMA,
        "$id": where,
        "type": "object",
        "title": title,
        "description": (
            "Properties a CQL2 filter may name. Any other name is an item's own property (e.g. exposure_s, "
            "object, ra), compared only with literals of its JSON type."
        ),
        "properties": {name: _schema_of(q) for name, q in QUERYABLES.items()},
        "additionalProperties": True,
    }


def _schema_of(q: Queryable) -> dict[str, Any]:
    schema: dict[str, Any] = {"title": q.title}
    if q.description:
        schema["description"] = q.description
    if q.kind is Kind.STRING:
        schema["type"] = "string"
    elif q.kind is Kind.TIMESTAMP:
        schema.update(type="string", format="date-time")
    elif q.kind is Kind.GEOMETRY:
        schema["$ref"] = "https://geojson.org/schema/Geometry.json"
    elif q.kind is Kind.STRINGS:
        schema.update(type="array", items={"type": "string"})
    return schema


GRAMMAR_PATCHES = (
    ('| "NOT"i "(" predicate ")"', '| "NOT"i "(" condition ")"'),
    (
        "          | temporal_predicate\n",
        "          | temporal_predicate\n"
        '          | _binary_temporal_predicate_func "(" expression "," expression ")" -> temporal_function\n'
        '          | _array_predicate_func "(" _array_argument "," _array_argument ")" -> array_function\n',
    ),
    (
        '?interval: "INTERVAL" "("  "\'" DATETIME "\'" "," "\'" DATETIME "\'" ")"',
        '?interval: "INTERVAL" "(" _interval_bound "," _interval_bound ")"\n'
        '_interval_bound: "\'" DATETIME "\'" | "\'" DATE "\'" | OPEN_BOUND\n'
        "OPEN_BOUND: \"'..'\"\n"
        '!_array_predicate_func: "A_EQUALS"i | "A_CONTAINS"i | "A_CONTAINEDBY"i | "A_OVERLAPS"i\n'
        "_array_argument: attribute | array\n"
        'array: "(" [expression ("," expression)*] ")"',
    ),
    ("attribute: /[a-zA-Z][a-zA-Z_:0-9.]+/", "attribute: /[a-zA-Z][a-zA-Z_:0-9.]*/"),
    ('SINGLE_QUOTED: "\'" /.*?/ "\'"', "SINGLE_QUOTED: /'(?:[^']|'')*'/"),
    ('!_binary_temporal_predicate_func: "T_BEFORE"i', '!_binary_temporal_predicate_func: "T_DISJOINT"i | "T_BEFORE"i'),
    ("%ignore WS_INLINE", "%ignore WS_INLINE\n%import common.NEWLINE\n%ignore NEWLINE"),
)
"""Where pygeofilter 0.4's CQL2 text grammar falls short of CQL2 1.0, each a (found, replacement) in its text:
NOT of a parenthesised condition, temporal and array predicates as functions, array literals, intervals with
dates and open ends, T_DISJOINT, line breaks, one-letter property names, and `''` for a quote inside a string."""


class _StrictTransformer(text_parser_module.CQLTransformer):  # type: ignore[misc]
    """pygeofilter's text transformer, reading timestamps and dates strictly (RFC 3339, UTC when no offset) and
    building the nodes of the patched rules."""

    def DATETIME(self, token: str) -> datetime:  # noqa: N802 (lark calls a terminal's callback by its name)
        return _timestamp(str(token), "TIMESTAMP")

    def DATE(self, token: str) -> date:  # noqa: N802
        return _date(str(token))

    def OPEN_BOUND(self, token: str) -> None:  # noqa: N802
        return None

    def SINGLE_QUOTED(self, token: str) -> str:  # noqa: N802
        return str(token)[1:-1].replace("''", "'")

    @v_args(inline=True)
    def temporal_function(self, op: str, lhs: Any, rhs: Any) -> Any:
        if str(op).lower() == "t_disjoint":
            return ast.TimeDisjoint(lhs, rhs)
        return self.binary_temporal_predicate(lhs, op, rhs)

    @v_args(inline=True)
    def array_function(self, op: str, lhs: Any, rhs: Any) -> Any:
        return ARRAY_PREDICATES_MAP[str(op).lower()](lhs, rhs)

    @v_args(inline=True)
    def array(self, *items: Any) -> list[Any]:
        return [item for item in items if item is not None]


@functools.cache
def _text_parser() -> Lark:
    """pygeofilter's CQL2 text grammar, patched (`GRAMMAR_PATCHES`), with the strict transformer; built on first
    use. A patch that no longer applies (a new pygeofilter) fails here, loudly, in the tests."""
    path = Path(text_parser_module.__file__).with_name("grammar.lark")
    grammar = path.read_text(encoding="utf-8")
    for found, replacement in GRAMMAR_PATCHES:
        if found not in grammar:
            raise RuntimeError(f"pygeofilter's CQL2 grammar has changed: {found!r} is gone")
        grammar = grammar.replace(found, replacement)
    return Lark(
        grammar,
        parser="lalr",
        maybe_placeholders=False,
        transformer=_StrictTransformer(),
        import_paths=[str(path.parent.parent)],
        source_path=str(path),
    )


def _parse_text(text: str) -> Any:
    if len(text) > MAX_TEXT:
        raise InvalidParameter(f"filter: longer than {MAX_TEXT} characters")
    if "\x00" in text:
        raise InvalidParameter("filter: contains a NUL character")
    try:
        return _text_parser().parse(text)
    except UnexpectedInput as error:
        position = getattr(error, "pos_in_stream", None)
        near = text[position:][:20] if isinstance(position, int) and position >= 0 else ""
        where = f"line {error.line}, column {error.column}" if error.line not in (None, -1) else "the end"
        hint = f" near {near!r}" if near else ""
        raise InvalidParameter(f"filter: syntax error at {where}{hint}") from None
    except VisitError as error:
        if isinstance(error.orig_exc, InvalidParameter):
            raise error.orig_exc from None
        raise InvalidParameter(f"filter: invalid literal ({error.orig_exc})") from None
    except InvalidParameter:
        raise
    except RecursionError:
        raise InvalidParameter("filter: nested too deeply") from None
    except (LarkError, ValueError, TypeError, OverflowError) as error:
        raise InvalidParameter(f"filter: cannot be parsed ({error})") from None


def _timestamp(text: str, where: str) -> datetime:
    if not RFC3339.fullmatch(text):
        raise InvalidParameter(f"filter: {where} {text!r} is not an RFC 3339 timestamp")
    try:
        parsed = datetime.fromisoformat(text.replace("z", "Z").replace("t", "T"))
    except ValueError:
        raise InvalidParameter(f"filter: {where} {text!r} is not a valid timestamp") from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _date(text: str) -> date:
    if not DATE.fullmatch(text):
        raise InvalidParameter(f"filter: DATE {text!r} is not YYYY-MM-DD")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidParameter(f"filter: DATE {text!r} is not a valid date") from None


def _normal_json(node: Any, pointer: str, depth: int) -> Any:
    """Check a CQL2 JSON node and return it in the form pygeofilter reads as we mean it: literals of time and
    bounding boxes already as pygeofilter values (it passes them through), BETWEEN's arguments in its form."""
    if depth > 2 * MAX_DEPTH + 2:
        raise InvalidParameter(f"filter: nested deeper than {MAX_DEPTH} at {pointer or '/'}")
    if isinstance(node, list):
        return [_normal_json(item, f"{pointer}/{index}", depth + 1) for index, item in enumerate(node)]
    if node is None:
        raise InvalidParameter(f"filter: null is not a CQL2 value at {pointer or '/'}")
    if isinstance(node, bool | str):
        return node
    if isinstance(node, int | float):
        return node
    if not isinstance(node, Mapping):
        raise InvalidParameter(f"filter: unexpected value at {pointer or '/'}")
    if "op" in node:
        op = node["op"]
        if not isinstance(op, str):
            raise InvalidParameter(f"filter: 'op' is not a string at {pointer or '/'}")
        if op in NOT_SUPPORTED_JSON:
            raise InvalidParameter(f"filter: the operator {op!r} is not supported at {pointer or '/'}")
        if op not in JSON_OPERATORS:
            raise InvalidParameter(f"filter: unknown operator {op!r} at {pointer or '/'}")
        args = node.get("args")
        if not isinstance(args, list):
            raise InvalidParameter(f"filter: the 'args' of {op!r} are not an array at {pointer or '/'}")
        least, most = JSON_OPERATORS[op]
        if len(args) < least or (most is not None and len(args) > most):
            raise InvalidParameter(f"filter: {op!r} takes {least} arguments, not {len(args)}, at {pointer or '/'}")
        normal = _normal_json(args, f"{pointer}/args", depth + 1)
        if op == "between":
            if len(normal) == 3:
                normal = [normal[0], [normal[1], normal[2]]]
            elif not (isinstance(normal[1], list) and len(normal[1]) == 2):
                raise InvalidParameter(f"filter: 'between' needs a low and a high bound at {pointer}/args")
        if op == "in" and not isinstance(normal[1], list):
            raise InvalidParameter(f"filter: the second argument of 'in' is not an array at {pointer}/args/1")
        if op == "t_disjoint":
            return {"op": "not", "args": [{"op": "t_intersects", "args": normal}]}
        return {"op": op, "args": normal}
    if "property" in node:
        if not isinstance(node["property"], str):
            raise InvalidParameter(f"filter: 'property' is not a string at {pointer}")
        return {"property": node["property"]}
    if "timestamp" in node:
        return _timestamp(_string(node["timestamp"], f"{pointer}/timestamp"), "timestamp")
    if "date" in node:
        return _date(_string(node["date"], f"{pointer}/date"))
    if "interval" in node:
        return _interval(node["interval"], f"{pointer}/interval")
    if "bbox" in node:
        bbox = node["bbox"]
        if not (isinstance(bbox, list) and len(bbox) == 4 and all(_is_number(v) for v in bbox)):
            raise InvalidParameter(f"filter: 'bbox' is not [west, south, east, north] at {pointer}/bbox")
        west, south, east, north = (float(v) for v in bbox)
        return values.Envelope(west, east, south, north)
    if "type" in node and "coordinates" in node:
        return values.Geometry(dict(node))
    if "function" in node:
        function = node["function"]
        name = function.get("name") if isinstance(function, Mapping) else None
        raise InvalidParameter(f"filter: unknown function {str(name).upper()!r} at {pointer}/function")
    raise InvalidParameter(f"filter: unexpected object at {pointer or '/'}")


def _string(value: Any, pointer: str) -> str:
    if not isinstance(value, str):
        raise InvalidParameter(f"filter: not a string at {pointer}")
    return value


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _interval(bounds: Any, pointer: str) -> values.Interval:
    if not (isinstance(bounds, list) and len(bounds) == 2):
        raise InvalidParameter(f"filter: an interval has two bounds at {pointer}")
    parsed: list[date | datetime | None] = []
    for index, bound in enumerate(bounds):
        text = _string(bound, f"{pointer}/{index}")
        if text == "..":
            parsed.append(None)
        elif DATE.fullmatch(text):
            parsed.append(_date(text))
        else:
            parsed.append(_timestamp(text, "interval bound"))
    return values.Interval(parsed[0], parsed[1])


class _Translator:
    """pygeofilter's AST into the neutral tree; `text` says which encoding it came from (for ENVELOPE)."""

    def __init__(self, *, text: bool) -> None:
        self.text = text
        self.terms = 0

    def count(self, terms: int) -> None:
        self.terms += terms
        if self.terms > MAX_TERMS:
            raise InvalidParameter(f"filter: more than {MAX_TERMS} properties and values")

    def condition(self, node: Any, depth: int) -> Filter:
        if depth > MAX_DEPTH:
            raise InvalidParameter(f"filter: nested deeper than {MAX_DEPTH}")
        if isinstance(node, ast.And | ast.Or):
            chain, pending = [], [node]
            while pending:
                item = pending.pop()
                if type(item) is type(node):
                    pending.extend((item.rhs, item.lhs))
                else:
                    chain.append(item)
            parts = tuple(self.condition(item, depth + 1) for item in chain)
            return And(parts) if isinstance(node, ast.And) else Or(parts)
        if isinstance(node, ast.Not):
            return Not(self.condition(node.sub_node, depth + 1))
        if isinstance(node, ast.Include):
            return Constant(not node.not_)
        if isinstance(node, bool):
            return Constant(node)
        if type(node) in _COMPARISONS:
            return self.comparison(node)
        if isinstance(node, ast.Between):
            prop = self.property_of(node.lhs, "BETWEEN")
            between = Between(prop, self.value(prop, node.low), self.value(prop, node.high))
            self.check_types(prop, (between.low, between.high), "BETWEEN")
            return Not(between) if node.not_ else between
        if isinstance(node, ast.Like):
            return self.like(node)
        if isinstance(node, ast.In):
            prop = self.property_of(node.lhs, "IN")
            if not isinstance(node.sub_nodes, list):
                raise InvalidParameter("filter: IN needs a list of values")
            found = In(prop, tuple(self.value(prop, item) for item in node.sub_nodes))
            return Not(found) if node.not_ else found
        if isinstance(node, ast.IsNull):
            null = IsNull(self.property_of(node.lhs, "IS NULL"))
            return Not(null) if node.not_ else null
        if isinstance(node, ast.TemporalPredicate):
            return self.temporal(node)
        if isinstance(node, ast.SpatialComparisonPredicate):
            return self.spatial(node)
        if isinstance(node, ast.BBox):
            prop = self.property_of(node.lhs, "BBOX")
            if node.crs is not None and node.crs != CRS84:
                raise InvalidParameter(f"filter: only the CRS {CRS84} is supported, not {node.crs!r}")
            return self.intersects(prop, self.bbox_literal([node.minx, node.miny, node.maxx, node.maxy]))
        if isinstance(node, ast.ArrayPredicate):
            return self.array(node)
        self.refuse_expression(node)
        raise InvalidParameter(f"filter: {_describe(node)} is not a condition")

    def refuse_expression(self, node: Any) -> None:
        """Raise for the expressions not supported anywhere: functions, arithmetic."""
        if isinstance(node, ast.Function):
            name = "CASEI" if str(node.name).lower() == "lower" else str(node.name).upper()
            if name in ("LOWER", "CASEI", "ACCENTI"):
                raise InvalidParameter(f"filter: the function {name!r} is not supported")
            raise InvalidParameter(f"filter: unknown function {name!r}")
        if isinstance(node, ast.Arithmetic):
            raise InvalidParameter("filter: arithmetic is not supported")
        if isinstance(node, ast.Exists):
            raise InvalidParameter("filter: EXISTS is not CQL2; use IS NULL")
        if isinstance(node, ast.Relate | ast.SpatialDistancePredicate):
            raise InvalidParameter("filter: only S_INTERSECTS is supported of the spatial functions")

    def property_of(self, node: Any, operator: str) -> Property:
        if isinstance(node, ast.Attribute):
            self.count(1)
            return Property(_property_name(node.name))
        self.refuse_expression(node)
        raise InvalidParameter(f"filter: {operator} needs a property on its left, not {_describe(node)}")

    def comparison(self, node: Any) -> Filter:
        op = _COMPARISONS[type(node)]
        lhs, rhs = node.lhs, node.rhs
        if isinstance(lhs, ast.Attribute) and isinstance(rhs, ast.Attribute):
            raise InvalidParameter(f"filter: comparing two properties ({lhs.name} {op} {rhs.name}) is not supported")
        if not isinstance(lhs, ast.Attribute) and isinstance(rhs, ast.Attribute):
            lhs, rhs, op = rhs, lhs, _FLIPPED[op]
        prop = self.property_of(lhs, op.value)
        self.refuse_expression(rhs)
        value = self.value(prop, rhs)
        return Compare(prop, op, value)

    def value(self, prop: Property, node: Any) -> Value:
        """A literal compared with `prop`, checked against the kind of value the property holds."""
        q = prop.queryable
        self.count(1)
        self.refuse_expression(node)
        if isinstance(node, ast.Attribute):
            raise InvalidParameter(f"filter: comparing two properties ({prop.name}, {node.name}) is not supported")
        if q.kind is Kind.GEOMETRY:
            raise InvalidParameter(f"filter: {prop.name} takes only S_INTERSECTS, not {_describe(node)}")
        if q.kind is Kind.STRINGS:
            raise InvalidParameter(
                f"filter: {prop.name} is an array: use A_CONTAINS, A_OVERLAPS, A_CONTAINEDBY or A_EQUALS, "
                f"not a comparison with {_describe(node)}"
            )
        if isinstance(node, datetime | date):
            instant = Timestamp(_seconds(node))
            if q.kind is Kind.STRING:
                raise InvalidParameter(f"filter: cannot compare {prop.name} with the {_describe(node)}")
            return instant
        if isinstance(node, str):
            text = _checked_string(node)
            if q.kind is Kind.TIMESTAMP:
                if not RFC3339.fullmatch(text):
                    raise InvalidParameter(f"filter: cannot compare {prop.name} with the string {text!r}")
                return Timestamp(_seconds(_timestamp(text, "timestamp")))
            return text
        if isinstance(node, bool | int | float):
            number = _checked_scalar(node)
            if q.kind is not Kind.ANY:
                raise InvalidParameter(f"filter: cannot compare {prop.name} with the {_describe(node)}")
            return number
        raise InvalidParameter(f"filter: cannot compare {prop.name} with {_describe(node)}")

    def check_types(self, prop: Property, bounds: tuple[Value, ...], operator: str) -> None:
        kinds = {type(v) if not isinstance(v, int | float) or isinstance(v, bool) else float for v in bounds}
        if len(kinds) > 1:
            raise InvalidParameter(f"filter: the bounds of {operator} on {prop.name} have different types")

    def like(self, node: Any) -> Filter:
        prop = self.property_of(node.lhs, "LIKE")
        if prop.queryable.kind not in (Kind.STRING, Kind.ANY):
            raise InvalidParameter(f"filter: LIKE needs a string property; {prop.name} is {prop.queryable.kind}")
        if not isinstance(node.pattern, str):
            self.refuse_expression(node.pattern)
            raise InvalidParameter(f"filter: the pattern of LIKE is not a string but {_describe(node.pattern)}")
        found = Like(prop, _canonical_pattern(_checked_string(node.pattern)), bool(node.nocase))
        return Not(found) if node.not_ else found

    def temporal(self, node: Any) -> Filter:
        value = str(node.op.value)
        name = "T_" + (value[1:] if value in ("TCONTAINS", "TEQUALS", "TOVERLAPS") else value).replace(" ", "_")
        op = _TEMPORAL.get(type(node))
        lhs, rhs = node.lhs, node.rhs
        if not isinstance(lhs, ast.Attribute) and isinstance(rhs, ast.Attribute):
            if op not in _TEMPORAL_FLIPPED:
                raise InvalidParameter(f"filter: {name} needs the property first")
            lhs, rhs, op = rhs, lhs, _TEMPORAL_FLIPPED[op]
        prop = self.property_of(lhs, "a temporal predicate")
        if prop.queryable.kind is not Kind.TIMESTAMP:
            raise InvalidParameter(
                f"filter: temporal predicates need datetime, start_datetime or end_datetime, not {prop.name}"
            )
        if op is None:
            raise InvalidParameter(f"filter: {name} is not supported: {prop.name} is an instant")
        self.refuse_expression(rhs)
        if isinstance(rhs, datetime | date):
            seconds = _seconds(rhs)
            return Temporal(prop, op, seconds, seconds)
        if isinstance(rhs, str) and RFC3339.fullmatch(rhs):
            seconds = _seconds(_timestamp(rhs, "timestamp"))
            return Temporal(prop, op, seconds, seconds)
        if isinstance(rhs, values.Interval):
            start, end = _interval_seconds(rhs.start, rhs.end)
        elif isinstance(rhs, list) and len(rhs) == 2:
            start, end = _interval_seconds(rhs[0], rhs[1])
        else:
            raise InvalidParameter(f"filter: cannot compare {prop.name} in time with {_describe(rhs)}")
        if start is not None and end is not None and start > end:
            raise InvalidParameter("filter: an interval ends before it starts")
        return Temporal(prop, op, start, end)

    def spatial(self, node: Any) -> Filter:
        if not isinstance(node, ast.GeometryIntersects):
            raise InvalidParameter(
                f"filter: S_{node.op.value} is not supported; of the spatial functions only S_INTERSECTS is"
            )
        lhs, rhs = node.lhs, node.rhs
        if not isinstance(lhs, ast.Attribute) and isinstance(rhs, ast.Attribute):
            lhs, rhs = rhs, lhs
        prop = self.property_of(lhs, "S_INTERSECTS")
        if isinstance(rhs, ast.Function) and str(rhs.name).lower() == "bbox":
            return self.intersects(prop, self.bbox_literal(list(rhs.arguments)))
        self.refuse_expression(rhs)
        if isinstance(rhs, values.Envelope):
            if self.text:
                raise InvalidParameter("filter: ENVELOPE is not CQL2; use BBOX(west, south, east, north)")
            return self.intersects(prop, self.bbox_literal([rhs.x1, rhs.y1, rhs.x2, rhs.y2]))
        if isinstance(rhs, values.Geometry):
            return self.intersects(prop, _geometry_literal(rhs.geometry))
        raise InvalidParameter(f"filter: S_INTERSECTS needs a geometry literal, not {_describe(rhs)}")

    def bbox_literal(self, numbers: list[Any]) -> tuple[tuple[float, float, float, float], dict[str, Any]]:
        if len(numbers) != 4 or not all(_is_number(v) for v in numbers):
            raise InvalidParameter("filter: a BBOX is four numbers: west, south, east, north")
        west, south, east, north = (float(v) for v in numbers)
        if not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= north <= 90):
            raise InvalidParameter(f"filter: BBOX({west}, {south}, {east}, {north}) is not a box in degrees")
        boxes = (
            [shapely.geometry.box(west, south, east, north)]
            if west <= east
            else [shapely.geometry.box(west, south, 180.0, north), shapely.geometry.box(-180.0, south, east, north)]
        )
        shape = boxes[0] if len(boxes) == 1 else shapely.geometry.MultiPolygon(boxes)
        return (west, south, east, north), dict(shapely.geometry.mapping(shape))

    def intersects(self, prop: Property, literal: tuple[tuple[float, float, float, float], dict[str, Any]]) -> Filter:
        if prop.queryable.kind is not Kind.GEOMETRY:
            raise InvalidParameter(f"filter: S_INTERSECTS needs the geometry property, not {prop.name}")
        bbox, geometry = literal
        return Intersects(prop, bbox, geometry)

    def array(self, node: Any) -> Filter:
        op = _ARRAYS[type(node)]
        lhs, rhs = node.lhs, node.rhs
        if not isinstance(lhs, ast.Attribute) and isinstance(rhs, ast.Attribute):
            lhs, rhs, op = rhs, lhs, _ARRAYS_FLIPPED[op]
        prop = self.property_of(lhs, op.value.upper())
        if prop.queryable.kind not in (Kind.STRINGS, Kind.ANY):
            raise InvalidParameter(f"filter: {op.value.upper()} needs an array property; {prop.name} is not one")
        if not isinstance(rhs, list):
            self.refuse_expression(rhs)
            raise InvalidParameter(f"filter: {op.value.upper()} needs an array literal, not {_describe(rhs)}")
        items: list[Scalar] = []
        self.count(len(rhs))
        for item in rhs:
            if isinstance(item, str):
                items.append(_checked_string(item))
            elif isinstance(item, bool | int | float):
                items.append(_checked_scalar(item))
            else:
                raise InvalidParameter(
                    f"filter: array literals hold strings, numbers or booleans, not {_describe(item)}"
                )
        return ArrayPredicate(prop, op, tuple(items))


def _property_name(name: Any) -> str:
    """A property name, refused when empty, too long or holding control characters (never a valid name)."""
    if not isinstance(name, str) or not name:
        raise InvalidParameter("filter: an empty property name")
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidParameter(f"filter: a property name longer than {MAX_NAME_LENGTH} characters")
    if any(unicodedata.category(char) in ("Cc", "Cs") for char in name):
        raise InvalidParameter(f"filter: the property name {name!r} holds a control character")
    return name


def _checked_string(text: str) -> str:
    """A string literal both databases can bind: no NUL, no lone surrogate."""
    if "\x00" in text:
        raise InvalidParameter("filter: a string holds a NUL character")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidParameter("filter: a string is not valid Unicode") from None
    return text


def _checked_scalar(value: bool | int | float) -> bool | int | float:
    if isinstance(value, bool):
        return value
    if isinstance(value, float) and not math.isfinite(value):
        raise InvalidParameter(f"filter: the number {value} is not finite")
    if isinstance(value, int) and not -(2**63) <= value < 2**63:
        raise InvalidParameter(f"filter: the number {value} is out of range")
    return value


def _seconds(moment: date | datetime) -> int:
    """Seconds since the epoch; a DATE is its 00:00:00Z, a time without an offset is UTC."""
    if not isinstance(moment, datetime):
        moment = datetime(moment.year, moment.month, moment.day, tzinfo=UTC)
    elif moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return to_epoch(moment.astimezone(UTC))
    except (OverflowError, ValueError):
        raise InvalidParameter(f"filter: the time {moment.isoformat()} is out of range") from None


def _interval_seconds(start: Any, end: Any) -> tuple[int | None, int | None]:
    def bound(value: Any) -> int | None:
        if value is None or value == "..":
            return None
        if isinstance(value, datetime | date):
            return _seconds(value)
        if isinstance(value, str) and RFC3339.fullmatch(value):
            return _seconds(_timestamp(value, "interval bound"))
        if isinstance(value, timedelta):
            raise ValueError
        raise InvalidParameter(f"filter: an interval bound is not a time: {_describe(value)}")

    try:
        if isinstance(end, timedelta) and isinstance(start, datetime | date):
            first = bound(start)
            assert first is not None
            return first, first + int(end.total_seconds())
        if isinstance(start, timedelta) and isinstance(end, datetime | date):
            last = bound(end)
            assert last is not None
            return last - int(start.total_seconds()), last
        return bound(start), bound(end)
    except (ValueError, OverflowError):
        raise InvalidParameter("filter: an interval needs at least one time beside a duration") from None


def _geometry_literal(geojson: Mapping[str, Any]) -> tuple[tuple[float, float, float, float], dict[str, Any]]:
    """A GeoJSON geometry literal, checked with shapely: its bounds in degrees and its GeoJSON."""
    try:
        shape = shapely.geometry.shape(dict(geojson))
        bounds = shape.bounds
        mapping = dict(shapely.geometry.mapping(shape))
    except Exception:  # shapely raises many kinds for malformed GeoJSON; all mean the same to the client
        raise InvalidParameter("filter: the geometry literal is not valid GeoJSON") from None
    if shape.is_empty or not all(math.isfinite(v) for v in bounds):
        raise InvalidParameter("filter: the geometry literal is empty")
    west, south, east, north = (float(v) for v in bounds)
    if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
        raise InvalidParameter("filter: the geometry literal is outside longitudes -180..180, latitudes -90..90")
    return (west, south, east, north), mapping


def _canonical_pattern(pattern: str) -> str:
    """A CQL2 LIKE pattern with every escape before `%`, `_` or `\\`: an escape before another character is that
    character, and a trailing escape is refused (PostgreSQL would fail on it)."""
    out: list[str] = []
    chars = iter(pattern)
    for char in chars:
        if char == "\\":
            escaped = next(chars, None)
            if escaped is None:
                raise InvalidParameter(f"filter: the LIKE pattern {pattern!r} ends with an escape character")
            out.append(f"\\{escaped}" if escaped in "%_\\" else escaped)
        else:
            out.append(char)
    return "".join(out)


def _describe(node: Any) -> str:
    """A node as an error message names it."""
    if isinstance(node, bool):
        return f"boolean {str(node).lower()}"
    if isinstance(node, int | float):
        return f"number {node}"
    if isinstance(node, str):
        return f"string {node!r}"
    if isinstance(node, datetime):
        return f"timestamp {node.isoformat()}"
    if isinstance(node, date):
        return f"date {node.isoformat()}"
    if isinstance(node, ast.Attribute):
        return f"the property {node.name}"
    if isinstance(node, values.Geometry | values.Envelope):
        return "a geometry"
    if isinstance(node, values.Interval):
        return "an interval"
    if isinstance(node, list):
        return "an array"
    return f"a {type(node).__name__}"
