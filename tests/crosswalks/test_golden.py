"""Golden files: the DataCite and oai_dc of each fixture record, XSD-valid, compared as text.

`pytest --update-golden` rewrites them from the code's output; review the diff before committing.
"""

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree

from catalog.records import Dataset
from catalog.view import View
from crosswalks.datacite import can_disseminate, to_datacite
from crosswalks.dublin_core import to_oai_dc
from tests.crosswalks.conftest import Viewed, views, xsd

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
FIXTURES = Path(__file__).resolve().parent / "fixture_catalog.jsonl"
Render = Callable[[Dataset, View], etree._Element]
FORMATS: dict[str, tuple[Render, tuple[str, ...]]] = {
    "datacite": (to_datacite, ("datacite-4.7", "metadata.xsd")),
    "oai_dc": (to_oai_dc, ("oai-pmh-2.0", "oai_dc.xsd")),
}


def fixture_views() -> list[Viewed]:
    lines = FIXTURES.read_text(encoding="utf-8").splitlines()
    return views(iter(json.loads(line) for line in lines if line.strip() and not line.startswith("//")))


CASES = [
    pytest.param(name, viewed, id=f"{name}-{viewed.record.id}")
    for viewed in fixture_views()
    for name in FORMATS
    if name != "datacite" or can_disseminate(viewed.record)
]


def test_the_fixtures_cover_every_policy_state() -> None:
    states = {(v.view.visibility, v.view.access_right) for v in fixture_views()}
    ids = {v.record.id for v in fixture_views()}
    assert len(states) == 5
    assert "undisclosed" not in ids
    assert {"public-caveat", "public-rolling", "released-automatically", "restricted-rights"} <= ids


@pytest.mark.parametrize(("name", "viewed"), CASES)
def test_golden(name: str, viewed: Viewed, update_golden: bool) -> None:
    render, schema = FORMATS[name]
    element = render(viewed.record, viewed.view)
    xsd(*schema).assertValid(element)
    text = etree.tostring(element, pretty_print=True, encoding="unicode")
    path = GOLDEN / name / f"{viewed.record.id}.xml"
    if update_golden:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    if not path.exists():
        pytest.fail(f"{path} is missing: run `pytest --update-golden` and review the new file")
    assert text == path.read_text(encoding="utf-8"), f"{path} differs: run `pytest --update-golden` and review"
