"""The storage seam: one `Store` protocol, SQLite and PostgreSQL implementations chosen by URL scheme."""

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from catalog.policy import Timeline, datestamp_at
from catalog.records import Dataset, Granule, GranuleFacts, Mission
from catalog.vocab import Visibility


class StoreError(Exception):
    """The store cannot be reached or is not in a usable state; the message says what to do."""


@dataclass(frozen=True, slots=True)
class StoredMission:
    record: Mission
    changed: datetime


@dataclass(frozen=True, slots=True)
class StoredDataset:
    """A dataset as the store holds it: the record, when the store last took a new version, its timeline."""

    record: Dataset
    changed: datetime
    timeline: Timeline
    source: str = ""

    def visibility(self, now: datetime) -> Visibility:
        return self.timeline.at(now)

    def datestamp(self, now: datetime) -> datetime:
        return datestamp_at(self.changed, self.timeline, now)


@dataclass(frozen=True, slots=True)
class StoredGranule:
    """A granule with its own timeline; `catalog.policy.cap_by_dataset` combines it with its dataset's."""

    record: Granule
    changed: datetime
    timeline: Timeline


@dataclass(frozen=True, slots=True)
class Change:
    """What an upsert did: `added`, `updated` (a new version: the datestamp moves) or `unchanged` (nothing written)."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0

    def __add__(self, other: "Change") -> "Change":
        return Change(self.added + other.added, self.updated + other.updated, self.unchanged + other.unchanged)


@dataclass(frozen=True, slots=True)
class StagedGranule:
    """A granule of a load in progress; `timeline` None until its dataset is known.

    `position` orders the input and says where the granule came from (the loader encodes file and line in it).
    """

    position: int
    facts: GranuleFacts
    timeline: Timeline | None
    digest: str
    doc: str


@dataclass(frozen=True, slots=True)
class StagedGroup:
    """Staged granules sharing a key: a dataset id, or a granule id given more than once."""

    dataset_id: str
    granule_id: str | None
    first_position: int
    last_position: int
    count: int


DatestampKey = tuple[datetime, str]
"""A keyset position in datestamp order: the last `(datestamp, id)` seen."""


class LoadTransaction(Protocol):
    """One all-or-nothing load: granules are staged aside and merged only by `merge_granules`; leaving the
    context with an exception (or without `commit`) leaves the store exactly as it was."""

    def stored_dataset(self, dataset_id: str) -> Dataset | None: ...

    def stored_missions(self, ids: Sequence[str]) -> set[str]: ...

    def stage_granules(self, rows: Sequence[StagedGranule]) -> None: ...

    def staged_datasets(self) -> list[StagedGroup]: ...

    def staged_duplicates(self, limit: int) -> tuple[list[StagedGroup], int]: ...

    def unresolved_staged(self) -> Iterator[tuple[int, dict[str, Any]]]: ...

    def resolve_staged(self, timelines: Sequence[tuple[str, str, Timeline]]) -> None: ...

    def put_mission(self, mission: Mission, doc: str, digest: str) -> Change: ...

    def put_dataset(self, dataset: Dataset, doc: str, digest: str) -> Change: ...

    def merge_granules(self) -> Change: ...

    def retime_granules(self, dataset: Dataset) -> int: ...

    def commit(self) -> None: ...


@dataclass(frozen=True, slots=True)
class Stats:
    missions: int
    datasets: dict[str, int]
    granules: dict[str, int] | None
    """Granules by visibility (capped by their dataset's); None when not counted."""


class Store(Protocol):
    """The catalog's storage. Every query that answers the public takes the request's moment `now`."""

    url: str

    def check(self) -> None: ...

    def load(self, now: datetime) -> AbstractContextManager[LoadTransaction]: ...

    def mission(self, mission_id: str) -> StoredMission | None: ...

    def missions(self, ids: Sequence[str] | None = None) -> list[StoredMission]: ...

    def dataset(self, dataset_id: str) -> StoredDataset | None: ...

    def datasets_by_id(self, ids: Sequence[str]) -> dict[str, StoredDataset]: ...

    def all_datasets(self) -> Iterator[StoredDataset]: ...

    def datasets_page(
        self,
        now: datetime,
        *,
        visibilities: frozenset[Visibility],
        after: DatestampKey | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 100,
        set_spec: str | None = None,
        with_doi: bool = False,
    ) -> list[StoredDataset]:
        """Page datasets in `(datestamp, id)` order at `now` whose visibility is one of `visibilities`.

        Keyset after `after`, datestamps in [since, until]; with `set_spec`, only members of that set: a static
        set (`catalog.sets.static_sets`) by stored membership, an access set (`catalog.sets.ACCESS_SETS`) by the
        visibility at `now`.
        """
        ...

    def count_datasets(
        self,
        now: datetime,
        *,
        visibilities: frozenset[Visibility],
        since: datetime | None = None,
        until: datetime | None = None,
        set_spec: str | None = None,
        with_doi: bool = False,
    ) -> int:
        """Count the datasets `datasets_page` pages through with the same filters (OAI-PMH `completeListSize`)."""
        ...

    def earliest_datestamp(self, now: datetime, *, visibilities: frozenset[Visibility]) -> datetime | None:
        """Return the smallest datestamp at `now` among datasets in `visibilities` (Identify), None if none."""
        ...

    def sets(self, now: datetime) -> list[str]:
        """Return the set specs that have a member at `now`, in code point order (ListSets).

        Static sets count only datasets not hidden at `now`, so that no set reveals undisclosed data; the access
        sets are listed while some dataset is public, or restricted with its existence disclosed.
        """
        ...

    def granule(self, dataset_id: str, granule_id: str) -> StoredGranule | None: ...

    def granules_page(
        self,
        dataset_id: str,
        now: datetime,
        *,
        visibilities: frozenset[Visibility],
        after: str | None = None,
        limit: int = 100,
    ) -> list[StoredGranule]: ...

    def stats(self, now: datetime, *, granules: bool = True) -> Stats: ...

    def dispose(self) -> None: ...


def open_store(url: str) -> Store:
    """Open the store at a database URL (`sqlite:///path`, `postgresql://…`); the scheme picks the implementation."""
    from catalog.store.sql import BACKENDS, backend_name

    name = backend_name(url)
    if name not in BACKENDS:
        raise StoreError(f"unsupported database URL scheme {name!r}: use one of {', '.join(sorted(BACKENDS))}")
    return BACKENDS[name](url)


def migrate(url: str) -> None:
    """Create or upgrade the store's schema to the newest migration."""
    from catalog.store.sql import migrate_url

    migrate_url(url)
