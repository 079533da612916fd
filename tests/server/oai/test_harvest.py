"""Harvesting the catalog as a harvester does: sickle over a live `isas-catalog serve`, then a release by the clock."""

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from lxml import etree
from sickle import Sickle
from sickle.models import Record
from sickle.response import OAIResponse

from catalog.demo import demo_records
from catalog.policy import visibility_at
from catalog.records import Dataset
from catalog.store import migrate, open_store
from catalog.timeutil import utcnow
from catalog.vocab import Visibility
from harvest.loader import Line, load_lines
from server import create_app
from tests.conftest import NOW, Clock, shared_path
from tests.server.test_cli import serving

OAI = "http://www.openarchives.org/OAI/2.0/"
NS = {"o": OAI, "dc": "http://purl.org/dc/elements/1.1/"}
REPOSITORY = "darts.isas.jaxa.jp"
OPEN_ACCESS = "info:eu-repo/semantics/openAccess"
DRIVER = etree.XMLSchema(etree.parse(str(shared_path("schemas", "oai-pmh-driver.xsd"))))


class ValidatingSickle(Sickle):  # type: ignore[misc]
    """A sickle client that checks every response against the driver XSD before using it."""

    def harvest(self, **kwargs: str) -> OAIResponse:
        response: OAIResponse = super().harvest(**kwargs)
        DRIVER.assertValid(response.xml)
        return response


def oai_id(dataset_id: str) -> str:
    return f"oai:{REPOSITORY}:{dataset_id}"


def lines(records: list[dict[str, Any]], source: str) -> list[Line]:
    return [Line(source, n, json.dumps(r)) for n, r in enumerate(records, 1)]


def expected_at(datasets: list[Dataset], moment: datetime, *, needs_doi: bool) -> dict[str, bool]:
    """What the policy lists at `moment`: identifier → deleted."""
    listed = {}
    for dataset in datasets:
        visibility = visibility_at(dataset, moment)
        if visibility is not Visibility.HIDDEN and not (needs_doi and dataset.doi is None):
            listed[oai_id(dataset.id)] = visibility is Visibility.DELETED
    return listed


def harvested(records: Iterator[Record]) -> dict[str, bool]:
    found: dict[str, bool] = {}
    for record in records:
        assert record.header.identifier not in found
        found[record.header.identifier] = record.header.deleted
    return found


def response_date(response: OAIResponse) -> str:
    found = response.xml.findtext(f"{{{OAI}}}responseDate")
    assert isinstance(found, str)
    assert found
    return found


def test_full_and_incremental_harvest_over_a_live_server(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'harvest.sqlite'}"
    migrate(url)
    today = utcnow().date()
    demo = list(demo_records(granules=0, today=today))
    datasets = [Dataset.from_dict(r) for r in demo if r["type"] == "dataset"]
    store = open_store(url)
    try:
        load_lines(store, lines(demo, "demo"), now=utcnow() - timedelta(minutes=5))
        env = {"CATALOG_DATABASE_URL": url, "CATALOG_OAI_PAGE_SIZE": "7", "CATALOG_BASE_URL": "http://harvest.test"}
        with serving(env, tmp_path) as base:
            client = ValidatingSickle(f"{base}/oai")
            first_date = ""
            for prefix, needs_doi in (("oai_dc", False), ("oai_datacite", True), ("datacite", True)):
                records = client.ListRecords(metadataPrefix=prefix, ignore_deleted=False)
                first_date = first_date or response_date(records.oai_response)
                found = harvested(records)
                assert found == expected_at(datasets, utcnow(), needs_doi=needs_doi), prefix
                assert len(found) > 7
            assert any(expected_at(datasets, utcnow(), needs_doi=False).values())

            edited_record = next(r for r in demo if r["type"] == "dataset" and r["access"]["status"] == "public")
            edited_record = {**edited_record, "title": {"en": "An edited title for the incremental harvest"}}
            load_lines(store, lines([edited_record], "edit"), now=utcnow())
            again = list(client.ListRecords(metadataPrefix="oai_dc", ignore_deleted=False, **{"from": first_date}))
            assert [r.header.identifier for r in again] == [oai_id(edited_record["id"])]
            assert again[0].metadata["title"] == ["An edited title for the incremental harvest"]
            assert again[0].header.datestamp >= first_date
    finally:
        store.dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def app(tmp_path: Path, clock: Clock) -> Iterator[Flask]:
    url = f"sqlite:///{tmp_path / 'release.sqlite'}"
    migrate(url)
    app = create_app({"TESTING": True, "DATABASE_URL": url, "CLOCK": clock, "BASE_URL": "http://catalog.test"})
    yield app
    app.extensions["catalog.store"].dispose()


def list_records(app: Flask, **args: str) -> etree._Element:
    response = app.test_client().get("/oai", query_string={"verb": "ListRecords", **args})
    assert response.status_code == 200
    root = etree.fromstring(response.get_data())
    DRIVER.assertValid(root)
    return root


def values(root: etree._Element, path: str) -> list[str]:
    found = root.xpath(path, namespaces=NS)
    assert isinstance(found, list)
    return [str(v) for v in found]


def test_a_release_by_the_clock_reaches_an_incremental_harvest(app: Flask, clock: Clock) -> None:
    release = datetime(2026, 12, 1, tzinfo=UTC)
    record = {
        "type": "dataset",
        "id": "release-by-clock",
        "title": {"en": "A dataset released by the clock"},
        "category": "observation",
        "creators": [{"name": "ISAS", "kind": "organization"}],
        "access": {
            "status": "restricted",
            "reason": "proprietary-period",
            "scope": "Instrument team",
            "until": "2026-12-01",
            "after": "release",
        },
    }
    load_lines(app.extensions["catalog.store"], lines([record], "release"), now=NOW)
    t0 = "2026-11-21T12:00:00Z"

    clock.now = release - timedelta(seconds=1)
    before = list_records(app, metadataPrefix="oai_dc", **{"from": t0})
    assert values(before, "//o:header/o:identifier/text()") == [oai_id("release-by-clock")]
    assert values(before, "//o:header/o:datestamp/text()") == [t0]
    assert "access:restricted" in values(before, "//o:header/o:setSpec/text()")
    assert "access:open" not in values(before, "//o:header/o:setSpec/text()")
    assert OPEN_ACCESS not in values(before, "//dc:rights/text()")
    assert list_records(app, metadataPrefix="oai_dc", set="access:open").xpath("//o:error/@code", namespaces=NS) == [
        "noRecordsMatch"
    ]

    clock.now = release + timedelta(seconds=1)
    after = list_records(app, metadataPrefix="oai_dc", **{"from": "2026-11-30T23:59:59Z"})
    assert values(after, "//o:header/o:identifier/text()") == [oai_id("release-by-clock")]
    assert values(after, "//o:header/o:datestamp/text()") == ["2026-12-01T00:00:00Z"]
    assert "access:open" in values(after, "//o:header/o:setSpec/text()")
    assert OPEN_ACCESS in values(after, "//dc:rights/text()")
    missed = list_records(app, metadataPrefix="oai_dc", **{"from": "2026-12-01T00:00:01Z"})
    assert missed.xpath("//o:error/@code", namespaces=NS) == ["noRecordsMatch"]
