"""The contract-v1 loader: JSON Lines into the store, streamed, checked whole, committed all or nothing."""

import itertools
import json
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from catalog import contract
from catalog.policy import Timeline, granule_timeline, shared_granule_timeline
from catalog.records import Dataset, Granule, GranuleFacts, Mission, Record
from catalog.store import Change, LoadTransaction, SourceConflictError, StagedGranule, Store
from crosswalks.renditions import RenderContext
from harvest.renditions import RefreshReport, refresh

BATCH = 5000
SCREEN_CHUNK = 2000
"""Lines a screening process takes at a time."""
SCREEN_WINDOW = 3
"""Chunks in flight at most, per screening process: memory stays flat however long the input."""
MAX_PROBLEMS = 200
"""Problems listed in full; past that they are only counted (a broken file would otherwise print a million)."""


@dataclass(frozen=True, slots=True)
class Line:
    """One line of input: where it came from and its text (`error` says why a line could not be decoded)."""

    source: str
    number: int
    text: str
    error: str | None = None


@dataclass(frozen=True, slots=True, order=True)
class Problem:
    """What is wrong and where: printed as `FILE:LINE: field: message`."""

    source: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.field}: {self.message}"


class LoadError(Exception):
    """The input has problems; nothing was written."""

    def __init__(self, problems: Sequence[Problem], total: int) -> None:
        self.problems = list(problems)
        self.total = total
        more = f" (and {total - len(problems)} more)" if total > len(problems) else ""
        super().__init__(f"{total} problem(s){more}; the store is unchanged")


@dataclass(frozen=True, slots=True)
class LoadReport:
    lines: int
    missions: Change
    datasets: Change
    granules: Change
    retimed: int
    dry_run: bool
    renditions: RefreshReport | None = None
    """What keeping renditions fresh did after the load (None: not asked, or a dry run)."""


@dataclass
class _Problems:
    listed: list[Problem] = field(default_factory=list)
    total: int = 0

    def found(self) -> bool:
        return self.total > 0

    def add(self, source: str, line: int, field_name: str, message: str) -> None:
        self.total += 1
        if len(self.listed) < MAX_PROBLEMS:
            self.listed.append(Problem(source, line, field_name, message))


def read_lines(paths: Sequence[Path]) -> Iterator[Line]:
    """Yield the lines of JSON Lines files that carry records (not blank, not `//` comments)."""
    for path in paths:
        with path.open("rb") as stream:
            for number, raw in enumerate(stream, 1):
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError as error:
                    yield Line(str(path), number, "", f"not UTF-8: {error.reason} at byte {error.start}")
                    continue
                stripped = text.strip()
                if stripped and not stripped.startswith("//"):
                    yield Line(str(path), number, stripped)


class _Load:
    """The state of one load: what the input has said so far, and the problems found."""

    def __init__(self, transaction: LoadTransaction) -> None:
        self.tx = transaction
        self.problems = _Problems()
        self.missions: dict[str, Line] = {}
        self.datasets: dict[str, tuple[Line, Dataset]] = {}
        self.stored_datasets: dict[str, Dataset | None] = {}
        self.retime: list[Dataset] = []
        self.mission_refs: list[tuple[Line, str]] = []
        self.related_refs: list[tuple[Line, int, str]] = []
        self.batch: list[StagedGranule] = []
        self.change = {"mission": Change(), "dataset": Change()}
        self.sources: dict[str, int] = {}
        self.shared_timelines: dict[str, Timeline | None] = {}
        self.rejected: dict[str, set[str]] = {"mission": set(), "dataset": set()}

    def position(self, line: Line) -> int:
        """Encode where a line is, in input order: the file's rank in the high bits, the line number in the low."""
        rank = self.sources.setdefault(line.source, len(self.sources))
        return (rank << 32) | line.number

    def where(self, position: int) -> tuple[str, int]:
        rank, number = position >> 32, position & 0xFFFFFFFF
        return next(source for source, r in self.sources.items() if r == rank), number

    def place(self, position: int, relative_to: str) -> str:
        """Say where a position is: `line N` in the same file, `FILE:N` in another."""
        source, number = self.where(position)
        return f"line {number}" if source == relative_to else f"{source}:{number}"

    def take(self, line: Line, screened: contract.Screened) -> None:
        if line.error is not None:
            self.problems.add(line.source, line.number, "encoding", line.error)
            return
        for field_name, message in screened.problems:
            self.problems.add(line.source, line.number, field_name, message)
        if screened.problems or screened.digest is None:
            self._reject(line)
        elif screened.granule is not None:
            self._granule(line, screened.granule, screened.digest)
        else:
            self._record(line, contract.build(json.loads(line.text)).record, screened.digest)

    def _record(self, line: Line, record: Record | None, digest: str) -> None:
        """Take a mission or a dataset (few: built again here, where their typed record is needed)."""
        if isinstance(record, Dataset):
            self._dataset(line, record, digest)
        elif isinstance(record, Mission):
            self._mission(line, record, digest)

    def _reject(self, line: Line) -> None:
        """Remember the id of a rejected mission or dataset, so that what names it is not reported again."""
        try:
            value = json.loads(line.text)
        except json.JSONDecodeError:
            return
        if isinstance(value, dict) and value.get("type") in self.rejected and isinstance(value.get("id"), str):
            self.rejected[value["type"]].add(value["id"])

    def _mission(self, line: Line, mission: Mission, digest: str) -> None:
        first = self.missions.setdefault(mission.id, line)
        if first is not line:
            self._duplicate(line, "mission", mission.id, first)
            return
        self.change["mission"] += self.tx.put_mission(mission, line.text, digest)

    def _dataset(self, line: Line, dataset: Dataset, digest: str) -> None:
        first = self.datasets.setdefault(dataset.id, (line, dataset))[0]
        if first is not line:
            self._duplicate(line, "dataset", dataset.id, first)
            return
        if dataset.mission is not None:
            self.mission_refs.append((line, dataset.mission))
        for index, related in enumerate(dataset.related):
            if contract.is_local_reference(related.target):
                self.related_refs.append((line, index, related.target))
        stored = self._stored_dataset(dataset.id)
        if stored is not None and stored.access != dataset.access:
            self.retime.append(dataset)
        try:
            self.change["dataset"] += self.tx.put_dataset(dataset, line.text, digest)
        except SourceConflictError as error:
            self.problems.add(line.source, line.number, "id", str(error))

    def _duplicate(self, line: Line, kind: str, record_id: str, first: Line) -> None:
        where = self.place(self.position(first), line.source)
        self.problems.add(line.source, line.number, "id", f"duplicate {kind} id {record_id!r}, first at {where}")

    def _stored_dataset(self, dataset_id: str) -> Dataset | None:
        if dataset_id not in self.stored_datasets:
            self.stored_datasets[dataset_id] = self.tx.stored_dataset(dataset_id)
        return self.stored_datasets[dataset_id]

    def _dataset_for(self, dataset_id: str) -> Dataset | None:
        in_input = self.datasets.get(dataset_id)
        return in_input[1] if in_input is not None else self._stored_dataset(dataset_id)

    def _granule(self, line: Line, facts: GranuleFacts, digest: str) -> None:
        dataset = self._dataset_for(facts.dataset)
        timeline = None if dataset is None else self._timeline(line, facts, dataset)
        self.batch.append(StagedGranule(self.position(line), facts, timeline, digest, line.text))
        if len(self.batch) >= BATCH:
            self.flush()

    def _timeline(self, line: Line, facts: GranuleFacts, dataset: Dataset) -> Timeline:
        """The granule's own timeline: shared by the dataset's plain granules unless a rolling period dates each."""
        if facts.has_access:
            return granule_timeline(Granule.from_dict(json.loads(line.text)), dataset)
        if dataset.id not in self.shared_timelines:
            self.shared_timelines[dataset.id] = shared_granule_timeline(dataset)
        shared = self.shared_timelines[dataset.id]
        return shared if shared is not None else granule_timeline(facts.policy_record(), dataset)

    def flush(self) -> None:
        self.tx.stage_granules(self.batch)
        self.batch = []

    def finish(self) -> None:
        """Check what only the whole input can tell: references, duplicate granules, granules before datasets."""
        self.flush()
        wanted = sorted({ref for _, ref in self.mission_refs} - set(self.missions))
        known_missions = set(self.missions) | self.tx.stored_missions(wanted)
        for line, mission_id in self.mission_refs:
            if mission_id not in known_missions and mission_id not in self.rejected["mission"]:
                self.problems.add(line.source, line.number, "mission", f"unknown mission {mission_id!r}")
        for line, index, target in self.related_refs:
            if self._dataset_for(target) is None and target not in self.rejected["dataset"]:
                self.problems.add(
                    line.source,
                    line.number,
                    f"related[{index}].target",
                    f"unknown dataset {target!r} (give a dataset id of this catalog, a DOI or a URL)",
                )
        for group in self.tx.staged_datasets():
            if self._dataset_for(group.dataset_id) is None and group.dataset_id not in self.rejected["dataset"]:
                source, number = self.where(group.first_position)
                others = f"; {group.count} granules name it, the last at {self.place(group.last_position, source)}"
                self.problems.add(
                    source,
                    number,
                    "dataset",
                    f"unknown dataset {group.dataset_id!r}" + (others if group.count > 1 else ""),
                )
        duplicates, total = self.tx.staged_duplicates(MAX_PROBLEMS)
        for group in duplicates:
            source, number = self.where(group.last_position)
            self.problems.add(
                source,
                number,
                "id",
                f"duplicate granule id {group.granule_id!r} of dataset {group.dataset_id!r}, "
                f"first at {self.place(group.first_position, source)} ({group.count} in all)",
            )
        self.problems.total += total - len(duplicates)
        if self.problems.found():
            return
        resolved: list[tuple[str, str, Timeline]] = []
        for _, value in self.tx.unresolved_staged():
            granule = Granule.from_dict(value)
            dataset = self._dataset_for(granule.dataset)
            assert dataset is not None, "every staged dataset id was checked above"
            resolved.append((granule.dataset, granule.id, granule_timeline(granule, dataset)))
            if len(resolved) >= BATCH:
                self.tx.resolve_staged(resolved)
                resolved = []
        self.tx.resolve_staged(resolved)


def _chunks(lines: Iterable[Line]) -> Iterator[list[Line]]:
    chunk: list[Line] = []
    for line in lines:
        chunk.append(line)
        if len(chunk) >= SCREEN_CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def screened(lines: Iterable[Line], *, workers: int) -> Iterator[tuple[Line, contract.Screened]]:
    """Yield each line with its screening, in input order.

    With `workers`, screening (JSON parsing, the schema, the rules, the digest) runs in that many other processes
    while the caller writes to the store; at most `SCREEN_WINDOW` chunks per process are in flight, so memory does
    not grow with the input. An input of one chunk or less is screened here, without starting a process.
    """
    chunks = _chunks(lines)
    first = next(chunks, None)
    if first is None:
        return
    if workers < 1 or len(first) < SCREEN_CHUNK:
        for chunk in itertools.chain([first], chunks):
            yield from zip(chunk, contract.screen_all([line.text for line in chunk]), strict=True)
        return
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))
    try:
        pending: deque[tuple[list[Line], Future[list[contract.Screened]]]] = deque()
        for chunk in itertools.chain([first], chunks):
            pending.append((chunk, pool.submit(contract.screen_all, [line.text for line in chunk])))
            if len(pending) >= SCREEN_WINDOW * workers:
                done, future = pending.popleft()
                yield from zip(done, future.result(), strict=True)
        while pending:
            done, future = pending.popleft()
            yield from zip(done, future.result(), strict=True)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def default_workers() -> int:
    """Screening processes: one per core. The writing process waits on the database part of the time, and the
    operating system shares the cores among them (measured on 2 cores: 22 000 granules/s, 19 000 with one)."""
    return os.cpu_count() or 1


def load_lines(
    store: Store,
    lines: Iterable[Line],
    *,
    now: datetime,
    dry_run: bool = False,
    on_line: Callable[[Line], None] | None = None,
    workers: int | None = None,
    context: RenderContext | None = None,
) -> LoadReport:
    """Check every line and, if all is well and this is no dry run, commit them to the store at once.

    Raises `LoadError` with every problem found; the store is then exactly as it was. With `context`, the
    renditions the load made stale are rendered afterwards (`harvest.renditions.refresh`).
    """
    count = 0
    with store.load(now) as transaction:
        load = _Load(transaction)
        for line, verdict in screened(lines, workers=default_workers() if workers is None else workers):
            count += 1
            load.take(line, verdict)
            if on_line is not None:
                on_line(line)
        load.finish()
        if load.problems.found():
            raise LoadError(sorted(load.problems.listed), load.problems.total)
        granules = transaction.merge_granules()
        retimed = sum(transaction.retime_granules(dataset) for dataset in load.retime)
        if not dry_run:
            transaction.commit()
    processes = default_workers() if workers is None else workers
    rendered = None if dry_run or context is None else refresh(store, context, workers=processes)
    if not dry_run:
        store.analyze()
    return LoadReport(count, load.change["mission"], load.change["dataset"], granules, retimed, dry_run, rendered)


def load_files(
    store: Store,
    paths: Sequence[Path],
    *,
    now: datetime,
    dry_run: bool = False,
    on_line: Callable[[Line], None] | None = None,
    workers: int | None = None,
    context: RenderContext | None = None,
) -> LoadReport:
    """Load contract-v1 JSON Lines files (see `load_lines`)."""
    return load_lines(
        store, read_lines(paths), now=now, dry_run=dry_run, on_line=on_line, workers=workers, context=context
    )
