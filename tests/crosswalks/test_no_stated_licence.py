"""A harvested record whose rights name no SPDX licence (`NOASSERTION`): every writer says so, none links it."""

import dataclasses
import json

from lxml import etree

from crosswalks.datacite import NO_LICENSE_NAME, NS, to_datacite
from crosswalks.dublin_core import to_oai_dc
from crosswalks.schema_org import to_jsonld
from crosswalks.signposting import signposts
from crosswalks.stac import StacUrls, collection_of
from crosswalks.statements import NO_STATED_LICENSE, license_url
from crosswalks.urls import DatasetUrls
from tests.crosswalks.conftest import Viewed
from tests.stac_schemas import validate_stac

BASE = "https://catalog.example.org"


def unlicensed(demo_views: list[Viewed]) -> Viewed:
    """The first demo dataset with a DOI, its licence made `NOASSERTION`, as a harvested one would have it."""
    viewed = next(v for v in demo_views if v.record.doi and v.view.visibility.shows_metadata)
    rights = dataclasses.replace(viewed.record.rights, license=NO_STATED_LICENSE)
    return Viewed(dataclasses.replace(viewed.record, rights=rights), viewed.view)


def test_no_stated_licence_has_no_url() -> None:
    assert license_url(NO_STATED_LICENSE) is None
    assert license_url("CC-BY-4.0") == "https://creativecommons.org/licenses/by/4.0/"


def test_every_writer_says_no_licence_and_links_none(
    demo_views: list[Viewed], datacite_xsd: etree.XMLSchema, oai_dc_xsd: etree.XMLSchema
) -> None:
    viewed = unlicensed(demo_views)
    record, view = viewed.record, viewed.view
    urls = DatasetUrls.of(BASE, record.id, repository_identifier="catalog.example.org")

    datacite = to_datacite(record, view)
    datacite_xsd.assertValid(datacite)
    first = datacite.find(f"{{{NS}}}rightsList/{{{NS}}}rights")
    assert first is not None
    assert first.text == NO_LICENSE_NAME
    assert first.get("rightsURI") is None
    assert first.get("rightsIdentifier") is None

    dc = to_oai_dc(record, view)
    oai_dc_xsd.assertValid(dc)
    documents = {
        "datacite": etree.tostring(datacite).decode(),
        "oai_dc": etree.tostring(dc).decode(),
        "schema.org": json.dumps(to_jsonld(record, view, urls)),
        "signposting": repr(signposts(record, view, urls)),
    }
    collection = collection_of(record, view, StacUrls(f"{BASE}/stac"), urls, None)
    documents["stac"] = json.dumps(collection)
    for name, text in documents.items():
        assert "spdx.org/licenses" not in text, name
        assert "NOASSERTION.html" not in text, name
    assert "license" not in to_jsonld(record, view, urls)
    assert all(link.rel != "license" for link in signposts(record, view, urls))
    assert collection["license"] == "other"
    assert all(link["rel"] != "license" for link in collection["links"])
    validate_stac(collection)
