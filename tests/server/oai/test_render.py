"""Every OAI-PMH response shape the renderer writes, validated whole against the driver schema; and its streaming."""

from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from datetime import timedelta

import pytest
from lxml import etree

from catalog.demo import demo_records
from catalog.records import Provenance
from crosswalks.datacite import NS as DATACITE
from crosswalks.datacite import can_disseminate, to_datacite
from crosswalks.dublin_core import OAI_DC, OAI_DC_SCHEMA, to_oai_dc
from crosswalks.oai_datacite import NS as OAI_DATACITE
from crosswalks.oai_datacite import SCHEMA as OAI_DATACITE_SCHEMA
from crosswalks.oai_datacite import to_oai_datacite
from crosswalks.oai_record import Header, provenance
from server.oai.protocol import OAI_ERRORS, BadVerb, NoRecordsMatch, OAIError, OAIRequest, request_attributes
from server.oai.render import (
    OAI,
    header,
    identify,
    metadata_format,
    record,
    resumption_token,
    set_element,
    stream_response,
)
from tests.conftest import NOW, shared_path
from tests.crosswalks.conftest import CHANGED, Viewed, views, xsd

BASE_URL = "https://catalog.example.org/oai"
REPOSITORY = "darts.isas.jaxa.jp"
DATACENTRE = "JAXA.ISAS"
DATACITE_SCHEMA = "https://schema.datacite.org/meta/kernel-4.7/metadata.xsd"
SETS = ("mission:hayabusa2", "category:observation")

Crosswalk = Callable[[Viewed], etree._Element]
CROSSWALKS: Mapping[str, Crosswalk] = {
    "oai_dc": lambda v: to_oai_dc(v.record, v.view),
    "oai_datacite": lambda v: to_oai_datacite(v.record, v.view, datacentre_symbol=DATACENTRE),
    "datacite": lambda v: to_datacite(v.record, v.view),
}


@pytest.fixture(scope="module")
def driver() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(shared_path("schemas", "oai-pmh-driver.xsd"))))


@pytest.fixture(scope="module")
def viewed() -> list[Viewed]:
    return views(demo_records(granules=0, today=NOW.date()))


@pytest.fixture(scope="module")
def with_doi(viewed: list[Viewed]) -> list[Viewed]:
    found = [v for v in viewed if can_disseminate(v.record)][:4]
    assert len(found) >= 2, "the demo archive should hold datasets with DOIs"
    return found


def oai_id(v: Viewed) -> str:
    return f"oai:{REPOSITORY}:{v.record.id}"


def item(v: Viewed, *, deleted: bool = False) -> Header:
    return Header(oai_id(v), CHANGED, SETS, deleted=deleted)


def respond(
    verb: str | None,
    body: Iterable[etree._Element],
    *,
    attributes: Mapping[str, str] | None = None,
    error: OAIError | None = None,
    chunk_bytes: int = 64 * 1024,
) -> bytes:
    given = {"verb": verb} if attributes is None and verb is not None else dict(attributes or {})
    return b"".join(
        stream_response(
            response_date=NOW,
            base_url=BASE_URL,
            request_attributes=given,
            verb=verb,
            body=body,
            error=error,
            chunk_bytes=chunk_bytes,
        )
    )


def valid(driver: etree.XMLSchema, document: bytes) -> etree._Element:
    """Parse and validate a response; also insist that no payload lost its prefixes to `ns0:`."""
    assert b"ns0:" not in document
    root = etree.fromstring(document)
    driver.assertValid(root)
    assert root.nsmap[None] == OAI
    return root


def q(name: str) -> str:
    return f"{{{OAI}}}{name}"


def test_identify(driver: etree.XMLSchema) -> None:
    body = identify(
        repository_name="ISAS/JAXA science archive",
        base_url=BASE_URL,
        admin_emails=("archive@isas.jaxa.jp", "darts@ml.jaxa.jp"),
        earliest_datestamp=NOW - timedelta(days=3650),
        repository_identifier=REPOSITORY,
        sample_identifier=f"oai:{REPOSITORY}:hayabusa2-onc-l2",
    )
    root = valid(driver, respond("Identify", body))
    assert root.findtext(f"{q('Identify')}/{q('granularity')}") == "YYYY-MM-DDThh:mm:ssZ"
    assert root.findtext(".//{http://www.openarchives.org/OAI/2.0/oai-identifier}delimiter") == ":"
    echoed = root.find(q("request"))
    assert echoed is not None
    assert dict(echoed.attrib) == {"verb": "Identify"}


def test_identify_with_day_granularity(driver: etree.XMLSchema) -> None:
    body = identify(
        repository_name="ISAS/JAXA science archive",
        base_url=BASE_URL,
        admin_emails=("archive@isas.jaxa.jp",),
        earliest_datestamp=NOW,
        granularity="YYYY-MM-DD",
        compressions=(),
        repository_identifier=REPOSITORY,
        sample_identifier=f"oai:{REPOSITORY}:x",
    )
    root = valid(driver, respond("Identify", body))
    assert root.findtext(f"{q('Identify')}/{q('earliestDatestamp')}") == NOW.date().isoformat()


def test_list_metadata_formats(driver: etree.XMLSchema) -> None:
    formats = [
        metadata_format("oai_dc", OAI_DC_SCHEMA, OAI_DC),
        metadata_format("oai_datacite", OAI_DATACITE_SCHEMA, OAI_DATACITE),
        metadata_format("datacite", DATACITE_SCHEMA, DATACITE),
    ]
    root = valid(driver, respond("ListMetadataFormats", formats))
    assert [e.text for e in root.iter(q("metadataPrefix"))] == ["oai_dc", "oai_datacite", "datacite"]


def test_list_sets_with_bilingual_descriptions(driver: etree.XMLSchema) -> None:
    sets = [
        set_element("mission", "Missions", {}),
        set_element(
            "mission:hayabusa2",
            "Hayabusa2",
            {"en": "Asteroid sample return mission to Ryugu.", "ja": "小惑星リュウグウへのサンプルリターン探査機。"},
        ),
        set_element("category:observation", "Observation data", {"en": "Science observations.", "ja": "観測データ"}),
    ]
    root = valid(driver, respond("ListSets", sets))
    descriptions = root.findall(".//{http://purl.org/dc/elements/1.1/}description")
    assert [d.get("{http://www.w3.org/XML/1998/namespace}lang") for d in descriptions] == ["en", "ja", "en", "ja"]
    assert "小惑星" in (descriptions[1].text or "")


def test_list_identifiers_with_deleted_header_and_sets(driver: etree.XMLSchema, viewed: list[Viewed]) -> None:
    headers = [header(item(v, deleted=i == 1)) for i, v in enumerate(viewed[:3])]
    attributes = {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "set": "mission:hayabusa2"}
    root = valid(driver, respond("ListIdentifiers", headers, attributes=attributes))
    found = root.findall(f"{q('ListIdentifiers')}/{q('header')}")
    assert [h.get("status") for h in found] == [None, "deleted", None]
    assert [s.text for s in found[0].iter(q("setSpec"))] == list(SETS)


@pytest.mark.parametrize("prefix", list(CROSSWALKS))
def test_list_records(driver: etree.XMLSchema, viewed: list[Viewed], with_doi: list[Viewed], prefix: str) -> None:
    chosen = viewed[:5] if prefix == "oai_dc" else with_doi
    records = (record(item(v), CROSSWALKS[prefix](v)) for v in chosen)
    attributes = {"verb": "ListRecords", "metadataPrefix": prefix}
    root = valid(driver, respond("ListRecords", records, attributes=attributes))
    payloads = [m[0] for m in root.iter(q("metadata"))]
    assert len(payloads) == len(chosen)
    expected = {"oai_dc": f"{{{OAI_DC}}}dc", "oai_datacite": f"{{{OAI_DATACITE}}}oai_datacite"}
    assert {p.tag for p in payloads} == {expected.get(prefix, f"{{{DATACITE}}}resource")}


def test_oai_datacite_wrapper(with_doi: list[Viewed]) -> None:
    wrapper = to_oai_datacite(with_doi[0].record, with_doi[0].view, datacentre_symbol=DATACENTRE)
    xsd("oai_datacite-1.1", "oai.xsd").assertValid(wrapper)
    assert [etree.QName(child).localname for child in wrapper] == ["schemaVersion", "datacentreSymbol", "payload"]
    assert wrapper.findtext(f"{{{OAI_DATACITE}}}schemaVersion") == "4.7"
    assert wrapper.nsmap[None] == OAI_DATACITE
    resource = wrapper.find(f"{{{OAI_DATACITE}}}payload/{{{DATACITE}}}resource")
    assert resource is not None
    xsd("datacite-4.7", "metadata.xsd").assertValid(etree.fromstring(etree.tostring(resource)))


def test_list_records_with_deleted_record_and_about(driver: etree.XMLSchema, viewed: list[Viewed]) -> None:
    live, gone, harvested = viewed[:3]
    origin = provenance(
        Provenance(
            source="other",
            base_url="https://other.example.org/oai",
            identifier="oai:other.example.org:42",
            datestamp=CHANGED - timedelta(days=30),
            metadata_namespace=OAI_DC,
            harvested=CHANGED,
        )
    )
    records = [
        record(item(live), to_oai_dc(live.record, live.view)),
        record(item(gone, deleted=True), to_oai_dc(gone.record, gone.view)),
        record(item(harvested), to_oai_dc(harvested.record, harvested.view), about=[origin]),
    ]
    root = valid(
        driver, respond("ListRecords", records, attributes={"verb": "ListRecords", "metadataPrefix": "oai_dc"})
    )
    found = root.findall(f"{q('ListRecords')}/{q('record')}")
    assert [r.find(q("metadata")) is None for r in found] == [False, True, False]
    assert found[2].find(f"{q('about')}/{{http://www.openarchives.org/OAI/2.0/provenance}}provenance") is not None


@pytest.mark.parametrize("token", ["eyJ2IjoiTGlzdFJlY29yZHMifQ.abc.def", ""])
def test_list_records_with_resumption_token(driver: etree.XMLSchema, viewed: list[Viewed], token: str) -> None:
    def body() -> Iterator[etree._Element]:
        for v in viewed[:2]:
            yield record(item(v), to_oai_dc(v.record, v.view))
        expiration = NOW + timedelta(hours=25) if token else None
        yield resumption_token(token, cursor=100, complete_list_size=102, expiration=expiration)

    root = valid(driver, respond("ListRecords", body(), attributes={"verb": "ListRecords", "resumptionToken": "t"}))
    element = root.find(f"{q('ListRecords')}/{q('resumptionToken')}")
    assert element is not None
    assert (element.text or "") == token
    assert element.get("completeListSize") == "102"
    assert element.get("cursor") == "100"
    assert (element.get("expirationDate") is None) == (not token)


def test_resumption_token_refuses_an_empty_list() -> None:
    with pytest.raises(ValueError, match="completeListSize"):
        resumption_token("", cursor=0, complete_list_size=0, expiration=None)


def test_get_record(driver: etree.XMLSchema, with_doi: list[Viewed]) -> None:
    v = with_doi[0]
    attributes = {"verb": "GetRecord", "identifier": oai_id(v), "metadataPrefix": "oai_datacite"}
    body = [record(item(v), to_oai_datacite(v.record, v.view, datacentre_symbol=DATACENTRE))]
    root = valid(driver, respond("GetRecord", body, attributes=attributes))
    assert root.findtext(f".//{q('identifier')}") == oai_id(v)


def test_record_needs_metadata_unless_deleted(viewed: list[Viewed]) -> None:
    with pytest.raises(ValueError, match="needs metadata"):
        record(item(viewed[0]), None)


ERROR_REQUESTS: Mapping[str, OAIRequest | None] = {
    "badArgument": OAIRequest("ListRecords", {"metadataPrefix": "oai_dc", "bogus": "1"}),
    "badResumptionToken": OAIRequest("ListRecords", {"resumptionToken": "expired"}),
    "badVerb": None,
    "cannotDisseminateFormat": OAIRequest(
        "GetRecord", {"identifier": f"oai:{REPOSITORY}:x", "metadataPrefix": "marc21"}
    ),
    "idDoesNotExist": OAIRequest("GetRecord", {"identifier": f"oai:{REPOSITORY}:nope", "metadataPrefix": "oai_dc"}),
    "noRecordsMatch": OAIRequest("ListIdentifiers", {"metadataPrefix": "oai_dc", "from": "2030-01-01"}),
    "noMetadataFormats": OAIRequest("ListMetadataFormats", {"identifier": f"oai:{REPOSITORY}:x"}),
    "noSetHierarchy": OAIRequest("ListSets", {}),
}


class Untouched:
    def __iter__(self) -> Iterator[etree._Element]:
        raise AssertionError("an error response must not read the body")


@pytest.mark.parametrize("code", sorted(OAI_ERRORS))
def test_error(driver: etree.XMLSchema, code: str) -> None:
    error = OAI_ERRORS[code](f"a <{code}> & its message")
    request = ERROR_REQUESTS[code]
    attributes = request_attributes(request, error)
    verb = None if request is None else request.verb

    root = valid(driver, respond(verb, Untouched(), attributes=attributes, error=error))
    found = root.find(q("error"))
    assert found is not None
    assert found.get("code") == code
    assert found.text == f"a <{code}> & its message"
    echoed = root.find(q("request"))
    assert echoed is not None
    assert echoed.text == BASE_URL
    assert dict(echoed.attrib) == attributes
    if code in {"badVerb", "badArgument"}:
        assert not echoed.attrib


def test_bad_verb_with_an_unknown_verb_echoes_no_attributes(driver: etree.XMLSchema) -> None:
    error = BadVerb("'Frobnicate' is not an OAI-PMH verb")
    root = valid(driver, respond(None, [], attributes=request_attributes(None, error), error=error))
    echoed = root.find(q("request"))
    assert echoed is not None
    assert not echoed.attrib


def test_a_response_without_an_error_needs_a_verb_before_streaming() -> None:
    with pytest.raises(ValueError, match="verb"):
        stream_response(response_date=NOW, base_url=BASE_URL, request_attributes={}, verb="Frobnicate", body=[])


def test_streams_while_the_body_is_produced(driver: etree.XMLSchema) -> None:
    total = 20_000
    produced = 0

    def headers() -> Iterator[etree._Element]:
        nonlocal produced
        for number in range(total):
            produced += 1
            yield header(Header(f"oai:{REPOSITORY}:item-{number}", CHANGED, ("mission:akari",)))

    attributes = {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"}
    stream = stream_response(
        response_date=NOW,
        base_url=BASE_URL,
        request_attributes=attributes,
        verb="ListIdentifiers",
        body=headers(),
        chunk_bytes=4096,
    )
    assert produced == 0
    chunks = [next(stream)]
    produced_at_first_chunk = produced
    while produced < total:
        chunks.append(next(stream))
    chunks_before_exhaustion = len(chunks)
    chunks.extend(stream)

    assert produced_at_first_chunk < 100
    assert chunks_before_exhaustion > 10
    assert max(len(chunk) for chunk in chunks) < 3 * 4096
    root = valid(driver, b"".join(chunks))
    assert len(root.findall(f"{q('ListIdentifiers')}/{q('header')}")) == total


def test_closing_the_stream_closes_the_body() -> None:
    closed = False

    def headers() -> Iterator[etree._Element]:
        nonlocal closed
        try:
            while True:
                yield header(Header(f"oai:{REPOSITORY}:x", CHANGED))
        finally:
            closed = True

    stream = stream_response(
        response_date=NOW,
        base_url=BASE_URL,
        request_attributes={"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"},
        verb="ListIdentifiers",
        body=headers(),
        chunk_bytes=1024,
    )
    assert isinstance(stream, Generator)
    next(stream)
    stream.close()
    assert closed


def test_an_error_raised_by_the_body_cuts_the_response_short() -> None:
    def failing() -> Iterator[etree._Element]:
        yield header(Header(f"oai:{REPOSITORY}:x", CHANGED))
        raise NoRecordsMatch("too late to say so")

    with pytest.raises(NoRecordsMatch):
        respond("ListIdentifiers", failing())
