"""oai_dc back to a record: our own records shown again as they were, up to what simple DC cannot carry.

The round trip runs through the harness of `test_from_datacite.py`, with the tolerances simple DC needs.
"""

from dataclasses import replace
from typing import Any

import pytest
from lxml import etree

from catalog.contract import build, is_local_reference
from catalog.policy import dataset_timeline
from catalog.records import UNDETERMINED, Dataset
from catalog.vocab import Category, Visibility
from crosswalks.dublin_core import DC, to_oai_dc
from crosswalks.from_dublin_core import InverseError, record_from_oai_dc
from crosswalks.inverse import CHECK_ID, WITHDRAWN_WITHOUT_REASON
from crosswalks.statements import withdrawal
from tests.conftest import NOW
from tests.crosswalks.test_from_datacite import (
    ROUND_TRIP_CASES,
    RoundTrip,
    Tolerance,
    assert_accepted,
    assert_reason_read_back,
    assert_round_trips,
    trips,
)


def sort_subjects(document: etree._Element, trip: RoundTrip) -> None:
    subjects = list(document.iterchildren(f"{{{DC}}}subject"))
    if not subjects:
        return
    position = document.index(subjects[0])
    for subject in subjects:
        document.remove(subject)
    for offset, subject in enumerate(sorted(subjects, key=lambda element: element.text or "")):
        document.insert(position + offset, subject)


def drop_default_withdrawal_reason(document: etree._Element, trip: RoundTrip) -> None:
    """Write the withdrawal statement the record read back would have without the reason the inverse gave it."""
    lifecycle = trip.record.lifecycle
    if lifecycle.reason is None or lifecycle.reason.get(UNDETERMINED) != WITHDRAWN_WITHOUT_REASON:
        return
    given = withdrawal(trip.record, trip.view) or {}
    without = withdrawal(replace(trip.record, lifecycle=replace(lifecycle, reason=None)), trip.view) or {}
    for element in document.iter(etree.Element):
        for language, text in given.items():
            if element.text == text:
                element.text = without[language]


TOLERATED = (
    Tolerance(
        "order of dc:subject",
        "simple DC has no subject schemes: the mission and instruments come back as keywords, and keywords are "
        "written after the targets (the targets are the subjects that are also places in dc:coverage)",
        sort_subjects,
    ),
    Tolerance(
        "withdrawal statement",
        "simple DC does not say a dataset's category (dc:type Dataset covers six): a tombstone without a stated "
        "reason may read back as data the policy keeps long-term, whose discard needs a reason, and gets "
        "`WITHDRAWN_WITHOUT_REASON`",
        drop_default_withdrawal_reason,
    ),
)
"""The only differences the oai_dc round trip tolerates."""


@pytest.mark.parametrize(("catalog", "moment"), ROUND_TRIP_CASES)
def test_round_trip(catalog: str, moment: str, oai_dc_xsd: etree.XMLSchema) -> None:
    assert_round_trips(list(trips(catalog, moment, to_oai_dc, record_from_oai_dc, doi=False)), TOLERATED, oai_dc_xsd)


@pytest.mark.parametrize(("catalog", "moment"), ROUND_TRIP_CASES)
def test_own_restrictions_and_withdrawals_come_back(catalog: str, moment: str) -> None:
    """Reason, scope, deadline, what follows and the schedule of restricted data; when and why data was withdrawn."""
    for trip in trips(catalog, moment, to_oai_dc, record_from_oai_dc, doi=False):
        shown, read = trip.shown.record, trip.record
        visibility = trip.shown.view.visibility
        if visibility is Visibility.RESTRICTED:
            assert read.access == shown.access, shown.id
        elif visibility is Visibility.DELETED:
            withdrawn = trip.shown.view.withdrawn
            assert withdrawn is not None
            assert read.lifecycle.discarded is not None
            assert read.lifecycle.discarded.date() == withdrawn.date(), shown.id
            assert_reason_read_back(shown, read)
        elif not shown.access.restricted:
            assert read.access.proprietary_months == shown.access.proprietary_months, shown.id


def test_the_withdrawal_tolerance_is_needed() -> None:
    """Simulation data withdrawn without a reason reads back as data of a category kept long-term."""
    found = [t for t in trips("demo", "now", to_oai_dc, record_from_oai_dc, doi=False) if t.record.discarded]
    defaulted = {t.shown.record.id for t in found if t.shown.record.lifecycle.reason is None}
    assert defaulted == {"hyb2-touchdown-sim"}
    for trip in found:
        if trip.shown.record.id in defaulted:
            assert trip.record.category is Category.OBSERVATION


# Foreign records.

OAI_DC = (
    '<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/">{}</oai_dc:dc>'
)


def dc(*elements: str, title: bool = True, creator: bool = True) -> dict[str, Any]:
    parts = [
        *(["<dc:title>Ionospheric soundings</dc:title>"] if title else []),
        *(["<dc:creator>Doe, Jane</dc:creator>"] if creator else []),
        "<dc:publisher>Example Repository</dc:publisher>",
        *elements,
    ]
    value = record_from_oai_dc(etree.fromstring(OAI_DC.format("".join(parts))))
    assert_accepted(value)
    return value


SCOPE = "users authorised by Example Repository"


@pytest.mark.parametrize(
    ("elements", "access"),
    [
        (("<dc:rights>info:eu-repo/semantics/openAccess</dc:rights>",), {"status": "public"}),
        ((), {"status": "public"}),
        (
            (
                "<dc:rights>info:eu-repo/semantics/embargoedAccess</dc:rights>",
                "<dc:date>info:eu-repo/date/embargoEnd/2027-06-30</dc:date>",
            ),
            {
                "status": "restricted",
                "reason": "proprietary-period",
                "scope": SCOPE,
                "until": "2027-06-30T00:00:00Z",
                "after": "release",
            },
        ),
        (
            ("<dc:rights>info:eu-repo/semantics/embargoedAccess</dc:rights>",),
            {"status": "restricted", "reason": "proprietary-period", "scope": SCOPE, "after": "review"},
        ),
        (
            ("<dc:rights>info:eu-repo/semantics/restrictedAccess</dc:rights>",),
            {"status": "restricted", "reason": "rights-granted", "scope": SCOPE, "after": "review"},
        ),
        (
            ("<dc:rights>info:eu-repo/semantics/closedAccess</dc:rights>",),
            {"status": "restricted", "reason": "rights-granted", "scope": SCOPE, "after": "review"},
        ),
    ],
    ids=["open", "nothing-said", "embargoed", "embargoed-no-date", "restricted", "closed"],
)
def test_foreign_access(elements: tuple[str, ...], access: dict[str, Any]) -> None:
    assert dc(*elements)["access"] == access


def test_restricted_data_without_a_deadline_stays_restricted() -> None:
    checked = build({**dc("<dc:rights>info:eu-repo/semantics/restrictedAccess</dc:rights>"), "id": CHECK_ID})
    assert isinstance(checked.record, Dataset)
    assert checked.record.access.until is None
    assert dataset_timeline(checked.record).at(NOW) is Visibility.RESTRICTED


@pytest.mark.parametrize(
    "identifier",
    ["https://doi.org/10.1234/abc", "http://dx.doi.org/10.1234/abc", "doi:10.1234/abc", "info:doi/10.1234/abc"],
)
def test_dois(identifier: str) -> None:
    value = dc(f"<dc:identifier>https://example.org/landing</dc:identifier><dc:identifier>{identifier}</dc:identifier>")
    assert value["doi"] == "10.1234/abc"


def test_openaire_alternative_doi() -> None:
    value = dc("<dc:relation>info:eu-repo/semantics/altIdentifier/doi/10.1234/alt</dc:relation>")
    assert value["doi"] == "10.1234/alt"
    assert "related" not in value


def test_relations() -> None:
    value = dc(
        "<dc:source>https://doi.org/10.1234/raw</dc:source>",
        "<dc:source>Journal of Examples, vol. 3</dc:source>",
        "<dc:relation>https://example.org/paper</dc:relation>",
        "<dc:relation>info:eu-repo/grantAgreement/EC/H2020/12345</dc:relation>",
        "<dc:relation>ark:/13030/tqb3kh97gh8w</dc:relation>",
        "<dc:relation>urn:nbn:de:1234</dc:relation>",
    )
    assert value["related"] == [
        {"relation": "IsDerivedFrom", "target": "10.1234/raw"},
        {"relation": "References", "target": "https://example.org/paper"},
        {"relation": "References", "target": "https://n2t.net/ark:/13030/tqb3kh97gh8w"},
        {"relation": "References", "target": "urn:nbn:de:1234"},
    ]
    assert not any(is_local_reference(r["target"]) for r in value["related"])


def test_creators() -> None:
    value = dc(
        "<dc:creator>Example Observatory, Space Physics Group</dc:creator>",
        "<dc:creator>DARTS, ISAS/JAXA</dc:creator>",
        "<dc:contributor>Smith, John</dc:contributor>",
    )
    assert value["creators"] == [
        {"name": "Doe, Jane", "kind": "person"},
        {"name": "Example Observatory, Space Physics Group", "kind": "organization"},
        {"name": "DARTS, ISAS/JAXA", "kind": "organization"},
    ]
    assert value["contributors"] == [{"name": "Smith, John", "kind": "person", "role": "Other"}]


def test_the_publisher_stands_in_for_missing_creators() -> None:
    assert dc(creator=False)["creators"] == [{"name": "Example Repository", "kind": "organization"}]


def test_a_record_without_creator_or_publisher_is_refused() -> None:
    with pytest.raises(InverseError, match="no creator and no publisher"):
        record_from_oai_dc(etree.fromstring(OAI_DC.format("<dc:title>T</dc:title>")))


@pytest.mark.parametrize(
    ("types", "category"),
    [
        ((), Category.OBSERVATION),
        (("Dataset",), Category.OBSERVATION),
        (("http://purl.org/dc/dcmitype/Software",), Category.SOFTWARE),
        (("info:eu-repo/semantics/publishedVersion", "info:eu-repo/semantics/article"), Category.DOCUMENT),
        (("info:eu-repo/semantics/dataset",), Category.OBSERVATION),
        (("MovingImage", "StillImage"), Category.DOCUMENT),
        (("Event", "Text"), Category.DOCUMENT),
    ],
)
def test_types(types: tuple[str, ...], category: Category) -> None:
    assert dc(*(f"<dc:type>{t}</dc:type>" for t in types))["category"] == category


@pytest.mark.parametrize(
    ("elements", "message"),
    [
        (("<dc:type>PhysicalObject</dc:type>",), "describes a physical object, not data"),
        (("<dc:date>2023-02-30</dc:date>",), "dc:date '2023-02-30' is not a real date"),
        (("<dc:date>last spring</dc:date>",), "dc:date 'last spring' is not a date"),
        (("<dc:date>info:eu-repo/date/embargoEnd/2027-13-01</dc:date>",), "embargoEnd date '2027-13-01'"),
        (("<dc:coverage>2021-01-01/2020-01-01</dc:coverage>",), "the coverage ends before it starts"),
        (
            ("<dc:coverage>westlimit=10; southlimit=60; eastlimit=20; northlimit=50</dc:coverage>",),
            "DCMI Box has its south limit 60 north of its north limit 50",
        ),
        (("<dc:coverage>westlimit=x; southlimit=1; eastlimit=2; northlimit=3</dc:coverage>",), "westlimit 'x'"),
    ],
)
def test_what_is_not_a_dataset_is_refused(elements: tuple[str, ...], message: str) -> None:
    with pytest.raises(InverseError, match=message):
        dc(*elements)


def test_a_record_without_title_is_refused() -> None:
    with pytest.raises(InverseError, match="oai_dc record has no title"):
        dc(title=False)


def test_anything_but_oai_dc_is_refused() -> None:
    with pytest.raises(InverseError, match="expected an oai_dc:dc element, found <resource>"):
        record_from_oai_dc(etree.fromstring('<resource xmlns="http://datacite.org/schema/kernel-4"/>'))


def test_coverage_dates_and_texts() -> None:
    value = dc(
        "<dc:coverage>start=2019-01-01; end=2019-12-31; scheme=W3C-DTF</dc:coverage>",
        "<dc:coverage>Syowa Station</dc:coverage>",
        "<dc:coverage>westlimit=39.5; southlimit=-69.1; eastlimit=39.7; northlimit=-68.9</dc:coverage>",
        "<dc:subject>Syowa Station</dc:subject>",
        "<dc:subject>aurora</dc:subject>",
        "<dc:date>2020</dc:date>",
        '<dc:title xml:lang="ja">昭和基地の観測</dc:title>',
        '<dc:description xml:lang="en">Riometer data.</dc:description>',
        '<dc:description xml:lang="en">Calibrated.</dc:description>',
        "<dc:format>CDF</dc:format>",
    )
    assert value["temporal"] == {"start": "2019-01-01T00:00:00Z", "end": "2019-12-31T00:00:00Z"}
    assert value["spatial"] == {"bbox": [39.5, -69.1, 39.7, -68.9]}
    assert value["targets"] == ["Syowa Station"]
    assert value["keywords"] == ["aurora"]
    assert value["issued"] == "2020-01-01T00:00:00Z"
    assert value["title"] == {UNDETERMINED: "Ionospheric soundings", "ja": "昭和基地の観測"}
    assert value["description"] == {"en": "Riometer data.\n\nCalibrated."}
    assert value["formats"] == ["CDF"]
    assert dc("<dc:coverage>2020-05-01/..</dc:coverage>")["temporal"] == {"start": "2020-05-01T00:00:00Z", "end": None}


@pytest.mark.parametrize(
    ("rights", "expected"),
    [
        ("https://creativecommons.org/licenses/by/4.0/", {"license": "CC-BY-4.0"}),
        ("https://spdx.org/licenses/MIT.html", {"license": "MIT"}),
        ("cc0-1.0", {"license": "CC0-1.0"}),
        (
            "Copyright 2020 Example Repository",
            {"license": "NOASSERTION", "restrictions": "Copyright 2020 Example Repository"},
        ),
        ("info:eu-repo/semantics/openAccess", None),
    ],
)
def test_licences(rights: str, expected: dict[str, Any] | None) -> None:
    assert dc(f"<dc:rights>{rights}</dc:rights>").get("rights") == expected
