"""The catalog's tables in SQLAlchemy Core; the Alembic migrations in `catalog/migrations` create the same.

Times are whole seconds since the epoch (BIGINT): one representation on both backends, compared and indexed as
integers, at the second granularity OAI-PMH uses. Each record keeps its original JSON (`doc`), a digest of its
canonical form (`digest`, so that reloading an unchanged record writes nothing), when the store last took a new
version (`changed`), and its visibility timeline (`vis0`, then `vis1` from `shift1_at`, then `vis2` from
`shift2_at`; see `catalog.policy.Timeline`) so that SQL can filter by visibility at the request's moment.
`settled` is the datestamp once every shift has passed: rows whose `settled` is not after the request's moment
page by an index on `(settled, id)`.
"""

from sqlalchemy import BigInteger, Column, Float, Index, Integer, LargeBinary, MetaData, String, Table, Text, func

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "pk": "pk_%(table_name)s",
    }
)

VISIBILITY = String(10)


def identifier(length: int) -> String:
    """An id column that sorts by code point on every backend, as Python does: keyset paging merges both orders."""
    return String(length).with_variant(String(length, collation="C"), "postgresql")


missions = Table(
    "missions",
    metadata,
    Column("id", identifier(64), primary_key=True),
    Column("doc", Text, nullable=False),
    Column("digest", String(32), nullable=False),
    Column("changed", BigInteger, nullable=False),
)

datasets = Table(
    "datasets",
    metadata,
    Column("id", identifier(128), primary_key=True),
    Column("source", String(64), nullable=False, server_default=""),
    Column("mission_id", identifier(64)),
    Column("category", String(16), nullable=False),
    Column("doi", String(255)),
    Column("temporal_start", BigInteger),
    Column("temporal_end", BigInteger),
    Column("west", Float),
    Column("south", Float),
    Column("east", Float),
    Column("north", Float),
    Column("vis0", VISIBILITY, nullable=False),
    Column("shift1_at", BigInteger),
    Column("vis1", VISIBILITY),
    Column("shift2_at", BigInteger),
    Column("vis2", VISIBILITY),
    Column("changed", BigInteger, nullable=False),
    Column("settled", BigInteger, nullable=False),
    Column("digest", String(32), nullable=False),
    Column("doc", Text, nullable=False),
    Column("search_text", Text, nullable=False),
    Index(None, "settled", "id"),
    Index(None, "changed", "id"),
    Index(None, "shift1_at", "id"),
    Index(None, "mission_id"),
    Index(None, "temporal_start", "temporal_end"),
    Index(None, "west", "east", "south", "north"),
    Index(None, "vis0", "shift1_at", "shift2_at"),
    Index(None, "source"),
)
Index(
    "ix_datasets_settled_visibility",
    func.coalesce(datasets.c.vis2, datasets.c.vis1, datasets.c.vis0),
    datasets.c.settled,
    datasets.c.doi,
)
"""Once a dataset's timeline has played out (`settled` passed), its visibility is its last step: counting a list
(`completeListSize`) then reads this index alone."""

granules = Table(
    "granules",
    metadata,
    Column("dataset_id", identifier(128), primary_key=True),
    Column("id", identifier(256), primary_key=True),
    Column("start_time", BigInteger, nullable=False),
    Column("end_time", BigInteger, nullable=False),
    Column("acquired", BigInteger, nullable=False),
    Column("west", Float),
    Column("south", Float),
    Column("east", Float),
    Column("north", Float),
    Column("vis0", VISIBILITY, nullable=False),
    Column("shift1_at", BigInteger),
    Column("vis1", VISIBILITY),
    Column("changed", BigInteger, nullable=False),
    Column("digest", String(32), nullable=False),
    Column("doc", Text, nullable=False),
    Index(None, "start_time", "dataset_id", "id"),
    Index(None, "dataset_id", "start_time", "id"),
    Index(None, "west", "east", "south", "north"),
    Index(None, "vis0", "shift1_at"),
)

Index(
    "ix_granules_on_earth",
    *(granules.c[name] for name in ("start_time", "dataset_id", "id", "west", "east", "south", "north")),
    sqlite_where=granules.c.west.is_not(None),
    postgresql_where=granules.c.west.is_not(None),
)
"""Only the granules with a bbox, in time order, with their bbox: a `bbox` search walks these alone (0007)."""

dataset_sets = Table(
    "dataset_sets",
    metadata,
    Column("set_spec", identifier(200), primary_key=True),
    Column("dataset_id", identifier(128), primary_key=True),
    Index(None, "dataset_id"),
)
"""The static OAI-PMH sets of each dataset (`catalog.sets.static_sets`), rewritten with every new version."""

staged_granules = Table(
    "staged_granules",
    MetaData(),
    Column("position", BigInteger, nullable=False),
    Column("dataset_id", identifier(128), nullable=False),
    Column("id", identifier(256), nullable=False),
    Column("start_time", BigInteger, nullable=False),
    Column("end_time", BigInteger, nullable=False),
    Column("acquired", BigInteger, nullable=False),
    Column("west", Float),
    Column("south", Float),
    Column("east", Float),
    Column("north", Float),
    Column("vis0", VISIBILITY),
    Column("shift1_at", BigInteger),
    Column("vis1", VISIBILITY),
    Column("digest", String(32), nullable=False),
    Column("doc", Text, nullable=False),
    prefixes=["TEMPORARY"],
)
"""Granules of a load in progress, in a temporary table: checked for duplicates and unknown datasets in SQL,
merged into `granules` only when the whole load is valid, so a failed load never touches the store."""

renditions = Table(
    "renditions",
    metadata,
    Column("dataset_id", identifier(128), primary_key=True),
    Column("prefix", String(32), primary_key=True),
    Column("since", BigInteger, primary_key=True),
    Column("until", BigInteger),
    Column("digest", String(32), nullable=False),
    Column("changed", BigInteger, nullable=False),
    Column("context", String(64), nullable=False),
    Column("related", Text),
    Column("body", LargeBinary, nullable=False),
)
"""Datasets' metadata already serialised in each format, one row per stretch of time `[since, until)` in which
what the public may see of the dataset does not change. A cache, checked on every read (the version of the dataset
rendered, the `context` of the rendering, the resolution of `related` datasets): see `crosswalks.renditions`."""

harvest_sources = Table(
    "harvest_sources",
    metadata,
    Column("name", identifier(32), primary_key=True),
    Column("url", Text, nullable=False),
    Column("prefix", String(32), nullable=False),
    Column("sets", Text, nullable=False),
    Column("added", BigInteger, nullable=False),
    Column("granularity", String(32)),
    Column("harvested_from", BigInteger),
    Column("checkpoint", Text),
)
"""The OAI-PMH providers the harvester gathers from (`harvest.oai`): what to ask for (`prefix`, `sets` as a JSON
list), the provider's datestamp granularity, `harvested_from` (the first `responseDate` of the last run that
finished: the next run's `from`) and the `checkpoint` of a run in progress (JSON), written with every page."""

harvest_runs = Table(
    "harvest_runs",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("source", identifier(32), nullable=False),
    Column("started", BigInteger, nullable=False),
    Column("finished", BigInteger, nullable=False),
    Column("status", String(16), nullable=False),
    Column("summary", Text, nullable=False),
    Index(None, "source", "started"),
)
"""What each harvest run did (`summary`: JSON counts, pages, the request's `from`, a message when it failed)."""
