"""The crosswalk mapping document names every contract field, access right and restriction reason."""

import re
from pathlib import Path

import pytest

from catalog.vocab import AccessRight, RestrictionReason
from tests.conftest import shared_path

DOCUMENT = Path(__file__).resolve().parents[2] / "docs" / "crosswalks.md"
TABLES = {
    "mission": "mission",
    "dataset": "",
    "access": "access",
    "rights": "rights",
    "retention": "retention",
    "lifecycle": "lifecycle",
    "granule": "granule",
}
"""Prefix of each CONTRACT.md table's fields in the document, by the heading's first word: dataset fields are plain."""

HEADING = re.compile(r"^#{2,3} (\w+)")
ROW = re.compile(r"^\| `")
NAME = re.compile(r"`([a-z_]+)`")


def contract_fields() -> list[str]:
    """Every field named in the first cell of a CONTRACT.md table row, qualified by its table."""
    fields: list[str] = []
    prefix: str | None = None
    for line in shared_path("records", "CONTRACT.md").read_text(encoding="utf-8").splitlines():
        heading = HEADING.match(line)
        if heading:
            prefix = TABLES.get(heading.group(1))
        elif ROW.match(line):
            assert prefix is not None, f"a table under an unknown heading: {line}"
            first_cell = line.split("|")[1]
            fields += [f"{prefix}.{name}" if prefix else name for name in NAME.findall(first_cell)]
    return fields


@pytest.fixture(scope="module")
def document() -> str:
    return DOCUMENT.read_text(encoding="utf-8")


def test_contract_parses_into_every_table() -> None:
    fields = contract_fields()
    assert len(fields) == len(set(fields))
    for expected in ("id", "temporal", "spatial", "assets", "mission.name", "access.until", "rights.credit"):
        assert expected in fields
    for expected in ("retention.reproducible", "lifecycle.discarded", "granule.datetime", "granule.end"):
        assert expected in fields


@pytest.mark.parametrize("field", contract_fields())
def test_every_contract_field_is_mapped(document: str, field: str) -> None:
    assert f"`{field}`" in document


@pytest.mark.parametrize("value", [*AccessRight, *RestrictionReason])
def test_every_access_right_and_reason_is_mapped(document: str, value: AccessRight | RestrictionReason) -> None:
    assert f"`{value}`" in document


def test_document_is_one_table(document: str) -> None:
    separators = [line for line in document.splitlines() if line.startswith("|---")]
    assert separators == ["|---|---|---|---|---|"]
    rows = [line for line in document.splitlines() if line.startswith("| ")]
    assert all(row.count(" | ") >= 4 for row in rows)
