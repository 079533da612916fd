"""DataCite back to a record: our own records come back as the public saw them, foreign ones invert or are refused.

The round trip (the acceptance test of issue 6): every dataset of the fixture catalog and of the demo archive, at
moments before and after automatic releases and discards, is rendered, inverted, built as the harvester builds it,
viewed the same way and rendered again; the two documents are compared element by element. Only `TOLERATED`
differences pass, each with its reason. The harness is shared with `test_from_dublin_core.py`.
"""

import copy
import difflib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from catalog.contract import build, is_local_reference, schema_problems
from catalog.demo import demo_records
from catalog.policy import Timeline, dataset_timeline
from catalog.records import UNDETERMINED, Dataset
from catalog.view import View, resolve_related, view_of
from catalog.vocab import AccessStatus, AfterDeadline, Category, CreatorKind, RestrictionReason, Visibility
from crosswalks.datacite import NS, to_datacite
from crosswalks.from_datacite import InverseError, datacite_resource, record_from_datacite
from crosswalks.inverse import CHECK_ID, WITHDRAWN_WITHOUT_REASON
from crosswalks.oai_datacite import to_oai_datacite
from tests.conftest import NOW, shared_path
from tests.crosswalks.conftest import CHANGED, LANDING

FIXTURES = Path(__file__).resolve().parent / "fixture_catalog.jsonl"
HARVESTED_ID = "harvested-dataset"
TEST_DOI = "10.99999/"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

MOMENTS = {
    "3 years before": NOW - timedelta(days=3 * 365),
    "500 days before": NOW - timedelta(days=500),
    "now": NOW,
    "200 days after": NOW + timedelta(days=200),
    "400 days after": NOW + timedelta(days=400),
    "5 years after": NOW + timedelta(days=5 * 365),
}
"""When the round trip is run: each side of the demo's and the fixtures' automatic releases and discards."""

Render = Callable[[Dataset, View], etree._Element]
Invert = Callable[[etree._Element], dict[str, Any]]


# The harness.


def fixture_records() -> list[Dataset]:
    lines = FIXTURES.read_text(encoding="utf-8").splitlines()
    values = [json.loads(line) for line in lines if line.strip() and not line.startswith("//")]
    return [Dataset.from_dict(value) for value in values if value["type"] == "dataset"]


def demo_datasets() -> list[Dataset]:
    return [Dataset.from_dict(r) for r in demo_records(granules=0, today=NOW.date()) if r["type"] == "dataset"]


CATALOGS: dict[str, Callable[[], list[Dataset]]] = {"fixtures": fixture_records, "demo": demo_datasets}


def with_doi(record: Dataset) -> Dataset:
    """The dataset with a DOI of the test prefix when it has none: DataCite metadata needs one."""
    return record if record.doi else replace(record, doi=TEST_DOI + record.id)


@dataclass(frozen=True, slots=True)
class Shown:
    record: Dataset
    view: View


def shown_at(records: list[Dataset], at: datetime) -> list[Shown]:
    """Every dataset the public may see at `at`, viewed as the server views it (related datasets resolved)."""
    known: dict[str, tuple[Dataset, Timeline]] = {d.id: (d, dataset_timeline(d)) for d in records}
    found = []
    for record, timeline in known.values():
        related = resolve_related(record, known, at, lambda dataset_id: LANDING + dataset_id)
        view = view_of(record, timeline, CHANGED, at, related)
        if view is not None:
            found.append(Shown(record, view))
    return found


@dataclass(frozen=True, slots=True)
class RoundTrip:
    shown: Shown
    first: etree._Element
    value: dict[str, Any]
    record: Dataset
    view: View
    second: etree._Element


def round_trip(shown: Shown, render: Render, invert: Invert) -> RoundTrip:
    """Render, invert, build as the harvester does (an id added), view the same way, render again."""
    first = render(shown.record, shown.view)
    value = invert(first)
    assert_accepted(value)
    checked = build({**value, "id": HARVESTED_ID})
    assert isinstance(checked.record, Dataset), (shown.record.id, checked.problems)
    record = checked.record
    view = view_of(record, dataset_timeline(record), CHANGED, shown.view.at, {})
    assert view is not None, f"{shown.record.id}: the record read back is hidden at {shown.view.at}"
    return RoundTrip(shown, first, value, record, view, render(record, view))


@dataclass(frozen=True, slots=True)
class Tolerance:
    """A difference the round trip may show, why, and how to even it out in (a copy of) either document."""

    what: str
    why: str
    even_out: Callable[[etree._Element, RoundTrip], None]


def mask_local_id(document: etree._Element, trip: RoundTrip) -> None:
    for element in document.iter(f"{{{NS}}}alternateIdentifier"):
        element.text = "(the catalog's own id)"


TOLERATED = (
    Tolerance(
        "alternateIdentifier",
        "the local id: the harvester gives the record an id of its own (and a provenance block)",
        mask_local_id,
    ),
)
"""The only difference the DataCite round trip tolerates."""


def lines(document: etree._Element) -> list[str]:
    """The document element by element: its path, attributes and text, one line each."""
    found = []
    for element in document.iter(etree.Element):
        path = "/".join(etree.QName(e).localname for e in (*reversed(list(element.iterancestors())), element))
        attributes = " ".join(
            f"@{'xml:lang' if name == XML_LANG else etree.QName(name).localname}={value!r}"
            for name, value in sorted(element.attrib.items())
        )
        found.append(f"{path} {attributes} = {(element.text or '').strip()!r}")
    return found


def evened(document: etree._Element, trip: RoundTrip, tolerated: tuple[Tolerance, ...]) -> list[str]:
    copied = copy.deepcopy(document)
    for tolerance in tolerated:
        tolerance.even_out(copied, trip)
    return lines(copied)


def differences(trip: RoundTrip, tolerated: tuple[Tolerance, ...]) -> list[str]:
    """The lines that differ between the two documents once the tolerated differences are evened out."""
    shown, again = (evened(document, trip, tolerated) for document in (trip.first, trip.second))
    diff = difflib.unified_diff(shown, again, "shown", "read back and shown again", lineterm="", n=0)
    return [line for line in diff if not line.startswith(("---", "+++", "@@"))]


def trips(catalog: str, moment: str, render: Render, invert: Invert, *, doi: bool) -> Iterator[RoundTrip]:
    records = CATALOGS[catalog]()
    for shown in shown_at([with_doi(r) for r in records] if doi else records, MOMENTS[moment]):
        yield round_trip(shown, render, invert)


def assert_round_trips(found: list[RoundTrip], tolerated: tuple[Tolerance, ...], schema: etree.XMLSchema) -> None:
    assert found
    failures = []
    for trip in found:
        schema.assertValid(trip.second)
        diff = differences(trip, tolerated)
        if diff:
            failures.append(f"{trip.shown.record.id} ({trip.shown.view.visibility}):\n  " + "\n  ".join(diff))
    assert not failures, "fields that differ after the round trip:\n" + "\n".join(failures)


ROUND_TRIP_CASES = [
    pytest.param(catalog, moment, id=f"{catalog}-{moment}") for catalog in CATALOGS for moment in MOMENTS
]


# The round trip.


@pytest.mark.parametrize(("catalog", "moment"), ROUND_TRIP_CASES)
def test_round_trip(catalog: str, moment: str, datacite_xsd: etree.XMLSchema) -> None:
    assert_round_trips(
        list(trips(catalog, moment, to_datacite, record_from_datacite, doi=True)), TOLERATED, datacite_xsd
    )


def test_the_round_trip_sees_every_policy_state() -> None:
    """The moments cover every view: public, released by the clock, embargoed, restricted, metadata only, deleted."""
    states = set()
    for moment in MOMENTS.values():
        for catalog in CATALOGS.values():
            for shown in shown_at(catalog(), moment):
                released = shown.record.access.restricted and shown.view.visibility is Visibility.PUBLIC
                states.add((shown.view.visibility, shown.view.access_right, released))
    assert len(states) == 6, states


def test_the_round_trip_reads_a_released_restriction_back() -> None:
    """Data released by the clock comes back released at the same moment; before it, embargoed until then."""
    [before] = [s for s in shown_at(fixture_records(), MOMENTS["3 years before"]) if s.record.id == "embargoed"]
    [after] = [s for s in shown_at(fixture_records(), MOMENTS["400 days after"]) if s.record.id == "embargoed"]
    for shown, visibility in ((before, Visibility.RESTRICTED), (after, Visibility.PUBLIC)):
        trip = round_trip(shown, to_datacite, record_from_datacite)
        assert trip.view.visibility is visibility
        assert trip.record.access.until == shown.record.access.until
        assert trip.record.access.after is AfterDeadline.RELEASE


@pytest.mark.parametrize(("catalog", "moment"), ROUND_TRIP_CASES)
def test_own_statements_come_back_exactly(catalog: str, moment: str) -> None:
    """Reason, scope, deadline, what follows, schedule, caveat, rolling period and withdrawal, as the view showed."""
    for trip in trips(catalog, moment, to_datacite, record_from_datacite, doi=True):
        shown, read = trip.shown.record, trip.record
        visibility = trip.shown.view.visibility
        released = shown.access.restricted and visibility is Visibility.PUBLIC
        if visibility is not Visibility.DELETED and not released:
            assert read.access == shown.access, shown.id
        elif released:
            assert (read.access.until, read.access.after) == (shown.access.until, AfterDeadline.RELEASE), shown.id
            assert read.access.caveat == shown.access.caveat, shown.id
        else:
            assert read.lifecycle.discarded == trip.shown.view.withdrawn, shown.id
            assert_reason_read_back(shown, read)


def assert_reason_read_back(shown: Dataset, read: Dataset) -> None:
    """The withdrawal's reason as it was, or none, or (none given, the policy asking for one) ours."""
    reason = shown.lifecycle.reason
    default = {UNDETERMINED: WITHDRAWN_WITHOUT_REASON}
    assert read.lifecycle.reason == reason or (reason is None and read.lifecycle.reason == default), shown.id


def carried(record: Dataset) -> dict[str, Any]:
    """What DataCite carries of a record whatever the view: all but the id, names in Japanese, assets, related
    local ids (shown as where they resolve), retention, and the access and lifecycle (which depend on the view)."""
    value = record.to_dict()
    for name in ("id", "assets", "related", "retention", "access", "lifecycle"):
        value.pop(name, None)
    for name in ("creators", "contributors"):
        value[name] = [{k: v for k, v in agent.items() if k != "name_ja"} for agent in value.get(name, [])]
    return value


@pytest.mark.parametrize("catalog", CATALOGS)
def test_what_datacite_carries_comes_back_exactly(catalog: str) -> None:
    for trip in trips(catalog, "now", to_datacite, record_from_datacite, doi=True):
        assert carried(trip.record) == carried(trip.shown.record), trip.shown.record.id
        targets = {r.target for r in trip.record.related}
        assert not any(is_local_reference(target) for target in targets), trip.shown.record.id


def test_the_oai_datacite_wrapper_gives_the_same_record() -> None:
    [shown] = [s for s in shown_at(fixture_records(), NOW) if s.record.id == "public-full"]
    for namespace in ("http://schema.datacite.org/oai/oai-1.1/", "http://schema.datacite.org/oai/oai-1.0/"):
        wrapped = to_oai_datacite(shown.record, shown.view, datacentre_symbol="JAXA.ISAS")
        text = etree.tostring(wrapped, encoding="unicode").replace("http://schema.datacite.org/oai/oai-1.1/", namespace)
        resource = datacite_resource(etree.fromstring(text))
        assert record_from_datacite(resource) == record_from_datacite(to_datacite(shown.record, shown.view))
    bare = to_datacite(shown.record, shown.view)
    assert datacite_resource(bare) is bare


@pytest.mark.parametrize(
    ("xml", "message"),
    [
        ('<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/"/>', "found <dc> in namespace"),
        ('<resource xmlns="http://datacite.org/schema/kernel-3"/>', "kernel-3"),
        ('<oai_datacite xmlns="http://schema.datacite.org/oai/oai-1.1/"/>', "no payload"),
        ('<oai_datacite xmlns="http://schema.datacite.org/oai/oai-1.1/"><payload/></oai_datacite>', "empty payload"),
        (
            '<oai_datacite xmlns="http://schema.datacite.org/oai/oai-1.1/"><payload>'
            '<resource xmlns="http://datacite.org/schema/kernel-3"/></payload></oai_datacite>',
            "payload holds <resource> in namespace http://datacite.org/schema/kernel-3",
        ),
    ],
)
def test_anything_but_a_kernel_4_resource_is_refused(xml: str, message: str) -> None:
    with pytest.raises(InverseError, match=message):
        datacite_resource(etree.fromstring(xml))


# Foreign records: DataCite's own examples.

EXAMPLES = shared_path("schemas", "datacite-4.7", "examples")
REFUSED = {
    "datacite-example-award-v4.xml": "resourceTypeGeneral Award describes a grant, not data",
    "datacite-example-instrument-v4.xml": "resourceTypeGeneral Instrument describes an instrument, not data",
    "datacite-example-project-v4.xml": "resourceTypeGeneral Project describes a project, not data",
}
"""The examples that describe no data, and what the refusal says; every other example inverts."""


def example(name: str) -> dict[str, Any]:
    return record_from_datacite(datacite_resource(etree.parse(str(EXAMPLES / name)).getroot()))


@pytest.mark.parametrize("name", sorted(path.name for path in EXAMPLES.glob("*.xml")))
def test_every_example_inverts_or_is_refused_clearly(name: str) -> None:
    if name in REFUSED:
        with pytest.raises(InverseError, match=REFUSED[name]):
            example(name)
        return
    value = example(name)
    assert_accepted(value)
    assert not any(is_local_reference(related["target"]) for related in value.get("related", []))


def test_the_full_example() -> None:
    value = example("datacite-example-full-v4.xml")
    assert value["title"] == {"en": "Example Title: Example Subtitle", "fr": "Example TranslatedTitle"}
    assert value["doi"] == "10.82433/B09Z-4K37"
    assert value["category"] == "observation"
    assert value["creators"] == [
        {
            "name": "ExampleFamilyName, ExampleGivenName",
            "kind": "person",
            "orcid": "0000-0001-5727-2427",
            "ror": "https://ror.org/04wxnsj81",
            "affiliation": "ExampleAffiliation",
        },
        {"name": "ExampleOrganization", "kind": "organization", "ror": "https://ror.org/04wxnsj81"},
    ]
    roles = [c["role"] for c in value["contributors"]]
    assert roles[:3] == ["ContactPerson", "DataCollector", "DataCurator"]
    assert len(roles) == 22
    sponsor = next(c for c in value["contributors"] if c["role"] == "Sponsor")
    assert sponsor == {"name": "ExampleContributor", "kind": "organization", "role": "Sponsor"}
    assert value["temporal"] == {"start": "2024-01-01T00:00:00Z", "end": "2024-12-31T00:00:00Z"}
    assert value["issued"] == "2024-01-01T00:00:00Z"
    assert value["spatial"] == {"bbox": [-123.27, 49.195, -123.02, 49.315]}
    assert value["targets"] == ["Vancouver, British Columbia, Canada"]
    assert value["keywords"] == [
        "FOS: Computer and information sciences",
        "Digital curation and preservation",
        "Example Subject",
    ]
    assert value["formats"] == ["application/xml", "text/plain"]
    assert value["version"] == "1"
    assert value["description"] == {"en": "Example Abstract"}
    assert value["rights"] == {"license": "CC-BY-4.0"}
    assert value["access"] == {"status": "public"}
    assert value["lifecycle"] == {
        "state": "discarded",
        "discarded": "2024-01-01T00:00:00Z",
        "reason": WITHDRAWN_WITHOUT_REASON,
    }
    related = {(r["relation"], r["target"]) for r in value["related"]}
    assert ("IsCitedBy", "https://n2t.net/ark:/13030/tqb3kh97gh8w") in related
    assert ("Cites", "https://arxiv.org/abs/0706.0001") in related
    assert ("IsSupplementTo", "https://ui.adsabs.harvard.edu/abs/2018AGUFM.A24K..07S") in related
    assert ("IsDerivedFrom", "10.1016/j.epsl.2011.11.037") in related
    assert not any(relation == "Other" for relation, _ in related)


def test_the_dataset_example() -> None:
    value = example("datacite-example-dataset-v4.xml")
    assert value["title"] == {"en": "External Environmental Data, 2010-2020, National Gallery"}
    assert value["category"] == "observation"
    assert value["creators"] == [
        {"name": "National Gallery", "kind": "organization", "ror": "https://ror.org/043kfff89"}
    ]
    assert value["contributors"] == [
        {
            "name": "Padfield, Joseph",
            "kind": "person",
            "orcid": "0000-0002-2572-6428",
            "ror": "https://ror.org/043kfff89",
            "affiliation": "National Gallery",
            "role": "ContactPerson",
        },
        {
            "name": "Building Facilities Department",
            "kind": "organization",
            "affiliation": "National Gallery",
            "role": "DataCollector",
        },
    ]
    assert value["temporal"] == {"start": "2010-01-01T00:00:00Z", "end": "2020-12-31T23:59:59Z"}
    assert value["issued"] == "2022-01-01T00:00:00Z"
    assert value["spatial"] == {"bbox": [-0.12841, 51.50872, -0.12841, 51.50872]}
    assert value["targets"] == ["Roof of National Gallery, London, UK"]
    assert value["related"] == [
        {
            "relation": "IsSupplementTo",
            "target": "https://www.nationalgallery.org.uk/research/research-resources/research-papers/"
            "improving-our-environment",
        },
        {"relation": "IsSourceOf", "target": "https://research.ng-london.org.uk/scientific/env/"},
        {"relation": "IsSupplementedBy", "target": "10.1080/00393630.2018.1504449/"},
        {"relation": "IsDocumentedBy", "target": "10.5281/zenodo.7629200"},
    ]
    assert value["rights"] == {"license": "CC-BY-4.0"}
    assert value["access"] == {"status": "public"}
    assert value["formats"] == ["application/json"]
    assert value["version"] == "1.0"
    assert "lifecycle" not in value


# Foreign records: the access mapping and the other rules, on small resources.

RESOURCE = """<resource xmlns="http://datacite.org/schema/kernel-4">
  <identifier identifierType="DOI">10.1234/example</identifier>
  <creators>{creators}</creators>
  <titles>{titles}</titles>
  <publisher>Example Repository</publisher>
  <publicationYear>2024</publicationYear>
  <resourceType resourceTypeGeneral="{general}">Measurements</resourceType>
  <dates>{dates}</dates>
  <relatedIdentifiers>{related}</relatedIdentifiers>
  <rightsList>{rights}</rightsList>
  <descriptions>{descriptions}</descriptions>
  <geoLocations>{geo}</geoLocations>
</resource>"""
CREATOR = '<creator><creatorName nameType="Personal">Doe, Jane</creatorName></creator>'


def foreign(**parts: str) -> dict[str, Any]:
    defaults = {
        "creators": CREATOR,
        "titles": '<title xml:lang="en">Magnetometer data</title>',
        "general": "Dataset",
        "dates": "",
        "related": "",
        "rights": "",
        "descriptions": "",
        "geo": "",
    }
    value = record_from_datacite(etree.fromstring(RESOURCE.format(**{**defaults, **parts})))
    assert_accepted(value)
    return value


def assert_accepted(value: dict[str, Any]) -> None:
    """What the harvester needs (`contract.build` passes) and more: the JSON Schema holds but for a missing deadline."""
    assert build({**value, "id": CHECK_ID}).problems == []
    problems = [field for field, _ in schema_problems({**value, "id": CHECK_ID})]
    access = value["access"]
    without_deadline = access["status"] == "restricted" and "until" not in access
    assert problems == (["access.until"] if without_deadline else []), problems


def coar(code: str) -> str:
    return f'<rights rightsURI="http://purl.org/coar/access_right/{code}">access</rights>'


SCOPE = "users authorised by Example Repository"


@pytest.mark.parametrize(
    ("rights", "dates", "access"),
    [
        (coar("c_abf2"), "", {"status": "public"}),
        ("", "", {"status": "public"}),
        (
            coar("c_f1cf"),
            '<date dateType="Available">2027-06-30</date>',
            {
                "status": "restricted",
                "reason": "proprietary-period",
                "scope": SCOPE,
                "until": "2027-06-30T00:00:00Z",
                "after": "release",
            },
        ),
        (
            '<rights rightsURI="info:eu-repo/semantics/embargoedAccess"/>',
            '<date dateType="Available">2027-06</date>',
            {
                "status": "restricted",
                "reason": "proprietary-period",
                "scope": SCOPE,
                "until": "2027-06-01T00:00:00Z",
                "after": "release",
            },
        ),
        (
            coar("c_f1cf"),
            "",
            {"status": "restricted", "reason": "proprietary-period", "scope": SCOPE, "after": "review"},
        ),
        (coar("c_16ec"), "", {"status": "restricted", "reason": "rights-granted", "scope": SCOPE, "after": "review"}),
        (
            "<rights>info:eu-repo/semantics/closedAccess</rights>",
            "",
            {"status": "restricted", "reason": "rights-granted", "scope": SCOPE, "after": "review"},
        ),
        (coar("c_14cb"), "", {"status": "restricted", "reason": "rights-granted", "scope": SCOPE, "after": "review"}),
    ],
    ids=["open", "nothing-said", "embargoed", "eu-repo-embargoed", "embargoed-no-date", "restricted", "closed", "mo"],
)
def test_foreign_access(rights: str, dates: str, access: dict[str, Any]) -> None:
    assert foreign(rights=rights, dates=dates)["access"] == access


def test_restricted_data_without_a_deadline_gets_none() -> None:
    value = foreign(rights=coar("c_16ec"))
    assert "until" not in value["access"]
    checked = build({**value, "id": CHECK_ID})
    assert isinstance(checked.record, Dataset)
    assert checked.record.access.reason is RestrictionReason.RIGHTS_GRANTED
    assert dataset_timeline(checked.record).at(NOW + timedelta(days=36500)) is Visibility.RESTRICTED


def test_open_data_without_issued_is_issued_when_available() -> None:
    value = foreign(rights=coar("c_abf2"), dates='<date dateType="Available">2020-05-10</date>')
    assert value["issued"] == "2020-05-10T00:00:00Z"
    assert value["access"] == {"status": "public"}


@pytest.mark.parametrize(
    ("kind", "text", "target"),
    [
        ("DOI", "10.1234/abc", "10.1234/abc"),
        ("DOI", "https://doi.org/10.1234/abc", "10.1234/abc"),
        ("DOI", "doi:10.1234/abc", "10.1234/abc"),
        ("URL", "https://example.org/a", "https://example.org/a"),
        ("URL", "https://doi.org/10.1234/abc", "10.1234/abc"),
        ("URN", "urn:nbn:de:1234", "urn:nbn:de:1234"),
        ("ARK", "ark:/13030/tqb3kh97gh8w", "https://n2t.net/ark:/13030/tqb3kh97gh8w"),
        ("arXiv", "arXiv:0706.0001", "https://arxiv.org/abs/0706.0001"),
        ("arXiv", "0706.0001", "https://arxiv.org/abs/0706.0001"),
        ("Handle", "20.1000/100", "https://hdl.handle.net/20.1000/100"),
        ("Handle", "hdl:20.1000/100", "https://hdl.handle.net/20.1000/100"),
        ("bibcode", "2018A&amp;A...616A...1G", "https://ui.adsabs.harvard.edu/abs/2018A%26A...616A...1G"),
        ("PMID", "12082125", "https://pubmed.ncbi.nlm.nih.gov/12082125/"),
        ("ISBN", "0-12-345678-1", "urn:isbn:0-12-345678-1"),
        ("ISSN", "1234-5678", "urn:issn:1234-5678"),
        ("LSID", "urn:lsid:ubio.org:namebank:11815", "urn:lsid:ubio.org:namebank:11815"),
        ("Handle", "1234.1675", None),
        ("DOI", "not a doi", None),
        ("URL", "www.example.org", None),
        ("EAN13", "9783161484100", None),
        ("CSTR", "31253.11.sciencedb.13238", None),
    ],
)
def test_related_identifier_types(kind: str, text: str, target: str | None) -> None:
    related = f'<relatedIdentifier relatedIdentifierType="{kind}" relationType="References">{text}</relatedIdentifier>'
    found = foreign(related=related).get("related", [])
    assert found == ([] if target is None else [{"relation": "References", "target": target}])
    assert not any(is_local_reference(r["target"]) for r in found)


def test_a_relation_outside_the_contracts_list_is_left_out() -> None:
    related = (
        '<relatedIdentifier relatedIdentifierType="DOI" relationType="Other" relationTypeInformation="is reply to">'
        "10.1234/x</relatedIdentifier>"
    )
    assert "related" not in foreign(related=related)


@pytest.mark.parametrize(
    ("creators", "message"),
    [
        ("", "resource has no creator"),
        ("<creator><creatorName/></creator>", "creator 1 has no name"),
        (CREATOR + "<creator><affiliation>Somewhere</affiliation></creator>", "creator 2 has no name"),
    ],
)
def test_creators_without_names_are_refused(creators: str, message: str) -> None:
    with pytest.raises(InverseError, match=message):
        foreign(creators=creators)


def test_creators_from_family_and_given_names() -> None:
    creators = (
        "<creator><givenName>Jane</givenName><familyName>Doe</familyName>"
        '<nameIdentifier nameIdentifierScheme="ORCID">0000-0002-1825-0097</nameIdentifier></creator>'
        "<creator><creatorName>Example Observatory</creatorName>"
        '<nameIdentifier nameIdentifierScheme="ROR">https://ror.org/04wxnsj81</nameIdentifier></creator>'
    )
    assert foreign(creators=creators)["creators"] == [
        {"name": "Doe, Jane", "kind": "person", "orcid": "0000-0002-1825-0097"},
        {"name": "Example Observatory", "kind": "organization", "ror": "https://ror.org/04wxnsj81"},
    ]


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        ({"dates": '<date dateType="Issued">2023-02-30</date>'}, "Issued date '2023-02-30' is not a real date"),
        ({"dates": '<date dateType="Collected">soon</date>'}, "Collected date 'soon' is not a date"),
        ({"dates": '<date dateType="Withdrawn">2024-13</date>'}, "Withdrawn date '2024-13' is not a real date"),
        (
            {"dates": '<date dateType="Collected">2020-01-01T10:00:00</date>'},
            "Collected date '2020-01-01T10:00:00' is not a real date: .*no time zone",
        ),
        (
            {"dates": '<date dateType="Collected">2021-01-01/2020-01-01</date>'},
            "temporal.end: the coverage ends before it starts",
        ),
        ({"titles": ""}, "resource has no title"),
        ({"general": "Award"}, "describes a grant, not data"),
        (
            {
                "geo": "<geoLocation><geoLocationBox><westBoundLongitude>1</westBoundLongitude>"
                "<eastBoundLongitude>2</eastBoundLongitude><southBoundLatitude>50</southBoundLatitude>"
                "<northBoundLatitude>40</northBoundLatitude></geoLocationBox></geoLocation>"
            },
            "geoLocationBox has its south limit 50 north of its north limit 40",
        ),
        (
            {
                "geo": "<geoLocation><geoLocationPoint><pointLongitude>east</pointLongitude>"
                "</geoLocationPoint></geoLocation>"
            },
            "pointLongitude 'east' is not a number",
        ),
    ],
)
def test_what_is_not_a_dataset_is_refused(parts: dict[str, str], message: str) -> None:
    with pytest.raises(InverseError, match=message):
        foreign(**parts)


def test_a_malformed_doi_is_refused() -> None:
    text = RESOURCE.replace("10.1234/example", "ISAS-42")
    defaults = dict.fromkeys(("dates", "related", "rights", "descriptions", "geo"), "")
    xml = text.format(creators=CREATOR, titles="<title>T</title>", general="Dataset", **defaults)
    with pytest.raises(InverseError, match="identifier 'ISAS-42' is not a DOI"):
        record_from_datacite(etree.fromstring(xml))


def test_periods_and_dates() -> None:
    dates = (
        '<date dateType="Collected" dateInformation="ongoing">2020-03-01</date>'
        '<date dateType="Issued">2021-06-01T10:30:00+09:00</date>'
    )
    value = foreign(dates=dates)
    assert value["temporal"] == {"start": "2020-03-01T00:00:00Z", "end": None}
    assert value["issued"] == "2021-06-01T01:30:00Z"
    assert foreign(dates='<date dateType="Coverage">1578/1810</date>')["temporal"] == {
        "start": "1578-01-01T00:00:00Z",
        "end": "1810-12-31T23:59:59Z",
    }
    assert "temporal" not in foreign(dates='<date dateType="Collected">../2020</date>')


@pytest.mark.parametrize(
    ("rights", "expected"),
    [
        (
            '<rights rightsIdentifier="cc-by-sa-4.0" rightsIdentifierScheme="SPDX">CC BY-SA</rights>',
            {"license": "CC-BY-SA-4.0"},
        ),
        (
            '<rights rightsURI="https://creativecommons.org/licenses/by-nc/4.0/">BY-NC</rights>',
            {"license": "CC-BY-NC-4.0"},
        ),
        ('<rights rightsURI="https://creativecommons.org/publicdomain/zero/1.0/"/>', {"license": "CC0-1.0"}),
        (
            '<rights xml:lang="en">All rights reserved.</rights>',
            {"license": "NOASSERTION", "restrictions": {"en": "All rights reserved."}},
        ),
        (
            '<rights rightsURI="https://example.org/terms">Terms of use</rights>',
            {"license": "NOASSERTION", "restrictions": "Terms of use (https://example.org/terms)"},
        ),
        (coar("c_abf2"), None),
    ],
)
def test_licences(rights: str, expected: dict[str, Any] | None) -> None:
    assert foreign(rights=rights).get("rights") == expected


def test_a_withdrawn_record_is_a_tombstone_with_a_reason() -> None:
    value = foreign(rights=coar("c_14cb"), dates='<date dateType="Withdrawn">2024-02-01</date>')
    assert value["lifecycle"] == {
        "state": "discarded",
        "discarded": "2024-02-01T00:00:00Z",
        "reason": WITHDRAWN_WITHOUT_REASON,
    }
    checked = build({**value, "id": CHECK_ID})
    assert isinstance(checked.record, Dataset)
    assert dataset_timeline(checked.record).at(NOW) is Visibility.DELETED


def test_foreign_descriptions_and_titles() -> None:
    descriptions = (
        '<description descriptionType="Abstract" xml:lang="en">First.</description>'
        '<description descriptionType="Abstract" xml:lang="en">Second.</description>'
        '<description descriptionType="Abstract">Sans langue.</description>'
        '<description descriptionType="TechnicalInfo" xml:lang="en">Needs IDL 8.</description>'
    )
    titles = (
        '<title xml:lang="EN-us">Data</title><title titleType="AlternativeTitle">D</title>'
        '<title titleType="TranslatedTitle" xml:lang="ja">データ</title>'
    )
    value = foreign(descriptions=descriptions, titles=titles)
    assert value["description"] == {"en": "First.\n\nSecond.", UNDETERMINED: "Sans langue."}
    assert value["title"] == {"en-us": "Data", "ja": "データ"}
    assert "caveat" not in value["access"]


@pytest.mark.parametrize(
    ("general", "category"),
    [
        ("Dataset", Category.OBSERVATION),
        ("Software", Category.SOFTWARE),
        ("Workflow", Category.SOFTWARE),
        ("Model", Category.SIMULATION),
        ("Text", Category.DOCUMENT),
        ("Image", Category.DOCUMENT),
        ("Audiovisual", Category.DOCUMENT),
        ("Other", Category.DOCUMENT),
    ],
)
def test_categories_of_foreign_records(general: str, category: Category) -> None:
    assert foreign(general=general)["category"] == category


def test_person_and_organisation_without_name_type() -> None:
    creators = (
        "<creator><creatorName>Smith, John</creatorName></creator>"
        "<creator><creatorName>DARTS, ISAS/JAXA</creatorName></creator>"
    )
    kinds = [c["kind"] for c in foreign(creators=creators)["creators"]]
    assert kinds == [CreatorKind.PERSON, CreatorKind.ORGANIZATION]


def test_public_access_status_is_public() -> None:
    assert foreign()["access"]["status"] == AccessStatus.PUBLIC
