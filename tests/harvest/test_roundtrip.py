"""Harvesting our own server over a real port into a second, empty catalog: the same visible records come back,
field for field for everything DataCite carries, are served again with their provenance, and a second run after
edits at the source fetches only the changes."""

import html
import json
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from lxml import etree

from catalog.demo import demo_records
from catalog.policy import visibility_at
from catalog.records import Dataset
from catalog.store import Store, migrate, open_store
from catalog.timeutil import format_time, parse_time, utcnow
from catalog.vocab import Visibility
from crosswalks.renditions import RenderContext
from harvest.loader import Line, load_lines
from harvest.oai import Harvester, RunReport, add_source
from server import create_app
from tests.conftest import shared_path
from tests.server.test_cli import run, serving

OAI = "http://www.openarchives.org/OAI/2.0/"
DATACITE = "http://datacite.org/schema/kernel-4"
PROVENANCE = "http://www.openarchives.org/OAI/2.0/provenance"
REPOSITORY = "darts.isas.jaxa.jp"
DRIVER = etree.XMLSchema(etree.parse(str(shared_path("schemas", "oai-pmh-driver.xsd"))))
TOLERATED = {
    f"{{{DATACITE}}}alternateIdentifiers": "the local id: the second catalog names the record `self.{namespace}.{id}`",
    f"{{{DATACITE}}}date[@dateType='Updated']": "when each catalog took this version of the record",
}
"""The only parts of a DataCite record that may differ between the source and the harvesting catalog, and why."""


@pytest.fixture
def source_env(tmp_path: Path) -> dict[str, str]:
    return {"CATALOG_DATABASE_URL": f"sqlite:///{tmp_path / 'source.sqlite'}"}


@pytest.fixture
def served(source_env: dict[str, str], tmp_path: Path) -> Iterator[str]:
    """The demo archive, built for today, served by `isas-catalog serve` on a real port; its base URL."""
    code, out, _ = run(source_env, "demo", "--granules", "0")
    assert code == 0, out
    with serving(source_env, tmp_path) as base:
        yield base


@pytest.fixture
def target(tmp_path: Path) -> Iterator[tuple[Store, Flask]]:
    url = f"sqlite:///{tmp_path / 'target.sqlite'}"
    migrate(url)
    store = open_store(url)
    app = create_app({"DATABASE_URL": url, "BASE_URL": "http://second.example"})
    yield store, app
    store.dispose()


def harvester(store: Store, app: Flask) -> Harvester:
    context = RenderContext(REPOSITORY, "JAXA.ISAS", "http://second.example/datasets/")
    assert context.key == app.extensions["catalog.render_context"].key
    return Harvester(store, context=context, clock=utcnow)


def get(url: str) -> etree._Element:
    with urllib.request.urlopen(url, timeout=30) as response:
        root = etree.fromstring(response.read())
    DRIVER.assertValid(root)
    return root


def visible(now_ids: dict[str, Dataset], *, needs_doi: bool) -> set[str]:
    moment = utcnow()
    return {
        dataset_id
        for dataset_id, dataset in now_ids.items()
        if visibility_at(dataset, moment) in (Visibility.PUBLIC, Visibility.RESTRICTED)
        and not (needs_doi and dataset.doi is None)
    }


def demo_datasets() -> dict[str, Dataset]:
    records = demo_records(granules=0, today=utcnow().date())
    return {r["id"]: Dataset.from_dict(r) for r in records if r["type"] == "dataset"}


def resource(root: etree._Element) -> etree._Element:
    found = root.find(f".//{{{DATACITE}}}resource")
    assert found is not None, etree.tostring(root)[:500]
    return found


def fields(element: etree._Element) -> dict[str, list[str]]:
    """The resource's fields, each as its canonical XML, by tag (and dateType for dates); tolerated ones left out."""
    found: dict[str, list[str]] = {}
    for child in element:
        key = str(child.tag)
        if child.tag == f"{{{DATACITE}}}dates":
            for date in child:
                date_key = f"{date.tag!s}[@dateType='{date.get('dateType')}']"
                if date_key not in TOLERATED:
                    found.setdefault(date_key, []).append(etree.tostring(date, method="c14n").decode())
            continue
        if key not in TOLERATED:
            found.setdefault(key, []).append(etree.tostring(child, method="c14n").decode())
    return found


def lost_fields(original: etree._Element, harvested: etree._Element) -> list[str]:
    a, b = fields(original), fields(harvested)
    return [
        f"{tag}: source {a.get(tag)!r} != harvested {b.get(tag)!r}"
        for tag in sorted(set(a) | set(b))
        if a.get(tag) != b.get(tag)
    ]


def test_harvesting_our_own_server_gives_the_same_visible_records(
    served: str, target: tuple[Store, Flask], source_env: dict[str, str]
) -> None:
    store, app = target
    add_source(store, "self", f"{served}/oai", prefix="oai_datacite", now=utcnow())
    [report] = harvester(store, app).run(["self"])
    assert report.status == "ok", report.message
    assert report.counts.failed == 0, report.problems
    expected = visible(demo_datasets(), needs_doi=True)
    assert report.counts.added == len(expected)
    harvested = {d.record.id: d.record for d in store.all_datasets()}
    assert set(harvested) == {f"self.{REPOSITORY}.{dataset_id}" for dataset_id in expected}

    client: FlaskClient = app.test_client()
    lost: dict[str, list[str]] = {}
    for dataset_id in sorted(expected):
        query = urllib.parse.urlencode(
            {"verb": "GetRecord", "metadataPrefix": "datacite", "identifier": f"oai:{REPOSITORY}:{dataset_id}"}
        )
        original = resource(get(f"{served}/oai?{query}"))
        answer = client.get(
            "/oai",
            query_string={
                "verb": "GetRecord",
                "metadataPrefix": "datacite",
                "identifier": f"oai:{REPOSITORY}:self.{REPOSITORY}.{dataset_id}",
            },
        )
        again = etree.fromstring(answer.data)
        DRIVER.assertValid(again)
        differences = lost_fields(original, resource(again))
        if differences:
            lost[dataset_id] = differences
    assert not lost, json.dumps(lost, indent=1)


def test_harvested_records_are_served_again_with_their_provenance(served: str, target: tuple[Store, Flask]) -> None:
    store, app = target
    add_source(store, "self", f"{served}/oai", prefix="oai_dc", now=utcnow())
    [report] = harvester(store, app).run(["self"])
    assert report.status == "ok", report.message
    expected = visible(demo_datasets(), needs_doi=False)
    assert report.counts.added == len(expected)
    client = app.test_client()
    answer = client.get("/oai", query_string={"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "source:self"})
    root = etree.fromstring(answer.data)
    DRIVER.assertValid(root)
    records = root.findall(f"{{{OAI}}}ListRecords/{{{OAI}}}record")
    assert records
    for record in records:
        origin = record.find(f"{{{OAI}}}about/{{{PROVENANCE}}}provenance/{{{PROVENANCE}}}originDescription")
        assert origin is not None
        assert origin.findtext(f"{{{PROVENANCE}}}baseURL") == f"{served}/oai"
        identifier = origin.findtext(f"{{{PROVENANCE}}}identifier") or ""
        ours = record.findtext(f"{{{OAI}}}header/{{{OAI}}}identifier") or ""
        assert ours == identifier.replace(f"oai:{REPOSITORY}:", f"oai:{REPOSITORY}:self.{REPOSITORY}.")
        assert origin.get("altered") == "true"
        assert "source:self" in [s.text for s in record.findall(f"{{{OAI}}}header/{{{OAI}}}setSpec")]
    sets = etree.fromstring(client.get("/oai", query_string={"verb": "ListSets"}).data)
    DRIVER.assertValid(sets)
    assert "source:self" in [s.text for s in sets.iter(f"{{{OAI}}}setSpec")]

    dataset_id = sorted(expected)[0]
    origin_record = f"verb=GetRecord&metadataPrefix=oai_dc&identifier=oai%3A{REPOSITORY}%3A{dataset_id}"
    page = client.get(f"/datasets/self.{REPOSITORY}.{dataset_id}", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert f'href="{html.escape(f"{served}/oai?{origin_record}")}"' in page.get_data(as_text=True)
    collection = client.get(f"/stac/collections/self.{REPOSITORY}.{dataset_id}").get_json()
    via = [link for link in collection["links"] if link["rel"] == "via"]
    assert [link["href"] for link in via] == [f"{served}/oai?{origin_record}"]


def edited(dataset: Dataset, title: str) -> str:
    value = dataset.to_dict()
    value["title"] = {**value["title"], "en": title} if isinstance(value["title"], dict) else {"en": title}
    return json.dumps(value)


def test_a_second_run_after_edits_fetches_only_the_changes(
    served: str, target: tuple[Store, Flask], source_env: dict[str, str]
) -> None:
    store, app = target
    add_source(store, "self", f"{served}/oai", prefix="oai_dc", now=utcnow())
    first: RunReport = harvester(store, app).run(["self"])[0]
    assert first.status == "ok", first.message
    [source] = store.harvest_sources(["self"])
    assert source.harvested_from is not None
    time.sleep(1.1)
    public = sorted(i for i in visible(demo_datasets(), needs_doi=False))[:2]
    datasets = demo_datasets()
    source_store = open_store(source_env["CATALOG_DATABASE_URL"])
    try:
        lines = [Line("edit", n, edited(datasets[i], f"Edited title {n}")) for n, i in enumerate(public, 1)]
        report = load_lines(source_store, lines, now=utcnow(), workers=0)
        assert report.datasets.updated == 2
    finally:
        source_store.dispose()
    second = harvester(store, app).run(["self"])[0]
    assert second.status == "ok", second.message
    assert second.from_ == source.harvested_from
    assert second.counts.updated == 2
    assert second.counts.added == 0
    # Records stamped in the very second of the first run's responseDate come again (`from` is inclusive).
    assert second.counts.unchanged <= first.counts.added
    assert second.counts.unchanged + second.counts.updated < first.counts.added / 4
    titles = {store.dataset(f"self.{REPOSITORY}.{i}").record.title.get("en") for i in public}  # type: ignore[union-attr]
    assert titles == {"Edited title 1", "Edited title 2"}
    runs = store.harvest_runs("self")
    assert [r.status for r in runs] == ["ok", "ok"]
    assert parse_time(runs[0].summary["from"]) == source.harvested_from
    assert format_time(source.harvested_from) <= format_time(utcnow() - timedelta(seconds=1))
