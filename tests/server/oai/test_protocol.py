"""The OAI-PMH request rules: one table of requests and their outcomes, the request echo and the error registry."""

from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import parse_qs

import pytest

from catalog.vocab import Granularity
from server.oai.protocol import (
    OAI_ERRORS,
    VERBS,
    BadArgument,
    BadResumptionToken,
    BadVerb,
    CannotDisseminateFormat,
    IdDoesNotExist,
    NoMetadataFormats,
    NoRecordsMatch,
    NoSetHierarchy,
    OAIError,
    OAIRequest,
    Verb,
    format_datestamp,
    parse_identifier,
    parse_request,
    request_attributes,
)

REPOSITORY = "data.isas.jaxa.jp"
ITEM = f"oai:{REPOSITORY}:hayabusa2-onc-l2b"
LIST = "metadataPrefix=oai_dc"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def handle(query: str) -> OAIRequest:
    """Parse a query string as the view will: every value of every argument, then the identifier if any."""
    request = parse_request(parse_qs(query, keep_blank_values=True))
    if request.identifier is not None:
        parse_identifier(request.identifier, REPOSITORY)
    return request


def ok(verb: str, granularity: Granularity | None = None, /, **dates: datetime) -> OAIRequest:
    return OAIRequest(verb, {}, granularity=granularity, **dates)


def with_arguments(request: OAIRequest, **arguments: str) -> OAIRequest:
    return OAIRequest(request.verb, arguments, request.from_, request.until, request.granularity)


CASES = [
    pytest.param("verb=Identify", ok("Identify"), "", id="Identify"),
    pytest.param("verb=ListMetadataFormats", ok("ListMetadataFormats"), "", id="ListMetadataFormats-minimal"),
    pytest.param(
        f"verb=ListMetadataFormats&identifier={ITEM}",
        with_arguments(ok("ListMetadataFormats"), identifier=ITEM),
        "",
        id="ListMetadataFormats-maximal",
    ),
    pytest.param("verb=ListSets", ok("ListSets"), "", id="ListSets-minimal"),
    pytest.param(
        "verb=ListSets&resumptionToken=t1",
        with_arguments(ok("ListSets"), resumptionToken="t1"),
        "",
        id="ListSets-resumption",
    ),
    pytest.param(
        f"verb=GetRecord&identifier={ITEM}&metadataPrefix=oai_dc",
        with_arguments(ok("GetRecord"), identifier=ITEM, metadataPrefix="oai_dc"),
        "",
        id="GetRecord",
    ),
    pytest.param(
        f"verb=ListIdentifiers&{LIST}",
        with_arguments(ok("ListIdentifiers"), metadataPrefix="oai_dc"),
        "",
        id="ListIdentifiers-minimal",
    ),
    pytest.param(
        f"verb=ListIdentifiers&{LIST}&from=2024-01-01T00:00:00Z&until=2024-06-30T12:30:45Z&set=mission:hayabusa2",
        with_arguments(
            ok(
                "ListIdentifiers",
                Granularity.SECOND,
                from_=at("2024-01-01T00:00:00"),
                until=at("2024-06-30T12:30:45"),
            ),
            metadataPrefix="oai_dc",
            set="mission:hayabusa2",
            **{"from": "2024-01-01T00:00:00Z", "until": "2024-06-30T12:30:45Z"},
        ),
        "",
        id="ListIdentifiers-maximal",
    ),
    pytest.param(
        "verb=ListIdentifiers&resumptionToken=t1",
        with_arguments(ok("ListIdentifiers"), resumptionToken="t1"),
        "",
        id="ListIdentifiers-resumption",
    ),
    pytest.param(
        f"verb=ListRecords&{LIST}",
        with_arguments(ok("ListRecords"), metadataPrefix="oai_dc"),
        "",
        id="ListRecords-minimal",
    ),
    pytest.param(
        f"verb=ListRecords&{LIST}&from=2024-01-01&until=2024-01-31&set=mission:akatsuki",
        with_arguments(
            ok("ListRecords", Granularity.DAY, from_=at("2024-01-01T00:00:00"), until=at("2024-01-31T23:59:59")),
            metadataPrefix="oai_dc",
            set="mission:akatsuki",
            **{"from": "2024-01-01", "until": "2024-01-31"},
        ),
        "",
        id="ListRecords-maximal-days",
    ),
    pytest.param(
        "verb=ListRecords&resumptionToken=t1",
        with_arguments(ok("ListRecords"), resumptionToken="t1"),
        "",
        id="ListRecords-resumption",
    ),
    pytest.param(
        f"verb=ListRecords&{LIST}&from=2024-02-29&until=2024-02-29",
        with_arguments(
            ok("ListRecords", Granularity.DAY, from_=at("2024-02-29T00:00:00"), until=at("2024-02-29T23:59:59")),
            metadataPrefix="oai_dc",
            **{"from": "2024-02-29", "until": "2024-02-29"},
        ),
        "",
        id="one-leap-day",
    ),
    pytest.param(
        f"verb=ListRecords&{LIST}&until=2024-12-31",
        with_arguments(
            ok("ListRecords", Granularity.DAY, until=at("2024-12-31T23:59:59")),
            metadataPrefix="oai_dc",
            until="2024-12-31",
        ),
        "",
        id="day-until-covers-the-day",
    ),
    pytest.param(
        f"verb=ListRecords&{LIST}&from=2024-01-01T00:00:00Z&until=2024-01-01T00:00:00Z",
        with_arguments(
            ok("ListRecords", Granularity.SECOND, from_=at("2024-01-01T00:00:00"), until=at("2024-01-01T00:00:00")),
            metadataPrefix="oai_dc",
            **{"from": "2024-01-01T00:00:00Z", "until": "2024-01-01T00:00:00Z"},
        ),
        "",
        id="second-until-inclusive",
    ),
    pytest.param("", BadVerb, "missing", id="no-arguments"),
    pytest.param(LIST, BadVerb, "missing", id="no-verb"),
    pytest.param("verb=", BadVerb, "'' is not an OAI-PMH verb", id="empty-verb"),
    pytest.param("verb=ListAll", BadVerb, "'ListAll' is not an OAI-PMH verb", id="unknown-verb"),
    pytest.param("verb=listrecords", BadVerb, "'listrecords' is not", id="verb-case-sensitive"),
    pytest.param("verb=Identify&verb=Identify", BadVerb, "repeated", id="repeated-verb"),
    pytest.param("verb=Identify&verb=ListSets", BadVerb, "repeated", id="two-verbs"),
    pytest.param(f"verb=Identify&{LIST}", BadArgument, "Identify does not take the argument 'metadataPrefix'"),
    pytest.param(f"verb=ListMetadataFormats&{LIST}", BadArgument, "does not take the argument 'metadataPrefix'"),
    pytest.param("verb=ListSets&set=mission:akatsuki", BadArgument, "ListSets does not take the argument 'set'"),
    pytest.param(
        f"verb=GetRecord&identifier={ITEM}&{LIST}&from=2024-01-01", BadArgument, "GetRecord does not take the argument"
    ),
    pytest.param(
        f"verb=ListIdentifiers&{LIST}&identifier={ITEM}", BadArgument, "does not take the argument 'identifier'"
    ),
    pytest.param(f"verb=ListRecords&{LIST}&foo=bar&bar=baz", BadArgument, "the arguments 'bar', 'foo'"),
    pytest.param(
        "verb=ListRecords&metadataprefix=oai_dc", BadArgument, "'metadataprefix'", id="argument-case-sensitive"
    ),
    pytest.param(f"verb=ListRecords&{LIST}&metadataPrefix=oai_datacite", BadArgument, "'metadataPrefix' is repeated"),
    pytest.param(f"verb=ListRecords&{LIST}&set=a&set=b", BadArgument, "'set' is repeated: 'a', 'b'"),
    pytest.param(f"verb=ListRecords&{LIST}&from=2024-01-01&from=2024-01-01", BadArgument, "'from' is repeated"),
    pytest.param("verb=ListSets&resumptionToken=t1&resumptionToken=t2", BadArgument, "'resumptionToken' is repeated"),
    pytest.param(f"verb=GetRecord&identifier={ITEM}", BadArgument, "GetRecord requires the argument 'metadataPrefix'"),
    pytest.param(f"verb=GetRecord&{LIST}", BadArgument, "GetRecord requires the argument 'identifier'"),
    pytest.param("verb=GetRecord", BadArgument, "requires the arguments 'identifier', 'metadataPrefix'"),
    pytest.param("verb=ListIdentifiers", BadArgument, "ListIdentifiers requires the argument 'metadataPrefix'"),
    pytest.param("verb=ListRecords&set=a&from=2024-01-01", BadArgument, "requires the argument 'metadataPrefix'"),
    pytest.param(
        f"verb=ListRecords&resumptionToken=t1&{LIST}", BadArgument, "exclusive but came with 'metadataPrefix'"
    ),
    pytest.param("verb=ListIdentifiers&resumptionToken=t1&from=2024-01-01", BadArgument, "exclusive but came with"),
    pytest.param("verb=Identify&resumptionToken=t1", BadArgument, "Identify does not take the argument"),
    pytest.param(
        f"verb=ListRecords&{LIST}&until=2024-13-01",
        BadArgument,
        "argument 'until' is not a date: '2024-13-01' (YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ)",
        id="month-13",
    ),
    pytest.param(f"verb=ListRecords&{LIST}&from=2024-02-30", BadArgument, "'from' is not a date: '2024-02-30'"),
    pytest.param(f"verb=ListRecords&{LIST}&from=2023-02-29", BadArgument, "not a date", id="not-a-leap-year"),
    pytest.param(f"verb=ListRecords&{LIST}&from=2024-01-01T00:00:00", BadArgument, "not a date", id="no-Z"),
    pytest.param(f"verb=ListRecords&{LIST}&from=2024-01-01T00:00Z", BadArgument, "not a date", id="minutes"),
    pytest.param(f"verb=ListRecords&{LIST}&from=2024-01-01T00:00:00z", BadArgument, "not a date", id="lowercase-z"),
    pytest.param(f"verb=ListRecords&{LIST}&from=2024-01-01t00:00:00Z", BadArgument, "not a date", id="lowercase-t"),
    pytest.param(f"verb=ListRecords&{LIST}&from=2024-01-01T00:00:00.5Z", BadArgument, "not a date", id="fraction"),
    pytest.param(f"verb=ListRecords&{LIST}&from=2024-01-01T09:00:00%2B09:00", BadArgument, "not a date", id="offset"),
    pytest.param(f"verb=ListRecords&{LIST}&from=2024-01-01T24:00:00Z", BadArgument, "not a date", id="hour-24"),
    pytest.param(f"verb=ListRecords&{LIST}&from=2024-01-01T00:00:60Z", BadArgument, "not a date", id="second-60"),
    pytest.param(f"verb=ListRecords&{LIST}&from=2024-1-1", BadArgument, "not a date", id="short-fields"),
    pytest.param(f"verb=ListRecords&{LIST}&from=20240101", BadArgument, "not a date", id="basic-format"),
    pytest.param(f"verb=ListRecords&{LIST}&from=2024", BadArgument, "not a date", id="year-only"),
    pytest.param(f"verb=ListRecords&{LIST}&from=", BadArgument, "not a date: ''", id="empty-date"),
    pytest.param(f"verb=ListRecords&{LIST}&from=%EF%BC%92024-01-01", BadArgument, "not a date", id="fullwidth-digit"),
    pytest.param(f"verb=ListRecords&{LIST}&from=2024-01-01%0A", BadArgument, "not a date", id="trailing-newline"),
    pytest.param(
        f"verb=ListRecords&{LIST}&from=2024-01-01&until=2024-01-31T00:00:00Z",
        BadArgument,
        "differ in granularity",
        id="day-from-second-until",
    ),
    pytest.param(
        f"verb=ListIdentifiers&{LIST}&from=2024-01-01T00:00:00Z&until=2024-01-31",
        BadArgument,
        "differ in granularity",
        id="second-from-day-until",
    ),
    pytest.param(
        f"verb=ListRecords&{LIST}&from=2024-02-01&until=2024-01-31",
        BadArgument,
        "'from' ('2024-02-01') is later than 'until' ('2024-01-31')",
        id="from-after-until-days",
    ),
    pytest.param(
        f"verb=ListRecords&{LIST}&from=2024-01-01T00:00:01Z&until=2024-01-01T00:00:00Z",
        BadArgument,
        "is later than",
        id="from-after-until-seconds",
    ),
    pytest.param(
        f"verb=GetRecord&identifier=oai:example.org:hayabusa2-onc-l2b&{LIST}",
        IdDoesNotExist,
        "'oai:example.org:hayabusa2-onc-l2b' is unknown or illegal",
        id="other-repository",
    ),
    pytest.param(f"verb=GetRecord&identifier=hayabusa2-onc-l2b&{LIST}", IdDoesNotExist, "unknown", id="no-prefix"),
    pytest.param(f"verb=GetRecord&identifier=OAI:{REPOSITORY}:x&{LIST}", IdDoesNotExist, "unknown", id="prefix-case"),
    pytest.param(f"verb=GetRecord&identifier=oai:{REPOSITORY}:&{LIST}", IdDoesNotExist, "unknown", id="empty-id"),
    pytest.param(f"verb=GetRecord&identifier=&{LIST}", IdDoesNotExist, "unknown", id="empty-identifier"),
    pytest.param(
        "verb=ListMetadataFormats&identifier=doi:10.17597/ISAS.DARTS/x", IdDoesNotExist, "unknown", id="doi-given"
    ),
]


@pytest.mark.parametrize(("query", "expected", "message"), CASES)
def test_request_rules(query: str, expected: OAIRequest | type[OAIError], message: str) -> None:
    if isinstance(expected, OAIRequest):
        assert handle(query) == expected
    else:
        with pytest.raises(expected) as raised:
            handle(query)
        assert type(raised.value) is expected
        assert message in raised.value.message


def test_table_covers_every_verb_and_every_parse_error() -> None:
    outcomes = [param.values[1] for param in CASES]
    assert {outcome.verb for outcome in outcomes if isinstance(outcome, OAIRequest)} == set(VERBS)
    assert {outcome for outcome in outcomes if isinstance(outcome, type)} == {BadVerb, BadArgument, IdDoesNotExist}


@pytest.mark.parametrize(
    ("identifier", "local_id"),
    [(ITEM, "hayabusa2-onc-l2b"), (f"oai:{REPOSITORY}:a:b", "a:b"), (f"oai:{REPOSITORY}:{REPOSITORY}", REPOSITORY)],
)
def test_parse_identifier_returns_the_local_id(identifier: str, local_id: str) -> None:
    assert parse_identifier(identifier, REPOSITORY) == local_id


def test_list_verbs_follow_the_spec() -> None:
    listing = Verb(frozenset({"metadataPrefix"}), frozenset({"from", "until", "set"}), "resumptionToken")
    assert VERBS["ListRecords"] == VERBS["ListIdentifiers"] == listing
    assert VERBS["GetRecord"] == Verb(required=frozenset({"identifier", "metadataPrefix"}))
    assert VERBS["Identify"].allowed == frozenset()


def test_oai_errors_has_the_eight_codes_of_the_spec() -> None:
    assert dict(OAI_ERRORS) == {
        "badArgument": BadArgument,
        "badResumptionToken": BadResumptionToken,
        "badVerb": BadVerb,
        "cannotDisseminateFormat": CannotDisseminateFormat,
        "idDoesNotExist": IdDoesNotExist,
        "noRecordsMatch": NoRecordsMatch,
        "noMetadataFormats": NoMetadataFormats,
        "noSetHierarchy": NoSetHierarchy,
    }
    for code, error in OAI_ERRORS.items():
        raised = error("why")
        assert isinstance(raised, OAIError)
        assert (raised.code, raised.message, str(raised)) == (code, "why", "why")


def test_request_that_did_not_parse_echoes_no_attributes() -> None:
    with pytest.raises(BadArgument) as raised:
        parse_request({"verb": ["ListRecords"], "metadataPrefix": ["oai_dc", "oai_dc"]})
    assert request_attributes(None, raised.value) == {}
    assert request_attributes(None) == {}


@pytest.mark.parametrize("code", sorted(OAI_ERRORS))
def test_request_echo_depends_on_the_error(code: str) -> None:
    request = parse_request({"verb": ["ListRecords"], "metadataPrefix": ["oai_dc"], "from": ["2024-01-01"]})
    attributes = request_attributes(request, OAI_ERRORS[code]("why"))
    if code in {"badVerb", "badArgument"}:
        assert attributes == {}
    else:
        assert attributes == {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2024-01-01"}


def test_request_echo_without_error() -> None:
    request = parse_request({"verb": ["ListSets"], "resumptionToken": ["t1"]})
    assert request_attributes(request) == {"verb": "ListSets", "resumptionToken": "t1"}


def test_format_datestamp() -> None:
    tokyo = timezone(timedelta(hours=9))
    assert format_datestamp(datetime(2024, 1, 1, 9, 0, 0, 500, tzinfo=tokyo)) == "2024-01-01T00:00:00Z"
    with pytest.raises(ValueError, match="no time zone"):
        format_datestamp(datetime(2024, 1, 1))
