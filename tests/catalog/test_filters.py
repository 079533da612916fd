"""The filter tree compiled to SQL: the same tree gives the same rows on SQLite and PostgreSQL, and those rows are
the ones a plain Python reading of the fixture catalog expects."""

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from catalog.filters import (
    QUERYABLES,
    And,
    ArrayOp,
    ArrayPredicate,
    Between,
    Compare,
    CompareOp,
    Constant,
    Filter,
    In,
    Intersects,
    IsNull,
    Kind,
    Level,
    Like,
    Not,
    Or,
    Property,
    Temporal,
    TemporalOp,
    Timestamp,
    exact_geometries,
)
from catalog.store import Store, open_store
from catalog.store.filters import filter_sql, glob_pattern
from catalog.store.tables import datasets, granules
from harvest.loader import load_files
from tests.conftest import NOW

CREATORS = [{"name": "Filter test team", "kind": "organization"}]

MISSIONS = [
    {"type": "mission", "id": "alpha", "name": {"en": "Alpha"}},
    {"type": "mission", "id": "beta", "name": {"en": "Beta"}},
]
DATASETS: list[dict[str, Any]] = [
    {
        "type": "dataset",
        "id": "ds-a",
        "title": {"en": "A"},
        "mission": "alpha",
        "instruments": ["CAM", "SPEC"],
        "targets": ["Venus"],
        "category": "observation",
        "processing_level": "L2",
        "creators": CREATORS,
        "access": {"status": "public"},
    },
    {
        "type": "dataset",
        "id": "ds-b",
        "title": {"en": "B"},
        "mission": "beta",
        "instruments": ["CAM"],
        "targets": ["Moon", "Earth"],
        "category": "analysis",
        "processing_level": "L3",
        "creators": CREATORS,
        "access": {"status": "public"},
    },
    {
        "type": "dataset",
        "id": "ds-c",
        "title": {"en": "C"},
        "category": "engineering",
        "creators": CREATORS,
        "access": {"status": "public"},
    },
]
GRANULES: list[dict[str, Any]] = [
    {
        "type": "granule",
        "id": "g1",
        "dataset": "ds-a",
        "start": "2024-01-01T00:00:00Z",
        "end": "2024-01-01T01:00:00Z",
        "bbox": [10, 10, 20, 20],
        "properties": {
            "exposure_s": 100,
            "object": "Perseus cluster",
            "ra": 49.95,
            "flag": True,
            "bands": ["u", "g"],
            "a.b": 1,
            'q"uote': "dq",
            "x:y": "colon",
            "back\\slash": "bs",
            "it's": "apostrophe",
        },
    },
    {
        "type": "granule",
        "id": "g2",
        "dataset": "ds-a",
        "start": "2024-02-01T00:00:00Z",
        "end": "2024-02-02T00:00:00Z",
        "bbox": [170, -10, -170, 10],
        "properties": {"exposure_s": 64800, "object": "100%_done", "flag": False, "bands": ["g"], "a.b": 2},
    },
    {
        "type": "granule",
        "id": "g3",
        "dataset": "ds-b",
        "start": "2024-03-01T12:00:00Z",
        "end": "2024-03-01T13:00:00Z",
        "properties": {"exposure_s": "n/a", "object": "perseus", "bands": [], "ra": 12},
    },
    {
        "type": "granule",
        "id": "g4",
        "dataset": "ds-b",
        "datetime": "2023-12-31T23:59:59Z",
        "bbox": [-5, -5, 5, 5],
        "geometry": {"type": "Polygon", "coordinates": [[[-5, -5], [5, -5], [-5, 5], [-5, -5]]]},
        "properties": {"exposure_s": None, "object": "back\\slash", "bands": ["g", "u"], "ra": 200.5},
    },
    {
        "type": "granule",
        "id": "g5",
        "dataset": "ds-c",
        "start": "2024-06-15T00:00:00Z",
        "end": "2024-06-16T00:00:00Z",
        "bbox": [100, 50, 100, 50],
        "properties": {"exposure_s": 12.5, "object": "Ca*se?[x]", "bands": "u", "flag": True},
    },
    {
        "type": "granule",
        "id": "g6",
        "dataset": "ds-c",
        "start": "2025-01-01T00:00:00Z",
        "end": "2025-01-01T00:00:00Z",
    },
]


def epoch(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp())


@dataclass(frozen=True)
class Model:
    """A granule as the tests read it in Python, with its dataset's fields: the independent expectation."""

    dataset: str
    id: str
    start: int
    end: int
    bbox: tuple[float, ...] | None
    props: Mapping[str, Any]
    dataset_doc: Mapping[str, Any]

    @property
    def key(self) -> tuple[str, str]:
        return (self.dataset, self.id)

    def number(self, name: str) -> float | None:
        value = self.props.get(name)
        return value if isinstance(value, int | float) and not isinstance(value, bool) else None

    def string(self, name: str) -> str | None:
        value = self.props.get(name)
        return value if isinstance(value, str) else None


def models() -> list[Model]:
    by_id = {d["id"]: d for d in DATASETS}
    found = []
    for g in GRANULES:
        start = epoch(g.get("datetime") or g["start"])
        end = epoch(g.get("datetime") or g["end"])
        bbox = tuple(g["bbox"]) if "bbox" in g else None
        found.append(Model(g["dataset"], g["id"], start, end, bbox, g.get("properties", {}), by_id[g["dataset"]]))
    return found


MODELS = models()


def expected(predicate: Callable[[Model], bool]) -> set[tuple[str, str]]:
    return {m.key for m in MODELS if predicate(m)}


def write_fixture(folder: Path) -> Path:
    path = folder / "filters.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in [*MISSIONS, *DATASETS, *GRANULES]) + "\n", encoding="utf-8")
    return path


def matching(store: Store, expr: Filter) -> set[tuple[str, str]]:
    """Run `filter_sql(expr)` over the store as the item search embeds it; return (collection, id) pairs."""
    engine = store.engine  # type: ignore[attr-defined]
    query = (
        select(granules.c.dataset_id, granules.c.id)
        .select_from(granules.join(datasets, datasets.c.id == granules.c.dataset_id))
        .where(filter_sql(expr, engine.dialect.name))
    )
    with engine.connect() as connection:
        return {(row[0], row[1]) for row in connection.execute(query)}


@pytest.fixture
def filter_store(store_url: str, tmp_path: Path) -> Iterator[Store]:
    """A store on each backend holding the fixture catalog above."""
    opened = open_store(store_url)
    load_files(opened, [write_fixture(tmp_path)], now=NOW)
    yield opened
    opened.dispose()


def p(name: str) -> Property:
    return Property(name)


def ts(text: str) -> Timestamp:
    return Timestamp(epoch(text))


def in_box(m: Model, west: float, south: float, east: float, north: float) -> bool:
    if m.bbox is None:
        return False
    w, s, e, n = m.bbox

    def spans(a: float, b: float) -> list[tuple[float, float]]:
        return [(a, b)] if a <= b else [(a, 180.0), (-180.0, b)]

    return s <= north and n >= south and any(a <= d and b >= c for a, b in spans(w, e) for c, d in spans(west, east))


CASES: list[tuple[str, Filter, Callable[[Model], bool]]] = [
    ("id =", Compare(p("id"), CompareOp.EQ, "g1"), lambda m: m.id == "g1"),
    ("id <>", Compare(p("id"), CompareOp.NE, "g1"), lambda m: m.id != "g1"),
    ("id <", Compare(p("id"), CompareOp.LT, "g3"), lambda m: m.id < "g3"),
    ("id <=", Compare(p("id"), CompareOp.LE, "g3"), lambda m: m.id <= "g3"),
    ("id >", Compare(p("id"), CompareOp.GT, "g3"), lambda m: m.id > "g3"),
    ("id >=", Compare(p("id"), CompareOp.GE, "g3"), lambda m: m.id >= "g3"),
    ("collection =", Compare(p("collection"), CompareOp.EQ, "ds-b"), lambda m: m.dataset == "ds-b"),
    ("collection >", Compare(p("collection"), CompareOp.GT, "ds-a"), lambda m: m.dataset > "ds-a"),
    ("id number", Compare(p("id"), CompareOp.EQ, 1), lambda m: False),
    ("datetime =", Compare(p("datetime"), CompareOp.EQ, ts("2024-02-01T00:00:00")), lambda m: m.id == "g2"),
    (
        "datetime <>",
        Compare(p("datetime"), CompareOp.NE, ts("2024-02-01T00:00:00")),
        lambda m: m.start != epoch("2024-02-01T00:00:00"),
    ),
    (
        "datetime <",
        Compare(p("datetime"), CompareOp.LT, ts("2024-01-01T00:00:00")),
        lambda m: m.start < epoch("2024-01-01T00:00:00"),
    ),
    (
        "datetime <=",
        Compare(p("datetime"), CompareOp.LE, ts("2024-01-01T00:00:00")),
        lambda m: m.start <= epoch("2024-01-01T00:00:00"),
    ),
    (
        "start_datetime >",
        Compare(p("start_datetime"), CompareOp.GT, ts("2024-03-01T12:00:00")),
        lambda m: m.start > epoch("2024-03-01T12:00:00"),
    ),
    (
        "end_datetime >=",
        Compare(p("end_datetime"), CompareOp.GE, ts("2024-02-02T00:00:00")),
        lambda m: m.end >= epoch("2024-02-02T00:00:00"),
    ),
    ("datetime string", Compare(p("datetime"), CompareOp.EQ, "2024"), lambda m: False),
    ("mission =", Compare(p("mission"), CompareOp.EQ, "alpha"), lambda m: m.dataset_doc.get("mission") == "alpha"),
    ("mission <>", Compare(p("mission"), CompareOp.NE, "alpha"), lambda m: m.dataset_doc.get("mission") == "beta"),
    ("mission >=", Compare(p("mission"), CompareOp.GE, "b"), lambda m: m.dataset_doc.get("mission", "") >= "b"),
    ("category =", Compare(p("category"), CompareOp.EQ, "engineering"), lambda m: m.dataset == "ds-c"),
    ("category <", Compare(p("category"), CompareOp.LT, "engineering"), lambda m: m.dataset == "ds-b"),
    ("level =", Compare(p("processing:level"), CompareOp.EQ, "L3"), lambda m: m.dataset == "ds-b"),
    ("level <>", Compare(p("processing:level"), CompareOp.NE, "L3"), lambda m: m.dataset == "ds-a"),
    ("level <=", Compare(p("processing:level"), CompareOp.LE, "L2"), lambda m: m.dataset == "ds-a"),
    ("free = int", Compare(p("exposure_s"), CompareOp.EQ, 100), lambda m: m.number("exposure_s") == 100),
    ("free = float", Compare(p("exposure_s"), CompareOp.EQ, 12.5), lambda m: m.number("exposure_s") == 12.5),
    ("free = 100.0", Compare(p("exposure_s"), CompareOp.EQ, 100.0), lambda m: m.number("exposure_s") == 100),
    (
        "free <>",
        Compare(p("exposure_s"), CompareOp.NE, 100),
        lambda m: (x := m.number("exposure_s")) is not None and x != 100,
    ),
    (
        "free <",
        Compare(p("exposure_s"), CompareOp.LT, 100),
        lambda m: (x := m.number("exposure_s")) is not None and x < 100,
    ),
    (
        "free <=",
        Compare(p("exposure_s"), CompareOp.LE, 100),
        lambda m: (x := m.number("exposure_s")) is not None and x <= 100,
    ),
    (
        "free >",
        Compare(p("ra"), CompareOp.GT, 12),
        lambda m: (x := m.number("ra")) is not None and x > 12,
    ),
    (
        "free >=",
        Compare(p("ra"), CompareOp.GE, 12),
        lambda m: (x := m.number("ra")) is not None and x >= 12,
    ),
    ("free string =", Compare(p("exposure_s"), CompareOp.EQ, "n/a"), lambda m: m.string("exposure_s") == "n/a"),
    (
        "free string >",
        Compare(p("object"), CompareOp.GT, "P"),
        lambda m: (x := m.string("object")) is not None and x > "P",
    ),
    (
        "free string < (code points)",
        Compare(p("object"), CompareOp.LT, "a"),
        lambda m: (x := m.string("object")) is not None and x < "a",
    ),
    ("free bool", Compare(p("flag"), CompareOp.EQ, True), lambda m: m.props.get("flag") is True),
    ("free bool <>", Compare(p("flag"), CompareOp.NE, True), lambda m: m.props.get("flag") is False),
    ("free bool vs number", Compare(p("flag"), CompareOp.EQ, 1), lambda m: False),
    (
        "free number vs string",
        Compare(p("exposure_s"), CompareOp.GT, "0"),
        lambda m: m.string("exposure_s") is not None,
    ),
    (
        "free timestamp as text",
        Compare(p("object"), CompareOp.GT, ts("2024-01-01T00:00:00")),
        lambda m: (x := m.string("object")) is not None and x > "2024-01-01T00:00:00Z",
    ),
    ("key with dot", Compare(p("a.b"), CompareOp.EQ, 2), lambda m: m.id == "g2"),
    ("key with quote", Compare(p('q"uote'), CompareOp.EQ, "dq"), lambda m: m.id == "g1"),
    ("key with colon", Compare(p("x:y"), CompareOp.EQ, "colon"), lambda m: m.id == "g1"),
    ("key with backslash", Compare(p("back\\slash"), CompareOp.EQ, "bs"), lambda m: m.id == "g1"),
    ("key with apostrophe", Compare(p("it's"), CompareOp.EQ, "apostrophe"), lambda m: m.id == "g1"),
    ("injection 1", Compare(p("x') OR 1=1 --"), CompareOp.EQ, 1), lambda m: False),
    ("injection 2", Compare(p('exposure_s" OR "1"="1'), CompareOp.EQ, 100), lambda m: False),
    ("injection 3", IsNull(p("$.properties.exposure_s")), lambda m: True),
    ("injection 4", Compare(p("properties"), CompareOp.EQ, 1), lambda m: False),
    (
        "and",
        And((Compare(p("collection"), CompareOp.EQ, "ds-a"), Compare(p("exposure_s"), CompareOp.GT, 1000))),
        lambda m: m.id == "g2",
    ),
    (
        "or",
        Or((Compare(p("id"), CompareOp.EQ, "g1"), Compare(p("mission"), CompareOp.EQ, "beta"))),
        lambda m: m.id == "g1" or m.dataset == "ds-b",
    ),
    ("not missing", Not(Compare(p("exposure_s"), CompareOp.GT, 50)), lambda m: m.id not in ("g1", "g2")),
    (
        "not and or",
        Not(
            Or(
                (
                    And((Compare(p("mission"), CompareOp.EQ, "alpha"), Not(Compare(p("flag"), CompareOp.EQ, True)))),
                    IsNull(p("processing:level")),
                )
            )
        ),
        lambda m: not ((m.dataset == "ds-a" and m.props.get("flag") is not True) or m.dataset == "ds-c"),
    ),
    ("empty and", And(()), lambda m: True),
    ("empty or", Or(()), lambda m: False),
    ("include", Constant(True), lambda m: True),
    ("exclude", Constant(False), lambda m: False),
    ("like prefix", Like(p("object"), "Pers%"), lambda m: m.string("object") == "Perseus cluster"),
    ("like case-sensitive", Like(p("object"), "pers%"), lambda m: m.id == "g3"),
    ("like nocase", Like(p("object"), "PERS%", nocase=True), lambda m: m.id in ("g1", "g3")),
    ("like underscore", Like(p("object"), "g_"), lambda m: False),
    ("like single char", Like(p("id"), "g_"), lambda m: True),
    ("like escaped percent", Like(p("object"), "100\\%\\_done"), lambda m: m.id == "g2"),
    ("like escaped underscore wildcard", Like(p("object"), "100%\\_d%"), lambda m: m.id == "g2"),
    ("like escaped backslash", Like(p("object"), "back\\\\slash"), lambda m: m.id == "g4"),
    ("like glob characters", Like(p("object"), "Ca*se?[x]"), lambda m: m.id == "g5"),
    ("like wildcards over glob characters", Like(p("object"), "Ca_se_[x]"), lambda m: m.id == "g5"),
    ("like glob characters no match", Like(p("object"), "Ca%se%[y]"), lambda m: False),
    ("like number property", Like(p("exposure_s"), "1%"), lambda m: False),
    ("like dataset json", Like(p("processing:level"), "L_"), lambda m: m.dataset in ("ds-a", "ds-b")),
    ("like mission", Like(p("mission"), "al%"), lambda m: m.dataset == "ds-a"),
    ("in ids", In(p("id"), ("g1", "g5", "nope")), lambda m: m.id in ("g1", "g5")),
    ("in free mixed", In(p("exposure_s"), (100, "n/a", 12.5)), lambda m: m.id in ("g1", "g3", "g5")),
    ("in empty", In(p("id"), ()), lambda m: False),
    ("in mission", In(p("mission"), ("beta", "gamma")), lambda m: m.dataset == "ds-b"),
    (
        "between datetime",
        Between(p("datetime"), ts("2024-01-01T00:00:00"), ts("2024-03-01T12:00:00")),
        lambda m: epoch("2024-01-01T00:00:00") <= m.start <= epoch("2024-03-01T12:00:00"),
    ),
    (
        "between free",
        Between(p("exposure_s"), 12.5, 100),
        lambda m: (x := m.number("exposure_s")) is not None and 12.5 <= x <= 100,
    ),
    ("between id", Between(p("id"), "g2", "g4"), lambda m: "g2" <= m.id <= "g4"),
    ("is null free", IsNull(p("exposure_s")), lambda m: m.props.get("exposure_s") is None),
    ("is not null free", Not(IsNull(p("exposure_s"))), lambda m: m.props.get("exposure_s") is not None),
    ("is null mission", IsNull(p("mission")), lambda m: m.dataset == "ds-c"),
    ("is null level", IsNull(p("processing:level")), lambda m: m.dataset == "ds-c"),
    ("is null instruments", IsNull(p("instruments")), lambda m: m.dataset == "ds-c"),
    ("is null geometry", IsNull(p("geometry")), lambda m: m.bbox is None),
    ("is null id", IsNull(p("id")), lambda m: False),
    (
        "t_before",
        Temporal(p("datetime"), TemporalOp.BEFORE, epoch("2024-02-01T00:00:00"), epoch("2024-02-01T00:00:00")),
        lambda m: m.start < epoch("2024-02-01T00:00:00"),
    ),
    (
        "t_after interval",
        Temporal(p("datetime"), TemporalOp.AFTER, epoch("2024-01-01T00:00:00"), epoch("2024-03-01T12:00:00")),
        lambda m: m.start > epoch("2024-03-01T12:00:00"),
    ),
    (
        "t_intersects interval",
        Temporal(p("datetime"), TemporalOp.INTERSECTS, epoch("2024-01-01T00:00:00"), epoch("2024-03-01T12:00:00")),
        lambda m: epoch("2024-01-01T00:00:00") <= m.start <= epoch("2024-03-01T12:00:00"),
    ),
    (
        "t_intersects open start",
        Temporal(p("end_datetime"), TemporalOp.INTERSECTS, None, epoch("2024-01-01T01:00:00")),
        lambda m: m.end <= epoch("2024-01-01T01:00:00"),
    ),
    (
        "t_intersects open end",
        Temporal(p("datetime"), TemporalOp.INTERSECTS, epoch("2024-06-15T00:00:00"), None),
        lambda m: m.start >= epoch("2024-06-15T00:00:00"),
    ),
    ("t_intersects all", Temporal(p("datetime"), TemporalOp.INTERSECTS, None, None), lambda m: True),
    (
        "t_disjoint",
        Temporal(p("datetime"), TemporalOp.DISJOINT, epoch("2024-01-01T00:00:00"), epoch("2024-03-01T12:00:00")),
        lambda m: not (epoch("2024-01-01T00:00:00") <= m.start <= epoch("2024-03-01T12:00:00")),
    ),
    (
        "t_equals",
        Temporal(p("datetime"), TemporalOp.EQUALS, epoch("2023-12-31T23:59:59"), epoch("2023-12-31T23:59:59")),
        lambda m: m.id == "g4",
    ),
    ("t_before open", Temporal(p("datetime"), TemporalOp.BEFORE, None, 0), lambda m: False),
    ("s_intersects box", Intersects(p("geometry"), (15, 15, 30, 30), {}), lambda m: in_box(m, 15, 15, 30, 30)),
    ("s_intersects point", Intersects(p("geometry"), (100, 50, 100, 50), {}), lambda m: m.id == "g5"),
    (
        "s_intersects across antimeridian",
        Intersects(p("geometry"), (175, -1, -175, 1), {}),
        lambda m: in_box(m, 175, -1, -175, 1),
    ),
    ("s_intersects east of it", Intersects(p("geometry"), (-175, -1, -160, 1), {}), lambda m: m.id == "g2"),
    ("s_intersects whole world", Intersects(p("geometry"), (-180, -90, 180, 90), {}), lambda m: m.bbox is not None),
    ("not s_intersects", Not(Intersects(p("geometry"), (-180, -90, 180, 90), {})), lambda m: m.bbox is None),
    (
        "a_contains instruments",
        ArrayPredicate(p("instruments"), ArrayOp.CONTAINS, ("SPEC",)),
        lambda m: m.dataset == "ds-a",
    ),
    (
        "a_contains two",
        ArrayPredicate(p("instruments"), ArrayOp.CONTAINS, ("CAM", "SPEC")),
        lambda m: m.dataset == "ds-a",
    ),
    (
        "a_containedby",
        ArrayPredicate(p("instruments"), ArrayOp.CONTAINED_BY, ("CAM", "X")),
        lambda m: m.dataset == "ds-b",
    ),
    (
        "a_overlaps targets",
        ArrayPredicate(p("ssys:targets"), ArrayOp.OVERLAPS, ("Earth", "Venus")),
        lambda m: m.dataset in ("ds-a", "ds-b"),
    ),
    (
        "a_equals targets order",
        ArrayPredicate(p("ssys:targets"), ArrayOp.EQUALS, ("Earth", "Moon")),
        lambda m: False,
    ),
    (
        "a_equals targets",
        ArrayPredicate(p("ssys:targets"), ArrayOp.EQUALS, ("Moon", "Earth")),
        lambda m: m.dataset == "ds-b",
    ),
    (
        "a_contains free",
        ArrayPredicate(p("bands"), ArrayOp.CONTAINS, ("u",)),
        lambda m: isinstance(m.props.get("bands"), list) and "u" in m.props["bands"],
    ),
    (
        "a_containedby free",
        ArrayPredicate(p("bands"), ArrayOp.CONTAINED_BY, ("g",)),
        lambda m: isinstance(b := m.props.get("bands"), list) and set(b) <= {"g"},
    ),
    (
        "a_overlaps free",
        ArrayPredicate(p("bands"), ArrayOp.OVERLAPS, ("u", "z")),
        lambda m: isinstance(b := m.props.get("bands"), list) and "u" in b,
    ),
    (
        "a_equals free",
        ArrayPredicate(p("bands"), ArrayOp.EQUALS, ("u", "g")),
        lambda m: m.props.get("bands") == ["u", "g"],
    ),
    ("a_equals free empty", ArrayPredicate(p("bands"), ArrayOp.EQUALS, ()), lambda m: m.props.get("bands") == []),
    ("a_contains number", ArrayPredicate(p("bands"), ArrayOp.CONTAINS, (1,)), lambda m: False),
    ("array op on string", ArrayPredicate(p("id"), ArrayOp.CONTAINS, ("g1",)), lambda m: False),
]


def test_filter_rows_match_python(filter_store: Store) -> None:
    """Every case on each backend (one load per backend): the rows SQL finds are those Python expects."""
    wrong = {}
    for name, expr, predicate in CASES:
        found, wanted = matching(filter_store, expr), expected(predicate)
        if found != wanted:
            wrong[name] = {"found": sorted(found), "expected": sorted(wanted)}
    assert wrong == {}
    assert len(CASES) > 100


def test_fixture_is_loaded(filter_store: Store) -> None:
    assert matching(filter_store, Constant(True)) == {m.key for m in MODELS}
    assert len(MODELS) == 6


def test_dataset_leaves_are_an_uncorrelated_subquery() -> None:
    sql = str(filter_sql(Compare(p("processing:level"), CompareOp.EQ, "L2"), "sqlite"))
    assert "(+ granules.dataset_id) IN (SELECT datasets.id" in sql, "SQLite must not pick the dataset_id index"
    assert "granules.doc" not in sql
    for dialect, column in (("sqlite", "(+ granules.dataset_id)"), ("postgresql", "granules.dataset_id")):
        leaf = str(filter_sql(ArrayPredicate(p("instruments"), ArrayOp.CONTAINS, ("CAM",)), dialect))
        assert f"{column} IN (SELECT datasets.id" in leaf


@pytest.mark.parametrize("name", ["x') OR 1=1 --", 'a"b', "$.x", "a\\b"])
def test_property_names_are_bound_not_spliced(name: str) -> None:
    for dialect in ("sqlite", "postgresql"):
        sql = str(filter_sql(Compare(p(name), CompareOp.EQ, 1), dialect))
        assert name not in sql


def test_unknown_dialect_is_refused() -> None:
    with pytest.raises(ValueError, match="oracle"):
        filter_sql(Constant(True), "oracle")


@pytest.mark.parametrize(
    ("pattern", "glob"),
    [("a%", "a*"), ("a_", "a?"), ("a\\%", "a%"), ("a\\_", "a_"), ("*?[", "[*][?][[]"), ("a\\\\b", "a\\b")],
)
def test_glob_pattern(pattern: str, glob: str) -> None:
    assert glob_pattern(pattern) == glob


def test_exact_geometries_are_the_top_level_intersects() -> None:
    point = {"type": "Point", "coordinates": [1.0, 2.0]}
    box = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}
    expr = And(
        (
            Intersects(p("geometry"), (1, 2, 1, 2), point),
            And((Compare(p("id"), CompareOp.EQ, "g1"), Intersects(p("geometry"), (0, 0, 1, 1), box))),
            Or((Intersects(p("geometry"), (5, 5, 6, 6), {"type": "Point", "coordinates": [5, 5]}), Constant(False))),
            Not(Intersects(p("geometry"), (7, 7, 8, 8), {"type": "Point", "coordinates": [7, 7]})),
        )
    )
    assert exact_geometries(expr) == (point, box)
    assert exact_geometries(Intersects(p("geometry"), (1, 2, 1, 2), point)) == (point,)
    assert exact_geometries(Compare(p("id"), CompareOp.EQ, "g1")) == ()


def test_queryables_table() -> None:
    assert QUERYABLES["collection"].column == "dataset_id"
    assert QUERYABLES["datetime"].column == "start_time"
    assert QUERYABLES["end_datetime"].column == "end_time"
    assert QUERYABLES["processing:level"].json_key == "processing_level"
    assert QUERYABLES["ssys:targets"].kind is Kind.STRINGS
    assert {q.level for q in QUERYABLES.values() if q.name in ("mission", "category", "instruments")} == {Level.DATASET}
    assert Property("exposure_s").queryable.kind is Kind.ANY
