"""Lists served from renditions are the lists rendered live, byte for byte, at every moment; a rendition that no
longer holds (another configuration, a newer version of the dataset, a related dataset that changed) is never
served."""

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from lxml import etree

from catalog.store import Store
from crosswalks import renditions
from crosswalks.formats import FORMATS
from harvest.loader import Line, load_lines
from harvest.renditions import refresh
from server import render_context_of
from tests.conftest import NOW, Clock
from tests.server.oai.test_concurrent_harvest import dataset, restricted
from tests.server.oai.test_endpoint import DEMO, make_app, nodes, oai, walk

MOMENTS = [
    NOW,
    NOW + timedelta(days=1),
    NOW + timedelta(days=200),
    NOW + timedelta(days=400),
    NOW + timedelta(days=3000),
]
"""Moments around the demo archive's releases, retention ends and restriction deadlines."""


class LiveRenders:
    """Count the records rendered live (not served from a rendition)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        original = renditions.render

        def counting(*args: object, **kwargs: object) -> bytes:
            self.count += 1
            return original(*args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(renditions, "render", counting)


@pytest.fixture
def live(monkeypatch: pytest.MonkeyPatch) -> LiveRenders:
    return LiveRenders(monkeypatch)


def store_of(app: Flask) -> Store:
    store: Store = app.extensions["catalog.store"]
    return store


def load(app: Flask, docs: list[dict[str, object]], *, rendered: bool) -> None:
    lines = [Line("test", n, json.dumps(doc)) for n, doc in enumerate(docs, 1)]
    context = render_context_of(app) if rendered else None
    load_lines(store_of(app), lines, now=NOW, workers=0, context=context)


def forget_renditions(store: Store) -> None:
    store.put_renditions({entry.id: [] for entry in store.entries_by_id(limit=10_000)})


def harvest(client: FlaskClient, prefix: str) -> list[bytes]:
    """Every page of a ListRecords harvest, as bytes (each page XSD-valid: `walk` checks it)."""
    pages, _ = walk(client, "ListRecords", metadataPrefix=prefix)
    return [etree.tostring(page) for page in pages]


def records(client: FlaskClient, prefix: str) -> int:
    """How many records (deleted ones included) a full harvest gives."""
    _, headers = walk(client, "ListRecords", metadataPrefix=prefix)
    return len(headers)


@pytest.fixture
def demo_app(tmp_path: Path) -> Iterator[tuple[Flask, Clock]]:
    clock = Clock(NOW)
    app = make_app(tmp_path, clock, "demo.sqlite", 7)
    load(app, DEMO, rendered=True)
    yield app, clock
    store_of(app).dispose()


@pytest.mark.parametrize("prefix", list(FORMATS))
def test_served_from_renditions_the_lists_are_the_live_ones_at_every_moment(
    demo_app: tuple[Flask, Clock], prefix: str, live: LiveRenders
) -> None:
    app, clock = demo_app
    client = app.test_client()
    served: dict[str, list[bytes]] = {}
    for moment in MOMENTS:
        clock.now = moment
        live.count = 0
        served[moment.isoformat()] = harvest(client, prefix)
        assert live.count == 0, f"at {moment} every record should come from a rendition"
    forget_renditions(store_of(app))
    for moment in MOMENTS:
        clock.now = moment
        live.count = 0
        assert harvest(client, prefix) == served[moment.isoformat()], f"at {moment}"
        assert live.count == records(client, prefix) > 0


def test_get_record_writes_what_the_list_writes(demo_app: tuple[Flask, Clock]) -> None:
    app, _ = demo_app
    client = app.test_client()
    _, listed = walk(client, "ListRecords", metadataPrefix="oai_datacite")
    for header in listed[:20]:
        record = header.getparent()
        assert record is not None
        identifier = header.findtext("{http://www.openarchives.org/OAI/2.0/}identifier")
        assert identifier is not None
        got = oai(client, verb="GetRecord", identifier=identifier, metadataPrefix="oai_datacite")
        (single,) = nodes(got, "o:GetRecord/o:record")
        assert etree.tostring(single) == etree.tostring(record)


def test_another_configuration_never_gets_this_ones_renditions(tmp_path: Path, live: LiveRenders) -> None:
    clock = Clock(NOW)
    first = make_app(tmp_path, clock, "demo.sqlite", 50)
    load(first, DEMO, rendered=True)
    assert store_of(first).rendition_count(render_context_of(first).key)[0] > 0
    other = make_app(tmp_path, clock, "demo.sqlite", 50)
    other.config["DATACITE_SYMBOL"] = "OTHER.SYMBOL"
    other.extensions["catalog.render_context"] = renditions.RenderContext(
        "darts.isas.jaxa.jp", "OTHER.SYMBOL", "http://elsewhere/"
    )
    client = other.test_client()
    live.count = 0
    pages = harvest(client, "oai_datacite")
    assert live.count == records(client, "oai_datacite") > 0
    assert any(b"OTHER.SYMBOL" in page for page in pages)
    assert not any(b"JAXA.ISAS" in page for page in pages)


def test_a_new_version_loaded_without_rendering_is_served_live(tmp_path: Path, live: LiveRenders) -> None:
    clock = Clock(NOW)
    app = make_app(tmp_path, clock, "small.sqlite", 50)
    load(app, [dataset("alpha", "Alpha v1"), dataset("beta", "Beta v1")], rendered=True)
    load(app, [dataset("alpha", "Alpha v2")], rendered=False)
    clock.now = NOW + timedelta(seconds=1)
    live.count = 0
    client = app.test_client()
    pages = b"".join(harvest(client, "oai_dc"))
    assert b"Alpha v2" in pages
    assert b"Alpha v1" not in pages
    assert live.count == 1
    refresh(store_of(app), render_context_of(app))
    live.count = 0
    assert b"".join(harvest(client, "oai_dc")) == pages
    assert live.count == 0


def test_a_related_dataset_disclosed_later_is_named_once_it_is(tmp_path: Path, live: LiveRenders) -> None:
    clock = Clock(NOW)
    app = make_app(tmp_path, clock, "related.sqlite", 50)
    release = NOW + timedelta(days=30)
    source = dataset("source", "Source")
    source["related"] = [{"relation": "IsDerivedFrom", "target": "secret"}]
    load(
        app, [dataset("secret", "Secret", restricted(release, disclose=False, after="release")), source], rendered=True
    )
    client = app.test_client()
    live.count = 0
    before = b"".join(harvest(client, "oai_dc"))
    assert b"datasets/secret" not in before
    assert live.count == 0
    clock.now = release + timedelta(seconds=1)
    after = b"".join(harvest(client, "oai_dc"))
    assert b"http://catalog.test/datasets/secret" in after
    assert live.count == 1, "the source's rendition assumed the secret unnamed: it is rendered live"


def test_the_code_fingerprint_covers_what_renders_and_nothing_else() -> None:
    names = {f"{path.parent.name}/{path.name}" for path in renditions.code_files()}
    rendering = {"crosswalks/datacite.py", "crosswalks/dublin_core.py", "crosswalks/oai_datacite.py"}
    rendering |= {"crosswalks/statements.py", "crosswalks/formats.py", "catalog/view.py", "catalog/policy.py"}
    assert rendering <= names
    assert not names & {"crosswalks/citation.py", "crosswalks/schema_org.py", "store/sql.py", "oai/handlers.py"}
