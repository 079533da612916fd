"""Keeping renditions fresh: render datasets' metadata ahead of requests, in worker processes, after a load or when
the code or configuration that renders it changed (`isas-catalog render`)."""

import json
import multiprocessing
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass

from catalog.policy import Timeline
from catalog.records import Dataset
from catalog.store import DatasetEntry, Rendition, Store
from catalog.timeutil import from_epoch, to_epoch
from crosswalks import renditions
from crosswalks.renditions import RenderContext

BATCH = 200
"""Datasets read, rendered and written together: one store transaction per batch."""
WINDOW = 2
"""Batches in flight per worker process: memory stays flat however large the catalog."""


@dataclass(frozen=True, slots=True)
class RefreshReport:
    datasets: int
    """Datasets looked at."""
    rendered: int
    """Datasets whose renditions were (re)written: stale, missing, or all of them when forced."""
    renditions: int
    """Renditions written."""


_Job = tuple[str, str, str, int, Timeline, dict[str, tuple[str | None, Timeline]]]
"""What a worker needs to render one dataset: id, JSON, digest, changed (epoch), timeline, related targets."""


def _render_batch(jobs: Sequence[_Job], context: RenderContext) -> list[tuple[str, list[Rendition]]]:
    """Render a batch of datasets (in a worker process)."""
    done = []
    for dataset_id, doc, digest, changed, timeline, targets in jobs:
        dataset = Dataset.from_dict(json.loads(doc))
        made = renditions.renditions_of(dataset, digest, from_epoch(changed), timeline, targets, context)
        done.append((dataset_id, made))
    return done


def _stale(
    store: Store, context: RenderContext, *, force: bool, first: bool
) -> Iterator[tuple[int, list[DatasetEntry]]]:
    """Yield, batch by batch in id order, how many datasets were looked at and those whose renditions are stale.
    With no rendition in the context yet (`first`), every listed dataset is stale: no batch looks them up."""
    after: str | None = None
    while True:
        page = store.entries_by_id(after=after, limit=BATCH)
        if not page:
            return
        after = page[-1].id
        if force:
            yield len(page), page
            continue
        if first:
            yield len(page), [entry for entry in page if _expected(entry) is not None]
            continue
        states = store.rendition_states([entry.id for entry in page], context.key)
        stale = [entry for entry in page if states.get(entry.id) != _expected(entry)]
        yield len(page), stale


def _expected(entry: DatasetEntry) -> set[tuple[str, int]] | None:
    """The versions a fresh dataset's renditions were rendered from: its own, or none for one never listed."""
    timeline = entry.timeline
    listed = timeline.initial in renditions.RENDERED or any(v in renditions.RENDERED for _, v in timeline.shifts)
    return {(entry.digest, entry.changed_at)} if listed else None


def _doc(entry: DatasetEntry) -> str:
    if entry.doc is None:
        raise ValueError(f"dataset {entry.id!r} was read without its JSON")
    return entry.doc


def _jobs(store: Store, entries: Sequence[DatasetEntry]) -> list[_Job]:
    """The jobs of a batch, with the DOI and timeline of every related dataset they name (one query)."""
    decoded = [(entry, entry.record()) for entry in entries]
    wanted = sorted({target for _, dataset in decoded for target in renditions.local_targets(dataset)})
    targets = store.related_targets(wanted) if wanted else {}
    return [
        (
            entry.id,
            _doc(entry),
            entry.digest,
            to_epoch(entry.changed),
            entry.timeline,
            {t: targets[t] for t in renditions.local_targets(dataset) if t in targets},
        )
        for entry, dataset in decoded
    ]


def refresh(
    store: Store,
    context: RenderContext,
    *,
    force: bool = False,
    workers: int = 0,
    on_batch: Callable[[int], None] | None = None,
) -> RefreshReport:
    """Render and store the renditions of every dataset whose renditions in `context` are missing or were rendered
    from another state of it (every dataset when `force`); return what was done.

    With `workers`, rendering runs in that many other processes while this one reads and writes the store. Each
    batch is written in its own transaction: a refresh cut short leaves the rest to the next one, and readers
    never depend on it (a missing or stale rendition is rendered live).

    The first rendering in a context (a new store, a new base URL) writes into a table the planner has no
    statistics of: PostgreSQL then judged that a batch's 200 ids would match a quarter of it, and looked them up
    (and deleted their old renditions) by reading all of it, for every batch. A refresh that starts with no
    rendition in its context looks none up, and analyzes the store once its first batch is written.
    """
    seen = rendered = written = 0
    first = not store.has_renditions(context.key)
    unanalyzed = first

    def store_batch(done: list[tuple[str, list[Rendition]]]) -> None:
        nonlocal rendered, written, unanalyzed
        store.put_renditions(dict(done))
        rendered += len(done)
        written += sum(len(items) for _, items in done)
        if unanalyzed:
            store.analyze()
            unanalyzed = False

    batches = _stale(store, context, force=force, first=first)
    if workers < 1:
        for looked, stale in batches:
            seen += looked
            if stale:
                store_batch(_render_batch(_jobs(store, stale), context))
            if on_batch is not None:
                on_batch(looked)
        return RefreshReport(seen, rendered, written)
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))
    try:
        pending: deque[tuple[int, Future[list[tuple[str, list[Rendition]]]] | None]] = deque()

        def drain_one() -> None:
            looked, future = pending.popleft()
            if future is not None:
                store_batch(future.result())
            if on_batch is not None:
                on_batch(looked)

        for looked, stale in batches:
            seen += looked
            pending.append((looked, pool.submit(_render_batch, _jobs(store, stale), context) if stale else None))
            if len(pending) >= WINDOW * workers:
                drain_one()
        while pending:
            drain_one()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return RefreshReport(seen, rendered, written)
