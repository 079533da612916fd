"""An OAI-PMH harvest that runs while the catalog changes under it misses nothing and repeats nothing.

The guarantee (OAI-PMH issue, resumption tokens): a list is paged by keyset on `(datestamp, id)`, and its upper
bound `until` is frozen at the first page's moment (to the second). So, for a harvest during which records are
added, changed, discarded, withdrawn or released by the clock:

1. no identifier appears twice in one harvest, and the datestamps never decrease along its pages;
2. every record listed at the first page's moment whose datestamp has not moved since appears exactly once;
3. a record whose datestamp moved during the harvest appears at most once in it (it may have been passed already,
   or it may have jumped past the frozen upper bound), and it shows up in the next incremental harvest, the one
   `from` the first harvest's `responseDate`, if it is still listed (public, restricted or deleted);
4. every header tells what the public could see at its page's moment, and a dataset the public never saw is
   never listed: a withdrawal (discard, or a reload that makes it undisclosed) of a shown dataset is a `deleted`
   header, of a never-shown one nothing at all.

Between pages the clock moves 1-5 s and Hypothesis picks an operation: load a new dataset, change a title,
discard (the discard moment may lie a few seconds ahead, so the clock alone deletes it), withdraw it by making
it undisclosed, or nothing. The initial catalog also holds restricted datasets that the clock releases during
the harvest. The oracle is the store itself, read after every page: what it says each dataset's visibility and
datestamp were at that page's moment.
"""

import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from catalog.store import Store, migrate
from catalog.vocab import Visibility
from harvest.loader import Line, load_lines
from server import create_app
from server.oai.handlers import LISTED
from server.oai.protocol import format_datestamp
from tests.conftest import Clock

T0 = datetime(2026, 11, 21, 12, 0, 0, tzinfo=UTC)
PUBLIC_AT_T0 = 20
PAGE_SIZE = 3
OAI = "{http://www.openarchives.org/OAI/2.0/}"

Snapshot = dict[str, tuple[Visibility, datetime]]
"""Each dataset's visibility and datestamp at a moment, as the store says."""


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def dataset(dataset_id: str, title: str, access: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "type": "dataset",
        "id": dataset_id,
        "title": {"en": title},
        "category": "observation",
        "creators": [{"name": "Test team", "kind": "organization"}],
        "access": access or {"status": "public"},
    }


def restricted(until: datetime, *, disclose: bool, after: str) -> dict[str, Any]:
    access: dict[str, Any] = {
        "status": "restricted",
        "reason": "privacy-or-safety",
        "scope": "Range safety office",
        "until": stamp(until),
        "after": after,
    }
    if not disclose:
        access["disclose"] = False
    return access


UNDISCLOSED = restricted(datetime(2031, 3, 31, tzinfo=UTC), disclose=False, after="review")


@dataclass(frozen=True, slots=True)
class Header:
    dataset_id: str
    datestamp: str
    deleted: bool


@dataclass
class Page:
    moment: datetime
    headers: list[Header]
    snapshot: Snapshot


@dataclass
class Harvest:
    response_date: str
    pages: list[Page] = field(default_factory=list)

    def headers(self) -> list[Header]:
        return [h for page in self.pages for h in page.headers]

    def ids(self) -> list[str]:
        return [h.dataset_id for h in self.headers()]


def snapshot(store: Store, moment: datetime) -> Snapshot:
    return {s.record.id: (s.visibility(moment), s.datestamp(moment)) for s in store.all_datasets()}


def parse(body: bytes) -> tuple[str, list[Header], str | None, str | None]:
    """The responseDate, headers, resumptionToken (None when absent) and error code (None when none) of a page."""
    root = etree.fromstring(body)
    response_date = root.findtext(f"{OAI}responseDate")
    assert response_date is not None
    error = root.find(f"{OAI}error")
    if error is not None:
        return response_date, [], None, error.get("code")
    headers = []
    for element in root.iter(f"{OAI}header"):
        identifier = element.findtext(f"{OAI}identifier")
        datestamp = element.findtext(f"{OAI}datestamp")
        assert identifier is not None
        assert identifier.startswith("oai:"), identifier
        assert datestamp is not None
        headers.append(Header(identifier.rsplit(":", 1)[1], datestamp, element.get("status") == "deleted"))
    token = root.find(f".//{OAI}resumptionToken")
    return response_date, headers, None if token is None or not token.text else token.text, None


def harvest(
    client: FlaskClient, store: Store, clock: Clock, between: Callable[[], None], since: str | None = None
) -> Harvest:
    """ListIdentifiers to the end, calling `between` after each page that has a successor."""
    query: dict[str, str] = {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"}
    if since is not None:
        query["from"] = since
    result: Harvest | None = None
    while True:
        response = client.get("/oai", query_string=query)
        assert response.status_code == 200
        response_date, headers, token, error = parse(response.data)
        if result is None:
            result = Harvest(response_date)
        if error is not None:
            assert error == "noRecordsMatch", error
            assert not result.pages, "an error after the first page"
            return result
        result.pages.append(Page(clock.now, headers, snapshot(store, clock.now)))
        if token is None:
            return result
        between()
        query = {"verb": "ListIdentifiers", "resumptionToken": token}


class Catalog:
    """The app over a fresh store, the documents it holds and the operations Hypothesis may apply."""

    def __init__(self, directory: Path, clock: Clock) -> None:
        url = f"sqlite:///{directory / 'catalog.sqlite'}"
        migrate(url)
        self.clock = clock
        self.app: Flask = create_app(
            {
                "TESTING": True,
                "DATABASE_URL": url,
                "CLOCK": clock,
                "BASE_URL": "http://catalog.test",
                "OAI_PAGE_SIZE": PAGE_SIZE,
            }
        )
        self.store: Store = self.app.extensions["catalog.store"]
        self.docs: dict[str, dict[str, Any]] = {}
        self.versions = 0
        self.touched: set[str] = set()

    def load(self, *docs: dict[str, Any]) -> None:
        lines = [Line("test", number, json.dumps(doc)) for number, doc in enumerate(docs, 1)]
        load_lines(self.store, lines, now=self.clock.now, workers=0)
        for doc in docs:
            self.docs[doc["id"]] = doc

    def operate(self, operation: str, target: str, offset: int) -> None:
        self.versions += 1
        if operation == "add":
            self.load(dataset(f"new-{self.versions:03d}", f"Added dataset {self.versions}"))
            self.touched.add(f"new-{self.versions:03d}")
            return
        doc = json.loads(json.dumps(self.docs[target]))
        if operation == "retitle":
            doc["title"] = {"en": f"Retitled dataset {target}, version {self.versions}"}
        elif operation == "discard":
            if "lifecycle" in doc:
                return
            doc["lifecycle"] = {
                "state": "discarded",
                "discarded": stamp(self.clock.now + timedelta(seconds=offset)),
                "reason": "Superseded; withdrawn during a harvest.",
            }
        elif operation == "undisclose":
            doc["access"] = UNDISCLOSED
        else:
            return
        self.touched.add(target)
        self.load(doc)


OPERATIONS = st.sampled_from(["add", "retitle", "discard", "undisclose", "nothing"])


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    releases=st.lists(
        st.tuples(st.integers(min_value=1, max_value=90), st.booleans(), st.booleans()), min_size=0, max_size=6
    ),
    data=st.data(),
)
def test_a_harvest_during_changes_misses_and_repeats_nothing(
    releases: list[tuple[int, bool, bool]], data: st.DataObject
) -> None:
    clock = Clock(T0)
    with tempfile.TemporaryDirectory() as directory:
        catalog = Catalog(Path(directory), clock)
        try:
            initial = [dataset(f"ds-{n:02d}", f"Dataset {n}") for n in range(PUBLIC_AT_T0)]
            for n, (seconds, disclose, release) in enumerate(releases):
                after = "release" if release else "review"
                access = restricted(T0 + timedelta(seconds=seconds), disclose=disclose, after=after)
                initial.append(dataset(f"rs-{n:02d}", f"Restricted dataset {n}", access))
            catalog.load(*initial)
            clock.advance(10)
            client = catalog.app.test_client()

            def between() -> None:
                clock.advance(data.draw(st.integers(min_value=1, max_value=5), label="seconds"))
                operation = data.draw(OPERATIONS, label="operation")
                target = data.draw(st.sampled_from(sorted(catalog.docs)), label="target")
                offset = data.draw(st.integers(min_value=-3, max_value=8), label="discard offset")
                catalog.operate(operation, target, offset)

            first = harvest(client, catalog.store, clock, between)
            clock.advance(1)
            second = harvest(client, catalog.store, clock, lambda: None, since=first.response_date)
            check(first, second, snapshot(catalog.store, clock.now), catalog.touched)
        finally:
            catalog.store.dispose()


def check(first: Harvest, second: Harvest, final: Snapshot, touched: set[str]) -> None:
    assert first.pages, "the catalog is never empty at the first page"
    start = first.pages[0].snapshot
    first_moment = datetime.fromisoformat(first.response_date)
    assert first_moment == first.pages[0].moment
    for run in (first, second):
        ids = run.ids()
        assert len(ids) == len(set(ids)), f"duplicated in one harvest: {sorted({i for i in ids if ids.count(i) > 1})}"
        stamps = [h.datestamp for h in run.headers()]
        assert stamps == sorted(stamps), f"datestamps decrease along the pages: {stamps}"
        for page in run.pages:
            for header in page.headers:
                visibility, datestamp = page.snapshot[header.dataset_id]
                assert visibility in LISTED, f"{header.dataset_id} is {visibility} at {page.moment} but listed"
                assert header.deleted == (visibility is Visibility.DELETED), (header, visibility)
                assert header.datestamp == format_datestamp(datestamp), (header, datestamp)
                assert header.datestamp <= first.response_date or run is second, (header, first.response_date)
    listed_at_start = {i for i, (v, _) in start.items() if v in LISTED}
    moved = {i for i, (_, d) in final.items() if i not in start or d != start[i][1]}
    steady = listed_at_start - moved
    harvested = set(first.ids())
    missed = steady - harvested
    assert not missed, f"listed at the first page, unchanged since, yet missed: {sorted(missed)}"
    listed_at_end = {i for i, (v, _) in final.items() if v in LISTED}
    assert {i for i in moved | touched if i in listed_at_end and final[i][1] >= first_moment} <= set(second.ids())
    expected_second = {i for i in listed_at_end if final[i][1] >= first_moment}
    assert set(second.ids()) == expected_second
    lost = listed_at_end - harvested - set(second.ids())
    assert not lost, f"listed now, in neither the harvest nor the incremental one: {sorted(lost)}"
