"""The OAI-PMH harvester against scripted providers on real ports, on both stores: error codes, pages and their
checkpoints, incremental runs, resumption after a kill or a bad page, expired tokens, deletions, retries, hostile
pages, sources that fail, conflicts with the archive's own records, and removing a source."""

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest
from lxml import etree

from catalog.policy import Timeline
from catalog.records import Provenance
from catalog.store import Store, StoreError
from catalog.timeutil import format_time
from catalog.vocab import Visibility
from harvest.client import Limits
from harvest.loader import Line, LoadError, load_lines
from harvest.oai import PREFIXES, Checkpoint, Counts, Harvester, RunReport, add_source, remove_source
from tests.conftest import NOW, Clock
from tests.harvest.provider import (
    DAY,
    ERROR_CODES,
    REPOSITORY,
    SECONDS,
    Item,
    Payload,
    Provider,
    Reply,
    billion_laughs,
    error,
    external_entity,
    gzipped,
    identify,
    list_records,
    oai_identifier,
    oai_root,
    payloads,
    public_payloads,
    truncated,
)

SOURCE = "prov"
PREFIX = "oai_datacite"
LIMITS = Limits(timeout=5.0, retries=2, backoff=1.0, max_wait=60.0, max_bytes=400_000)
"""Patient enough for a test: waits are recorded (never slept), and pages over 400 kB are refused."""
FIRST = NOW + timedelta(seconds=5)
"""The `responseDate` of the first run's Identify."""
SECOND = NOW + timedelta(hours=1, seconds=7)
"""The `responseDate` of the second run's Identify."""
STAMP = NOW - timedelta(days=1)
"""The records' datestamps at the provider."""


class KilledError(Exception):
    """The harvester's process stops here (a kill between two pages)."""


class Waits(list[float]):
    """An injected `sleep` that records each wait instead of sleeping."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def waits() -> Waits:
    return Waits()


@pytest.fixture
def source(store: Store, provider: Provider, clock: Clock) -> str:
    add_source(store, SOURCE, provider.url, prefix=PREFIX, now=clock())
    return SOURCE


def run(
    store: Store, clock: Clock, waits: Waits, *names: str, limits: Limits = LIMITS, **options: Any
) -> list[RunReport]:
    return Harvester(store, clock=clock, sleep=waits, limits=limits, **options).run(names)


def run_one(store: Store, clock: Clock, waits: Waits, **options: Any) -> RunReport:
    [report] = run(store, clock, waits, SOURCE, **options)
    return report


def listing(prefix: str = PREFIX, **extra: str) -> dict[str, str]:
    return {"verb": "ListRecords", "metadataPrefix": prefix, **extra}


def since(moment: datetime, prefix: str = PREFIX) -> dict[str, str]:
    return listing(prefix, **{"from": format_time(moment)})


def resume(token: str) -> dict[str, str]:
    return {"verb": "ListRecords", "resumptionToken": token}


IDENTIFY = {"verb": "Identify"}


def ident(at: datetime, granularity: str = SECONDS) -> bytes:
    return identify(response_date=at, granularity=granularity)


def items(chosen: Sequence[Payload], stamp: datetime = STAMP) -> list[Item]:
    return [p.item(stamp) for p in chosen]


def page(
    chosen: Sequence[Payload | Item],
    request: dict[str, str],
    *,
    at: datetime,
    token: str | None = None,
    size: int | None = None,
    validate: bool = True,
) -> bytes:
    listed = [c if isinstance(c, Item) else c.item(STAMP) for c in chosen]
    return list_records(
        listed, request=request, response_date=at, token=token, complete_list_size=size, validate=validate
    )


def local(p: Payload | str) -> str:
    """The catalog id of a harvested payload (or of a provider's local id)."""
    return f"{SOURCE}.{REPOSITORY}.{p if isinstance(p, str) else p.dataset.id}"


def held(store: Store) -> set[str]:
    return {d.record.id for d in store.all_datasets()}


def snapshot(store: Store) -> dict[str, tuple[str, datetime, Timeline, str]]:
    """Every dataset's digest, `changed`, timeline and document: equal snapshots mean nothing was written."""
    return {
        d.record.id: (d.digest, d.changed, d.timeline, json.dumps(d.record.to_dict(), sort_keys=True))
        for d in store.all_datasets()
    }


def checkpoint_of(store: Store, name: str = SOURCE) -> Checkpoint | None:
    [source] = store.harvest_sources([name])
    return None if source.checkpoint is None else Checkpoint.from_json(source.checkpoint)


def visibility(store: Store, dataset_id: str, at: datetime) -> Visibility:
    stored = store.dataset(dataset_id)
    assert stored is not None, dataset_id
    return stored.visibility(at)


P = public_payloads(PREFIX)
A, B, C, D = P[:4]


@pytest.mark.parametrize("code", ERROR_CODES)
def test_every_oai_error_code_answered_to_the_first_list_records(
    code: str, store: Store, provider: Provider, source: str, clock: Clock, waits: Waits
) -> None:
    provider.add(ident(FIRST), page([A, B], listing(), at=FIRST))
    assert run_one(store, clock, waits).status == "ok"
    before = snapshot(store)
    clock.advance(3600)
    request = since(FIRST)
    provider.add(ident(SECOND), error(code, f"what {code} means here", request=request, response_date=SECOND))

    report = run_one(store, clock, waits)

    assert provider.requests[2:] == [IDENTIFY, request]
    [stored] = store.harvest_sources()
    [last, _] = store.harvest_runs(SOURCE)
    if code == "noRecordsMatch":
        assert (report.status, report.message, report.counts, report.pages) == ("ok", None, Counts(), 1)
        assert stored.harvested_from == SECOND
        assert stored.checkpoint is None
    else:
        assert report.status == "failed"
        assert report.message is not None
        assert f"the provider answered {code}: what {code} means here" in report.message
        assert report.counts == Counts()
        assert stored.harvested_from == FIRST
    assert snapshot(store) == before
    assert (last.status, last.summary["message"]) == (report.status, report.message)
    assert waits == []


@pytest.mark.parametrize("prefix", ["oai_datacite", "oai_dc"])
def test_a_two_page_run_writes_each_page_with_its_checkpoint(
    prefix: str, store: Store, provider: Provider, clock: Clock, waits: Waits
) -> None:
    add_source(store, SOURCE, provider.url, prefix=prefix, now=clock())
    first, second = public_payloads(prefix)[:2], public_payloads(prefix)[2:4]
    between: list[tuple[Checkpoint | None, set[str]]] = []

    def page_two(args: dict[str, str]) -> bytes:
        # Page 2 is asked for while page 1 is written: answer once page 1 and its checkpoint are committed.
        deadline = time.monotonic() + 10
        while (written := checkpoint_of(store)) is None or written.pages < 1:
            assert time.monotonic() < deadline, "page 1 was never committed"
            time.sleep(0.01)
        between.append((checkpoint_of(store), held(store)))
        clock.advance(60)
        return page(second, resume("page-2"), at=FIRST + timedelta(seconds=3), token="", size=4)

    provider.add(
        ident(FIRST), page(first, listing(prefix), at=FIRST + timedelta(seconds=1), token="page-2", size=4), page_two
    )

    report = run_one(store, clock, waits)

    assert provider.requests == [IDENTIFY, listing(prefix), resume("page-2")]
    assert (report.status, report.message, report.pages, report.resumed) == ("ok", None, 2, False)
    assert report.counts == Counts(added=4)
    assert (report.started, report.finished, report.from_) == (NOW, NOW + timedelta(seconds=60), None)

    [(after_one, held_after_one)] = between
    assert after_one == Checkpoint(
        started=NOW, response_date=FIRST, from_=None, set_index=0, token="page-2", pages=1, counts=Counts(added=2)
    )
    assert held_after_one == {local(p) for p in first}

    [stored_source] = store.harvest_sources()
    assert (stored_source.checkpoint, stored_source.harvested_from) == (None, FIRST)
    assert stored_source.granularity == SECONDS
    [harvest_run] = store.harvest_runs(SOURCE)
    assert (harvest_run.status, harvest_run.started, harvest_run.finished) == ("ok", NOW, NOW + timedelta(seconds=60))
    assert harvest_run.summary == report.summary()
    assert (harvest_run.summary["added"], harvest_run.summary["pages"]) == (4, 2)

    assert held(store) == {local(p) for p in (*first, *second)}
    for p, harvested in [(first[0], NOW), (first[1], NOW), (second[0], clock()), (second[1], clock())]:
        stored = store.dataset(local(p))
        assert stored is not None
        assert stored.source == SOURCE
        assert stored.record.provenance == Provenance(
            source=SOURCE,
            base_url=provider.url,
            identifier=oai_identifier(p.dataset.id),
            datestamp=STAMP,
            metadata_namespace=PREFIXES[prefix].namespace,
            harvested=harvested,
        )
        assert stored.record.title == p.dataset.title
        assert stored.visibility(clock()) is Visibility.PUBLIC
    assert f"source:{SOURCE}" in store.sets(clock())
    assert waits == []


@pytest.mark.parametrize(("granularity", "expected"), [(SECONDS, "2026-11-21T12:00:05Z"), (DAY, "2026-11-21")])
def test_an_incremental_run_asks_from_the_last_runs_first_response_date(
    granularity: str, expected: str, store: Store, provider: Provider, source: str, clock: Clock, waits: Waits
) -> None:
    provider.add(
        ident(FIRST, granularity),
        page([A], listing(), at=FIRST + timedelta(minutes=5), token="more", size=2),
        page([B], resume("more"), at=FIRST + timedelta(minutes=9), token=""),
    )
    assert run_one(store, clock, waits).status == "ok"
    changed = {local(p): store.dataset(local(p)) for p in (A, B)}
    clock.advance(3600)
    asked = listing(**{"from": expected})
    provider.add(ident(SECOND, granularity), page([A], asked, at=SECOND))

    report = run_one(store, clock, waits)

    assert provider.requests[3:] == [IDENTIFY, asked]
    assert (report.status, report.counts, report.from_) == ("ok", Counts(unchanged=1), FIRST)
    [stored_source] = store.harvest_sources()
    assert (stored_source.granularity, stored_source.harvested_from) == (granularity, SECOND)
    assert {local(p): store.dataset(local(p)) for p in (A, B)} == changed, "an unchanged record was written again"

    clock.advance(3600)
    provider.add(
        ident(SECOND + timedelta(hours=1), granularity), error("noRecordsMatch", request={}, response_date=NOW)
    )
    run_one(store, clock, waits)
    assert provider.requests[-1]["from"] == (SECOND.date().isoformat() if granularity == DAY else format_time(SECOND))


def test_a_run_over_sets_lists_each_set_in_turn(store: Store, provider: Provider, clock: Clock, waits: Waits) -> None:
    add_source(store, SOURCE, provider.url, prefix=PREFIX, sets=["mission:one", "mission:two"], now=clock())
    at_second_set: list[Checkpoint | None] = []

    def second_set(args: dict[str, str]) -> bytes:
        at_second_set.append(checkpoint_of(store))
        return error("noRecordsMatch", request=args, response_date=FIRST)

    provider.add(
        ident(FIRST),
        page([A], listing(set="mission:one"), at=FIRST, token="one-2", size=2),
        page([B], resume("one-2"), at=FIRST, token=""),
        second_set,
    )

    report = run_one(store, clock, waits)

    assert provider.requests == [IDENTIFY, listing(set="mission:one"), resume("one-2"), listing(set="mission:two")]
    assert (report.status, report.pages, report.counts) == ("ok", 3, Counts(added=2))
    [checkpoint] = at_second_set
    assert checkpoint is not None
    assert (checkpoint.set_index, checkpoint.token, checkpoint.pages) == (1, None, 2)
    assert checkpoint_of(store) is None


def test_a_malformed_page_stops_the_run_and_the_next_run_resumes_at_it(
    store: Store, provider: Provider, source: str, clock: Clock, waits: Waits
) -> None:
    good_page_two = page([C, D], resume("page-2"), at=FIRST, token="")
    provider.add(ident(FIRST), page([A, B], listing(), at=FIRST, token="page-2", size=4), truncated(good_page_two))

    failed = run_one(store, clock, waits)

    assert failed.status == "failed"
    assert failed.message is not None
    assert "(verb=ListRecords, resumptionToken=page-2): malformed XML at line" in failed.message
    assert held(store) == {local(A), local(B)}
    saved = checkpoint_of(store)
    assert saved is not None
    assert (saved.token, saved.pages, saved.counts, saved.response_date) == ("page-2", 1, Counts(added=2), FIRST)
    [stored_source] = store.harvest_sources()
    assert stored_source.harvested_from is None
    assert [r.status for r in store.harvest_runs(SOURCE)] == ["failed"]

    clock.advance(600)
    provider.add(good_page_two)
    resumed = run_one(store, clock, waits)

    assert provider.requests[3:] == [resume("page-2")], "a resumed run sends its saved token, and no Identify"
    assert (resumed.status, resumed.resumed, resumed.pages, resumed.counts) == ("ok", True, 2, Counts(added=4))
    assert held(store) == {local(p) for p in (A, B, C, D)}
    [stored_source] = store.harvest_sources()
    assert (stored_source.harvested_from, stored_source.checkpoint) == (FIRST, None)
    assert [r.status for r in store.harvest_runs(SOURCE)] == ["ok", "failed"]


def test_a_killed_run_resumes_at_its_last_page(
    store: Store, provider: Provider, source: str, clock: Clock, waits: Waits
) -> None:
    def kill_after_first_page(name: str, pages: int, counts: Counts, size: int | None) -> None:
        assert (name, pages, counts, size) == (SOURCE, 1, Counts(added=2), 4)
        raise KilledError

    # Page 2 is asked for ahead while page 1 is written, so the killed run asks for it too, then drops it.
    ahead = page([C, D], resume("page-2"), at=FIRST, token="")
    provider.add(ident(FIRST), page([A, B], listing(), at=FIRST, token="page-2", size=4), ahead)
    with pytest.raises(KilledError):
        run_one(store, clock, waits, on_page=kill_after_first_page)
    assert held(store) == {local(A), local(B)}
    assert store.harvest_runs(SOURCE) == []

    clock.advance(600)
    provider.add(page([C, D], resume("page-2"), at=FIRST + timedelta(minutes=10), token=""))
    resumed = run_one(store, clock, waits)

    assert provider.requests == [IDENTIFY, listing(), resume("page-2"), resume("page-2")]
    assert (resumed.status, resumed.resumed, resumed.started) == ("ok", True, NOW)
    assert resumed.counts == Counts(added=4)
    assert held(store) == {local(p) for p in (A, B, C, D)}
    [stored_source] = store.harvest_sources()
    assert (stored_source.harvested_from, stored_source.checkpoint) == (FIRST, None)


def test_a_token_that_expires_mid_run_lists_the_set_again_from_the_runs_from(
    store: Store, provider: Provider, source: str, clock: Clock, waits: Waits
) -> None:
    provider.add(ident(FIRST), page([A, B], listing(), at=FIRST))
    run_one(store, clock, waits)
    clock.advance(3600)
    a_again = A.item(STAMP + timedelta(hours=2))
    provider.add(
        ident(SECOND),
        page([a_again, C.item(STAMP)], since(FIRST), at=SECOND, token="t-2", size=3),
        error("badResumptionToken", "expired", request=resume("t-2"), response_date=SECOND),
        page([a_again, C.item(STAMP)], since(FIRST), at=SECOND, token="t-2b", size=3),
        page([D], resume("t-2b"), at=SECOND, token=""),
    )

    report = run_one(store, clock, waits)

    assert provider.requests[2:] == [IDENTIFY, since(FIRST), resume("t-2"), since(FIRST), resume("t-2b")]
    assert report.status == "ok", report.message
    assert report.counts == Counts(added=2, updated=1, unchanged=2)
    assert held(store) == {local(p) for p in (A, B, C, D)}
    [stored_source] = store.harvest_sources()
    assert (stored_source.harvested_from, stored_source.checkpoint) == (SECOND, None)


def test_a_saved_token_that_expired_falls_back_to_the_checkpoints_from(
    store: Store, provider: Provider, source: str, clock: Clock, waits: Waits
) -> None:
    provider.add(ident(FIRST), page([A], listing(), at=FIRST))
    run_one(store, clock, waits)
    clock.advance(3600)

    def kill(name: str, pages: int, counts: Counts, size: int | None) -> None:
        raise KilledError

    ahead = page([C], resume("t-2"), at=SECOND, token="")
    provider.add(ident(SECOND), page([B], since(FIRST), at=SECOND, token="t-2", size=2), ahead)
    with pytest.raises(KilledError):
        run_one(store, clock, waits, on_page=kill)
    clock.advance(86400)
    provider.add(
        error("badResumptionToken", "expired overnight", request=resume("t-2"), response_date=SECOND),
        page([B], since(FIRST), at=SECOND + timedelta(days=1), token="t-3", size=2),
        page([C], resume("t-3"), at=SECOND + timedelta(days=1), token=""),
    )

    report = run_one(store, clock, waits)

    assert provider.requests[5:] == [resume("t-2"), since(FIRST), resume("t-3")]
    assert (report.status, report.resumed) == ("ok", True), report.message
    assert report.counts == Counts(added=2, unchanged=1)
    assert held(store) == {local(A), local(B), local(C)}
    [stored_source] = store.harvest_sources()
    assert stored_source.harvested_from == SECOND


def test_a_token_that_expires_again_after_the_fallback_fails_the_run(
    store: Store, provider: Provider, source: str, clock: Clock, waits: Waits
) -> None:
    provider.add(
        ident(FIRST),
        page([A], listing(), at=FIRST, token="t-2", size=3),
        error("badResumptionToken", request=resume("t-2"), response_date=FIRST),
        page([A], listing(), at=FIRST, token="t-2b", size=3),
        error("badResumptionToken", request=resume("t-2b"), response_date=FIRST),
    )

    report = run_one(store, clock, waits)

    assert report.status == "failed"
    assert report.message is not None
    assert "badResumptionToken" in report.message
    assert "resumptionToken=t-2b" in report.message
    assert held(store) == {local(A)}


def test_a_deleted_header_makes_a_held_record_a_tombstone(
    store: Store, provider: Provider, source: str, clock: Clock, waits: Waits
) -> None:
    provider.add(ident(FIRST), page([A, B], listing(), at=FIRST))
    run_one(store, clock, waits)
    clock.advance(3600)
    gone = NOW + timedelta(minutes=30)
    deletions = [
        Item(oai_identifier(A.dataset.id), gone, deleted=True),
        Item(oai_identifier("never-held"), gone, deleted=True),
    ]
    provider.add(ident(SECOND), page(deletions, since(FIRST), at=SECOND))
    untouched = snapshot(store)[local(B)]

    report = run_one(store, clock, waits)

    # Every record of the page is counted: the deletion of one never held changes nothing here.
    assert (report.status, report.counts) == ("ok", Counts(deleted=1, unchanged=1))
    assert visibility(store, local(A), clock()) is Visibility.DELETED
    assert visibility(store, local(A), gone - timedelta(seconds=1)) is Visibility.PUBLIC
    tombstone = store.dataset(local(A))
    assert tombstone is not None
    assert tombstone.record.discarded
    assert tombstone.record.provenance is not None
    assert tombstone.record.provenance.datestamp == gone
    assert store.dataset(local("never-held")) is None
    assert held(store) == {local(A), local(B)}
    assert snapshot(store)[local(B)] == untouched

    clock.advance(3600)
    provider.add(ident(SECOND + timedelta(hours=1)), page(deletions[:1], since(SECOND), at=SECOND))
    again = run_one(store, clock, waits)
    assert again.counts == Counts(unchanged=1)


TRANSIENT: list[tuple[str, Reply, list[float], Limits]] = [
    ("503-retry-after", Reply(b"maintenance", status=503, headers={"Retry-After": "3"}), [3.0], LIMITS),
    ("429-retry-after", Reply(b"slow down", status=429, headers={"Retry-After": "7"}), [7.0], LIMITS),
    ("429-backoff", Reply(b"slow down", status=429), [1.0], LIMITS),
    ("500", Reply(b"oops", status=500), [1.0], LIMITS),
    ("timeout", Reply(b"", delay=3.0), [1.0], replace(LIMITS, timeout=0.5)),
    ("connection-lost", Reply(b"<OAI-PMH" + b" " * 1000, cut=100), [1.0], LIMITS),
]


@pytest.mark.parametrize(("transient", "expected_waits", "limits"), [t[1:] for t in TRANSIENT],
                         ids=[t[0] for t in TRANSIENT])  # fmt: skip
def test_a_transient_failure_mid_run_is_waited_out(
    transient: Reply,
    expected_waits: list[float],
    limits: Limits,
    store: Store,
    provider: Provider,
    source: str,
    clock: Clock,
    waits: Waits,
) -> None:
    provider.add(
        ident(FIRST),
        page([A], listing(), at=FIRST, token="page-2", size=2),
        transient,
        page([B], resume("page-2"), at=FIRST, token=""),
    )

    report = run_one(store, clock, waits, limits=limits)

    assert (report.status, report.counts, report.pages) == ("ok", Counts(added=2), 2), report.message
    assert waits == expected_waits
    assert provider.requests[2:] == [resume("page-2"), resume("page-2")]


def test_a_source_that_keeps_failing_is_reported_and_the_others_still_run(
    store: Store, clock: Clock, waits: Waits
) -> None:
    failing = [Reply(b"oops", status=500)] * (LIMITS.retries + 1)
    with (
        Provider([ident(FIRST), page([A], listing(), at=FIRST, token="page-2", size=2), *failing]) as broken,
        Provider([ident(FIRST), page([A, B], listing(), at=FIRST)]) as good,
    ):
        add_source(store, "broken", broken.url, now=clock())
        add_source(store, "good", good.url, now=clock())

        reports = run(store, clock, waits)

    assert [(r.source, r.status) for r in reports] == [("broken", "failed"), ("good", "ok")]
    message = reports[0].message
    assert message is not None
    assert f"{broken.url}: gave up after 3 attempt(s) at verb=ListRecords, resumptionToken=page-2: HTTP 500" in message
    assert waits == [1.0, 2.0]
    assert held(store) == {
        f"broken.{REPOSITORY}.{A.dataset.id}",
        f"good.{REPOSITORY}.{A.dataset.id}",
        f"good.{REPOSITORY}.{B.dataset.id}",
    }
    assert [r.status for r in store.harvest_runs("broken")] == ["failed"]
    assert [r.status for r in store.harvest_runs("good")] == ["ok"]


def test_an_unknown_source_name_is_refused(store: Store, clock: Clock, waits: Waits) -> None:
    with pytest.raises(StoreError, match="no harvest source named 'nowhere'"):
        run(store, clock, waits, "nowhere")


HOSTILE: list[tuple[str, Callable[[Provider, bytes], Reply | bytes], str | None]] = [
    ("truncated", lambda _, good: truncated(good), "malformed XML at line"),
    ("xxe-file", lambda _, good: external_entity("file:///etc/passwd"), "declares a DTD"),
    ("xxe-http", lambda provider, good: external_entity(f"{provider.base}/xxe"), "declares a DTD"),
    ("billion-laughs", lambda _, good: billion_laughs(), None),
    ("not-oai", lambda _, good: b"<html><body>We are down for maintenance</body></html>", "not an OAI-PMH 2.0"),
    ("too-large", lambda _, good: good.replace(b"</ListRecords>", b" " * 500_000 + b"</ListRecords>"), "larger"),
    ("gzip-bomb", lambda _, good: gzipped(oai_root(b" " * 5_000_000)), "larger than 400000 bytes"),
    ("too-deep", lambda _, good: oai_root(b"<a>" * 100 + b"</a>" * 100), "nest deeper than 64 levels"),
]


@pytest.mark.parametrize(("hostile", "expected"), [(make, expected) for _, make, expected in HOSTILE],
                         ids=[name for name, _, _ in HOSTILE])  # fmt: skip
def test_a_hostile_page_stops_the_run_and_leaves_the_catalog_as_the_page_before(
    hostile: Callable[[Provider, bytes], Reply | bytes],
    expected: str | None,
    store: Store,
    provider: Provider,
    source: str,
    clock: Clock,
    waits: Waits,
) -> None:
    provider.add(ident(FIRST), page([A, B], listing(), at=FIRST, token="page-2", size=4))
    provider.add(hostile(provider, page([C, D], resume("page-2"), at=FIRST, token="")))
    after_page_one: list[dict[str, Any]] = []
    report = run_one(store, clock, waits, on_page=lambda *_: after_page_one.append(snapshot(store)))

    assert report.status == "failed"
    assert report.message is not None
    assert "resumptionToken=page-2" in report.message
    if expected is not None:
        assert expected in report.message
    assert [snapshot(store)] == after_page_one
    assert held(store) == {local(A), local(B)}
    saved = checkpoint_of(store)
    assert saved is not None
    assert (saved.token, saved.pages) == ("page-2", 1)
    assert provider.hits == ["/oai"] * 3, "the harvester fetched something a page pointed at"
    assert waits == []


def test_a_record_with_an_archive_datasets_id_fails_and_the_archive_keeps_its_own(
    store: Store, provider: Provider, source: str, clock: Clock, waits: Waits
) -> None:
    archives = {
        "type": "dataset",
        "id": local(A),
        "title": {"en": "The archive's own dataset, whose id a harvested record would take"},
        "category": "observation",
        "creators": [{"name": "ISAS", "kind": "organization"}],
        "access": {"status": "public"},
    }
    load_lines(store, [Line("archive.jsonl", 1, json.dumps(archives))], now=NOW)
    before = snapshot(store)
    provider.add(ident(FIRST), page([A, B], listing(), at=FIRST))

    report = run_one(store, clock, waits)

    assert report.status == "ok"
    assert report.counts == Counts(added=1, failed=1)
    [problem] = report.problems
    assert problem.startswith(f"{oai_identifier(A.dataset.id)}: ")
    assert "held by the archive's own records" in problem
    assert snapshot(store)[local(A)] == before[local(A)]
    own = store.dataset(local(A))
    assert own is not None
    assert (own.source, own.record.provenance) == ("", None)
    assert held(store) == {local(A), local(B)}

    clock.advance(3600)
    provider.add(
        ident(SECOND), page([Item(oai_identifier(A.dataset.id), SECOND, deleted=True)], since(FIRST), at=SECOND)
    )
    deleting = run_one(store, clock, waits)
    assert (deleting.status, deleting.counts) == ("ok", Counts(unchanged=1))
    assert snapshot(store)[local(A)] == before[local(A)]
    assert visibility(store, local(A), clock()) is Visibility.PUBLIC


def test_the_archives_loader_never_overwrites_a_harvested_record(
    store: Store, provider: Provider, source: str, clock: Clock, waits: Waits
) -> None:
    provider.add(ident(FIRST), page([A], listing(), at=FIRST))
    run_one(store, clock, waits)
    before = snapshot(store)
    archives = {
        "type": "dataset",
        "id": local(A),
        "title": {"en": "The archive's own, loaded over a harvested record"},
        "category": "observation",
        "creators": [{"name": "ISAS", "kind": "organization"}],
        "access": {"status": "public"},
    }
    with pytest.raises(LoadError) as refused:
        load_lines(store, [Line("archive.jsonl", 1, json.dumps(archives))], now=clock())
    [problem] = refused.value.problems
    assert (problem.line, problem.field) == (1, "id")
    assert "held by harvest source 'prov'" in problem.message
    assert snapshot(store) == before


def test_a_record_the_inverse_crosswalk_rejects_fails_and_the_rest_of_the_page_is_written(
    store: Store, provider: Provider, source: str, clock: Clock, waits: Waits
) -> None:
    untitled = etree.fromstring(C.metadata)
    for titles in list(untitled.iter("{http://datacite.org/schema/kernel-4}titles")):
        parent = titles.getparent()
        assert parent is not None
        parent.remove(titles)
    rejected = [
        Item(oai_identifier("in-dublin-core"), STAMP, payloads("oai_dc")[0].metadata),
        Item(oai_identifier("without-metadata"), STAMP),
        Item(oai_identifier(C.dataset.id), STAMP, etree.tostring(untitled)),
    ]
    provider.add(ident(FIRST), page([A, *rejected, B], listing(), at=FIRST, validate=False))

    report = run_one(store, clock, waits)

    assert report.status == "ok"
    assert report.counts == Counts(added=2, failed=3)
    assert [p.split(": ", 1)[0] for p in report.problems] == [r.identifier for r in rejected]
    assert "has no metadata" in report.problems[1]
    assert held(store) == {local(A), local(B)}
    [harvest_run] = store.harvest_runs(SOURCE)
    assert harvest_run.summary["problems"] == list(report.problems)


def test_two_identifiers_with_the_same_local_part_never_share_a_dataset(
    store: Store, provider: Provider, source: str, clock: Clock, waits: Waits
) -> None:
    """An aggregating provider lists records of two repositories whose local parts agree: each is its own record
    there, so neither may take the other's dataset here (`dataset_id` promises one id per identifier)."""
    one, two = "oai:one.example.org:obs-1", "oai:two.example.org:obs-1"
    provider.add(ident(FIRST), page([Item(one, STAMP, A.metadata), Item(two, STAMP, B.metadata)], listing(), at=FIRST))

    report = run_one(store, clock, waits)

    identifiers = {d.record.provenance.identifier for d in store.all_datasets() if d.record.provenance is not None}
    assert one in identifiers, f"{two} overwrote {one}: {report.counts}"
    assert report.counts.updated == 0


def test_remove_source_makes_its_datasets_tombstones_and_forgets_it(
    store: Store, provider: Provider, source: str, clock: Clock, waits: Waits
) -> None:
    own = {
        "type": "dataset",
        "id": "archive-own",
        "title": {"en": "The archive's own"},
        "category": "observation",
        "creators": [{"name": "ISAS", "kind": "organization"}],
        "access": {"status": "public"},
    }
    load_lines(store, [Line("archive.jsonl", 1, json.dumps(own))], now=NOW)
    provider.add(ident(FIRST), page([A, B], listing(), at=FIRST))
    run_one(store, clock, waits)
    archive_before = snapshot(store)["archive-own"]
    clock.advance(3600)

    removed = remove_source(store, SOURCE, now=clock())

    assert removed == 2
    for p in (A, B):
        assert visibility(store, local(p), clock()) is Visibility.DELETED
        assert visibility(store, local(p), clock() - timedelta(seconds=1)) is Visibility.PUBLIC
    assert snapshot(store)["archive-own"] == archive_before
    assert store.harvest_sources() == []
    assert store.harvest_runs(SOURCE) == []
    with pytest.raises(StoreError, match="no harvest source named 'prov'"):
        remove_source(store, SOURCE, now=clock())
