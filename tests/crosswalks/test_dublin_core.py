"""oai_dc of every demo dataset: valid, honest about each policy state, and never a data link it should not show."""

from typing import Any

import pytest
from lxml import etree

from catalog.policy import MANDATORY_CREDIT
from catalog.vocab import AccessRight, RestrictionReason, Visibility
from crosswalks.dublin_core import DC, OAI_DC, XML_LANG, to_oai_dc
from crosswalks.statements import (
    EU_REPO_ACCESS,
    MODIFICATION_DUTY,
    TERMS_OF_USE,
    credit_line,
    license_url,
    restriction,
    rolling_proprietary,
    withdrawal,
)
from tests.conftest import NOW
from tests.crosswalks.conftest import LANDING, Viewed, views

EMBARGO_END = "info:eu-repo/date/embargoEnd/"


def by_id(demo_views: list[Viewed], dataset_id: str) -> Viewed:
    return next(viewed for viewed in demo_views if viewed.record.id == dataset_id)


def texts(dc: etree._Element, name: str, language: str | None = None) -> list[str]:
    return [
        element.text or ""
        for element in dc.iterfind(f"{{{DC}}}{name}")
        if language is None or element.get(XML_LANG) == language
    ]


def embargo_ends(dc: etree._Element) -> list[str]:
    return [date for date in texts(dc, "date") if date.startswith(EMBARGO_END)]


def test_every_demo_dataset_is_valid_oai_dc(demo_views: list[Viewed], oai_dc_xsd: etree.XMLSchema) -> None:
    assert {viewed.view.visibility for viewed in demo_views} == {
        Visibility.PUBLIC,
        Visibility.RESTRICTED,
        Visibility.DELETED,
    }
    for viewed in demo_views:
        dc = to_oai_dc(viewed.record, viewed.view)
        oai_dc_xsd.assertValid(dc)
        assert dc.tag == f"{{{OAI_DC}}}dc"
        serialized = etree.tostring(dc, encoding="unicode")
        assert "ns0:" not in serialized
        assert serialized.startswith('<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/"')


def test_every_demo_dataset_states_its_rights(demo_views: list[Viewed]) -> None:
    for viewed in demo_views:
        record, view = viewed.record, viewed.view
        dc = to_oai_dc(record, view)
        rights = texts(dc, "rights")
        assert [r for r in rights if r.startswith("info:eu-repo/semantics/")] == [EU_REPO_ACCESS[view.access_right]]
        assert license_url(record.rights.license) in rights
        for language in ("en", "ja"):
            assert TERMS_OF_USE[language] in texts(dc, "rights", language)
            assert credit_line(record)[language] in texts(dc, "rights", language)
            assert MODIFICATION_DUTY[language] in texts(dc, "rights", language)
        assert texts(dc, "publisher") == [MANDATORY_CREDIT]
        has_embargo = view.access_right is AccessRight.EMBARGOED
        assert len(embargo_ends(dc)) == (1 if has_embargo else 0), record.id


def test_every_language_text_carries_its_language(demo_views: list[Viewed]) -> None:
    for viewed in demo_views:
        dc = to_oai_dc(viewed.record, viewed.view)
        for language, title in viewed.record.title.items():
            assert title in texts(dc, "title", None if language == "und" else language)
        for element in dc.iterfind(f"{{{DC}}}title"):
            assert element.get(XML_LANG) in (None, *viewed.record.title)


def test_restricted_and_deleted_datasets_show_no_asset_href(demo_views: list[Viewed]) -> None:
    closed = [viewed for viewed in demo_views if not viewed.view.shows_data_links]
    assert {viewed.view.visibility for viewed in closed} == {Visibility.RESTRICTED, Visibility.DELETED}
    for viewed in closed:
        serialized = etree.tostring(to_oai_dc(viewed.record, viewed.view), encoding="unicode")
        assert viewed.record.assets
        for asset in viewed.record.assets:
            assert asset.href not in serialized, (viewed.record.id, asset.href)


def test_public_dataset(demo_views: list[Viewed]) -> None:
    viewed = by_id(demo_views, "hyb2-onc-l2b")
    dc = to_oai_dc(viewed.record, viewed.view)
    assert EU_REPO_ACCESS[AccessRight.OPEN] == "info:eu-repo/semantics/openAccess"
    assert "info:eu-repo/semantics/openAccess" in texts(dc, "rights")
    assert texts(dc, "identifier") == [f"https://doi.org/{viewed.record.doi}"]
    assert texts(dc, "type") == ["Dataset"]
    assert viewed.record.issued is not None
    assert texts(dc, "date") == [viewed.record.issued.date().isoformat()]
    assert "https://creativecommons.org/licenses/by/4.0/" in texts(dc, "rights")
    assert texts(dc, "language") == ["en", "ja"]
    assert "Processing level: L2b" in texts(dc, "subject")
    assert texts(dc, "source") == [LANDING + "hyb2-onc-raw"]
    assert not [d for d in texts(dc, "description") if d.startswith("Not public")]


def test_public_dataset_with_caveat(demo_views: list[Viewed]) -> None:
    viewed = by_id(demo_views, "hayabusa-xrs-l1")
    caveat = viewed.record.access.caveat
    assert viewed.view.visibility is Visibility.PUBLIC
    assert caveat is not None
    dc = to_oai_dc(viewed.record, viewed.view)
    assert "info:eu-repo/semantics/openAccess" in texts(dc, "rights")
    for language, text in caveat.items():
        assert text in texts(dc, "description", None if language == "und" else language)
    assert embargo_ends(dc) == []


@pytest.mark.parametrize(
    ("dataset_id", "reason", "term"),
    [
        ("balloon-launch-video", RestrictionReason.PRIVACY_OR_SAFETY, "info:eu-repo/semantics/closedAccess"),
        ("hyb2-onc-raw", RestrictionReason.INCOMPLETE_PROCESSING, "info:eu-repo/semantics/restrictedAccess"),
        ("xrism-l0", RestrictionReason.PROPRIETARY_PERIOD, "info:eu-repo/semantics/restrictedAccess"),
        ("hayabusa-ion-engine-hk", RestrictionReason.RIGHTS_GRANTED, "info:eu-repo/semantics/restrictedAccess"),
    ],
)
def test_restricted_dataset_per_reason(
    demo_views: list[Viewed], dataset_id: str, reason: RestrictionReason, term: str
) -> None:
    viewed = by_id(demo_views, dataset_id)
    assert viewed.view.visibility is Visibility.RESTRICTED
    assert viewed.record.access.reason is reason
    dc = to_oai_dc(viewed.record, viewed.view)
    assert term in texts(dc, "rights")
    assert embargo_ends(dc) == []
    statement = restriction(viewed.record, viewed.view)
    assert statement is not None
    assert texts(dc, "description", "en").count(statement["en"]) == 1
    assert texts(dc, "description", "ja").count(statement["ja"]) == 1
    assert (viewed.record.access.scope or "?") in statement["en"]
    assert "https://creativecommons.org/licenses/by/4.0/" in texts(dc, "rights")


def test_release_schedule_of_blocked_processing(demo_views: list[Viewed]) -> None:
    viewed = by_id(demo_views, "hyb2-onc-raw")
    schedule = viewed.record.access.release_schedule
    assert schedule is not None
    dc = to_oai_dc(viewed.record, viewed.view)
    for language, text in schedule.items():
        assert text in texts(dc, "description", None if language == "und" else language)


@pytest.mark.parametrize("dataset_id", ["ryugu-sample-nasa", "kaguya-map-pace", "mio-mppe-cruise"])
def test_embargoed_dataset(demo_views: list[Viewed], dataset_id: str) -> None:
    viewed = by_id(demo_views, dataset_id)
    view = viewed.view
    assert view.access_right is AccessRight.EMBARGOED
    assert view.available_scheduled
    assert view.available is not None
    dc = to_oai_dc(viewed.record, view)
    assert "info:eu-repo/semantics/embargoedAccess" in texts(dc, "rights")
    assert embargo_ends(dc) == [EMBARGO_END + view.available.date().isoformat()]
    statement = restriction(viewed.record, viewed.view)
    assert statement is not None
    assert statement["en"] in texts(dc, "description", "en")
    assert statement["ja"] in texts(dc, "description", "ja")
    assert "then it becomes public" in statement["en"]


def test_embargo_with_release_schedule(demo_views: list[Viewed]) -> None:
    viewed = by_id(demo_views, "kaguya-map-pace")
    schedule = viewed.record.access.release_schedule
    assert schedule is not None
    dc = to_oai_dc(viewed.record, viewed.view)
    assert set(schedule.values()) <= set(texts(dc, "description"))


@pytest.mark.parametrize("dataset_id", ["ryugu-sample-initial", "xrism-resolve-pv", "akari-fis-bsc"])
def test_released_automatically(demo_views: list[Viewed], dataset_id: str) -> None:
    viewed = by_id(demo_views, dataset_id)
    assert viewed.record.access.restricted
    assert viewed.view.visibility is Visibility.PUBLIC
    dc = to_oai_dc(viewed.record, viewed.view)
    assert "info:eu-repo/semantics/openAccess" in texts(dc, "rights")
    assert embargo_ends(dc) == []
    assert not [d for d in texts(dc, "description") if d.startswith(("Not public", "非公開"))]


def test_rolling_proprietary_period(demo_views: list[Viewed]) -> None:
    viewed = by_id(demo_views, "xrism-resolve-obs")
    note = rolling_proprietary(viewed.record)
    assert viewed.view.visibility is Visibility.PUBLIC
    assert note is not None
    dc = to_oai_dc(viewed.record, viewed.view)
    assert "info:eu-repo/semantics/openAccess" in texts(dc, "rights")
    assert note["en"] in texts(dc, "description", "en")
    assert note["ja"] in texts(dc, "description", "ja")
    assert "12 months" in note["en"]


@pytest.mark.parametrize("dataset_id", ["ryugu-shape-v1", "hyb2-touchdown-sim"])
def test_deleted_dataset(demo_views: list[Viewed], dataset_id: str) -> None:
    viewed = by_id(demo_views, dataset_id)
    assert viewed.view.visibility is Visibility.DELETED
    dc = to_oai_dc(viewed.record, viewed.view)
    assert texts(dc, "rights")[0] == "info:eu-repo/semantics/closedAccess"
    assert embargo_ends(dc) == []
    statement = withdrawal(viewed.record, viewed.view)
    assert statement is not None
    assert statement["en"] in texts(dc, "description", "en")
    assert statement["ja"] in texts(dc, "description", "ja")
    assert not [d for d in texts(dc, "description") if d.startswith(("Not public", "非公開"))]


def dataset(dataset_id: str, **fields: Any) -> dict[str, Any]:
    return {
        "type": "dataset",
        "id": dataset_id,
        "title": {"en": f"Dataset {dataset_id}"},
        "category": "observation",
        "creators": [{"name": "Tanaka, Misaki", "kind": "person"}],
        "access": {"status": "public"},
        **fields,
    }


def test_related_dataset_that_is_not_disclosed_is_not_named() -> None:
    secret = {
        "status": "restricted",
        "reason": "privacy-or-safety",
        "disclose": False,
        "scope": "Range safety office",
        "until": "2030-01-01",
    }
    catalog = views(
        iter(
            [
                dataset(
                    "shown",
                    related=[
                        {"relation": "IsDerivedFrom", "target": "secret-source"},
                        {"relation": "References", "target": "secret-source"},
                        {"relation": "IsSupplementTo", "target": "unknown-dataset"},
                        {"relation": "IsDerivedFrom", "target": "open-source"},
                        {"relation": "References", "target": "10.1234/abc"},
                        {"relation": "IsDocumentedBy", "target": "https://example.org/paper"},
                    ],
                ),
                dataset("secret-source", access=secret, doi="10.9999/secret"),
                dataset("open-source"),
            ]
        )
    )
    assert [viewed.record.id for viewed in catalog] == ["shown", "open-source"]
    viewed = catalog[0]
    serialized = etree.tostring(to_oai_dc(viewed.record, viewed.view), encoding="unicode")
    assert "secret" not in serialized
    assert "10.9999" not in serialized
    assert "unknown-dataset" not in serialized
    dc = to_oai_dc(viewed.record, viewed.view)
    assert texts(dc, "source") == [LANDING + "open-source"]
    assert texts(dc, "relation") == ["https://doi.org/10.1234/abc", "https://example.org/paper"]


def test_coverage_language_and_plain_strings() -> None:
    [viewed] = views(
        iter(
            [
                dataset(
                    "plain",
                    title="A plain title",
                    description="A plain description",
                    category="software",
                    temporal={"start": "2020-01-01", "end": None},
                    spatial={"bbox": [143.0, 42.4, 143.5, 42.6]},
                    targets=["Earth atmosphere"],
                    keywords=["bell\x07", ""],
                )
            ]
        )
    )
    dc = to_oai_dc(viewed.record, viewed.view)
    assert [element.get(XML_LANG) for element in dc.iterfind(f"{{{DC}}}title")] == [None]
    assert texts(dc, "description")[0] == "A plain description"
    assert texts(dc, "language") == []
    assert texts(dc, "type") == ["Software"]
    assert texts(dc, "subject") == ["Earth atmosphere", "bell"]
    assert texts(dc, "identifier") == []
    assert texts(dc, "coverage") == [
        "2020-01-01/..",
        "Earth atmosphere",
        "westlimit=143.0; southlimit=42.4; eastlimit=143.5; northlimit=42.6",
    ]


@pytest.mark.parametrize(
    ("dataset_id", "types"),
    [
        ("hayabusa-reentry-video", ["MovingImage", "StillImage"]),
        ("isas-photo-archive", ["StillImage"]),
        ("xrism-caldb", ["Software"]),
        ("suzaku-fff", ["Dataset"]),
    ],
)
def test_dcmi_type_by_category_and_formats(demo_views: list[Viewed], dataset_id: str, types: list[str]) -> None:
    viewed = by_id(demo_views, dataset_id)
    assert texts(to_oai_dc(viewed.record, viewed.view), "type") == types


def test_crosswalk_is_pure(demo_views: list[Viewed]) -> None:
    viewed = by_id(demo_views, "xrism-l0")
    first = etree.tostring(to_oai_dc(viewed.record, viewed.view))
    assert first == etree.tostring(to_oai_dc(viewed.record, viewed.view))
    assert viewed.view.at == NOW
