"""The OAI-PMH harvester: other providers' records into the catalog, incrementally, page by page, checkpointed.

Each run of a source asks only for what changed since its last finished run (`from` = that run's first
`responseDate`, in the provider's granularity), follows resumption tokens, and writes every page in one
transaction together with its checkpoint, so a run that is killed resumes at the page it had reached, and a page
that cannot be read leaves the catalog as the page before left it. Harvested datasets carry their `provenance`
(a source name, never "" — the archive's own) and are never written over the archive's own (`SourceConflictError`).
"""

import hashlib
import json
import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, astuple, dataclass, field, replace
from datetime import datetime
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

from lxml import etree

from catalog import contract
from catalog.records import Dataset, Provenance
from catalog.sets import NOT_IN_SLUG, is_valid_spec
from catalog.store import HarvestRun, HarvestSource, LoadTransaction, SourceConflictError, Store, StoreError
from catalog.timeutil import format_time, parse_time
from catalog.vocab import Granularity
from crosswalks.formats import FORMATS, Format
from crosswalks.from_datacite import InverseError, datacite_resource, record_from_datacite
from crosswalks.from_dublin_core import record_from_oai_dc
from crosswalks.renditions import RenderContext
from harvest.client import (
    OAI,
    Client,
    HarvestError,
    Limits,
    Page,
    TokenExpiredError,
    raise_errors,
    read_page,
    response_date,
)
from harvest.renditions import RefreshReport, refresh

NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,31}")
"""A source's name: it starts the ids of its datasets (`{name}.{local id}`) and names its set `source:{name}`."""
OAI_IDENTIFIER = re.compile(r"oai:(?P<namespace>[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+):(?P<local>.+)")
ID_LENGTH = 128
MAX_PROBLEMS = 20
"""Records that failed named in a run's summary; the rest are counted."""
DEFAULT_LIMITS = Limits()


@dataclass(frozen=True, slots=True)
class Prefix:
    """A metadata format the harvester reads: the format (`crosswalks.formats`, which names its namespace) and the
    inverse crosswalk to a contract-v1 dict."""

    format: Format
    to_record: Callable[[etree._Element], dict[str, Any]]

    @property
    def namespace(self) -> str:
        return self.format.namespace


def _from_datacite(metadata: etree._Element) -> dict[str, Any]:
    return record_from_datacite(datacite_resource(metadata))


PREFIXES: Mapping[str, Prefix] = MappingProxyType(
    {
        "oai_datacite": Prefix(FORMATS["oai_datacite"], _from_datacite),
        "datacite": Prefix(FORMATS["datacite"], _from_datacite),
        "oai_dc": Prefix(FORMATS["oai_dc"], record_from_oai_dc),
    }
)


@dataclass(frozen=True, slots=True)
class Counts:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    failed: int = 0

    def __add__(self, other: "Counts") -> "Counts":
        return Counts(*(a + b for a, b in zip(self.values(), other.values(), strict=True)))

    def values(self) -> tuple[int, ...]:
        return astuple(self)

    def to_dict(self) -> dict[str, int]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """Where a run stands, saved with every page: the run's start and first `responseDate`, the `from` it asks,
    the set it is at (an index into the source's sets), the token of the next page, what it did so far."""

    started: datetime
    response_date: datetime
    from_: datetime | None
    set_index: int = 0
    token: str | None = None
    pages: int = 0
    counts: Counts = Counts()
    problems: tuple[str, ...] = ()

    def to_json(self) -> str:
        return json.dumps(
            {
                "started": format_time(self.started),
                "response_date": format_time(self.response_date),
                "from": None if self.from_ is None else format_time(self.from_),
                "set": self.set_index,
                "token": self.token,
                "pages": self.pages,
                "counts": self.counts.to_dict(),
                "problems": list(self.problems),
            },
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> "Checkpoint":
        data = json.loads(text)
        return cls(
            started=parse_time(data["started"]),
            response_date=parse_time(data["response_date"]),
            from_=None if data["from"] is None else parse_time(data["from"]),
            set_index=int(data["set"]),
            token=data["token"],
            pages=int(data["pages"]),
            counts=Counts(**data["counts"]),
            problems=tuple(data["problems"]),
        )


@dataclass(frozen=True, slots=True)
class RunReport:
    """What a run of one source did; `status` is `ok` or `failed` (then `message` says why)."""

    source: str
    status: str
    started: datetime
    finished: datetime
    from_: datetime | None
    pages: int
    counts: Counts
    resumed: bool = False
    message: str | None = None
    problems: tuple[str, ...] = ()
    renditions: RefreshReport | None = field(default=None, compare=False)
    """What rendering the metadata ahead did after the run (for every source of the same `Harvester.run`)."""
    render_seconds: float | None = field(default=None, compare=False)

    @property
    def seconds(self) -> float:
        return (self.finished - self.started).total_seconds()

    def summary(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "status": self.status,
            "started": format_time(self.started),
            "finished": format_time(self.finished),
            "from": None if self.from_ is None else format_time(self.from_),
            "pages": self.pages,
            **self.counts.to_dict(),
            "resumed": self.resumed,
            "message": self.message,
            "problems": list(self.problems),
        }


def check_source(name: str, url: str, prefix: str, sets: Sequence[str]) -> None:
    """Raise `ValueError` naming what is wrong with a source's definition."""
    if NAME.fullmatch(name) is None:
        raise ValueError(f"source name {name!r}: use 1 to 32 of a-z, 0-9, '-' and '_', starting with a letter or digit")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(f"URL {url!r}: give the provider's OAI-PMH base URL, http(s) with no query")
    if prefix not in PREFIXES:
        raise ValueError(f"prefix {prefix!r}: use one of {', '.join(PREFIXES)}")
    for spec in sets:
        if not is_valid_spec(spec):
            raise ValueError(f"set {spec!r} is not an OAI-PMH setSpec")


def add_source(
    store: Store, name: str, url: str, *, prefix: str = "oai_datacite", sets: Sequence[str] = (), now: datetime
) -> HarvestSource:
    """Define a source to harvest; raise `ValueError` for a bad definition, `StoreError` if the name is taken."""
    check_source(name, url, prefix, sets)
    source = HarvestSource(name=name, url=url, prefix=prefix, sets=tuple(dict.fromkeys(sets)), added=now)
    store.add_source(source)
    return source


def dataset_id(source: str, identifier: str) -> str:
    """The catalog id of a harvested record: `{source}.{namespace}.{local}` for an OAI identifier whose parts are
    already valid in an id (the namespace, a domain name, is lowercased), else a readable slug of the identifier
    with a hash of the whole of it. Two identifiers never share an id, even from a provider that aggregates
    several repositories."""
    match = OAI_IDENTIFIER.fullmatch(identifier)
    room = ID_LENGTH - len(source) - 1
    if match is not None and NOT_IN_SLUG.search(match["local"]) is None:
        name = f"{match['namespace'].lower()}.{match['local']}"
        if len(name) <= room:
            return f"{source}.{name}"
    digest = hashlib.blake2b(identifier.encode(), digest_size=6).hexdigest()
    slug = NOT_IN_SLUG.sub("-", identifier.lower())[: room - len(digest) - 1].strip("-")
    return f"{source}.{slug}-{digest}" if slug else f"{source}.{digest}"


def version_digest(value: Mapping[str, Any]) -> str:
    """The digest of a harvested record without its harvest date: harvesting an unchanged record writes nothing."""
    provenance = dict(value["provenance"])
    provenance.pop("harvested", None)
    return contract.digest({**value, "provenance": provenance})


@dataclass
class _Page:
    """What one page did: counts and the problems of the records that failed."""

    counts: Counts = Counts()
    problems: list[str] = field(default_factory=list)

    def fail(self, identifier: str, message: str) -> None:
        self.counts += Counts(failed=1)
        self.problems.append(f"{identifier}: {message}")


class Harvester:
    """Runs sources against a store; `clock` gives the moment of each write, `client` builds a provider's client."""

    def __init__(
        self,
        store: Store,
        *,
        context: RenderContext | None = None,
        limits: Limits = DEFAULT_LIMITS,
        clock: Callable[[], datetime],
        sleep: Callable[[float], None] = time.sleep,
        render_workers: int = 0,
        on_page: Callable[[str, int, Counts, int | None], None] | None = None,
    ) -> None:
        self.store = store
        self.context = context
        self.limits = limits
        self.clock = clock
        self.sleep = sleep
        self.render_workers = render_workers
        self.on_page = on_page

    def run(self, names: Sequence[str] = ()) -> list[RunReport]:
        """Run the named sources (every one when none is named), each on its own: one that fails is reported and
        the others still run. Raise `StoreError` for a name that is not a source."""
        sources = self.store.harvest_sources(list(names) if names else None)
        missing = sorted(set(names) - {s.name for s in sources})
        if missing:
            raise StoreError(
                f"no harvest source named {', '.join(map(repr, missing))}: see `isas-catalog harvest list`"
            )
        reports = [self.run_source(source) for source in sources]
        if self.context is not None and any(r.counts.added or r.counts.updated or r.counts.deleted for r in reports):
            began = time.perf_counter()
            rendered = refresh(self.store, self.context, workers=self.render_workers)
            self.store.analyze()
            spent = time.perf_counter() - began
            reports = [replace(r, renditions=rendered, render_seconds=spent) for r in reports]
        return reports

    def run_source(self, source: HarvestSource) -> RunReport:
        """Run one source to the end of its lists, or until something stops it; record the run either way."""
        client = Client(source.url, self.limits, sleep=self.sleep, clock=self.clock)
        resumed = source.checkpoint is not None
        started = self.clock()
        checkpoint: Checkpoint | None = None
        try:
            if source.checkpoint is not None:
                checkpoint = Checkpoint.from_json(source.checkpoint)
            else:
                source, checkpoint = self._start(source, client, started)
            checkpoint = self._harvest(source, client, checkpoint)
        except (HarvestError, StoreError) as error:
            return self._finish(source, checkpoint, started, resumed, message=str(error))
        return self._finish(source, checkpoint, started, resumed, message=None)

    def _start(self, source: HarvestSource, client: Client, started: datetime) -> tuple[HarvestSource, Checkpoint]:
        """Begin a run: Identify tells the provider's granularity, and its `responseDate` is the run's first."""
        root = client.request(verb="Identify")
        raise_errors(root, {"verb": "Identify"})
        identify = root.find(f"{{{OAI}}}Identify")
        if identify is None:
            raise HarvestError(f"{source.url}: Identify answered without an Identify element")
        granularity = (identify.findtext(f"{{{OAI}}}granularity") or Granularity.DAY).strip()
        if granularity not in set(Granularity):
            raise HarvestError(f"{source.url}: Identify gives an unknown granularity {granularity!r}")
        checkpoint = Checkpoint(started, response_date(root, "Identify"), source.harvested_from)
        with self.store.load(self.clock()) as tx:
            tx.put_checkpoint(source.name, checkpoint.to_json(), granularity=granularity)
            tx.commit()
        return replace(source, granularity=granularity), checkpoint

    def _harvest(self, source: HarvestSource, client: Client, checkpoint: Checkpoint) -> Checkpoint:
        """Page through each set (or the whole repository) from the checkpoint on; a token that expired is
        followed by the set's list again from the run's `from` (once: records already written are unchanged).

        The next page is asked for (in one other thread, the only one that talks to the provider) while this one
        is written: the provider's time and ours overlap. A page asked for ahead and not needed is dropped."""
        sets: Sequence[str | None] = source.sets or (None,)
        fell_back: set[int] = set()
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"harvest-{source.name}") as fetcher:
            ahead: tuple[dict[str, str], Future[Page]] | None = None
            while checkpoint.set_index < len(sets):
                request = self._request(source, checkpoint, sets[checkpoint.set_index])
                if ahead is not None and ahead[0] == request:
                    future = ahead[1]
                else:
                    future = fetcher.submit(_fetch, client, request)
                ahead = None
                try:
                    page = future.result()
                except TokenExpiredError:
                    if checkpoint.token is None or checkpoint.set_index in fell_back:
                        raise
                    fell_back.add(checkpoint.set_index)
                    checkpoint = replace(checkpoint, token=None)
                    continue
                if page.token is not None and page.token == checkpoint.token:
                    raise HarvestError(
                        f"{source.url}: the provider answered resumptionToken {page.token!r} with the same token again"
                    )
                if page.token is not None:
                    following = {"verb": "ListRecords", "resumptionToken": page.token}
                    ahead = (following, fetcher.submit(_fetch, client, following))
                checkpoint = self._write(source, page, checkpoint)
                if self.on_page is not None:
                    self.on_page(source.name, checkpoint.pages, checkpoint.counts, page.complete_list_size)
        return checkpoint

    def _request(self, source: HarvestSource, checkpoint: Checkpoint, spec: str | None) -> dict[str, str]:
        if checkpoint.token is not None:
            return {"verb": "ListRecords", "resumptionToken": checkpoint.token}
        request = {"verb": "ListRecords", "metadataPrefix": source.prefix}
        if checkpoint.from_ is not None:
            request["from"] = (
                checkpoint.from_.date().isoformat()
                if source.granularity == Granularity.DAY
                else format_time(checkpoint.from_)
            )
        if spec is not None:
            request["set"] = spec
        return request

    def _write(self, source: HarvestSource, page: Page, checkpoint: Checkpoint) -> Checkpoint:
        """Write a page's records and the checkpoint after it in one transaction; the last page of a set moves the
        checkpoint to the next set. The page's records are put together (`put_datasets`); a deleted header first
        writes what the page said before it, so the page's order holds."""
        now = self.clock()
        done = _Page()
        prefix = PREFIXES[source.prefix]
        with self.store.load(now) as tx:
            ready: dict[str, _Ready] = {}
            for record in page.records:
                taken = self._take(source, record, now, done)
                if taken is None:
                    continue
                origin, deleted = taken
                key = dataset_id(source.name, origin.identifier)
                try:
                    if deleted:
                        if key in ready:
                            self._flush(tx, ready, done)
                        done.counts += self._delete(tx, key, origin)
                        continue
                    if key in ready:
                        done.counts += Counts(unchanged=1)
                    ready[key] = _prepare(prefix, record, origin, key)
                except (InverseError, SourceConflictError) as error:
                    done.fail(origin.identifier, str(error))
            self._flush(tx, ready, done)
            after = replace(
                checkpoint,
                token=page.token,
                set_index=checkpoint.set_index + (1 if page.token is None else 0),
                pages=checkpoint.pages + 1,
                counts=checkpoint.counts + done.counts,
                problems=(*checkpoint.problems, *done.problems)[:MAX_PROBLEMS],
            )
            tx.put_checkpoint(source.name, after.to_json())
            tx.commit()
        return after

    @staticmethod
    def _take(
        source: HarvestSource, record: etree._Element, now: datetime, done: _Page
    ) -> tuple[Provenance, bool] | None:
        """Read a record's header: its provenance here, and whether it is deleted; None (counted failed) when the
        header is unusable."""
        header = record.find(f"{{{OAI}}}header")
        identifier = (header.findtext(f"{{{OAI}}}identifier") if header is not None else None) or ""
        identifier = identifier.strip()
        if header is None or not identifier:
            done.fail("(no identifier)", "a record without a header identifier")
            return None
        stamp = header.findtext(f"{{{OAI}}}datestamp")
        try:
            datestamp = parse_time((stamp or "").strip())
        except ValueError:
            done.fail(identifier, f"datestamp {stamp!r} is not a UTC datestamp")
            return None
        origin = Provenance(
            source=source.name,
            base_url=source.url,
            identifier=identifier,
            datestamp=datestamp,
            metadata_namespace=PREFIXES[source.prefix].namespace,
            harvested=now,
        )
        return origin, header.get("status") == "deleted"

    @staticmethod
    def _flush(tx: LoadTransaction, ready: dict[str, "_Ready"], done: _Page) -> None:
        """Put the records made ready, in one go."""
        if not ready:
            return
        items = list(ready.values())
        ready.clear()
        results = tx.put_datasets([(dataset, doc, digest) for _, dataset, doc, digest in items])
        for (identifier, *_), result in zip(items, results, strict=True):
            if isinstance(result, SourceConflictError):
                done.fail(identifier, str(result))
            else:
                done.counts += Counts(added=result.added, updated=result.updated, unchanged=result.unchanged)

    def _delete(self, tx: LoadTransaction, dataset_id_: str, origin: Provenance) -> Counts:
        """A deleted header: the record, if held, becomes a tombstone (OAI-PMH keeps deletions for ever). One never
        held, held by another source, or deleted already changes nothing (`unchanged`: every record is counted)."""
        stored = tx.stored_dataset(dataset_id_)
        if stored is None or stored.source != origin.source or stored.discarded:
            return Counts(unchanged=1)
        reason = f"Deleted at the source: {origin.base_url} lists {origin.identifier} as deleted."
        value = withdrawn(stored, origin.datestamp, reason, origin)
        change = tx.put_dataset(_checked(value), contract.canonical(value), version_digest(value))
        return Counts(deleted=change.added + change.updated, unchanged=change.unchanged)

    def _finish(
        self,
        source: HarvestSource,
        checkpoint: Checkpoint | None,
        started: datetime,
        resumed: bool,
        *,
        message: str | None,
    ) -> RunReport:
        finished = self.clock()
        report = RunReport(
            source=source.name,
            status="ok" if message is None else "failed",
            started=checkpoint.started if checkpoint is not None else started,
            finished=finished,
            from_=None if checkpoint is None else checkpoint.from_,
            pages=0 if checkpoint is None else checkpoint.pages,
            counts=Counts() if checkpoint is None else checkpoint.counts,
            resumed=resumed,
            message=message,
            problems=() if checkpoint is None else checkpoint.problems,
        )
        run = HarvestRun(source.name, report.started, finished, report.status, report.summary())
        finished_from = None if message is not None or checkpoint is None else checkpoint.response_date
        try:
            with self.store.load(finished) as tx:
                tx.finish_run(run, harvested_from=finished_from)
                tx.commit()
        except StoreError as error:
            if message is None:
                raise
            return replace(report, message=f"{message}; the run could not be recorded either: {error}")
        return report


def _fetch(client: Client, request: dict[str, str]) -> Page:
    return read_page(client.request(**request), request)


_Ready = tuple[str, Dataset, str, str]
"""A record ready to put: its identifier at the provider, the dataset, its JSON and its version's digest."""


def _prepare(prefix: Prefix, record: etree._Element, origin: Provenance, key: str) -> _Ready:
    """Turn a record into the dataset to put (`InverseError` when it does not make one)."""
    metadata = record.find(f"{{{OAI}}}metadata")
    if metadata is None or len(metadata) != 1:
        raise InverseError("the record has no metadata (or more than one root element in it)")
    value = {**prefix.to_record(metadata[0]), "type": "dataset", "id": key, "provenance": origin.to_dict()}
    return origin.identifier, _checked(value), contract.canonical(value), version_digest(value)


def _checked(value: dict[str, Any]) -> Dataset:
    """The typed dataset of a record the harvester made, checked as `contract.build` checks a loaded one."""
    try:
        checked = contract.build(value)
    except (KeyError, TypeError) as error:
        raise InverseError(f"the record does not make a catalog record: {type(error).__name__}: {error}") from error
    if checked.record is None:
        raise InverseError("; ".join(f"{field}: {message}" for field, message in checked.problems))
    assert isinstance(checked.record, Dataset)
    return checked.record


def withdrawn(stored: Dataset, moment: datetime, reason: str, origin: Provenance | None = None) -> dict[str, Any]:
    """A harvested dataset's next version as a tombstone: discarded at `moment`, for `reason`."""
    value = stored.to_dict()
    value["lifecycle"] = {"state": "discarded", "discarded": format_time(moment), "reason": {"en": reason}}
    if origin is not None:
        value["provenance"] = origin.to_dict()
    return value


def remove_source(store: Store, name: str, *, now: datetime, context: RenderContext | None = None) -> int:
    """Forget a source; its datasets become tombstones (OAI-PMH harvesters then delete them too). Return how many."""
    if not store.harvest_sources([name]):
        raise StoreError(f"no harvest source named {name!r}: see `isas-catalog harvest list`")
    withdrawn_count = 0
    reason = f"Withdrawn: the harvest source {name!r} was removed from this catalog."
    with store.load(now) as tx:
        for stored in _source_datasets(tx, name):
            if stored.discarded:
                continue
            value = withdrawn(stored, now, reason)
            tx.put_dataset(_checked(value), contract.canonical(value), version_digest(value))
            withdrawn_count += 1
        tx.delete_source(name)
        tx.commit()
    if context is not None and withdrawn_count:
        refresh(store, context)
        store.analyze()
    return withdrawn_count


def _source_datasets(tx: LoadTransaction, name: str) -> Iterator[Dataset]:
    after = ""
    while True:
        page = tx.source_datasets(name, after=after)
        if not page:
            return
        yield from page
        after = page[-1].id
