"""The public view: access rights by reason and deadline, available and withdrawn dates, related targets."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from catalog.policy import Timeline, dataset_timeline
from catalog.records import Dataset
from catalog.view import RelatedTarget, View, resolve_related, view_of
from catalog.vocab import AccessRight, Visibility
from tests.conftest import NOW

FIXTURES = Path(__file__).resolve().parents[1] / "crosswalks" / "fixture_catalog.jsonl"
CHANGED = NOW - timedelta(days=3)


def catalog() -> dict[str, tuple[Dataset, Timeline]]:
    datasets = [
        Dataset.from_dict(value)
        for line in FIXTURES.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("//") and (value := json.loads(line))["type"] == "dataset"
    ]
    return {d.id: (d, dataset_timeline(d)) for d in datasets}


def view(dataset_id: str, at: datetime = NOW) -> View | None:
    dataset, timeline = catalog()[dataset_id]
    return view_of(dataset, timeline, CHANGED, at, {})


@pytest.mark.parametrize(
    ("dataset_id", "visibility", "right"),
    [
        ("public-full", Visibility.PUBLIC, AccessRight.OPEN),
        ("public-rolling", Visibility.PUBLIC, AccessRight.OPEN),
        ("released-automatically", Visibility.PUBLIC, AccessRight.OPEN),
        ("embargoed", Visibility.RESTRICTED, AccessRight.EMBARGOED),
        ("restricted-incomplete", Visibility.RESTRICTED, AccessRight.RESTRICTED),
        ("restricted-rights", Visibility.RESTRICTED, AccessRight.RESTRICTED),
        ("restricted-safety", Visibility.RESTRICTED, AccessRight.METADATA_ONLY),
        ("discarded", Visibility.DELETED, AccessRight.METADATA_ONLY),
    ],
)
def test_access_right_follows_reason_and_deadline(dataset_id: str, visibility: Visibility, right: AccessRight) -> None:
    seen = view(dataset_id)
    assert seen is not None
    assert (seen.visibility, seen.access_right) == (visibility, right)
    assert seen.shows_data_links is (visibility is Visibility.PUBLIC)


def test_undisclosed_data_has_no_view() -> None:
    assert view("undisclosed") is None


def test_available_is_issued_for_public_data() -> None:
    seen = view("public-full")
    assert seen is not None
    assert (seen.available, seen.available_scheduled) == (datetime(2020, 8, 1, tzinfo=UTC), False)


def test_available_is_the_release_for_data_released_by_the_clock() -> None:
    seen = view("released-automatically")
    assert seen is not None
    assert (seen.available, seen.available_scheduled) == (datetime(2025, 7, 1, tzinfo=UTC), False)


def test_available_is_scheduled_for_an_embargo_and_becomes_past_at_release() -> None:
    release = datetime(2027, 6, 9, tzinfo=UTC)
    before, at = view("embargoed", release - timedelta(seconds=1)), view("embargoed", release)
    assert before is not None
    assert at is not None
    assert (before.access_right, before.available, before.available_scheduled) == (
        AccessRight.EMBARGOED,
        release,
        True,
    )
    assert (at.access_right, at.available, at.available_scheduled) == (AccessRight.OPEN, release, False)
    assert at.datestamp == release


def test_restricted_data_without_release_has_no_available_date() -> None:
    seen = view("restricted-incomplete")
    assert seen is not None
    assert seen.available is None


def test_deleted_data_is_withdrawn_at_its_discard_date() -> None:
    seen = view("discarded")
    assert seen is not None
    assert seen.withdrawn == datetime(2025, 4, 1, tzinfo=UTC)
    assert view("discarded", datetime(2025, 3, 31, tzinfo=UTC)) is not None


def test_related_targets_resolve_to_doi_and_never_to_undisclosed_data() -> None:
    known = catalog()
    dataset = known["public-full"][0]
    resolved = resolve_related(dataset, known, NOW, lambda dataset_id: f"https://catalog.test/datasets/{dataset_id}")
    assert resolved == {"restricted-incomplete": RelatedTarget("10.17597/isas.darts/hyb2-00100", "DOI")}


def test_related_targets_without_doi_resolve_to_the_landing_page() -> None:
    known = catalog()
    linking = Dataset.from_dict(
        {
            "type": "dataset",
            "id": "linking",
            "title": {"en": "Linking"},
            "category": "observation",
            "creators": [{"name": "Team", "kind": "organization"}],
            "access": {"status": "public"},
            "related": [{"relation": "IsNewVersionOf", "target": "no-doi"}],
        }
    )
    resolved = resolve_related(linking, known, NOW, lambda dataset_id: f"https://catalog.test/datasets/{dataset_id}")
    assert resolved == {"no-doi": RelatedTarget("https://catalog.test/datasets/no-doi", "URL")}
