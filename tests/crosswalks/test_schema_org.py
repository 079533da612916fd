"""schema.org JSON-LD: expands as JSON-LD, carries what search engines read, and never a download link it may not."""

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from pyld import jsonld

from catalog.policy import ISAS_ROR
from catalog.records import Agent, Dataset, Mission
from catalog.vocab import CreatorKind, Visibility
from crosswalks.schema_org import to_jsonld
from crosswalks.statements import credit_line, license_url, restriction, withdrawal
from crosswalks.urls import DatasetUrls
from tests.crosswalks.conftest import Viewed, views

SCHEMA = "https://schema.org/"
BASE = "https://catalog.example.org"
FIXTURES = Path(__file__).resolve().parent / "fixture_catalog.jsonl"
OFFLINE_CONTEXT = {"@context": {"@vocab": SCHEMA}}
"""A minimal stand-in for the schema.org context, served offline: every term is a schema.org IRI."""

ALWAYS = (
    "name", "url", "identifier", "creator", "publisher", "license", "isAccessibleForFree", "creditText",
    "includedInDataCatalog", "dateModified",
)  # fmt: skip


def fixture_views() -> list[Viewed]:
    lines = FIXTURES.read_text(encoding="utf-8").splitlines()
    return views(iter(json.loads(line) for line in lines if line.strip() and not line.startswith("//")))


def urls_of(dataset: Dataset) -> DatasetUrls:
    return DatasetUrls.of(BASE, dataset.id, repository_identifier="catalog.example.org")


def render(viewed: Viewed, **kwargs: Any) -> dict[str, Any]:
    return to_jsonld(viewed.record, viewed.view, urls_of(viewed.record), **kwargs)


def offline_loader(url: str, options: Any = None) -> dict[str, Any]:
    if url.rstrip("/") != SCHEMA.rstrip("/"):
        raise AssertionError(f"the test would fetch {url}")
    return {"contentType": "application/ld+json", "contextUrl": None, "documentUrl": url, "document": OFFLINE_CONTEXT}


def expand(document: dict[str, Any]) -> dict[str, Any]:
    expanded = jsonld.expand(document, {"documentLoader": offline_loader})
    assert len(expanded) == 1
    node: dict[str, Any] = expanded[0]
    return node


def values(node: dict[str, Any], name: str) -> list[Any]:
    """The plain values of an expanded property: with the minimal context, URLs stay strings (`@value`)."""
    return [item.get("@value", item.get("@id")) for item in node[SCHEMA + name]]


def by_id(viewed: list[Viewed], dataset_id: str) -> Viewed:
    return next(v for v in viewed if v.record.id == dataset_id)


@pytest.fixture(scope="module")
def fixtures() -> list[Viewed]:
    return fixture_views()


def every_view(demo_views: list[Viewed], fixtures: list[Viewed]) -> list[Viewed]:
    return [*fixtures, *demo_views]


def test_every_dataset_expands_with_the_properties_listed(demo_views: list[Viewed], fixtures: list[Viewed]) -> None:
    viewed_all = every_view(demo_views, fixtures)
    assert len(viewed_all) > 100
    for viewed in viewed_all:
        node = expand(render(viewed))
        assert node["@type"] == [SCHEMA + "Dataset"], viewed.record.id
        for name in ALWAYS:
            assert SCHEMA + name in node, (viewed.record.id, name)
        assert values(node, "isAccessibleForFree") == [True]
        assert values(node, "license") == [license_url(viewed.record.rights.license)]
        if viewed.record.doi:
            identifiers = node[SCHEMA + "identifier"]
            doi = [i for i in identifiers if i[SCHEMA + "propertyID"] == [{"@value": "DOI"}]]
            assert doi[0][SCHEMA + "value"] == [{"@value": viewed.record.doi}]
            assert values(node, "sameAs") == ["https://doi.org/" + viewed.record.doi]
        if viewed.record.temporal is not None:
            assert SCHEMA + "temporalCoverage" in node
        if viewed.record.description is not None:
            assert SCHEMA + "description" in node


def test_restricted_and_deleted_carry_no_data_url_anywhere(demo_views: list[Viewed], fixtures: list[Viewed]) -> None:
    closed = [v for v in every_view(demo_views, fixtures) if not v.view.shows_data_links]
    assert {v.view.visibility for v in closed} == {Visibility.RESTRICTED, Visibility.DELETED}
    assert sum(1 for v in closed if v.record.assets) >= 10
    for viewed in closed:
        document = render(viewed)
        text = json.dumps(document, ensure_ascii=False)
        assert "distribution" not in document
        for asset in viewed.record.assets:
            assert asset.href not in text, (viewed.record.id, asset.href)


def test_public_data_is_distributed(demo_views: list[Viewed], fixtures: list[Viewed]) -> None:
    public = [v for v in every_view(demo_views, fixtures) if v.view.shows_data_links and v.record.assets]
    assert len(public) > 20
    for viewed in public:
        node = expand(render(viewed))
        downloads = node[SCHEMA + "distribution"]
        urls = {values(d, "contentUrl")[0] for d in downloads}
        assert urls == {asset.href for asset in viewed.record.assets}
        assert all(d["@type"] == [SCHEMA + "DataDownload"] for d in downloads)
    onc = render(by_id(fixtures, "public-full"))
    assert onc["distribution"] == [
        {
            "@type": "DataDownload",
            "contentUrl": "https://data.darts.isas.jaxa.jp/pub/hayabusa2/onc_bundle/",
            "encodingFormat": ["FITS", "PDS4"],
            "name": "ONC bundle",
        }
    ]


def test_names_and_descriptions_are_language_tagged(fixtures: list[Viewed]) -> None:
    node = expand(render(by_id(fixtures, "public-full")))
    assert {"@value": "はやぶさ2 ONC-T リュウグウ較正画像", "@language": "ja"} in node[SCHEMA + "name"]
    assert {"@value": "Hayabusa2 ONC-T calibrated images of Ryugu", "@language": "en"} in node[SCHEMA + "name"]
    languages = {value["@language"] for value in node[SCHEMA + "description"]}
    assert languages == {"en", "ja"}


def test_creators_carry_orcid_and_ror(fixtures: list[Viewed]) -> None:
    document = render(by_id(fixtures, "public-full"))
    team, sugita = document["creator"]
    assert team == {"@type": "Organization", "name": "Hayabusa2 ONC team"}
    assert sugita["@type"] == "Person"
    assert (sugita["familyName"], sugita["givenName"]) == ("Sugita", "Seiji")
    assert sugita["sameAs"] == "https://orcid.org/0000-0002-7262-3426"
    assert sugita["affiliation"]["sameAs"] == "https://ror.org/057zh3y96"
    assert sugita["alternateName"] == {"@value": "杉田 精司", "@language": "ja"}
    balloon = render(by_id(fixtures, "public-earth"))["creator"][0]
    assert balloon == {"@type": "Organization", "name": "ISAS balloon group", "sameAs": ISAS_ROR}
    assert document["publisher"]["name"] == "ISAS/JAXA"
    assert document["publisher"]["sameAs"] == ISAS_ROR


def test_credit_is_isas_jaxa_then_the_further_credits(fixtures: list[Viewed]) -> None:
    viewed = by_id(fixtures, "public-full")
    credit = render(viewed)["creditText"]
    line = credit_line(viewed.record)
    assert credit == [{"@value": line["en"], "@language": "en"}, {"@value": line["ja"], "@language": "ja"}]
    assert credit[0]["@value"].startswith("Credit: ISAS/JAXA; Hayabusa2 ONC team")


@pytest.mark.parametrize("dataset_id", ["embargoed", "restricted-incomplete", "restricted-rights", "restricted-safety"])
def test_restricted_data_states_its_conditions(fixtures: list[Viewed], dataset_id: str) -> None:
    viewed = by_id(fixtures, dataset_id)
    statement = restriction(viewed.record, viewed.view)
    assert statement is not None
    conditions = render(viewed)["conditionsOfAccess"]
    assert conditions == [
        {"@value": statement["en"], "@language": "en"},
        {"@value": statement["ja"], "@language": "ja"},
    ]
    assert viewed.record.access.scope is not None
    assert viewed.record.access.scope in conditions[0]["@value"]


def test_public_data_has_no_conditions_of_access(fixtures: list[Viewed]) -> None:
    for viewed in fixtures:
        if viewed.view.visibility is not Visibility.RESTRICTED:
            assert "conditionsOfAccess" not in render(viewed), viewed.record.id


def test_release_schedule_and_caveat_follow_the_abstract(fixtures: list[Viewed]) -> None:
    schedule = render(by_id(fixtures, "restricted-incomplete"))["description"]
    assert "bundle version 4" in schedule
    caveat = render(by_id(fixtures, "public-caveat"))["description"]
    assert "accuracy is not guaranteed" in caveat


def test_spatial_coverage_only_for_earth_data(fixtures: list[Viewed]) -> None:
    earth = render(by_id(fixtures, "public-earth"))
    assert earth["spatialCoverage"] == {"@type": "Place", "geo": {"@type": "GeoShape", "box": "42.3 143.0 42.7 143.8"}}
    for viewed in fixtures:
        if viewed.record.bbox is None:
            assert "spatialCoverage" not in render(viewed), viewed.record.id


def test_temporal_coverage_is_an_iso_interval(fixtures: list[Viewed]) -> None:
    assert render(by_id(fixtures, "public-earth"))["temporalCoverage"] == "2022-06-01/.."
    assert render(by_id(fixtures, "public-full"))["temporalCoverage"] == "2018-06-10T00:00:00Z/2019-11-12T23:59:59Z"


def test_withdrawn_data_says_so(fixtures: list[Viewed]) -> None:
    viewed = by_id(fixtures, "discarded")
    assert viewed.view.visibility is Visibility.DELETED
    document = render(viewed)
    statement = withdrawal(viewed.record, viewed.view)
    assert statement is not None
    assert {"@value": statement["en"], "@language": "en"} in document["description"]
    assert document["creativeWorkStatus"] == "Withdrawn"
    assert document["expires"] == "2025-04-01"
    assert "distribution" not in document
    node = expand(document)
    assert values(node, "expires") == ["2025-04-01"]


def test_dates_and_catalog(fixtures: list[Viewed]) -> None:
    viewed = by_id(fixtures, "public-full")
    document = render(viewed)
    assert document["datePublished"] == "2020-08-01"
    assert document["version"] == "3.0"
    assert document["includedInDataCatalog"] == {
        "@type": "DataCatalog",
        "name": "ISAS/JAXA science data catalog",
        "url": BASE,
    }
    embargoed = render(by_id(fixtures, "embargoed"))
    assert "datePublished" not in embargoed, "a release still to come is not a publication date"


def test_without_doi_the_landing_page_identifies_it(fixtures: list[Viewed]) -> None:
    viewed = by_id(fixtures, "no-doi")
    document = render(viewed)
    assert document["@id"] == f"{BASE}/datasets/no-doi"
    assert "sameAs" not in document
    assert [i["propertyID"] for i in document["identifier"]] == ["ISAS catalog id"]


def test_mission_is_the_project_the_data_is_about(fixtures: list[Viewed]) -> None:
    viewed = by_id(fixtures, "public-full")
    assert render(viewed)["about"] == {"@type": "ResearchProject", "identifier": "hayabusa2", "name": "hayabusa2"}
    mission = Mission(id="hayabusa2", name={"en": "Hayabusa2", "ja": "はやぶさ2"}, url="https://www.hayabusa2.jaxa.jp/")
    about = render(viewed, mission=mission)["about"]
    assert about["name"] == [{"@value": "Hayabusa2", "@language": "en"}, {"@value": "はやぶさ2", "@language": "ja"}]
    assert about["url"] == "https://www.hayabusa2.jaxa.jp/"
    node = expand(render(viewed, mission=mission))
    assert node[SCHEMA + "about"][0]["@type"] == [SCHEMA + "ResearchProject"]


def test_a_related_readme_under_an_asset_is_a_data_link(fixtures: list[Viewed]) -> None:
    viewed = by_id(fixtures, "public-full")
    closed = replace(viewed.view, visibility=Visibility.RESTRICTED)
    text = json.dumps(to_jsonld(viewed.record, closed, urls_of(viewed.record)))
    assert "data.darts.isas.jaxa.jp" not in text


def test_a_dataset_without_creators_is_credited_to_isas(fixtures: list[Viewed]) -> None:
    viewed = by_id(fixtures, "public-caveat")
    nobody = replace(viewed.record, creators=())
    creators = to_jsonld(nobody, viewed.view, urls_of(nobody))["creator"]
    assert creators == [
        {"@type": "Organization", "name": "Institute of Space and Astronautical Science", "sameAs": ISAS_ROR}
    ]
    person = Agent(name="Abe, Shin-ya", kind=CreatorKind.PERSON, ror="057zh3y96")
    affiliated = to_jsonld(replace(nobody, creators=(person,)), viewed.view, urls_of(nobody))["creator"][0]
    assert affiliated["affiliation"] == {
        "@type": "Organization",
        "name": "https://ror.org/057zh3y96",
        "sameAs": "https://ror.org/057zh3y96",
    }
