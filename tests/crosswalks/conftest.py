"""Fixtures for the crosswalks: the XSDs, and the demo archive as the public sees it at `NOW`."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from lxml import etree

from catalog.demo import demo_records
from catalog.policy import Timeline, dataset_timeline
from catalog.records import Dataset
from catalog.view import View, resolve_related, view_of
from tests.conftest import NOW, shared_path

LANDING = "https://catalog.example.org/datasets/"
CHANGED = NOW - timedelta(days=3)
"""When the store took the demo's records: before `NOW`, after none of the demo's deadlines that matter."""


@dataclass(frozen=True, slots=True)
class Viewed:
    record: Dataset
    view: View


def xsd(*parts: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(shared_path("schemas", *parts))))


@pytest.fixture(scope="session")
def datacite_xsd() -> etree.XMLSchema:
    return xsd("datacite-4.7", "metadata.xsd")


@pytest.fixture(scope="session")
def oai_dc_xsd() -> etree.XMLSchema:
    return xsd("oai-pmh-2.0", "oai_dc.xsd")


def views(records: Iterator[dict[str, object]]) -> list[Viewed]:
    """Every dataset the public may see at `NOW`, with its view (related targets resolved among `records`)."""
    datasets = [Dataset.from_dict(r) for r in records if r["type"] == "dataset"]
    known: dict[str, tuple[Dataset, Timeline]] = {d.id: (d, dataset_timeline(d)) for d in datasets}
    out = []
    for dataset, timeline in known.values():
        related = resolve_related(dataset, known, NOW, lambda dataset_id: LANDING + dataset_id)
        view = view_of(dataset, timeline, CHANGED, NOW, related)
        if view is not None:
            out.append(Viewed(dataset, view))
    return out


@pytest.fixture(scope="session")
def demo_views() -> list[Viewed]:
    """The whole demo archive (datasets only) as views at `NOW`."""
    return views(demo_records(granules=0, today=NOW.date()))
