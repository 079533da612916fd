"""Load throughput and peak memory of the contract-v1 loader on the demo archive, into SQLite and PostgreSQL."""

import argparse
import hashlib
import importlib.util
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from bench.common import (
    DEFAULT_POSTGRES,
    POSTGRES_ENV,
    StoreSize,
    descendants,
    fresh_postgres,
    fresh_sqlite,
    note,
    pss_kib,
    run_header,
)

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 11, 21)
"""The day the demo archive is built for: fixed, so every run loads the same bytes."""
NOW = datetime(2026, 11, 21, 12, 0, 0, tzinfo=UTC)
"""The load's moment: fixed, so a reload of the same file is the all-unchanged path."""
BACKENDS = ("sqlite", "postgresql")
TARGET = 20_000
"""Granules per second the issue asks of a SQLite load on a 2-core machine."""
FLAT = 1.25
"""Peak memory of the largest size over the smallest's at or under which memory counts as flat in file size."""
MIB = 1024 * 1024


class BenchError(Exception):
    """A load in a child process failed; the message carries its stderr."""


@dataclass(frozen=True, slots=True)
class Run:
    """The figures of one load of one file into one store, as a child process measured them."""

    backend: str
    kind: str
    granules: int
    file_bytes: int
    seconds: float
    lines_seconds: float
    cpu_seconds: float
    baseline_kib: int
    peak_kib: int
    worker_peak_kib: int
    tree_peak_kib: int
    added: int
    updated: int
    unchanged: int
    store_bytes: int | None

    @property
    def rate(self) -> float:
        return self.granules / self.seconds if self.seconds > 0 else 0.0

    @property
    def total_kib(self) -> int:
        """The load's whole footprint: the sampled peak over its process tree, at least the loader's own peak."""
        return max(self.tree_peak_kib, self.peak_kib)


class TreeMemory:
    """Sample the summed PSS of this process and its descendants in a thread: ru_maxrss sees one process only."""

    def __init__(self, interval: float = 0.2) -> None:
        self.interval = interval
        self.peak_kib = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="tree-memory", daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def sample(self) -> None:
        if Path("/proc/self/stat").exists():
            self.peak_kib = max(self.peak_kib, sum(pss_kib(pid) for pid in descendants(os.getpid())))


def _child(url: str, path: Path, workers: int | None) -> None:
    """Migrate the store at `url`, load `path` into it with `load_files`, print the figures as one JSON object."""
    from catalog.store import migrate, open_store
    from harvest.loader import Line, load_files

    migrate(url)
    store = open_store(url)
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    options: dict[str, Any] = {} if workers is None else {"workers": workers}
    last_line = 0.0

    def seen(_line: Line) -> None:
        nonlocal last_line
        last_line = time.perf_counter()

    cpu_before = _cpu_seconds()
    start = time.perf_counter()
    with TreeMemory() as tree:
        report = load_files(store, [path], now=NOW, on_line=seen, **options)
    seconds = time.perf_counter() - start
    cpu = _cpu_seconds() - cpu_before
    store.dispose()
    figures = {
        "seconds": seconds,
        "lines_seconds": last_line - start,
        "cpu_seconds": cpu,
        "baseline_kib": baseline,
        "peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "worker_peak_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
        "tree_peak_kib": tree.peak_kib,
        "lines": report.lines,
        "granules": {
            "added": report.granules.added,
            "updated": report.granules.updated,
            "unchanged": report.granules.unchanged,
        },
    }
    print(json.dumps(figures))


def _cpu_seconds() -> float:
    """User and system time of this process and of its waited-for children (the loader's screening workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _measure(backend: str, kind: str, url: str, path: Path, store_size: StoreSize, workers: int | None) -> Run:
    """Load `path` into the store at `url` in a fresh interpreter, so that its peak memory is this load's alone."""
    command = [sys.executable, "-m", "bench.load", "--child-url", url, "--child-file", str(path)]
    if workers is not None:
        command += ["--workers", str(workers)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BenchError(f"{backend} {kind} of {path.name} failed (exit {done.returncode}):\n{done.stderr.strip()}")
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    change = figures["granules"]
    return Run(
        backend=backend,
        kind=kind,
        granules=change["added"] + change["updated"] + change["unchanged"],
        file_bytes=path.stat().st_size,
        seconds=figures["seconds"],
        lines_seconds=figures["lines_seconds"],
        cpu_seconds=figures["cpu_seconds"],
        baseline_kib=figures["baseline_kib"],
        peak_kib=figures["peak_kib"],
        worker_peak_kib=figures["worker_peak_kib"],
        tree_peak_kib=figures["tree_peak_kib"],
        added=change["added"],
        updated=change["updated"],
        unchanged=change["unchanged"],
        store_bytes=store_size(),
    )


def _demo_fingerprint() -> str:
    """A short digest of `catalog/demo.py`, so that cached files go stale when the generator changes."""
    spec = importlib.util.find_spec("catalog.demo")
    if spec is None or spec.origin is None:
        raise BenchError("catalog/demo.py is missing: the benchmark loads the demo archive it generates")
    return hashlib.blake2b(Path(spec.origin).read_bytes(), digest_size=4).hexdigest()


def demo_file(granules: int, directory: Path) -> Path:
    """The demo archive with `granules` granules as JSON Lines in `directory`, generated unless already there."""
    path = directory / f"demo-{granules}-{TODAY}-{_demo_fingerprint()}.jsonl"
    if path.exists():
        note(f"using {path} ({path.stat().st_size / MIB:.1f} MiB)")
        return path
    from catalog.contract import canonical
    from catalog.demo import demo_records

    start = time.perf_counter()
    partial = path.with_suffix(".partial")
    with partial.open("w", encoding="utf-8") as stream:
        for record in demo_records(granules=granules, today=TODAY):
            stream.write(canonical(record) + "\n")
    partial.replace(path)
    size = path.stat().st_size / MIB
    note(f"generated {path} ({size:.1f} MiB) in {time.perf_counter() - start:.1f} s")
    return path


def _count(value: int) -> str:
    return f"{value:,}"


def print_table(runs: Sequence[Run]) -> None:
    header = (
        f"{'backend':<10} {'run':<6} {'granules':>9} {'file MiB':>8} {'seconds':>7} {'lines s':>7} "
        f"{'granules/s':>10} {'CPU s':>6} {'RSS MiB':>7} {'worker MiB':>10} {'total MiB':>9} {'base MiB':>8} "
        f"{'store MiB':>9}  changes (+added ~updated =unchanged)"
    )
    print(header)
    print("-" * len(header))
    for r in runs:
        store = "-" if r.store_bytes is None else f"{r.store_bytes / MIB:.1f}"
        print(
            f"{r.backend:<10} {r.kind:<6} {_count(r.granules):>9} {r.file_bytes / MIB:>8.1f} {r.seconds:>7.1f} "
            f"{r.lines_seconds:>7.1f} {_count(round(r.rate)):>10} {r.cpu_seconds:>6.1f} {r.peak_kib / 1024:>7.1f} "
            f"{r.worker_peak_kib / 1024:>10.1f} {r.total_kib / 1024:>9.1f} {r.baseline_kib / 1024:>8.1f} "
            f"{store:>9}  +{_count(r.added)} ~{_count(r.updated)} ={_count(r.unchanged)}"
        )
    print(
        "lines s: until the last line was taken (parse, check, stage), the rest is the merge and commit; "
        "CPU s: loader and screening workers;\nRSS MiB: the loader's peak (ru_maxrss); worker MiB: the largest "
        "screening worker's peak; total MiB: peak summed PSS of loader and workers, sampled every 0.2 s;\n"
        "base MiB: the loader's peak before loading (imports, migration); store MiB: database size after the load "
        "(PostgreSQL server memory is not measured)."
    )


def print_verdicts(runs: Sequence[Run], backends: Sequence[str]) -> None:
    """Say whether peak memory is flat in file size on each backend, and whether SQLite meets its throughput target."""
    for backend in backends:
        loads = sorted((r for r in runs if r.backend == backend and r.kind == "load"), key=lambda r: r.granules)
        if len(loads) < 2:
            print(f"{backend}: memory flatness needs two sizes; {len(loads)} measured")
            continue
        small, large = loads[0], loads[-1]
        own = large.peak_kib / small.peak_kib
        total = large.total_kib / small.total_kib
        verdict = "flat" if max(own, total) <= FLAT else "NOT flat"
        print(
            f"{backend}: peak memory {verdict} in file size: from {_count(small.granules)} to "
            f"{_count(large.granules)} granules (file {large.file_bytes / small.file_bytes:.2f}x), "
            f"loader RSS {small.peak_kib / 1024:.1f} -> {large.peak_kib / 1024:.1f} MiB (ratio {own:.2f}), "
            f"total {small.total_kib / 1024:.1f} -> {large.total_kib / 1024:.1f} MiB (ratio {total:.2f}); "
            f"flat means both ratios <= {FLAT}"
        )
    sqlite_loads = sorted((r for r in runs if r.backend == "sqlite" and r.kind == "load"), key=lambda r: r.granules)
    if sqlite_loads:
        largest = sqlite_loads[-1]
        met = "met" if largest.rate >= TARGET else "NOT met"
        print(
            f"sqlite throughput at {_count(largest.granules)} granules: {_count(round(largest.rate))} granules/s: "
            f"target {_count(TARGET)} granules/s {met}"
        )


def _sizes(text: str) -> list[int]:
    try:
        sizes = sorted({int(part) for part in text.split(",") if part.strip()})
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{text!r} is not a comma-separated list of granule counts") from error
    if not sizes or sizes[0] <= 0:
        raise argparse.ArgumentTypeError("sizes must be positive granule counts")
    return sizes


def _backends(text: str) -> list[str]:
    names = [part.strip() for part in text.split(",") if part.strip()]
    unknown = sorted(set(names) - set(BACKENDS))
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"backends are a comma-separated subset of {','.join(BACKENDS)}")
    return list(dict.fromkeys(names))


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m bench.load",
        description=(
            "Print load throughput and peak memory of `harvest.loader.load_files` on the demo archive: each size "
            "loaded into a fresh store in its own process, then the largest reloaded unchanged. Not a test."
        ),
    )
    p.add_argument(
        "--granules",
        type=int,
        help="the largest size, also reloaded (added to --sizes; default: the largest of --sizes, else 1000000)",
    )
    p.add_argument("--sizes", type=_sizes, help="comma-separated granule counts to load (default: N/4,N)")
    p.add_argument(
        "--backends", type=_backends, default=list(BACKENDS), help="comma-separated (default: sqlite,postgresql)"
    )
    p.add_argument(
        "--postgres-url",
        default=os.environ.get(POSTGRES_ENV, DEFAULT_POSTGRES),
        help=f"PostgreSQL database to make throw-away schemas in (default: ${POSTGRES_ENV}, else {DEFAULT_POSTGRES})",
    )
    p.add_argument("--keep", type=Path, metavar="DIR", help="cache the generated JSON Lines files in DIR")
    p.add_argument(
        "--workers", type=int, help="screening processes, passed to load_files (default: the loader's own default)"
    )
    p.add_argument("--child-url", help=argparse.SUPPRESS)
    p.add_argument("--child-file", type=Path, help=argparse.SUPPRESS)
    return p


def _plan(args: argparse.Namespace) -> list[int]:
    if args.granules is not None and args.granules <= 0:
        raise SystemExit("--granules must be positive")
    if args.sizes is None:
        largest = args.granules or 1_000_000
        return sorted({max(largest // 4, 1), largest})
    sizes: list[int] = args.sizes
    return sorted({*sizes, args.granules}) if args.granules else sizes


def bench(args: argparse.Namespace) -> int:
    sizes = _plan(args)
    backends = run_header("bench.load", args.backends, args.postgres_url)
    runs: list[Run] = []
    failed = False
    with tempfile.TemporaryDirectory(prefix="isas-bench-") as scratch:
        work = Path(scratch)
        cache = args.keep if args.keep is not None else work
        cache.mkdir(parents=True, exist_ok=True)
        files = {size: demo_file(size, cache) for size in sizes}
        for backend in backends:
            for size in sizes:
                fresh = fresh_sqlite(work) if backend == "sqlite" else fresh_postgres(args.postgres_url)
                try:
                    with fresh as (url, store_size):
                        runs.append(_measure(backend, "load", url, files[size], store_size, args.workers))
                        note(f"{backend}: loaded {_count(size)} granules in {runs[-1].seconds:.1f} s")
                        if size == sizes[-1]:
                            runs.append(_measure(backend, "reload", url, files[size], store_size, args.workers))
                            note(f"{backend}: reloaded {_count(size)} granules in {runs[-1].seconds:.1f} s")
                except BenchError as error:
                    print(f"ERROR: {error}", file=sys.stderr, flush=True)
                    failed = True
    print()
    print_table(runs)
    print()
    print_verdicts(runs, backends)
    return 1 if failed else 0


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.child_url is not None:
        _child(args.child_url, args.child_file, args.workers)
        return 0
    try:
        return bench(args)
    except BenchError as error:
        print(f"ERROR: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
