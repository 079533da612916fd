"""pystac-client, a real STAC client, against a live `isas-catalog serve` over the demo archive with granules.

What the client gets is compared with what `catalog.policy` says of the demo records at the moments just before and
just after the requests: a rolling proprietary period can release a granule at any second, so an item that changes
state during the test may be on either side, and every other item must be exactly where the policy puts it.
Plain HTTP follows the `next` and `prev` links both ways (GET and POST links), and one in-process test moves the
clock past a release to see assets appear with nothing written.
"""

import json
import shutil
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest
from pystac_client import Client

from catalog.policy import granule_access, granule_visibility_at, release_moment
from catalog.timeutil import utcnow
from catalog.vocab import Visibility
from server import create_app
from tests.conftest import NOW
from tests.server.stac.conftest import BASE_URL, Archive, named_ids

PAGE = 7
"""A small page, so that a collection takes many pages."""

T = TypeVar("T")
Key = tuple[str, str]


def judged(archive: Archive, run: Callable[[], T]) -> tuple[T, dict[Key, Visibility], dict[Key, Visibility]]:
    """Run `run`, and return what it gave with the items the policy shows just before and just after it."""
    before = archive.items_at(utcnow())
    result = run()
    after = archive.items_at(utcnow())
    return result, before, after


def assert_between(got: Iterable[Key], before: dict[Key, Visibility], after: dict[Key, Visibility], what: str) -> None:
    """`got` holds every item shown both before and after, each once, and nothing shown neither before nor after."""
    listed = list(got)
    duplicates = sorted(key for key, count in Counter(listed).items() if count > 1)
    assert not duplicates, f"{what}: items returned more than once: {duplicates[:10]}"
    missing = sorted((before.keys() & after.keys()) - set(listed))
    assert not missing, f"{what}: {len(missing)} visible items never returned, e.g. {missing[:10]}"
    extra = sorted(set(listed) - (before.keys() | after.keys()))
    assert not extra, f"{what}: {len(extra)} items returned that the policy does not show, e.g. {extra[:10]}"


def keys_of(features: Iterable[dict[str, Any]]) -> list[Key]:
    return [(feature["collection"], feature["id"]) for feature in features]


def biggest_collection(archive: Archive) -> str:
    counts: dict[str, int] = {}
    for collection, _ in archive.items_at(utcnow()):
        counts[collection] = counts.get(collection, 0) + 1
    return max(sorted(counts), key=lambda collection: counts[collection])


@pytest.fixture(scope="module")
def stac_url(live_server: str) -> str:
    return f"{live_server}/stac"


@pytest.fixture
def api(stac_url: str) -> Client:
    return Client.open(stac_url)


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_search_pages_through_a_whole_collection(api: Client, live_archive: Archive, method: str) -> None:
    collection = biggest_collection(live_archive)

    def run() -> list[list[dict[str, Any]]]:
        search = api.search(collections=[collection], limit=PAGE, method=method)
        return [page["features"] for page in search.pages_as_dicts()]

    pages, before, after = judged(live_archive, run)
    in_collection = {key: v for key, v in before.items() if key[0] == collection}
    assert len(in_collection) > 5 * PAGE, "the demo collection should take several pages"
    assert all(len(page) <= PAGE for page in pages), [len(page) for page in pages]
    assert len(pages) >= len(in_collection) // PAGE
    assert_between(
        keys_of(feature for page in pages for feature in page),
        in_collection,
        {key: v for key, v in after.items() if key[0] == collection},
        f"{method} /search collections={collection} limit={PAGE}",
    )


def test_get_items_pages_through_a_collection(api: Client, live_archive: Archive) -> None:
    collection_id = biggest_collection(live_archive)
    collection = api.get_collection(collection_id)
    assert collection is not None

    def run() -> list[Key]:
        return [(item.collection_id or "", item.id) for item in collection.get_items()]

    got, before, after = judged(live_archive, run)
    assert_between(
        got,
        {key: v for key, v in before.items() if key[0] == collection_id},
        {key: v for key, v in after.items() if key[0] == collection_id},
        f"/collections/{collection_id}/items",
    )


def test_every_visible_item_once_and_restricted_items_without_assets(api: Client, live_archive: Archive) -> None:
    def run() -> list[dict[str, Any]]:
        return list(api.search(limit=1000).items_as_dicts())

    features, before, after = judged(live_archive, run)
    assert_between(keys_of(features), before, after, "/search limit=1000 over everything")
    granules = live_archive.granules
    for feature in features:
        key = (feature["collection"], feature["id"])
        state = {before.get(key), after.get(key)}
        if state == {Visibility.RESTRICTED}:
            assert not feature.get("assets"), f"restricted item {key} shows assets: {feature['assets']}"
        elif state == {Visibility.PUBLIC} and granules[key].assets:
            assert feature.get("assets"), f"public item {key} lost its assets"
    undisclosed = live_archive.undisclosed_ids(utcnow())
    assert not named_ids(features, undisclosed)


def test_collections_are_what_the_policy_shows(api: Client, live_archive: Archive) -> None:
    before = live_archive.collections_at(utcnow())
    collections = [collection.to_dict() for collection in api.get_collections()]
    after = live_archive.collections_at(utcnow())
    ids = [collection["id"] for collection in collections]
    assert len(ids) == len(set(ids)), "a collection listed twice"
    assert before.keys() & after.keys() <= set(ids) <= before.keys() | after.keys()
    for collection in collections:
        if before.get(collection["id"]) is after.get(collection["id"]) is Visibility.RESTRICTED:
            assert not collection.get("assets"), f"restricted collection {collection['id']} shows assets"
    assert not named_ids(collections, live_archive.undisclosed_ids(utcnow()))


def test_get_collection_and_undisclosed_ones_are_not_found(api: Client, stac_url: str, live_archive: Archive) -> None:
    shown = sorted(live_archive.collections_at(utcnow()))
    for collection_id in shown[:: max(1, len(shown) // 10)]:
        collection = api.get_collection(collection_id)
        assert collection is not None
        assert collection.id == collection_id
    bodies = []
    for collection_id in (*sorted(live_archive.undisclosed_ids(utcnow()) & live_archive.datasets.keys()), "no-such"):
        request = urllib.request.Request(f"{stac_url}/collections/{collection_id}")
        with pytest.raises(urllib.error.HTTPError) as raised:
            urllib.request.urlopen(request, timeout=30)
        assert raised.value.code == 404, collection_id
        body = json.loads(raised.value.read())
        bodies.append({key: value.replace(collection_id, "<id>") for key, value in body.items()})
    assert len(bodies) > 1
    assert all(body == bodies[-1] for body in bodies), bodies


def overlaps(box: tuple[float, float, float, float], other: tuple[float, float, float, float]) -> bool:
    return box[0] <= other[2] and other[0] <= box[2] and box[1] <= other[3] and other[1] <= box[3]


def test_bbox_and_datetime_search(api: Client, live_archive: Archive) -> None:
    box = (140.0, 40.0, 150.0, 45.0)
    start, end = datetime(2012, 1, 1, tzinfo=UTC), datetime(2021, 12, 31, 23, 59, 59, tzinfo=UTC)

    def wanted(shown: dict[Key, Visibility]) -> dict[Key, Visibility]:
        granules = live_archive.granules
        return {
            key: visibility
            for key, visibility in shown.items()
            if granules[key].bbox is not None
            and overlaps(box, granules[key].bbox)  # type: ignore[arg-type]
            and granules[key].start <= end
            and start <= granules[key].end
        }

    def run() -> list[dict[str, Any]]:
        search = api.search(bbox=list(box), datetime="2012-01-01T00:00:00Z/2021-12-31T23:59:59Z", limit=5)
        return list(search.items_as_dicts())

    features, before, after = judged(live_archive, run)
    assert wanted(before), "the demo archive should have granules in this box and time"
    assert_between(keys_of(features), wanted(before), wanted(after), "bbox + datetime search")


@pytest.mark.parametrize(
    ("language", "expression"),
    [
        ("cql2-text", "exposure_s > 1000 AND datetime >= TIMESTAMP('2010-01-01T00:00:00Z')"),
        (
            "cql2-json",
            {
                "op": "and",
                "args": [
                    {"op": ">", "args": [{"property": "exposure_s"}, 1000]},
                    {"op": ">=", "args": [{"property": "datetime"}, {"timestamp": "2010-01-01T00:00:00Z"}]},
                ],
            },
        ),
    ],
)
def test_cql2_filter_search(api: Client, live_archive: Archive, language: str, expression: Any) -> None:
    since = datetime(2010, 1, 1, tzinfo=UTC)

    def wanted(shown: dict[Key, Visibility]) -> dict[Key, Visibility]:
        granules = live_archive.granules
        return {
            key: visibility
            for key, visibility in shown.items()
            if isinstance(granules[key].properties.get("exposure_s"), int | float)
            and granules[key].properties["exposure_s"] > 1000
            and granules[key].start >= since
        }

    def run() -> list[dict[str, Any]]:
        method = "GET" if language == "cql2-text" else "POST"
        search = api.search(filter=expression, filter_lang=language, limit=100, method=method)
        return list(search.items_as_dicts())

    features, before, after = judged(live_archive, run)
    assert wanted(before), "the demo archive should have long exposures since 2010"
    assert_between(keys_of(features), wanted(before), wanted(after), f"{language} filter")


def test_nothing_undisclosed_anywhere(api: Client, stac_url: str, live_archive: Archive) -> None:
    """Walk the landing page, conformance, every catalog and collection, queryables and the API description."""
    seen: list[Any] = []
    urls = [stac_url, f"{stac_url}/conformance", f"{stac_url}/queryables", f"{stac_url}/api", f"{stac_url}/api.html"]
    landing = api.to_dict()
    urls += [link["href"] for link in landing["links"] if link["rel"] == "child"]
    urls += [f"{stac_url}/collections?limit=1000"]
    for url in urls:
        with urllib.request.urlopen(url, timeout=30) as response:
            assert response.status == 200, url
            assert response.headers["Access-Control-Allow-Origin"] == "*", url
            text = response.read().decode()
        seen.append(text if url.endswith(".html") else json.loads(text))
    catalogs = [child.to_dict() for child in api.get_children()]
    assert catalogs, "the landing page has children"
    undisclosed = live_archive.undisclosed_ids(utcnow())
    assert undisclosed, "the demo archive should have undisclosed datasets"
    assert not named_ids([*seen, catalogs], undisclosed)


def fetch(url: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"} if data else {})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200, url
        document: dict[str, Any] = json.loads(response.read())
        return document


def follow(page: dict[str, Any], rel: str) -> dict[str, Any] | None:
    """The page a `next` or `prev` link leads to, GET or POST as the link says; None when there is no such link."""
    link = next((link for link in page["links"] if link["rel"] == rel), None)
    if link is None:
        return None
    if link.get("method", "GET") == "POST":
        assert link.get("merge") is False, link
        assert "token" in link["body"], link
        return fetch(link["href"], link["body"])
    assert "token=" in link["href"], link
    return fetch(link["href"])


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_next_and_prev_links_walk_a_collection_both_ways(stac_url: str, live_archive: Archive, method: str) -> None:
    collection = biggest_collection(live_archive)
    parameters = {"collections": [collection], "limit": PAGE, "sortby": [{"field": "datetime", "direction": "desc"}]}

    def run() -> list[dict[str, Any]]:
        if method == "POST":
            first = fetch(f"{stac_url}/search", parameters)
        else:
            first = fetch(f"{stac_url}/search?collections={collection}&limit={PAGE}&sortby=-datetime")
        pages = [first]
        while (page := follow(pages[-1], "next")) is not None:
            pages.append(page)
            assert len(pages) < 1000, "next links never end"
        return pages

    pages, before, after = judged(live_archive, run)
    assert_between(
        keys_of(f for page in pages for f in page["features"]),
        {key: v for key, v in before.items() if key[0] == collection},
        {key: v for key, v in after.items() if key[0] == collection},
        f"{method} next links",
    )
    for page in pages:
        assert page["numberReturned"] == len(page["features"])
        if "numberMatched" in page:
            assert page["numberMatched"] == sum(1 for key in before if key[0] == collection)
    times = [feature["properties"]["datetime"] for page in pages for feature in page["features"]]
    assert times == sorted(times, reverse=True), "sortby -datetime across the pages"
    assert not [page for page in pages[:-1] if len(page["features"]) != PAGE], "only the last page may be short"

    back = pages[-1]
    for expected in reversed(pages[:-1]):
        previous = follow(back, "prev")
        assert previous is not None, "a page after the first must have a prev link"
        assert keys_of(previous["features"]) == keys_of(expected["features"]), "prev does not retrace next"
        back = previous


def test_restricted_items_get_their_assets_when_the_clock_releases_them(
    stac_database: Path, demo_archive: Archive, tmp_path: Path
) -> None:
    """In-process, over the demo archive at fixed moments: a restricted granule shows no assets until its release
    moment, then shows them, with nothing written to the store in between (the file is the same bytes)."""
    releases = []
    for key, granule in demo_archive.granules.items():
        dataset = demo_archive.datasets[granule.dataset]
        moment = release_moment(granule_access(granule, dataset))
        if (
            granule.assets
            and moment is not None
            and moment > NOW
            and granule_visibility_at(granule, dataset, NOW) is Visibility.RESTRICTED
            and granule_visibility_at(granule, dataset, moment + timedelta(seconds=1)) is Visibility.PUBLIC
        ):
            releases.append((moment, key))
    assert releases, "the demo archive should have granules released by the clock"
    moment, (collection, item) = min(releases)
    path = tmp_path / "demo.sqlite"
    shutil.copyfile(stac_database, path)
    before_bytes = path.read_bytes()
    seen = {}
    for label, at in (("before", moment - timedelta(seconds=1)), ("after", moment + timedelta(seconds=1))):
        app = create_app(
            {"TESTING": True, "DATABASE_URL": f"sqlite:///{path}", "CLOCK": lambda at=at: at, "BASE_URL": BASE_URL}
        )
        client = app.test_client()
        single = client.get(f"/stac/collections/{collection}/items/{item}").get_json()
        listed = client.post("/stac/search", json={"ids": [item], "collections": [collection]}).get_json()
        app.extensions["catalog.store"].dispose()
        assert [feature["id"] for feature in listed["features"]] == [item]
        seen[label] = (single, listed["features"][0])
    for document in seen["before"]:
        assert not document.get("assets"), f"{item} shows assets before its release at {moment}"
    for document in seen["after"]:
        assert {asset["href"] for asset in document["assets"].values()} == {
            asset.href for asset in demo_archive.granules[(collection, item)].assets
        }
    assert path.read_bytes() == before_bytes, "the release must not write to the store"
