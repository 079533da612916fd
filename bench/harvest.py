"""Harvest throughput of `isas-catalog harvest run`: a local server's records into a fresh store, in records/s."""

import argparse
import json
import math
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.common import (
    BenchError,
    StoreSize,
    add_harvest_options,
    add_server_options,
    free_port,
    fresh_postgres,
    fresh_sqlite,
    note,
    run_bench,
    run_header,
    stop_on_sigterm,
)
from bench.oai_harvest import MB, ROOT, Server, ServerMemory, archive_file, base_url, load_archive

BACKENDS = ("sqlite", "postgresql")
PREFIXES = ("oai_datacite", "oai_dc")
SOURCE = "bench"
"""The harvest source's name in each target store."""
TARGET_BASE_URL = "http://harvest-target.invalid"
"""The target store's own base URL: distinct from the source's, so that nothing is mistaken for the source's."""
COUNTS = ("added", "updated", "unchanged", "deleted", "failed")


@dataclass(frozen=True, slots=True)
class Listed:
    """What the source lists in a format at a moment: records, deleted headers among them."""

    records: int
    deleted: int

    @property
    def live(self) -> int:
        return self.records - self.deleted


@dataclass(frozen=True, slots=True)
class Command:
    """One `isas-catalog` command run to its end: wall seconds, exit status, output, peak RSS of its process tree
    and of the server's, in KiB."""

    arguments: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    rss_kib: int
    processes: int
    server_rss_kib: int


@dataclass(frozen=True, slots=True)
class Run:
    """What `harvest run --json` said of the source's run."""

    status: str
    message: str | None
    counts: dict[str, int]
    pages: int
    seconds: float

    @property
    def records(self) -> int:
        """Records the run accounted for: added, updated, unchanged, deleted and failed."""
        return sum(self.counts.values())


@dataclass(frozen=True, slots=True)
class Harvest:
    """A fresh target store harvested in one format, then harvested again with nothing changed at the source."""

    backend: str
    prefix: str
    page_size: int
    listed: Listed
    startup: float
    """Wall seconds of `harvest list`: the interpreter, imports, the store opened and checked."""
    first: Run
    first_command: Command
    held: int
    """Datasets in the target store after the first run."""
    again: Run
    again_command: Command

    @property
    def rate(self) -> float:
        """Records per wall second of the first `harvest run` command."""
        return self.first.records / self.first_command.seconds if self.first_command.seconds > 0 else 0.0

    @property
    def harvest_rate(self) -> float:
        """Records per second of the harvest itself, as the run reports it (rendering and start-up left out)."""
        return self.first.records / self.first.seconds if self.first.seconds > 0 else 0.0

    @property
    def after(self) -> float:
        """Wall seconds of the command neither in the harvest nor in start-up: rendering renditions, ANALYZE."""
        return max(0.0, self.first_command.seconds - self.first.seconds - self.startup)

    @property
    def pages_expected(self) -> int:
        return max(1, math.ceil(self.listed.records / self.page_size))


def listed(url: str, prefix: str) -> Listed:
    """Count what the source at `url` lists in `prefix` now, as its ListRecords counts `completeListSize`."""
    from catalog.store import open_store
    from catalog.vocab import Visibility
    from crosswalks.formats import FORMATS
    from server.oai.handlers import LISTED

    store = open_store(url)
    try:
        now = datetime.now(UTC)
        needs_doi = FORMATS[prefix].needs_doi
        records = store.count_datasets(now, visibilities=LISTED, with_doi=needs_doi)
        deleted = store.count_datasets(now, visibilities=frozenset({Visibility.DELETED}), with_doi=needs_doi)
    finally:
        store.dispose()
    return Listed(records, deleted)


def held(url: str) -> int:
    """Datasets in the store at `url`, whatever their visibility."""
    from catalog.store import open_store

    store = open_store(url)
    try:
        return sum(store.stats(datetime.now(UTC), granules=False).datasets.values())
    finally:
        store.dispose()


def isas_catalog(arguments: Sequence[str], target: str, server: Server) -> Command:
    """Run `isas-catalog ARGUMENTS` over the store at `target`, sampling its memory and the server's."""
    env = {**os.environ, "CATALOG_DATABASE_URL": target, "CATALOG_BASE_URL": TARGET_BASE_URL}
    command = [sys.executable, "-m", "server.cli", *arguments]
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with ServerMemory(process.pid) as memory, ServerMemory(server.process.pid) as served:
        stdout, stderr = process.communicate()
    seconds = time.perf_counter() - start
    return Command(
        tuple(arguments), process.returncode, stdout, stderr, seconds, memory.rss_kib, memory.processes,
        served.rss_kib,
    )  # fmt: skip


def checked(command: Command) -> Command:
    if command.returncode != 0:
        raise BenchError(
            f"isas-catalog {' '.join(command.arguments)} exited with {command.returncode}:\n"
            f"{command.stdout[-2000:]}\n{command.stderr[-3000:]}"
        )
    return command


def read_run(command: Command) -> Run:
    """The source's run in the output of `harvest run --json`: exactly one JSON object, for `SOURCE`."""
    found = [json.loads(line) for line in command.stdout.splitlines() if line.startswith("{")]
    if len(found) != 1 or found[0].get("source") != SOURCE:
        raise BenchError(
            f"isas-catalog {' '.join(command.arguments)} (exit {command.returncode}) printed no single run of "
            f"{SOURCE!r}:\n{command.stdout[-2000:]}\n{command.stderr[-3000:]}"
        )
    summary: dict[str, Any] = found[0]
    return Run(
        status=str(summary["status"]),
        message=summary.get("message"),
        counts={name: int(summary[name]) for name in COUNTS},
        pages=int(summary["pages"]),
        seconds=float(summary["seconds"]),
    )


def harvest(server: Server, source: str, target: str, backend: str, prefix: str, page_size: int) -> Harvest:
    """Add the server (over the store at `source`) as a source of the empty store at `target`, harvest it in
    `prefix`, then harvest it again."""
    added = checked(isas_catalog(["harvest", "add", SOURCE, f"{server.base}/oai", "--prefix", prefix], target, server))
    startup = checked(isas_catalog(["harvest", "list", "--json"], target, server)).seconds
    note(f"{backend} {prefix}: `harvest add` {added.seconds:.1f} s (migrating), `harvest list` {startup:.1f} s")
    listing = listed(source, prefix)
    first_command = isas_catalog(["harvest", "run", SOURCE, "--json"], target, server)
    first = read_run(first_command)
    stored = held(target)
    note(
        f"{backend} {prefix}: {first.records:,} records in {first_command.seconds:.1f} s "
        f"({first.seconds:.1f} s harvesting), {first.pages:,} pages, {stored:,} datasets held"
    )
    again_command = isas_catalog(["harvest", "run", SOURCE, "--json"], target, server)
    again = read_run(again_command)
    note(f"{backend} {prefix}: again: {again.records:,} records, {again.pages} pages in {again_command.seconds:.1f} s")
    return Harvest(backend, prefix, page_size, listing, startup, first, first_command, stored, again, again_command)


def problems(h: Harvest) -> list[str]:
    """What is wrong with a harvest's answers: a fast wrong harvest must not pass as a fast harvest.

    On an empty store every record the source lists with metadata is added, and every deleted header (of a record
    never held) is counted unchanged; nothing fails. The second run adds, updates and deletes nothing (records at
    the boundary second may come again, unchanged)."""
    found = []
    listed_ = h.listed
    for label, command, run in (("first run", h.first_command, h.first), ("second run", h.again_command, h.again)):
        if command.returncode != 0 or run.status != "ok":
            found.append(f"{label}: exit {command.returncode}, status {run.status}: {run.message}")
        if run.counts["failed"]:
            found.append(f"{label}: {run.counts['failed']:,} records failed")
    c = h.first.counts
    if c["added"] != listed_.live:
        found.append(f"first run: {c['added']:,} added, the source lists {listed_.live:,} records with metadata")
    if h.first.records != listed_.records or c["updated"] or c["unchanged"] != listed_.deleted:
        found.append(
            f"first run: {h.first.records:,} records accounted for ({_counts(h.first)}), the source lists "
            f"{listed_.records:,} ({listed_.deleted:,} deleted)"
        )
    if h.held != listed_.live:
        found.append(f"first run: the store holds {h.held:,} datasets, the source lists {listed_.live:,} with metadata")
    if h.first.pages != h.pages_expected:
        found.append(f"first run: {h.first.pages:,} pages, {h.pages_expected:,} expected at {h.page_size} a page")
    a = h.again.counts
    if a["added"] or a["updated"] or a["deleted"]:
        found.append(f"second run: {_counts(h.again)} with nothing changed at the source")
    return found


def _counts(run: Run) -> str:
    return ", ".join(f"{value:,} {name}" for name, value in run.counts.items())


# --- report ----------------------------------------------------------------------------------------------------


def _mb(kib: int) -> float:
    return kib * 1024 / MB


def print_table(runs: Sequence[Harvest]) -> None:
    header = (
        f"{'backend':<10} {'prefix':<12} {'listed':>8} {'deleted':>7} {'records':>8} {'failed':>6} {'pages':>5} "
        f"{'wall s':>7} {'harvest s':>9} {'after s':>7} {'start s':>7} {'records/s':>9} {'harvest/s':>9} "
        f"{'harv RSS MB':>11} {'procs':>5} {'server RSS MB':>13}"
    )
    print(header)
    print("-" * len(header))
    for h in runs:
        print(
            f"{h.backend:<10} {h.prefix:<12} {h.listed.records:>8,} {h.listed.deleted:>7,} {h.first.records:>8,} "
            f"{h.first.counts['failed']:>6,} {h.first.pages:>5,} {h.first_command.seconds:>7.1f} "
            f"{h.first.seconds:>9.1f} {h.after:>7.1f} {h.startup:>7.1f} {round(h.rate):>9,} "
            f"{round(h.harvest_rate):>9,} {_mb(h.first_command.rss_kib):>11.1f} {h.first_command.processes:>5} "
            f"{_mb(h.first_command.server_rss_kib):>13.1f}"
        )
    print(
        "listed: records the source lists in the format (count_datasets, as its completeListSize), deleted: deleted "
        "headers among them; records: added+updated+unchanged+deleted+failed of `harvest run --json`;\n"
        "wall s: the `harvest run` command, start to exit; harvest s: the run's own `seconds` (Identify to the last "
        "page written); start s: `harvest list` (interpreter, imports, store checked); after s: wall - harvest - "
        "start (rendering renditions, ANALYZE);\nrecords/s: records / wall s; harvest/s: records / harvest s; "
        "harv RSS MB: peak VmRSS summed over the harvester's process tree (render workers included), sampled every "
        "0.2 s; server RSS MB: the same for gunicorn's master and workers. MB = 10^6 bytes."
    )


def print_again(runs: Sequence[Harvest]) -> None:
    header = (
        f"{'backend':<10} {'prefix':<12} {'records':>7} {'added':>5} {'updated':>7} {'unchanged':>9} {'failed':>6} "
        f"{'pages':>5} {'wall s':>6} {'harvest s':>9}"
    )
    print(header)
    print("-" * len(header))
    for h in runs:
        c = h.again.counts
        print(
            f"{h.backend:<10} {h.prefix:<12} {h.again.records:>7,} {c['added']:>5,} {c['updated']:>7,} "
            f"{c['unchanged']:>9,} {c['failed']:>6,} {h.again.pages:>5,} {h.again_command.seconds:>6.1f} "
            f"{h.again.seconds:>9.1f}"
        )
    print(
        "The second `harvest run`, nothing changed at the source: it asks from the first run's responseDate; "
        "unchanged: records at the boundary second fetched again."
    )


def print_checks(runs: Sequence[Harvest]) -> int:
    """Print each harvest's verdict; return how many failed."""
    failures = 0
    for h in runs:
        where = f"{h.backend} {h.prefix}"
        found = problems(h)
        if found:
            failures += 1
            for problem in found:
                print(f"{where}: MISMATCH: {problem}")
            continue
        deleted = h.listed.deleted
        skipped = f", {deleted:,} of them deleted headers of records never held (unchanged)" if deleted else ""
        print(
            f"{where}: OK: {h.first.records:,} records of {h.listed.records:,} listed{skipped}; {h.held:,} datasets "
            f"held; 0 failed; {h.first.pages:,} pages; again: {h.again.records:,} records "
            f"({h.again.counts['unchanged']:,} at the boundary) in {h.again.pages} page(s)"
        )
    return failures


# --- command line ----------------------------------------------------------------------------------------------


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m bench.harvest",
        description=(
            "Print the records/s of `isas-catalog harvest run`: N synthetic datasets loaded into a SQLite source, "
            "served by `isas-catalog serve` (gunicorn), harvested over HTTP into a fresh store of each backend in "
            "each format, then harvested again with nothing changed. Checks the counts. Not a test."
        ),
    )
    add_server_options(p, BACKENDS)
    add_harvest_options(p, PREFIXES, "the source's CATALOG_OAI_PAGE_SIZE")
    return p


def _harvest_all(
    args: argparse.Namespace, backends: Sequence[str], server: Server, source: str, work: Path
) -> tuple[list[Harvest], bool]:
    runs: list[Harvest] = []
    failed = False
    for backend in backends:
        for prefix in args.prefixes:
            fresh: AbstractContextManager[tuple[str, StoreSize]] = (
                fresh_sqlite(work) if backend == "sqlite" else fresh_postgres(args.postgres_url)
            )
            try:
                with fresh as (target, _size):
                    runs.append(harvest(server, source, target, backend, prefix, args.page_size))
            except BenchError as error:
                print(f"ERROR: {backend} {prefix}: {error}", file=sys.stderr, flush=True)
                failed = True
    return runs, failed


def bench(args: argparse.Namespace) -> int:
    if args.datasets <= 0 or args.workers <= 0 or args.page_size <= 0:
        raise SystemExit("--datasets, --workers and --page-size must be positive")
    backends = run_header("bench.harvest", args.backends, args.postgres_url)
    today = datetime.now(UTC).date()
    with tempfile.TemporaryDirectory(prefix="isas-harvest-bench-") as scratch:
        work = Path(scratch)
        cache = args.keep if args.keep is not None else work
        cache.mkdir(parents=True, exist_ok=True)
        path = archive_file(args.datasets, today, cache)
        with fresh_sqlite(work) as (source, _size):
            port = free_port()
            load_archive(source, path, base_url(port))
            server = Server(source, args.workers, args.page_size, cache / "harvest-server.log", port)
            try:
                ready = server.wait_ready()
                note(f"source: SQLite, served on {server.base} (pid {server.process.pid}), ready in {ready:.1f} s")
                runs, failed = _harvest_all(args, backends, server, source, work)
            finally:
                status = server.stop()
                note(f"source: server stopped (exit {status}); log {server.log}")
    print()
    print_table(runs)
    print()
    print_again(runs)
    print()
    failures = print_checks(runs)
    return 1 if failed or failures else 0


def main(argv: Sequence[str] | None = None) -> int:
    return run_bench(parser, bench, argv)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, stop_on_sigterm)
    sys.exit(main())
