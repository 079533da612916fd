"""The STAC API in process over the demo archive: paging forward and back (GET and POST) against what the policy
says, restricted items without assets until their release, errors as `{code, description}`, CORS, fields, sorting
and collection search."""

import json
import shutil
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from catalog.demo import demo_records
from catalog.policy import granule_visibility_at, visibility_at
from catalog.records import Dataset, Granule
from catalog.store import migrate
from catalog.timeutil import format_time
from catalog.vocab import Visibility
from harvest.loader import Line, load_lines
from server import create_app
from tests.conftest import NOW, Clock

BASE = "http://catalog.test"
TODAY = NOW.date()
GRANULES = 600
SHOWN = (Visibility.PUBLIC, Visibility.RESTRICTED)


def records() -> list[dict[str, Any]]:
    return list(demo_records(granules=GRANULES, today=TODAY))


@pytest.fixture(scope="module")
def stac_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("stac") / "demo.sqlite"
    url = f"sqlite:///{path}"
    migrate(url)
    app = create_app({"TESTING": True, "DATABASE_URL": url, "CLOCK": lambda: NOW, "BASE_URL": BASE})
    lines = (Line("demo", n, json.dumps(r)) for n, r in enumerate(records(), 1))
    load_lines(app.extensions["catalog.store"], lines, now=NOW - timedelta(days=1))
    app.extensions["catalog.store"].dispose()
    return path


@pytest.fixture
def stac_clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def stac_app(stac_database: Path, tmp_path: Path, stac_clock: Clock) -> Iterator[Flask]:
    path = tmp_path / "demo.sqlite"
    shutil.copyfile(stac_database, path)
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{path}", "CLOCK": stac_clock, "BASE_URL": BASE})
    yield app
    app.extensions["catalog.store"].dispose()


@pytest.fixture
def stac(stac_app: Flask) -> FlaskClient:
    return stac_app.test_client()


def truth(moment: datetime) -> dict[tuple[str, str], Visibility]:
    """Every item the policy lets the public see at `moment`, and how."""
    all_records = records()
    datasets = {r["id"]: Dataset.from_dict(r) for r in all_records if r["type"] == "dataset"}
    found = {}
    for record in all_records:
        if record["type"] == "granule":
            granule = Granule.from_dict(record)
            visibility = granule_visibility_at(granule, datasets[granule.dataset], moment, dataset_shown_before=True)
            if visibility in SHOWN:
                found[(granule.dataset, granule.id)] = visibility
    return found


def shown_datasets(moment: datetime) -> set[str]:
    return {
        r["id"] for r in records() if r["type"] == "dataset" and visibility_at(Dataset.from_dict(r), moment) in SHOWN
    }


def relative(href: str) -> str:
    assert href.startswith(BASE), href
    return href[len(BASE) :]


def get_json(client: FlaskClient, path: str, status: int = 200) -> Any:
    response = client.get(path)
    assert response.status_code == status, (path, response.get_data(as_text=True)[:500])
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    return response.get_json()


def follow(client: FlaskClient, path: str, rel: str = "next") -> list[dict[str, Any]]:
    """Follow `rel` links from a GET page to the end; return every page."""
    pages = []
    while True:
        page = get_json(client, path)
        pages.append(page)
        link = next((link for link in page["links"] if link["rel"] == rel), None)
        if link is None:
            return pages
        path = relative(link["href"])


def keys(pages: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(feature["collection"], feature["id"]) for page in pages for feature in page["features"]]


def test_search_pages_through_exactly_what_the_policy_shows(stac: FlaskClient) -> None:
    pages = follow(stac, "/stac/search?limit=50")
    found = keys(pages)
    assert len(found) == len(set(found))
    expected = truth(NOW)
    assert set(found) == set(expected)
    assert {page["numberMatched"] for page in pages} == {len(expected)}, "counted once, carried by the tokens"
    starts = [feature["properties"]["datetime"] for page in pages for feature in page["features"]]
    assert starts == sorted(starts, reverse=True)
    for page in pages:
        for feature in page["features"]:
            visibility = expected[(feature["collection"], feature["id"])]
            assert bool(feature["assets"]) == (visibility is Visibility.PUBLIC)


def test_prev_links_walk_back_to_the_first_page(stac: FlaskClient) -> None:
    forward = follow(stac, "/stac/search?limit=40&sortby=%2Bid")
    last = forward[-1]
    back = follow(stac, relative(next(link for link in last["links"] if link["rel"] == "self")["href"]), "prev")
    assert [keys([page]) for page in reversed(back)] == [keys([page]) for page in forward]
    assert not any(link["rel"] == "prev" for link in forward[0]["links"])


def test_post_search_pages_with_the_body_its_links_carry(stac: FlaskClient) -> None:
    dataset_id = "hyb2-onc-l2b"
    body: dict[str, Any] = {
        "collections": [dataset_id],
        "limit": 7,
        "sortby": [{"field": "datetime", "direction": "asc"}],
    }
    found: list[tuple[str, str]] = []
    while True:
        response = stac.post("/stac/search", json=body)
        assert response.status_code == 200, response.get_data(as_text=True)
        page = response.get_json()
        assert response.headers["Content-Type"] == "application/geo+json"
        found.extend((f["collection"], f["id"]) for f in page["features"])
        link = next((link for link in page["links"] if link["rel"] == "next"), None)
        if link is None:
            break
        assert link["method"] == "POST"
        assert link["body"]["collections"] == [dataset_id]
        body = link["body"]
    assert set(found) == {key for key in truth(NOW) if key[0] == dataset_id}
    assert len(found) == len(set(found))


def test_collection_items_page_and_hidden_collections_are_404(stac: FlaskClient) -> None:
    shown = shown_datasets(NOW)
    hidden = sorted({r["id"] for r in records() if r["type"] == "dataset"} - shown)
    assert hidden
    expected = truth(NOW)
    for dataset_id in sorted({d for d, _ in expected})[:6]:
        pages = follow(stac, f"/stac/collections/{dataset_id}/items?limit=5")
        assert set(keys(pages)) == {key for key in expected if key[0] == dataset_id}
    unknown = stac.get("/stac/collections/no-such-dataset")
    for dataset_id in hidden:
        response = stac.get(f"/stac/collections/{dataset_id}")
        assert response.status_code == 404
        assert response.get_json()["code"] == unknown.get_json()["code"] == "NotFound"
        assert response.get_json()["description"].replace(dataset_id, "X") == unknown.get_json()["description"].replace(
            "no-such-dataset", "X"
        )
        assert stac.get(f"/stac/collections/{dataset_id}/items").status_code == 404
        search = stac.get(f"/stac/search?collections={dataset_id}")
        assert search.status_code == 400
        assert search.get_json()["description"].replace(dataset_id, "X") == stac.get(
            "/stac/search?collections=no-such-dataset"
        ).get_json()["description"].replace("no-such-dataset", "X")


def test_a_release_by_the_clock_brings_the_assets(stac: FlaskClient, stac_clock: Clock) -> None:
    now = truth(NOW)
    later_moment = NOW + timedelta(days=800)
    later = truth(later_moment)
    released = sorted(
        key for key, v in now.items() if v is Visibility.RESTRICTED and later.get(key) is Visibility.PUBLIC
    )
    assert released
    dataset_id, item_id = released[0]
    before = get_json(stac, f"/stac/collections/{dataset_id}/items/{item_id}")
    assert before["assets"] == {}
    stac_clock.now = later_moment
    after = get_json(stac, f"/stac/collections/{dataset_id}/items/{item_id}")
    assert after["assets"]


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("bbox=1,2,3", "bbox"),
        ("bbox=a,b,c,d", "bbox"),
        ("bbox=0,10,1,5", "bbox"),
        ("bbox=0,0,200,1", "bbox"),
        ("bbox=nan,0,1,1", "bbox"),
        ("datetime=yesterday", "datetime"),
        ("datetime=2020-02-30T00:00:00Z", "datetime"),
        ("datetime=2021-01-01T00:00:00Z/2020-01-01T00:00:00Z", "datetime"),
        ("datetime=../..", "datetime"),
        ("datetime=2020-01-01T00:00:00Z/2021-01-01T00:00:00Z/2022-01-01T00:00:00Z", "datetime"),
        ("limit=0", "limit"),
        ("limit=-1", "limit"),
        ("limit=ten", "limit"),
        ("sortby=exposure_s", "sortby"),
        ("token=forged", "token"),
        ("intersects=%7B%22type%22%3A%22Point%22%7D", "intersects"),
        ("intersects=notjson", "intersects"),
        ("collections=no-such-dataset", "collections"),
        ("filter-lang=sql&filter=id%3D%27x%27", "filter-lang"),
        ("fields=a..b", "fields"),
        ("datetime=1985-04-12", "datetime"),
        ("ids=a%00b", "ids"),
        ("q=x%00", "q"),
        ("collections=%00", "collections"),
        ("bbox=0,0,1,1&intersects=%7B%22type%22%3A%22Point%22%2C%22coordinates%22%3A%5B0%2C0%5D%7D", "bbox"),
    ],
)
def test_bad_parameters_are_400_with_code_and_description(stac: FlaskClient, query: str, names: str) -> None:
    body = get_json(stac, f"/stac/search?{query}", 400)
    assert body["code"] == "InvalidParameterValue"
    assert body["description"].startswith(names), body


def test_a_token_from_another_order_is_refused(stac: FlaskClient) -> None:
    page = get_json(stac, "/stac/search?limit=3&sortby=id")
    token = dict(parse_qsl(urlsplit(next(link for link in page["links"] if link["rel"] == "next")["href"]).query))[
        "token"
    ]
    assert get_json(stac, f"/stac/search?limit=3&sortby=id&token={token}")["features"]
    assert "sort order" in get_json(stac, f"/stac/search?limit=3&token={token}", 400)["description"]


def test_post_errors(stac: FlaskClient) -> None:
    response = stac.post("/stac/search", data="collections=x", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    assert response.get_json()["code"] == "UnsupportedMediaType"
    response = stac.post("/stac/search", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["description"].startswith("body")
    response = stac.post("/stac/search", data="[1]", content_type="application/json")
    assert response.status_code == 400
    response = stac.post("/stac/search", json={"limit": "x"})
    assert response.status_code == 400
    assert response.get_json()["description"].startswith("limit")
    response = stac.post("/stac/search", json={"bbox": "0,0,1,1"})
    assert response.status_code == 400, "in a body, bbox is an array"
    assert response.get_json()["description"].startswith("bbox")
    assert stac.post("/stac/search", json={"bbox": [0, 0, 1, 1]}).status_code == 200


def test_nul_in_a_path_is_a_404_not_a_database_error(stac: FlaskClient) -> None:
    for path in ("/stac/collections/a%00b", "/stac/catalogs/%00", "/stac/collections/x/items/%00"):
        assert get_json(stac, path, 404)["code"] == "NotFound"
    response = stac.post("/stac/search", json={"ids": ["a\u0000b"]})
    assert response.status_code == 400


def test_unknown_routes_and_methods_are_json_with_cors(stac: FlaskClient) -> None:
    response = stac.get("/stac/nothing-here")
    assert response.status_code == 404
    assert response.get_json()["code"] == "NotFound"
    response = stac.delete("/stac/search")
    assert response.status_code == 405
    assert response.get_json()["code"] == "MethodNotAllowed"
    preflight = stac.options("/stac/search", headers={"Origin": "https://browser.example"})
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]


def test_limit_above_the_cap_is_lowered(stac: FlaskClient, stac_app: Flask) -> None:
    stac_app.config["STAC_MAX_LIMIT"] = 5
    assert len(get_json(stac, "/stac/search?limit=100000")["features"]) == 5


def test_fields_include_and_exclude(stac: FlaskClient) -> None:
    whole = get_json(stac, "/stac/search?limit=3")["features"]
    page = get_json(stac, "/stac/search?limit=3&fields=properties.exposure_s,-links")
    for feature in page["features"]:
        assert set(feature) <= {"type", "stac_version", "id", "collection", "properties"}
        assert set(feature.get("properties", {})) <= {"exposure_s"}
    assert get_json(stac, "/stac/search?limit=3&fields=")["features"] == whole
    page = get_json(stac, "/stac/search?limit=3&fields=-assets,-properties.datetime_missing")
    assert [{**f, "assets": None} for f in whole] == [{**f, "assets": None} for f in page["features"]]
    assert all("assets" not in feature for feature in page["features"])
    body = stac.post("/stac/search", json={"limit": 3, "fields": {"include": [], "exclude": ["bbox"]}}).get_json()
    for feature in body["features"]:
        assert set(feature) <= {"type", "stac_version", "id", "geometry", "links", "assets", "properties"}
        assert set(feature["properties"]) == {"datetime"}
    both = get_json(stac, "/stac/search?limit=3&fields=id,-id")
    assert all("id" in feature for feature in both["features"])


def test_datetime_and_bbox_select_what_overlaps(stac: FlaskClient) -> None:
    start, end = datetime(2015, 1, 1, tzinfo=NOW.tzinfo), datetime(2019, 12, 31, tzinfo=NOW.tzinfo)
    all_records = {(r["dataset"], r["id"]): Granule.from_dict(r) for r in records() if r["type"] == "granule"}
    expected = {key for key in truth(NOW) if all_records[key].end >= start and all_records[key].start <= end}
    pages = follow(stac, f"/stac/search?limit=100&datetime={format_time(start)}/{format_time(end)}")
    assert set(keys(pages)) == expected
    pages = follow(stac, "/stac/search?limit=100&bbox=-180,-90,180,90")
    assert set(keys(pages)) == {key for key in truth(NOW) if all_records[key].bbox is not None}


def test_collections_page_and_search(stac: FlaskClient) -> None:
    pages = follow(stac, "/stac/collections?limit=10")
    ids = [collection["id"] for page in pages for collection in page["collections"]]
    assert ids == sorted(shown_datasets(NOW))
    assert pages[0]["numberMatched"] == len(ids)
    found = get_json(stac, "/stac/collections?q=hayabusa2&limit=100")
    assert found["collections"]
    assert all("hyb2" in c["id"] or "hayabusa2" in json.dumps(c).lower() for c in found["collections"])


def test_landing_and_conformance(stac: FlaskClient) -> None:
    landing = get_json(stac, "/stac")
    rels = {link["rel"] for link in landing["links"]}
    assert {"self", "root", "service-desc", "service-doc", "conformance", "data", "search"} <= rels
    conformance = get_json(stac, "/stac/conformance")["conformsTo"]
    assert conformance == landing["conformsTo"]
    assert "https://api.stacspec.org/v1.0.0/item-search" in conformance
    for link in landing["links"]:
        if link["rel"] == "child":
            child = get_json(stac, relative(link["href"]))
            assert child["type"] in ("Catalog", "Collection")


def test_a_count_over_budget_is_left_out_and_a_last_page_is_counted_for_free(
    stac: FlaskClient, stac_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stac_app.extensions["catalog.store"], "count_items", lambda *a, **k: None)
    assert "numberMatched" not in get_json(stac, "/stac/search?limit=5")
    single = get_json(stac, "/stac/search?limit=1000&collections=hyb2-onc-l2b")
    assert single["numberMatched"] == len(single["features"]) > 0
