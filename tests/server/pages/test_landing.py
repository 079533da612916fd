"""Dataset landing pages over the demo archive: status by the policy, no download link where the policy forbids
one, every negotiated format parsed by its own parser, 406/400, odd requests, and a release by the clock."""

import hashlib
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
import rispy
from bibtexparser.entrypoint import parse_string as parse_bibtex
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree, html
from signposting import find_signposting_http_link
from werkzeug.test import TestResponse

from catalog.contract import is_local_reference
from catalog.policy import visibility_at
from catalog.records import Dataset
from catalog.vocab import Visibility
from crosswalks import citation, statements
from crosswalks.urls import DatasetUrls
from server.pages import landing
from tests.conftest import NOW, Clock, shared_path
from tests.server.pages.conftest import BASE_URL, DEMO_TODAY, demo_datasets

DATASETS = {d.id: d for d in demo_datasets(DEMO_TODAY)}
AT_NOW = {i: visibility_at(d, NOW) for i, d in DATASETS.items()}
STATUS = {Visibility.PUBLIC: 200, Visibility.RESTRICTED: 200, Visibility.DELETED: 410, Visibility.HIDDEN: 404}
SHOWN = [i for i, v in AT_NOW.items() if v is not Visibility.HIDDEN]
NO_LINKS = [i for i, v in AT_NOW.items() if v is not Visibility.PUBLIC]
DOCUMENTS = ("datacite.xml", "schema.jsonld", "citation.json", "citation.bib", "citation.ris", "linkset")
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


def first(visibility: Visibility, test: Callable[[Dataset], bool] = lambda _: True) -> str:
    """The first demo dataset in this state at NOW that passes `test`."""
    return next(i for i, d in DATASETS.items() if AT_NOW[i] is visibility and test(d))


PUBLIC = first(Visibility.PUBLIC, lambda d: d.doi is not None and bool(d.assets) and d.access.caveat is None)
CAVEATED = first(Visibility.PUBLIC, lambda d: d.access.caveat is not None)
RESTRICTED = first(Visibility.RESTRICTED, lambda d: d.access.release_schedule is not None)
DELETED = first(Visibility.DELETED, lambda d: d.lifecycle.reason is not None and d.doi is not None)
HIDDEN = first(Visibility.HIDDEN)
NO_DOI = first(Visibility.PUBLIC, lambda d: d.doi is None)
RELEASING = first(
    Visibility.RESTRICTED, lambda d: d.access.after.value == "release" and d.access.until is not None and bool(d.assets)
)


@pytest.fixture(scope="session")
def datacite_xsd() -> etree.XMLSchema:
    """The DataCite 4.7 schema from `../shared/schemas/` (fails, never skips, when it is missing)."""
    return etree.XMLSchema(etree.parse(str(shared_path("schemas", "datacite-4.7", "metadata.xsd"))))


def asset_hrefs(dataset_id: str) -> list[str]:
    return [a.href for a in DATASETS[dataset_id].assets]


def leaked(response: TestResponse, dataset_id: str) -> list[str]:
    """The dataset's asset URLs found anywhere in a response: its body or its headers."""
    text = response.get_data(as_text=True) + "\n" + "\n".join(f"{k}: {v}" for k, v in response.headers.items())
    return [href for href in asset_hrefs(dataset_id) if href in text]


def path(dataset_id: str, suffix: str = "") -> str:
    return f"/datasets/{quote(dataset_id, safe='')}{suffix}"


def negotiated(client: FlaskClient, dataset_id: str, accept: str, **query: str) -> TestResponse:
    target = path(dataset_id) + (f"?{urlencode(query)}" if query else "")
    return client.get(target, headers={"Accept": accept})


def test_the_demo_has_every_state_the_tests_need() -> None:
    assert {PUBLIC, CAVEATED, RESTRICTED, DELETED, HIDDEN, NO_DOI, RELEASING}
    assert len(SHOWN) > 80
    assert {AT_NOW[i] for i in NO_LINKS} == {Visibility.RESTRICTED, Visibility.DELETED, Visibility.HIDDEN}


@pytest.mark.parametrize("dataset_id", sorted(DATASETS))
def test_every_demo_dataset_answers_as_the_policy_says(demo_client: FlaskClient, dataset_id: str) -> None:
    expected = STATUS[AT_NOW[dataset_id]]
    page = demo_client.get(path(dataset_id))
    assert page.status_code == expected
    assert demo_client.head(path(dataset_id)).status_code == expected
    for document in DOCUMENTS:
        answer = demo_client.get(path(dataset_id, f"/{document}"))
        wanted = 404 if document == "datacite.xml" and DATASETS[dataset_id].doi is None else expected
        assert answer.status_code == wanted, document
    if expected == 404:
        never = demo_client.get(path("no-such-dataset"))
        assert page.get_data() == never.get_data()
        assert page.headers.get("Link") is None
        assert dataset_id not in page.get_data(as_text=True)
    else:
        assert page.mimetype == "text/html"
        title = statements.text_in(DATASETS[dataset_id].title, "en")
        assert str(html.fromstring(page.get_data(as_text=True)).findtext(".//h1")) == title


@pytest.mark.parametrize("dataset_id", sorted(NO_LINKS))
def test_no_download_link_for_data_the_public_may_not_use(demo_client: FlaskClient, dataset_id: str) -> None:
    responses = {"html": demo_client.get(path(dataset_id)), "head": demo_client.head(path(dataset_id))}
    for document in DOCUMENTS:
        responses[document] = demo_client.get(path(dataset_id, f"/{document}"))
    for media_type in landing.OFFERED:
        responses[media_type] = negotiated(demo_client, dataset_id, media_type)
    for name, response in responses.items():
        assert response.status_code in (200, 404, 406, 410), name
        assert leaked(response, dataset_id) == [], name
    page = responses["html"]
    if page.status_code != 404:
        tree = html.fromstring(page.get_data(as_text=True))
        assert tree.cssselect("a.download") == []
        assert "No download links are offered" in tree.text_content()


@pytest.mark.parametrize("dataset_id", sorted(i for i, v in AT_NOW.items() if v is Visibility.PUBLIC))
def test_public_data_shows_its_download_links(demo_client: FlaskClient, dataset_id: str) -> None:
    page = demo_client.get(path(dataset_id))
    links = {a.get("href") for a in html.fromstring(page.get_data(as_text=True)).cssselect("a.download")}
    assert links == set(asset_hrefs(dataset_id))


def parse(media_type: str, body: bytes, xsd: etree.XMLSchema) -> object:
    """Parse a representation with its own parser; fail the test on anything it does not accept."""
    text = body.decode("utf-8")
    if media_type == landing.DATACITE_XML:
        document = etree.fromstring(body)
        xsd.assertValid(document)
        return document
    if media_type in (landing.JSONLD, landing.SCHEMAORG_JSONLD):
        document = json.loads(text)
        assert document["@type"] == "Dataset"
        return document
    if media_type == landing.CSL_JSON:
        item = json.loads(text)
        assert item["title"]
        assert item["type"]
        return item
    if media_type == landing.BIBTEX:
        library = parse_bibtex(text)
        assert library.failed_blocks == []
        assert len(library.entries) == 1
        return library.entries[0]
    if media_type == landing.RIS:
        entries = rispy.loads(text)
        assert len(entries) == 1
        assert entries[0].get("title")
        return entries[0]
    if media_type == landing.BIBLIOGRAPHY:
        assert text.strip()
        return text
    assert media_type == landing.HTML
    tree = html.fromstring(text)
    scripts = tree.xpath("//script[@type='application/ld+json']")
    assert len(scripts) == 1
    return json.loads(scripts[0].text)


@pytest.mark.parametrize("dataset_id", sorted(SHOWN))
def test_every_negotiated_format_parses(
    demo_client: FlaskClient, dataset_id: str, datacite_xsd: etree.XMLSchema
) -> None:
    dataset = DATASETS[dataset_id]
    status = STATUS[AT_NOW[dataset_id]]
    for media_type in landing.OFFERED:
        response = negotiated(demo_client, dataset_id, media_type)
        if media_type == landing.DATACITE_XML and dataset.doi is None:
            assert response.status_code == 406
            assert landing.JSONLD in response.get_data(as_text=True)
            continue
        assert response.status_code == status, media_type
        assert response.mimetype == media_type
        assert "Accept" in response.vary
        assert "Accept-Language" in response.vary
        parse(media_type, response.get_data(), datacite_xsd)


@pytest.mark.parametrize("dataset_id", sorted(SHOWN))
def test_addressed_documents_match_negotiation(demo_client: FlaskClient, dataset_id: str) -> None:
    pairs = {
        "schema.jsonld": landing.JSONLD,
        "citation.json": landing.CSL_JSON,
        "citation.bib": landing.BIBTEX,
        "citation.ris": landing.RIS,
    }
    if DATASETS[dataset_id].doi is not None:
        pairs["datacite.xml"] = landing.DATACITE_XML
    for document, media_type in pairs.items():
        addressed = demo_client.get(path(dataset_id, f"/{document}"))
        assert addressed.mimetype == media_type
        assert addressed.get_data() == negotiated(demo_client, dataset_id, media_type).get_data()


def test_embedded_json_ld_is_the_json_ld_document(demo_client: FlaskClient) -> None:
    page = demo_client.get(path(PUBLIC))
    embedded = json.loads(
        html.fromstring(page.get_data(as_text=True)).xpath("//script[@type='application/ld+json']")[0].text
    )
    assert embedded == demo_client.get(path(PUBLIC, "/schema.jsonld")).get_json()


def test_script_json_cannot_close_the_script_element() -> None:
    document = {"name": "</script><script>alert(1)</script> & <!--"}
    text = str(landing._script_json(document))
    assert "</" not in text
    assert "<!--" not in text
    assert "&" not in text
    assert json.loads(text) == document


def test_a_browser_and_no_accept_header_get_the_page(demo_client: FlaskClient) -> None:
    for accept in (BROWSER_ACCEPT, "*/*", "text/*", "", "text/html;q=0.1, */*;q=0.01", "nonsense", ";;;"):
        response = demo_client.get(path(PUBLIC), headers={"Accept": accept} if accept else {})
        assert response.status_code == 200, accept
        assert response.mimetype == "text/html", accept


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        ("text/html;q=0.5, application/x-bibtex", landing.BIBTEX),
        ("application/x-bibtex;q=0.1, application/x-research-info-systems;q=0.9", landing.RIS),
        ("application/*", landing.DATACITE_XML),
        ("application/*;q=0.5, application/ld+json", landing.JSONLD),
        ("text/html;q=0, */*", landing.DATACITE_XML),
        ("application/vnd.schemaorg.ld+json", landing.SCHEMAORG_JSONLD),
        ("text/x-bibliography, text/html;q=0.9", landing.BIBLIOGRAPHY),
        ("APPLICATION/X-BIBTEX", landing.BIBTEX),
    ],
)
def test_negotiation_honours_q_values(demo_client: FlaskClient, accept: str, chosen: str) -> None:
    response = negotiated(demo_client, PUBLIC, accept)
    assert response.status_code == 200
    assert response.mimetype == chosen


@pytest.mark.parametrize(
    "accept",
    ["image/png", "application/json", "text/plain", "application/xml", "text/html;q=0", "*/*;q=0", "foo/bar"],
)
def test_anything_else_is_not_acceptable_and_says_what_is(demo_client: FlaskClient, accept: str) -> None:
    response = negotiated(demo_client, PUBLIC, accept)
    assert response.status_code == 406
    body = response.get_data(as_text=True)
    assert all(media_type in body for media_type in landing.OFFERED)
    assert "Accept" in response.vary


def test_a_dataset_without_doi_has_no_datacite_record(demo_client: FlaskClient) -> None:
    response = demo_client.get(path(NO_DOI, "/datacite.xml"), headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert "has no DOI" in response.get_json()["description"]
    page = html.fromstring(demo_client.get(path(NO_DOI)).get_data(as_text=True))
    assert page.cssselect("a.datacite") == []


def test_formatted_citations_take_style_and_locale_from_accept_or_query(demo_client: FlaskClient) -> None:
    doi = DATASETS[PUBLIC].doi
    assert doi is not None
    for style in sorted(citation.STYLES):
        response = negotiated(demo_client, PUBLIC, f"text/x-bibliography; style={style}; locale=en-US")
        assert response.status_code == 200, style
        assert doi.lower() in response.get_data(as_text=True).lower(), style
    by_accept = negotiated(demo_client, PUBLIC, "text/x-bibliography; style=ieee; locale=ja-JP").get_data()
    by_query = negotiated(demo_client, PUBLIC, "text/x-bibliography", style="ieee", locale="ja-JP").get_data()
    assert by_accept == by_query
    default = negotiated(demo_client, PUBLIC, "text/x-bibliography").get_data()
    assert default == negotiated(demo_client, PUBLIC, "text/x-bibliography; style=apa; locale=en-US").get_data()
    assert by_accept != default


@pytest.mark.parametrize(
    ("accept", "query", "accepted"),
    [
        ("text/x-bibliography; style=no-such-style", {}, citation.STYLES),
        ("text/x-bibliography; locale=xx-XX", {}, citation.LOCALES),
        ("text/x-bibliography", {"style": "no-such-style"}, citation.STYLES),
        ("text/html", {"style": "no-such-style"}, citation.STYLES),
        ("text/html", {"locale": "xx-XX"}, citation.LOCALES),
    ],
)
def test_an_unknown_style_or_locale_is_a_bad_request(
    demo_client: FlaskClient, accept: str, query: dict[str, str], accepted: object
) -> None:
    response = negotiated(demo_client, PUBLIC, accept, **query)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "apa" in body if accepted is citation.STYLES else "en-US" in body


def test_the_page_says_what_the_policy_says_of_public_data(demo_client: FlaskClient) -> None:
    dataset = DATASETS[PUBLIC]
    tree = html.fromstring(demo_client.get(path(PUBLIC)).get_data(as_text=True))
    text = tree.text_content()
    assert tree.cssselect("section.access.public")
    for expected in ("ISAS/JAXA", "宇宙航空研究開発機構・宇宙科学研究所", "Government of Japan Standard Terms of Use"):
        assert expected in text
    assert statements.MODIFICATION_DUTY["en"] in text
    assert f"https://doi.org/{dataset.doi}" in {a.get("href") for a in tree.iter("a")}
    hrefs = {a.get("href") for a in tree.iter("a")}
    urls = DatasetUrls.of(BASE_URL, PUBLIC, repository_identifier="darts.isas.jaxa.jp")
    assert {urls.bibtex, urls.ris, urls.csl, urls.datacite, urls.jsonld} <= hrefs
    assert tree.cssselect("#citation")[0].text_content().strip()
    for creator in dataset.creators:
        assert creator.name in text
        if creator.orcid:
            assert any(h and h.endswith(creator.orcid.rsplit("/", 1)[-1]) for h in hrefs)
    for instrument in dataset.instruments:
        assert instrument in text
    assert not tree.cssselect(".caveat")


def test_extra_credits_and_third_party_restrictions_are_shown(demo_client: FlaskClient) -> None:
    credited = first(Visibility.PUBLIC, lambda d: bool(d.rights.credit))
    text = html.fromstring(demo_client.get(path(credited)).get_data(as_text=True)).text_content()
    assert all(credit in text for credit in DATASETS[credited].rights.credit)
    limited = [i for i in SHOWN if DATASETS[i].rights.restrictions]
    for dataset_id in limited:
        restrictions = DATASETS[dataset_id].rights.restrictions
        assert restrictions is not None
        page = demo_client.get(path(dataset_id)).get_data(as_text=True)
        assert statements.text_in(restrictions, "en") in html.fromstring(page).text_content()


def test_a_caveat_is_a_banner(demo_client: FlaskClient) -> None:
    caveat = DATASETS[CAVEATED].access.caveat
    assert caveat is not None
    banner = html.fromstring(demo_client.get(path(CAVEATED)).get_data(as_text=True)).cssselect(".banner.caveat")
    assert len(banner) == 1
    assert statements.text_in(caveat, "en") in banner[0].text_content()
    assert "Accuracy not guaranteed" in banner[0].text_content()


def test_restricted_data_shows_reason_scope_deadline_and_schedule(demo_client: FlaskClient) -> None:
    dataset = DATASETS[RESTRICTED]
    access = dataset.access
    assert access.reason is not None
    assert access.until is not None
    assert access.release_schedule is not None
    tree = html.fromstring(demo_client.get(path(RESTRICTED)).get_data(as_text=True))
    box = tree.cssselect("section.access.restricted")[0].text_content()
    assert statements.REASONS[access.reason]["en"] in box
    assert str(access.scope) in box
    assert access.until.date().isoformat() in box
    assert statements.text_in(access.release_schedule, "en") in box
    assert tree.cssselect("a.download") == []


def test_a_withdrawn_dataset_is_a_tombstone(demo_client: FlaskClient) -> None:
    dataset = DATASETS[DELETED]
    response = demo_client.get(path(DELETED))
    assert response.status_code == 410
    tree = html.fromstring(response.get_data(as_text=True))
    box = tree.cssselect("section.access.deleted")[0].text_content()
    assert dataset.lifecycle.discarded is not None
    assert dataset.lifecycle.reason is not None
    assert dataset.lifecycle.discarded.date().isoformat() in box
    assert statements.text_in(dataset.lifecycle.reason, "en") in box
    assert f"https://doi.org/{dataset.doi}" in {a.get("href") for a in tree.iter("a")}
    assert tree.findtext(".//h1") == statements.text_in(dataset.title, "en")


def test_the_page_speaks_japanese(demo_client: FlaskClient) -> None:
    dataset = DATASETS[RESTRICTED]
    assert dataset.access.reason is not None
    for response in (
        demo_client.get(path(RESTRICTED), headers={"Accept-Language": "ja,en;q=0.5"}),
        demo_client.get(path(RESTRICTED) + "?lang=ja"),
    ):
        tree = html.fromstring(response.get_data(as_text=True))
        assert tree.get("lang") == "ja"
        assert tree.findtext(".//h1") == statements.text_in(dataset.title, "ja")
        text = tree.text_content()
        assert statements.REASONS[dataset.access.reason]["ja"] in text
        assert "宇宙航空研究開発機構・宇宙科学研究所" in text
        assert statements.MODIFICATION_DUTY["ja"] in text
    english = demo_client.get(path(RESTRICTED), headers={"Accept-Language": "en"})
    assert html.fromstring(english.get_data(as_text=True)).get("lang") == "en"


def test_related_datasets_link_to_their_landing_pages_and_hidden_ones_are_never_named(
    demo_client: FlaskClient,
) -> None:
    linked = 0
    for dataset_id in SHOWN:
        dataset = DATASETS[dataset_id]
        local = [r.target for r in dataset.related if is_local_reference(r.target)]
        if not local:
            continue
        page = demo_client.get(path(dataset_id)).get_data(as_text=True)
        hrefs = {a.get("href") for a in html.fromstring(page).cssselect("a.related-dataset")}
        for target in local:
            if AT_NOW.get(target, Visibility.HIDDEN) is Visibility.HIDDEN:
                assert target not in page
            else:
                assert f"{BASE_URL}/datasets/{target}" in hrefs
                linked += 1
    assert linked > 0


def test_signposting_headers_parse_with_a_signposting_client(demo_client: FlaskClient) -> None:
    dataset = DATASETS[PUBLIC]
    response = demo_client.head(path(PUBLIC))
    signposts = find_signposting_http_link(response.headers.getlist("Link"), baseurl=BASE_URL + "/")
    assert signposts.citeAs is not None
    assert str(signposts.citeAs.target) == f"https://doi.org/{dataset.doi}"
    described = {str(s.type): str(s.target) for s in signposts.describedBy}
    urls = DatasetUrls.of(BASE_URL, PUBLIC, repository_identifier="darts.isas.jaxa.jp")
    assert described.get("application/ld+json") == urls.jsonld
    assert {str(s.target) for s in signposts.items} <= set(asset_hrefs(PUBLIC))
    assert signposts.license is not None
    for dataset_id in (RESTRICTED, DELETED):
        headers = demo_client.head(path(dataset_id)).headers.getlist("Link")
        assert list(find_signposting_http_link(headers, baseurl=BASE_URL + "/").items) == []


def test_the_linkset_is_linkset_json_anchored_at_the_landing_page(demo_client: FlaskClient) -> None:
    response = demo_client.get(path(PUBLIC, "/linkset"))
    assert response.mimetype == "application/linkset+json"
    document = json.loads(response.get_data(as_text=True))
    anchors = {entry["anchor"] for entry in document["linkset"]}
    assert f"{BASE_URL}/datasets/{PUBLIC}" in anchors


def test_the_stac_collection_is_linked_and_resolves(demo_client: FlaskClient) -> None:
    page = demo_client.get(path(PUBLIC)).get_data(as_text=True)
    links = html.fromstring(page).cssselect("a.stac")
    assert len(links) == 1
    href = links[0].get("href")
    assert href == f"{BASE_URL}/stac/collections/{PUBLIC}"
    collection = demo_client.get(href.removeprefix(BASE_URL))
    assert collection.status_code == 200
    assert collection.get_json()["id"] == PUBLIC
    tombstone = demo_client.get(path(DELETED)).get_data(as_text=True)
    assert html.fromstring(tombstone).cssselect("a.stac") == []


ODD_IDS = st.one_of(
    st.sampled_from(["", ".", "..", "%", "%00", "a/b", "hyb2-onc-l2b/", "HYB2-ONC-L2B", "x" * 5000, "\x00", "😀"]),
    st.text(max_size=40),
)
ODD_ACCEPT = st.one_of(
    st.sampled_from(
        [
            "text/x-bibliography; style=",
            "text/x-bibliography; style=apa; locale=",
            'text/x-bibliography; style="apa"; locale="ja-JP"',
            "text/x-bibliography;q=abc",
            "*/*;q=-1",
            "*/*;q=2",
            "/",
            ";;;",
            "text/html;;q=0.5",
            "application/x-bibtex, text/html;q=1.0, */*;q=0",
        ]
    ),
    st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=60),
)
ODD_QUERY = st.dictionaries(
    st.sampled_from(["style", "locale", "lang", "f", "x"]), st.text(max_size=20), max_size=3
).map(urlencode)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    dataset_id=st.one_of(st.sampled_from([PUBLIC, RESTRICTED, DELETED, HIDDEN, NO_DOI]), ODD_IDS),
    suffix=st.sampled_from(["", "/", *(f"/{d}" for d in DOCUMENTS), "/nothing"]),
    accept=ODD_ACCEPT,
    query=ODD_QUERY,
    method=st.sampled_from(["GET", "HEAD", "POST"]),
)
def test_no_id_accept_or_query_gets_a_server_error(
    demo_client: FlaskClient, dataset_id: str, suffix: str, accept: str, query: str, method: str
) -> None:
    raw = f"/datasets/{dataset_id}{suffix}".encode("utf-8", "surrogatepass").decode("latin-1")
    response = demo_client.open(
        "/", method=method, headers={"Accept": accept}, environ_overrides={"PATH_INFO": raw, "QUERY_STRING": query}
    )
    assert response.status_code < 500, (dataset_id, suffix, accept, query, response.get_data(as_text=True)[:300])
    if dataset_id in NO_LINKS:
        assert leaked(response, dataset_id) == []


@pytest.fixture
def moving_clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def demo_clock(moving_clock: Clock) -> Callable[[], datetime]:
    return moving_clock


def digest(database: Path) -> str:
    return hashlib.sha256(database.read_bytes()).hexdigest()


@pytest.fixture
def database_file(demo_app: Flask) -> Path:
    url = str(demo_app.config["DATABASE_URL"])
    return Path(url.removeprefix("sqlite:///"))


def test_a_release_by_the_clock_shows_download_links_without_a_write(
    demo_client: FlaskClient, moving_clock: Clock, database_file: Path
) -> None:
    dataset = DATASETS[RELEASING]
    assert dataset.access.until is not None
    before = digest(database_file)
    restricted = demo_client.get(path(RELEASING))
    assert restricted.status_code == 200
    assert leaked(restricted, RELEASING) == []
    assert html.fromstring(restricted.get_data(as_text=True)).cssselect("section.access.restricted")
    moving_clock.now = dataset.access.until + timedelta(seconds=2)
    released = demo_client.get(path(RELEASING))
    assert released.status_code == 200
    tree = html.fromstring(released.get_data(as_text=True))
    assert tree.cssselect("section.access.public")
    assert {a.get("href") for a in tree.cssselect("a.download")} == set(asset_hrefs(RELEASING))
    assert digest(database_file) == before


def test_the_page_names_creators_with_orcid_links_coverage_and_version(demo_client: FlaskClient) -> None:
    checked = 0
    for dataset_id in SHOWN:
        dataset = DATASETS[dataset_id]
        if not any(c.orcid for c in dataset.creators):
            continue
        tree = html.fromstring(demo_client.get(path(dataset_id)).get_data(as_text=True))
        orcids = {a.get("href") for a in tree.cssselect("dd.creators a.orcid")}
        assert orcids == {f"https://orcid.org/{c.orcid}" for c in dataset.creators if c.orcid}
        if dataset.temporal is not None:
            assert dataset.temporal.start.date().isoformat() in tree.cssselect("dd.coverage")[0].text_content()
        if dataset.version is not None:
            assert tree.cssselect("dd.version")[0].text_content() == dataset.version
        checked += 1
    assert checked > 0


@pytest.mark.parametrize("dataset_id", [PUBLIC, RESTRICTED, DELETED])
def test_the_page_needs_no_javascript(demo_client: FlaskClient, dataset_id: str) -> None:
    tree = html.fromstring(demo_client.get(path(dataset_id)).get_data(as_text=True))
    scripts = tree.xpath("//script")
    assert [s.get("type") for s in scripts] == ["application/ld+json"]
    assert not any(name.startswith("on") for element in tree.iter() for name in element.attrib)
