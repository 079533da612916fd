"""DataCite 4.7: valid for every dataset with a DOI, honest about the policy, never a download link or a secret."""

from dataclasses import replace
from typing import Any

import pytest
from lxml import etree

from catalog.policy import ISAS_ROR, JAXA_ROR
from catalog.records import UNDETERMINED, Agent, Dataset, Related
from catalog.vocab import AccessRight, CreatorKind, Visibility
from crosswalks.datacite import NS, SCHEMA_LOCATION, XSI, can_disseminate, to_datacite
from crosswalks.statements import (
    COAR_ACCESS_RIGHTS,
    GOJ_TERMS_URL,
    MODIFICATION_DUTY,
    TERMS_OF_USE,
    credit_line,
    restriction,
    rolling_proprietary,
    withdrawal,
)
from tests.crosswalks.conftest import Viewed, views

NSMAP = {"d": NS}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
TEST_DOI = "10.99999/test-only"


def by_id(demo_views: list[Viewed], dataset_id: str, *, doi: bool = False) -> Viewed:
    """The demo dataset `dataset_id`, given a DOI when asked (no restricted demo dataset has one)."""
    found = next(v for v in demo_views if v.record.id == dataset_id)
    if doi and found.record.doi is None:
        return Viewed(replace(found.record, doi=TEST_DOI), found.view)
    return found


def render(viewed: Viewed) -> etree._Element:
    return to_datacite(viewed.record, viewed.view)


def texts(element: etree._Element, path: str) -> list[str]:
    return [str(found) for found in element.xpath(path, namespaces=NSMAP)]


def one(element: etree._Element, path: str) -> str:
    found = texts(element, path)
    assert len(found) == 1, (path, found)
    return found[0]


def available(element: etree._Element) -> tuple[str, str] | None:
    found = element.xpath("d:dates/d:date[@dateType='Available']", namespaces=NSMAP)
    assert isinstance(found, list)
    if not found:
        return None
    date = found[0]
    assert isinstance(date, etree._Element)
    return str(date.text), str(date.get("dateInformation"))


def disseminated(demo_views: list[Viewed]) -> list[Viewed]:
    return [v for v in demo_views if can_disseminate(v.record)]


def test_every_demo_dataset_with_a_doi_is_valid(demo_views: list[Viewed], datacite_xsd: etree.XMLSchema) -> None:
    assert len(disseminated(demo_views)) > 50
    for viewed in disseminated(demo_views):
        element = render(viewed)
        datacite_xsd.assertValid(element)
        assert element.get(f"{{{XSI}}}schemaLocation") == SCHEMA_LOCATION
        assert one(element, "d:identifier[@identifierType='DOI']/text()") == viewed.record.doi
        assert one(element, "d:alternateIdentifiers/d:alternateIdentifier/text()") == viewed.record.id


def test_every_demo_dataset_given_a_doi_is_valid(demo_views: list[Viewed], datacite_xsd: etree.XMLSchema) -> None:
    for viewed in demo_views:
        datacite_xsd.assertValid(render(by_id(demo_views, viewed.record.id, doi=True)))


def test_a_dataset_without_doi_cannot_be_disseminated(demo_views: list[Viewed]) -> None:
    without = [v for v in demo_views if v.record.doi is None]
    assert without
    for viewed in without:
        assert not can_disseminate(viewed.record)
        with pytest.raises(ValueError, match="no DOI"):
            render(viewed)


def test_output_uses_the_default_namespace_and_languages(demo_views: list[Viewed]) -> None:
    for viewed in disseminated(demo_views):
        element = render(viewed)
        serialized = etree.tostring(element, pretty_print=True, encoding="unicode")
        assert "ns0:" not in serialized
        assert serialized.startswith(f'<resource xmlns="{NS}"')
        record = viewed.record
        undetermined = {
            text[UNDETERMINED]
            for text in (record.title, record.description, record.access.caveat, record.lifecycle.reason)
            if text is not None and UNDETERMINED in text
        }
        found = element.xpath("d:titles/d:title | d:descriptions/d:description", namespaces=NSMAP)
        assert isinstance(found, list)
        for child in found:
            assert isinstance(child, etree._Element)
            assert child.get(XML_LANG) is not None or child.text in undetermined, child.text


def test_titles_english_first_then_translated(demo_views: list[Viewed]) -> None:
    element = render(by_id(demo_views, "hyb2-onc-l2b"))
    assert texts(element, "d:titles/d:title[1]/@xml:lang") == ["en"]
    assert texts(element, "d:titles/d:title[2]/@titleType") == ["TranslatedTitle"]
    assert texts(element, "d:titles/d:title[2]/@xml:lang") == ["ja"]


def test_public_dataset(demo_views: list[Viewed]) -> None:
    viewed = by_id(demo_views, "hyb2-onc-l2b")
    element = render(viewed)
    rights = "d:rightsList/d:rights"
    assert texts(element, f"{rights}[@rightsURI='{COAR_ACCESS_RIGHTS[AccessRight.OPEN]}']/text()") == ["open access"]
    assert texts(element, f"{rights}[@rightsIdentifierScheme='SPDX']/@rightsIdentifier") == ["CC-BY-4.0"]
    assert texts(element, f"{rights}[@rightsIdentifier='CC-BY-4.0']/@rightsURI") == [
        "https://creativecommons.org/licenses/by/4.0/"
    ]
    assert texts(element, f"{rights}[@rightsURI='{GOJ_TERMS_URL}']/text()") == [TERMS_OF_USE["en"], TERMS_OF_USE["ja"]]
    credits = credit_line(viewed.record)
    assert credits["en"].startswith("Credit: ISAS/JAXA; Hayabusa2 ONC team")
    assert credits["en"] in texts(element, f"{rights}/text()")
    assert credits["ja"] in texts(element, f"{rights}/text()")
    assert MODIFICATION_DUTY["ja"] in texts(element, f"{rights}/text()")
    assert available(element) == ("2020-05-10", "first made public")
    assert one(element, "d:publicationYear/text()") == "2020"
    assert texts(element, "d:contributors/d:contributor[@contributorType='RightsHolder']/d:nameIdentifier/text()") == [
        JAXA_ROR
    ]
    hosting = "d:contributors/d:contributor[@contributorType='HostingInstitution']/d:nameIdentifier/text()"
    assert texts(element, hosting) == [ISAS_ROR]
    assert texts(element, "d:publisher/@publisherIdentifier") == [ISAS_ROR]
    assert texts(element, "d:creators/d:creator/d:familyName/text()") == ["Sugita"]
    assert texts(element, "d:descriptions/d:description/@descriptionType") == ["Abstract", "Abstract"]


def test_local_relations_resolve_and_external_ones_are_typed(demo_views: list[Viewed]) -> None:
    element = render(by_id(demo_views, "suzaku-xis-evt"))
    related = {
        (str(r.get("relatedIdentifierType")), str(r.text))
        for r in element.iterfind(f"{{{NS}}}relatedIdentifiers/{{{NS}}}relatedIdentifier")
    }
    assert ("URL", "https://catalog.example.org/datasets/suzaku-fff") in related
    assert ("DOI", "10.17597/isas.darts/suzaku-00050") in related
    assert ("DOI", "10.1093/pasj/59.sp1.S1") in related
    assert "suzaku-fff" not in {text for _, text in related}


def test_public_with_caveat(demo_views: list[Viewed]) -> None:
    viewed = by_id(demo_views, "hayabusa-xrs-l1")
    caveat = viewed.record.access.caveat
    assert caveat is not None
    technical = texts(render(viewed), "d:descriptions/d:description[@descriptionType='TechnicalInfo']/text()")
    assert technical == list(caveat.values())


@pytest.mark.parametrize(
    ("dataset_id", "access_right"),
    [
        ("balloon-launch-video", AccessRight.METADATA_ONLY),
        ("hyb2-onc-raw", AccessRight.RESTRICTED),
        ("xrism-l0", AccessRight.RESTRICTED),
        ("kaguya-hdtv", AccessRight.RESTRICTED),
        ("ryugu-sample-nasa", AccessRight.EMBARGOED),
    ],
)
def test_restricted_for_each_reason(demo_views: list[Viewed], dataset_id: str, access_right: AccessRight) -> None:
    viewed = by_id(demo_views, dataset_id, doi=True)
    assert viewed.view.visibility is Visibility.RESTRICTED
    access = viewed.record.access
    assert access.reason is not None
    assert access.scope is not None
    assert access.until is not None
    element = render(viewed)
    assert texts(element, "d:rightsList/d:rights[starts-with(@rightsURI, 'http://purl.org/coar/')]/@rightsURI") == [
        COAR_ACCESS_RIGHTS[access_right]
    ]
    statement = restriction(viewed.record, viewed.view)
    assert statement is not None
    other = texts(element, "d:descriptions/d:description[@descriptionType='Other']/text()")
    assert other == [statement["en"], statement["ja"]]
    deadline = access.until.date().isoformat()
    for text in other:
        assert access.scope in text
        assert deadline in text
    assert "Not public, because" in other[0]
    assert other[1].startswith("非公開：")
    assert texts(element, "d:descriptions/d:description[@descriptionType='Other']/@xml:lang") == ["en", "ja"]
    assert "Credit: ISAS/JAXA" in " ".join(texts(element, "d:rightsList/d:rights/text()"))


def test_incomplete_processing_states_its_schedule(demo_views: list[Viewed]) -> None:
    viewed = by_id(demo_views, "hyb2-onc-raw", doi=True)
    schedule = viewed.record.access.release_schedule
    assert schedule is not None
    technical = texts(render(viewed), "d:descriptions/d:description[@descriptionType='TechnicalInfo']/text()")
    assert technical == list(schedule.values())
    assert available(render(viewed)) is None


def test_third_party_restrictions_are_rights(demo_views: list[Viewed]) -> None:
    viewed = by_id(demo_views, "kaguya-hdtv", doi=True)
    restrictions = viewed.record.rights.restrictions
    assert restrictions is not None
    assert set(restrictions.values()) <= set(texts(render(viewed), "d:rightsList/d:rights/text()"))


def test_embargo_states_its_scheduled_release(demo_views: list[Viewed]) -> None:
    viewed = by_id(demo_views, "ryugu-sample-nasa", doi=True)
    until = viewed.record.access.until
    assert until is not None
    element = render(viewed)
    assert available(element) == (until.date().isoformat(), "scheduled release at the end of the restriction")
    assert one(element, "d:publicationYear/text()") == str(until.year)


def test_released_automatically(demo_views: list[Viewed]) -> None:
    viewed = by_id(demo_views, "xrism-resolve-pv")
    assert viewed.view.visibility is Visibility.PUBLIC
    element = render(viewed)
    assert available(element) == ("2025-08-28", "released automatically at the end of its restriction")
    assert texts(element, "d:rightsList/d:rights/@rightsURI")[-1] == COAR_ACCESS_RIGHTS[AccessRight.OPEN]
    assert texts(element, "d:descriptions/d:description[@descriptionType='Other']") == []


def test_rolling_proprietary_period(demo_views: list[Viewed]) -> None:
    viewed = by_id(demo_views, "xrism-resolve-obs")
    statement = rolling_proprietary(viewed.record)
    assert statement is not None
    technical = texts(render(viewed), "d:descriptions/d:description[@descriptionType='TechnicalInfo']/text()")
    assert technical == [statement["en"], statement["ja"]]


@pytest.mark.parametrize("dataset_id", ["ryugu-shape-v1", "hyb2-touchdown-sim"])
def test_deleted(demo_views: list[Viewed], dataset_id: str) -> None:
    viewed = by_id(demo_views, dataset_id, doi=True)
    assert viewed.view.visibility is Visibility.DELETED
    assert viewed.view.withdrawn is not None
    element = render(viewed)
    assert texts(element, "d:dates/d:date[@dateType='Withdrawn']/text()") == [viewed.view.withdrawn.date().isoformat()]
    assert texts(element, "d:rightsList/d:rights/@rightsURI")[-1] == COAR_ACCESS_RIGHTS[AccessRight.METADATA_ONLY]
    statement = withdrawal(viewed.record, viewed.view)
    assert statement is not None
    other = texts(element, "d:descriptions/d:description[@descriptionType='Other']/text()")
    assert other == [statement["en"], statement["ja"]]
    assert credit_line(viewed.record)["en"] in texts(element, "d:rightsList/d:rights/text()")
    assert available(element) is None


def test_restricted_and_deleted_never_show_an_asset(demo_views: list[Viewed]) -> None:
    closed = [v for v in demo_views if v.view.visibility in (Visibility.RESTRICTED, Visibility.DELETED)]
    assert {v.view.visibility for v in closed} == {Visibility.RESTRICTED, Visibility.DELETED}
    for viewed in closed:
        record = viewed.record
        assert record.assets
        serialized = etree.tostring(render(by_id(demo_views, record.id, doi=True)), encoding="unicode")
        for asset in record.assets:
            assert asset.href not in serialized, (record.id, asset.href)


def _dataset(dataset_id: str, **fields: Any) -> dict[str, Any]:
    return {
        "type": "dataset",
        "id": dataset_id,
        "title": {"en": f"Dataset {dataset_id}"},
        "category": "observation",
        "creators": [{"name": "ISAS/JAXA", "kind": "organization"}],
        "access": {"status": "public"},
        **fields,
    }


def test_an_undisclosed_relation_is_not_named() -> None:
    secret = {
        "status": "restricted",
        "reason": "rights-granted",
        "disclose": False,
        "scope": "a partner agency",
        "until": "2099-01-01",
    }
    records = [
        _dataset(
            "open-one",
            doi="10.99999/open-one",
            related=[
                {"relation": "IsDerivedFrom", "target": "secret-one"},
                {"relation": "IsDerivedFrom", "target": "shown-one"},
                {"relation": "References", "target": "missing-one"},
            ],
        ),
        _dataset("secret-one", doi="10.99999/secret-one", access=secret),
        _dataset("shown-one", doi="10.99999/shown-one"),
    ]
    viewed = views(iter(records))
    assert [v.record.id for v in viewed] == ["open-one", "shown-one"]
    serialized = etree.tostring(render(viewed[0]), encoding="unicode")
    assert "secret-one" not in serialized
    assert "missing-one" not in serialized
    assert "10.99999/shown-one" in serialized


def test_values_outside_datacites_lists_become_other(demo_views: list[Viewed], datacite_xsd: etree.XMLSchema) -> None:
    viewed = by_id(demo_views, "hyb2-onc-l2b")
    record: Dataset = replace(
        viewed.record,
        related=(Related("Inspires", "https://example.org/x"),),
        contributors=(Agent("Doe, Jane", CreatorKind.PERSON, orcid="0000-0002-1825-0097"),),
    )
    element = to_datacite(record, viewed.view)
    datacite_xsd.assertValid(element)
    assert texts(element, "d:relatedIdentifiers/d:relatedIdentifier/@relationTypeInformation") == ["Inspires"]
    assert texts(element, "d:contributors/d:contributor[1]/@contributorType") == ["Other"]
    assert texts(element, "d:contributors/d:contributor[1]/d:nameIdentifier/text()") == [
        "https://orcid.org/0000-0002-1825-0097"
    ]
