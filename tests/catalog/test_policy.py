"""The ISAS data policy as pure functions: visibility over time, granules, datestamps, retention and the audit."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from catalog.policy import (
    Timeline,
    audit,
    cap_by_dataset,
    dataset_timeline,
    datestamp_at,
    default_reproducible,
    discard_problem,
    granule_access,
    granule_timeline,
    granule_visibility_at,
    proprietary_scope,
    restriction_problems,
    retention_class,
    retention_end,
    visibility_at,
)
from catalog.records import Access, Dataset, Granule
from catalog.timeutil import add_months, format_time
from catalog.vocab import (
    AccessStatus,
    AfterDeadline,
    AuditCode,
    Category,
    Reproducible,
    RestrictionReason,
    RetentionClass,
    Severity,
    Visibility,
)
from tests.conftest import NOW

Json = dict[str, Any]

SECOND = timedelta(seconds=1)
UNTIL = datetime(2027, 3, 31, tzinfo=UTC)
DISCARDED = datetime(2028, 1, 1, tzinfo=UTC)
EARLY = datetime(2000, 1, 1, tzinfo=UTC)
LATE = datetime(2100, 1, 1, tzinfo=UTC)
ACQUIRED = datetime(2026, 5, 10, 6, 30, tzinfo=UTC)

TEAM = {"name": "XRISM Science Team", "kind": "organization"}
ISAS = {"name": "ISAS/JAXA", "kind": "organization"}
ISAS_BY_ROR = {
    "name": "Institute of Space and Astronautical Science",
    "kind": "organization",
    "ror": "https://ror.org/034gcgw60",
}
PERSON = {"name": "Sugita, Seiji", "kind": "person", "affiliation": "The University of Tokyo"}

P, R, D, H = Visibility.PUBLIC, Visibility.RESTRICTED, Visibility.DELETED, Visibility.HIDDEN


def _encode(value: Any) -> Any:
    """Contract JSON for a value built with datetimes: times become RFC 3339 strings."""
    if isinstance(value, datetime):
        return format_time(value)
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    return value


def make_dataset(**fields: Any) -> Dataset:
    """A minimal contract-v1 public observation dataset, with `fields` replacing its top-level fields (None drops)."""
    base: Json = {
        "type": "dataset",
        "id": "xrism-resolve-obs",
        "title": {"en": "XRISM Resolve observation event files"},
        "category": "observation",
        "creators": [TEAM],
        "access": {"status": "public"},
    }
    return Dataset.from_dict(_encode({k: v for k, v in (base | fields).items() if v is not None}))


def make_granule(**fields: Any) -> Granule:
    """A minimal contract-v1 granule observed for a day ending at `ACQUIRED`, with `fields` replacing its fields."""
    data: Json = {
        "type": "granule",
        "id": "000128000",
        "dataset": "xrism-resolve-obs",
        "start": ACQUIRED - timedelta(days=1),
        "end": ACQUIRED,
    }
    data.update(fields)
    return Granule.from_dict(_encode(data))


def restricted(**fields: Any) -> Json:
    """A complete restricted access block (disclosed, review at `UNTIL`), with `fields` replacing its fields."""
    return {
        "status": "restricted",
        "reason": "privacy-or-safety",
        "scope": "Range safety office",
        "until": UNTIL,
    } | fields


def discarded(at: datetime | None = DISCARDED, **fields: Any) -> Json:
    return {"state": "discarded", **({} if at is None else {"discarded": at}), **fields}


def compliant_public(**fields: Any) -> Dataset:
    """A public dataset the audit has nothing to say about."""
    base: Json = {
        "creators": [ISAS],
        "doi": "10.17597/isas.darts/xrism-00001",
        "issued": datetime(2025, 1, 1, tzinfo=UTC),
    }
    return make_dataset(**(base | fields))


def compliant_restricted(**fields: Any) -> Dataset:
    """A restricted dataset the audit has nothing to say about at `NOW`."""
    return compliant_public(**({"access": restricted(until=NOW + timedelta(days=30))} | fields))


def codes(findings_of: Dataset, now: datetime = NOW) -> set[AuditCode]:
    return {finding.code for finding in audit(findings_of, now)}


# visibility_at and dataset_timeline

VISIBILITY_CASES: list[tuple[str, Json, Json | None, bool, datetime, Visibility]] = [
    ("public", {"status": "public"}, None, False, EARLY, P),
    ("public-late", {"status": "public"}, None, False, LATE, P),
    ("restricted-disclosed", restricted(), None, False, UNTIL - SECOND, R),
    ("restricted-review-after-until", restricted(after="review"), None, False, UNTIL + SECOND, R),
    ("restricted-discard-after-until", restricted(after="discard"), None, False, LATE, R),
    ("undisclosed", restricted(disclose=False), None, False, EARLY, H),
    ("undisclosed-review-after-until", restricted(disclose=False), None, False, LATE, H),
    ("release-second-before", restricted(after="release"), None, False, UNTIL - SECOND, R),
    ("release-at-until", restricted(after="release"), None, False, UNTIL, P),
    ("release-second-after", restricted(after="release"), None, False, UNTIL + SECOND, P),
    ("undisclosed-release-second-before", restricted(disclose=False, after="release"), None, False, UNTIL - SECOND, H),
    ("undisclosed-release-at-until", restricted(disclose=False, after="release"), None, False, UNTIL, P),
    ("public-discarded-second-before", {"status": "public"}, discarded(), False, DISCARDED - SECOND, P),
    ("public-discarded-at", {"status": "public"}, discarded(), False, DISCARDED, D),
    ("public-discarded-second-after", {"status": "public"}, discarded(), False, DISCARDED + SECOND, D),
    ("restricted-discarded-second-before", restricted(), discarded(), False, DISCARDED - SECOND, R),
    ("restricted-discarded-at", restricted(), discarded(), False, DISCARDED, D),
    ("undisclosed-discarded-second-before", restricted(disclose=False), discarded(), False, DISCARDED - SECOND, H),
    ("undisclosed-discarded-at", restricted(disclose=False), discarded(), False, DISCARDED, H),
    ("undisclosed-discarded-after", restricted(disclose=False), discarded(), False, LATE, H),
    ("public-discarded-undated", {"status": "public"}, discarded(None), False, EARLY, D),
    ("restricted-discarded-undated", restricted(), discarded(None), False, EARLY, D),
    ("undisclosed-discarded-undated", restricted(disclose=False), discarded(None), False, EARLY, H),
    ("undisclosed-discarded-undated-late", restricted(disclose=False), discarded(None), False, LATE, H),
    ("release-then-discard-hidden", restricted(disclose=False, after="release"), discarded(), False, UNTIL - SECOND, H),
    ("release-then-discard-public", restricted(disclose=False, after="release"), discarded(), False, UNTIL, P),
    (
        "release-then-discard-still-public",
        restricted(disclose=False, after="release"),
        discarded(),
        False,
        DISCARDED - SECOND,
        P,
    ),
    ("release-then-discard-deleted", restricted(disclose=False, after="release"), discarded(), False, DISCARDED, D),
    (
        "discard-before-release-never-public",
        restricted(disclose=False, after="release", until=DISCARDED + SECOND),
        discarded(),
        False,
        DISCARDED + SECOND,
        H,
    ),
    (
        "discard-at-release-never-public",
        restricted(after="release", until=DISCARDED),
        discarded(),
        False,
        DISCARDED,
        D,
    ),
    ("withdrawn-shown-before", restricted(disclose=False), None, True, EARLY, D),
    ("withdrawn-never-shown", restricted(disclose=False), None, False, EARLY, H),
    ("public-shown-before", {"status": "public"}, None, True, EARLY, P),
    ("undisclosed-discarded-shown-before", restricted(disclose=False), discarded(), True, DISCARDED - SECOND, D),
    ("undisclosed-discarded-undated-shown-before", restricted(disclose=False), discarded(None), True, EARLY, D),
    ("undisclosed-release-shown-before", restricted(disclose=False, after="release"), None, True, UNTIL, P),
]


@pytest.mark.parametrize(
    ("access", "lifecycle", "shown_before", "moment", "expected"),
    [case[1:] for case in VISIBILITY_CASES],
    ids=[case[0] for case in VISIBILITY_CASES],
)
def test_visibility_at(
    access: Json, lifecycle: Json | None, shown_before: bool, moment: datetime, expected: Visibility
) -> None:
    fields: Json = {"access": access} | ({} if lifecycle is None else {"lifecycle": lifecycle})
    assert visibility_at(make_dataset(**fields), moment, shown_before=shown_before) is expected


TIMELINE_CASES: list[tuple[str, Json, Json | None, bool, Timeline]] = [
    ("public", {"status": "public"}, None, False, Timeline(P)),
    ("restricted", restricted(), None, False, Timeline(R)),
    ("undisclosed", restricted(disclose=False), None, False, Timeline(H)),
    ("release", restricted(after="release"), None, False, Timeline(R, ((UNTIL, P),))),
    ("public-discarded", {"status": "public"}, discarded(), False, Timeline(P, ((DISCARDED, D),))),
    ("undisclosed-discarded-drops-no-op", restricted(disclose=False), discarded(), False, Timeline(H)),
    ("undisclosed-discarded-shown-before", restricted(disclose=False), discarded(), True, Timeline(D)),
    (
        "undisclosed-release-then-discard",
        restricted(disclose=False, after="release"),
        discarded(),
        False,
        Timeline(H, ((UNTIL, P), (DISCARDED, D))),
    ),
    (
        "release-after-discard-dropped",
        restricted(after="release", until=DISCARDED + SECOND),
        discarded(),
        False,
        Timeline(R, ((DISCARDED, D),)),
    ),
    ("discarded-undated", {"status": "public"}, discarded(None), False, Timeline(D)),
]


@pytest.mark.parametrize(
    ("access", "lifecycle", "shown_before", "expected"),
    [case[1:] for case in TIMELINE_CASES],
    ids=[case[0] for case in TIMELINE_CASES],
)
def test_dataset_timeline(access: Json, lifecycle: Json | None, shown_before: bool, expected: Timeline) -> None:
    fields: Json = {"access": access} | ({} if lifecycle is None else {"lifecycle": lifecycle})
    assert dataset_timeline(make_dataset(**fields), shown_before=shown_before) == expected


# Timeline


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (EARLY, H),
        (UNTIL - SECOND, H),
        (UNTIL, P),
        (UNTIL + SECOND, P),
        (DISCARDED - SECOND, P),
        (DISCARDED, D),
        (LATE, D),
    ],
)
def test_timeline_at_shift_moments(moment: datetime, expected: Visibility) -> None:
    timeline = Timeline(H, ((UNTIL, P), (DISCARDED, D)))
    assert timeline.at(moment) is expected


def test_timeline_steps_start_with_initial_then_shifts() -> None:
    timeline = Timeline(R, ((UNTIL, P),))
    assert list(timeline.steps()) == [(None, R), (UNTIL, P)]


@pytest.mark.parametrize(
    ("timeline", "expected"),
    [
        (Timeline(H), False),
        (Timeline(D), False),
        (Timeline(R), True),
        (Timeline(H, ((UNTIL, P), (DISCARDED, D))), True),
    ],
)
def test_timeline_ever_shown(timeline: Timeline, expected: bool) -> None:
    assert timeline.ever_shown() is expected


def test_timeline_drops_shift_to_same_visibility() -> None:
    timeline = dataset_timeline(make_dataset(access=restricted(disclose=False), lifecycle=discarded()))
    assert timeline.shifts == ()


# granules


def test_granule_inherits_dataset_access() -> None:
    dataset = make_dataset(access=restricted(after="release"))
    assert granule_access(make_granule(), dataset) == dataset.access


def test_granule_override_replaces_dataset_access() -> None:
    override = restricted(reason="rights-granted", scope="NASA GSFC", until=DISCARDED)
    granule = make_granule(access=override)
    assert granule_access(granule, make_dataset()) == Access.from_dict(_encode(override))


def test_granule_public_override_escapes_rolling_proprietary_period() -> None:
    dataset = make_dataset(access={"status": "public", "proprietary_months": 12})
    granule = make_granule(access={"status": "public"})
    assert granule_access(granule, dataset).status is AccessStatus.PUBLIC
    assert granule_visibility_at(granule, dataset, ACQUIRED) is P


def test_rolling_proprietary_period_restricts_granule_for_twelve_calendar_months() -> None:
    dataset = make_dataset(access={"status": "public", "proprietary_months": 12})
    access = granule_access(make_granule(), dataset)
    assert access.status is AccessStatus.RESTRICTED
    assert access.reason is RestrictionReason.PROPRIETARY_PERIOD
    assert access.disclose is True
    assert access.after is AfterDeadline.RELEASE
    assert access.until == datetime(2027, 5, 10, 6, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (ACQUIRED - SECOND, R),
        (ACQUIRED, R),
        (datetime(2027, 5, 10, 6, 30, tzinfo=UTC) - SECOND, R),
        (datetime(2027, 5, 10, 6, 30, tzinfo=UTC), P),
        (datetime(2027, 5, 10, 6, 30, tzinfo=UTC) + SECOND, P),
    ],
)
def test_granule_under_rolling_proprietary_period_released_exactly_at_acquired_plus_months(
    moment: datetime, expected: Visibility
) -> None:
    dataset = make_dataset(access={"status": "public", "proprietary_months": 12})
    assert granule_visibility_at(make_granule(), dataset, moment) is expected


def test_granule_timeline_under_rolling_proprietary_period() -> None:
    dataset = make_dataset(access={"status": "public", "proprietary_months": 12})
    until = datetime(2027, 5, 10, 6, 30, tzinfo=UTC)
    assert granule_timeline(make_granule(), dataset) == Timeline(R, ((until, P),))


def granule_from(fields: Json) -> Granule:
    """A granule with only the identifying fields given here, and `fields` for its times."""
    data: Json = {"type": "granule", "id": "000412000", "dataset": "xrism-resolve-obs"} | fields
    return Granule.from_dict(_encode(data))


INSTANT = datetime(2025, 2, 3, 4, 5, 6, tzinfo=UTC)


@pytest.mark.parametrize(
    ("fields", "acquired"),
    [
        ({"start": EARLY, "end": ACQUIRED}, ACQUIRED),
        ({"datetime": INSTANT}, INSTANT),
        ({"start": EARLY, "end": ACQUIRED, "acquired": UNTIL}, UNTIL),
        ({"datetime": INSTANT, "acquired": UNTIL}, UNTIL),
    ],
    ids=["end", "datetime", "explicit-over-end", "explicit-over-datetime"],
)
def test_granule_acquired_defaults_to_end_or_datetime(fields: Json, acquired: datetime) -> None:
    assert granule_from(fields).acquired == acquired


def test_instant_granule_proprietary_period_counts_from_its_datetime() -> None:
    dataset = make_dataset(access={"status": "public", "proprietary_months": 12})
    granule = granule_from({"datetime": INSTANT})
    assert granule_access(granule, dataset).until == datetime(2026, 2, 3, 4, 5, 6, tzinfo=UTC)


@pytest.mark.parametrize(
    ("acquired", "months", "until"),
    [
        (datetime(2023, 1, 31, 12, tzinfo=UTC), 1, datetime(2023, 2, 28, 12, tzinfo=UTC)),
        (datetime(2024, 1, 31, 12, tzinfo=UTC), 1, datetime(2024, 2, 29, 12, tzinfo=UTC)),
        (datetime(2024, 2, 29, tzinfo=UTC), 12, datetime(2025, 2, 28, tzinfo=UTC)),
        (datetime(2023, 11, 30, tzinfo=UTC), 3, datetime(2024, 2, 29, tzinfo=UTC)),
        (datetime(2024, 3, 31, tzinfo=UTC), 1, datetime(2024, 4, 30, tzinfo=UTC)),
        (datetime(2024, 12, 31, 23, 59, 59, tzinfo=UTC), 1, datetime(2025, 1, 31, 23, 59, 59, tzinfo=UTC)),
        (datetime(2024, 5, 15, tzinfo=UTC), 120, datetime(2034, 5, 15, tzinfo=UTC)),
    ],
)
def test_rolling_proprietary_period_clamps_to_month_end(acquired: datetime, months: int, until: datetime) -> None:
    dataset = make_dataset(access={"status": "public", "proprietary_months": months})
    granule = make_granule(acquired=acquired)
    assert granule_access(granule, dataset).until == until
    assert granule_visibility_at(granule, dataset, until - SECOND) is R
    assert granule_visibility_at(granule, dataset, until) is P


@pytest.mark.parametrize(
    ("dataset_fields", "granule_fields", "moment", "expected"),
    [
        ({"access": restricted(disclose=False)}, {}, EARLY, H),
        ({"access": restricted(disclose=False)}, {"access": {"status": "public"}}, EARLY, H),
        ({"access": restricted()}, {"access": {"status": "public"}}, EARLY, R),
        ({"access": restricted()}, {}, EARLY, R),
        ({"access": restricted(after="release")}, {"access": {"status": "public"}}, UNTIL - SECOND, R),
        ({"access": restricted(after="release")}, {"access": {"status": "public"}}, UNTIL, P),
        ({"lifecycle": discarded()}, {}, DISCARDED - SECOND, P),
        ({"lifecycle": discarded()}, {}, DISCARDED, H),
        ({"lifecycle": discarded(None)}, {}, EARLY, H),
        ({}, {"access": restricted(disclose=False)}, EARLY, H),
        ({}, {"access": restricted(disclose=False, after="release")}, UNTIL, P),
        ({}, {"access": restricted()}, LATE, R),
        ({}, {}, EARLY, P),
    ],
    ids=[
        "hidden-dataset",
        "hidden-dataset-public-override",
        "restricted-dataset-public-override",
        "restricted-dataset-inherited",
        "dataset-release-second-before",
        "dataset-release-at-until",
        "dataset-discarded-second-before",
        "deleted-dataset",
        "deleted-dataset-undated",
        "undisclosed-override",
        "undisclosed-override-released",
        "restricted-override",
        "public",
    ],
)
def test_granule_visibility_capped_by_dataset(
    dataset_fields: Json, granule_fields: Json, moment: datetime, expected: Visibility
) -> None:
    dataset = make_dataset(**dataset_fields)
    assert granule_visibility_at(make_granule(**granule_fields), dataset, moment) is expected


def test_granule_of_withdrawn_dataset_is_hidden_not_deleted() -> None:
    dataset = make_dataset(access=restricted(disclose=False))
    assert granule_visibility_at(make_granule(), dataset, EARLY, dataset_shown_before=True) is H


@pytest.mark.parametrize(
    ("dataset_visibility", "own", "expected"),
    [
        (P, P, P),
        (P, R, R),
        (P, H, H),
        (R, P, R),
        (R, R, R),
        (R, H, H),
        (D, P, H),
        (D, R, H),
        (D, H, H),
        (H, P, H),
        (H, R, H),
        (H, H, H),
    ],
)
def test_cap_by_dataset(dataset_visibility: Visibility, own: Visibility, expected: Visibility) -> None:
    assert cap_by_dataset(dataset_visibility, own) is expected


@pytest.mark.parametrize(
    ("access", "creators", "scope"),
    [
        (
            {"status": "public", "proprietary_months": 12, "scope": "XRISM guest observers"},
            [TEAM],
            "XRISM guest observers",
        ),
        ({"status": "public", "proprietary_months": 12}, [TEAM, PERSON], "XRISM Science Team"),
        ({"status": "public", "proprietary_months": 12}, [PERSON, TEAM], "Sugita, Seiji"),
    ],
)
def test_proprietary_scope_is_dataset_scope_else_first_creator(access: Json, creators: list[Json], scope: str) -> None:
    dataset = make_dataset(access=access, creators=creators)
    assert proprietary_scope(dataset) == scope
    assert granule_access(make_granule(), dataset).scope == scope


def test_granule_of_released_dataset_stays_restricted_until_its_proprietary_period_ends() -> None:
    dataset = make_dataset(
        access=restricted(reason="incomplete-processing", after="release", until=UNTIL, proprietary_months=12)
    )
    granule = make_granule(acquired=UNTIL - timedelta(days=30))
    assert granule_visibility_at(granule, dataset, UNTIL) is R
    assert granule_visibility_at(granule, dataset, add_months(granule.acquired, 12) - SECOND) is R
    assert granule_visibility_at(granule, dataset, add_months(granule.acquired, 12)) is P


# datestamp_at

RELEASE_TIMELINE = Timeline(R, ((UNTIL, P),))
TWO_SHIFTS = Timeline(H, ((UNTIL, P), (DISCARDED, D)))
LOADED = datetime(2025, 6, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("changed", "timeline", "moment", "expected"),
    [
        (LOADED, Timeline(P), LATE, LOADED),
        (LOADED, RELEASE_TIMELINE, LOADED, LOADED),
        (LOADED, RELEASE_TIMELINE, UNTIL - SECOND, LOADED),
        (LOADED, RELEASE_TIMELINE, UNTIL, UNTIL),
        (LOADED, RELEASE_TIMELINE, UNTIL + SECOND, UNTIL),
        (UNTIL + SECOND, RELEASE_TIMELINE, LATE, UNTIL + SECOND),
        (UNTIL, RELEASE_TIMELINE, LATE, UNTIL),
        (LOADED, TWO_SHIFTS, DISCARDED - SECOND, UNTIL),
        (LOADED, TWO_SHIFTS, DISCARDED, DISCARDED),
        (LOADED, TWO_SHIFTS, LATE, DISCARDED),
        (UNTIL + SECOND, TWO_SHIFTS, DISCARDED - SECOND, UNTIL + SECOND),
        (UNTIL + SECOND, TWO_SHIFTS, DISCARDED, DISCARDED),
    ],
    ids=[
        "no-shifts",
        "at-load",
        "second-before-release",
        "at-release",
        "after-release",
        "loaded-after-release",
        "loaded-at-release",
        "between-release-and-discard",
        "at-discard",
        "after-discard",
        "loaded-between-before-discard",
        "loaded-between-at-discard",
    ],
)
def test_datestamp_at(changed: datetime, timeline: Timeline, moment: datetime, expected: datetime) -> None:
    assert datestamp_at(changed, timeline, moment) == expected


# retention


@pytest.mark.parametrize(
    ("category", "expected"),
    [
        (Category.SOURCE, Reproducible.NO),
        (Category.OBSERVATION, Reproducible.NO),
        (Category.ENGINEERING, Reproducible.NO),
        (Category.DOCUMENT, Reproducible.NO),
        (Category.SIMULATION, Reproducible.EASY),
        (Category.EXPERIMENT, Reproducible.COSTLY),
        (Category.ANALYSIS, Reproducible.COSTLY),
        (Category.SOFTWARE, Reproducible.COSTLY),
    ],
)
def test_default_reproducible_per_category(category: Category, expected: Reproducible) -> None:
    assert default_reproducible(category) is expected


def test_default_reproducible_covers_every_category() -> None:
    assert {default_reproducible(c) for c in Category} == set(Reproducible)


@pytest.mark.parametrize(
    ("category", "access", "reproducible", "expected"),
    [
        ("simulation", {"status": "public"}, None, RetentionClass.LONG_TERM),
        ("simulation", {"status": "public"}, "easy", RetentionClass.LONG_TERM),
        ("observation", restricted(), None, RetentionClass.LONG_TERM),
        ("source", restricted(), None, RetentionClass.LONG_TERM),
        ("source", restricted(), "easy", RetentionClass.LONG_TERM),
        ("engineering", restricted(), None, RetentionClass.LONG_TERM),
        ("document", restricted(), None, RetentionClass.LONG_TERM),
        ("simulation", restricted(), None, RetentionClass.DISCARDABLE),
        ("simulation", restricted(after="discard"), None, RetentionClass.DISCARDABLE),
        ("simulation", restricted(after="release"), None, RetentionClass.LONG_TERM),
        ("analysis", restricted(), None, RetentionClass.AVOID_DISCARD),
        ("experiment", restricted(), None, RetentionClass.AVOID_DISCARD),
        ("software", restricted(), None, RetentionClass.AVOID_DISCARD),
        ("simulation", restricted(), "no", RetentionClass.LONG_TERM),
        ("simulation", restricted(), "costly", RetentionClass.AVOID_DISCARD),
        ("analysis", restricted(), "easy", RetentionClass.DISCARDABLE),
        ("observation", restricted(), "easy", RetentionClass.DISCARDABLE),
        ("experiment", restricted(), "no", RetentionClass.LONG_TERM),
    ],
)
def test_retention_class(category: str, access: Json, reproducible: str | None, expected: RetentionClass) -> None:
    retention = {} if reproducible is None else {"retention": {"reproducible": reproducible}}
    dataset = make_dataset(category=category, access=access, **retention)
    assert retention_class(dataset) is expected


@pytest.mark.parametrize(
    ("issued", "end"),
    [
        (datetime(2020, 8, 1, tzinfo=UTC), datetime(2050, 8, 1, tzinfo=UTC)),
        (datetime(2024, 2, 29, tzinfo=UTC), datetime(2054, 2, 28, tzinfo=UTC)),
        (datetime(2028, 2, 29, 9, tzinfo=UTC), datetime(2058, 2, 28, 9, tzinfo=UTC)),
        (datetime(2030, 2, 28, tzinfo=UTC), datetime(2060, 2, 28, tzinfo=UTC)),
    ],
)
def test_retention_end_is_thirty_years_after_issued(issued: datetime, end: datetime) -> None:
    assert retention_end(make_dataset(issued=issued)) == end


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"issued": datetime(2020, 8, 1, tzinfo=UTC), "category": "analysis", "access": restricted()},
        {"issued": datetime(2020, 8, 1, tzinfo=UTC), "category": "simulation", "access": restricted()},
    ],
    ids=["no-issued", "avoid-discard", "discardable"],
)
def test_retention_end_none_unless_long_term_and_issued(fields: Json) -> None:
    assert retention_end(make_dataset(**fields)) is None


@pytest.mark.parametrize(
    ("fields", "refused"),
    [
        ({"lifecycle": discarded()}, True),
        ({"lifecycle": discarded(None)}, True),
        ({"category": "source", "access": restricted(), "lifecycle": discarded()}, True),
        ({"lifecycle": discarded(reason="Superseded by v2.")}, False),
        ({"category": "source", "access": restricted(), "lifecycle": discarded(reason={"en": "Corrupt."})}, False),
        ({"category": "simulation", "access": restricted(), "lifecycle": discarded()}, False),
        ({"category": "analysis", "access": restricted(), "lifecycle": discarded()}, False),
        ({}, False),
    ],
    ids=[
        "long-term-without-reason",
        "long-term-undated-without-reason",
        "source-without-reason",
        "long-term-with-reason",
        "source-with-reason",
        "easy-without-reason",
        "costly-without-reason",
        "active",
    ],
)
def test_discard_problem(fields: Json, refused: bool) -> None:
    assert (discard_problem(make_dataset(**fields)) is not None) is refused


# restriction_problems


@pytest.mark.parametrize("missing", ["reason", "scope", "until"])
def test_restriction_problems_name_the_missing_field(missing: str) -> None:
    access = Access.from_dict(_encode({k: v for k, v in restricted().items() if k != missing}))
    assert [field for field, _ in restriction_problems(access)] == [missing]


def test_restriction_problems_reports_empty_scope() -> None:
    access = Access.from_dict(_encode(restricted(scope="")))
    assert [field for field, _ in restriction_problems(access)] == ["scope"]


def test_restriction_problems_reports_all_missing_fields_in_order() -> None:
    problems = restriction_problems(Access.from_dict({"status": "restricted"}))
    assert [field for field, _ in problems] == ["reason", "scope", "until"]
    assert all(message for _, message in problems)


@pytest.mark.parametrize("access", [{"status": "public"}, restricted()], ids=["public", "complete"])
def test_restriction_problems_none_for_public_or_complete(access: Json) -> None:
    assert restriction_problems(Access.from_dict(_encode(access))) == []


# audit


def test_compliant_records_have_no_findings() -> None:
    assert audit(compliant_public(), NOW) == []
    assert audit(compliant_restricted(), NOW) == []
    assert audit(compliant_restricted(access=restricted(disclose=False, until=NOW + SECOND)), NOW) == []


PROPRIETARY_END = datetime(2025, 10, 31, tzinfo=UTC)

AUDIT_PRODUCED: list[tuple[str, Dataset, AuditCode, Severity]] = [
    (
        "restricted-without-reason",
        make_dataset(access={"status": "restricted", "scope": "Team", "until": "2030-01-01"}),
        AuditCode.RESTRICTED_WITHOUT_REASON,
        Severity.ERROR,
    ),
    (
        "restricted-without-scope",
        make_dataset(access={"status": "restricted", "reason": "rights-granted", "until": "2030-01-01"}),
        AuditCode.RESTRICTED_WITHOUT_SCOPE,
        Severity.ERROR,
    ),
    (
        "restricted-without-deadline",
        make_dataset(access={"status": "restricted", "reason": "rights-granted", "scope": "NASA"}),
        AuditCode.RESTRICTED_WITHOUT_DEADLINE,
        Severity.ERROR,
    ),
    ("overdue-review-at-until", make_dataset(access=restricted(until=NOW)), AuditCode.OVERDUE_REVIEW, Severity.WARNING),
    (
        "overdue-review-after-until",
        make_dataset(access=restricted(until=NOW - SECOND)),
        AuditCode.OVERDUE_REVIEW,
        Severity.WARNING,
    ),
    (
        "overdue-review-undisclosed",
        make_dataset(access=restricted(until=NOW, disclose=False)),
        AuditCode.OVERDUE_REVIEW,
        Severity.WARNING,
    ),
    (
        "overdue-discard-at-until",
        make_dataset(access=restricted(until=NOW, after="discard")),
        AuditCode.OVERDUE_DISCARD,
        Severity.WARNING,
    ),
    (
        "incomplete-without-schedule",
        make_dataset(access=restricted(reason="incomplete-processing", until=LATE)),
        AuditCode.INCOMPLETE_WITHOUT_SCHEDULE,
        Severity.WARNING,
    ),
    (
        "proprietary-months-13",
        compliant_public(access={"status": "public", "proprietary_months": 13}),
        AuditCode.PROPRIETARY_BEYOND_GUIDELINE,
        Severity.WARNING,
    ),
    (
        "proprietary-until-beyond-13-months",
        make_dataset(
            temporal={"start": "2024-09-01T00:00:00Z", "end": PROPRIETARY_END},
            access=restricted(reason="proprietary-period", until=datetime(2026, 11, 30, tzinfo=UTC) + SECOND),
        ),
        AuditCode.PROPRIETARY_BEYOND_GUIDELINE,
        Severity.WARNING,
    ),
    ("public-without-doi", compliant_public(doi=None), AuditCode.PUBLIC_WITHOUT_DOI, Severity.WARNING),
    ("public-without-issued", compliant_public(issued=None), AuditCode.PUBLIC_WITHOUT_ISSUED, Severity.INFO),
    ("credit-unstated", compliant_public(creators=[TEAM]), AuditCode.CREDIT_UNSTATED, Severity.INFO),
    ("credit-unstated-mixed", compliant_public(creators=[ISAS, PERSON]), AuditCode.CREDIT_UNSTATED, Severity.INFO),
    (
        "released-restricted-audited-as-public",
        compliant_restricted(access=restricted(after="release", until=NOW), doi=None),
        AuditCode.PUBLIC_WITHOUT_DOI,
        Severity.WARNING,
    ),
    (
        "discard-long-term-without-reason",
        make_dataset(lifecycle=discarded()),
        AuditCode.DISCARD_WITHOUT_REASON,
        Severity.ERROR,
    ),
    (
        "discard-costly-without-reason",
        make_dataset(category="analysis", access=restricted(), lifecycle=discarded()),
        AuditCode.DISCARD_WITHOUT_REASON,
        Severity.WARNING,
    ),
    (
        "discarded-within-retention",
        make_dataset(issued="2020-08-01", lifecycle=discarded(datetime(2050, 8, 1, tzinfo=UTC) - SECOND, reason="X")),
        AuditCode.DISCARDED_WITHIN_RETENTION,
        Severity.WARNING,
    ),
]


@pytest.mark.parametrize(
    ("dataset", "code", "severity"),
    [case[1:] for case in AUDIT_PRODUCED],
    ids=[case[0] for case in AUDIT_PRODUCED],
)
def test_audit_reports(dataset: Dataset, code: AuditCode, severity: Severity) -> None:
    found = [f for f in audit(dataset, NOW) if f.code is code]
    assert len(found) == 1
    assert found[0].severity is severity
    assert found[0].record_id == dataset.id
    assert found[0].message


def test_audit_produces_every_code() -> None:
    assert {case[2] for case in AUDIT_PRODUCED} == set(AuditCode)


AUDIT_NOT_PRODUCED: list[tuple[str, Dataset, AuditCode]] = [
    ("review-second-before-until", make_dataset(access=restricted(until=NOW + SECOND)), AuditCode.OVERDUE_REVIEW),
    (
        "discard-second-before-until",
        make_dataset(access=restricted(until=NOW + SECOND, after="discard")),
        AuditCode.OVERDUE_DISCARD,
    ),
    ("review-is-not-discard", make_dataset(access=restricted(until=NOW)), AuditCode.OVERDUE_DISCARD),
    ("discard-is-not-review", make_dataset(access=restricted(until=NOW, after="discard")), AuditCode.OVERDUE_REVIEW),
    ("release-is-not-overdue", make_dataset(access=restricted(until=NOW, after="release")), AuditCode.OVERDUE_REVIEW),
    (
        "incomplete-with-schedule",
        make_dataset(access=restricted(reason="incomplete-processing", release_schedule="FY2026")),
        AuditCode.INCOMPLETE_WITHOUT_SCHEDULE,
    ),
    (
        "proprietary-months-12",
        compliant_public(access={"status": "public", "proprietary_months": 12}),
        AuditCode.PROPRIETARY_BEYOND_GUIDELINE,
    ),
    (
        "proprietary-until-exactly-13-months",
        make_dataset(
            temporal={"start": "2024-09-01T00:00:00Z", "end": PROPRIETARY_END},
            access=restricted(reason="proprietary-period", until=datetime(2026, 11, 30, tzinfo=UTC)),
        ),
        AuditCode.PROPRIETARY_BEYOND_GUIDELINE,
    ),
    (
        "proprietary-until-ongoing",
        make_dataset(
            temporal={"start": "2024-09-01T00:00:00Z", "end": None},
            access=restricted(reason="proprietary-period", until=LATE),
        ),
        AuditCode.PROPRIETARY_BEYOND_GUIDELINE,
    ),
    (
        "other-reason-long-until",
        make_dataset(temporal={"start": "2024-09-01T00:00:00Z", "end": PROPRIETARY_END}, access=restricted(until=LATE)),
        AuditCode.PROPRIETARY_BEYOND_GUIDELINE,
    ),
    ("restricted-without-doi", compliant_restricted(doi=None), AuditCode.PUBLIC_WITHOUT_DOI),
    ("restricted-without-issued", compliant_restricted(issued=None), AuditCode.PUBLIC_WITHOUT_ISSUED),
    ("restricted-credit-unstated", compliant_restricted(creators=[TEAM]), AuditCode.CREDIT_UNSTATED),
    (
        "release-second-before-not-public",
        compliant_restricted(access=restricted(after="release", until=NOW + SECOND), doi=None),
        AuditCode.PUBLIC_WITHOUT_DOI,
    ),
    ("credit-isas-by-name", compliant_public(creators=[ISAS]), AuditCode.CREDIT_UNSTATED),
    ("credit-isas-by-ror", compliant_public(creators=[ISAS_BY_ROR]), AuditCode.CREDIT_UNSTATED),
    (
        "credit-jaxa-by-name",
        compliant_public(creators=[{"name": "JAXA Hayabusa2 Project", "kind": "organization"}]),
        AuditCode.CREDIT_UNSTATED,
    ),
    ("credit-given", compliant_public(creators=[TEAM], rights={"credit": ["XRISM team"]}), AuditCode.CREDIT_UNSTATED),
    ("discard-with-reason", make_dataset(lifecycle=discarded(reason="Corrupt.")), AuditCode.DISCARD_WITHOUT_REASON),
    (
        "discard-easy-without-reason",
        make_dataset(category="simulation", access=restricted(), lifecycle=discarded()),
        AuditCode.DISCARD_WITHOUT_REASON,
    ),
    (
        "discarded-at-retention-end",
        make_dataset(issued="2020-08-01", lifecycle=discarded(datetime(2050, 8, 1, tzinfo=UTC), reason="X")),
        AuditCode.DISCARDED_WITHIN_RETENTION,
    ),
    (
        "discarded-without-issued",
        make_dataset(lifecycle=discarded(reason="X")),
        AuditCode.DISCARDED_WITHIN_RETENTION,
    ),
    (
        "discarded-undated",
        make_dataset(issued="2020-08-01", lifecycle=discarded(None, reason="X")),
        AuditCode.DISCARDED_WITHIN_RETENTION,
    ),
    (
        "discarded-costly-no-retention-end",
        make_dataset(category="analysis", access=restricted(), issued="2020-08-01", lifecycle=discarded()),
        AuditCode.DISCARDED_WITHIN_RETENTION,
    ),
    ("discarded-public-not-audited-as-public", make_dataset(lifecycle=discarded()), AuditCode.PUBLIC_WITHOUT_DOI),
    (
        "discarded-restricted-not-overdue",
        make_dataset(access=restricted(until=NOW - SECOND), lifecycle=discarded()),
        AuditCode.OVERDUE_REVIEW,
    ),
]


@pytest.mark.parametrize(
    ("dataset", "code"),
    [case[1:] for case in AUDIT_NOT_PRODUCED],
    ids=[case[0] for case in AUDIT_NOT_PRODUCED],
)
def test_audit_does_not_report(dataset: Dataset, code: AuditCode) -> None:
    assert code not in codes(dataset)


def test_audit_reports_each_missing_restriction_field_once() -> None:
    dataset = make_dataset(access={"status": "restricted"})
    assert codes(dataset) == {
        AuditCode.RESTRICTED_WITHOUT_REASON,
        AuditCode.RESTRICTED_WITHOUT_SCOPE,
        AuditCode.RESTRICTED_WITHOUT_DEADLINE,
    }


def test_audit_of_discarded_dataset_reports_only_the_discard() -> None:
    dataset = make_dataset(access=restricted(until=NOW - SECOND, proprietary_months=24), lifecycle=discarded())
    assert codes(dataset) == {AuditCode.DISCARD_WITHOUT_REASON}


# properties

BASE = datetime(2020, 1, 1, tzinfo=UTC)
SPAN = 20 * 366 * 86400


@st.composite
def instants(draw: st.DrawFn, near: tuple[datetime, ...] = ()) -> datetime:
    """A whole-second moment in 2020–2040, often within a few seconds of one of `near`."""
    if draw(st.booleans()) and near:
        anchor = draw(st.sampled_from(near))
        return anchor + timedelta(seconds=draw(st.integers(-3, 3)))
    return BASE + timedelta(seconds=draw(st.integers(0, SPAN)))


@st.composite
def datasets(draw: st.DrawFn) -> Dataset:
    """A random dataset: status, disclose, after, until, lifecycle and discard date, proprietary months."""
    until = draw(instants())
    access: Json
    if draw(st.booleans()):
        access = {"status": "public"}
    else:
        access = restricted(
            reason=draw(st.sampled_from(list(RestrictionReason))).value,
            disclose=draw(st.booleans()),
            after=draw(st.sampled_from(list(AfterDeadline))).value,
            until=until,
        )
    months = draw(st.none() | st.integers(1, 120))
    if months is not None:
        access["proprietary_months"] = months
    fields: Json = {"access": access, "category": draw(st.sampled_from(list(Category))).value}
    state = draw(st.sampled_from(["active", "discarded-dated", "discarded-undated"]))
    if state == "discarded-dated":
        fields["lifecycle"] = discarded(draw(instants(near=(until,))))
    elif state == "discarded-undated":
        fields["lifecycle"] = discarded(None)
    return make_dataset(**fields)


@st.composite
def granules(draw: st.DrawFn) -> Granule:
    fields: Json = {"acquired": draw(instants())}
    if draw(st.booleans()):
        fields["access"] = draw(
            st.sampled_from(
                [
                    {"status": "public"},
                    restricted(),
                    restricted(disclose=False),
                    restricted(after="release", until=draw(instants())),
                    restricted(disclose=False, after="release", until=draw(instants())),
                    {"status": "public", "proprietary_months": draw(st.integers(1, 120))},
                ]
            )
        )
    return make_granule(**fields)


def _moments_around(dataset: Dataset) -> tuple[datetime, ...]:
    marks = [dataset.access.until, dataset.lifecycle.discarded]
    return tuple(m for m in marks if m is not None)


@settings(max_examples=300, deadline=None)
@given(st.data(), datasets(), st.booleans())
def test_restricted_never_public_before_release(data: st.DataObject, dataset: Dataset, shown_before: bool) -> None:
    moment = data.draw(instants(near=_moments_around(dataset)))
    access = dataset.access
    visibility = visibility_at(dataset, moment, shown_before=shown_before)
    if access.restricted and access.after is AfterDeadline.RELEASE:
        assert access.until is not None
        assert visibility is not P or moment >= access.until
    elif access.restricted:
        assert visibility is not P


def _released(dataset: Dataset) -> datetime | None:
    """When the dataset became public by itself, if a discard did not come first."""
    access = dataset.access
    if not access.restricted or access.after is not AfterDeadline.RELEASE or access.until is None:
        return None
    if dataset.discarded and (dataset.lifecycle.discarded is None or dataset.lifecycle.discarded <= access.until):
        return None
    return access.until


@settings(max_examples=300, deadline=None)
@given(st.data(), datasets())
def test_undisclosed_never_revealed_before_release(data: st.DataObject, dataset: Dataset) -> None:
    moment = data.draw(instants(near=_moments_around(dataset)))
    released = _released(dataset)
    if dataset.access.restricted and not dataset.access.disclose and (released is None or moment < released):
        assert visibility_at(dataset, moment) is H
        assert not dataset_timeline(dataset).ever_shown() or released is not None


@settings(max_examples=300, deadline=None)
@given(st.data(), datasets(), granules(), st.booleans())
def test_granule_never_more_open_than_dataset(
    data: st.DataObject, dataset: Dataset, granule: Granule, shown_before: bool
) -> None:
    moment = data.draw(instants(near=(*_moments_around(dataset), granule.acquired)))
    dataset_visibility = visibility_at(dataset, moment, shown_before=shown_before)
    visibility = granule_visibility_at(granule, dataset, moment, dataset_shown_before=shown_before)
    assert visibility is not D
    if not dataset_visibility.shows_metadata:
        assert visibility is H
    if dataset_visibility is R:
        assert visibility is not P
    if visibility is P:
        assert dataset_visibility is P
        assert granule_timeline(granule, dataset).at(moment) is P


@settings(max_examples=300, deadline=None)
@given(st.data(), datasets(), granules())
def test_granule_never_public_within_its_proprietary_period(
    data: st.DataObject, dataset: Dataset, granule: Granule
) -> None:
    months = (granule.access or dataset.access).proprietary_months
    if months is None:
        return
    end = add_months(granule.acquired, months)
    moment = data.draw(instants(near=(end, granule.acquired, *_moments_around(dataset))))
    if moment < end:
        assert granule_visibility_at(granule, dataset, moment) is not P


@settings(max_examples=300, deadline=None)
@given(st.data(), datasets(), st.booleans())
def test_datestamp_monotone_and_bounded(data: st.DataObject, dataset: Dataset, shown_before: bool) -> None:
    timeline = dataset_timeline(dataset, shown_before=shown_before)
    near = tuple(m for m, _ in timeline.shifts)
    changed = data.draw(instants(near=near))
    first, second = sorted([data.draw(instants(near=near)), data.draw(instants(near=near))])
    earlier, later = datestamp_at(changed, timeline, first), datestamp_at(changed, timeline, second)
    assert changed <= earlier <= later
    assert earlier <= max(changed, first)
    assert later <= max(changed, second)


@settings(max_examples=300, deadline=None)
@given(datasets())
def test_generated_dataset_round_trips(dataset: Dataset) -> None:
    assert Dataset.from_dict(dataset.to_dict()) == dataset
