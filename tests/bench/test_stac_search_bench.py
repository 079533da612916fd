"""bench/stac_search.py: its synthetic archive keeps the contract, its checks catch bad answers, and a tiny run
against a live `isas-catalog serve` prints its tables and verdicts with no failed request."""

import re
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bench.stac_search import (
    LIMIT,
    Answer,
    Request,
    check,
    granule_counts,
    main,
    next_request,
    order_problem,
    plan,
    synthesize,
)
from catalog.contract import problems


def test_synthetic_archive_keeps_the_contract_and_its_mix() -> None:
    records = list(synthesize(3_000, 90))
    assert [problem for record in records for problem in problems(record)] == []
    kinds = Counter(record["type"] for record in records)
    assert kinds["dataset"] == 90
    assert kinds["granule"] == 3_000
    granules = [record for record in records if record["type"] == "granule"]
    earth = sum("bbox" in granule for granule in granules)
    assert all(("geometry" in granule) == ("bbox" in granule) for granule in granules)
    assert 0.04 < earth / len(granules) < 0.2
    assert all(isinstance(granule["properties"]["exposure_s"], float) for granule in granules)
    access = Counter(p.access for p in plan(90))
    assert set(access) == {"public", "proprietary", "restricted", "hidden"}


def test_synthetic_archive_is_deterministic() -> None:
    assert list(synthesize(500, 12)) == list(synthesize(500, 12))


def test_granule_counts_add_up() -> None:
    counts = granule_counts(plan(300), 1_000_001)
    assert sum(counts) == 1_000_001
    assert min(counts) > 0


def _page(features: int, collection: str = "public-one", **extra: object) -> Answer:
    document = {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "id": str(n), "collection": collection} for n in range(features)],
        **extra,
    }
    return Answer(200, 0.01, document, None)


SEARCH = Request("search", "/stac/search?limit=10")
HIDDEN = frozenset({"hidden-one"})
RESTRICTED = frozenset({"restricted-one"})


def test_check_accepts_a_page() -> None:
    assert check(SEARCH, _page(LIMIT, numberReturned=LIMIT), HIDDEN, RESTRICTED) is None


@pytest.mark.parametrize(
    ("answer", "problem"),
    [
        (Answer(500, 0.01, None, "HTTP 500: b'boom'"), "HTTP 500"),
        (Answer(200, 0.01, {"type": "Feature"}, None), "not a FeatureCollection"),
        (_page(LIMIT + 1), "features on a page of limit"),
        (_page(2, numberReturned=3), "numberReturned 3"),
        (_page(1, "hidden-one"), "undisclosed collection"),
    ],
)
def test_check_rejects_what_is_not_a_page(answer: Answer, problem: str) -> None:
    found = check(SEARCH, answer, HIDDEN, RESTRICTED)
    assert found is not None
    assert problem in found


def test_check_rejects_assets_of_a_restricted_item() -> None:
    item = Request("item", "/stac/collections/restricted-one/items/1", item=True)
    document = {"type": "Feature", "id": "1", "collection": "restricted-one", "assets": {"data": {"href": "x"}}}
    found = check(item, Answer(200, 0.01, document, None), HIDDEN, RESTRICTED)
    assert found is not None
    assert "has assets" in found


def test_next_request_follows_get_and_post_links() -> None:
    get = {"links": [{"rel": "self", "href": "a"}, {"rel": "next", "href": "http://h/stac/search?token=t"}]}
    assert next_request("k", get) == Request("k", "http://h/stac/search?token=t")
    post = {"links": [{"rel": "next", "href": "http://h/stac/search", "method": "POST", "body": {"token": "t"}}]}
    assert next_request("k", post) == Request("k", "http://h/stac/search", {"token": "t"})
    assert next_request("k", {"links": [{"rel": "prev", "href": "p"}]}) is None


def test_a_tiny_run_prints_its_tables_and_meets_no_failure(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status = main(
        [
            "--granules", "2000", "--datasets", "12", "--backends", "sqlite", "--queries", "4", "--warmup", "1",
            "--deep-pages", "12", "--clients", "2", "--keep", str(tmp_path),
        ]
    )  # fmt: skip
    out = capsys.readouterr().out
    assert "FAILED" not in out, out
    assert status == 0, out
    kinds = ("bbox+datetime GET", "collection+datetime sorted", "cql2 property", "cql2 mission", "item GET")
    for kind in kinds:
        row = re.search(rf"^sqlite +{re.escape(kind)} +(\d+) +0 +[\d.]+ +[\d.]+ +[\d.]+ ", out, re.MULTILINE)
        assert row is not None, f"no row for {kind}:\n{out}"
        assert int(row[1]) == 4
    walk = re.search(r"^sqlite +deep GET default order +12 +0 ", out, re.MULTILINE)
    assert walk is not None, out
    assert re.search(r"page 12 [\d.]+ ms / page 1 [\d.]+ ms = [\d.]+: target <= 1.5", out), out
    assert re.search(r"^sqlite +mixed, 2 clients +8 +0 ", out, re.MULTILINE), out
    assert "server peak RSS" in out
    assert list(tmp_path.glob("stac-2000-12-*.sqlite")), "the loaded store is kept for the next run"


def _items(*pairs: tuple[str, str]) -> list[dict[str, Any]]:
    return [{"collection": "c", "id": key, "properties": {"datetime": moment}} for key, moment in pairs]


def test_a_walk_that_repeats_an_item_or_goes_back_in_time_is_out_of_order() -> None:
    seen: set[tuple[str, str]] = set()
    problem, latest = order_problem(
        _items(("a", "2020-01-02T00:00:00Z"), ("b", "2020-01-01T00:00:00Z")), seen, None, True
    )
    assert problem is None
    assert latest == datetime(2020, 1, 1, tzinfo=UTC)
    again, _ = order_problem(_items(("a", "2019-01-01T00:00:00Z")), seen, latest, False)
    assert again == "item c/a again"
    later, _ = order_problem(_items(("c", "2021-01-01T00:00:00Z")), seen, latest, True)
    assert later is not None
    assert "after one at" in later
    assert order_problem(_items(("d", "2021-01-01T00:00:00Z")), seen, latest, False)[0] is None
