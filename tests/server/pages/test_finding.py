"""Finding datasets over the demo archive: the search page (HTML and JSON, every filter, facets, paging, 400s, never a
5xx), `sitemap.xml` checked against the sitemaps.org schemas (and split into an index), and `robots.txt`."""

import math
import re
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from itsdangerous import URLSafeSerializer
from lxml import etree

from catalog.demo import demo_records
from catalog.policy import release_moment, visibility_at
from catalog.records import Dataset
from catalog.store import Store
from catalog.timeutil import format_time, parse_time
from catalog.vocab import Category, Visibility
from server.pages import finding
from tests.catalog.test_store import ceil_second
from tests.catalog.test_store_search import Filters, brute_force, expected_facets
from tests.conftest import NOW
from tests.server.pages.conftest import BASE_URL, DEMO_TODAY

Record = dict[str, Any]
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"

# The sitemaps.org schemas for sitemaps (2008-03-26) and sitemap indexes (2009-04-08), without their annotations,
# so that tests validate with no network.
SITEMAP_XSD = """<?xml version="1.0" encoding="UTF-8"?>
<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema" targetNamespace="http://www.sitemaps.org/schemas/sitemap/0.9"
  xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" elementFormDefault="qualified">
  <xsd:element name="urlset">
    <xsd:complexType><xsd:sequence>
      <xsd:any namespace="##other" minOccurs="0" maxOccurs="unbounded" processContents="strict"/>
      <xsd:element name="url" type="tUrl" maxOccurs="unbounded"/>
    </xsd:sequence></xsd:complexType>
  </xsd:element>
  <xsd:complexType name="tUrl"><xsd:sequence>
    <xsd:element name="loc" type="tLoc"/>
    <xsd:element name="lastmod" type="tLastmod" minOccurs="0"/>
    <xsd:element name="changefreq" type="tChangeFreq" minOccurs="0"/>
    <xsd:element name="priority" type="tPriority" minOccurs="0"/>
    <xsd:any namespace="##other" minOccurs="0" maxOccurs="unbounded" processContents="strict"/>
  </xsd:sequence></xsd:complexType>
  <xsd:simpleType name="tLoc"><xsd:restriction base="xsd:anyURI">
    <xsd:minLength value="12"/><xsd:maxLength value="2048"/>
  </xsd:restriction></xsd:simpleType>
  <xsd:simpleType name="tLastmod"><xsd:union>
    <xsd:simpleType><xsd:restriction base="xsd:date"/></xsd:simpleType>
    <xsd:simpleType><xsd:restriction base="xsd:dateTime"/></xsd:simpleType>
  </xsd:union></xsd:simpleType>
  <xsd:simpleType name="tChangeFreq"><xsd:restriction base="xsd:string">
    <xsd:enumeration value="always"/><xsd:enumeration value="hourly"/><xsd:enumeration value="daily"/>
    <xsd:enumeration value="weekly"/><xsd:enumeration value="monthly"/><xsd:enumeration value="yearly"/>
    <xsd:enumeration value="never"/>
  </xsd:restriction></xsd:simpleType>
  <xsd:simpleType name="tPriority"><xsd:restriction base="xsd:decimal">
    <xsd:minInclusive value="0.0"/><xsd:maxInclusive value="1.0"/>
  </xsd:restriction></xsd:simpleType>
</xsd:schema>
"""
SITEINDEX_XSD = """<?xml version="1.0" encoding="UTF-8"?>
<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema" targetNamespace="http://www.sitemaps.org/schemas/sitemap/0.9"
  xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" elementFormDefault="qualified">
  <xsd:element name="sitemapindex">
    <xsd:complexType><xsd:sequence>
      <xsd:any namespace="##other" minOccurs="0" maxOccurs="unbounded" processContents="strict"/>
      <xsd:element name="sitemap" type="tSitemap" maxOccurs="unbounded"/>
    </xsd:sequence></xsd:complexType>
  </xsd:element>
  <xsd:complexType name="tSitemap"><xsd:sequence>
    <xsd:element name="loc" type="tLocSitemap"/>
    <xsd:element name="lastmod" type="tLastmodSitemap" minOccurs="0"/>
    <xsd:any namespace="##other" minOccurs="0" maxOccurs="unbounded" processContents="strict"/>
  </xsd:sequence></xsd:complexType>
  <xsd:simpleType name="tLocSitemap"><xsd:restriction base="xsd:anyURI">
    <xsd:minLength value="12"/><xsd:maxLength value="2048"/>
  </xsd:restriction></xsd:simpleType>
  <xsd:simpleType name="tLastmodSitemap"><xsd:union>
    <xsd:simpleType><xsd:restriction base="xsd:date"/></xsd:simpleType>
    <xsd:simpleType><xsd:restriction base="xsd:dateTime"/></xsd:simpleType>
  </xsd:union></xsd:simpleType>
</xsd:schema>
"""


def schema(text: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.fromstring(text.encode()))


URLSET = schema(SITEMAP_XSD)
SITEINDEX = schema(SITEINDEX_XSD)


@pytest.fixture(scope="module")
def demo() -> list[Record]:
    """The demo archive's dataset records, as loaded into the demo app."""
    return [r for r in demo_records(granules=0, today=DEMO_TODAY) if r["type"] == "dataset"]


def visible(demo: list[Record], now: datetime = NOW) -> dict[str, Visibility]:
    return brute_force(demo, Filters(), now)


def search(client: FlaskClient, **arguments: str) -> dict[str, Any]:
    response = client.get(f"/datasets?{urlencode({**arguments, 'f': 'json'})}")
    assert response.status_code == 200, response.get_data(as_text=True)
    body: dict[str, Any] = response.get_json()
    return body


def follow(client: FlaskClient, **arguments: str) -> tuple[list[str], int]:
    """Follow the `next` links of a JSON search to the end; return every id in order and the number of pages."""
    body = search(client, **arguments)
    ids: list[str] = []
    pages = 0
    while True:
        pages += 1
        ids.extend(item["id"] for item in body["datasets"])
        if body["links"]["next"] is None:
            return ids, pages
        assert pages < 100
        response = client.get(body["links"]["next"])
        assert response.status_code == 200
        body = response.get_json()


def landing(dataset_id: str) -> str:
    return f"{BASE_URL}/datasets/{dataset_id}"


def test_search_page_is_html_with_a_form_and_results(demo_client: FlaskClient, demo: list[Record]) -> None:
    response = demo_client.get("/datasets", headers={"Accept": "text/html", "Accept-Language": "en"})
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert {"Accept", "Accept-Language"} <= set(response.vary)
    page = etree.HTML(response.get_data(as_text=True))
    assert page.xpath("//form[@role='search']/@action") == [f"{BASE_URL}/datasets"]
    for name in ("q", "mission", "category", "access", "from", "to"):
        assert page.xpath(f"//form//*[@name='{name}']"), name
    assert page.xpath("string(//p[@id='total'])") == f"{len(visible(demo))} datasets found"
    items = page.xpath("//ol[@id='results']/li")
    assert len(items) == finding.PAGE_SIZE
    first = items[0]
    first_id = first.get("data-id")
    record = next(r for r in demo if r["id"] == first_id)
    assert first.xpath("string(a[@class='title'])") == record["title"]["en"]
    assert first.xpath("a[@class='title']/@href") == [landing(first_id)]
    assert page.xpath("//nav[@class='paging']/a[@rel='next']/@href")


def test_search_page_speaks_japanese(demo_client: FlaskClient, demo: list[Record]) -> None:
    response = demo_client.get("/datasets?q=はやぶさ2", headers={"Accept-Language": "ja"})
    page = etree.HTML(response.get_data(as_text=True))
    assert page.get("lang") == "ja"
    assert page.xpath("string(//h1)") == "データセットの検索"
    titles = page.xpath("//ol[@id='results']/li/a[@class='title']/text()")
    by_id = {r["id"]: r for r in demo}
    ids = page.xpath("//ol[@id='results']/li/@data-id")
    assert titles
    assert titles == [by_id[i]["title"].get("ja", by_id[i]["title"].get("en")) for i in ids]
    assert "はやぶさ2" in page.xpath("//section[@data-facet='mission']//a/text()")
    switch = page.xpath("//nav[@aria-label='language']/a[@hreflang='en']/@href")
    assert len(switch) == 1
    assert "lang=en" in switch[0]
    assert "q=" in switch[0]


def test_json_by_accept_header_equals_json_by_parameter(demo_client: FlaskClient) -> None:
    by_parameter = demo_client.get("/datasets?q=ryugu&f=json").get_json()
    by_accept = demo_client.get("/datasets?q=ryugu", headers={"Accept": "application/json"})
    assert by_accept.mimetype == "application/json"
    body = by_accept.get_json()
    assert body["datasets"] == by_parameter["datasets"]
    assert body["facets"].keys() == by_parameter["facets"].keys()
    assert body["total"] == by_parameter["total"] > 0


def test_json_results_say_title_link_access_mission_and_coverage(demo_client: FlaskClient, demo: list[Record]) -> None:
    body = search(demo_client, limit="100", lang="ja")
    by_id = {r["id"]: r for r in demo}
    expected = visible(demo)
    assert body["total"] == len(expected)
    for item in body["datasets"]:
        record = by_id[item["id"]]
        assert item["url"] == landing(item["id"])
        assert item["title"] == record["title"].get("ja", record["title"].get("en"))
        assert item["access"] == str(expected[item["id"]])
        assert item["mission"] == record.get("mission")
        assert item["category"] == record["category"]
        temporal = record.get("temporal")
        if temporal is None:
            assert item["temporal"] is None
        else:
            assert item["temporal"]["start"] == temporal["start"][:10]
        if item["access"] == "restricted":
            assert item["until"] == record["access"]["until"][:10]
        else:
            assert item["until"] is None


def japanese_words(demo: list[Record]) -> list[str]:
    words = {word for r in demo if isinstance(r["title"], dict) for word in r["title"].get("ja", "").split()}
    return sorted(word for word in words if not word.isascii())


FILTERS: list[tuple[dict[str, str], Filters]] = [
    ({"q": "リュウグウ"}, Filters(text="リュウグウ")),
    ({"q": "ryugu ONC"}, Filters(text="ryugu ONC")),
    ({"q": "太陽"}, Filters(text="太陽")),
    ({"mission": "hinode"}, Filters(mission="hinode")),
    ({"mission": "no-such-mission"}, Filters(mission="no-such-mission")),
    ({"category": "simulation"}, Filters(category=Category.SIMULATION)),
    ({"category": "analysis", "q": "ryugu"}, Filters(text="ryugu", category=Category.ANALYSIS)),
    ({"access": "restricted"}, Filters(access=Visibility.RESTRICTED)),
    ({"access": "public", "mission": "xrism"}, Filters(access=Visibility.PUBLIC, mission="xrism")),
    ({"from": "2024-01-01"}, Filters(start=parse_time("2024-01-01"))),
    ({"to": "1995-12-31"}, Filters(end=parse_time("1995-12-31T23:59:59Z"))),
    (
        {"from": "2010-01-01", "to": "2010-12-31"},
        Filters(start=parse_time("2010-01-01"), end=parse_time("2010-12-31T23:59:59Z")),
    ),
]


@pytest.mark.parametrize(("arguments", "filters"), FILTERS, ids=[urlencode(a) for a, _ in FILTERS])
def test_each_filter_finds_what_the_policy_and_a_substring_test_say(
    demo_client: FlaskClient, demo: list[Record], arguments: dict[str, str], filters: Filters
) -> None:
    expected = brute_force(demo, filters, NOW)
    body = search(demo_client, **arguments, limit="100")
    assert {item["id"] for item in body["datasets"]} == set(expected)
    assert body["total"] == len(expected)
    facets = {name: {item["value"]: item["count"] for item in items} for name, items in body["facets"].items()}
    assert facets == expected_facets(demo, expected)


def test_filters_find_some_and_not_all(demo: list[Record]) -> None:
    sizes = [len(brute_force(demo, filters, NOW)) for _, filters in FILTERS]
    assert 0 in sizes
    assert all(size < len(visible(demo)) for size in sizes)
    assert max(sizes) > 10


def test_facet_links_refine_the_search_to_their_count(demo_client: FlaskClient) -> None:
    body = search(demo_client, q="hayabusa2")
    for name, items in body["facets"].items():
        assert items, name
        for item in items:
            refined = demo_client.get(item["href"]).get_json()
            assert refined["total"] == item["count"], item["href"]
            assert refined["query"][name] == item["value"]
            assert refined["query"]["q"] == "hayabusa2"


def test_paging_follows_signed_keyset_links_to_every_dataset_once(demo_client: FlaskClient, demo: list[Record]) -> None:
    ids, pages = follow(demo_client, limit="7")
    assert ids == sorted(visible(demo))
    assert pages == math.ceil(len(ids) / 7)
    japanese, _ = follow(demo_client, q="はやぶさ2", limit="3")
    assert japanese == sorted(brute_force(demo, Filters(text="はやぶさ2"), NOW))


def test_next_page_link_in_html_keeps_the_search(demo_client: FlaskClient) -> None:
    page = etree.HTML(demo_client.get("/datasets?q=ryugu&limit=2&lang=ja").get_data(as_text=True))
    [next_link] = page.xpath("//a[@rel='next']/@href")
    query = urlsplit(next_link).query
    assert {"q", "limit", "lang", "after"} <= set(parse_qs(query))
    assert parse_qs(query)["q"] == ["ryugu"]
    second = etree.HTML(demo_client.get(next_link).get_data(as_text=True))
    assert second.xpath("//a[@rel='first']/@href")
    assert second.xpath("//ol[@id='results']/li")


def forged_token() -> str:
    return str(URLSafeSerializer("another-secret", salt=finding.TOKEN_SALT).dumps("akari"))


BAD: list[tuple[str, str, str]] = [
    ("category=bogus", "category", "unknown category 'bogus'"),
    ("access=hidden", "access", "unknown access 'hidden'"),
    ("access=deleted", "access", "use public or restricted"),
    ("from=2020-13-01", "from", "not a date"),
    ("to=yesterday", "to", "not a date"),
    ("from=2021-01-01&to=2020-01-01", "from", "after to"),
    ("limit=0", "limit", "from 1 to 100"),
    ("limit=101", "limit", "from 1 to 100"),
    ("limit=ten", "limit", "not a whole number"),
    ("limit=" + "9" * 5000, "limit", "not a whole number"),
    ("limit=0007", "limit", "not a whole number"),
    ("limit=%EF%BC%91", "limit", "not a whole number"),
    ("after=garbage", "after", "not a page token"),
    (f"after={forged_token()}", "after", "not a page token"),
    ("q=a&q=b", "q", "more than once"),
    ("q=" + "x" * 501, "q", "longer than 500"),
    ("q=" + "+w" * 21, "q", "more than 20 words"),
    ("q=%00", "q", "control characters"),
    ("mission=" + "m" * 65, "mission", "not a mission id"),
]


@pytest.mark.parametrize(("query", "parameter", "reason"), BAD, ids=[b[0][:40] for b in BAD])
def test_bad_parameters_are_400_saying_which_and_why(
    demo_client: FlaskClient, query: str, parameter: str, reason: str
) -> None:
    response = demo_client.get(f"/datasets?{query}&f=json")
    assert response.status_code == 400
    body = response.get_json()
    assert body["parameter"] == parameter
    assert body["description"].startswith(f"{parameter}: ")
    assert reason in body["description"]
    html = demo_client.get(f"/datasets?{query}", headers={"Accept": "text/html"})
    assert html.status_code == 400
    page = etree.HTML(html.get_data(as_text=True))
    assert reason in page.xpath("string(//p[@role='alert'])")
    assert page.xpath("//form[@role='search']")


def test_empty_fields_of_a_submitted_form_are_no_filter(demo_client: FlaskClient, demo: list[Record]) -> None:
    body = search(demo_client, q="", mission="", category="", access="", **{"from": "", "to": ""})
    assert body["total"] == len(visible(demo))
    assert body["query"] == {}


QUERY_VALUES = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", " ", "%", "_", "\\", "'", '"', "--", "2020-02-30", "0", "-1", "1e3", "Ω", "\ud7ff", "\x7f"]),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    arguments=st.lists(st.tuples(st.sampled_from([*finding.PARAMETERS, "lang", "f", "x"]), QUERY_VALUES), max_size=4),
    accept=st.sampled_from(["application/json", "text/html", "*/*"]),
)
def test_no_query_string_gets_a_server_error(demo_app: Flask, arguments: list[tuple[str, str]], accept: str) -> None:
    query = urlencode(arguments)
    response = demo_app.test_client().get(f"/datasets?{query}", headers={"Accept": accept})
    assert response.status_code in (200, 400), (query, response.get_data(as_text=True)[:300])


def test_raw_undecodable_query_strings_are_no_server_error(demo_app: Flask) -> None:
    for raw in ("q=%ff%fe", "q=%ed%a0%80", "after=%00", "limit=%", "from=%zz", "q=%E3%81"):
        response = demo_app.test_client().get("/datasets", environ_overrides={"QUERY_STRING": raw})
        assert response.status_code in (200, 400), raw


def test_hidden_and_deleted_demo_datasets_are_never_found(demo_client: FlaskClient, demo: list[Record]) -> None:
    unseen = [
        r for r in demo if visibility_at(Dataset.from_dict(r), NOW) not in (Visibility.PUBLIC, Visibility.RESTRICTED)
    ]
    assert {visibility_at(Dataset.from_dict(r), NOW) for r in unseen} == {Visibility.HIDDEN, Visibility.DELETED}
    for record in unseen:
        for text in (record["id"], record["title"]["en"] if isinstance(record["title"], dict) else record["title"]):
            body = search(demo_client, q=text, limit="100")
            assert record["id"] not in {item["id"] for item in body["datasets"]}
    sitemap = demo_client.get("/sitemap.xml").get_data(as_text=True)
    assert not any(f"/datasets/{record['id']}<" in sitemap for record in unseen)


def test_the_clock_releases_a_restricted_demo_dataset_into_the_public_facet(
    demo_app: Flask, demo: list[Record]
) -> None:
    releasing = sorted(
        (moment, r["id"])
        for r in demo
        if (moment := release_moment(Dataset.from_dict(r).access)) is not None
        and moment > NOW
        and visibility_at(Dataset.from_dict(r), NOW) is Visibility.RESTRICTED
    )
    assert releasing, "the demo archive has a restricted dataset released by the clock"
    moment, dataset_id = releasing[0]
    client = demo_app.test_client()
    before = search(client, access="restricted", limit="100")
    assert dataset_id in {item["id"] for item in before["datasets"]}
    demo_app.extensions["catalog.clock"] = lambda: moment + timedelta(seconds=1)
    after = search(client, access="public", limit="100")
    assert dataset_id in {item["id"] for item in after["datasets"]}
    assert dataset_id not in {item["id"] for item in search(client, access="restricted", limit="100")["datasets"]}
    counts = {item["value"]: item["count"] for item in search(client)["facets"]["access"]}
    expected = visible(demo, moment + timedelta(seconds=1))
    assert counts == dict(expected_facets(demo, expected)["access"])


def sitemap_urls(document: bytes) -> dict[str, str]:
    root = etree.fromstring(document)
    URLSET.assertValid(root)
    return {url.findtext(f"{SITEMAP}loc", ""): url.findtext(f"{SITEMAP}lastmod", "") for url in root}


def test_sitemap_lists_exactly_the_findable_landing_pages_with_datestamps(demo_app: Flask, demo: list[Record]) -> None:
    response = demo_app.test_client().get("/sitemap.xml")
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    assert response.is_streamed
    urls = sitemap_urls(response.get_data())
    store: Store = demo_app.extensions["catalog.store"]
    expected = visible(demo)
    stored = store.datasets_by_id(list(expected))
    assert urls == {landing(i): format_time(s.datestamp(NOW)) for i, s in stored.items()}
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", lastmod) for lastmod in urls.values())


def test_sitemap_lastmod_moves_to_the_release_moment(demo_app: Flask, demo: list[Record]) -> None:
    released = [
        (moment, r["id"])
        for r in demo
        if (moment := release_moment(Dataset.from_dict(r).access)) is not None and moment > NOW
    ]
    moment, dataset_id = min(released)
    demo_app.extensions["catalog.clock"] = lambda: moment + timedelta(days=1)
    urls = sitemap_urls(demo_app.test_client().get("/sitemap.xml").get_data())
    assert urls[landing(dataset_id)] == format_time(ceil_second(moment))


def test_sitemap_index_splits_into_pages_of_the_limit(
    demo_app: Flask, demo: list[Record], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(finding, "SITEMAP_LIMIT", 10)
    monkeypatch.setattr(finding, "SITEMAP_BATCH", 3)
    store: Store = demo_app.extensions["catalog.store"]
    reads: list[int] = []
    listed = store.listed_datasets

    def counted(now: datetime, *, after: str | None = None, limit: int = 1000) -> Any:
        reads.append(limit)
        return listed(now, after=after, limit=limit)

    monkeypatch.setattr(store, "listed_datasets", counted)
    client = demo_app.test_client()
    index = etree.fromstring(client.get("/sitemap.xml").get_data())
    SITEINDEX.assertValid(index)
    expected = visible(demo)
    pages = math.ceil(len(expected) / 10)
    locations = [sitemap.findtext(f"{SITEMAP}loc") for sitemap in index]
    assert locations == [f"{BASE_URL}/sitemap-{n}.xml" for n in range(1, pages + 1)]
    seen: list[str] = []
    for location in locations:
        reads.clear()
        response = client.get(location)
        assert response.status_code == 200
        assert response.is_streamed
        urls = sitemap_urls(response.get_data())
        assert 0 < len(urls) <= 10
        assert reads
        assert max(reads) <= 3
        seen.extend(urls)
    assert sorted(seen) == sorted(landing(i) for i in expected)
    assert len(seen) == len(set(seen))
    for missing in (0, pages + 1, 10_000):
        assert client.get(f"/sitemap-{missing}.xml").status_code == 404


def test_sitemap_pages_do_not_exist_without_an_index(demo_client: FlaskClient) -> None:
    assert demo_client.get("/sitemap-1.xml").status_code == 404
    assert demo_client.get("/sitemap--1.xml").status_code == 404
    assert demo_client.get(f"/sitemap-{'9' * 5000}.xml").status_code == 404


def test_robots_allows_everything_and_names_the_sitemap(demo_client: FlaskClient) -> None:
    response = demo_client.get("/robots.txt")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    lines = response.get_data(as_text=True).splitlines()
    assert "User-agent: *" in lines
    assert f"Sitemap: {BASE_URL}/sitemap.xml" in lines
    assert not [line for line in lines if line.lower().startswith("disallow:") and line.split(":", 1)[1].strip()]


def test_home_page_lists_the_search_and_the_sitemap(demo_client: FlaskClient) -> None:
    hrefs = {e["href"] for e in demo_client.get("/?f=json").get_json()["endpoints"]}
    assert {f"{BASE_URL}/datasets", f"{BASE_URL}/sitemap.xml"} <= hrefs
