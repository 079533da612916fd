"""The STAC mapping: every Catalog, Collection and Item of the demo archive validates offline and tells the policy."""

import json
import socket
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import pystac
import pytest

from catalog.demo import demo_records
from catalog.policy import Timeline, dataset_timeline, granule_visibility_at, release_moment
from catalog.records import Access, Asset, Dataset, Granule, Mission, Related
from catalog.view import View, resolve_related, view_of
from catalog.vocab import AccessStatus, AfterDeadline, Category, RestrictionReason, Visibility
from crosswalks.stac import (
    PROCESSING,
    SSYS,
    STAC_VERSION,
    WHOLE_GLOBE,
    StacUrls,
    collection_of,
    item_of,
    item_restriction,
    mission_catalog,
)
from crosswalks.urls import DatasetUrls
from tests.conftest import NOW
from tests.stac_schemas import SchemaMissing, StacInvalid, validate_stac

BASE = "https://catalog.example.org"
URLS = StacUrls(f"{BASE}/stac")
REPOSITORY = "darts.isas.jaxa.jp"
CHANGED = NOW - timedelta(days=3)
MOMENTS = (NOW - timedelta(days=3 * 365), NOW, NOW + timedelta(days=400))
"""Before, at and after the demo's deadlines (the demo is built for `NOW`'s day)."""


@dataclass(frozen=True, slots=True)
class Demo:
    missions: dict[str, Mission]
    datasets: dict[str, tuple[Dataset, Timeline]]
    granules: list[Granule]


@pytest.fixture(scope="module")
def demo() -> Demo:
    records = list(demo_records(granules=600, today=NOW.date()))
    missions = {r["id"]: Mission.from_dict(r) for r in records if r["type"] == "mission"}
    datasets = [Dataset.from_dict(r) for r in records if r["type"] == "dataset"]
    granules = [Granule.from_dict(r) for r in records if r["type"] == "granule"]
    return Demo(missions, {d.id: (d, dataset_timeline(d)) for d in datasets}, granules)


def dataset_urls(dataset_id: str) -> DatasetUrls:
    return DatasetUrls.of(BASE, dataset_id, repository_identifier=REPOSITORY)


def view_at(demo: Demo, dataset: Dataset, at: datetime) -> View | None:
    timeline = demo.datasets[dataset.id][1]
    related = resolve_related(dataset, demo.datasets, at, lambda dataset_id: dataset_urls(dataset_id).landing)
    return view_of(dataset, timeline, min(CHANGED, at), at, related)


def collections(demo: Demo, at: datetime) -> Iterator[tuple[Dataset, View, dict[str, Any]]]:
    """Every dataset that is a STAC Collection at `at` (public or restricted), with its view and collection."""
    for dataset, _ in demo.datasets.values():
        view = view_at(demo, dataset, at)
        if view is None or not view.visibility.shows_metadata:
            continue
        mission = demo.missions.get(dataset.mission) if dataset.mission else None
        yield dataset, view, collection_of(dataset, view, URLS, dataset_urls(dataset.id), mission)


def items(demo: Demo, at: datetime) -> Iterator[tuple[Granule, Visibility, dict[str, Any]]]:
    for granule in demo.granules:
        dataset = demo.datasets[granule.dataset][0]
        visibility = granule_visibility_at(granule, dataset, at)
        if visibility.shows_metadata:
            yield granule, visibility, item_of(granule, dataset, visibility, at, URLS)


@pytest.mark.parametrize("at", MOMENTS, ids=["before", "now", "after"])
def test_every_collection_validates_and_states_its_access(demo: Demo, at: datetime) -> None:
    seen = {Visibility.PUBLIC: 0, Visibility.RESTRICTED: 0}
    for dataset, view, collection in collections(demo, at):
        validate_stac(collection)
        seen[view.visibility] += 1
        assert collection["stac_version"] == STAC_VERSION
        assert collection["isas:access"] == str(view.visibility)
        if view.visibility is Visibility.RESTRICTED:
            assert "assets" not in collection or collection["assets"] == {}
            assert collection["isas:access_reason"] == str(dataset.access.reason)
            assert collection["isas:access_scope"] == dataset.access.scope
            assert dataset.access.until is not None
            assert collection["isas:access_until"].startswith(dataset.access.until.date().isoformat())
            assert set(collection["isas:access_statement"]) == {"en", "ja"}
            hrefs = json.dumps(collection)
            assert not any(asset.href in hrefs for asset in dataset.assets if asset.href.endswith("/")), dataset.id
        else:
            assert "isas:access_reason" not in collection
            assert collection.get("assets"), dataset.id
    assert seen[Visibility.PUBLIC] > 50
    if at == NOW:
        assert seen[Visibility.RESTRICTED] > 5


@pytest.mark.parametrize("at", MOMENTS, ids=["before", "now", "after"])
def test_every_item_validates_and_restricted_ones_have_no_assets(demo: Demo, at: datetime) -> None:
    counts = {Visibility.PUBLIC: 0, Visibility.RESTRICTED: 0}
    for granule, visibility, item in items(demo, at):
        validate_stac(item)
        counts[visibility] += 1
        properties = item["properties"]
        assert properties["datetime"] == properties["start_datetime"]
        assert properties["datetime"].endswith("Z")
        if visibility is Visibility.RESTRICTED:
            assert item["assets"] == {}
            assert properties["isas:access"] == "restricted"
            for field in ("isas:access_reason", "isas:access_scope", "isas:access_until", "isas:access_statement"):
                assert field in properties, (granule.id, field)
        else:
            assert item["assets"], granule.id
            assert properties["isas:access"] == "public"
            assert not any(name.startswith("isas:access_") for name in properties)
    assert counts[Visibility.PUBLIC] > 100
    if at == NOW:
        assert counts[Visibility.RESTRICTED] > 10


def test_mission_catalogs_validate(demo: Demo) -> None:
    for mission in demo.missions.values():
        catalog = mission_catalog(mission, ["a-dataset", "another/one"], URLS)
        validate_stac(catalog)
        assert catalog["type"] == "Catalog"
        assert catalog["id"] == mission.id
        children = [link["href"] for link in catalog["links"] if link["rel"] == "child"]
        assert children == [f"{BASE}/stac/collections/a-dataset", f"{BASE}/stac/collections/another%2Fone"]
        parent = next(link for link in catalog["links"] if link["rel"] == "parent")
        assert parent["href"] == f"{BASE}/stac"


def test_a_hidden_related_dataset_is_never_named(demo: Demo) -> None:
    hidden = next(d for d, timeline in demo.datasets.values() if timeline.at(NOW) is Visibility.HIDDEN)
    shown = next(d for d, timeline in demo.datasets.values() if d.doi and timeline.at(NOW) is Visibility.PUBLIC)
    visible = next(d for d, timeline in demo.datasets.values() if d.doi and d.id != shown.id and d.issued)
    linking = replace(
        shown,
        related=(*shown.related, Related("IsDerivedFrom", hidden.id), Related("IsDerivedFrom", visible.id)),
    )
    known = {**demo.datasets, linking.id: (linking, demo.datasets[shown.id][1])}
    related = resolve_related(linking, known, NOW, lambda dataset_id: dataset_urls(dataset_id).landing)
    view = view_of(linking, known[linking.id][1], CHANGED, NOW, related)
    assert view is not None
    collection = collection_of(linking, view, URLS, dataset_urls(linking.id), None)
    validate_stac(collection)
    text = json.dumps(collection, ensure_ascii=False)
    assert hidden.id not in text
    assert hidden.title["en"] not in text
    derived = [link["href"] for link in collection["links"] if link["rel"] == "derived_from"]
    assert f"https://doi.org/{visible.doi}" in derived
    assert len(derived) == 1 + sum(r.relation == "IsDerivedFrom" for r in shown.related)


@pytest.mark.parametrize("at", MOMENTS, ids=["before", "now", "after"])
def test_related_datasets_are_named_only_when_the_public_may_see_them(demo: Demo, at: datetime) -> None:
    for dataset, _, collection in collections(demo, at):
        text = json.dumps(collection)
        for related in dataset.related:
            target = demo.datasets.get(related.target)
            if target is not None and target[1].at(at) is Visibility.HIDDEN:
                assert related.target not in text, (dataset.id, related.target)


def test_items_off_earth_have_null_geometry_and_no_bbox(demo: Demo) -> None:
    off_earth = on_earth = 0
    for granule, _, item in items(demo, NOW):
        if granule.bbox is None and granule.geometry is None:
            assert item["geometry"] is None
            assert "bbox" not in item
            off_earth += 1
        else:
            assert item["geometry"]["type"] == "Polygon"
            assert item["bbox"] == list(granule.bbox or ())
            on_earth += 1
    assert off_earth > 0
    assert on_earth > 0


def test_pystac_round_trips_every_object(demo: Demo) -> None:
    """`transform_hrefs=False`: pystac would otherwise fetch the root to make hrefs relative."""
    for _, _, collection in collections(demo, NOW):
        assert pystac.Collection.from_dict(collection).to_dict(transform_hrefs=False) == collection
    for _, _, item in items(demo, NOW):
        assert pystac.Item.from_dict(item).to_dict(transform_hrefs=False) == item
    catalog = mission_catalog(demo.missions["hayabusa2"], ["x"], URLS)
    assert pystac.Catalog.from_dict(catalog).to_dict(transform_hrefs=False) == catalog


def test_items_list_exactly_the_extensions_they_use(demo: Demo) -> None:
    for _, _, item in items(demo, NOW):
        properties = item["properties"]
        used = {SSYS for name in properties if name.startswith("ssys:")}
        used |= {PROCESSING for name in properties if name.startswith("processing:")}
        assert set(item["stac_extensions"]) == used


def test_free_properties_are_kept_but_never_override_the_mapping(demo: Demo) -> None:
    dataset = next(d for d, _ in demo.datasets.values() if d.targets and d.processing_level)
    granule = Granule(
        id="g1",
        dataset=dataset.id,
        start=NOW,
        end=NOW + timedelta(minutes=5),
        properties={"datetime": "1999", "bands": 10, "ssys:targets": "x", "isas:access": "open", "filter": "v"},
    )
    item = item_of(granule, dataset, Visibility.PUBLIC, NOW, URLS)
    validate_stac(item)
    properties = item["properties"]
    assert properties["datetime"] == "2026-11-21T12:00:00Z"
    assert properties["end_datetime"] == "2026-11-21T12:05:00Z"
    assert properties["filter"] == "v"
    assert properties["granule:bands"] == 10
    assert properties["granule:datetime"] == "1999"
    assert properties["ssys:targets"] == list(dataset.targets)
    assert properties["granule:ssys:targets"] == "x"
    assert properties["isas:access"] == "public"


def test_target_classes() -> None:
    dataset = Dataset(
        id="d",
        title={"en": "D"},
        category=Category.OBSERVATION,
        creators=(),
        access=Access(AccessStatus.PUBLIC),
    )
    assert _classes(replace(dataset, targets=("162173 Ryugu",))) == "asteroid"
    assert _classes(replace(dataset, targets=("Venus",))) == "planet"
    assert _classes(replace(dataset, targets=("Sun",))) == "star"
    assert _classes(replace(dataset, targets=("Jupiter", "Io plasma torus"))) is None
    assert _classes(replace(dataset, targets=("Van Allen radiation belts",))) is None
    assert "ssys:targets" not in _item(replace(dataset, targets=()))["properties"]


def _item(dataset: Dataset) -> dict[str, Any]:
    granule = Granule(id="g", dataset=dataset.id, start=NOW, end=NOW)
    item = item_of(granule, dataset, Visibility.PUBLIC, NOW, URLS)
    validate_stac(item)
    return item


def _classes(dataset: Dataset) -> str | None:
    value: str | None = _item(dataset)["properties"].get("ssys:target_class")
    return value


PROPRIETARY = Access(
    AccessStatus.RESTRICTED,
    reason=RestrictionReason.PROPRIETARY_PERIOD,
    scope="the team",
    until=NOW + timedelta(days=30),
    after=AfterDeadline.RELEASE,
)
RIGHTS = Access(
    AccessStatus.RESTRICTED,
    reason=RestrictionReason.RIGHTS_GRANTED,
    scope="a partner",
    until=NOW + timedelta(days=90),
    after=AfterDeadline.REVIEW,
)


def _dataset(access: Access) -> Dataset:
    return Dataset(id="d", title={"en": "D"}, category=Category.OBSERVATION, creators=(), access=access)


def test_a_public_granule_of_a_restricted_dataset_states_the_datasets_restriction() -> None:
    dataset = _dataset(RIGHTS)
    granule = Granule(id="g", dataset="d", start=NOW, end=NOW, access=Access(AccessStatus.PUBLIC))
    assert granule_visibility_at(granule, dataset, NOW) is Visibility.RESTRICTED
    assert item_restriction(granule, dataset, NOW) is RIGHTS
    item = item_of(granule, dataset, Visibility.RESTRICTED, NOW, URLS)
    validate_stac(item)
    assert item["properties"]["isas:access_reason"] == "rights-granted"
    assert item["properties"]["isas:access_scope"] == "a partner"
    assert item["assets"] == {}


def test_of_two_restrictions_the_longer_is_stated() -> None:
    dataset = _dataset(PROPRIETARY)
    granule = Granule(id="g", dataset="d", start=NOW, end=NOW, access=RIGHTS)
    assert item_restriction(granule, dataset, NOW) == RIGHTS
    longer = replace(PROPRIETARY, until=NOW + timedelta(days=400))
    released_later = Granule(id="g", dataset="d", start=NOW, end=NOW, access=longer)
    assert item_restriction(released_later, _dataset(replace(PROPRIETARY, after=AfterDeadline.RELEASE)), NOW) == longer
    after_dataset = NOW + timedelta(days=31)
    assert release_moment(PROPRIETARY) is not None
    assert item_restriction(released_later, dataset, after_dataset) == longer


def test_the_clock_releases_items_with_their_assets() -> None:
    dataset = _dataset(PROPRIETARY)
    asset = Asset("https://data.example.org/g.fits", media_type="image/fits")
    granule = Granule(id="g", dataset="d", start=NOW, end=NOW, assets=(asset,))
    before = granule_visibility_at(granule, dataset, NOW)
    after_moment = NOW + timedelta(days=31)
    after = granule_visibility_at(granule, dataset, after_moment)
    assert (before, after) == (Visibility.RESTRICTED, Visibility.PUBLIC)
    assert item_of(granule, dataset, before, NOW, URLS)["assets"] == {}
    released = item_of(granule, dataset, after, after_moment, URLS)
    assert released["assets"]["data"]["href"] == "https://data.example.org/g.fits"


def test_whole_globe_placeholder_for_data_not_on_earth(demo: Demo) -> None:
    for dataset, _, collection in collections(demo, NOW):
        expected = list(dataset.bbox) if dataset.bbox is not None else list(WHOLE_GLOBE)
        assert collection["extent"]["spatial"]["bbox"] == [expected]


def test_validation_makes_no_network_request(demo: Demo, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("validation tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    granule_datasets = {granule.dataset for granule in demo.granules}
    dataset, _, collection = next(
        (d, v, c) for d, v, c in collections(demo, NOW) if len(c["stac_extensions"]) >= 4 and d.id in granule_datasets
    )
    validate_stac(collection)
    granule = next(g for g in demo.granules if g.dataset == dataset.id)
    item = item_of(granule, dataset, Visibility.PUBLIC, NOW, URLS)
    assert len(item["stac_extensions"]) == 2
    validate_stac(item)


def test_an_unknown_extension_fails_loudly_without_a_download(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("validation tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    item = _item(_dataset(Access(AccessStatus.PUBLIC)))
    item["stac_extensions"] = ["https://stac-extensions.github.io/eo/v2.0.0/schema.json"]
    with pytest.raises(SchemaMissing, match=r"eo/v2\.0\.0"):
        validate_stac(item)


def test_an_invalid_object_is_reported_with_its_id() -> None:
    item = _item(_dataset(Access(AccessStatus.PUBLIC)))
    del item["properties"]["datetime"]
    with pytest.raises(StacInvalid, match="'g'"):
        validate_stac(item)


def test_a_whole_collection(demo: Demo) -> None:
    """One dataset in full: a public analysis dataset of Hayabusa2, not on Earth, with two local related datasets."""
    dataset = demo.datasets["ryugu-shape-v2"][0]
    view = view_at(demo, dataset, NOW)
    assert view is not None
    collection = collection_of(dataset, view, URLS, dataset_urls(dataset.id), demo.missions["hayabusa2"])
    assert collection == RYUGU_SHAPE_V2


# fmt: off
RYUGU_SHAPE_V2: dict[str, Any] = {'type': 'Collection',
 'id': 'ryugu-shape-v2',
 'stac_version': '1.1.0',
 'description': 'Ryugu shape model SHAPE_SFM_200k v2. Processing level derived. Data of the Hayabusa2 mission, '
                'archived at DARTS.',
 'links': [{'rel': 'self',
            'href': 'https://catalog.example.org/stac/collections/ryugu-shape-v2',
            'type': 'application/json'},
           {'rel': 'root', 'href': 'https://catalog.example.org/stac', 'type': 'application/json'},
           {'rel': 'parent',
            'href': 'https://catalog.example.org/stac/catalogs/hayabusa2',
            'type': 'application/json'},
           {'rel': 'items',
            'href': 'https://catalog.example.org/stac/collections/ryugu-shape-v2/items',
            'type': 'application/geo+json'},
           {'rel': 'license',
            'href': 'https://creativecommons.org/licenses/by/4.0/',
            'type': 'text/html',
            'title': 'CC-BY-4.0'},
           {'rel': 'cite-as', 'href': 'https://doi.org/10.17597/isas.darts/hyb2-00800', 'title': 'DOI'},
           {'rel': 'describedby',
            'href': 'https://catalog.example.org/oai?verb=GetRecord&metadataPrefix=oai_datacite&identifier=oai%3Adarts.isas.jaxa.jp%3Aryugu-shape-v2',
            'type': 'application/xml',
            'title': 'DataCite metadata (OAI-PMH)'},
           {'rel': 'about',
            'href': 'https://catalog.example.org/datasets/ryugu-shape-v2',
            'type': 'text/html',
            'title': 'Landing page'},
           {'rel': 'predecessor-version',
            'href': 'https://doi.org/10.17597/isas.darts/hyb2-00700',
            'isas:relation': 'IsNewVersionOf'},
           {'rel': 'derived_from',
            'href': 'https://doi.org/10.17597/isas.darts/hyb2-00200',
            'isas:relation': 'IsDerivedFrom'},
           {'rel': 'describedby',
            'href': 'https://data.darts.isas.jaxa.jp/pub/hayabusa2/ryugu-shape-v2/00readme.txt',
            'isas:relation': 'IsDocumentedBy'}],
 'stac_extensions': ['https://stac-extensions.github.io/processing/v1.2.0/schema.json',
                     'https://stac-extensions.github.io/scientific/v1.0.0/schema.json',
                     'https://stac-extensions.github.io/ssys/v1.1.0/schema.json',
                     'https://stac-extensions.github.io/timestamps/v1.1.0/schema.json',
                     'https://stac-extensions.github.io/version/v1.2.0/schema.json'],
 'sci:doi': '10.17597/isas.darts/hyb2-00800',
 'sci:citation': 'Hayabusa2 shape modeling team (2020): Ryugu shape model SHAPE_SFM_200k v2. Version 2. ISAS/JAXA. '
                 'Dataset. https://doi.org/10.17597/isas.darts/hyb2-00800',
 'published': '2020-05-10T00:00:00Z',
 'updated': '2026-11-18T12:00:00Z',
 'version': '2',
 'isas:category': 'analysis',
 'isas:credit': {'en': 'Credit: ISAS/JAXA', 'ja': '出典：宇宙航空研究開発機構・宇宙科学研究所（ISAS/JAXA）'},
 'isas:access': 'public',
 'isas:access_right': 'open',
 'isas:title_ja': 'リュウグウ形状モデル SHAPE_SFM_200k 第2版',
 'title': 'Ryugu shape model SHAPE_SFM_200k v2',
 'extent': {'spatial': {'bbox': [[-180.0, -90.0, 180.0, 90.0]]},
            'temporal': {'interval': [['2018-06-10T00:00:00Z', '2019-11-12T23:59:59Z']]}},
 'license': 'CC-BY-4.0',
 'keywords': ['shape model', '162173 Ryugu'],
 'providers': [{'name': 'Japan Aerospace Exploration Agency (JAXA)',
                'roles': ['licensor'],
                'url': 'https://ror.org/059yhyy33'},
               {'name': 'Institute of Space and Astronautical Science (ISAS/JAXA)',
                'description': 'Operates the missions and hosts the archive (DARTS) and this catalog.',
                'roles': ['host', 'producer'],
                'url': 'https://ror.org/034gcgw60'},
               {'name': 'Hayabusa2 shape modeling team', 'roles': ['producer']}],
 'summaries': {'ssys:targets': ['162173 Ryugu'],
               'ssys:target_class': ['asteroid'],
               'processing:level': ['derived'],
               'mission': ['hayabusa2'],
               'platform': ['hayabusa2']},
 'assets': {'data': {'href': 'https://data.darts.isas.jaxa.jp/pub/hayabusa2/ryugu-shape-v2/',
                     'title': 'Data directory',
                     'roles': ['data']},
            'documentation': {'href': 'https://data.darts.isas.jaxa.jp/pub/hayabusa2/ryugu-shape-v2/00readme.txt',
                              'type': 'text/plain',
                              'roles': ['documentation']}}}
# fmt: on
