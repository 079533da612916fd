"""Fuzz the STAC API from its own OpenAPI document: whatever a client sends, the answer is never a 5xx, and every
4xx is JSON `{code, description}` with CORS.

Requests are drawn operation by operation from `openapi_document`: each documented parameter gets either a value
its schema allows (often a real id or a real CQL2 expression, to get past the first check) or a hostile one (huge
and negative numbers, NaN and infinities, malformed bbox, datetime and JSON, unicode, control characters, very long
strings, unknown collections). POST /search gets bodies built from the `SearchBody` schema the same way, and
raw bodies that are not JSON, not objects, or not declared as JSON. The app runs in-process over the demo archive
with granules, so a failing example replays without a server.
"""

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, unquote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from itsdangerous import URLSafeSerializer
from werkzeug.test import TestResponse

from server.stac.openapi import openapi_document
from tests.conftest import NOW
from tests.server.stac.conftest import BASE_URL, SECRET_KEY, Archive

FUZZ = settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)
"""About 10 ms a request: the two fuzz tests stay well under the brief's minute, shrinking included."""

HUGE_NUMBERS = ["1e309", "-1e309", "9" * 400, "NaN", "nan", "inf", "-Infinity", "1e-400", "-0", "0x10", "1_000"]
HOSTILE_TEXT = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x1F), max_size=10),
    st.sampled_from(
        [
            "",
            " ",
            ",",
            ",,,",
            "..",
            "../..",
            "/",
            "%",
            "%00",
            "\x00",
            "'",
            "' OR 1=1 --",
            '"; DROP TABLE granules; --',
            "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 リュウグウ",
            "\u202e\ufeff",
            "a" * 5000,
            ",".join(["x"] * 2000),
            "[1,2,3,4]",
            '{"a":',
            "null",
            "true",
            *HUGE_NUMBERS,
        ]
    ),
)
VALID_DATETIMES = [
    "2020-01-01T00:00:00Z",
    "2020-01-01T00:00:00+09:00",
    "2020-01-01T00:00:00.123456789Z",
    "../2020-01-01T00:00:00Z",
    "2000-01-01T00:00:00Z/..",
    "/2020-01-01T00:00:00Z",
    "2020-01-01T00:00:00Z/",
    "2010-01-01T00:00:00Z/2020-01-01T00:00:00Z",
]
DATETIMES = st.sampled_from(
    [
        "2020-01-01T00:00:00Z",
        "2020-01-01",
        "2020-01-01T00:00:00+09:00",
        "2020-01-01T00:00:00.123456789Z",
        "../2020-01-01T00:00:00Z",
        "2000-01-01T00:00:00Z/..",
        "/2020-01-01T00:00:00Z",
        "2020-01-01T00:00:00Z/",
        "../..",
        "/",
        "2020-13-01T00:00:00Z",
        "2020-02-30",
        "0000-01-01T00:00:00Z",
        "9999-12-31T23:59:59-23:59",
        "0001-01-01T00:00:00+23:59",
        "2020-01-01T25:61:61Z",
        "2021-01-01T00:00:00Z/2020-01-01T00:00:00Z",
        "2020-01-01T00:00:00Z/2021-01-01T00:00:00Z/2022-01-01T00:00:00Z",
        "yesterday",
    ]
)
VALID_CQL2_TEXT = [
    "exposure_s > 1000",
    "collection = 'hyb2-onc-l2b' AND datetime >= TIMESTAMP('2019-01-01T00:00:00Z')",
    "S_INTERSECTS(geometry, POLYGON((140 40, 150 40, 150 45, 140 45, 140 40)))",
    "S_INTERSECTS(geometry, BBOX(170, -10, -170, 10))",
    "id LIKE 'hyb2%'",
    "object IN ('Crab', 'Cyg X-1')",
    "exposure_s BETWEEN 1 AND 10",
    "target IS NULL",
    "NOT (mission = 'hayabusa2')",
]
CQL2_TEXT = st.sampled_from(
    [
        "exposure_s > 1000",
        "collection = 'hyb2-onc-l2b' AND datetime >= TIMESTAMP('2019-01-01T00:00:00Z')",
        "S_INTERSECTS(geometry, POLYGON((140 40, 150 40, 150 45, 140 45, 140 40)))",
        "S_INTERSECTS(geometry, BBOX(170, -10, -170, 10))",
        "id LIKE 'hyb2%'",
        "object IN ('Crab', 'Cyg X-1')",
        "exposure_s BETWEEN 1 AND 10",
        "target IS NULL",
        "NOT (mission = 'hayabusa2')",
        "datetime > 'abc'",
        "FOO(1)",
        "exposure_s >",
        "((((((((((((((((((((a = 1))))))))))))))))))))",
        "a = 1e999",
        "a = NaN",
        '"properties.x" = 1',
        "S_INTERSECTS(geometry, POINT(1000 1000))",
        "datetime T_INTERSECTS INTERVAL('2020-01-01', '..')",
    ]
)
CQL2_JSON: st.SearchStrategy[Any] = st.one_of(
    st.sampled_from(
        [
            {"op": ">", "args": [{"property": "exposure_s"}, 1000]},
            {"op": "=", "args": [{"property": "collection"}, "hyb2-onc-l2b"]},
            {"op": "s_intersects", "args": [{"property": "geometry"}, {"type": "Point", "coordinates": [144, 42]}]},
            {"op": "and", "args": []},
            {"op": "like", "args": [{"property": "id"}, 5]},
            {"op": "in", "args": [{"property": "object"}, "Crab"]},
            {"op": "t_after", "args": [{"property": "datetime"}, {"timestamp": "not a time"}]},
            {"op": "=", "args": [{"property": ""}, 1]},
            {"op": "=", "args": [{"property": "exposure_s"}, float("inf")]},
            {"op": "nonesuch"},
            {"args": 1},
        ]
    ),
    st.recursive(
        st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=10),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
        max_leaves=10,
    ),
)


GEOMETRIES: list[Any] = [
    {"type": "Point", "coordinates": [144.5, 42.5]},
    {"type": "Polygon", "coordinates": [[[140, 40], [150, 40], [150, 45], [140, 40]]]},
    {"type": "Polygon", "coordinates": [[[0, 0], [1, 1]]]},
    {"type": "Point", "coordinates": [float("nan"), 0]},
    {"type": "Point", "coordinates": [1e400, 0]},
    {"type": "LineString", "coordinates": []},
    {"type": "GeometryCollection", "geometries": [{"type": "Point"}]},
    {"type": "GeometryCollection", "geometries": "x"},
    {"type": "MultiPolygon", "coordinates": [[[[1e308, 1e308], [-1e308, 1], [0, 0], [1e308, 1e308]]]]},
    {"type": ["Point"], "coordinates": [0, 0]},
    {"type": {"a": 1}},
    {"type": "Feature", "geometry": {"type": "Point", "coordinates": [0, 0]}},
]


def numbers_csv(count: st.SearchStrategy[int]) -> st.SearchStrategy[str]:
    floats = st.floats(allow_nan=True, allow_infinity=True) | st.integers(min_value=-(10**30), max_value=10**30)
    return count.flatmap(lambda n: st.lists(floats, min_size=n, max_size=n)).map(
        lambda values: ",".join(str(value) for value in values)
    )


BBOXES = st.one_of(
    st.sampled_from(["140,40,150,45", "-180,-90,180,90", "170,-10,-170,10", "0,0,0,0", "140,40,0,150,45,10"]),
    numbers_csv(st.integers(min_value=0, max_value=7)),
    numbers_csv(st.sampled_from([4, 6])),
)


def parameter_values(
    name: str, schema: Mapping[str, Any], archive: Archive, *, hostile: bool
) -> st.SearchStrategy[str]:
    """Values of one query parameter: what its schema allows, with real ids and expressions, to get past the first
    checks; or (`hostile`) malformed, out-of-range and unknown ones."""
    shown = sorted(archive.collections_at(NOW))
    known_items = sorted(item for _, item in archive.granules)[:200]
    valid: dict[str, st.SearchStrategy[str]] = {
        "bbox": st.sampled_from(["140,40,150,45", "-180,-90,180,90", "170,-10,-170,10", "140,40,0,150,45,10"]),
        "datetime": st.sampled_from(VALID_DATETIMES),
        "limit": st.integers(min_value=1, max_value=1001).map(str),
        "collections": st.lists(st.sampled_from(shown), min_size=1, max_size=4).map(",".join),
        "ids": st.lists(st.sampled_from(known_items), max_size=4).map(",".join),
        "sortby": st.lists(
            st.sampled_from(["datetime", "-datetime", "+id", "properties.end_datetime", "-collection"]),
            min_size=1,
            max_size=3,
        ).map(",".join),
        "fields": st.lists(
            st.sampled_from(["+properties.exposure_s", "-assets", "id", "-geometry", "properties", "-properties"]),
            min_size=1,
            max_size=3,
        ).map(",".join),
        "filter": st.sampled_from(VALID_CQL2_TEXT),
        "q": st.sampled_from(["hayabusa", "ryugu,venus", "リュウグウ", "x-ray"]),
        "intersects": st.sampled_from(GEOMETRIES[:2]).map(json.dumps),
    }
    invalid: dict[str, st.SearchStrategy[str]] = {
        "bbox": BBOXES,
        "datetime": DATETIMES,
        "limit": st.integers(min_value=-(10**20), max_value=10**20).map(str)
        | st.sampled_from(["0", "-1", *HUGE_NUMBERS]),
        "collections": st.lists(st.sampled_from([*sorted(archive.datasets), "no-such"]), max_size=4).map(",".join),
        "sortby": st.lists(st.sampled_from(["cloud", "+", "-", "properties.", "datetime desc"]), max_size=3).map(
            ",".join
        ),
        "fields": st.lists(st.sampled_from(["a..b", "-", ".", "+" * 300]), max_size=3).map(",".join),
        "filter": CQL2_TEXT | CQL2_JSON.map(json.dumps),
        "intersects": st.sampled_from(GEOMETRIES).map(json.dumps)
        | CQL2_JSON.map(lambda value: json.dumps({"type": "Polygon", "coordinates": value})),
        "token": st.sampled_from(["eyJhIjoxfQ.abc.def", "x" * 3000]),
    }
    if "enum" in schema:
        valid.setdefault(name, st.sampled_from([str(value) for value in schema["enum"]]))
    if hostile:
        return st.one_of(invalid.get(name, HOSTILE_TEXT), HOSTILE_TEXT)
    return valid.get(name, st.text(max_size=20))


def resolve(document: Mapping[str, Any], node: Mapping[str, Any]) -> Mapping[str, Any]:
    if "$ref" not in node:
        return node
    target: Any = document
    for part in str(node["$ref"]).removeprefix("#/").split("/"):
        target = target[part]
    return dict(target)


def get_operations(document: Mapping[str, Any]) -> list[tuple[str, list[Mapping[str, Any]]]]:
    return [
        (path, [resolve(document, parameter) for parameter in item["get"].get("parameters", [])])
        for path, item in document["paths"].items()
        if "get" in item
    ]


@st.composite
def get_requests(draw: st.DrawFn, document: Mapping[str, Any], archive: Archive) -> tuple[str, list[tuple[str, str]]]:
    """A GET request drawn from one documented operation: its URL and its query parameters."""
    path, parameters = draw(st.sampled_from(get_operations(document)))
    visible_item = draw(st.sampled_from(sorted(archive.granules)))
    hostility = draw(st.sampled_from([0, 1, 5]))  # hostile values per ten: valid requests reach deeper code
    url = path
    for parameter in parameters:
        if parameter["in"] != "path":
            continue
        name = parameter["name"]
        known = {
            "collectionId": [visible_item[0], *sorted(archive.datasets)[:5]],
            "itemId": [visible_item[1]],
            "missionId": sorted(archive.missions),
        }[name]
        value = draw(st.sampled_from(known) if hostility == 0 else st.one_of(st.sampled_from(known), HOSTILE_TEXT))
        value = value or "x"
        url = url.replace("{" + name + "}", quote(value, safe=""))
    query: list[tuple[str, str]] = []
    for parameter in parameters:
        if parameter["in"] == "query" and draw(st.integers(0, 2)) == 0:
            hostile = draw(st.integers(0, 9)) < hostility
            value = draw(parameter_values(parameter["name"], parameter["schema"], archive, hostile=hostile))
            query.append((parameter["name"], value))
    if draw(st.integers(0, 9)) == 0:
        query.append((draw(st.text(max_size=10)), draw(HOSTILE_TEXT)))
    if query and draw(st.integers(0, 9)) == 0:
        query.append(query[0])
    return "/stac" + ("" if url == "/" else url), query


def json_values(schema: Mapping[str, Any], document: Mapping[str, Any], archive: Archive) -> st.SearchStrategy[Any]:
    """Values for one field of a POST body: shaped by its schema, or anything JSON can carry."""
    schema = resolve(document, schema)
    anything: st.SearchStrategy[Any] = st.recursive(
        st.none() | st.booleans() | st.floats() | st.integers(min_value=-(10**40), max_value=10**40) | HOSTILE_TEXT,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
        max_leaves=12,
    )
    kind = schema.get("type")
    shaped: st.SearchStrategy[Any]
    if "enum" in schema:
        shaped = st.sampled_from(schema["enum"])
    elif kind == "integer":
        shaped = st.integers(min_value=-(10**20), max_value=10**20)
    elif kind == "number":
        shaped = st.floats()
    elif kind == "array":
        items = schema.get("items", {})
        shaped = st.lists(json_values(items, document, archive), max_size=7)
    elif "Point" in schema.get("properties", {}).get("type", {}).get("enum", ()):
        shaped = st.sampled_from(GEOMETRIES) | st.fixed_dictionaries(
            {}, optional={name: json_values(sub, document, archive) for name, sub in schema["properties"].items()}
        )
    elif kind == "object" and "properties" in schema:
        shaped = st.fixed_dictionaries(
            {},
            optional={name: json_values(sub, document, archive) for name, sub in schema["properties"].items()},
        )
    elif kind == "string":
        shaped = HOSTILE_TEXT
    else:
        shaped = anything
    return st.one_of(shaped, anything)


@st.composite
def search_bodies(draw: st.DrawFn, document: Mapping[str, Any], archive: Archive) -> dict[str, Any]:
    """A POST /search body from the `SearchBody` schema, each field shaped, realistic or hostile."""
    properties = document["components"]["schemas"]["SearchBody"]["properties"]
    realistic: dict[str, st.SearchStrategy[Any]] = {
        "collections": st.lists(st.sampled_from([*sorted(archive.datasets), "no-such"]), max_size=3),
        "bbox": st.sampled_from([[140, 40, 150, 45], [170, -10, -170, 10], [0, 0, 0, 1, 1, 1]]),
        "datetime": DATETIMES,
        "limit": st.sampled_from([1, 10, 1000, 1001, 0, -5, 2**63, 1.5, True]),
        "sortby": st.sampled_from([[{"field": "datetime", "direction": "desc"}], [{"field": "id"}], ["-id"]]),
        "fields": st.sampled_from([{"include": ["properties.exposure_s"]}, {"exclude": ["assets"]}, {}]),
        "filter": CQL2_JSON | CQL2_TEXT,
        "filter-lang": st.sampled_from(["cql2-json", "cql2-text", "cql-json", 7]),
    }
    body: dict[str, Any] = {}
    for name, schema in properties.items():
        if draw(st.integers(0, 3)) == 0:
            choices = [json_values(schema, document, archive)]
            if name in realistic:
                choices.append(realistic[name])
            body[name] = draw(st.one_of(*choices))
    return body


def assert_well_formed(response: TestResponse, what: str) -> None:
    """Never a 5xx; every 4xx a JSON `{code, description}`; CORS on everything."""
    assert response.status_code < 500, f"{what} -> {response.status_code}: {response.get_data(as_text=True)[:2000]}"
    assert response.headers.get("Access-Control-Allow-Origin") == "*", f"{what}: no CORS header"
    if response.status_code >= 400:
        assert response.mimetype == "application/json", f"{what} -> {response.status_code} {response.mimetype}"
        body = json.loads(response.get_data())
        assert isinstance(body, dict), f"{what}: {body!r}"
        assert isinstance(body.get("code"), str), f"{what}: {body!r}"
        assert body["code"], f"{what}: {body!r}"
        assert isinstance(body.get("description"), str), f"{what}: {body!r}"
    else:
        body = json.loads(response.get_data()) if response.mimetype != "text/html" else None
        assert body is None or isinstance(body, dict)


@pytest.fixture(scope="module")
def document(stac_app: Flask) -> dict[str, Any]:
    return openapi_document(f"{BASE_URL}/stac", max_limit=int(stac_app.config["STAC_MAX_LIMIT"]))


@pytest.fixture(scope="module")
def api_client(stac_app: Flask) -> FlaskClient:
    return stac_app.test_client()


def test_get_operations_never_fail(api_client: FlaskClient, document: dict[str, Any], demo_archive: Archive) -> None:
    @settings(FUZZ, max_examples=1000)
    @given(get_requests(document, demo_archive))
    def run(request: tuple[str, list[tuple[str, str]]]) -> None:
        path, query = request
        response = api_client.get(path, query_string=query)
        assert_well_formed(response, f"GET {path} {query!r}"[:3000])

    run()


def test_post_search_never_fails(api_client: FlaskClient, document: dict[str, Any], demo_archive: Archive) -> None:
    @FUZZ
    @given(search_bodies(document, demo_archive))
    def run(body: dict[str, Any]) -> None:
        text = json.dumps(body, allow_nan=True)
        response = api_client.post("/stac/search", data=text, content_type="application/json")
        assert_well_formed(response, f"POST /stac/search {text[:3000]}")

    run()


@pytest.mark.parametrize(
    ("data", "content_type", "status"),
    [
        ("{", "application/json", 400),
        ("[1, 2]", "application/json", 400),
        ('"text"', "application/json", 400),
        ("null", "application/json", 400),
        ("[" * 100_000 + "]" * 100_000, "application/json", 400),
        ('{"limit": 1e999}', "application/json", 400),
        ('{"limit": NaN}', "application/json", 400),
        ('{"bbox": [NaN, 0, 1, 1]}', "application/json", 400),
        ('{"bbox": [-Infinity, 0, 1, 1]}', "application/json", 400),
        ('{"limit": -1}', "application/json", 400),
        ('{"collections": ["no-such"]}', "application/json", 400),
        ('{"datetime": "2020-13-45"}', "application/json", 400),
        ('{"intersects": {"type": "Polygon", "coordinates": "x"}}', "application/json", 400),
        ('{"filter": "exposure_s >"}', "application/json", 400),
        ('{"filter": {"op": "nonesuch", "args": []}}', "application/json", 400),
        ('{"sortby": [{"field": "cloud"}]}', "application/json", 400),
        ('{"token": "forged"}', "application/json", 400),
        ('{"limit": 1}', "text/plain", 415),
        ("limit=1", "application/x-www-form-urlencoded", 415),
        (b"\xff\xfe\x00garbage", "application/json", 400),
    ],
)
def test_post_search_rejects_bad_bodies(api_client: FlaskClient, data: Any, content_type: str, status: int) -> None:
    response = api_client.post("/stac/search", data=data, content_type=content_type)
    assert_well_formed(response, f"POST /stac/search {str(data)[:200]} ({content_type})")
    assert response.status_code == status, response.get_data(as_text=True)[:500]


@pytest.mark.parametrize(
    ("path", "query", "status"),
    [
        ("/stac/search", [("limit", "-1")], 400),
        ("/stac/search", [("limit", "0")], 400),
        ("/stac/search", [("limit", "NaN")], 400),
        ("/stac/search", [("limit", "9" * 400)], 400),
        ("/stac/search", [("limit", "1000000")], 200),
        ("/stac/search", [("bbox", "1,2,3")], 400),
        ("/stac/search", [("bbox", "nan,0,1,1")], 400),
        ("/stac/search", [("bbox", "0,91,1,92")], 400),
        ("/stac/search", [("bbox", "1e309,0,1,1")], 400),
        ("/stac/search", [("datetime", "2020-02-30")], 400),
        ("/stac/search", [("datetime", "../..")], 400),
        ("/stac/search", [("datetime", "2021-01-01T00:00:00Z/2020-01-01T00:00:00Z")], 400),
        ("/stac/search", [("collections", "no-such")], 400),
        ("/stac/search", [("sortby", "cloud_cover")], 400),
        ("/stac/search", [("filter", "exposure_s >")], 400),
        ("/stac/search", [("filter-lang", "cql-json"), ("filter", "a = 1")], 400),
        ("/stac/search", [("token", "forged")], 400),
        ("/stac/search", [("q", "x" * 5000)], 400),
        ("/stac/collections", [("limit", "-5")], 400),
        ("/stac/collections", [("bbox", "a,b,c,d")], 400),
        ("/stac/collections", [("token", "forged")], 400),
        ("/stac/collections/no-such", [], 404),
        ("/stac/collections/no-such/items", [], 404),
        ("/stac/collections/no-such/items/x", [], 404),
        ("/stac/collections/no-such/queryables", [], 404),
        ("/stac/catalogs/no-such", [], 404),
        ("/stac/nonesuch", [], 404),
    ],
)
def test_bad_requests_get_the_right_status(
    api_client: FlaskClient, path: str, query: list[tuple[str, str]], status: int
) -> None:
    response = api_client.get(path, query_string=query)
    assert_well_formed(response, f"GET {path} {query!r}")
    assert response.status_code == status, response.get_data(as_text=True)[:500]


def test_undisclosed_and_unknown_collections_get_the_same_404(api_client: FlaskClient, demo_archive: Archive) -> None:
    undisclosed = sorted(demo_archive.undisclosed_ids(NOW) & demo_archive.datasets.keys())
    assert undisclosed, "the demo archive should have undisclosed datasets"
    for suffix in ("", "/items", "/queryables", "/items/x"):
        bodies = []
        for dataset_id in (*undisclosed, "no-such-collection"):
            response = api_client.get(f"/stac/collections/{dataset_id}{suffix}")
            assert response.status_code == 404
            bodies.append(response.get_data(as_text=True).replace(dataset_id, "<id>"))
        assert len(set(bodies)) == 1, bodies
    for dataset_id in undisclosed:
        response = api_client.get("/stac/search", query_string={"collections": dataset_id})
        unknown = api_client.get("/stac/search", query_string={"collections": "no-such-collection"})
        assert response.status_code == unknown.status_code == 400
        assert response.get_data(as_text=True).replace(dataset_id, "<id>") == unknown.get_data(as_text=True).replace(
            "no-such-collection", "<id>"
        )


def test_methods_and_preflight(api_client: FlaskClient, document: dict[str, Any]) -> None:
    for path, item in document["paths"].items():
        url = "/stac" + ("" if path == "/" else path.replace("{collectionId}", "hyb2-onc-l2b"))
        url = url.replace("{itemId}", "x").replace("{missionId}", "hayabusa2")
        for method in ("PUT", "DELETE", "PATCH", *(() if "post" in item else ("POST",))):
            response = api_client.open(url, method=method, data="{}", content_type="application/json")
            assert_well_formed(response, f"{method} {url}")
            assert response.status_code == 405, f"{method} {url} -> {response.status_code}"
        preflight = api_client.options(
            url, headers={"Origin": "https://example.org", "Access-Control-Request-Method": "POST"}
        )
        assert preflight.status_code < 300, f"OPTIONS {url} -> {preflight.status_code}"
        assert preflight.headers.get("Access-Control-Allow-Origin") == "*", f"OPTIONS {url}"
        assert "GET" in preflight.headers.get("Access-Control-Allow-Methods", ""), f"OPTIONS {url}"


HOSTILE_KEYS: list[Any] = [
    [],
    [None],
    [True, "a", "b"],
    [2**80, "a", "b"],
    [-(2**80), "a", "b"],
    ["not a time", "a", "b"],
    [0, 0, 0],
    [0, "a" * 5000, "b"],
    [0, "a", "b", "c", "d", "e"],
    [1.5, "a", "b"],
    [{"a": 1}, "a", "b"],
]


@pytest.mark.parametrize("key", HOSTILE_KEYS, ids=[str(i) for i in range(len(HOSTILE_KEYS))])
@pytest.mark.parametrize("side", ["a", "b"])
@pytest.mark.parametrize("kind", ["items", "collections"])
def test_signed_tokens_with_hostile_positions(api_client: FlaskClient, key: list[Any], side: str, kind: str) -> None:
    """A token signed with the server's key but holding a position no page ever had: a 400 or a page, never a 5xx.

    The sort order is taken from a real `next` link, so the token gets past the order check to the store."""
    url = "/stac/search?limit=2&sortby=-datetime" if kind == "items" else "/stac/collections?limit=2"
    page = api_client.get(url).get_json()
    token = next(link["href"] for link in page["links"] if link["rel"] == "next").split("token=", 1)[1]
    serializer = URLSafeSerializer(SECRET_KEY, salt=f"stac-page:{kind}")
    payload = serializer.loads(unquote(token))
    assert "a" in payload, payload
    assert "o" in payload, payload
    forged = serializer.dumps({**{k: v for k, v in payload.items() if k not in ("a", "b")}, side: key})
    response = api_client.get(f"{url}&token={quote(str(forged))}")
    assert_well_formed(response, f"GET {url} with token {side}={key!r}"[:500])


@pytest.mark.parametrize("path", ["/stac//search", "/stac/collections//items", "/stac/collections/%2F/items"])
def test_slash_redirects_carry_cors(api_client: FlaskClient, path: str) -> None:
    """Werkzeug answers doubled slashes with a redirect before any view runs; a browser client needs CORS on it."""
    assert_well_formed(api_client.get(path), f"GET {path}")
