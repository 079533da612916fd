"""Typed records of contract v1: round trips of the shared examples, unknown fields kept, language maps and defaults."""

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from catalog.records import Access, Dataset, Granule, Mission, Record, record_from_dict
from catalog.vocab import AccessStatus, AfterDeadline, LifecycleState, RecordType
from tests.conftest import shared_path

Json = dict[str, Any]

DATASET: Json = {
    "type": "dataset",
    "id": "hyb2-onc-l2b",
    "title": {"en": "Hayabusa2 ONC-T calibrated images of Ryugu"},
    "category": "observation",
    "creators": [{"name": "Hayabusa2 ONC team", "kind": "organization"}],
    "access": {"status": "public"},
}
GRANULE: Json = {
    "type": "granule",
    "id": "000128000",
    "dataset": "xrism-resolve-obs",
    "start": "2024-03-02T10:00:00Z",
    "end": "2024-03-03T04:00:00Z",
}


def examples() -> list[Json]:
    lines = shared_path("records", "examples.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip() and not line.startswith("//")]


def example_id(data: Json) -> str:
    return f"{data['type']}-{data['id']}"


EXAMPLES = examples()


@pytest.mark.parametrize("data", EXAMPLES, ids=[example_id(e) for e in EXAMPLES])
def test_example_round_trips(data: Json) -> None:
    record: Record = record_from_dict(data)
    again = type(record).from_dict(record.to_dict())
    assert again == record
    assert again.to_dict() == record.to_dict()


def test_examples_cover_every_record_type() -> None:
    assert {RecordType(e["type"]) for e in EXAMPLES} == set(RecordType)


@pytest.mark.parametrize("data", [e for e in EXAMPLES if e["type"] == "dataset"], ids=example_id)
def test_example_dataset_to_dict_keeps_every_field_it_was_given(data: Json) -> None:
    written = Dataset.from_dict(data).to_dict()
    assert set(data) <= set(written)


def test_unknown_dataset_fields_kept_in_extra_and_written_back() -> None:
    data = DATASET | {"x_darts_path": "/pub/hayabusa2/onc_bundle/", "x_checks": {"md5": True}}
    dataset = Dataset.from_dict(data)
    assert dict(dataset.extra) == {"x_darts_path": "/pub/hayabusa2/onc_bundle/", "x_checks": {"md5": True}}
    assert dataset.to_dict()["x_darts_path"] == "/pub/hayabusa2/onc_bundle/"
    assert Dataset.from_dict(dataset.to_dict()).extra == dataset.extra


def test_unknown_fields_of_creators_and_assets_written_back() -> None:
    creator = {"name": "Sugita, Seiji", "kind": "person", "x_staff_no": 1234}
    asset = {"href": "https://data.darts.isas.jaxa.jp/pub/hayabusa2/", "x_bytes": 10}
    written = Dataset.from_dict(DATASET | {"creators": [creator], "assets": [asset]}).to_dict()
    assert written["creators"] == [creator]
    assert written["assets"] == [asset]


def test_unknown_granule_and_mission_fields_written_back() -> None:
    granule = Granule.from_dict(GRANULE | {"x_sequence": "128000"})
    assert granule.to_dict()["x_sequence"] == "128000"
    mission = Mission.from_dict({"type": "mission", "id": "xrism", "name": {"en": "XRISM"}, "x_code": "XRISM"})
    assert mission.to_dict()["x_code"] == "XRISM"


def test_plain_string_release_schedule_maps_to_und_and_back() -> None:
    schedule = "Reprocessed L0 frames are scheduled for release with bundle version 4, planned for FY2026."
    access = Access.from_dict(
        {"status": "restricted", "reason": "incomplete-processing", "scope": "ONC team", "until": "2027-03-31"}
        | {"release_schedule": schedule}
    )
    assert dict(access.release_schedule or {}) == {"und": schedule}
    assert access.to_dict()["release_schedule"] == schedule


def test_language_map_with_und_and_other_language_stays_a_map() -> None:
    dataset = Dataset.from_dict(DATASET | {"title": {"und": "ONC", "ja": "ONC 画像"}})
    assert dataset.to_dict()["title"] == {"und": "ONC", "ja": "ONC 画像"}


def test_plain_string_title_maps_to_und_and_back() -> None:
    dataset = Dataset.from_dict(DATASET | {"title": "Hayabusa2 ONC-T images"})
    assert dict(dataset.title) == {"und": "Hayabusa2 ONC-T images"}
    assert dataset.to_dict()["title"] == "Hayabusa2 ONC-T images"


def test_contract_defaults() -> None:
    dataset = Dataset.from_dict(
        DATASET
        | {"access": {"status": "restricted", "reason": "rights-granted", "scope": "NASA", "until": "2030-01-01"}}
    )
    assert dataset.access.status is AccessStatus.RESTRICTED
    assert dataset.access.disclose is True
    assert dataset.access.after is AfterDeadline.REVIEW
    assert dataset.rights.license == "CC-BY-4.0"
    assert dataset.lifecycle.state is LifecycleState.ACTIVE
    assert dataset.reproducible is None


def test_bare_date_means_midnight_utc() -> None:
    access = Access.from_dict({"status": "restricted", "until": "2027-03-31"})
    assert access.until == datetime(2027, 3, 31, tzinfo=UTC)
    assert access.to_dict()["until"] == "2027-03-31T00:00:00Z"


def test_undisclosed_written_back_as_false_and_disclosed_omitted() -> None:
    restricted: Json = {"status": "restricted", "reason": "privacy-or-safety", "scope": "Range", "until": "2031-03-31"}
    assert Access.from_dict(restricted | {"disclose": False}).to_dict()["disclose"] is False
    assert "disclose" not in Access.from_dict(restricted | {"disclose": True}).to_dict()


def test_granule_instant_written_back_as_datetime() -> None:
    granule = Granule.from_dict({"type": "granule", "id": "1", "dataset": "d", "datetime": "2024-03-02T10:00:00Z"})
    written = granule.to_dict()
    assert written["datetime"] == "2024-03-02T10:00:00Z"
    assert "start" not in written
    assert "end" not in written
    assert Granule.from_dict(written) == granule


def test_granule_access_override_round_trips() -> None:
    override: Json = {"status": "restricted", "reason": "rights-granted", "scope": "NASA", "until": "2030-01-01"}
    granule = Granule.from_dict(GRANULE | {"access": override, "acquired": "2024-03-04T00:00:00Z"})
    assert Granule.from_dict(granule.to_dict()) == granule
    assert granule.to_dict()["access"]["after"] == "review"
