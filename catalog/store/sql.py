"""The store in SQL: one code path over SQLite and PostgreSQL with SQLAlchemy Core, keyset paging, no OFFSET."""

import functools
import json
import math
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any

import psycopg
from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    Engine,
    Row,
    String,
    and_,
    bindparam,
    case,
    create_engine,
    event,
    exists,
    false,
    func,
    literal,
    literal_column,
    or_,
    select,
    text,
    true,
    tuple_,
    union_all,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError, SQLAlchemyError

from catalog.policy import Timeline, cap_by_dataset, dataset_timeline, granule_timeline
from catalog.records import Dataset, Granule, Mission
from catalog.sets import ACCESS_SETS, static_sets
from catalog.store import (
    Change,
    DatasetEntry,
    DatasetSearch,
    DatestampKey,
    HarvestRun,
    HarvestSource,
    ItemKey,
    ItemPage,
    ItemQuery,
    ListedDataset,
    Rendition,
    SourceConflictError,
    StagedGranule,
    StagedGroup,
    Stats,
    StoredDataset,
    StoredGranule,
    StoredItem,
    StoredMission,
    StoreError,
    items,
    search,
)
from catalog.store.tables import (
    dataset_sets,
    datasets,
    granules,
    harvest_runs,
    harvest_sources,
    missions,
    renditions,
    staged_granules,
)
from catalog.timeutil import from_epoch, to_epoch
from catalog.vocab import Category, Visibility

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
SQLITE_LOCK_WAIT = 30.0
"""Seconds a SQLite writer waits for another to finish; `?timeout=` in the URL overrides it."""
DATASET_SHIFTS = 2
GRANULE_SHIFTS = 1
SHOWN = frozenset({Visibility.PUBLIC, Visibility.RESTRICTED})


def backend_name(url: str) -> str:
    return make_url(url).get_backend_name()


def engine_for(url: str) -> Engine:
    """Create an engine; PostgreSQL URLs use psycopg 3, SQLite files get WAL so readers never wait for a load.

    psycopg prepares a statement on the server once it has run five times, and PostgreSQL may then plan it once for
    all parameter values: a keyset page planned without knowing its bounds sorts every row (0.5 s a page at 100 000
    datasets). Statements are planned with their values instead (`prepare_threshold` None).
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        engine = create_engine(
            parsed.set(drivername="postgresql+psycopg"), pool_pre_ping=True, connect_args={"prepare_threshold": None}
        )
        event.listen(engine, "before_cursor_execute", _binary_results)
        return engine
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        waits = {} if "timeout" in parsed.query else {"timeout": SQLITE_LOCK_WAIT}
        engine = create_engine(parsed, connect_args=waits)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    raise StoreError(f"unsupported database URL scheme {parsed.get_backend_name()!r}")


BINARY_RESULTS = "catalog_binary_results"
"""An execution option: PostgreSQL sends the statement's results in its binary format. Bytes come as they are
instead of as hex text twice their size (a page of renditions, 300 kB, reads in 1.9 ms instead of 2.5 ms)."""


def _binary_results(
    _connection: Any, cursor: Any, _statement: str, _parameters: Any, context: Any, _executemany: bool
) -> None:
    if context is not None and context.execution_options.get(BINARY_RESULTS):
        cursor.format = psycopg.pq.Format.BINARY


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA temp_store=FILE")
    cursor.close()


@functools.cache
def head_revision() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return str(ScriptDirectory.from_config(config).get_current_head())


def migrate_url(url: str, revision: str = "head") -> None:
    """Upgrade the store at `url` to `revision` (tests stop short of the newest to check a migration's data)."""
    from alembic import command
    from alembic.config import Config

    engine = engine_for(url)
    try:
        with engine.begin() as connection:
            config = Config()
            config.set_main_option("script_location", str(MIGRATIONS))
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    except SQLAlchemyError as error:
        raise StoreError(f"cannot migrate the store at {engine.url!r}: {error}") from error
    finally:
        engine.dispose()


def _shift_moment(moment: datetime) -> int:
    """Round a shift up to the second: data is never shown as released before its release moment."""
    return math.ceil(moment.timestamp())


def timeline_columns(timeline: Timeline, shifts: int) -> dict[str, Any]:
    if len(timeline.shifts) > shifts:
        raise ValueError(f"a timeline with {len(timeline.shifts)} shifts does not fit {shifts} columns")
    columns: dict[str, Any] = {"vis0": str(timeline.initial)}
    for index in range(1, shifts + 1):
        moment, visibility = timeline.shifts[index - 1] if index <= len(timeline.shifts) else (None, None)
        columns[f"shift{index}_at"] = None if moment is None else _shift_moment(moment)
        columns[f"vis{index}"] = None if visibility is None else str(visibility)
    return columns


def timeline_from_row(row: Mapping[Any, Any], shifts: int) -> Timeline:
    steps = []
    for index in range(1, shifts + 1):
        if row[f"shift{index}_at"] is not None:
            steps.append((from_epoch(row[f"shift{index}_at"]), Visibility(row[f"vis{index}"])))
    return Timeline(Visibility(row["vis0"]), tuple(steps))


def settled(changed: int, timeline_cols: Mapping[str, Any]) -> int:
    moments = [timeline_cols[k] for k in ("shift1_at", "shift2_at") if timeline_cols.get(k) is not None]
    return int(max([changed, *moments]))


def visibility_sql(table: Any, shifts: int, now: int | ColumnElement[int]) -> ColumnElement[str]:
    """The visibility at `now` from a row's timeline columns, as SQL."""
    whens = [(table.c[f"shift{index}_at"] <= now, table.c[f"vis{index}"]) for index in range(shifts, 0, -1)]
    return case(*whens, else_=table.c.vis0)


def shown_sql(table: Any, shifts: int, now: int, visibilities: Sequence[str]) -> ColumnElement[bool]:
    """Whether a row's visibility at `now` is one of `visibilities`: `visibility_sql(…).in_(…)` spelled out step
    by step, so that PostgreSQL estimates it from the columns' statistics (it guesses 0.5 % for a CASE, then
    prefers fetching and sorting every granule of a few datasets to walking the index of the sort order)."""
    steps = []
    later: list[ColumnElement[bool]] = []
    for index in range(shifts, 0, -1):
        moment = table.c[f"shift{index}_at"]
        steps.append(and_(*later, moment <= now, table.c[f"vis{index}"].in_(visibilities)))
        later.append(or_(moment.is_(None), moment > now))
    steps.append(and_(*later, table.c.vis0.in_(visibilities)))
    return or_(*steps)


def dataset_datestamp_sql(now: int) -> ColumnElement[int]:
    """The datestamp at `now` (`catalog.policy.datestamp_at`) as SQL: the last shift after `changed`, if passed."""
    c = datasets.c
    return case(
        (and_(c.shift2_at > c.changed, c.shift2_at <= now), c.shift2_at),
        (and_(c.shift1_at > c.changed, c.shift1_at <= now), c.shift1_at),
        else_=c.changed,
    )


def dataset_row(dataset: Dataset, timeline: Timeline, changed: int, doc: str, digest: str) -> dict[str, Any]:
    columns = timeline_columns(timeline, DATASET_SHIFTS)
    west, south, east, north = dataset.bbox or (None, None, None, None)
    temporal = dataset.temporal
    return {
        "id": dataset.id,
        "source": dataset.source,
        "mission_id": dataset.mission,
        "category": str(dataset.category),
        "doi": dataset.doi,
        "temporal_start": None if temporal is None else to_epoch(temporal.start),
        "temporal_end": None if temporal is None or temporal.end is None else to_epoch(temporal.end),
        "west": west,
        "south": south,
        "east": east,
        "north": north,
        **columns,
        "changed": changed,
        "settled": settled(changed, columns),
        "digest": digest,
        "doc": doc,
        "search_text": search.search_text_of(dataset),
    }


STAGED_COLUMNS = (
    "position", "dataset_id", "id", "start_time", "end_time", "acquired", "west", "south", "east", "north",
    "vis0", "shift1_at", "vis1", "digest", "doc",
)  # fmt: skip
"""The columns `staged_values` fills, in its order."""

NO_TIMELINE = (None, None, None)


def staged_values(staged: StagedGranule) -> tuple[Any, ...]:
    """The row of a staged granule as a tuple in `STAGED_COLUMNS` order (the loader's hot path: no dicts)."""
    facts = staged.facts
    if staged.timeline is None:
        timeline: tuple[Any, ...] = NO_TIMELINE
    else:
        columns = timeline_columns(staged.timeline, GRANULE_SHIFTS)
        timeline = (columns["vis0"], columns["shift1_at"], columns["vis1"])
    return (
        staged.position,
        facts.dataset,
        facts.id,
        facts.start,
        facts.end,
        facts.acquired,
        *(facts.bbox or (None, None, None, None)),
        *timeline,
        staged.digest,
        staged.doc,
    )


GRANULE_COLUMNS = tuple(c.name for c in granules.c if c.name != "changed")


_Branches = tuple[tuple[ColumnElement[int], tuple[ColumnElement[bool], ...]], ...]

VISIBILITY_SQL: Mapping[Visibility, ColumnElement[str]] = MappingProxyType(
    {v: literal_column(f"'{v}'") for v in Visibility}
)
"""Each visibility as an SQL literal, for the IN lists of listings: bound, an IN list is expanded into the
statement's text again at every execution (0.3 ms of an OAI-PMH page). The values are the enum's own words."""


@functools.lru_cache(maxsize=256)
def _branches(
    visibilities: frozenset[Visibility], set_kind: str | None, with_doi: bool, aggregate: bool = False
) -> _Branches:
    """The datestamp and the conditions of each branch of a dataset listing, each ordered by a column with an index:
    rows settled by the moment (datestamp `settled`), and rows with a shift still ahead, whose datestamp is `changed`
    or, once a first shift after it has passed, `shift1_at` (`catalog.policy.datestamp_at`: with a shift ahead, the
    second has not passed). For an `aggregate` (a count, a minimum) the settled rows' visibility is written as their
    last step, which `ix_datasets_settled_visibility` holds: the count reads that index alone. A page must not be
    tempted by it (it would sort every row instead of walking `(settled, id)`), so a page writes it as of the moment.

    Parameters: `moment`, `set_spec` (`SqlStore._dataset_branches` gives their values; `_window` adds `since` and
    `until`). A static set (`set_kind` "static") filters by membership; an access set (`set_kind` its spec) by the
    visibility at the moment, within `visibilities`; `with_doi` keeps datasets that have a DOI (the formats that
    need one).
    """
    c = datasets.c
    moment = bindparam("moment", type_=BigInteger)
    if set_kind is not None and set_kind in ACCESS_SETS:
        visibilities = visibilities & {ACCESS_SETS[set_kind]}
    wanted = [VISIBILITY_SQL[v] for v in sorted(visibilities)]
    shown = visibility_sql(datasets, DATASET_SHIFTS, moment).in_(wanted) if wanted else false()
    settled_shown = func.coalesce(c.vis2, c.vis1, c.vis0).in_(wanted) if wanted else false()
    common: list[ColumnElement[bool]] = []
    if with_doi:
        common.append(c.doi.is_not(None))
    if set_kind == "static":
        member = dataset_sets.c
        common.append(
            exists()
            .where(member.set_spec == bindparam("set_spec", type_=String), member.dataset_id == c.id)
            .select_from(dataset_sets)
        )
    shift1_passed = and_(c.shift1_at > c.changed, c.shift1_at <= moment)
    branches = []
    for stamp, branch in (
        (c.settled, [c.settled <= moment, settled_shown if aggregate else shown]),
        (c.changed, [c.settled > moment, shown, or_(c.shift1_at.is_(None), ~shift1_passed)]),
        (c.shift1_at, [c.settled > moment, shown, shift1_passed]),
    ):
        branches.append((stamp, (*branch, *common)))
    return tuple(branches)


def _window(stamp: ColumnElement[int], since: bool, until: bool) -> list[ColumnElement[bool]]:
    """The conditions of a `from`/`until` window on a branch's datestamp (parameters `since`, `until`)."""
    window = []
    if since:
        window.append(stamp >= bindparam("since", type_=BigInteger))
    if until:
        window.append(stamp <= bindparam("until", type_=BigInteger))
    return window


ENTRY_COLUMNS = (
    datasets.c.id, datasets.c.changed, datasets.c.digest,
    datasets.c.vis0, datasets.c.shift1_at, datasets.c.vis1, datasets.c.shift2_at, datasets.c.vis2,
)  # fmt: skip
"""What a `DatasetEntry` is made of."""


@functools.lru_cache(maxsize=1024)
def _listing(
    branches: _Branches, group: tuple[int, ...], columns: str, since: bool, until: bool, after: bool, bounded: bool
) -> Any:
    """The statement of a group of branches of a keyset page: the page's keys in a subquery that touches `datasets`
    alone (each branch's, ordered and limited, what a planner walks an index for), then for them `columns`
    "datasets" (whole rows), "entries" (`ENTRY_COLUMNS`) or "renditions" (those, outer-joined with the rendition for
    the moment, `prefix` and `context` parameters), in no particular order (`SqlStore._keyset_rows` sorts them;
    sorting rows with their renditions in SQL copied them). Parameters besides the branches': `limit`; `since`,
    `until` (`_window`); `after_stamp`, `after_id` with `after`; `bound_stamp`, `bound_low_id`, `bound_id` when
    `bounded`, which then stands for `until` (the bound is a row within it), so that it is the one upper bound the
    index walk stops at. The ids are typed as the column is: compared as text, PostgreSQL could not use the
    `C`-collated index for the row comparison, and would sort the whole range.

    The bound is not written as a row comparison: PostgreSQL (before 18) stops an index walk at a row comparison's
    first column only, so `(stamp, id) <= bound` read on through every row sharing the bound's datestamp, which
    after a bulk load is every row (3 ms a page at 100 000 datasets). Bounded, a branch's keys are those before the
    bound's datestamp, and those at it with ids in (`bound_low_id`, `bound_id`]: each walk starts and stops at its
    keys. `bound_low_id` is the `after` id when `after` shares the bound's datestamp, else "" (below every id)."""
    c, r = datasets.c, renditions.c
    limit = bindparam("limit", type_=BigInteger)
    parts: list[Any] = []
    for index in group:
        stamp, conditions = branches[index]

        def keys(*where: ColumnElement[bool], stamp: ColumnElement[int] = stamp) -> Any:
            ordered = select(c.id.label("page_id"), stamp.label("stamp")).where(*where).order_by(stamp, c.id)
            part = ordered.limit(limit).subquery(f"keys{len(parts)}")
            return select(part.c.page_id, part.c.stamp)

        where = [*conditions, *_window(stamp, since, until and not bounded)]
        if after:
            after_key = tuple_(bindparam("after_stamp", type_=BigInteger), bindparam("after_id", type_=c.id.type))
            where.append(tuple_(stamp, c.id) > after_key)
        if not bounded:
            parts.append(keys(*where))
            continue
        bound_stamp = bindparam("bound_stamp", type_=BigInteger)
        parts.append(keys(*where, stamp < bound_stamp))
        at_bound = (
            stamp == bound_stamp,
            c.id > bindparam("bound_low_id", type_=c.id.type),
            c.id <= bindparam("bound_id", type_=c.id.type),
        )
        parts.append(keys(*conditions, *_window(stamp, since, False), *at_bound))
    keyed: Any = parts[0] if len(parts) == 1 else union_all(*parts)
    page = keyed.subquery("page")
    selected: list[Any] = list(datasets.c) if columns == "datasets" else list(ENTRY_COLUMNS)
    source: Any = page.join(datasets, c.id == page.c.page_id)
    if columns == "renditions":
        moment = bindparam("moment", type_=BigInteger)
        holds = and_(
            r.dataset_id == c.id,
            r.prefix == bindparam("prefix", type_=String),
            r.since <= moment,
            or_(r.until.is_(None), r.until > moment),
            r.digest == c.digest,
            r.changed == c.changed,
            r.context == bindparam("context", type_=String),
        )
        source = source.outerjoin(renditions, holds)
        selected += [r.since, r.until, r.related, r.body]
    statement = select(*selected, page.c.stamp).select_from(source)
    return statement.execution_options(**{BINARY_RESULTS: True}) if columns == "renditions" else statement


_UPDATE_DATASET = datasets.update().where(datasets.c.id == bindparam("b_id"))
"""A new version of a stored dataset: the columns set are the parameters' (`dataset_row`'s but the id)."""


class SqlLoad:
    """One load: granules go to a temporary table first; everything commits together or not at all."""

    def __init__(self, store: "SqlStore", connection: Connection, now: datetime) -> None:
        self.store = store
        self.connection = connection
        self.now = to_epoch(now)
        self.moment = now
        self.committed = False
        self.indexed = False
        marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
        self.staging_sql = (
            f"INSERT INTO staged_granules ({', '.join(STAGED_COLUMNS)}) "
            f"VALUES ({', '.join(marker for _ in STAGED_COLUMNS)})"
        )

    def stage_granules(self, rows: Sequence[StagedGranule]) -> None:
        """Insert a batch through the driver's executemany: SQLAlchemy's per-row parameter handling costs more
        than the insert itself at a million rows."""
        if rows:
            self.connection.exec_driver_sql(self.staging_sql, [staged_values(r) for r in rows])

    def staged_datasets(self) -> list[StagedGroup]:
        s = staged_granules.c
        query = (
            select(s.dataset_id, func.min(s.position), func.max(s.position), func.count())
            .group_by(s.dataset_id)
            .order_by(func.min(s.position))
        )
        return [StagedGroup(r[0], None, r[1], r[2], r[3]) for r in self.connection.execute(query)]

    def staged_duplicates(self, limit: int) -> tuple[list[StagedGroup], int]:
        """Return the first `limit` granule ids staged more than once, in input order, and how many there are."""
        s = staged_granules.c
        groups = (
            select(s.dataset_id, s.id, func.min(s.position), func.max(s.position), func.count())
            .group_by(s.dataset_id, s.id)
            .having(func.count() > 1)
        )
        total = self.connection.execute(select(func.count()).select_from(groups.subquery())).scalar_one()
        if not total:
            return [], 0
        listed = self.connection.execute(groups.order_by(func.min(s.position)).limit(limit)).all()
        return [StagedGroup(*row) for row in listed], int(total)

    def unresolved_staged(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """Yield granules staged before their dataset was known, in input order, a batch at a time."""
        s = staged_granules.c
        after = -1
        while True:
            rows = self.connection.execute(
                select(s.position, s.doc).where(s.vis0.is_(None), s.position > after).order_by(s.position).limit(2000)
            ).all()
            if not rows:
                return
            for position, doc in rows:
                yield position, json.loads(doc)
            after = rows[-1][0]

    def resolve_staged(self, timelines: Sequence[tuple[str, str, Timeline]]) -> None:
        if not self.indexed:
            self.connection.execute(text("CREATE INDEX ix_staged_granules_key ON staged_granules (dataset_id, id)"))
            self.indexed = True
        s = staged_granules.c
        statement = (
            staged_granules.update()
            .where(s.dataset_id == bindparam("b_dataset"), s.id == bindparam("b_id"))
            .values({name: bindparam(name) for name in ("vis0", "shift1_at", "vis1")})
        )
        rows = [
            {"b_dataset": dataset_id, "b_id": granule_id, **timeline_columns(timeline, GRANULE_SHIFTS)}
            for dataset_id, granule_id, timeline in timelines
        ]
        if rows:
            self.connection.execute(statement, rows)

    def stored_dataset(self, dataset_id: str) -> Dataset | None:
        doc = self.connection.execute(select(datasets.c.doc).where(datasets.c.id == dataset_id)).scalar()
        return None if doc is None else Dataset.from_dict(json.loads(doc))

    def stored_missions(self, ids: Sequence[str]) -> set[str]:
        rows = self.connection.execute(select(missions.c.id).where(missions.c.id.in_(list(ids))))
        return {row[0] for row in rows}

    def put_mission(self, mission: Mission, doc: str, digest: str) -> Change:
        row = {"id": mission.id, "doc": doc, "digest": digest, "changed": self.now}
        return self._put(missions, row, lambda _: row)

    def put_dataset(self, dataset: Dataset, doc: str, digest: str) -> Change:
        [done] = self.put_datasets([(dataset, doc, digest)])
        if isinstance(done, SourceConflictError):
            raise done
        return done

    def put_datasets(self, batch: Sequence[tuple[Dataset, str, str]]) -> list[Change | SourceConflictError]:
        """Put datasets of distinct ids in a few statements: one read of what is stored, then the inserts, the
        updates and the set memberships each as one executemany. A dataset held by another source is not written
        and gets its `SourceConflictError` in its place."""
        ids = [dataset.id for dataset, _, _ in batch]
        if len(set(ids)) != len(ids):
            raise ValueError("put_datasets takes datasets of distinct ids")
        c = datasets.c
        stored = {
            row.id: row
            for row in self.connection.execute(
                select(c.id, c.source, c.digest, c.vis0, c.shift1_at, c.vis1, c.shift2_at, c.vis2).where(c.id.in_(ids))
            )
        }
        done: list[Change | SourceConflictError] = []
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        for dataset, doc, digest in batch:
            existing = stored.get(dataset.id)
            if existing is not None and existing.source != dataset.source:
                done.append(
                    SourceConflictError(
                        f"dataset id {dataset.id!r} is held by {_held_by(existing.source)}: it is never overwritten "
                        f"by {_held_by(dataset.source)}"
                    )
                )
            elif existing is None:
                inserts.append(dataset_row(dataset, dataset_timeline(dataset), self.now, doc, digest))
                done.append(Change(added=1))
            elif existing.digest == digest:
                done.append(Change(unchanged=1))
            else:
                before = timeline_from_row(existing._mapping, DATASET_SHIFTS)
                timeline = dataset_timeline(dataset, shown_before=before.at(self.moment) is not Visibility.HIDDEN)
                updates.append(dataset_row(dataset, timeline, self.now, doc, digest))
                done.append(Change(updated=1))
        if inserts:
            self.connection.execute(datasets.insert(), inserts)
        if updates:
            self.connection.execute(_UPDATE_DATASET, [{"b_id": row.pop("id"), **row} for row in updates])
        changed = [dataset for (dataset, _, _), change in zip(batch, done, strict=True) if isinstance(change, Change)
                   and not change.unchanged]  # fmt: skip
        if changed:
            self._put_sets(changed)
        return done

    def _put_sets(self, changed: Sequence[Dataset]) -> None:
        """Replace datasets' static set memberships with those of their new versions."""
        self.connection.execute(dataset_sets.delete().where(dataset_sets.c.dataset_id.in_([d.id for d in changed])))
        rows = [{"set_spec": spec, "dataset_id": d.id} for d in changed for spec in sorted(static_sets(d))]
        if rows:
            self.connection.execute(dataset_sets.insert(), rows)

    def _put(self, table: Any, key: Mapping[str, Any], build: Callable[[Row[Any] | None], dict[str, Any]]) -> Change:
        existing = self.connection.execute(select(table).where(table.c.id == key["id"])).first()
        if existing is None:
            self.connection.execute(table.insert().values(**build(None)))
            return Change(added=1)
        if existing.digest == key["digest"]:
            return Change(unchanged=1)
        self.connection.execute(table.update().where(table.c.id == key["id"]).values(**build(existing)))
        return Change(updated=1)

    def merge_granules(self) -> Change:
        s, g = staged_granules.c, granules.c
        same_key = and_(g.dataset_id == s.dataset_id, g.id == s.id)
        total = self.connection.execute(select(func.count()).select_from(staged_granules)).scalar_one()
        existing, updated = self.connection.execute(
            select(func.count(), func.count(case((g.digest != s.digest, 1)))).select_from(
                staged_granules.join(granules, same_key)
            )
        ).one()
        source = select(*(s[name] for name in GRANULE_COLUMNS), literal(self.now)).where(true())
        statement = self.store.insert(granules).from_select([*GRANULE_COLUMNS, "changed"], source)
        excluded = statement.excluded
        statement = statement.on_conflict_do_update(
            index_elements=[g.dataset_id, g.id],
            set_={name: excluded[name] for name in (*GRANULE_COLUMNS, "changed") if name not in ("dataset_id", "id")},
            where=g.digest != excluded.digest,
        )
        self.connection.execute(statement)
        return Change(added=total - existing, updated=updated, unchanged=existing - updated)

    def retime_granules(self, dataset: Dataset) -> int:
        """Recompute the timelines of a dataset's stored granules after its access changed; return how many moved."""
        g = granules.c
        moved = 0
        after = ""
        while True:
            rows = self.connection.execute(
                select(g.id, g.doc, g.vis0, g.shift1_at, g.vis1)
                .where(g.dataset_id == dataset.id, g.id > after)
                .order_by(g.id)
                .limit(2000)
            ).all()
            if not rows:
                return moved
            for row in rows:
                granule = Granule.from_dict(json.loads(row.doc))
                columns = timeline_columns(granule_timeline(granule, dataset), GRANULE_SHIFTS)
                if any(row._mapping[k] != v for k, v in columns.items()):
                    self.connection.execute(
                        granules.update()
                        .where(g.dataset_id == dataset.id, g.id == row.id)
                        .values(**columns, changed=self.now)
                    )
                    moved += 1
            after = rows[-1].id

    def source_datasets(self, source: str, *, after: str = "", limit: int = 500) -> list[Dataset]:
        d = datasets.c
        rows = self.connection.execute(
            select(d.doc).where(d.source == source, d.id > after).order_by(d.id).limit(limit)
        ).all()
        return [Dataset.from_dict(json.loads(row.doc)) for row in rows]

    def put_checkpoint(self, name: str, checkpoint: str | None, *, granularity: str | None = None) -> None:
        values: dict[str, Any] = {"checkpoint": checkpoint}
        if granularity is not None:
            values["granularity"] = granularity
        self.connection.execute(harvest_sources.update().where(harvest_sources.c.name == name).values(**values))

    def finish_run(self, run: HarvestRun, *, harvested_from: datetime | None) -> None:
        self.connection.execute(
            harvest_runs.insert().values(
                source=run.source,
                started=to_epoch(run.started),
                finished=to_epoch(run.finished),
                status=run.status,
                summary=json.dumps(dict(run.summary), sort_keys=True),
            )
        )
        if harvested_from is not None:
            self.connection.execute(
                harvest_sources.update()
                .where(harvest_sources.c.name == run.source)
                .values(harvested_from=to_epoch(harvested_from), checkpoint=None)
            )

    def delete_source(self, name: str) -> None:
        self.connection.execute(harvest_runs.delete().where(harvest_runs.c.source == name))
        self.connection.execute(harvest_sources.delete().where(harvest_sources.c.name == name))

    def commit(self) -> None:
        self.committed = True


def _forget_staging(connection: Connection) -> None:
    """Drop the staging table a failed load leaves on its connection: PostgreSQL's rollback takes it away, but
    SQLite's driver runs the CREATE outside the transaction, and the pooled connection would keep it for the next
    load. A connection that cannot even do that is thrown away instead of going back to the pool."""
    try:
        connection.execute(text("DROP TABLE IF EXISTS staged_granules"))
        if connection.in_transaction():
            connection.commit()
    except SQLAlchemyError:
        connection.invalidate()


def _held_by(source: str) -> str:
    return "the archive's own records" if not source else f"harvest source {source!r}"


class SqlStore:
    """The store over a SQLAlchemy engine; subclasses say how their dialect upserts."""

    insert: Callable[..., Any] = staticmethod(sqlite.insert)
    load_class: type[SqlLoad] = SqlLoad

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = engine_for(url)
        self._pinned = threading.local()

    def analyze(self) -> None:
        """Bring the query planner's statistics up to date after a load (PostgreSQL; SQLite plans without them).

        A keyset page planned without statistics misjudges what the visibility filter keeps and sorts every row of
        the stretch instead of walking the index (0.2 s a page at 100 000 datasets, 20 ms after ANALYZE); autovacuum
        gets there too, but minutes after a big load.

        The tables OAI-PMH pages read are vacuumed as well: the first reader of a row just written would otherwise
        look its transaction up and mark the row's page for writing, which made the first harvest after a load of
        100 000 datasets 20% slower than the next (VACUUM skips the pages it has seen, so a small load costs little).
        Granules are only analyzed: a load of millions would pay for it at every load.
        """
        if self.engine.dialect.name != "postgresql":
            return
        try:
            with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                for table in (datasets, dataset_sets, renditions):
                    connection.execute(text(f"VACUUM (ANALYZE) {table.name}"))
                connection.execute(text(f"ANALYZE {granules.name}"))
        except (OperationalError, ProgrammingError) as error:
            raise StoreError(f"cannot analyze the store ({type(error.orig).__name__}: {error.orig})") from error

    def dispose(self) -> None:
        self.engine.dispose()

    def check(self) -> None:
        """Raise `StoreError` unless the store answers and its schema is the newest migration."""
        try:
            with self.engine.connect() as connection:
                version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except SQLAlchemyError as error:
            raise StoreError(f"store not ready ({type(error).__name__}): run `isas-catalog migrate`") from error
        if version is None:
            raise StoreError("store has no schema: run `isas-catalog migrate`")
        head = head_revision()
        if version != head:
            raise StoreError(
                f"store schema is at revision {version}, this code needs {head}: run `isas-catalog migrate`"
            )

    @contextmanager
    def load(self, now: datetime) -> Iterator[SqlLoad]:
        with self.engine.connect() as connection:
            transaction = connection.begin()
            try:
                staged_granules.create(connection)
                load = self.load_class(self, connection, now)
                yield load
                staged_granules.drop(connection)
                if load.committed:
                    transaction.commit()
                else:
                    transaction.rollback()
            except BaseException as error:
                transaction.rollback()
                _forget_staging(connection)
                if isinstance(error, IntegrityError):
                    raise StoreError(
                        f"another load wrote the same records at the same time ({error.orig}); nothing was written: "
                        "run this load again"
                    ) from error
                if isinstance(error, OperationalError):
                    raise StoreError(
                        f"the store could not be written ({error.orig}); nothing was written: if another load is "
                        "running, wait for it and run this load again"
                    ) from error
                raise

    def _read(self, query: Any, parameters: Mapping[str, Any] | None = None) -> list[Any]:
        return self._read_each(query, [parameters or {}])

    def _read_each(self, query: Any, parameter_sets: Sequence[Mapping[str, Any]]) -> list[Any]:
        """Run one query once per set of parameters on one connection; return all the rows."""
        with self._reading() as connection:
            return [row for parameters in parameter_sets for row in connection.execute(query, parameters).all()]

    @contextmanager
    def reading(self) -> Iterator[None]:
        """Within, this thread's reads share one connection (`_reading`); nested, the outer one's."""
        if getattr(self._pinned, "connection", None) is not None:
            yield
            return
        with self._reading() as connection:
            self._pinned.connection = connection
            try:
                yield
            finally:
                self._pinned.connection = None

    @contextmanager
    def _reading(self) -> Iterator[Connection]:
        """A connection to read with (the one `reading` pinned, if any): a failure to reach or read the store
        becomes a `StoreError` that says so. Reads run in autocommit: each statement sees the store as it is when
        it starts, as in a transaction at PostgreSQL's READ COMMITTED, without the BEGIN and the ROLLBACK. A
        checkout from the pool costs a liveness ping, so what one answer reads, it reads on one connection."""
        pinned: Connection | None = getattr(self._pinned, "connection", None)
        try:
            if pinned is not None:
                yield pinned
                return
            with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                yield connection
        except (OperationalError, ProgrammingError) as error:
            raise StoreError(
                f"cannot read the store ({type(error.orig).__name__}: {error.orig}): "
                "is it reachable, and migrated (`isas-catalog migrate`)?"
            ) from error

    def mission(self, mission_id: str) -> StoredMission | None:
        found = self.missions([mission_id])
        return found[0] if found else None

    def missions(self, ids: Sequence[str] | None = None) -> list[StoredMission]:
        query = select(missions).order_by(missions.c.id)
        if ids is not None:
            query = query.where(missions.c.id.in_(list(ids)))
        return [StoredMission(Mission.from_dict(json.loads(r.doc)), from_epoch(r.changed)) for r in self._read(query)]

    @staticmethod
    def _dataset(row: Row[Any]) -> StoredDataset:
        return StoredDataset(
            record=Dataset.from_dict(json.loads(row.doc)),
            changed=from_epoch(row.changed),
            timeline=timeline_from_row(row._mapping, DATASET_SHIFTS),
            digest=row.digest,
        )

    def dataset(self, dataset_id: str) -> StoredDataset | None:
        return self.datasets_by_id([dataset_id]).get(dataset_id)

    def datasets_by_id(self, ids: Sequence[str]) -> dict[str, StoredDataset]:
        rows = self._read(select(datasets).where(datasets.c.id.in_(list(ids))))
        return {row.id: self._dataset(row) for row in rows}

    def all_datasets(self) -> Iterator[StoredDataset]:
        after = ""
        while True:
            rows = self._read(select(datasets).where(datasets.c.id > after).order_by(datasets.c.id).limit(500))
            if not rows:
                return
            yield from (self._dataset(row) for row in rows)
            after = rows[-1].id

    @staticmethod
    def _dataset_branches(
        now: datetime,
        visibilities: frozenset[Visibility],
        since: datetime | None,
        until: datetime | None,
        set_spec: str | None,
        with_doi: bool = False,
        *,
        aggregate: bool = False,
    ) -> tuple["_Branches", dict[str, Any]]:
        """The branches of a dataset listing (`_branches`) and the values of their parameters."""
        set_kind = None if set_spec is None else set_spec if set_spec in ACCESS_SETS else "static"
        branches = _branches(visibilities, set_kind, with_doi, aggregate)
        parameters: dict[str, Any] = {"moment": to_epoch(now), "set_spec": set_spec}
        parameters["since"] = None if since is None else math.ceil(since.timestamp())
        parameters["until"] = None if until is None else to_epoch(until)
        return branches, parameters

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
        """Page datasets in `(datestamp, id)` order at `now`, keyset after `after`, datestamps in [since, until],
        members of `set_spec` if given, with a DOI if `with_doi`."""
        branches, parameters = self._dataset_branches(now, visibilities, since, until, set_spec, with_doi)
        rows = self._keyset_rows(branches, parameters, after, limit, columns="datasets")
        return [self._dataset(row) for row in rows]

    def _keyset_rows(
        self,
        branches: "_Branches",
        parameters: dict[str, Any],
        after: DatestampKey | None,
        limit: int,
        *,
        columns: str,
    ) -> list[Any]:
        """The first `limit` rows after `after` in `(datestamp, id)` order, over the branches of `_branches`, each
        row with the columns named by `columns` (`_listing`) and its datestamp as `stamp`.

        Each branch walks an index of its own in order, so a branch reads (and joins) only the rows it returns; the
        ordered runs are merged. Once the first (the settled rows, most of them) fills a page, the others need not
        look past its last key: they are read together after it, in one statement, bounded by it or not. The
        statements are built once per shape and reused with new parameters: building them cost more than running
        them. One connection reads them all.
        """
        values = {**parameters, "limit": limit}
        if after is not None:
            values |= {"after_stamp": to_epoch(after[0]), "after_id": after[1]}
        rows: list[Any] = []
        bounded = False
        window = (values["since"] is not None, values["until"] is not None)
        with self._reading() as connection:
            for group in ((0,), tuple(range(1, len(branches)))):
                statement = _listing(branches, group, columns, *window, after is not None, bounded)
                run = connection.execute(statement, values).all()
                if not bounded and len(run) == limit:
                    bounded = True
                    bound_stamp, bound_id = max((row.stamp, row.id) for row in run)
                    shared = after is not None and values["after_stamp"] == bound_stamp
                    low_id = after[1] if after is not None and shared else ""
                    values |= {"bound_stamp": bound_stamp, "bound_id": bound_id, "bound_low_id": low_id}
                rows.extend(run)
        rows.sort(key=lambda row: (row.stamp, row.id))
        return rows[:limit]

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
        """Page as `datasets_page` does, undecoded and without JSON. With `prefix`, each entry comes with its
        rendition in that format for `now`, of its version, in `context` (an outer join: no rendition, no bytes);
        without, with its stored set specs."""
        branches, parameters = self._dataset_branches(now, visibilities, since, until, set_spec, with_doi)
        if prefix is not None:
            parameters |= {"prefix": prefix, "context": context}
            rows = self._keyset_rows(branches, parameters, after, limit, columns="renditions")
            return [
                self._entry(
                    row,
                    stamp=row.stamp,
                    rendition=None
                    if row.body is None
                    else Rendition(
                        prefix, row.since, row.until, row.digest, row.changed, context, row.related, row.body
                    ),
                )
                for row in rows
            ]
        rows = self._keyset_rows(branches, parameters, after, limit, columns="entries")
        members: dict[str, list[str]] = {}
        if rows:
            m = dataset_sets.c
            found = self._read(select(m.dataset_id, m.set_spec).where(m.dataset_id.in_([row.id for row in rows])))
            for dataset_id, spec in found:
                members.setdefault(dataset_id, []).append(spec)
        return [self._entry(row, stamp=row.stamp, sets=tuple(sorted(members.get(row.id, ())))) for row in rows]

    @staticmethod
    def _entry(
        row: Row[Any],
        *,
        stamp: int,
        sets: tuple[str, ...] = (),
        doc: str | None = None,
        rendition: Rendition | None = None,
    ) -> DatasetEntry:
        return DatasetEntry(
            id=row.id,
            stamp=stamp,
            changed_at=row.changed,
            digest=row.digest,
            steps=(row.vis0, row.shift1_at, row.vis1, row.shift2_at, row.vis2),
            sets=sets,
            doc=doc,
            rendition=rendition,
        )

    def related_targets(self, ids: Sequence[str]) -> dict[str, tuple[str | None, Timeline]]:
        """Return the DOI and timeline of each of `ids` that the store holds, without decoding any record."""
        if not ids:
            return {}
        c = datasets.c
        query = select(c.id, c.doi, c.vis0, c.shift1_at, c.vis1, c.shift2_at, c.vis2).where(c.id.in_(list(ids)))
        return {row.id: (row.doi, timeline_from_row(row._mapping, DATASET_SHIFTS)) for row in self._read(query)}

    def put_renditions(self, batch: Mapping[str, Sequence[Rendition]]) -> None:
        """Replace every rendition of each dataset in `batch`, in one transaction."""
        if not batch:
            return
        rows = [
            {
                "dataset_id": dataset_id,
                "prefix": rendition.prefix,
                "since": rendition.since,
                "until": rendition.until,
                "digest": rendition.digest,
                "changed": rendition.changed,
                "context": rendition.context,
                "related": rendition.related,
                "body": rendition.body,
            }
            for dataset_id, items in batch.items()
            for rendition in items
        ]
        try:
            with self.engine.begin() as connection:
                connection.execute(renditions.delete().where(renditions.c.dataset_id.in_(list(batch))))
                if rows:
                    connection.execute(renditions.insert(), rows)
        except (OperationalError, ProgrammingError, IntegrityError) as error:
            raise StoreError(f"cannot write renditions ({type(error.orig).__name__}: {error.orig})") from error

    def entries_by_id(self, *, after: str | None = None, limit: int = 500) -> list[DatasetEntry]:
        """Page every dataset in id order, undecoded and without renditions (keeping renditions fresh)."""
        query = select(*ENTRY_COLUMNS, datasets.c.doc)
        if after is not None:
            query = query.where(datasets.c.id > after)
        rows = self._read(query.order_by(datasets.c.id).limit(limit))
        return [self._entry(row, stamp=row.changed, doc=row.doc) for row in rows]

    def rendition_states(self, ids: Sequence[str], context: str) -> dict[str, set[tuple[str, int]]]:
        """Return the versions (`digest`, `changed`) the renditions in `context` of each of `ids` were rendered
        from."""
        r = renditions.c
        found: dict[str, set[tuple[str, int]]] = {}
        if ids:
            query = (
                select(r.dataset_id, r.digest, r.changed)
                .distinct()
                .where(r.dataset_id.in_(list(ids)), r.context == context)
            )
            for dataset_id, digest, changed in self._read(query):
                found.setdefault(dataset_id, set()).add((digest, changed))
        return found

    def has_renditions(self, context: str) -> bool:
        r = renditions.c
        return bool(self._read(select(literal(1)).where(r.context == context).limit(1)))

    def rendition_count(self, context: str) -> tuple[int, int]:
        """Return how many datasets have a rendition in `context`, and how many exist."""
        c, r = datasets.c, renditions.c
        current = exists().where(r.dataset_id == c.id, r.context == context).select_from(renditions)
        rendered = self._read(select(func.count()).select_from(datasets).where(current))[0][0]
        total = self._read(select(func.count()).select_from(datasets))[0][0]
        return int(rendered), int(total)

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
        """Count what `datasets_page` would page through with the same arguments."""
        branches, parameters = self._dataset_branches(
            now, visibilities, since, until, set_spec, with_doi, aggregate=True
        )
        window = (since is not None, until is not None)
        return sum(
            int(
                self._read(
                    select(func.count()).select_from(datasets).where(*conditions, *_window(stamp, *window)),
                    parameters,
                )[0][0]
            )
            for stamp, conditions in branches
        )

    def earliest_datestamp(self, now: datetime, *, visibilities: frozenset[Visibility]) -> datetime | None:
        """Return the smallest datestamp at `now` of the datasets in `visibilities`, None when there is none."""
        branches, parameters = self._dataset_branches(now, visibilities, None, None, None, aggregate=True)
        stamps = [
            self._read(select(func.min(stamp)).where(*conditions), parameters)[0][0] for stamp, conditions in branches
        ]
        found = [stamp for stamp in stamps if stamp is not None]
        return from_epoch(min(found)) if found else None

    def sets(self, now: datetime) -> list[str]:
        """Return the set specs with a member the public may know of at `now`, in code point order.

        A static set counts only datasets not hidden at `now`: a set made of undisclosed datasets stays unknown.
        """
        moment = to_epoch(now)
        visibility = visibility_sql(datasets, DATASET_SHIFTS, moment)
        member = dataset_sets.c
        static = self._read(
            select(member.set_spec)
            .distinct()
            .select_from(dataset_sets.join(datasets, datasets.c.id == member.dataset_id))
            .where(visibility != str(Visibility.HIDDEN))
        )
        present = {row[0] for row in self._read(select(visibility).distinct())}
        dynamic = [spec for spec, wanted in ACCESS_SETS.items() if str(wanted) in present]
        return sorted([row[0] for row in static] + dynamic)

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
        """Find datasets public or restricted at `now` (see `catalog.store.search`)."""
        visibility = visibility_sql(datasets, DATASET_SHIFTS, to_epoch(now))
        found = search.conditions(
            visibility, text=text, mission=mission, category=category, access=access, start=start, end=end, bbox=bbox
        )
        return search.search(self._read, self._dataset, visibility, found, after=after, limit=limit)

    def listed_datasets(self, now: datetime, *, after: str | None = None, limit: int = 1000) -> list[ListedDataset]:
        moment = to_epoch(now)
        visibility = visibility_sql(datasets, DATASET_SHIFTS, moment)
        return search.listed(self._read, visibility, dataset_datestamp_sql(moment), after=after, limit=limit)

    def listed_start(self, now: datetime, position: int) -> str | None:
        return search.listed_start(self._read, visibility_sql(datasets, DATASET_SHIFTS, to_epoch(now)), position)

    def add_source(self, source: HarvestSource) -> None:
        row = {
            "name": source.name,
            "url": source.url,
            "prefix": source.prefix,
            "sets": json.dumps(list(source.sets)),
            "added": to_epoch(source.added),
            "granularity": source.granularity,
            "harvested_from": None if source.harvested_from is None else to_epoch(source.harvested_from),
            "checkpoint": source.checkpoint,
        }
        try:
            with self.engine.begin() as connection:
                connection.execute(harvest_sources.insert().values(**row))
        except IntegrityError as error:
            raise StoreError(f"there is a harvest source named {source.name!r} already") from error
        except (OperationalError, ProgrammingError) as error:
            raise StoreError(f"cannot write the store ({type(error.orig).__name__}: {error.orig})") from error

    def harvest_sources(self, names: Sequence[str] | None = None) -> list[HarvestSource]:
        h = harvest_sources.c
        query = select(harvest_sources).order_by(h.name)
        if names is not None:
            query = query.where(h.name.in_(list(names)))
        return [
            HarvestSource(
                name=row.name,
                url=row.url,
                prefix=row.prefix,
                sets=tuple(json.loads(row.sets)),
                added=from_epoch(row.added),
                granularity=row.granularity,
                harvested_from=None if row.harvested_from is None else from_epoch(row.harvested_from),
                checkpoint=row.checkpoint,
            )
            for row in self._read(query)
        ]

    def harvest_runs(self, name: str, *, limit: int = 10) -> list[HarvestRun]:
        r = harvest_runs.c
        query = select(harvest_runs).where(r.source == name).order_by(r.started.desc(), r.id.desc()).limit(limit)
        return [
            HarvestRun(
                row.source, from_epoch(row.started), from_epoch(row.finished), row.status, json.loads(row.summary)
            )
            for row in self._read(query)
        ]

    def granule(self, dataset_id: str, granule_id: str) -> StoredGranule | None:
        g = granules.c
        rows = self._read(select(granules).where(g.dataset_id == dataset_id, g.id == granule_id))
        return self._granule(rows[0]) if rows else None

    @staticmethod
    def _granule(row: Row[Any]) -> StoredGranule:
        return StoredGranule(
            record=Granule.from_dict(json.loads(row.doc)),
            changed=from_epoch(row.changed),
            timeline=timeline_from_row(row._mapping, GRANULE_SHIFTS),
        )

    def granules_page(
        self,
        dataset_id: str,
        now: datetime,
        *,
        visibilities: frozenset[Visibility],
        after: str | None = None,
        limit: int = 100,
    ) -> list[StoredGranule]:
        """Page a dataset's granules by id whose capped visibility at `now` is one of `visibilities`.

        Only granules the public may see are listed (public, restricted): a hidden granule is never paged.
        """
        dataset = self.dataset(dataset_id)
        if dataset is None:
            return []
        dataset_visibility = dataset.visibility(now)
        wanted = visibilities & SHOWN
        own = [str(v) for v in SHOWN if cap_by_dataset(dataset_visibility, v) in wanted]
        if not own:
            return []
        g = granules.c
        conditions = [g.dataset_id == dataset_id, visibility_sql(granules, GRANULE_SHIFTS, to_epoch(now)).in_(own)]
        if after is not None:
            conditions.append(g.id > after)
        return [
            self._granule(row) for row in self._read(select(granules).where(*conditions).order_by(g.id).limit(limit))
        ]

    def search_items(
        self,
        now: datetime,
        query: ItemQuery,
        *,
        limit: int,
        after: ItemKey | None = None,
        before: ItemKey | None = None,
    ) -> ItemPage:
        if limit < 1:
            raise ValueError(f"limit must be at least 1, not {limit}")
        moment = to_epoch(now)
        dialect = self.engine.dialect.name
        order = items.order_of(query.sort)
        test = items.exact_test(query)
        lateral = dialect == "postgresql"
        sources = [row[0] for row in self._read(items.candidates(query, moment, dialect, items.SOURCES + 1))]
        if not sources:
            return ItemPage(items=(), after=None, before=None)
        listed = sources if items.chooses_datasets(query, dialect) and len(sources) <= items.SOURCES else None
        found = items.conditions(query, moment, dialect, listed)
        arms = sources if len(sources) <= items.ARMS else None
        if before is not None:
            rows = items.rows_in_order(
                self._read, self._read_each, found, items.reverse(order), before, limit + 1, test, arms, lateral=lateral
            )
            more_before = len(rows) > limit
            rows = rows[:limit][::-1]
            more_after = True
        else:
            rows = items.rows_in_order(
                self._read, self._read_each, found, order, after, limit + 1, test, arms, lateral=lateral
            )
            more_after = len(rows) > limit
            rows = rows[:limit]
            more_before = after is not None
        owners = items.datasets_for(rows, self.datasets_by_id)
        page = []
        for granule, key in rows:
            dataset = owners[granule.record.dataset]
            visibility = cap_by_dataset(dataset.visibility(now), granule.timeline.at(now))
            page.append(StoredItem(granule=granule, dataset=dataset, visibility=visibility, key=key))
        return ItemPage(
            items=tuple(page),
            after=page[-1].key if page and more_after else None,
            before=page[0].key if page and more_before else None,
        )

    def count_items(self, now: datetime, query: ItemQuery, *, budget: float) -> int | None:
        if items.exact_test(query) is not None:
            return None
        found = items.conditions(query, to_epoch(now), self.engine.dialect.name)
        try:
            with self.engine.connect() as connection:
                return items.count_within(connection, items.count_query(found), budget)
        except (OperationalError, ProgrammingError) as error:
            raise StoreError(f"cannot read the store ({type(error.orig).__name__}: {error.orig})") from error

    def stats(self, now: datetime, *, granules: bool = True) -> Stats:
        moment = to_epoch(now)
        dataset_visibility = visibility_sql(datasets, DATASET_SHIFTS, moment)
        dataset_counts: dict[str, int] = {str(v): 0 for v in Visibility}
        for row in self._read(select(dataset_visibility, func.count()).group_by(dataset_visibility)):
            dataset_counts[row[0]] = row[1]
        granule_counts: dict[str, int] | None = None
        if granules:
            granule_counts = self._granule_stats(dataset_visibility, moment)
        mission_count = self._read(select(func.count()).select_from(missions))[0][0]
        return Stats(missions=mission_count, datasets=dataset_counts, granules=granule_counts)

    def _granule_stats(self, dataset_visibility: ColumnElement[str], moment: int) -> dict[str, int]:
        granule_visibility = visibility_sql(granules, GRANULE_SHIFTS, moment)
        granule_counts: dict[str, int] = {str(v): 0 for v in Visibility}
        joined = select(dataset_visibility, granule_visibility, func.count()).select_from(
            granules.join(datasets, datasets.c.id == granules.c.dataset_id)
        )
        for row in self._read(joined.group_by(dataset_visibility, granule_visibility)):
            capped = cap_by_dataset(Visibility(row[0]), Visibility(row[1]))
            granule_counts[str(capped)] += row[2]
        return granule_counts


class PostgresLoad(SqlLoad):
    def stage_granules(self, rows: Sequence[StagedGranule]) -> None:
        """Stage with COPY: six times the rows per second of executemany on PostgreSQL."""
        if not rows:
            return
        driver = self.connection.connection.driver_connection
        assert driver is not None
        with (
            driver.cursor() as cursor,
            cursor.copy(f"COPY staged_granules ({', '.join(STAGED_COLUMNS)}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(staged_values(row))


class SqliteStore(SqlStore):
    insert = staticmethod(sqlite.insert)


class PostgresStore(SqlStore):
    insert = staticmethod(postgresql.insert)
    load_class = PostgresLoad


BACKENDS: Mapping[str, type[SqlStore]] = {"sqlite": SqliteStore, "postgresql": PostgresStore}
