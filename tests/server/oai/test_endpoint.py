"""The `/oai` endpoint end to end over the Flask test client, every response validated against the driver XSD."""

import gzip
import json
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from sqlalchemy import event
from werkzeug.test import TestResponse

from catalog.demo import demo_records
from catalog.policy import visibility_at
from catalog.records import Dataset
from catalog.store import migrate
from catalog.vocab import Visibility
from harvest.loader import Line, load_files, load_lines
from server import create_app
from server.oai.protocol import VERBS
from tests.conftest import NOW, Clock, shared_path

OAI = "http://www.openarchives.org/OAI/2.0/"
NS = {
    "o": OAI,
    "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "id": "http://www.openarchives.org/OAI/2.0/oai-identifier",
}
REPOSITORY = "darts.isas.jaxa.jp"
UNDISCLOSED = "ss-520-x-hk"
PAGE_SIZE = 3
Pairs = Sequence[tuple[str, str]]

DRIVER = etree.XMLSchema(etree.parse(str(shared_path("schemas", "oai-pmh-driver.xsd"))))
SEEN: list[tuple[str, bytes]] = []
"""Every (request, body) this module produced, searched for the undisclosed dataset at the end."""


def oai_id(dataset_id: str) -> str:
    return f"oai:{REPOSITORY}:{dataset_id}"


def body_of(response: TestResponse) -> bytes:
    data = response.get_data()
    return gzip.decompress(data) if response.headers.get("Content-Encoding") == "gzip" else data


def valid(request: str, response: TestResponse) -> etree._Element:
    """Check the status and the schema; remember the body; return the parsed root."""
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "text/xml"
    body = body_of(response)
    SEEN.append((request, body))
    root = etree.fromstring(body)
    DRIVER.assertValid(root)
    return root


def pairs_of(args: Mapping[str, str | Sequence[str]]) -> list[tuple[str, str]]:
    return [(k, v) for k, values in args.items() for v in ([values] if isinstance(values, str) else values)]


def oai(client: FlaskClient, **args: str | Sequence[str]) -> etree._Element:
    """GET /oai with the arguments (a sequence repeats one); return the validated root."""
    query = urlencode(pairs_of(args))
    return valid(query, client.get(f"/oai?{query}"))


def oai_post(client: FlaskClient, **args: str | Sequence[str]) -> etree._Element:
    pairs = pairs_of(args)
    response = client.post("/oai", data=urlencode(pairs), content_type="application/x-www-form-urlencoded")
    return valid(urlencode(pairs), response)


def text(root: etree._Element, path: str) -> str:
    found = root.xpath(f"string({path})", namespaces=NS)
    assert isinstance(found, str)
    return found


def nodes(root: etree._Element, path: str) -> list[etree._Element]:
    found = root.xpath(path, namespaces=NS)
    assert isinstance(found, list)
    return [n for n in found if isinstance(n, etree._Element)]


def error_code(root: etree._Element) -> str | None:
    errors = nodes(root, "o:error")
    return errors[0].get("code") if errors else None


def without_response_date(root: etree._Element) -> bytes:
    for date in nodes(root, "o:responseDate"):
        root.remove(date)
    return etree.tostring(root)


def parse_datestamp(value: str) -> datetime:
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def walk(client: FlaskClient, verb: str, **args: str) -> tuple[list[etree._Element], list[etree._Element]]:
    """Follow resumption tokens to the end; return every page's root and every item, checking cursors."""
    items = f"o:{verb}/o:header | o:{verb}/o:record/o:header | o:{verb}/o:set"
    pages = [oai(client, verb=verb, **args)]
    headers = nodes(pages[0], items)
    seen = len(headers)
    while True:
        tokens = nodes(pages[-1], f"o:{verb}/o:resumptionToken")
        if not tokens:
            break
        token = tokens[0]
        assert int(token.get("cursor", "-1")) == seen - len(nodes(pages[-1], items))
        if not token.text:
            assert int(token.get("completeListSize", "-1")) == seen
            assert token.get("expirationDate") is None
            break
        response_date = parse_datestamp(text(pages[-1], "o:responseDate"))
        assert parse_datestamp(token.get("expirationDate", "")) >= response_date + timedelta(hours=24)
        pages.append(oai(client, verb=verb, resumptionToken=token.text))
        page_headers = nodes(pages[-1], items)
        headers += page_headers
        seen += len(page_headers)
    return pages, headers


def identifiers(headers: Sequence[etree._Element]) -> dict[str, bool]:
    """Identifier → deleted, checking that none repeats."""
    found = {text(h, "o:identifier"): h.get("status") == "deleted" for h in headers}
    assert len(found) == len(headers)
    return found


def make_app(tmp_path: Path, clock: Clock, name: str, page_size: int) -> Flask:
    url = f"sqlite:///{tmp_path / name}"
    migrate(url)
    return create_app(
        {
            "TESTING": True,
            "DATABASE_URL": url,
            "CLOCK": clock,
            "BASE_URL": "http://catalog.test",
            "OAI_PAGE_SIZE": page_size,
        }
    )


@pytest.fixture(scope="module", autouse=True)
def nothing_undisclosed_anywhere() -> Iterator[None]:
    """No response of this module names the undisclosed dataset, unless its request did."""
    SEEN.clear()
    yield
    assert SEEN
    leaks = [request for request, body in SEEN if UNDISCLOSED not in request and UNDISCLOSED.encode() in body]
    assert not leaks


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def app(tmp_path: Path, examples_path: Path, clock: Clock) -> Iterator[Flask]:
    """The shared examples at page size 3, the clock movable."""
    app = make_app(tmp_path, clock, "examples.sqlite", PAGE_SIZE)
    load_files(app.extensions["catalog.store"], [examples_path], now=NOW)
    yield app
    app.extensions["catalog.store"].dispose()


DEMO = list(demo_records(granules=0, today=NOW.date()))
DEMO_DATASETS = [Dataset.from_dict(r) for r in DEMO if r["type"] == "dataset"]


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[FlaskClient]:
    """The demo archive (no granules) at page size 7, the clock at NOW."""
    app = make_app(tmp_path, Clock(NOW), "demo.sqlite", 7)
    lines = [Line("demo", n, json.dumps(r)) for n, r in enumerate(DEMO, 1)]
    load_lines(app.extensions["catalog.store"], lines, now=NOW)
    yield app.test_client()
    app.extensions["catalog.store"].dispose()


LISTED_EXAMPLES = {
    oai_id("hyb2-onc-l2b"): False,
    oai_id("hyb2-onc-raw"): False,
    oai_id("xrism-resolve-obs"): False,
    oai_id("vco-lir-l3-beta"): False,
    oai_id("ryugu-shape-v1"): True,
}


ERRORS: list[tuple[str, dict[str, str | list[str]], str]] = [
    ("no verb", {}, "badVerb"),
    ("unknown verb", {"verb": "ListEverything"}, "badVerb"),
    ("repeated verb", {"verb": ["Identify", "Identify"]}, "badVerb"),
    ("illegal argument", {"verb": "Identify", "metadataPrefix": "oai_dc"}, "badArgument"),
    ("missing metadataPrefix", {"verb": "ListRecords"}, "badArgument"),
    ("missing identifier", {"verb": "GetRecord", "metadataPrefix": "oai_dc"}, "badArgument"),
    ("repeated argument", {"verb": "ListIdentifiers", "metadataPrefix": ["oai_dc", "datacite"]}, "badArgument"),
    ("malformed from", {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2026-13-01"}, "badArgument"),
    (
        "time without Z",
        {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2026-11-21T12:00:00"},
        "badArgument",
    ),
    (
        "mixed granularity",
        {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2026-01-01", "until": "2026-12-01T00:00:00Z"},
        "badArgument",
    ),
    (
        "from after until",
        {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "from": "2026-02-01", "until": "2026-01-01"},
        "badArgument",
    ),
    ("token with others", {"verb": "ListRecords", "metadataPrefix": "oai_dc", "resumptionToken": "x"}, "badArgument"),
    ("malformed set", {"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "mission::"}, "badArgument"),
    (
        "malformed metadataPrefix",
        {"verb": "ListIdentifiers", "metadataPrefix": "2026-11-21T12:00:00Z"},
        "badArgument",
    ),
    ("garbage token", {"verb": "ListRecords", "resumptionToken": "not-a-token"}, "badResumptionToken"),
    (
        "garbage ListSets token",
        {"verb": "ListSets", "resumptionToken": "eyJ2IjoiTGlzdFNldHMifQ.x.y"},
        "badResumptionToken",
    ),
    (
        "control character",
        {"verb": "GetRecord", "identifier": oai_id("hyb2\x01"), "metadataPrefix": "oai_dc"},
        "badArgument",
    ),
    ("unknown format", {"verb": "ListRecords", "metadataPrefix": "marc21"}, "cannotDisseminateFormat"),
    (
        "DataCite without DOI",
        {"verb": "GetRecord", "identifier": oai_id("xrism-resolve-obs"), "metadataPrefix": "oai_datacite"},
        "cannotDisseminateFormat",
    ),
    (
        "never existing id",
        {"verb": "GetRecord", "identifier": oai_id("no-such-dataset"), "metadataPrefix": "oai_dc"},
        "idDoesNotExist",
    ),
    (
        "foreign id",
        {"verb": "GetRecord", "identifier": "oai:elsewhere:x", "metadataPrefix": "oai_dc"},
        "idDoesNotExist",
    ),
    ("unknown id for formats", {"verb": "ListMetadataFormats", "identifier": oai_id("nope")}, "idDoesNotExist"),
    ("future from", {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2099-01-01"}, "noRecordsMatch"),
    (
        "empty set",
        {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "set": "mission:bepicolombo"},
        "noRecordsMatch",
    ),
]


@pytest.mark.parametrize(("args", "code"), [pytest.param(a, c, id=name) for name, a, c in ERRORS])
def test_every_error_code_with_http_200_and_the_echo_rules(
    client: FlaskClient, args: dict[str, str | list[str]], code: str
) -> None:
    for root in (oai(client, **args), oai_post(client, **args)):
        assert error_code(root) == code
        request = nodes(root, "o:request")[0]
        assert request.text == "http://catalog.test/oai"
        if code in {"badVerb", "badArgument"}:
            assert dict(request.attrib) == {}
        else:
            assert dict(request.attrib) == args


def test_the_error_table_covers_every_code_but_the_two_that_cannot_occur() -> None:
    """noSetHierarchy: sets are supported; noMetadataFormats: oai_dc describes every dataset."""
    from server.oai.protocol import OAI_ERRORS

    assert set(OAI_ERRORS) - {code for _, _, code in ERRORS} == {"noSetHierarchy", "noMetadataFormats"}


def test_no_metadata_formats_never_happens_for_a_listed_dataset(client: FlaskClient) -> None:
    for dataset_id, deleted in LISTED_EXAMPLES.items():
        root = oai(client, verb="ListMetadataFormats", identifier=dataset_id)
        assert error_code(root) is None, deleted
        assert "oai_dc" in [text(f, "o:metadataPrefix") for f in nodes(root, "//o:metadataFormat")]


def test_an_undisclosed_id_is_answered_like_one_that_never_existed(client: FlaskClient) -> None:
    for verb, extra in (("GetRecord", {"metadataPrefix": "oai_dc"}), ("ListMetadataFormats", {})):
        hidden = oai(client, verb=verb, identifier=oai_id(UNDISCLOSED), **extra)
        never = oai(client, verb=verb, identifier=oai_id("zz-520-x-hk"), **extra)
        assert error_code(hidden) == error_code(never) == "idDoesNotExist"
        assert text(hidden, "o:error").replace(UNDISCLOSED, "X") == text(never, "o:error").replace("zz-520-x-hk", "X")


@pytest.mark.parametrize(
    "args",
    [
        {"verb": "Identify"},
        {"verb": "ListMetadataFormats"},
        {"verb": "ListSets"},
        {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"},
        {"verb": "ListRecords", "metadataPrefix": "datacite", "set": "mission:hayabusa2"},
        {"verb": "GetRecord", "identifier": oai_id("hyb2-onc-l2b"), "metadataPrefix": "oai_datacite"},
    ],
    ids=lambda args: args["verb"],
)
def test_get_and_post_give_the_same_answer(client: FlaskClient, args: dict[str, str]) -> None:
    got = oai(client, **args)
    posted = oai_post(client, **args)
    assert error_code(got) is None
    assert without_response_date(got) == without_response_date(posted)


def test_identify(client: FlaskClient) -> None:
    root = oai(client, verb="Identify")
    assert text(root, "o:responseDate") == "2026-11-21T12:00:00Z"
    identify = nodes(root, "o:Identify")[0]
    assert text(identify, "o:baseURL") == "http://catalog.test/oai"
    assert text(identify, "o:protocolVersion") == "2.0"
    assert text(identify, "o:deletedRecord") == "persistent"
    assert text(identify, "o:granularity") == "YYYY-MM-DDThh:mm:ssZ"
    assert text(identify, "o:adminEmail") == "archive-admin@darts.isas.jaxa.jp"
    assert [c.text for c in nodes(identify, "o:compression")] == ["gzip"]
    assert text(identify, "o:description/id:oai-identifier/id:repositoryIdentifier") == REPOSITORY
    assert text(identify, "o:description/id:oai-identifier/id:sampleIdentifier") == oai_id("hyb2-onc-l2b")
    _, headers = walk(client, "ListIdentifiers", metadataPrefix="oai_dc")
    earliest = min(parse_datestamp(text(h, "o:datestamp")) for h in headers)
    assert parse_datestamp(text(identify, "o:earliestDatestamp")) == earliest


def test_identify_compression_gzip_is_honoured(client: FlaskClient) -> None:
    for args in ({"verb": "Identify"}, {"verb": "ListRecords", "metadataPrefix": "oai_dc"}, {"verb": "Bogus"}):
        response = client.get("/oai", query_string=args, headers={"Accept-Encoding": "gzip"})
        assert response.headers["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in response.headers["Vary"]
        assert response.get_data()[:2] == b"\x1f\x8b"
        valid(urlencode(args), response)
        plain = client.get("/oai", query_string=args)
        assert "Content-Encoding" not in plain.headers
        assert without_response_date(etree.fromstring(body_of(response))) == without_response_date(
            valid(urlencode(args), plain)
        )


def test_responses_stream(client: FlaskClient) -> None:
    for args in ({"verb": "ListRecords", "metadataPrefix": "oai_dc"}, {"verb": "Identify"}):
        response = client.get("/oai", query_string=args)
        assert response.is_streamed
        valid(urlencode(args), response)


def test_a_verb_reads_the_store_on_one_connection(app: Flask, client: FlaskClient) -> None:
    """A first ListIdentifiers page counts, pages and reads set memberships; a GetRecord reads the dataset and its
    related datasets: each on one connection from the pool."""
    checkouts: list[object] = []
    event.listen(app.extensions["catalog.store"].engine, "checkout", lambda *_: checkouts.append(_))
    root = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    assert nodes(root, "//o:header")
    assert nodes(root, "//o:resumptionToken")
    assert len(checkouts) == 1
    identifier = text(nodes(root, "//o:header")[0], "o:identifier")
    oai(client, verb="GetRecord", metadataPrefix="oai_dc", identifier=identifier)
    assert len(checkouts) == 2


def test_list_metadata_formats(client: FlaskClient) -> None:
    def prefixes(root: etree._Element) -> list[str]:
        return [text(f, "o:metadataPrefix") for f in nodes(root, "o:ListMetadataFormats/o:metadataFormat")]

    everything = oai(client, verb="ListMetadataFormats")
    assert prefixes(everything) == ["oai_dc", "oai_datacite", "datacite"]
    for f in nodes(everything, "//o:metadataFormat"):
        assert text(f, "o:schema").startswith("http")
        assert text(f, "o:metadataNamespace").startswith("http")
    assert prefixes(oai(client, verb="ListMetadataFormats", identifier=oai_id("hyb2-onc-l2b"))) == [
        "oai_dc",
        "oai_datacite",
        "datacite",
    ]
    assert prefixes(oai(client, verb="ListMetadataFormats", identifier=oai_id("xrism-resolve-obs"))) == ["oai_dc"]


def test_list_sets_pages_with_names_and_bilingual_descriptions(client: FlaskClient) -> None:
    pages, _ = walk(client, "ListSets")
    assert len(pages) > 1
    sets = [s for page in pages for s in nodes(page, "o:ListSets/o:set")]
    assert all(len(nodes(page, "o:ListSets/o:set")) <= PAGE_SIZE for page in pages)
    tokens = [nodes(page, "o:ListSets/o:resumptionToken")[0] for page in pages]
    assert [int(t.get("cursor", "-1")) for t in tokens] == [PAGE_SIZE * i for i in range(len(pages))]
    assert {t.get("completeListSize") for t in tokens} == {str(len(sets))}
    assert tokens[-1].text is None
    specs = [text(s, "o:setSpec") for s in sets]
    assert specs == sorted(set(specs))
    assert {
        "access:open",
        "access:restricted",
        "openaire_data",
        "mission:hayabusa2",
        "mission:hayabusa2:onc-t",
        "category:observation",
        "category:source",
    } <= set(specs)
    assert "category:engineering" not in specs
    for s in sets:
        assert text(s, "o:setName")
        languages = {d.get("{http://www.w3.org/XML/1998/namespace}lang") for d in nodes(s, ".//dc:description")}
        assert languages == {"en", "ja"}


@pytest.mark.parametrize("verb", ["ListRecords", "ListIdentifiers"])
def test_resumption_tokens_to_the_end(client: FlaskClient, verb: str) -> None:
    pages, headers = walk(client, verb, metadataPrefix="oai_dc")
    assert len(pages) == 2
    assert identifiers(headers) == LISTED_EXAMPLES
    first, last = (nodes(p, f"o:{verb}/o:resumptionToken")[0] for p in pages)
    assert (first.get("cursor"), first.get("completeListSize")) == ("0", "5")
    assert first.text
    assert (last.get("cursor"), last.get("completeListSize"), last.text) == ("3", "5", None)
    if verb == "ListRecords":
        records = [r for p in pages for r in nodes(p, "o:ListRecords/o:record")]
        for r in records:
            assert bool(nodes(r, "o:metadata/oai_dc:dc")) != (nodes(r, "o:header")[0].get("status") == "deleted")


def test_no_token_when_everything_fits_on_one_page(client: FlaskClient) -> None:
    root = oai(client, verb="ListRecords", metadataPrefix="oai_datacite")
    assert [text(h, "o:identifier") for h in nodes(root, "//o:header")] == [oai_id("hyb2-onc-l2b")]
    assert nodes(root, "//o:resumptionToken") == []
    sets = oai(client, verb="ListRecords", metadataPrefix="oai_dc", set="access:restricted")
    assert [text(h, "o:identifier") for h in nodes(sets, "//o:header")] == [oai_id("hyb2-onc-raw")]
    assert nodes(sets, "//o:resumptionToken") == []


def test_reissuing_a_token_gives_the_same_page(client: FlaskClient, clock: Clock) -> None:
    first = oai(client, verb="ListRecords", metadataPrefix="oai_dc")
    token = text(first, "//o:resumptionToken")
    again = oai(client, verb="ListRecords", resumptionToken=token)
    clock.now = NOW + timedelta(minutes=5)
    later = oai(client, verb="ListRecords", resumptionToken=token)
    assert error_code(again) is None
    assert without_response_date(again) == without_response_date(later)


def test_the_list_is_frozen_at_the_first_page(client: FlaskClient, clock: Clock, app: Flask) -> None:
    first = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    clock.now = NOW + timedelta(hours=1)
    record = {
        "type": "dataset",
        "id": "aaa-late-arrival",
        "title": {"en": "A dataset loaded during a harvest"},
        "category": "observation",
        "creators": [{"name": "ISAS", "kind": "organization"}],
        "access": {"status": "public"},
    }
    load_lines(app.extensions["catalog.store"], [Line("late", 1, json.dumps(record))], now=clock.now)
    rest = oai(client, verb="ListIdentifiers", resumptionToken=text(first, "//o:resumptionToken"))
    seen = [text(h, "o:identifier") for h in nodes(first, "//o:header") + nodes(rest, "//o:header")]
    assert set(seen) == set(LISTED_EXAMPLES)
    assert nodes(rest, "//o:resumptionToken")[0].get("completeListSize") == "5"
    _, fresh = walk(client, "ListIdentifiers", metadataPrefix="oai_dc", set="category:observation")
    assert oai_id("aaa-late-arrival") in identifiers(fresh)


def test_tokens_expire(client: FlaskClient, clock: Clock) -> None:
    first = oai(client, verb="ListRecords", metadataPrefix="oai_dc")
    token = nodes(first, "//o:resumptionToken")[0]
    expiry = parse_datestamp(token.get("expirationDate", ""))
    clock.now = expiry - timedelta(seconds=1)
    assert error_code(oai(client, verb="ListRecords", resumptionToken=token.text or "")) is None
    clock.now = expiry + timedelta(seconds=2)
    assert error_code(oai(client, verb="ListRecords", resumptionToken=token.text or "")) == "badResumptionToken"


def test_a_token_belongs_to_its_verb(client: FlaskClient) -> None:
    token = text(oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc"), "//o:resumptionToken")
    assert error_code(oai(client, verb="ListRecords", resumptionToken=token)) == "badResumptionToken"
    sets_token = text(oai(client, verb="ListSets"), "//o:resumptionToken")
    assert error_code(oai(client, verb="ListIdentifiers", resumptionToken=sets_token)) == "badResumptionToken"


def test_get_record(client: FlaskClient) -> None:
    root = oai(client, verb="GetRecord", identifier=oai_id("hyb2-onc-l2b"), metadataPrefix="oai_dc")
    header = nodes(root, "o:GetRecord/o:record/o:header")[0]
    assert text(header, "o:identifier") == oai_id("hyb2-onc-l2b")
    assert {s.text for s in nodes(header, "o:setSpec")} >= {"access:open", "openaire_data", "mission:hayabusa2"}
    assert text(root, "//dc:title") == "Hayabusa2 ONC-T calibrated images of Ryugu"
    deleted = oai(client, verb="GetRecord", identifier=oai_id("ryugu-shape-v1"), metadataPrefix="oai_dc")
    assert nodes(deleted, "//o:header")[0].get("status") == "deleted"
    assert nodes(deleted, "//o:metadata") == []
    for prefix in ("oai_datacite", "datacite"):
        assert (
            error_code(oai(client, verb="GetRecord", identifier=oai_id("hyb2-onc-l2b"), metadataPrefix=prefix)) is None
        )


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("access:open", {"hyb2-onc-l2b", "xrism-resolve-obs", "vco-lir-l3-beta"}),
        ("access:restricted", {"hyb2-onc-raw"}),
        ("openaire_data", {"hyb2-onc-l2b"}),
        ("mission:hayabusa2", {"hyb2-onc-l2b", "hyb2-onc-raw", "ryugu-shape-v1"}),
        ("mission:hayabusa2:onc-w1", {"hyb2-onc-raw"}),
        ("category:observation", {"hyb2-onc-l2b", "xrism-resolve-obs", "vco-lir-l3-beta"}),
    ],
)
def test_set_filtering(client: FlaskClient, spec: str, expected: set[str]) -> None:
    _, headers = walk(client, "ListIdentifiers", metadataPrefix="oai_dc", set=spec)
    assert set(identifiers(headers)) == {oai_id(i) for i in expected}
    for h in headers:
        if h.get("status") != "deleted":
            assert spec in [s.text for s in nodes(h, "o:setSpec")]


def test_error_for_an_empty_engineering_set_hides_the_undisclosed_dataset(client: FlaskClient) -> None:
    root = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set="category:engineering")
    assert error_code(root) == "noRecordsMatch"


@pytest.mark.parametrize(
    ("bounds", "matches"),
    [
        ({"from": "2026-11-21"}, True),
        ({"until": "2026-11-21"}, True),
        ({"from": "2026-11-21", "until": "2026-11-21"}, True),
        ({"from": "2026-11-22"}, False),
        ({"until": "2026-11-20"}, False),
        ({"from": "2026-11-21T12:00:00Z", "until": "2026-11-21T12:00:00Z"}, True),
        ({"from": "2026-11-21T12:00:01Z"}, False),
        ({"until": "2026-11-21T11:59:59Z"}, False),
    ],
)
def test_selective_harvesting_by_date(client: FlaskClient, bounds: dict[str, str], matches: bool) -> None:
    root = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", **bounds)
    if not matches:
        assert error_code(root) == "noRecordsMatch"
        return
    _, headers = walk(client, "ListIdentifiers", metadataPrefix="oai_dc", **bounds)
    assert identifiers(headers) == LISTED_EXAMPLES


def test_selective_harvesting_sees_an_edit(client: FlaskClient, clock: Clock, app: Flask, examples_path: Path) -> None:
    clock.now = NOW + timedelta(days=2, hours=3)
    line = next(line for line in examples_path.read_text().splitlines() if '"id": "vco-lir-l3-beta"' in line)
    edited = json.loads(line)
    edited["title"] = {"en": "Akatsuki LIR level 3 (edited)"}
    load_lines(app.extensions["catalog.store"], [Line("edit", 1, json.dumps(edited))], now=clock.now)
    day = oai(client, verb="ListRecords", metadataPrefix="oai_dc", **{"from": "2026-11-23"})
    second = oai(client, verb="ListRecords", metadataPrefix="oai_dc", **{"from": "2026-11-23T15:00:00Z"})
    for root in (day, second):
        assert [text(h, "o:identifier") for h in nodes(root, "//o:header")] == [oai_id("vco-lir-l3-beta")]
        assert text(root, "//o:header/o:datestamp") == "2026-11-23T15:00:00Z"
        assert text(root, "//dc:title") == "Akatsuki LIR level 3 (edited)"
    before = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", until="2026-11-22")
    assert oai_id("vco-lir-l3-beta") not in [text(h, "o:identifier") for h in nodes(before, "//o:header")]


def expected_at(moment: datetime, *, needs_doi: bool = False) -> dict[str, bool]:
    """What the policy lists of the demo archive at `moment`: identifier → deleted."""
    listed = {}
    for dataset in DEMO_DATASETS:
        visibility = visibility_at(dataset, moment)
        if visibility is Visibility.HIDDEN or (needs_doi and dataset.doi is None):
            continue
        listed[oai_id(dataset.id)] = visibility is Visibility.DELETED
    return listed


def test_demo_archive_lists_exactly_what_the_policy_shows(demo: FlaskClient) -> None:
    hidden = [d.id for d in DEMO_DATASETS if visibility_at(d, NOW) is Visibility.HIDDEN]
    assert hidden
    for prefix, needs_doi in (("oai_dc", False), ("oai_datacite", True), ("datacite", True)):
        pages, headers = walk(demo, "ListIdentifiers", metadataPrefix=prefix)
        assert len(pages) > 2
        assert identifiers(headers) == expected_at(NOW, needs_doi=needs_doi)
        for page in pages:
            assert not any(h.encode() in etree.tostring(page) for h in hidden)
    _, records = walk(demo, "ListRecords", metadataPrefix="oai_dc")
    assert identifiers(records) == expected_at(NOW)
    assert any(expected_at(NOW).values())
    for dataset_id in hidden:
        root = oai(demo, verb="GetRecord", identifier=oai_id(dataset_id), metadataPrefix="oai_dc")
        assert error_code(root) == "idDoesNotExist"


def test_demo_archive_sets_have_a_shown_member(demo: FlaskClient) -> None:
    pages, _ = walk(demo, "ListSets")
    specs = {text(s, "o:setSpec") for page in pages for s in nodes(page, "//o:set")}
    for spec in specs:
        _, headers = walk(demo, "ListIdentifiers", metadataPrefix="oai_dc", set=spec)
        assert any(h.get("status") != "deleted" for h in headers), spec


TOKEN_LIKE = st.sampled_from(
    ["", "x", ".", "eyJ2IjoiTGlzdFJlY29yZHMifQ", "eyJ2IjoiTGlzdFJlY29yZHMifQ.aaaa.bbbb", "%00", "\x00", "A" * 5000]
)
VALUES = st.one_of(
    st.sampled_from(
        [
            "oai_dc",
            "oai_datacite",
            "datacite",
            "2026-11-21",
            "2026-11-21T12:00:00Z",
            "0000-01-01",
            "9999-12-31",
            "9999-12-31T23:59:59Z",
            "2026-02-30",
            oai_id("hyb2-onc-l2b"),
            oai_id(UNDISCLOSED),
            "access:open",
            "mission:hayabusa2",
            "x" * 100_000,
            "oai_dc\x00",
            "\x01",
            "\ufffe",
            oai_id("hyb2-onc-l2b\x1b"),
        ]
    ),
    TOKEN_LIKE,
    st.text(max_size=40),
)
KEYS = st.one_of(
    st.sampled_from(["verb", "metadataPrefix", "identifier", "from", "until", "set", "resumptionToken"]),
    st.text(max_size=10),
)
PAIRS = st.lists(
    st.one_of(
        st.tuples(st.just("verb"), st.one_of(st.sampled_from(sorted(VERBS)), st.text(max_size=12))),
        st.tuples(KEYS, VALUES),
    ),
    max_size=6,
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pairs=PAIRS, post=st.booleans())
def test_no_input_gives_a_server_error(client: FlaskClient, pairs: list[tuple[str, str]], post: bool) -> None:
    encoded = urlencode(pairs, encoding="utf-8", errors="surrogatepass")
    if post:
        response = client.post("/oai", data=encoded, content_type="application/x-www-form-urlencoded")
    else:
        response = client.get(f"/oai?{encoded}")
    assert response.status_code < 500
    root = valid(encoded, response)
    if UNDISCLOSED not in encoded:
        assert UNDISCLOSED.encode() not in body_of(response)
    assert nodes(root, "o:request")


def test_a_valid_token_of_every_list_verb_survives_tampering(client: FlaskClient) -> None:
    for verb, args in (("ListRecords", {"metadataPrefix": "oai_dc"}), ("ListSets", {})):
        token = text(oai(client, verb=verb, **args), "//o:resumptionToken")
        for tampered in (token[:-1], token + "x", token.replace(".", "..", 1), token[::-1]):
            assert error_code(oai(client, verb=verb, resumptionToken=tampered)) == "badResumptionToken"


def test_release_clock(client: FlaskClient, clock: Clock) -> None:
    """A restricted example releases by review, never by the clock: it stays restricted a year on."""
    clock.now = NOW + timedelta(days=365)
    root = oai(client, verb="GetRecord", identifier=oai_id("hyb2-onc-raw"), metadataPrefix="oai_dc")
    assert "access:restricted" in [s.text for s in nodes(root, "//o:setSpec")]
