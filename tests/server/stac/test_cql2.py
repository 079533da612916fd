"""CQL2 text and JSON parsed into the filter tree: equal meaning in both encodings, the same rows on both backends,
errors that say what and where, and nothing but `InvalidParameter` for any input at all."""

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy.exc import SQLAlchemyError

from catalog.filters import (
    QUERYABLES,
    And,
    Compare,
    CompareOp,
    Filter,
    Intersects,
    Like,
    Not,
    Property,
    Temporal,
    TemporalOp,
    Timestamp,
    exact_geometries,
)
from catalog.store import Store, migrate, open_store
from harvest.loader import load_files
from server.stac.cql2 import CONFORMANCE, CRS84, FILTER_LANGS, JSON_OPERATORS, parse_filter, queryables_document
from server.stac.errors import InvalidParameter
from tests.catalog.test_filters import MODELS, Model, epoch, expected, in_box, matching, write_fixture
from tests.conftest import NOW


@pytest.fixture
def cql2_store(store_url: str, tmp_path: Path) -> Iterator[Store]:
    opened = open_store(store_url)
    load_files(opened, [write_fixture(tmp_path)], now=NOW)
    yield opened
    opened.dispose()


PROPERTY = {"property": "exposure_s"}

SAME: list[tuple[str, dict[str, Any], Callable[[Model], bool]]] = [
    ("collection = 'ds-a'", {"op": "=", "args": [{"property": "collection"}, "ds-a"]}, lambda m: m.dataset == "ds-a"),
    ("'ds-a' = collection", {"op": "=", "args": ["ds-a", {"property": "collection"}]}, lambda m: m.dataset == "ds-a"),
    ("id <> 'g1'", {"op": "<>", "args": [{"property": "id"}, "g1"]}, lambda m: m.id != "g1"),
    (
        "exposure_s >= 100 AND exposure_s < 70000",
        {"op": "and", "args": [{"op": ">=", "args": [PROPERTY, 100]}, {"op": "<", "args": [PROPERTY, 70000]}]},
        lambda m: m.id in ("g1", "g2"),
    ),
    ("100 < exposure_s", {"op": "<", "args": [100, PROPERTY]}, lambda m: m.id == "g2"),
    (
        "exposure_s > 50 OR mission = 'beta'",
        {
            "op": "or",
            "args": [{"op": ">", "args": [PROPERTY, 50]}, {"op": "=", "args": [{"property": "mission"}, "beta"]}],
        },
        lambda m: m.id in ("g1", "g2") or m.dataset == "ds-b",
    ),
    (
        "NOT (exposure_s > 50)",
        {"op": "not", "args": [{"op": ">", "args": [PROPERTY, 50]}]},
        lambda m: m.id not in ("g1", "g2"),
    ),
    (
        "ra > 12 AND NOT (flag = true OR \"processing:level\" = 'L3')",
        {
            "op": "and",
            "args": [
                {"op": ">", "args": [{"property": "ra"}, 12]},
                {
                    "op": "not",
                    "args": [
                        {
                            "op": "or",
                            "args": [
                                {"op": "=", "args": [{"property": "flag"}, True]},
                                {"op": "=", "args": [{"property": "processing:level"}, "L3"]},
                            ],
                        }
                    ],
                },
            ],
        },
        lambda m: False,
    ),
    ("object LIKE 'Pers%'", {"op": "like", "args": [{"property": "object"}, "Pers%"]}, lambda m: m.id == "g1"),
    (
        "object LIKE '100\\%\\_done'",
        {"op": "like", "args": [{"property": "object"}, "100\\%\\_done"]},
        lambda m: m.id == "g2",
    ),
    (
        "object NOT LIKE '%e%'",
        {"op": "not", "args": [{"op": "like", "args": [{"property": "object"}, "%e%"]}]},
        lambda m: m.id in ("g4", "g6"),
    ),
    (
        "id IN ('g1', 'g4', 'zz')",
        {"op": "in", "args": [{"property": "id"}, ["g1", "g4", "zz"]]},
        lambda m: m.id in ("g1", "g4"),
    ),
    (
        "mission NOT IN ('alpha')",
        {"op": "not", "args": [{"op": "in", "args": [{"property": "mission"}, ["alpha"]]}]},
        lambda m: m.dataset != "ds-a",
    ),
    (
        "exposure_s BETWEEN 12 AND 100",
        {"op": "between", "args": [PROPERTY, 12, 100]},
        lambda m: m.id in ("g1", "g5"),
    ),
    (
        "exposure_s NOT BETWEEN 12 AND 100",
        {"op": "not", "args": [{"op": "between", "args": [PROPERTY, [12, 100]]}]},
        lambda m: m.id not in ("g1", "g5"),
    ),
    ("exposure_s IS NULL", {"op": "isNull", "args": [PROPERTY]}, lambda m: m.id in ("g4", "g6")),
    (
        "exposure_s IS NOT NULL",
        {"op": "not", "args": [{"op": "isNull", "args": [PROPERTY]}]},
        lambda m: m.id not in ("g4", "g6"),
    ),
    (
        "datetime >= TIMESTAMP('2024-02-01T00:00:00Z') AND datetime < DATE('2024-06-15')",
        {
            "op": "and",
            "args": [
                {"op": ">=", "args": [{"property": "datetime"}, {"timestamp": "2024-02-01T00:00:00Z"}]},
                {"op": "<", "args": [{"property": "datetime"}, {"date": "2024-06-15"}]},
            ],
        },
        lambda m: m.id in ("g2", "g3"),
    ),
    (
        "datetime = TIMESTAMP('2024-03-01T21:00:00+09:00')",
        {"op": "=", "args": [{"property": "datetime"}, {"timestamp": "2024-03-01T12:00:00Z"}]},
        lambda m: m.id == "g3",
    ),
    (
        "end_datetime < '2024-01-01T00:00:00Z'",
        {"op": "<", "args": [{"property": "end_datetime"}, {"timestamp": "2024-01-01T00:00:00Z"}]},
        lambda m: m.id == "g4",
    ),
    (
        "datetime T_INTERSECTS INTERVAL('2024-01-01T00:00:00Z', '2024-03-01T12:00:00Z')",
        {
            "op": "t_intersects",
            "args": [{"property": "datetime"}, {"interval": ["2024-01-01", "2024-03-01T12:00:00Z"]}],
        },
        lambda m: m.id in ("g1", "g2", "g3"),
    ),
    (
        "T_BEFORE(datetime, TIMESTAMP('2024-01-01T00:00:00Z'))",
        {"op": "t_before", "args": [{"property": "datetime"}, {"timestamp": "2024-01-01T00:00:00Z"}]},
        lambda m: m.id == "g4",
    ),
    (
        "T_AFTER(datetime, INTERVAL('2024-01-01', '2024-03-01T12:00:00Z'))",
        {"op": "t_after", "args": [{"property": "datetime"}, {"interval": ["2024-01-01", "2024-03-01T12:00:00Z"]}]},
        lambda m: m.id in ("g5", "g6"),
    ),
    (
        "S_INTERSECTS(geometry, POINT(100 50))",
        {"op": "s_intersects", "args": [{"property": "geometry"}, {"type": "Point", "coordinates": [100, 50]}]},
        lambda m: m.id == "g5",
    ),
    (
        "S_INTERSECTS(geometry, BBOX(175, -1, -175, 1))",
        {"op": "s_intersects", "args": [{"property": "geometry"}, {"bbox": [175, -1, -175, 1]}]},
        lambda m: in_box(m, 175, -1, -175, 1),
    ),
    (
        "BBOX(geometry, 15, 15, 30, 30)",
        {"op": "s_intersects", "args": [{"property": "geometry"}, {"bbox": [15, 15, 30, 30]}]},
        lambda m: m.id == "g1",
    ),
    (
        "S_INTERSECTS(geometry, POLYGON((0 0, 4 0, 4 4, 0 4, 0 0)))",
        {
            "op": "s_intersects",
            "args": [
                {"property": "geometry"},
                {"type": "Polygon", "coordinates": [[[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]]]},
            ],
        },
        lambda m: in_box(m, 0, 0, 4, 4),
    ),
    (
        "S_INTERSECTS(geometry, LINESTRING(-170 0, -160 0))",
        {
            "op": "s_intersects",
            "args": [{"property": "geometry"}, {"type": "LineString", "coordinates": [[-170, 0], [-160, 0]]}],
        },
        lambda m: m.id == "g2",
    ),
    ("INCLUDE", {"op": "not", "args": [{"op": "isNull", "args": [{"property": "id"}]}]}, lambda m: True),
    (
        "T_INTERSECTS(datetime, INTERVAL('2024-01-01', '..'))",
        {"op": "t_intersects", "args": [{"property": "datetime"}, {"interval": ["2024-01-01", ".."]}]},
        lambda m: m.start >= epoch("2024-01-01T00:00:00"),
    ),
    (
        "T_AFTER(TIMESTAMP('2024-01-01T00:00:00Z'), datetime)",
        {"op": "t_before", "args": [{"property": "datetime"}, {"timestamp": "2024-01-01T00:00:00Z"}]},
        lambda m: m.id == "g4",
    ),
    (
        "T_DISJOINT(datetime, INTERVAL('2024-01-01T00:00:00Z', '2024-06-15T00:00:00Z'))",
        {"op": "t_disjoint", "args": [{"property": "datetime"}, {"interval": ["2024-01-01", "2024-06-15"]}]},
        lambda m: m.id in ("g4", "g6"),
    ),
    (
        "T_EQUALS(datetime, TIMESTAMP('2023-12-31T23:59:59Z'))",
        {"op": "t_equals", "args": [{"property": "datetime"}, {"timestamp": "2023-12-31T23:59:59Z"}]},
        lambda m: m.id == "g4",
    ),
    (
        "A_CONTAINS(instruments, ('SPEC'))",
        {"op": "a_contains", "args": [{"property": "instruments"}, ["SPEC"]]},
        lambda m: m.dataset == "ds-a",
    ),
    (
        "A_CONTAINEDBY(instruments, ('CAM', 'X'))",
        {"op": "a_contains", "args": [["CAM", "X"], {"property": "instruments"}]},
        lambda m: m.dataset == "ds-b",
    ),
    (
        "A_OVERLAPS(ssys:targets, ('Earth', 'Venus')) AND NOT A_EQUALS(bands, ('u', 'g'))",
        {
            "op": "and",
            "args": [
                {"op": "a_overlaps", "args": [{"property": "ssys:targets"}, ["Earth", "Venus"]]},
                {"op": "not", "args": [{"op": "a_equals", "args": [{"property": "bands"}, ["u", "g"]]}]},
            ],
        },
        lambda m: m.id in ("g2", "g3", "g4"),
    ),
    ("\"it's\" = 'apostrophe'", {"op": "=", "args": [{"property": "it's"}, "apostrophe"]}, lambda m: m.id == "g1"),
    (
        "\"x:y\" = 'colon' OR object = 'back\\slash'",
        {
            "op": "or",
            "args": [
                {"op": "=", "args": [{"property": "x:y"}, "colon"]},
                {"op": "=", "args": [{"property": "object"}, "back\\slash"]},
            ],
        },
        lambda m: m.id in ("g1", "g4"),
    ),
]


@pytest.mark.parametrize(("text", "tree"), [(text, tree) for text, tree, _ in SAME], ids=[s[0] for s in SAME])
def test_text_and_json_parse(text: str, tree: dict[str, Any]) -> None:
    assert parse_filter(text, None) is not None
    assert parse_filter(tree, None) == parse_filter(json.dumps(tree), "cql2-json")


def test_text_and_json_give_the_same_rows(cql2_store: Store) -> None:
    """Each filter in text and in JSON, on each backend: the rows Python expects, and the same from both forms."""
    wrong = {}
    for text, tree, predicate in SAME:
        wanted = expected(predicate)
        from_text = matching(cql2_store, parse_filter(text, "cql2-text"))
        from_json = matching(cql2_store, parse_filter(tree, "cql2-json"))
        if not (from_text == from_json == wanted):
            wrong[text] = {"text": sorted(from_text), "json": sorted(from_json), "expected": sorted(wanted)}
    assert wrong == {}


def test_array_functions_in_json(cql2_store: Store) -> None:
    contains = parse_filter({"op": "a_contains", "args": [{"property": "instruments"}, ["SPEC"]]}, None)
    assert matching(cql2_store, contains) == expected(lambda m: m.dataset == "ds-a")
    flipped = parse_filter({"op": "a_contains", "args": [["CAM", "X"], {"property": "instruments"}]}, None)
    assert matching(cql2_store, flipped) == expected(lambda m: m.dataset == "ds-b")
    overlaps = parse_filter({"op": "a_overlaps", "args": [{"property": "bands"}, ["u"]]}, None)
    assert matching(cql2_store, overlaps) == expected(lambda m: m.id in ("g1", "g4"))


def test_trees() -> None:
    assert parse_filter("datetime > DATE('2024-01-01')", None) == Compare(
        Property("datetime"), CompareOp.GT, Timestamp(epoch("2024-01-01T00:00:00"))
    )
    assert parse_filter("\"processing:level\" = 'L2' AND ssys:targets IS NULL AND id = 'a'", None) == And(
        (
            Compare(Property("processing:level"), CompareOp.EQ, "L2"),
            parse_filter("ssys:targets IS NULL", None),
            Compare(Property("id"), CompareOp.EQ, "a"),
        )
    )
    assert parse_filter("object LIKE 'a\\b\\%'", None) == Like(Property("object"), "ab\\%")
    assert parse_filter("object NOT LIKE 'a%'", None) == Not(Like(Property("object"), "a%"))
    assert parse_filter("datetime T_INTERSECTS INTERVAL('2024-01-01T00:00:00Z', '2024-01-02T00:00:00Z')", None) == (
        Temporal(
            Property("datetime"), TemporalOp.INTERSECTS, epoch("2024-01-01T00:00:00"), epoch("2024-01-02T00:00:00")
        )
    )
    open_end = parse_filter(
        {"op": "t_intersects", "args": [{"property": "datetime"}, {"interval": ["2024-01-01", ".."]}]}, None
    )
    assert open_end == Temporal(Property("datetime"), TemporalOp.INTERSECTS, epoch("2024-01-01T00:00:00"), None)


def test_exact_geometries_of_parsed_filters() -> None:
    point = parse_filter("S_INTERSECTS(geometry, POINT(1 2)) AND id = 'x'", None)
    assert [g["type"] for g in exact_geometries(point)] == ["Point"]
    across = parse_filter(
        {"op": "s_intersects", "args": [{"property": "geometry"}, {"bbox": [170, -10, -170, 10]}]}, None
    )
    assert isinstance(across, Intersects)
    assert across.bbox == (170.0, -10.0, -170.0, 10.0)
    assert [g["type"] for g in exact_geometries(across)] == ["MultiPolygon"]
    either = parse_filter("S_INTERSECTS(geometry, POINT(1 2)) OR id = 'x'", None)
    assert exact_geometries(either) == ()


ERRORS: list[tuple[Any, str | None, str]] = [
    ("FOO(name) = 1", None, "filter: unknown function 'FOO'"),
    ("datetime > 'abc'", None, "filter: cannot compare datetime with the string 'abc'"),
    ("collection = 5", None, "filter: cannot compare collection with the number 5"),
    ("mission = true", None, "filter: cannot compare mission with the boolean true"),
    ("collection = TIMESTAMP('2024-01-01T00:00:00Z')", None, "cannot compare collection with the timestamp"),
    ("collection = 'a' AND ", None, "filter: syntax error at line 1, column 18"),
    ("id = 'a'\n AND (", None, "filter: syntax error at line 2"),
    ("datetime > TIMESTAMP('2024-13-01T00:00:00Z')", None, "'2024-13-01T00:00:00Z' is not a valid timestamp"),
    ("datetime > DATE('2024-02-30')", None, "'2024-02-30' is not a valid date"),
    ("exposure_s = 1 + 2", None, "filter: arithmetic is not supported"),
    ("CASEI(object) = 'x'", None, "'CASEI' is not supported"),
    ("object = other", None, "comparing two properties"),
    ("S_WITHIN(geometry, POINT(1 2))", None, "S_WITHIN is not supported"),
    ("S_INTERSECTS(id, POINT(1 2))", None, "needs the geometry property, not id"),
    ("S_INTERSECTS(geometry, POINT(200 2))", None, "outside longitudes"),
    ("S_INTERSECTS(geometry, BBOX(0, 10, 1, 5))", None, "is not a box in degrees"),
    ("geometry = 'x'", None, "geometry takes only S_INTERSECTS"),
    ("instruments = 'CAM'", None, "instruments is an array: use A_CONTAINS"),
    ("datetime LIKE '2024%'", None, "LIKE needs a string property; datetime is timestamp"),
    ("object LIKE 'abc\\'", None, "ends with an escape character"),
    ("exposure_s BETWEEN 1 AND 'z'", None, "have different types"),
    ("T_MEETS(datetime, INTERVAL('2024-01-01', '2024-01-02'))", None, "T_MEETS is not supported: datetime is an"),
    ("T_INTERSECTS(datetime, INTERVAL('2024-01-02', '2024-01-01'))", None, "an interval ends before it starts"),
    ("T_BEFORE(id, TIMESTAMP('2024-01-01T00:00:00Z'))", None, "temporal predicates need datetime"),
    ("A_CONTAINS(id, ('a'))", None, "A_CONTAINS needs an array property; id is not one"),
    ("x = 'it's'", None, "syntax error at line 1, column 9"),
    ("exposure_s = 1e999", None, "not finite"),
    ("exposure_s = 99999999999999999999", None, "out of range"),
    ('"" = 1', None, "an empty property name"),
    (f'"{"x" * 201}" = 1', None, "longer than 200"),
    ('"a\x01b" = 1', None, "control character"),
    ("x" * 20_001, None, "longer than 20000"),
    (" AND ".join(["id = 'a'"] * 1000), None, "more than 256 properties and values"),
    ("NOT (" * 150 + "id = 'a'" + ")" * 150, None, "nested deeper than 100"),
    ({"op": "in", "args": [PROPERTY, list(range(300))]}, None, "more than 256 properties and values"),
    ({"op": "or", "args": [{"op": "=", "args": [PROPERTY, i]} for i in range(200)]}, None, "more than 256"),
    ({"op": "not", "args": [{"op": "not", "args": [{"op": "not", "args": [1]}]}]}, None, "is not a condition"),
    ({"op": "foo", "args": []}, None, "filter: unknown operator 'foo' at /"),
    ({"op": "and", "args": [{"op": "=", "args": [PROPERTY, 1]}, {"op": "bar", "args": [1]}]}, None, "'bar' at /args/1"),
    ({"op": "=", "args": [PROPERTY]}, None, "'=' takes 2 arguments, not 1"),
    ({"op": "=", "args": "x"}, None, "are not an array"),
    ({"op": "=", "args": [PROPERTY, None]}, None, "null is not a CQL2 value at /args/1"),
    ({"op": "=", "args": [{"property": "datetime"}, {"timestamp": "yesterday"}]}, None, "not an RFC 3339 timestamp"),
    ({"op": "s_intersects", "args": [{"property": "geometry"}, {"bbox": [1, 2, 3]}]}, None, "'bbox' is not [west"),
    (
        {"op": "s_intersects", "args": [{"property": "geometry"}, {"type": "Polygon", "coordinates": [[1]]}]},
        None,
        "not valid GeoJSON",
    ),
    ({"op": "=", "args": [{"function": {"name": "foo", "args": []}}, 1]}, None, "unknown function 'FOO'"),
    ({"op": "=", "args": [{"property": "object"}, "a\x00b"]}, None, "NUL"),
    ({"op": "=", "args": [{"property": "object"}, "\ud800"]}, None, "not valid Unicode"),
    ({"op": "casei", "args": ["x"]}, None, "'casei' is not supported"),
    ({"args": []}, None, "a cql2-json filter is an object with an 'op'"),
    ('{"op": "=", "args": [', "cql2-json", "filter: malformed JSON at line 1, column 22"),
    ("[1, 2]", "cql2-json", "a cql2-json filter is an object"),
    ({"op": "=", "args": [PROPERTY, 1]}, "cql2-text", "a cql2-text filter is a string"),
    ("id = 'a'", "cql-text", "filter-lang: 'cql-text' is not one of cql2-text, cql2-json"),
]


@pytest.mark.parametrize(("value", "lang", "message"), ERRORS, ids=[str(e[2])[:40] for e in ERRORS])
def test_errors_say_what_and_where(value: Any, lang: str | None, message: str) -> None:
    with pytest.raises(InvalidParameter) as raised:
        parse_filter(value, lang)
    assert message in raised.value.description
    assert raised.value.description.startswith(("filter:", "filter-lang:"))
    assert raised.value.to_dict()["code"] == "InvalidParameterValue"


def test_long_filters_within_the_limits_run(cql2_store: Store) -> None:
    """The limits refuse what SQLite could not run, and what they let through runs on both backends."""
    many = parse_filter({"op": "in", "args": [PROPERTY, list(range(250))]}, None)
    assert matching(cql2_store, many) == expected(lambda m: m.number("exposure_s") in range(250))
    chain = parse_filter(" OR ".join(f"id = 'g{i}'" for i in range(120)), None)
    assert matching(cql2_store, chain) == expected(lambda m: True)
    nested = parse_filter("NOT (" * 99 + "id = 'g1'" + ")" * 99, None)
    assert matching(cql2_store, nested) == expected(lambda m: m.id != "g1")


def test_crs() -> None:
    assert parse_filter("id = 'a'", None, crs=CRS84) == parse_filter("id = 'a'", None)
    with pytest.raises(InvalidParameter, match="filter-crs"):
        parse_filter("id = 'a'", None, crs="http://www.opengis.net/def/crs/EPSG/0/4326")


def test_conformance_claims_what_is_implemented() -> None:
    assert FILTER_LANGS == ("cql2-text", "cql2-json")
    for uri in ("conf/cql2-text", "conf/cql2-json", "conf/basic-cql2", "conf/advanced-comparison-operators"):
        assert any(c.endswith(uri) for c in CONFORMANCE)
    assert "https://api.stacspec.org/v1.0.0-rc.2/item-search#filter" in CONFORMANCE
    assert not any(part in c for c in CONFORMANCE for part in ("temporal", "array", "property-property", "arithmetic"))
    assert len(set(CONFORMANCE)) == len(CONFORMANCE)


@pytest.mark.parametrize("collection", [None, "ds-a"])
def test_queryables_document(collection: str | None) -> None:
    document = queryables_document("http://catalog.test/stac", collection)
    meta = jsonschema.Draft201909Validator
    assert document["$schema"] == "https://json-schema.org/draft/2019-09/schema"
    meta.check_schema(document)
    suffix = "/queryables" if collection is None else f"/collections/{collection}/queryables"
    assert document["$id"] == f"http://catalog.test/stac{suffix}"
    assert document["type"] == "object"
    assert document["additionalProperties"] is True
    assert set(document["properties"]) == set(QUERYABLES)
    assert document["properties"]["datetime"]["format"] == "date-time"
    assert document["properties"]["instruments"]["items"] == {"type": "string"}
    assert all(schema["title"] for schema in document["properties"].values())


@pytest.fixture(scope="module")
def fuzz_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """One SQLite store with the fixture catalog for every generated filter."""
    folder = tmp_path_factory.mktemp("cql2-fuzz")
    url = f"sqlite:///{folder / 'catalog.sqlite'}"
    migrate(url)
    opened = open_store(url)
    load_files(opened, [write_fixture(folder)], now=NOW)
    yield opened
    opened.dispose()


NAMES = st.sampled_from([*QUERYABLES, "exposure_s", "object", "bands", "a.b", 'q"uote', "x:y", "eo:cloud_cover"])
WORDS = st.sampled_from(
    [
        "AND", "OR", "NOT", "(", ")", ",", "=", "<>", "<", "<=", ">", ">=", "LIKE", "IN", "BETWEEN", "IS", "NULL",
        "INCLUDE", "EXCLUDE", "S_INTERSECTS", "BBOX", "POINT", "POLYGON", "TIMESTAMP", "DATE", "INTERVAL",
        "T_INTERSECTS", "T_BEFORE", "A_CONTAINS", "CASEI", "'x'", "'%a\\_'", "'2024-01-01T00:00:00Z'",
        "'2024-01-01'", "1", "-2.5", "1e999", "true", "geometry", "datetime", "collection", "exposure_s", "+", "*",
        "\"processing:level\"", "instruments", "ENVELOPE",
    ]
)  # fmt: skip
TEXT_LITERALS = st.one_of(
    st.sampled_from(
        [
            "'x'", "'100\\%'", "'a''b'", "'%e%'", "''", "TIMESTAMP('2024-01-01T00:00:00Z')", "DATE('2024-01-01')",
            "INTERVAL('2024-01-01', '..')", "POINT(1 2)", "BBOX(170, -10, -170, 10)", "('CAM', 'u')", "()",
            "POLYGON((0 0, 4 0, 4 4, 0 0))", "true", "1e400",
        ]
    ),
    st.integers().map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
)  # fmt: skip
TEXT_LEAF = st.one_of(
    st.builds(
        lambda name, op, literal: f'"{name}" {op} {literal}',
        NAMES,
        st.sampled_from(["=", "<>", "<", ">=", "LIKE", "NOT LIKE", "IN", "NOT IN"]),
        TEXT_LITERALS,
    ),
    st.builds(
        lambda op, name, literal: f'{op}("{name}", {literal})',
        st.sampled_from(["S_INTERSECTS", "T_INTERSECTS", "T_BEFORE", "T_DISJOINT", "A_CONTAINS", "A_EQUALS"]),
        NAMES,
        TEXT_LITERALS,
    ),
    st.builds(lambda name, a, b: f'"{name}" BETWEEN {a} AND {b}', NAMES, TEXT_LITERALS, TEXT_LITERALS),
    NAMES.map(lambda name: f'"{name}" IS NULL'),
)
TEXT_CONDITION = st.recursive(
    TEXT_LEAF,
    lambda inner: st.one_of(
        st.builds(lambda a, op, b: f"({a}) {op} ({b})", inner, st.sampled_from(["AND", "OR"]), inner),
        inner.map(lambda a: f"NOT ({a})"),
    ),
    max_leaves=6,
)
CQL2_TEXT = st.one_of(
    st.text(max_size=80), st.lists(st.one_of(WORDS, NAMES), max_size=14).map(" ".join), TEXT_CONDITION
)

LITERALS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(),
    st.text(max_size=12),
    st.sampled_from(
        [{"timestamp": "2024-01-01T00:00:00Z"}, {"date": "2024-01-01"}, {"interval": ["..", "2024-01-01"]}]
    ),
    st.builds(lambda v: {"bbox": v}, st.lists(st.floats(min_value=-200, max_value=200), max_size=5)),
    st.builds(
        lambda kind, coordinates: {"type": kind, "coordinates": coordinates},
        st.sampled_from(["Point", "Polygon", "LineString", "MultiPoint", "Nope"]),
        st.recursive(st.floats(min_value=-200, max_value=200), lambda inner: st.lists(inner, max_size=4), max_leaves=8),
    ),
    NAMES.map(lambda name: {"property": name}),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)
OPS = st.one_of(st.sampled_from(sorted(JSON_OPERATORS)), st.sampled_from(["casei", "foo", "+"]), st.text(max_size=5))
CQL2_JSON_ANY = st.recursive(
    LITERALS,
    lambda inner: st.one_of(
        st.builds(lambda op, args: {"op": op, "args": args}, OPS, st.lists(inner, max_size=4)),
        st.lists(inner, max_size=3),
    ),
    max_leaves=12,
)
VALUES = st.one_of(
    st.booleans(),
    st.integers(min_value=-(2**64), max_value=2**64),
    st.floats(min_value=-1e300, max_value=1e300),
    st.text(max_size=8),
    st.sampled_from(
        [
            {"timestamp": "2024-01-01T00:00:00Z"},
            {"date": "2024-01-01"},
            {"interval": ["2024-01-01", ".."]},
            {"bbox": [170, -10, -170, 10]},
            {"type": "Point", "coordinates": [100, 50]},
        ]
    ),
)
JSON_LEAF = st.one_of(
    st.builds(
        lambda op, name, literal: {"op": op, "args": [{"property": name}, literal]},
        st.sampled_from(sorted(op for op, (least, _) in JSON_OPERATORS.items() if least == 2)),
        NAMES,
        st.one_of(VALUES, st.lists(VALUES, max_size=3)),
    ),
    NAMES.map(lambda name: {"op": "isNull", "args": [{"property": name}]}),
)
JSON_CONDITION = st.recursive(
    JSON_LEAF,
    lambda inner: st.one_of(
        st.builds(
            lambda op, args: {"op": op, "args": args},
            st.sampled_from(["and", "or"]),
            st.lists(inner, min_size=2, max_size=3),
        ),
        inner.map(lambda a: {"op": "not", "args": [a]}),
    ),
    max_leaves=6,
)
CQL2_JSON = st.one_of(CQL2_JSON_ANY, JSON_CONDITION)


def run_or_refuse(store: Store, value: Any, lang: str | None) -> None:
    """Parse and run a filter: it must either run or be refused with `InvalidParameter`; nothing else escapes."""
    tree: Filter | None = None
    refusal = ""
    try:
        tree = parse_filter(value, lang)
    except InvalidParameter as error:
        refusal = error.description
    if tree is None:
        assert refusal.startswith(("filter:", "filter-lang:"))
        event("refused")
        return
    event("parsed and ran")
    try:
        matching(store, tree)
    except SQLAlchemyError as error:  # pragma: no cover - the failure this test exists to catch
        pytest.fail(f"{value!r} parsed to {tree!r} and failed in SQL: {error}")


@settings(max_examples=400, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=CQL2_TEXT)
def test_any_text_runs_or_is_refused(fuzz_store: Store, text: str) -> None:
    run_or_refuse(fuzz_store, text, None)


@settings(max_examples=400, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=CQL2_JSON)
def test_any_json_runs_or_is_refused(fuzz_store: Store, value: Any) -> None:
    run_or_refuse(fuzz_store, value, "cql2-json" if not isinstance(value, dict) else None)
    run_or_refuse(fuzz_store, json.dumps(value), "cql2-json")


def test_fuzz_reaches_real_filters(fuzz_store: Store) -> None:
    """The generators above can produce filters that parse: a sanity check that the fuzz is not all refusals."""
    assert matching(fuzz_store, parse_filter("exposure_s > 1 AND collection = 'ds-a'", None)) == expected(
        lambda m: m.id in ("g1", "g2")
    )
    assert len(MODELS) == 6


@settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(value=st.one_of(TEXT_CONDITION, JSON_CONDITION))
def test_generated_filters_run_or_are_refused_on_both_backends(cql2_store: Store, value: Any) -> None:
    """The same property on PostgreSQL (one store for every example): no literal makes its SQL fail."""
    run_or_refuse(cql2_store, value, None)
