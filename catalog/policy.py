"""The ISAS data policy as pure functions: what the public may see of a record at any moment, and what is overdue.

A record's visibility is a step function of time, a `Timeline`: it changes only when a restriction's deadline
releases the data (`after: release`) or when the data is discarded. The store keeps each record's timeline in
columns so SQL can filter by visibility at the request's moment; the functions here compute the same answer in
Python, and the tests hold both to it. Nothing is written when a deadline passes: the clock alone releases data.
"""

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from catalog.records import Access, Agent, Dataset, Granule
from catalog.timeutil import add_months, add_years
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

PUBLIC_RETENTION_YEARS = 30
"""Public data is kept usable for at least 30 years (§5, note 2)."""

PROPRIETARY_GUIDELINE_MONTHS = 12
"""The proprietary period's guideline: about one year after acquisition (§4)."""

PROPRIETARY_GRACE_MONTHS = 1
"""How far "about one year" stretches before the audit calls a proprietary period long."""

MANDATORY_CREDIT = "ISAS/JAXA"
MANDATORY_CREDIT_JA = "宇宙航空研究開発機構・宇宙科学研究所"
ISAS_ROR = "https://ror.org/034gcgw60"
JAXA_ROR = "https://ror.org/059yhyy33"


@dataclass(frozen=True, slots=True)
class Timeline:
    """Visibility from the beginning of time (`initial`), changing at each `(moment, visibility)` shift in turn."""

    initial: Visibility
    shifts: tuple[tuple[datetime, Visibility], ...] = ()

    def at(self, moment: datetime) -> Visibility:
        current = self.initial
        for shift_at, visibility in self.shifts:
            if shift_at > moment:
                break
            current = visibility
        return current

    def steps(self) -> Iterator[tuple[datetime | None, Visibility]]:
        yield None, self.initial
        yield from self.shifts

    def ever_shown(self) -> bool:
        return any(v.shows_metadata for _, v in self.steps())


def _timeline(steps: Sequence[tuple[datetime | None, Visibility]]) -> Timeline:
    """Build a timeline from ordered steps, dropping shifts that change nothing."""
    initial = steps[0][1]
    shifts: list[tuple[datetime, Visibility]] = []
    current = initial
    for moment, visibility in steps[1:]:
        assert moment is not None
        if visibility is not current:
            shifts.append((moment, visibility))
            current = visibility
    return Timeline(initial, tuple(shifts))


def release_moment(access: Access) -> datetime | None:
    """Return when restricted data becomes public by itself (`after: release` at `until`), if it does."""
    if access.restricted and access.after is AfterDeadline.RELEASE:
        return access.until
    return None


def access_timeline(access: Access) -> Timeline:
    """Visibility that an access block alone gives: public, restricted if disclosed, hidden if not; then release."""
    if not access.restricted:
        return Timeline(Visibility.PUBLIC)
    initial = Visibility.RESTRICTED if access.disclose else Visibility.HIDDEN
    released = release_moment(access)
    if released is None:
        return Timeline(initial)
    return _timeline([(None, initial), (released, Visibility.PUBLIC)])


def dataset_timeline(dataset: Dataset, *, shown_before: bool = False) -> Timeline:
    """Visibility of a dataset over time.

    A record that stops being shown (discarded, or withdrawn by a reload that hides it) becomes `deleted` if the
    public ever saw it, and stays `hidden` if it never did: a tombstone must not reveal what was never disclosed.
    `shown_before` says the store showed an earlier version of this record. A timeline describes one version:
    a withdrawn record's is `deleted` from the beginning of time, which is right for every moment from the
    withdrawal on, the only moments a store serving this version answers for.
    """
    access = access_timeline(dataset.access)
    steps = list(access.steps())
    shown = shown_before
    if dataset.discarded:
        discarded_at = dataset.lifecycle.discarded
        if discarded_at is None:
            shown = shown or access.initial.shows_metadata
            steps = [(None, Visibility.HIDDEN)]
        else:
            steps = [(m, v) for m, v in steps if m is None or m < discarded_at]
            steps.append((discarded_at, Visibility.HIDDEN))
    marked: list[tuple[datetime | None, Visibility]] = []
    for moment, visibility in steps:
        if visibility is Visibility.HIDDEN and shown:
            visibility = Visibility.DELETED
        shown = shown or visibility.shows_metadata
        marked.append((moment, visibility))
    return _timeline(marked)


def visibility_at(dataset: Dataset, moment: datetime, *, shown_before: bool = False) -> Visibility:
    """Return what the public may see of a dataset at `moment`."""
    return dataset_timeline(dataset, shown_before=shown_before).at(moment)


def proprietary_scope(dataset: Dataset) -> str:
    """Who holds a rolling proprietary period: the dataset's stated scope, else its first creator (the team)."""
    return dataset.access.scope or dataset.creators[0].name


def granule_access(granule: Granule, dataset: Dataset) -> Access:
    """Return the access that governs a granule, as the public would be told it.

    The granule's own `access` overrides the dataset's. Under a rolling proprietary period (`proprietary_months`)
    a granule stays restricted for that many months after its acquisition, also when a restricted dataset is
    released by the clock before then: it is released at whichever moment comes last.
    """
    access = granule.access or dataset.access
    months = access.proprietary_months
    released = release_moment(access)
    if not months or (access.restricted and released is None):
        return access
    proprietary_until = add_months(granule.acquired, months)
    if released is not None and released >= proprietary_until:
        return access
    return replace(
        access,
        status=AccessStatus.RESTRICTED,
        reason=RestrictionReason.PROPRIETARY_PERIOD,
        disclose=access.disclose,
        scope=proprietary_scope(dataset),
        until=proprietary_until,
        after=AfterDeadline.RELEASE,
    )


def granule_timeline(granule: Granule, dataset: Dataset) -> Timeline:
    """Visibility of a granule's own access over time, before the dataset's visibility caps it."""
    return access_timeline(granule_access(granule, dataset))


def shared_granule_timeline(dataset: Dataset) -> Timeline | None:
    """The own timeline of every granule of `dataset` that has no `access` of its own, when they all share one.

    They do unless a rolling proprietary period gives each granule its own release moment (None then).
    """
    return None if dataset.access.proprietary_months else access_timeline(dataset.access)


def cap_by_dataset(dataset_visibility: Visibility, own: Visibility) -> Visibility:
    """Combine: a granule is never more open than its dataset, and has no tombstone of its own."""
    if not dataset_visibility.shows_metadata or own is Visibility.HIDDEN:
        return Visibility.HIDDEN
    if Visibility.RESTRICTED in (dataset_visibility, own):
        return Visibility.RESTRICTED
    return Visibility.PUBLIC


def granule_visibility_at(
    granule: Granule, dataset: Dataset, moment: datetime, *, dataset_shown_before: bool = False
) -> Visibility:
    """Return what the public may see of a granule at `moment`: public (with assets), restricted, or hidden."""
    dataset_visibility = visibility_at(dataset, moment, shown_before=dataset_shown_before)
    return cap_by_dataset(dataset_visibility, granule_timeline(granule, dataset).at(moment))


def datestamp_at(changed: datetime, timeline: Timeline, moment: datetime) -> datetime:
    """Return the last moment up to `moment` at which the public view changed.

    `changed` is when the store last took a new version of the record; every shift of the timeline after it and
    not after `moment` is a change too (a release by the clock), so "what changed since T" stays right later on.
    """
    latest = changed
    for shift_at, _ in timeline.shifts:
        if latest < shift_at <= moment:
            latest = shift_at
    return latest


def default_reproducible(category: Category) -> Reproducible:
    """The contract's default reproducibility of a category."""
    if category in (Category.SOURCE, Category.OBSERVATION, Category.ENGINEERING, Category.DOCUMENT):
        return Reproducible.NO
    if category is Category.SIMULATION:
        return Reproducible.EASY
    return Reproducible.COSTLY


def reproducibility(dataset: Dataset) -> Reproducible:
    return dataset.reproducible or default_reproducible(dataset.category)


def retention_class(dataset: Dataset) -> RetentionClass:
    """Classify per §7: public, irreproducible or source data long-term; costly to remake, avoid discarding."""
    reproducible = reproducibility(dataset)
    if (
        dataset.access.status is AccessStatus.PUBLIC
        or release_moment(dataset.access) is not None
        or reproducible is Reproducible.NO
        or dataset.category is Category.SOURCE
    ):
        return RetentionClass.LONG_TERM
    if reproducible is Reproducible.COSTLY:
        return RetentionClass.AVOID_DISCARD
    return RetentionClass.DISCARDABLE


def retention_end(dataset: Dataset) -> datetime | None:
    """Return the earliest moment long-term data may go: 30 years after it was issued (None if unknown)."""
    if retention_class(dataset) is not RetentionClass.LONG_TERM or dataset.issued is None:
        return None
    return add_years(dataset.issued, PUBLIC_RETENTION_YEARS)


def discard_problem(dataset: Dataset) -> str | None:
    """Return why a discard is refused: data the policy keeps long-term needs a stated reason (§7)."""
    if not dataset.discarded or dataset.lifecycle.reason is not None:
        return None
    if retention_class(dataset) is not RetentionClass.LONG_TERM:
        return None
    return f"this dataset {_long_term_because(dataset)}, so the policy keeps it long-term: discarding it needs a reason"


def _long_term_because(dataset: Dataset) -> str:
    if dataset.access.status is AccessStatus.PUBLIC:
        return "is public"
    if release_moment(dataset.access) is not None:
        return "is to be released"
    if dataset.category is Category.SOURCE:
        return "is source data, needed to reprocess"
    return f"is {dataset.category} data that cannot be reproduced"


def restriction_problems(access: Access) -> list[tuple[str, str]]:
    """Return `(field, message)` for what restricted data must state: reason, scope of use and deadline (§4)."""
    if not access.restricted:
        return []
    problems = []
    if access.reason is None:
        problems.append(("reason", "restricted data needs one of the four reasons of the policy"))
    if not access.scope:
        problems.append(("scope", "restricted data needs a scope of use (who may use it meanwhile)"))
    if access.until is None:
        problems.append(("until", "restricted data needs a deadline"))
    return problems


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing the audit reports about a record."""

    record_id: str
    code: AuditCode
    severity: Severity
    message: str


def _is_isas(agent: Agent) -> bool:
    ror = (agent.ror or "").removeprefix("https://ror.org/")
    return ror in (ISAS_ROR[-9:], JAXA_ROR[-9:]) or any(n in agent.name for n in ("ISAS", "JAXA"))


def audit(dataset: Dataset, now: datetime) -> list[Finding]:
    """Return what needs a decision or a fix in a dataset's record at `now`, by the rules of the policy."""
    findings: list[Finding] = []

    def report(code: AuditCode, severity: Severity, message: str) -> None:
        findings.append(Finding(dataset.id, code, severity, message))

    access = dataset.access
    if dataset.discarded:
        _audit_discard(dataset, report)
        return findings
    if access.restricted:
        for field_name, message in restriction_problems(access):
            code = {
                "reason": AuditCode.RESTRICTED_WITHOUT_REASON,
                "scope": AuditCode.RESTRICTED_WITHOUT_SCOPE,
                "until": AuditCode.RESTRICTED_WITHOUT_DEADLINE,
            }[field_name]
            report(code, Severity.ERROR, message)
        if access.until is not None and access.until <= now:
            deadline = access.until.date().isoformat()
            if access.after is AfterDeadline.REVIEW:
                report(
                    AuditCode.OVERDUE_REVIEW,
                    Severity.WARNING,
                    f"the deadline {deadline} has passed: decide to release, extend or discard",
                )
            elif access.after is AfterDeadline.DISCARD:
                report(
                    AuditCode.OVERDUE_DISCARD,
                    Severity.WARNING,
                    f"the deadline {deadline} has passed and the data is marked for a discard decision",
                )
        if access.reason is RestrictionReason.INCOMPLETE_PROCESSING and access.release_schedule is None:
            report(
                AuditCode.INCOMPLETE_WITHOUT_SCHEDULE,
                Severity.WARNING,
                "data held back for incomplete processing needs a stated schedule to publication (§4 note 1)",
            )
        if access.reason is RestrictionReason.PROPRIETARY_PERIOD and access.until is not None:
            acquired = dataset.temporal.end if dataset.temporal is not None else None
            limit = PROPRIETARY_GUIDELINE_MONTHS + PROPRIETARY_GRACE_MONTHS
            if acquired is not None and access.until > add_months(acquired, limit):
                report(
                    AuditCode.PROPRIETARY_BEYOND_GUIDELINE,
                    Severity.WARNING,
                    f"proprietary until {access.until.date().isoformat()}, more than about a year after "
                    f"acquisition ended {acquired.date().isoformat()}",
                )
    if access.proprietary_months is not None and access.proprietary_months > PROPRIETARY_GUIDELINE_MONTHS:
        report(
            AuditCode.PROPRIETARY_BEYOND_GUIDELINE,
            Severity.WARNING,
            f"a rolling proprietary period of {access.proprietary_months} months exceeds the guideline of "
            f"about {PROPRIETARY_GUIDELINE_MONTHS}",
        )
    if visibility_at(dataset, now) is Visibility.PUBLIC:
        _audit_public(dataset, report)
    return findings


def _audit_public(dataset: Dataset, report: Callable[[AuditCode, Severity, str], None]) -> None:
    if dataset.doi is None:
        report(AuditCode.PUBLIC_WITHOUT_DOI, Severity.WARNING, "public data should be citable by a DOI (§5.4)")
    if dataset.issued is None:
        report(
            AuditCode.PUBLIC_WITHOUT_ISSUED,
            Severity.INFO,
            "no `issued` date: the 30-year minimum retention cannot be dated",
        )
    if not dataset.rights.credit and not all(_is_isas(agent) for agent in dataset.creators):
        report(
            AuditCode.CREDIT_UNSTATED,
            Severity.INFO,
            "made by others than ISAS/JAXA but no further credit is stated: say whether they require one (§6.2)",
        )


def _audit_discard(dataset: Dataset, report: Callable[[AuditCode, Severity, str], None]) -> None:
    retention = retention_class(dataset)
    if dataset.lifecycle.reason is None and retention is not RetentionClass.DISCARDABLE:
        severity = Severity.ERROR if retention is RetentionClass.LONG_TERM else Severity.WARNING
        report(AuditCode.DISCARD_WITHOUT_REASON, severity, f"{retention} data discarded without a stated reason")
    end = retention_end(dataset)
    discarded = dataset.lifecycle.discarded
    if end is not None and discarded is not None and discarded < end:
        report(
            AuditCode.DISCARDED_WITHIN_RETENTION,
            Severity.WARNING,
            f"discarded {discarded.date().isoformat()}, before the minimum retention end {end.date().isoformat()}",
        )
