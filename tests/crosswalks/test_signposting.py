"""FAIR Signposting: Link headers a Signposting client reads as meant, linksets that round-trip, no hidden data."""

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from httplink import parse_link_header
from signposting import find_signposting_http_link

from catalog.records import Agent, Dataset
from catalog.vocab import CreatorKind, Visibility
from crosswalks.signposting import Link, link_header, linkset, signposts
from crosswalks.statements import license_url
from crosswalks.urls import DatasetUrls
from tests.crosswalks.conftest import Viewed, views

BASE = "https://catalog.example.org"
FIXTURES = Path(__file__).resolve().parent / "fixture_catalog.jsonl"
TYPES = {"https://schema.org/AboutPage", "https://schema.org/Dataset"}


def fixture_views() -> list[Viewed]:
    lines = FIXTURES.read_text(encoding="utf-8").splitlines()
    return views(iter(json.loads(line) for line in lines if line.strip() and not line.startswith("//")))


@pytest.fixture(scope="module")
def fixtures() -> list[Viewed]:
    return fixture_views()


def urls_of(dataset: Dataset) -> DatasetUrls:
    return DatasetUrls.of(BASE, dataset.id, repository_identifier="catalog.example.org")


def by_id(viewed: list[Viewed], dataset_id: str) -> Viewed:
    return next(v for v in viewed if v.record.id == dataset_id)


def links_of(viewed: Viewed) -> list[Link]:
    return signposts(viewed.record, viewed.view, urls_of(viewed.record))


def parse(viewed: Viewed) -> Any:
    """The Signposting client's reading of the header, with the landing page as context."""
    return find_signposting_http_link([link_header(links_of(viewed))], urls_of(viewed.record).landing)


def test_every_landing_page_signposts_level_one(demo_views: list[Viewed], fixtures: list[Viewed]) -> None:
    every = [*fixtures, *demo_views]
    assert len(every) > 100
    for viewed in every:
        dataset, urls = viewed.record, urls_of(viewed.record)
        parsed = parse(viewed)
        assert parsed.citeAs.target == ("https://doi.org/" + dataset.doi if dataset.doi else urls.landing)
        described = {(str(s.target), s.type) for s in parsed.describedBy}
        assert (urls.jsonld, "application/ld+json") in described
        assert ((urls.datacite, "application/vnd.datacite.datacite+xml") in described) == (dataset.doi is not None)
        assert parsed.license.target == license_url(dataset.rights.license)
        assert {str(s.target) for s in parsed.types} == TYPES
        assert {(str(s.target), s.type) for s in parsed.linksets} == {(urls.linkset, "application/linkset+json")}
        items = {str(s.target) for s in parsed.items}
        if viewed.view.shows_data_links:
            assert items == {asset.href for asset in dataset.assets}
        else:
            assert items == set()


def test_no_item_and_no_data_url_for_restricted_or_deleted(demo_views: list[Viewed], fixtures: list[Viewed]) -> None:
    closed = [v for v in [*fixtures, *demo_views] if not v.view.shows_data_links]
    assert {v.view.visibility for v in closed} == {Visibility.RESTRICTED, Visibility.DELETED}
    assert sum(1 for v in closed if v.record.assets) >= 10
    for viewed in closed:
        links = links_of(viewed)
        assert all(link.rel != "item" for link in links)
        header = link_header(links)
        document = json.dumps(linkset(urls_of(viewed.record).landing, links))
        for asset in viewed.record.assets:
            assert asset.href not in header
            assert asset.href not in document


def test_public_items_carry_their_media_type(demo_views: list[Viewed]) -> None:
    typed = [
        (viewed, asset)
        for viewed in demo_views
        if viewed.view.shows_data_links
        for asset in viewed.record.assets
        if asset.media_type
    ]
    assert typed
    for viewed, asset in typed:
        items = {(str(s.target), s.type) for s in parse(viewed).items}
        assert (asset.href, asset.media_type) in items


def test_authors_are_orcid_and_ror_ids(fixtures: list[Viewed]) -> None:
    public_full = parse(by_id(fixtures, "public-full"))
    assert {str(s.target) for s in public_full.authors} == {"https://orcid.org/0000-0002-7262-3426"}
    balloon = parse(by_id(fixtures, "public-earth"))
    assert {str(s.target) for s in balloon.authors} == {"https://ror.org/034gcgw60"}
    viewed = by_id(fixtures, "no-doi")
    person = Agent(name="Abe, Shin-ya", kind=CreatorKind.PERSON, orcid="0000-0002-1825-0097", ror="057zh3y96")
    team = Agent(name="A team", kind=CreatorKind.ORGANIZATION, ror="057zh3y96")
    both = Viewed(replace(viewed.record, creators=(person, team, team)), viewed.view)
    authors = [link.href for link in links_of(both) if link.rel == "author"]
    assert authors == ["https://orcid.org/0000-0002-1825-0097", "https://ror.org/057zh3y96"]


def test_header_serialisation() -> None:
    links = [
        Link("https://doi.org/10.1234/a,b;c", "cite-as"),
        Link("https://example.org/data/ファイル 1.csv", "item", "text/csv"),
        Link("https://example.org/m", "describedby", 'application/x-odd; v="1"', "https://example.org/p\\q"),
    ]
    header = link_header(links)
    assert header == (
        '<https://doi.org/10.1234/a,b;c>; rel="cite-as", '
        '<https://example.org/data/%E3%83%95%E3%82%A1%E3%82%A4%E3%83%AB%201.csv>; rel="item"; type="text/csv", '
        '<https://example.org/m>; rel="describedby"; type="application/x-odd; v=\\"1\\""; '
        'profile="https://example.org/p%5Cq"'
    )
    header.encode("ascii")
    quoted = parse_link_header(header).links[2]
    assert quoted.attributes == [
        ("rel", "describedby"),
        ("type", 'application/x-odd; v="1"'),
        ("profile", "https://example.org/p%5Cq"),
    ]
    parsed = find_signposting_http_link([link_header(links[:2])])
    assert parsed.citeAs.target == "https://doi.org/10.1234/a,b;c"
    assert {str(s.target) for s in parsed.items} == {
        "https://example.org/data/%E3%83%95%E3%82%A1%E3%82%A4%E3%83%AB%201.csv"
    }


def test_linkset_round_trips(demo_views: list[Viewed], fixtures: list[Viewed]) -> None:
    for viewed in [*fixtures, *demo_views]:
        anchor = urls_of(viewed.record).landing
        links = links_of(viewed)
        document = json.loads(json.dumps(linkset(anchor, links)))
        (context,) = document["linkset"]
        assert context["anchor"] == anchor
        assert "linkset" not in context
        read_back = [
            Link(target["href"], rel, target.get("type"), (target.get("profile") or [None])[0])
            for rel, targets in context.items()
            if rel != "anchor"
            for target in targets
        ]
        assert sorted(read_back, key=repr) == sorted((k for k in links if k.rel != "linkset"), key=repr)


def test_linkset_shape(fixtures: list[Viewed]) -> None:
    viewed = by_id(fixtures, "public-full")
    urls = urls_of(viewed.record)
    document = linkset(urls.landing, links_of(viewed))
    context = document["linkset"][0]
    assert context["cite-as"] == [{"href": "https://doi.org/10.17597/isas.darts/hyb2-00200"}]
    assert context["type"] == [{"href": "https://schema.org/AboutPage"}, {"href": "https://schema.org/Dataset"}]
    assert context["describedby"][1] == {
        "href": urls.jsonld,
        "type": "application/ld+json",
        "profile": ["https://schema.org"],
    }
    assert context["item"] == [{"href": "https://data.darts.isas.jaxa.jp/pub/hayabusa2/onc_bundle/"}]
