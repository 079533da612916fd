"""STAC item search latency, requests/s and deep-page drift over a synthetic archive, over HTTP from gunicorn."""

import argparse
import hashlib
import json
import math
import os
import random
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.common import (
    BenchError,
    StoreSize,
    add_server_options,
    free_port,
    fresh_postgres,
    note,
    run_bench,
    run_header,
    stop_on_sigterm,
)
from bench.oai_harvest import Server, ServerMemory, base_url

ROOT = Path(__file__).resolve().parent.parent
BACKENDS = ("sqlite", "postgresql")
TARGET_P95_MS = 50.0
"""The 95th percentile latency of a 10-item page the issue asks for on a 2-core machine."""
TARGET_DRIFT = 1.5
"""Page 1000's latency over page 1's at or under which deep paging counts as flat."""
LIMIT = 10
"""Items per page in every search: the issue's targets are for 10-item pages."""
DEEP_MARKS = (1, 10, 100, 1000)
"""The pages of a deep walk whose latency is reported."""
REPEATS = 7
"""How many times the marked pages of a deep walk are fetched again, for a median that one slow sample cannot move."""
TODAY = date(2026, 11, 21)
"""The day the synthetic archive is built for: fixed, so every run loads the same bytes and --keep can reuse them."""
YEARS = 20
"""Granules span this many years before `TODAY`."""
GENERATOR_VERSION = 1
"""Bumped when `synthesize` changes, so that files cached with --keep go stale."""
MB = 1_000_000
COUNT_BUDGET_ENV = "CATALOG_STAC_COUNT_BUDGET_MS"
"""How long the server may spend counting `numberMatched`; the served process inherits it from this one."""
FINGERPRINTED = (
    "catalog/migrations/versions",
    "catalog/store/tables.py",
    "catalog/contract.py",
    "catalog/records.py",
    "harvest/loader.py",
)
"""What decides the rows a load writes: a cached SQLite file is reused only while these are unchanged (the query
code of `catalog/store` is left out, so that a change to a search does not cost a reload)."""


@dataclass(frozen=True, slots=True)
class _Mission:
    id: str
    en: str
    target: str
    earth: bool
    instruments: tuple[str, ...]


_MISSIONS = (
    _Mission("hayabusa2", "Hayabusa2", "162173 Ryugu", False, ("ONC-T", "TIR", "NIRS3")),
    _Mission("akatsuki", "Akatsuki", "Venus", False, ("IR1", "UVI", "LIR")),
    _Mission("hinode", "Hinode", "Sun", False, ("SOT", "XRT", "EIS")),
    _Mission("suzaku", "Suzaku", "X-ray sky", False, ("XIS", "HXD")),
    _Mission("xrism", "XRISM", "X-ray sky", False, ("Resolve", "Xtend")),
    _Mission("akari", "AKARI", "Infrared sky", False, ("IRC", "FIS")),
    _Mission("kaguya", "Kaguya", "Moon", False, ("TC", "MI", "LALT")),
    _Mission("hisaki", "Hisaki", "Jupiter", False, ("EXCEED",)),
    _Mission("arase", "Arase", "Earth magnetosphere", False, ("MGF", "PWE", "LEPe")),
    _Mission("isas-balloon", "ISAS balloon", "Earth atmosphere", True, ("GPS", "CAM", "PCM")),
)
_LEVELS = ("L0", "L1", "L2", "L2b", "L3")
_FILTERS = ("ul", "b", "v", "w", "x", "p", "zs", "Na", "283 nm", "365 nm", "Al.1", "AlMg", "Be119")
_OBJECTS = ("Perseus cluster", "Cygnus X-1", "Crab", "Cas A", "M87", "Vela", "Sgr A*", "Orion", "Ryugu", "Venus")
_EARTH_EVERY = 10
"""One dataset in this many is of Earth (with a bbox): about 10% of the granules."""
_RESTRICTED_EVERY = 37
_HIDDEN_EVERY = 41
_PROPRIETARY_EVERY = 11


@dataclass(frozen=True, slots=True)
class DatasetPlan:
    """What the generator and the queries both need to know of one synthetic dataset."""

    index: int
    id: str
    mission: _Mission
    instrument: str
    level: str
    start: datetime
    end: datetime
    region: tuple[float, float, float, float] | None
    access: str
    """`public`, `proprietary` (public, 12 months' rolling proprietary period), `restricted` or `hidden`."""

    @property
    def visible(self) -> bool:
        return self.access != "hidden"


def plan(datasets: int) -> list[DatasetPlan]:
    """The synthetic datasets: a deterministic mix of missions, levels, regions and policy states."""
    anchor = datetime(TODAY.year, TODAY.month, TODAY.day, tzinfo=UTC)
    earliest = anchor - timedelta(days=365 * YEARS)
    plans = []
    for index in range(datasets):
        rng = random.Random(index * 7919 + 5)
        mission = _MISSIONS[len(_MISSIONS) - 1 if index % _EARTH_EVERY == 0 else index % (len(_MISSIONS) - 1)]
        instrument = mission.instruments[rng.randrange(len(mission.instruments))]
        level = _LEVELS[rng.randrange(len(_LEVELS))]
        span = timedelta(days=rng.randrange(180, 365 * 8))
        start = earliest + timedelta(seconds=rng.randrange(int((anchor - earliest - span).total_seconds())))
        region = None
        if mission.earth:
            width, height = rng.uniform(2, 20), rng.uniform(2, 15)
            west, south = rng.uniform(-180, 180 - width), rng.uniform(-60, 60 - height)
            region = (round(west, 4), round(south, 4), round(west + width, 4), round(south + height, 4))
        if index % _HIDDEN_EVERY == _HIDDEN_EVERY - 1:
            access = "hidden"
        elif index % _RESTRICTED_EVERY == _RESTRICTED_EVERY - 1:
            access = "restricted"
        elif index % _PROPRIETARY_EVERY == 3:
            access = "proprietary"
            start = anchor - span
        else:
            access = "public"
        dataset_id = f"{mission.id}-{instrument.lower().replace('.', '')}-{level.lower()}-{index:04d}"
        plans.append(DatasetPlan(index, dataset_id, mission, instrument, level, start, start + span, region, access))
    return plans


def _time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _dataset_record(p: DatasetPlan) -> dict[str, Any]:
    record: dict[str, Any] = {
        "type": "dataset",
        "id": p.id,
        "title": {"en": f"{p.mission.en} {p.instrument} {p.level} data, set {p.index}"},
        "description": {"en": f"Synthetic {p.level} data of {p.mission.target} from {p.mission.en} {p.instrument}."},
        "mission": p.mission.id,
        "instruments": [p.instrument],
        "targets": [p.mission.target],
        "keywords": ["synthetic", p.mission.target],
        "category": "observation",
        "processing_level": p.level,
        "creators": [{"kind": "organization", "name": f"{p.mission.en} {p.instrument} team"}],
        "temporal": {"start": _time(p.start), "end": _time(p.end)},
        "formats": ["FITS"],
        "assets": [{"href": f"https://data.darts.isas.jaxa.jp/pub/{p.mission.id}/{p.id}/", "roles": ["data"]}],
        "doi": f"10.17597/isas.darts/bench-{p.index:04d}",
        "access": {"status": "public"},
    }
    if p.region is not None:
        record["spatial"] = {"bbox": list(p.region)}
    until = (TODAY + timedelta(days=900)).isoformat()
    if p.access == "proprietary":
        record["access"] = {"status": "public", "proprietary_months": 12}
    elif p.access == "restricted":
        record["access"] = {
            "status": "restricted",
            "reason": "incomplete-processing",
            "scope": f"the {p.mission.en} {p.instrument} team",
            "until": until,
            "after": "release",
        }
    elif p.access == "hidden":
        record["access"] = {
            "status": "restricted",
            "reason": "privacy-or-safety",
            "scope": "the operations team",
            "until": until,
            "after": "review",
            "disclose": False,
        }
    return record


def _granule_record(p: DatasetPlan, number: int, count: int, rng: random.Random) -> dict[str, Any]:
    span = (p.end - p.start).total_seconds()
    start = p.start + timedelta(seconds=int(span * (number + rng.random()) / count))
    end = start + timedelta(seconds=rng.randrange(10, 86_400))
    properties: dict[str, Any] = {
        "exposure_s": round(math.exp(rng.uniform(math.log(0.01), math.log(200_000))), 3),
        "filter": _FILTERS[rng.randrange(len(_FILTERS))],
        "object": _OBJECTS[rng.randrange(len(_OBJECTS))],
    }
    record: dict[str, Any] = {
        "type": "granule",
        "id": f"{p.index:04d}-{number:07d}",
        "dataset": p.id,
        "start": _time(start),
        "end": _time(end),
        "properties": properties,
        "assets": [
            {
                "href": f"https://data.darts.isas.jaxa.jp/pub/{p.mission.id}/{p.id}/{number:07d}.fits",
                "roles": ["data"],
            }
        ],
    }
    if p.region is not None:
        west, south, east, north = p.region
        size = rng.uniform(0.05, 1.5)
        x, y = rng.uniform(west, east - size), rng.uniform(south, north - size)
        box = [round(x, 4), round(y, 4), round(x + size, 4), round(y + size, 4)]
        record["bbox"] = box
        ring = [[box[0], box[1]], [box[2], box[1]], [box[2], box[3]], [box[0], box[3]], [box[0], box[1]]]
        record["geometry"] = {"type": "Polygon", "coordinates": [ring]}
    return record


def granule_counts(plans: Sequence[DatasetPlan], granules: int) -> list[int]:
    """How many granules each dataset gets: uneven (weights 1 to 5), summing to `granules`."""
    weights = [1 + random.Random(p.index * 31 + 7).randrange(5) for p in plans]
    total = sum(weights)
    counts = [granules * w // total for w in weights]
    for i in range(granules - sum(counts)):
        counts[i % len(counts)] += 1
    return counts


def synthesize(granules: int, datasets: int) -> Iterator[dict[str, Any]]:
    """The missions, the datasets, then `granules` granules in contract v1, each dataset's in time order."""
    for mission in _MISSIONS:
        yield {"type": "mission", "id": mission.id, "name": {"en": mission.en}, "targets": [mission.target]}
    plans = plan(datasets)
    for p in plans:
        yield _dataset_record(p)
    for p, count in zip(plans, granule_counts(plans, granules), strict=True):
        rng = random.Random(p.index * 104729 + 11)
        for number in range(count):
            yield _granule_record(p, number, count, rng)


def archive_file(granules: int, datasets: int, directory: Path) -> Path:
    """The synthetic archive as JSON Lines in `directory`, generated unless already there."""
    path = directory / f"stac-{granules}-{datasets}-{TODAY}-v{GENERATOR_VERSION}.jsonl"
    if path.exists():
        note(f"using {path} ({path.stat().st_size / MB:.1f} MB)")
        return path
    from catalog.contract import canonical

    start = time.perf_counter()
    partial = path.with_suffix(".partial")
    with partial.open("w", encoding="utf-8") as stream:
        for record in synthesize(granules, datasets):
            stream.write(canonical(record) + "\n")
    partial.replace(path)
    note(f"generated {path} ({path.stat().st_size / MB:.1f} MB) in {time.perf_counter() - start:.1f} s")
    return path


def store_fingerprint() -> str:
    """A short digest of the files in `FINGERPRINTED`: the name a loaded SQLite store is cached under."""
    digest = hashlib.blake2b(digest_size=4)
    for name in FINGERPRINTED:
        target = ROOT / name
        files = sorted(target.rglob("*.py")) if target.is_dir() else [target]
        for path in files:
            digest.update(str(path.relative_to(ROOT)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def load_archive(url: str, path: Path, base: str) -> float:
    """Load `path` into the store at `url` with `isas-catalog load` in a subprocess; the seconds it took."""
    env = {**os.environ, "CATALOG_DATABASE_URL": url, "CATALOG_BASE_URL": base}
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "server.cli", "load", str(path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise BenchError(f"isas-catalog load {path.name} failed (exit {done.returncode}):\n{done.stderr[-3000:]}")
    summary = " ".join(done.stdout.split())
    note(f"loaded {path.name} in {seconds:.1f} s: {summary[:300]}")
    return seconds


def cached_sqlite(path: Path, cache: Path, base: str) -> Path:
    """A SQLite store loaded with `path`, kept in `cache` and reused while the input and the store code are the same."""
    target = cache / f"{path.stem}-{store_fingerprint()}.sqlite"
    if target.exists():
        note(f"using loaded store {target} ({target.stat().st_size / MB:.1f} MB)")
        return target
    partial = target.with_name(target.name + ".partial")
    for stale in (partial, partial.with_name(partial.name + "-wal"), partial.with_name(partial.name + "-shm")):
        stale.unlink(missing_ok=True)
    load_archive(f"sqlite:///{partial}", path, base)
    with sqlite3.connect(partial) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    partial.replace(target)
    for suffix in ("-wal", "-shm"):
        partial.with_name(partial.name + suffix).unlink(missing_ok=True)
    return target


@dataclass(frozen=True, slots=True)
class Request:
    """One HTTP request of a kind: a path and query, and a JSON body for a POST."""

    kind: str
    path: str
    body: dict[str, Any] | None = None
    item: bool = False
    """A single Item (a Feature) is expected, not a FeatureCollection."""


@dataclass(slots=True)
class Answer:
    status: int
    seconds: float
    document: dict[str, Any] | None
    problem: str | None


def fetch(base: str, request: Request, timeout: float = 120.0) -> Answer:
    """Send `request`, read and decode the body; the latency covers sending to the decoded JSON."""
    url = request.path if request.path.startswith("http") else base + request.path
    data = None if request.body is None else json.dumps(request.body).encode()
    headers = {"Accept": "application/geo+json, application/json"}
    if data is not None:
        headers["Content-Type"] = "application/json"
    outgoing = urllib.request.Request(url, data=data, headers=headers, method="GET" if data is None else "POST")
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(outgoing, timeout=timeout) as response:
            body = response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        body = error.read()
        seconds = time.perf_counter() - start
        return Answer(error.code, seconds, None, f"HTTP {error.code}: {body[:300]!r}")
    except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
        return Answer(0, time.perf_counter() - start, None, f"{type(error).__name__}: {error}")
    try:
        document = json.loads(body)
    except ValueError:
        return Answer(status, time.perf_counter() - start, None, f"not JSON: {body[:300]!r}")
    seconds = time.perf_counter() - start
    return Answer(status, seconds, document, None if isinstance(document, dict) else "not a JSON object")


def check(request: Request, answer: Answer, hidden: frozenset[str], restricted: frozenset[str]) -> str | None:
    """What is wrong with an answer, None when it is a 200 with what a STAC client expects of it."""
    if answer.problem is not None:
        return answer.problem
    if answer.status != 200:
        return f"HTTP {answer.status}"
    document = answer.document
    assert document is not None
    features = [document] if request.item else document.get("features")
    if request.item:
        if document.get("type") != "Feature":
            return f"not a Feature: type {document.get('type')!r}"
    elif document.get("type") != "FeatureCollection" or not isinstance(features, list):
        return f"not a FeatureCollection: type {document.get('type')!r}"
    assert isinstance(features, list)
    if len(features) > LIMIT:
        return f"{len(features)} features on a page of limit {LIMIT}"
    returned = document.get("numberReturned")
    if not request.item and returned is not None and returned != len(features):
        return f"numberReturned {returned} but {len(features)} features"
    for feature in features:
        collection = feature.get("collection")
        if collection in hidden:
            return f"item {feature.get('id')} of undisclosed collection {collection}"
        if collection in restricted and feature.get("assets"):
            return f"item {feature.get('id')} of restricted collection {collection} has assets"
    return None


def next_request(kind: str, document: dict[str, Any]) -> Request | None:
    """The request the `next` link of a page describes (GET href, or POST with its body), None on the last page."""
    for link in document.get("links", ()):
        if link.get("rel") == "next":
            if str(link.get("method", "GET")).upper() == "POST":
                return Request(kind, link["href"], link.get("body") or {})
            return Request(kind, link["href"])
    return None


@dataclass(slots=True)
class Kind:
    """The figures of one kind of request: latencies of the 200s, the failures, the items returned."""

    name: str
    latencies: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    features: int = 0
    matched: int = 0
    seconds: float = 0.0
    capped: bool = False
    """Stopped short of the planned requests by --kind-seconds."""

    @property
    def requests(self) -> int:
        return len(self.latencies) + len(self.failures)

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * share))] if ordered else math.nan

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else 0.0


@dataclass(slots=True)
class Walk:
    """One search followed by its `next` links: every page's latency, and the marked pages fetched again."""

    name: str
    latencies: list[float] = field(default_factory=list)
    marks: dict[int, float] = field(default_factory=dict)
    """Page number to the median latency of `REPEATS` fetches of it after the walk."""
    failures: list[str] = field(default_factory=list)
    ended: bool = False
    """The search ran out of pages before the planned depth."""
    capped: bool = False
    """Stopped short of the planned depth by --kind-seconds."""


@dataclass(slots=True)
class Run:
    backend: str
    kinds: list[Kind]
    walks: list[Walk]
    concurrent: Kind | None
    clients: int
    rss_kib: int
    pss_kib: int
    processes: int


class Workload:
    """Seeded random requests of every kind over the datasets of `plans`."""

    def __init__(self, plans: Sequence[DatasetPlan], seed: int) -> None:
        self.rng = random.Random(seed)
        self.visible = [p for p in plans if p.visible]
        self.earth = [p for p in self.visible if p.region is not None] or self.visible
        self.hidden = frozenset(p.id for p in plans if not p.visible)
        self.restricted = frozenset(p.id for p in plans if p.access == "restricted")
        self.missions = sorted({p.mission.id for p in self.visible})
        self.seen_items: list[tuple[str, str]] = []

    def _window(self, p: DatasetPlan, shortest: int, longest: int) -> str:
        days = self.rng.randrange(shortest, longest)
        span = max(0.0, (p.end - p.start).total_seconds() - days * 86_400)
        start = p.start + timedelta(seconds=self.rng.uniform(0, span))
        return f"{_time(start)}/{_time(start + timedelta(days=days))}"

    def _bbox(self, p: DatasetPlan) -> list[float]:
        west, south, east, north = p.region or (-180.0, -90.0, 180.0, 90.0)
        x, y = self.rng.uniform(west, east), self.rng.uniform(south, north)
        size = self.rng.uniform(1, 10)
        return [round(max(-180, x - size), 3), round(max(-90, y - size), 3), round(min(180, x + size), 3),
                round(min(90, y + size), 3)]  # fmt: skip

    def bbox_datetime(self) -> Request:
        p = self.rng.choice(self.earth)
        query = {"bbox": ",".join(map(str, self._bbox(p))), "datetime": self._window(p, 30, 365), "limit": LIMIT}
        return Request("bbox+datetime GET", "/stac/search?" + urllib.parse.urlencode(query))

    def bbox_datetime_post(self) -> Request:
        p = self.rng.choice(self.earth)
        body = {"bbox": self._bbox(p), "datetime": self._window(p, 30, 365), "limit": LIMIT}
        return Request("bbox+datetime POST", "/stac/search", body)

    def collection_sorted(self) -> Request:
        p = self.rng.choice(self.visible)
        query = {"collections": p.id, "datetime": self._window(p, 30, 730), "sortby": "-datetime", "limit": LIMIT}
        return Request("collection+datetime sorted", "/stac/search?" + urllib.parse.urlencode(query))

    def collection_items(self) -> Request:
        p = self.rng.choice(self.visible)
        query = {"datetime": self._window(p, 30, 730), "limit": LIMIT}
        path = f"/stac/collections/{urllib.parse.quote(p.id)}/items?" + urllib.parse.urlencode(query)
        return Request("collection items", path)

    def property_filter(self) -> Request:
        roll = self.rng.random()
        if roll < 0.5:
            cql = f"exposure_s > {round(math.exp(self.rng.uniform(math.log(1), math.log(100_000))), 1)}"
        elif roll < 0.8:
            cql = f"filter = '{self.rng.choice(_FILTERS)}'"
        else:
            cql = f"object = '{self.rng.choice(_OBJECTS)}' AND exposure_s < 1000"
        query = {"filter": cql, "filter-lang": "cql2-text", "limit": LIMIT}
        return Request("cql2 property", "/stac/search?" + urllib.parse.urlencode(query))

    def level_filter(self) -> Request:
        cql = f"\"processing:level\" = '{self.rng.choice(_LEVELS)}'"
        query = {"filter": cql, "filter-lang": "cql2-text", "limit": LIMIT}
        return Request("cql2 processing:level", "/stac/search?" + urllib.parse.urlencode(query))

    def mission_filter(self) -> Request:
        cql = f"mission = '{self.rng.choice(self.missions)}'"
        query = {"filter": cql, "filter-lang": "cql2-text", "limit": LIMIT}
        return Request("cql2 mission", "/stac/search?" + urllib.parse.urlencode(query))

    def item(self) -> Request:
        collection, item = self.rng.choice(self.seen_items)
        path = f"/stac/collections/{urllib.parse.quote(collection)}/items/{urllib.parse.quote(item)}"
        return Request("item GET", path, item=True)

    def remember(self, document: dict[str, Any]) -> None:
        for feature in document.get("features", ())[:3]:
            if isinstance(feature.get("collection"), str) and isinstance(feature.get("id"), str):
                self.seen_items.append((feature["collection"], feature["id"]))

    def makers(self) -> list[Callable[[], Request]]:
        """The kinds in the order they are measured (`item` last: it draws on the items the others returned)."""
        return [
            self.bbox_datetime,
            self.bbox_datetime_post,
            self.collection_sorted,
            self.collection_items,
            self.property_filter,
            self.level_filter,
            self.mission_filter,
            self.item,
        ]


def measure(base: str, workload: Workload, queries: int, warmup: int, cap: float) -> list[Kind]:
    """Run `queries` requests of each kind one after another (after `warmup` unmeasured ones of each), fewer when
    a kind has taken `cap` seconds."""
    kinds = []
    for make in workload.makers():
        if make == workload.item and not workload.seen_items:
            kinds.append(Kind("item GET", failures=["no item was returned by any search to fetch"]))
            continue
        for _ in range(warmup):
            fetch(base, make())
        requests = [make() for _ in range(queries)]
        kind = Kind(requests[0].kind)
        start = time.perf_counter()
        for request in requests:
            _record(kind, request, fetch(base, request), workload)
            if time.perf_counter() - start > cap:
                kind.capped = True
                break
        kind.seconds = time.perf_counter() - start
        kinds.append(kind)
        note(f"{kind.name}: {kind.requests} requests, p95 {_ms(kind.percentile(0.95))} ms, {len(kind.failures)} failed")
    return kinds


def _record(kind: Kind, request: Request, answer: Answer, workload: Workload) -> None:
    problem = check(request, answer, workload.hidden, workload.restricted)
    if problem is not None:
        kind.failures.append(f"{request.path} {json.dumps(request.body) if request.body else ''}: {problem}")
        return
    kind.latencies.append(answer.seconds)
    assert answer.document is not None
    if request.item:
        kind.features += 1
        return
    kind.features += len(answer.document.get("features", ()))
    kind.matched += "numberMatched" in answer.document
    workload.remember(answer.document)


def concurrently(base: str, workload: Workload, clients: int, queries: int, cap: float) -> Kind:
    """`clients` threads each sending `queries` requests of the mixed kinds (fewer once `cap` seconds have passed);
    latencies pooled, throughput overall."""
    makers = [make for make in workload.makers() if make != workload.item or workload.seen_items]
    plans = [[makers[(c + i) % len(makers)]() for i in range(queries)] for c in range(clients)]
    kind = Kind(f"mixed, {clients} clients")
    lock = threading.Lock()

    def client(requests: list[Request]) -> None:
        for request in requests:
            answer = fetch(base, request)
            with lock:
                _record(kind, request, answer, workload)
                if time.perf_counter() - start > cap:
                    kind.capped = True
                    return

    threads = [
        threading.Thread(target=client, args=(requests,), name=f"client-{n}") for n, requests in enumerate(plans)
    ]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    kind.seconds = time.perf_counter() - start
    note(f"{kind.name}: {kind.requests} requests in {kind.seconds:.1f} s, {len(kind.failures)} failed")
    return kind


def walk(base: str, first: Request, depth: int, workload: Workload, cap: float, *, newest_first: bool = False) -> Walk:
    """Follow `next` links from `first` to page `depth` (or for `cap` seconds), then fetch each marked page
    `REPEATS` times more.

    A walk that repeats an item (or, `newest_first`, goes back in time) is a failure: a `next` link that served
    the first page again would otherwise look like perfectly flat paging.
    """
    result = Walk(first.kind)
    request: Request | None = first
    marked: dict[int, Request] = {}
    seen: set[tuple[str, str]] = set()
    latest: datetime | None = None
    start = time.perf_counter()
    for page in range(1, depth + 1):
        if request is None:
            result.ended = True
            break
        if time.perf_counter() - start > cap:
            result.capped = True
            break
        answer = fetch(base, request)
        problem = check(request, answer, workload.hidden, workload.restricted)
        if problem is None:
            assert answer.document is not None
            problem, latest = order_problem(answer.document["features"], seen, latest, newest_first)
        if problem is not None:
            result.failures.append(f"page {page}: {request.path} {json.dumps(request.body or '')}: {problem}")
            break
        result.latencies.append(answer.seconds)
        marked[page] = request
        if page - 1 not in DEEP_MARKS:
            marked.pop(page - 1, None)
        assert answer.document is not None
        request = next_request(first.kind, answer.document)
    for page, again in marked.items():
        samples = []
        for _ in range(REPEATS):
            answer = fetch(base, again)
            problem = check(again, answer, workload.hidden, workload.restricted)
            if problem is not None:
                result.failures.append(f"page {page} again: {problem}")
                break
            samples.append(answer.seconds)
        if samples:
            result.marks[page] = statistics.median(samples)
    note(f"{result.name}: {len(result.latencies)} pages, {len(result.failures)} failed")
    return result


def order_problem(
    features: Sequence[dict[str, Any]], seen: set[tuple[str, str]], latest: datetime | None, newest_first: bool
) -> tuple[str | None, datetime | None]:
    """What is out of order in a walk's page: an item already `seen`, or (`newest_first`) one later than the
    `latest` before it; and the page's last `datetime`."""
    for feature in features:
        key = (str(feature.get("collection")), str(feature.get("id")))
        stamp = (feature.get("properties") or {}).get("datetime")
        if not isinstance(stamp, str):
            return f"item {key[0]}/{key[1]} has no datetime", latest
        moment = datetime.fromisoformat(stamp)
        if key in seen:
            return f"item {key[0]}/{key[1]} again", latest
        if newest_first and latest is not None and moment > latest:
            return (
                f"item {key[0]}/{key[1]} at {moment:%Y-%m-%dT%H:%M:%S} after one at {latest:%Y-%m-%dT%H:%M:%S}",
                latest,
            )
        seen.add(key)
        latest = moment
    return None, latest


def walks(base: str, depth: int, workload: Workload, cap: float) -> list[Walk]:
    """Deep paging of three searches over every collection: the default order, newest first, and a POST."""
    newest = urllib.parse.urlencode({"sortby": "-datetime", "limit": LIMIT})
    return [
        walk(base, Request("deep GET default order", f"/stac/search?limit={LIMIT}"), depth, workload, cap),
        walk(
            base,
            Request("deep GET sortby=-datetime", f"/stac/search?{newest}"),
            depth,
            workload,
            cap,
            newest_first=True,
        ),
        walk(base, Request("deep POST default order", "/stac/search", {"limit": LIMIT}), depth, workload, cap),
    ]


def _ms(seconds: float) -> str:
    return "-" if math.isnan(seconds) else f"{seconds * 1000:.1f}"


def print_table(runs: Sequence[Run]) -> None:
    header = (
        f"{'backend':<10} {'kind':<28} {'requests':>8} {'failed':>6} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} "
        f"{'req/s':>6} {'items/page':>10} {'matched':>7}"
    )
    print(header)
    print("-" * len(header))
    for r in runs:
        for k in [*r.kinds, *([r.concurrent] if r.concurrent else [])]:
            pages = len(k.latencies)
            print(
                f"{r.backend:<10} {k.name:<28} {k.requests:>8} {len(k.failures):>6} {_ms(k.percentile(0.5)):>7} "
                f"{_ms(k.percentile(0.95)):>7} {_ms(max(k.latencies, default=math.nan)):>7} {k.rate:>6.1f} "
                f"{(k.features / pages if pages else 0):>10.1f} {k.matched:>7}"
            )
    print(
        f"latency: request sent to JSON decoded (urllib, one connection per request); req/s: one client unless "
        f"stated; items/page: mean features per answer; matched: answers carrying numberMatched; limit={LIMIT}."
    )
    print()
    marks = [f"p{m} ms" for m in DEEP_MARKS]
    header = (
        f"{'backend':<10} {'walk':<28} {'pages':>5} {'failed':>6} {'p50 ms':>7} {'p95 ms':>7} "
        + " ".join(f"{m:>8}" for m in marks)
        + f" {'last ms':>8} {'last/p1':>7}"
    )
    print(header)
    print("-" * len(header))
    for r in runs:
        for w in r.walks:
            k = Kind(w.name, latencies=w.latencies)
            last = max(w.marks, default=0)
            cells = " ".join(f"{_ms(w.marks.get(m, math.nan)):>8}" for m in DEEP_MARKS)
            ratio = w.marks[last] / w.marks[1] if last and w.marks.get(1) else math.nan
            print(
                f"{r.backend:<10} {w.name:<28} {len(w.latencies):>5} {len(w.failures):>6} {_ms(k.percentile(0.5)):>7} "
                f"{_ms(k.percentile(0.95)):>7} {cells} {_ms(w.marks.get(last, math.nan)):>8} {ratio:>7.2f}"
            )
    print(
        f"pN ms: page N of the walk fetched again {REPEATS} times after the walk (median), its `next` link as the "
        f"walk met it; p50/p95 over every page of the walk; last: the deepest page reached."
    )
    print()
    for r in runs:
        print(
            f"{r.backend}: server peak RSS {r.rss_kib * 1024 / MB:.1f} MB, PSS {r.pss_kib * 1024 / MB:.1f} MB "
            f"({r.processes} processes; summed over gunicorn's master and workers, sampled every 0.2 s)"
        )


def print_verdicts(runs: Sequence[Run]) -> int:
    """Print each target's verdict and every failed request; the number of failed requests."""
    failed = 0
    for r in runs:
        for k in r.kinds:
            p95 = k.percentile(0.95) * 1000
            met = "met" if p95 < TARGET_P95_MS else "NOT met"
            short = f" (over {k.requests} requests: stopped by --kind-seconds)" if k.capped else ""
            print(f"{r.backend} {k.name}: p95 {p95:.1f} ms{short}: target < {TARGET_P95_MS:.0f} ms {met}")
        if r.concurrent:
            capped = ", stopped by --kind-seconds" if r.concurrent.capped else ""
            print(
                f"{r.backend} {r.concurrent.name}: {r.concurrent.requests} requests{capped}, "
                f"{r.concurrent.rate:.1f} requests/s, p95 {r.concurrent.percentile(0.95) * 1000:.1f} ms "
                "(no target: the clients queue for the workers)"
            )
        for w in r.walks:
            k = Kind(w.name, latencies=w.latencies)
            p95 = k.percentile(0.95) * 1000
            met = "met" if p95 < TARGET_P95_MS else "NOT met"
            print(f"{r.backend} {w.name}: p95 over {len(w.latencies)} pages {p95:.1f} ms: target < 50 ms {met}")
            last = max(w.marks, default=0)
            if last > 1 and w.marks.get(1):
                ratio = w.marks[last] / w.marks[1]
                met = "met" if ratio <= TARGET_DRIFT else "NOT met"
                short = (
                    " (the search ran out of pages)" if w.ended else " (stopped by --kind-seconds)" if w.capped else ""
                )
                print(
                    f"{r.backend} {w.name}: page {last}{short} {_ms(w.marks[last])} ms / page 1 "
                    f"{_ms(w.marks[1])} ms = {ratio:.2f}: target <= {TARGET_DRIFT} {met}"
                )
        for name, failures in [
            *((k.name, k.failures) for k in [*r.kinds, *([r.concurrent] if r.concurrent else [])]),
            *((w.name, w.failures) for w in r.walks),
        ]:
            failed += len(failures)
            for failure in failures[:5]:
                print(f"{r.backend} {name}: FAILED {failure}")
            if len(failures) > 5:
                print(f"{r.backend} {name}: ... and {len(failures) - 5} more failures")
    if failed:
        print(f"FAILED: {failed} requests were not a 200 with a valid page; their kinds' figures are not trustworthy")
    return failed


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m bench.stac_search",
        description=(
            "Print STAC item search latency (p50/p95/max), requests/s and deep-page drift: N synthetic granules "
            "loaded into a fresh store with `isas-catalog load`, served by `isas-catalog serve` (gunicorn), "
            "searched over HTTP. Not a test."
        ),
    )
    p.add_argument("--granules", type=int, default=1_000_000, help="granules to synthesize (default: 1000000)")
    p.add_argument("--datasets", type=int, default=300, help="datasets to spread them over (default: 300)")
    add_server_options(p, BACKENDS)
    p.add_argument("--queries", type=int, default=200, help="measured requests of each kind (default: 200)")
    p.add_argument("--warmup", type=int, default=5, help="unmeasured requests of each kind first (default: 5)")
    p.add_argument("--deep-pages", type=int, default=1000, help="pages each deep walk follows (default: 1000)")
    p.add_argument(
        "--kind-seconds",
        type=float,
        default=300.0,
        metavar="S",
        help="stop a kind (or a deep walk) after S seconds, with fewer requests than planned (default: 300)",
    )
    p.add_argument(
        "--clients", type=int, default=0, help="also run K concurrent clients over the mixed kinds (default: 0, off)"
    )
    p.add_argument(
        "--count-budget-ms",
        type=int,
        metavar="MS",
        help="the server's CATALOG_STAC_COUNT_BUDGET_MS, the time numberMatched may take (default: the server's own)",
    )
    p.add_argument("--seed", type=int, default=2026, help="seed of the random query parameters (default: 2026)")
    p.add_argument(
        "--keep",
        type=Path,
        metavar="DIR",
        help="cache the generated JSON Lines file and the loaded SQLite store in DIR",
    )
    return p


def _serve_and_search(args: argparse.Namespace, backend: str, url: str, log: Path, port: int) -> Run:
    server = Server(url, args.workers, 100, log, port)
    try:
        note(f"{backend}: server on {server.base} (pid {server.process.pid}) ready in {server.wait_ready():.1f} s")
        workload = Workload(plan(args.datasets), args.seed)
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
        note(f"{backend}: load average {load} (1, 5, 15 min) before the searches")
        with ServerMemory(server.process.pid) as memory:
            kinds = measure(server.base, workload, args.queries, args.warmup, args.kind_seconds)
            deep = walks(server.base, args.deep_pages, workload, args.kind_seconds)
            concurrent = (
                concurrently(server.base, workload, args.clients, args.queries, args.kind_seconds)
                if args.clients
                else None
            )
    finally:
        status = server.stop()
        note(f"{backend}: server stopped (exit {status}); log {log}")
    return Run(backend, kinds, deep, concurrent, args.clients, memory.rss_kib, memory.pss_kib, memory.processes)


def bench(args: argparse.Namespace) -> int:
    numbers = (args.granules, args.datasets, args.workers, args.queries, args.deep_pages)
    if min(numbers) <= 0 or args.kind_seconds <= 0 or args.warmup < 0 or args.clients < 0:
        raise SystemExit(
            "--granules, --datasets, --workers, --queries, --deep-pages and --kind-seconds must be positive"
        )
    backends = run_header("bench.stac_search", args.backends, args.postgres_url)
    if args.count_budget_ms is not None:
        os.environ[COUNT_BUDGET_ENV] = str(args.count_budget_ms)
    note(f"{COUNT_BUDGET_ENV}={os.environ.get(COUNT_BUDGET_ENV, '(the default of server/config.py)')}")
    runs: list[Run] = []
    failed = False
    with tempfile.TemporaryDirectory(prefix="isas-stac-bench-") as scratch:
        work = Path(scratch)
        cache = args.keep if args.keep is not None else work
        cache.mkdir(parents=True, exist_ok=True)
        path = archive_file(args.granules, args.datasets, cache)
        for backend in backends:
            port = free_port()
            try:
                if backend == "sqlite":
                    fresh: AbstractContextManager[tuple[str, StoreSize]] = nullcontext(("", lambda: None))
                else:
                    fresh = fresh_postgres(args.postgres_url)
                with fresh as (url, _size):
                    if backend == "sqlite":
                        url = f"sqlite:///{cached_sqlite(path, cache, base_url(port))}"
                    else:
                        load_archive(url, path, base_url(port))
                    runs.append(_serve_and_search(args, backend, url, cache / f"stac-server-{backend}.log", port))
            except BenchError as error:
                print(f"ERROR: {backend}: {error}", file=sys.stderr, flush=True)
                failed = True
    print()
    print_table(runs)
    print()
    failures = print_verdicts(runs)
    return 1 if failed or failures else 0


def main(argv: Sequence[str] | None = None) -> int:
    return run_bench(parser, bench, argv)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, stop_on_sigterm)
    sys.exit(main())
