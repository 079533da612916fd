"""OAI-PMH ListRecords harvest throughput, page latency and server memory, over HTTP from gunicorn."""

import argparse
import html
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from bench.common import (
    BenchError,
    StoreSize,
    add_harvest_options,
    add_server_options,
    descendants,
    fresh_postgres,
    fresh_sqlite,
    note,
    proc_kib,
    run_bench,
    run_header,
)

ROOT = Path(__file__).resolve().parent.parent
BACKENDS = ("sqlite", "postgresql")
PREFIXES = ("oai_dc", "oai_datacite")
TARGET_RATE = 10_000
"""oai_dc records per second the issue asks of a harvest on a 2-core machine."""
TARGET_DRIFT = 1.5
"""The last page's latency over the first's at or under which paging counts as flat."""
TARGET_RSS_MB = 300
"""The server's peak RSS (master and workers summed), in MB of 10^6 bytes."""
MB = 1_000_000
SAMPLE_SECONDS = 0.2
GENERATOR_VERSION = 1
"""Bumped when `synthesize` changes, so that files cached with --keep go stale."""

_TOKEN = re.compile(rb"<resumptionToken([^>]*)>([^<]*)</resumptionToken>")
_TOKEN_EMPTY = re.compile(rb"<resumptionToken([^>]*)/>")
_LIST_SIZE = re.compile(rb'completeListSize="(\d+)"')
_ERROR = re.compile(rb"<error code=\"([^\"]+)\"[^>]*>([^<]*)</error>")


# --- the synthetic archive -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Mission:
    id: str
    en: str
    ja: str
    platform: str
    launched: str
    target: str


_MISSIONS = (
    _Mission("hayabusa2", "Hayabusa2", "はやぶさ2", "probe", "2014-12-03", "162173 Ryugu"),
    _Mission("akatsuki", "Akatsuki", "あかつき", "probe", "2010-05-20", "Venus"),
    _Mission("hinode", "Hinode", "ひので", "satellite", "2006-09-23", "Sun"),
    _Mission("xrism", "XRISM", "クリズム", "satellite", "2023-09-07", "X-ray sky"),
    _Mission("arase", "Arase (ERG)", "あらせ", "satellite", "2016-12-20", "Earth magnetosphere"),
    _Mission("bepicolombo-mmo", "BepiColombo Mio", "みお", "probe", "2018-10-20", "Mercury"),
    _Mission("slim", "SLIM", "スリム", "probe", "2023-09-07", "Moon"),
    _Mission("hisaki", "Hisaki (SPRINT-A)", "ひさき", "satellite", "2013-09-14", "Jupiter"),
)
_INSTRUMENTS = ("ONC-T", "TIR", "NIRS3", "LIR", "UVI", "IR2", "XRT", "EIS", "SOT", "Resolve", "Xtend", "MGF", "PWE")
_PRODUCTS = (
    ("calibrated images", "較正画像", "L2b"),
    ("raw telemetry", "生テレメトリ", "L0"),
    ("housekeeping data", "ハウスキーピングデータ", "L1"),
    ("spectral cubes", "分光キューブ", "L2"),
    ("longitude-latitude maps", "経度緯度マップ", "L3"),
    ("time series", "時系列データ", "L2"),
    ("event list", "イベントリスト", "L1"),
)
_FAMILY = ("Tanaka", "Suzuki", "Sato", "Watanabe", "Ito", "Yamamoto", "Nakamura", "Kobayashi", "Kato", "Yoshida")
_FAMILY_JA = ("田中", "鈴木", "佐藤", "渡辺", "伊藤", "山本", "中村", "小林", "加藤", "吉田")
_GIVEN = ("Misaki", "Hiroshi", "Yuki", "Takeshi", "Aiko", "Kenji", "Naoko", "Sho", "Emi", "Ryo")
_GIVEN_JA = ("美咲", "浩", "由紀", "健", "愛子", "健二", "直子", "翔", "恵美", "亮")
_CATEGORIES = ("observation", "observation", "observation", "engineering", "analysis", "simulation", "source")
_LICENSES = ("CC-BY-4.0", "CC-BY-4.0", "CC0-1.0")


def _orcid(rng: random.Random) -> str:
    digits = [rng.randrange(10) for _ in range(15)]
    total = 0
    for digit in digits:
        total = (total + digit) * 2
    check = (12 - total % 11) % 11
    body = "".join(map(str, digits)) + ("X" if check == 10 else str(check))
    return "-".join(body[i : i + 4] for i in range(0, 16, 4))


def _creators(rng: random.Random, team: str) -> list[dict[str, Any]]:
    people: list[dict[str, Any]] = [{"kind": "organization", "name": team}]
    for _ in range(rng.randrange(0, 4)):
        family, given = rng.randrange(len(_FAMILY)), rng.randrange(len(_GIVEN))
        person: dict[str, Any] = {
            "kind": "person",
            "name": f"{_FAMILY[family]}, {_GIVEN[given]}",
            "name_ja": f"{_FAMILY_JA[family]} {_GIVEN_JA[given]}",
            "affiliation": "Institute of Space and Astronautical Science (ISAS), JAXA",
        }
        if rng.random() < 0.6:
            person["orcid"] = _orcid(rng)
        people.append(person)
    return people


def _state(index: int, rng: random.Random, today: date) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """Access and lifecycle: about 80% public, 8% restricted, 7% embargoed, 3% discarded, 2% undisclosed."""
    roll = rng.random()
    future = (today + timedelta(days=1500 + index % 1000)).isoformat()
    if roll < 0.80:
        return {"status": "public"}, None
    if roll < 0.88:
        access = {
            "status": "restricted",
            "reason": rng.choice(("privacy-or-safety", "incomplete-processing", "rights-granted")),
            "scope": "the instrument team",
            "until": future,
            "after": "review",
        }
        return access, None
    if roll < 0.95:
        embargo = {
            "status": "restricted",
            "reason": "proprietary-period",
            "scope": "the mission science team",
            "until": future,
            "after": "release",
        }
        return embargo, None
    if roll < 0.98:
        discarded = (today - timedelta(days=30 + index % 700)).isoformat()
        lifecycle = {"state": "discarded", "discarded": discarded, "reason": "Superseded by a reprocessed version."}
        return {"status": "public"}, lifecycle
    hidden = {
        "status": "restricted",
        "reason": "privacy-or-safety",
        "scope": "the operations team",
        "until": future,
        "after": "review",
        "disclose": False,
    }
    return hidden, None


def _dataset(index: int, today: date) -> dict[str, Any]:
    rng = random.Random(index * 7919 + 2026)
    mission = _MISSIONS[index % len(_MISSIONS)]
    instrument = _INSTRUMENTS[rng.randrange(len(_INSTRUMENTS))]
    product_en, product_ja, level = _PRODUCTS[rng.randrange(len(_PRODUCTS))]
    dataset_id = f"{mission.id}-{instrument.lower()}-{level.lower()}-{index:07d}"
    start = date.fromisoformat(mission.launched) + timedelta(days=rng.randrange(30, 2500))
    end = start + timedelta(days=rng.randrange(1, 900))
    title = f"{mission.en} {instrument} {product_en}, release {index % 97 + 1}"
    record: dict[str, Any] = {
        "type": "dataset",
        "id": dataset_id,
        "title": {"en": title},
        "description": {
            "en": (
                f"{product_en.capitalize()} from the {instrument} instrument of {mission.en}, observing "
                f"{mission.target}, {start.isoformat()} to {end.isoformat()}. Processing level {level}. "
                "Data archived at DARTS, ISAS/JAXA."
            )
        },
        "mission": mission.id,
        "instruments": [instrument],
        "targets": [mission.target],
        "keywords": sorted({product_en.split()[0], mission.target, rng.choice(("imaging", "spectroscopy", "plasma"))}),
        "category": _CATEGORIES[rng.randrange(len(_CATEGORIES))],
        "processing_level": level,
        "creators": _creators(rng, f"{mission.en} {instrument} team"),
        "version": f"{rng.randrange(1, 4)}.{rng.randrange(10)}",
        "temporal": {"start": f"{start.isoformat()}T00:00:00Z", "end": f"{end.isoformat()}T23:59:59Z"},
        "formats": [rng.choice(("FITS", "CDF", "PDS4", "NetCDF", "CSV"))],
        "assets": [
            {
                "href": f"https://data.darts.isas.jaxa.jp/pub/{mission.id}/{dataset_id}/",
                "roles": ["data"],
                "title": "Data directory",
            }
        ],
        "rights": {"license": _LICENSES[rng.randrange(len(_LICENSES))]},
    }
    if rng.random() < 0.7:
        record["title"]["ja"] = f"{mission.ja} {instrument} {product_ja} 第{index % 97 + 1}版"
        record["description"]["ja"] = f"{mission.ja}の{instrument}による{mission.target}の{product_ja}。"
    if rng.random() < 0.85:
        record["doi"] = f"10.17597/isas.darts/{mission.id}-{index:07d}"
    if index > 0 and rng.random() < 0.2:
        previous = _dataset_id_of(index - 1)
        record["related"] = [{"relation": "IsNewVersionOf", "target": previous}]
    access, lifecycle = _state(index, rng, today)
    record["access"] = access
    if access["status"] == "public" and lifecycle is None:
        record["issued"] = (end + timedelta(days=rng.randrange(30, 400))).isoformat()
    if lifecycle is not None:
        record["lifecycle"] = lifecycle
    return record


def _dataset_id_of(index: int) -> str:
    rng = random.Random(index * 7919 + 2026)
    mission = _MISSIONS[index % len(_MISSIONS)]
    instrument = _INSTRUMENTS[rng.randrange(len(_INSTRUMENTS))]
    level = _PRODUCTS[rng.randrange(len(_PRODUCTS))][2]
    return f"{mission.id}-{instrument.lower()}-{level.lower()}-{index:07d}"


def synthesize(datasets: int, today: date) -> Iterator[dict[str, Any]]:
    """The missions, then `datasets` contract-v1 datasets in a deterministic mix of languages and policy states."""
    for mission in _MISSIONS:
        yield {
            "type": "mission",
            "id": mission.id,
            "name": {"en": mission.en, "ja": mission.ja},
            "platform": mission.platform,
            "launched": mission.launched,
            "targets": [mission.target],
        }
    for index in range(datasets):
        yield _dataset(index, today)


def archive_file(datasets: int, today: date, directory: Path) -> Path:
    """The synthetic archive as JSON Lines in `directory`, generated unless already there."""
    from catalog.contract import canonical

    path = directory / f"oai-{datasets}-{today}-v{GENERATOR_VERSION}.jsonl"
    if path.exists():
        note(f"using {path} ({path.stat().st_size / MB:.1f} MB)")
        return path
    start = time.perf_counter()
    partial = path.with_suffix(".partial")
    with partial.open("w", encoding="utf-8") as stream:
        for record in synthesize(datasets, today):
            stream.write(canonical(record) + "\n")
    partial.replace(path)
    note(f"generated {path} ({path.stat().st_size / MB:.1f} MB) in {time.perf_counter() - start:.1f} s")
    return path


def load_archive(url: str, path: Path, base_url: str) -> float:
    """Migrate the store at `url` and load `path` into it with `load_lines`, rendering its metadata ahead for a
    server at `base_url` as `isas-catalog load` does; the seconds it took."""
    from catalog.store import migrate, open_store
    from crosswalks.renditions import RenderContext
    from harvest.loader import load_lines, read_lines
    from server import config

    start = time.perf_counter()
    migrate(url)
    store = open_store(url)
    try:
        # A moment just past: the server judges at its own clock, and a datestamp after it would hide the record.
        moment = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
        context = RenderContext(config.REPOSITORY_IDENTIFIER, config.DATACITE_SYMBOL, f"{base_url}/datasets/")
        report = load_lines(store, read_lines([path]), now=moment, context=context)
    finally:
        store.dispose()
    rendered = report.renditions
    note(
        f"loaded {report.lines:,} lines ({report.datasets.added:,} datasets added) in "
        f"{time.perf_counter() - start:.1f} s, rendering {rendered.renditions if rendered else 0:,} renditions"
    )
    return time.perf_counter() - start


# --- the server and its memory ---------------------------------------------------------------------------------


class ServerMemory(AbstractContextManager["ServerMemory"]):
    """Sample the summed VmRSS (and PSS) of the server's process tree every 0.2 s in a thread; keep the peaks."""

    def __init__(self, root: int) -> None:
        self.root = root
        self.rss_kib = 0
        self.pss_kib = 0
        self.processes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="server-memory", daemon=True)

    def __enter__(self) -> Self:
        self.sample()
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()

    def _run(self) -> None:
        while not self._stop.wait(SAMPLE_SECONDS):
            self.sample()

    def sample(self) -> None:
        pids = descendants(self.root)
        self.processes = max(self.processes, len(pids))
        self.rss_kib = max(self.rss_kib, sum(proc_kib(pid, "status", "VmRSS:") for pid in pids))
        self.pss_kib = max(self.pss_kib, sum(proc_kib(pid, "smaps_rollup", "Pss:") for pid in pids))


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Server:
    """`isas-catalog serve` over the store at `url` in a subprocess, its log in `log`."""

    def __init__(self, url: str, workers: int, page_size: int, log: Path, port: int) -> None:
        self.port = port
        self.base = base_url(port)
        self.log = log
        env = {
            **os.environ,
            "CATALOG_DATABASE_URL": url,
            "CATALOG_OAI_PAGE_SIZE": str(page_size),
            "CATALOG_BASE_URL": self.base,
        }
        command = [sys.executable, "-m", "server.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        command += ["--workers", str(workers), "--no-migrate"]
        self._log = log.open("wb")
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT)

    def wait_ready(self, timeout: float = 60.0) -> float:
        """Poll /health until 200; the seconds it took."""
        start = time.perf_counter()
        while time.perf_counter() - start < timeout:
            if self.process.poll() is not None:
                raise BenchError(f"the server exited with {self.process.returncode}:\n{self.tail()}")
            try:
                with urllib.request.urlopen(f"{self.base}/health", timeout=5) as response:
                    if response.status == 200:
                        return time.perf_counter() - start
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.1)
        raise BenchError(f"the server did not answer /health within {timeout:.0f} s:\n{self.tail()}")

    def tail(self, lines: int = 30) -> str:
        self._log.flush()
        text = self.log.read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])

    def stop(self) -> int | None:
        """SIGTERM (gunicorn's graceful stop), SIGKILL after 30 s; the exit status."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()
        return self.process.returncode


# --- the harvest -----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Harvest:
    backend: str
    prefix: str
    records: int
    expected: int | None
    latencies: tuple[float, ...]
    counts: tuple[int, ...]
    page_size: int
    seconds: float
    client_cpu: float
    rss_kib: int
    pss_kib: int
    processes: int
    body_bytes: int

    @property
    def rate(self) -> float:
        return self.records / self.seconds if self.seconds > 0 else 0.0

    @property
    def drift(self) -> float:
        """The last page's latency over the first's."""
        return self.latencies[-1] / self.latencies[0] if self.latencies[0] > 0 else 0.0

    @property
    def last_full(self) -> float:
        """The latency of the last page with a full `page_size` of records (the very last is usually partial)."""
        full = [seconds for seconds, count in zip(self.latencies, self.counts, strict=True) if count >= self.page_size]
        return full[-1] if full else self.latencies[-1]

    @property
    def full_drift(self) -> float:
        return self.last_full / self.latencies[0] if self.latencies[0] > 0 else 0.0


def _get(url: str) -> tuple[bytes, float]:
    start = time.perf_counter()
    with urllib.request.urlopen(url, timeout=300) as response:
        body: bytes = response.read()
    return body, time.perf_counter() - start


def harvest(server: Server, backend: str, prefix: str, page_size: int) -> Harvest:
    """ListRecords in `prefix` from the first page to the last, following resumption tokens."""
    base = f"{server.base}/oai?"
    query = urllib.parse.urlencode({"verb": "ListRecords", "metadataPrefix": prefix})
    latencies: list[float] = []
    counts: list[int] = []
    records = 0
    body_bytes = 0
    expected: int | None = None
    cpu_before = time.thread_time()
    with ServerMemory(server.process.pid) as memory:
        start = time.perf_counter()
        while True:
            body, seconds = _get(base + query)
            latencies.append(seconds)
            body_bytes += len(body)
            count = body.count(b"<record>") + body.count(b"<record ")
            records += count
            counts.append(count)
            token = _next_token(body, prefix, len(latencies))
            if expected is None:
                found = _LIST_SIZE.search(body)
                expected = int(found[1]) if found else records
            if not token:
                break
            query = urllib.parse.urlencode({"verb": "ListRecords", "resumptionToken": token})
        seconds = time.perf_counter() - start
    return Harvest(
        backend=backend,
        prefix=prefix,
        records=records,
        expected=expected,
        latencies=tuple(latencies),
        counts=tuple(counts),
        page_size=page_size,
        seconds=seconds,
        client_cpu=time.thread_time() - cpu_before,
        rss_kib=memory.rss_kib,
        pss_kib=memory.pss_kib,
        processes=memory.processes,
        body_bytes=body_bytes,
    )


def _next_token(body: bytes, prefix: str, page: int) -> str | None:
    """The resumption token at the end of a page (searched in its tail only), None on the last page."""
    tail = body[-2048:]
    found = _TOKEN.search(tail)
    if found:
        return html.unescape(found[2].decode()) or None
    if _TOKEN_EMPTY.search(tail) or b"</ListRecords>" in tail:
        return None
    error = _ERROR.search(body)
    if error:
        raise BenchError(f"{prefix} page {page}: OAI-PMH error {error[1].decode()}: {error[2].decode()}")
    raise BenchError(f"{prefix} page {page}: not a ListRecords response: {body[:300]!r}")


# --- report ----------------------------------------------------------------------------------------------------


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def print_table(runs: Sequence[Harvest]) -> None:
    header = (
        f"{'backend':<10} {'prefix':<12} {'records':>9} {'expected':>9} {'pages':>5} {'seconds':>7} "
        f"{'records/s':>9} {'first ms':>8} {'last ms':>8} {'last/1st':>8} {'full ms':>7} {'full/1st':>8} "
        f"{'median ms':>9} {'p95 ms':>7} "
        f"{'MB/s':>5} {'RSS MB':>6} {'PSS MB':>6} {'procs':>5} {'client CPU s':>12}"
    )
    print(header)
    print("-" * len(header))
    for r in runs:
        ordered = sorted(r.latencies)
        p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
        expected = "-" if r.expected is None else f"{r.expected:,}"
        print(
            f"{r.backend:<10} {r.prefix:<12} {r.records:>9,} {expected:>9} {len(r.latencies):>5} {r.seconds:>7.1f} "
            f"{round(r.rate):>9,} {_ms(r.latencies[0]):>8} {_ms(r.latencies[-1]):>8} {r.drift:>8.2f} "
            f"{_ms(r.last_full):>7} {r.full_drift:>8.2f} "
            f"{_ms(statistics.median(r.latencies)):>9} {_ms(p95):>7} {r.body_bytes / MB / r.seconds:>5.1f} "
            f"{r.rss_kib * 1024 / MB:>6.1f} {r.pss_kib * 1024 / MB:>6.1f} {r.processes:>5} {r.client_cpu:>12.2f}"
        )
    print(
        "records: <record> elements received (deleted ones included); expected: completeListSize of the first page; "
        "latency: request sent to body read (one connection per request);\nfull ms: the last page with a whole page of "
        "records (the very last page is usually partial, so cheaper); RSS MB: peak of the VmRSS summed over "
        "gunicorn's master and workers, sampled every 0.2 s during the harvest (shared pages counted in each "
        "process); PSS MB: the same with shared pages split;\nclient CPU s: the harvesting thread's own CPU time "
        "(HTTP, counting, the token regex). MB = 10^6 bytes."
    )


def print_verdicts(runs: Sequence[Harvest]) -> None:
    for r in runs:
        where = f"{r.backend} {r.prefix}"
        if r.prefix == "oai_dc":
            met = "met" if r.rate >= TARGET_RATE else "NOT met"
            print(f"{where}: {round(r.rate):,} records/s: target >= {TARGET_RATE:,} records/s {met}")
        for label, seconds, drift in (
            ("last page", r.latencies[-1], r.drift),
            ("last full page", r.last_full, r.full_drift),
        ):
            met = "met" if drift <= TARGET_DRIFT else "NOT met"
            print(
                f"{where}: {label} {_ms(seconds)} ms / first page {_ms(r.latencies[0])} ms = {drift:.2f}: "
                f"target <= {TARGET_DRIFT} {met}"
            )
        rss = r.rss_kib * 1024 / MB
        met = "met" if rss < TARGET_RSS_MB else "NOT met"
        print(f"{where}: server peak RSS {rss:.1f} MB: target < {TARGET_RSS_MB} MB {met}")
        if r.expected is not None and r.records != r.expected:
            print(f"{where}: WARNING: {r.records:,} records received, completeListSize said {r.expected:,}")


# --- command line ----------------------------------------------------------------------------------------------


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m bench.oai_harvest",
        description=(
            "Print OAI-PMH ListRecords harvest throughput, first and last page latency and the server's peak RSS: "
            "N synthetic datasets loaded into a fresh store, served by `isas-catalog serve` (gunicorn), harvested "
            "over HTTP. Not a test."
        ),
    )
    add_server_options(p, BACKENDS)
    add_harvest_options(p, PREFIXES, "CATALOG_OAI_PAGE_SIZE")
    return p


def base_url(port: int) -> str:
    return f"http://127.0.0.1:{port}"


def _serve_and_harvest(args: argparse.Namespace, backend: str, url: str, log: Path, port: int) -> list[Harvest]:
    server = Server(url, args.workers, args.page_size, log, port)
    runs: list[Harvest] = []
    try:
        note(f"{backend}: server on {server.base} (pid {server.process.pid}) ready in {server.wait_ready():.1f} s")
        for prefix in args.prefixes:
            runs.append(harvest(server, backend, prefix, args.page_size))
            r = runs[-1]
            note(f"{backend} {prefix}: {r.records:,} records in {r.seconds:.1f} s ({round(r.rate):,}/s)")
    finally:
        status = server.stop()
        note(f"{backend}: server stopped (exit {status}); log {log}")
    return runs


def bench(args: argparse.Namespace) -> int:
    if args.datasets <= 0 or args.workers <= 0 or args.page_size <= 0:
        raise SystemExit("--datasets, --workers and --page-size must be positive")
    backends = run_header("bench.oai_harvest", args.backends, args.postgres_url)
    today = datetime.now(UTC).date()
    runs: list[Harvest] = []
    failed = False
    with tempfile.TemporaryDirectory(prefix="isas-oai-bench-") as scratch:
        work = Path(scratch)
        cache = args.keep if args.keep is not None else work
        cache.mkdir(parents=True, exist_ok=True)
        path = archive_file(args.datasets, today, cache)
        for backend in backends:
            fresh: AbstractContextManager[tuple[str, StoreSize]] = (
                fresh_sqlite(work) if backend == "sqlite" else fresh_postgres(args.postgres_url)
            )
            try:
                with fresh as (url, _size):
                    port = _free_port()
                    load_archive(url, path, base_url(port))
                    runs += _serve_and_harvest(args, backend, url, cache / f"server-{backend}.log", port)
            except BenchError as error:
                print(f"ERROR: {backend}: {error}", file=sys.stderr, flush=True)
                failed = True
    print()
    print_table(runs)
    print()
    print_verdicts(runs)
    return 1 if failed else 0


def main(argv: Sequence[str] | None = None) -> int:
    return run_bench(parser, bench, argv)


if __name__ == "__main__":
    sys.exit(main())
