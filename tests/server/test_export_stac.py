"""`isas-catalog export-stac`: the demo archive's public view as a self-contained static STAC catalog."""

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pystac
import pytest
from click.testing import CliRunner

from catalog.demo import demo_records
from catalog.policy import granule_visibility_at, visibility_at
from catalog.records import Dataset, Granule
from catalog.store import open_store
from catalog.vocab import Visibility
from server.cli import main
from server.stac import export
from server.stac.export import ExportError, export_stac
from tests.conftest import NOW
from tests.stac_schemas import validate_stac

GRANULES = 400
BASE_URL = "https://catalog.example.org"
SHOWN = (Visibility.PUBLIC, Visibility.RESTRICTED)
SECRET = {
    "status": "restricted",
    "reason": "rights-granted",
    "disclose": False,
    "scope": "a partner",
    "until": "2031-01-01",
}
UNDISCLOSED_GRANULES = (
    {"type": "granule", "id": "undisclosed-granule-of-a-public-dataset", "dataset": "hayabusa-amica-l1",
     "datetime": "2005-10-01T00:00:00Z", "access": SECRET,
     "assets": [{"href": "https://data.example.org/secret.fits", "roles": ["data"]}]},
    {"type": "granule", "id": "granule-of-an-undisclosed-dataset", "dataset": "ss-520-x-hk",
     "datetime": "2020-01-01T00:00:00Z"},
)  # fmt: skip
"""Granules the public may never see, loaded beside the demo archive."""


@dataclass(frozen=True, slots=True)
class Expected:
    """What the policy says the public may see of the demo archive at `NOW`."""

    collections: dict[str, Visibility]
    items: dict[tuple[str, str], Visibility]
    """By (collection, item id): granule ids are unique within their dataset only."""
    hidden: frozenset[str]


def run(env: dict[str, str], *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), env=env)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A store holding the demo archive built for `NOW`'s day with a few hundred granules."""
    folder = tmp_path_factory.mktemp("export")
    variables = {"CATALOG_DATABASE_URL": f"sqlite:///{folder / 'demo.sqlite'}", "CATALOG_BASE_URL": BASE_URL}
    code, output = run(variables, "demo", "--granules", str(GRANULES), "--today", NOW.date().isoformat())
    assert code == 0, output
    extra = folder / "undisclosed.jsonl"
    extra.write_text("".join(json.dumps(record) + "\n" for record in UNDISCLOSED_GRANULES), encoding="utf-8")
    code, output = run(variables, "load", str(extra))
    assert code == 0, output
    return variables


@pytest.fixture(scope="module")
def expected() -> Expected:
    records = [*demo_records(granules=GRANULES, today=NOW.date()), *UNDISCLOSED_GRANULES]
    datasets = {r["id"]: Dataset.from_dict(r) for r in records if r["type"] == "dataset"}
    granules = [Granule.from_dict(r) for r in records if r["type"] == "granule"]
    collections = {d.id: visibility_at(d, NOW) for d in datasets.values()}
    items = {(g.dataset, g.id): granule_visibility_at(g, datasets[g.dataset], NOW) for g in granules}
    shown_ids = {i for (_, i), v in items.items() if v in SHOWN} | {i for i, v in collections.items() if v in SHOWN}
    hidden = {i for i, v in collections.items() if v is Visibility.HIDDEN}
    hidden |= {i for (_, i), v in items.items() if v is Visibility.HIDDEN and i not in shown_ids}
    return Expected(
        collections={i: v for i, v in collections.items() if v in SHOWN},
        items={i: v for i, v in items.items() if v in SHOWN},
        hidden=frozenset(hidden),
    )


@pytest.fixture(scope="module")
def exported(env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("static") / "stac"
    code, output = run(env, "export-stac", str(directory), "--at", "2026-11-21T12:00:00Z")
    assert code == 0, output
    assert "collections" in output
    return directory


def documents(directory: Path) -> Iterator[tuple[Path, dict[str, Any]]]:
    for path in sorted(directory.rglob("*.json")):
        yield path, json.loads(path.read_text(encoding="utf-8"))


def test_every_file_validates_offline(exported: Path) -> None:
    kinds: dict[str, int] = {}
    for path, document in documents(exported):
        validate_stac(document)
        kinds[document["type"]] = kinds.get(document["type"], 0) + 1
        assert not any(link["rel"] == "self" for link in document["links"]), path
        for link in document["links"]:
            if link["rel"] in ("root", "parent", "child", "item", "collection"):
                assert not link["href"].startswith("http"), (path, link)
                assert (path.parent / link["href"]).resolve().is_file(), (path, link)
    assert kinds["Catalog"] > 5
    assert kinds["Collection"] > 50
    assert kinds["Feature"] > 100


def test_pystac_reads_a_self_contained_catalog_with_what_the_policy_shows(exported: Path, expected: Expected) -> None:
    root_document = json.loads((exported / "catalog.json").read_text(encoding="utf-8"))
    assert pystac.CatalogType.determine_type(root_document) is pystac.CatalogType.SELF_CONTAINED
    root = pystac.Catalog.from_file(str(exported / "catalog.json"))
    collections = {c.id: c for c in root.get_all_collections()}
    assert set(collections) == set(expected.collections)
    items = list(root.get_items(recursive=True))
    assert sorted((str(item.collection_id), item.id) for item in items) == sorted(expected.items)
    for item in items:
        restricted = expected.items[str(item.collection_id), item.id] is Visibility.RESTRICTED
        assert item.properties["isas:access"] == ("restricted" if restricted else "public")
        assert not item.assets if restricted else item.assets, item.id
        assert item.collection_id in collections
    for collection_id, collection in collections.items():
        restricted = expected.collections[collection_id] is Visibility.RESTRICTED
        assert collection.extra_fields["isas:access"] == ("restricted" if restricted else "public")
        if restricted:
            assert not collection.assets
            assert "isas:access_reason" in collection.extra_fields
    assert any(v is Visibility.RESTRICTED for v in expected.items.values())
    assert any(v is Visibility.RESTRICTED for v in expected.collections.values())


def test_no_undisclosed_id_appears_in_any_file(exported: Path, expected: Expected) -> None:
    assert {record["id"] for record in UNDISCLOSED_GRANULES} <= expected.hidden
    assert "ss-520-x-hk" in expected.hidden
    texts = "\n".join(path.read_text(encoding="utf-8") for path in exported.rglob("*.json"))
    paths = "\n".join(str(path.relative_to(exported)) for path in exported.rglob("*"))
    for identifier in expected.hidden:
        pattern = re.compile(rf"(?<![\w.-]){re.escape(identifier)}(?![\w.-])")
        assert not pattern.search(texts), identifier
        assert not pattern.search(paths), identifier
    assert "secret.fits" not in texts


def test_the_summary_counts_what_was_written(env: dict[str, str], expected: Expected, tmp_path: Path) -> None:
    store = open_store(env["CATALOG_DATABASE_URL"])
    try:
        summary = export_stac(store, tmp_path / "out", NOW, BASE_URL, "darts.isas.jaxa.jp")
    finally:
        store.dispose()
    assert summary.collections == len(expected.collections)
    assert summary.items == len(expected.items)
    assert summary.restricted_items == sum(v is Visibility.RESTRICTED for v in expected.items.values())
    assert summary.restricted_collections == sum(v is Visibility.RESTRICTED for v in expected.collections.values())


def test_granules_are_streamed_page_by_page(
    env: dict[str, str], expected: Expected, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export, "PAGE", 7)
    store = open_store(env["CATALOG_DATABASE_URL"])
    calls: list[int] = []
    original = store.granules_page

    def page(*args: Any, **kwargs: Any) -> Any:
        found = original(*args, **kwargs)
        calls.append(len(found))
        assert len(found) <= 7
        return found

    monkeypatch.setattr(store, "granules_page", page)
    try:
        summary = export_stac(store, tmp_path / "out", NOW, BASE_URL, "darts.isas.jaxa.jp")
    finally:
        store.dispose()
    assert summary.items == len(expected.items)
    assert max(calls) == 7
    assert len(calls) > len(expected.items) // 7
    for _, document in documents(tmp_path / "out"):
        validate_stac(document)


def test_a_non_empty_directory_is_refused_unless_forced(env: dict[str, str], tmp_path: Path) -> None:
    directory = tmp_path / "site"
    directory.mkdir()
    (directory / "notes.txt").write_text("mine")
    code, output = run(env, "export-stac", str(directory))
    assert code != 0
    assert "not empty" in output
    code, output = run(env, "export-stac", str(directory), "--force")
    assert code != 0
    assert "not a STAC export" in output
    assert (directory / "notes.txt").read_text() == "mine"
    (directory / "notes.txt").unlink()
    assert run(env, "export-stac", str(directory), "--at", "2026-11-21")[0] == 0
    stale = directory / "stale-mission"
    stale.mkdir()
    (stale / "catalog.json").write_text("{}")
    code, output = run(env, "export-stac", str(directory), "--at", "2026-11-21")
    assert code != 0
    code, output = run(env, "export-stac", str(directory), "--at", "2026-11-21", "--force")
    assert code == 0, output
    assert not stale.exists()
    assert (directory / "catalog.json").is_file()


def test_a_file_is_not_a_directory(tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("x")
    store = open_store(f"sqlite:///{tmp_path / 'empty.sqlite'}")
    try:
        with pytest.raises(ExportError, match="not a directory"):
            export_stac(store, target, NOW, BASE_URL, "darts.isas.jaxa.jp")
    finally:
        store.dispose()
