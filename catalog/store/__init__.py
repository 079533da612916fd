"""The storage seam: one `Store` protocol, SQLite and PostgreSQL implementations chosen by URL scheme."""

import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from catalog.policy import Timeline, datestamp_at
from catalog.records import Dataset, Granule, GranuleFacts, Mission
from catalog.timeutil import EPOCH
from catalog.vocab import Category, Visibility


class StoreError(Exception):
    """The store cannot be reached or is not in a usable state; the message says what to do."""


class SourceConflictError(Exception):
    """A dataset id is held by another source (the archive's own, or another harvest source): it is never
    overwritten. Nothing was written for that dataset; the transaction may go on."""


@dataclass(frozen=True, slots=True)
class HarvestSource:
    """An OAI-PMH provider the harvester gathers from, and where its harvesting stands.

    `granularity` is the provider's datestamp granularity (from Identify, once known); `harvested_from` the first
    `responseDate` of its last run that finished (the next run's `from`); `checkpoint` the state of a run in
    progress, as JSON owned by `harvest.oai` (None when no run is under way).
    """

    name: str
    url: str
    prefix: str
    sets: tuple[str, ...] = ()
    added: datetime = EPOCH
    granularity: str | None = None
    harvested_from: datetime | None = None
    checkpoint: str | None = None


@dataclass(frozen=True, slots=True)
class HarvestRun:
    """What one harvest run of a source did: `status` `ok` or `failed`, `summary` its counts and message."""

    source: str
    started: datetime
    finished: datetime
    status: str
    summary: Mapping[str, Any]


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
    digest: str = ""

    @property
    def source(self) -> str:
        """The harvest source the dataset came from ("" for the archive's own): its provenance says."""
        return self.record.source

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


@dataclass(frozen=True, slots=True)
class DatasetSearch:
    """One page of a dataset search at a moment, with what the whole match holds.

    `after` is the keyset position of the next page (the last id of this one), None on the last page; `total`
    counts the whole match; `facets` counts it by `mission`, `category` and `access` (the visibility at the
    moment: `public` or `restricted`), each most frequent first.
    """

    datasets: tuple[StoredDataset, ...]
    after: str | None
    total: int
    facets: Mapping[str, Mapping[str, int]]


@dataclass(frozen=True, slots=True)
class ListedDataset:
    """A dataset the public may find at a moment, and its datestamp then (a sitemap entry)."""

    id: str
    datestamp: datetime


@dataclass(frozen=True, slots=True)
class Rendition:
    """A dataset's OAI-PMH record in one format, serialised ahead for the stretch of time `[since, until)` (epoch
    seconds; `until` None: for good) in which what the public may see of it does not change.

    `digest` and `changed` name the stored version rendered, `context` what else the bytes depend on (the code
    and configuration that rendered them), `related` how the dataset's local related datasets resolved (None when
    it names none). The store serves a rendition only for the version it holds and the context asked for; the
    reader checks `related` (`crosswalks.renditions`).
    """

    prefix: str
    since: int
    until: int | None
    digest: str
    changed: int
    context: str
    related: str | None
    body: bytes


Steps = tuple[str, int | None, str | None, int | None, str | None]
"""A dataset's timeline as stored: `vis0`, `shift1_at`, `vis1`, `shift2_at`, `vis2` (epoch seconds)."""


@dataclass(frozen=True, slots=True)
class DatasetEntry:
    """A dataset on a list page, undecoded: where it stands in the list, its stored facts, its rendition for the
    moment asked (if one holds), and its JSON only when asked for. Reading one costs next to nothing; decoding
    (`timeline`, `record`) is left to the few that are rendered live."""

    id: str
    stamp: int
    """Its datestamp at the moment the page was asked for (epoch seconds)."""
    changed_at: int
    digest: str
    steps: Steps
    sets: tuple[str, ...]
    """Its static set specs (`catalog.sets.static_sets`) as stored, when asked for (headers without renditions)."""
    doc: str | None
    """Its JSON, when asked for (`entries_by_id`); list pages leave it out."""
    rendition: Rendition | None
    """The rendition in the format asked for, for the stretch of time holding the moment, of this version of the
    dataset, in the context asked for."""

    @property
    def changed(self) -> datetime:
        return EPOCH + timedelta(seconds=self.changed_at)

    @property
    def timeline(self) -> Timeline:
        vis0, shift1, vis1, shift2, vis2 = self.steps
        steps = [
            (EPOCH + timedelta(seconds=moment), Visibility(visibility))
            for moment, visibility in ((shift1, vis1), (shift2, vis2))
            if moment is not None and visibility is not None
        ]
        return Timeline(Visibility(vis0), tuple(steps))

    def visibility(self, now: datetime) -> Visibility:
        return self.timeline.at(now)

    def datestamp(self, now: datetime) -> datetime:
        return datestamp_at(self.changed, self.timeline, now)

    def record(self) -> Dataset:
        """Decode the dataset; its JSON must have been read."""
        if self.doc is None:
            raise ValueError(f"dataset {self.id!r} was read without its JSON")
        return Dataset.from_dict(json.loads(self.doc))


NO_MISSION = ""
"""The `mission` a search asks for to find datasets that belong to no mission (laboratory, simulation)."""

SORTABLE = ("datetime", "start_datetime", "end_datetime", "id", "collection")
"""The item fields a search may sort by: each is a column of `granules`, so that every sort pages by keyset."""


@dataclass(frozen=True, slots=True)
class SortKey:
    """One key of an item search's order: a field of `SORTABLE`, ascending unless `descending`."""

    field: str
    descending: bool = False


DEFAULT_SORT = (SortKey("datetime", descending=True),)
"""Newest first, as STAC browsers expect; ties are broken by collection and id in the same direction."""


@dataclass(frozen=True, slots=True)
class ItemQuery:
    """What an item search asks for (STAC API item search, or one collection's items): every filter given holds.

    `start`/`end` bound the time range the item's `[start_datetime, end_datetime]` must overlap (None: open);
    `bbox` is `(west, south, east, north)` in degrees (west > east crosses the antimeridian); `intersects` a GeoJSON
    geometry; both match only items on Earth (with a bbox). `filter` is a CQL2 filter as data (`catalog.filters`);
    `text` free-text terms every one of which the item's collection must contain (`catalog.store.search`).
    """

    collections: tuple[str, ...] | None = None
    ids: tuple[str, ...] | None = None
    bbox: tuple[float, float, float, float] | None = None
    intersects: Mapping[str, Any] | None = None
    start: datetime | None = None
    end: datetime | None = None
    filter: Any = None
    text: str | None = None
    sort: tuple[SortKey, ...] = DEFAULT_SORT


ItemKey = tuple[Any, ...]
"""A keyset position in an item search's order: the values of its sort keys, then collection and id."""


@dataclass(frozen=True, slots=True)
class StoredItem:
    """A granule the public may see at a moment, with its dataset; `visibility` is the granule's capped by the
    dataset's (`catalog.policy.cap_by_dataset`): public or restricted."""

    granule: StoredGranule
    dataset: StoredDataset
    visibility: Visibility
    key: ItemKey


@dataclass(frozen=True, slots=True)
class ItemPage:
    """One page of an item search: `after` is the key to continue from (None on the last page), `before` the key
    to page back from (None on the first)."""

    items: tuple[StoredItem, ...]
    after: ItemKey | None
    before: ItemKey | None


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

    def put_dataset(self, dataset: Dataset, doc: str, digest: str) -> Change:
        """Put a dataset; raise `SourceConflictError` (nothing written) if another source holds its id."""
        ...

    def put_datasets(self, batch: Sequence[tuple[Dataset, str, str]]) -> list[Change | SourceConflictError]:
        """Put datasets of distinct ids at once; one held by another source gets its `SourceConflictError`."""
        ...

    def merge_granules(self) -> Change: ...

    def retime_granules(self, dataset: Dataset) -> int: ...

    def source_datasets(self, source: str, *, after: str = "", limit: int = 500) -> list[Dataset]:
        """Page the datasets a harvest source holds, in id order after `after`."""
        ...

    def put_checkpoint(self, name: str, checkpoint: str | None, *, granularity: str | None = None) -> None:
        """Save where a source's run stands (None: no run under way), with the same commit as the page's records."""
        ...

    def finish_run(self, run: HarvestRun, *, harvested_from: datetime | None) -> None:
        """Record a run; a run that finished moves the source's `harvested_from` and clears its checkpoint."""
        ...

    def delete_source(self, name: str) -> None:
        """Forget a harvest source and its runs (its datasets stay, as the harvester left them)."""
        ...

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

    def reading(self) -> AbstractContextManager[None]:
        """Within, this thread's reads share one connection: what one answer reads costs one checkout."""
        ...

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

    def dataset_entries(
        self,
        now: datetime,
        *,
        visibilities: frozenset[Visibility],
        prefix: str | None,
        context: str,
        after: DatestampKey | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 100,
        set_spec: str | None = None,
        with_doi: bool = False,
    ) -> list[DatasetEntry]:
        """Page as `datasets_page` does, without decoding: with `prefix`, each entry with its rendition in that
        format for `now`, its version and `context`, if there is one; without, with its stored set specs."""
        ...

    def related_targets(self, ids: Sequence[str]) -> dict[str, tuple[str | None, Timeline]]:
        """Return the DOI and timeline of each dataset of `ids` the store holds (resolving related datasets)."""
        ...

    def put_renditions(self, renditions: Mapping[str, Sequence[Rendition]]) -> None:
        """Replace every rendition of each dataset named, in one transaction."""
        ...

    def entries_by_id(self, *, after: str | None = None, limit: int = 500) -> list[DatasetEntry]:
        """Page every dataset in id order, undecoded and without renditions (keeping renditions fresh)."""
        ...

    def rendition_states(self, ids: Sequence[str], context: str) -> dict[str, set[tuple[str, int]]]:
        """Return the versions (`digest`, `changed`) the renditions in `context` of each of `ids` were rendered from."""
        ...

    def rendition_count(self, context: str) -> tuple[int, int]:
        """Return how many datasets have renditions in `context`, and how many datasets there are."""
        ...

    def has_renditions(self, context: str) -> bool:
        """Whether any rendition in `context` is stored."""
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

    def search_datasets(
        self,
        now: datetime,
        *,
        text: str | None = None,
        mission: str | None = None,
        category: Category | None = None,
        access: Visibility | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        bbox: tuple[float, float, float, float] | None = None,
        after: str | None = None,
        limit: int = 20,
    ) -> DatasetSearch:
        """Find the datasets public or restricted at `now` that match every filter given, a page in id order.

        `text`: every whitespace-separated term occurs in the dataset's normalised text (`catalog.store.search`);
        `mission`: its mission (`NO_MISSION`: datasets without one); `access`: the visibility at `now`; [`start`,
        `end`]: overlaps the dataset's time coverage; `bbox` `(west, south, east, north)`: meets the dataset's bbox
        (a dataset not on Earth has none and never matches); `after`: the keyset position a previous page returned.
        """
        ...

    def listed_datasets(self, now: datetime, *, after: str | None = None, limit: int = 1000) -> list[ListedDataset]:
        """Page the ids and datestamps of the datasets public or restricted at `now`, in id order after `after`."""
        ...

    def listed_start(self, now: datetime, position: int) -> str | None:
        """Return the `after` that `listed_datasets` pages from to start at `position` (0-based): None for 0."""
        ...

    def granule(self, dataset_id: str, granule_id: str) -> StoredGranule | None: ...

    def add_source(self, source: HarvestSource) -> None:
        """Add a harvest source; raise `StoreError` if one of that name exists."""
        ...

    def harvest_sources(self, names: Sequence[str] | None = None) -> list[HarvestSource]:
        """Return the harvest sources (those named, if `names`), by name."""
        ...

    def harvest_runs(self, name: str, *, limit: int = 10) -> list[HarvestRun]:
        """Return a source's last runs, newest first."""
        ...

    def search_items(
        self,
        now: datetime,
        query: ItemQuery,
        *,
        limit: int,
        after: ItemKey | None = None,
        before: ItemKey | None = None,
    ) -> ItemPage:
        """Page the items the public may see at `now` that match `query`, in its order, by keyset: after `after`,
        or the page that ends just before `before` (a `prev` link). Hidden granules and granules of datasets not
        public or restricted at `now` never match."""
        ...

    def count_items(self, now: datetime, query: ItemQuery, *, budget: float) -> int | None:
        """Count what `search_items` pages through, giving up (None) after `budget` seconds."""
        ...

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

    def analyze(self) -> None:
        """Bring the query planner's statistics up to date after a load (PostgreSQL; SQLite plans without them)."""
        ...

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
