"""A dataset as the public may see it at a moment: what every crosswalk renders, decided by the policy once."""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from catalog.policy import Timeline, datestamp_at, release_moment
from catalog.records import Dataset
from catalog.vocab import AccessRight, AfterDeadline, RestrictionReason, Visibility


@dataclass(frozen=True, slots=True)
class RelatedTarget:
    """Where a related dataset of this catalog resolves: its DOI, else its landing page."""

    identifier: str
    identifier_type: str
    """`DOI` or `URL`, as DataCite's relatedIdentifierType."""


@dataclass(frozen=True, slots=True)
class View:
    """What the public may see of a dataset at `at`; hidden datasets have no view.

    `available` is when the data became or becomes public: its `issued` date, the moment a restriction released
    it, or the scheduled release of an embargo (`available_scheduled` then). `withdrawn` is when a deleted
    dataset stopped being shown. `related` maps each local `related` target to where it resolves; a target that
    is absent there is not to be named (unknown, or not disclosed).
    """

    at: datetime
    visibility: Visibility
    access_right: AccessRight
    datestamp: datetime
    updated: datetime
    available: datetime | None
    available_scheduled: bool
    withdrawn: datetime | None
    related: Mapping[str, RelatedTarget]

    @property
    def shows_data_links(self) -> bool:
        """Whether download links may be shown: only for data the public may use now."""
        return self.visibility is Visibility.PUBLIC


def access_right(dataset: Dataset, visibility: Visibility) -> AccessRight:
    """Choose the access right from the visibility, the restriction's reason and what follows its deadline."""
    if visibility is Visibility.PUBLIC:
        return AccessRight.OPEN
    if visibility is Visibility.DELETED:
        return AccessRight.METADATA_ONLY
    access = dataset.access
    if access.after is AfterDeadline.RELEASE and access.until is not None:
        return AccessRight.EMBARGOED
    if access.reason is RestrictionReason.PRIVACY_OR_SAFETY:
        return AccessRight.METADATA_ONLY
    return AccessRight.RESTRICTED


def view_of(
    dataset: Dataset,
    timeline: Timeline,
    changed: datetime,
    at: datetime,
    related: Mapping[str, RelatedTarget],
) -> View | None:
    """Return the public view of a stored dataset at `at`, or None when the public may not see it at all."""
    visibility = timeline.at(at)
    if visibility is Visibility.HIDDEN:
        return None
    released = release_moment(dataset.access)
    available: datetime | None = None
    scheduled = False
    if visibility is Visibility.PUBLIC:
        available = released if released is not None and released <= at else dataset.issued
    elif visibility is Visibility.RESTRICTED and released is not None:
        available, scheduled = released, True
    withdrawn = None
    if visibility is Visibility.DELETED:
        passed = [moment for moment, step in timeline.shifts if step is Visibility.DELETED and moment <= at]
        withdrawn = dataset.lifecycle.discarded or (passed[-1] if passed else changed)
    return View(
        at=at,
        visibility=visibility,
        access_right=access_right(dataset, visibility),
        datestamp=datestamp_at(changed, timeline, at),
        updated=changed,
        available=available,
        available_scheduled=scheduled,
        withdrawn=withdrawn,
        related=related,
    )


def resolve_related(
    dataset: Dataset,
    known: Mapping[str, tuple[Dataset, Timeline]],
    at: datetime,
    landing_url: Callable[[str], str],
) -> dict[str, RelatedTarget]:
    """Resolve the local `related` targets of a dataset: a dataset the public may see at `at` resolves to its DOI,
    else to its landing page; one it may not see (hidden, or unknown in `known`) is left out, never named."""
    targets = {dataset_id: (target.doi, timeline) for dataset_id, (target, timeline) in known.items()}
    return resolve_targets([related.target for related in dataset.related], targets, at, landing_url)


def resolve_targets(
    target_ids: Iterable[str],
    known: Mapping[str, tuple[str | None, Timeline]],
    at: datetime,
    landing_url: Callable[[str], str],
) -> dict[str, RelatedTarget]:
    """Resolve dataset ids as `resolve_related` does, from what resolving needs of each: its DOI and timeline."""
    resolved: dict[str, RelatedTarget] = {}
    for target in target_ids:
        entry = known.get(target)
        if entry is None or entry[1].at(at) is Visibility.HIDDEN:
            continue
        doi = entry[0]
        resolved[target] = RelatedTarget(doi, "DOI") if doi else RelatedTarget(landing_url(target), "URL")
    return resolved
