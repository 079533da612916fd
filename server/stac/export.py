"""The static export: the public view of the catalog at a moment, written as a self-contained STAC catalog.

The layout is pystac's for a SELF_CONTAINED catalog (`catalog.json` → `{mission}/catalog.json` →
`{mission}/{dataset}/collection.json` → `{mission}/{dataset}/{item}/{item}.json`, datasets without a mission
directly under the root), with relative links and no `self` links, so the folder can be copied to any object
store. Objects are mapped by `crosswalks.stac` and their links rewritten to files. Granules are streamed a page
at a time and each item is written as it comes, its `item` link appended to the open collection file: memory
does not grow with the number of granules (pystac's in-memory tree would hold them all).
"""

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote

import pystac

from catalog.policy import cap_by_dataset
from catalog.records import Mission
from catalog.store import Store, StoredDataset
from catalog.timeutil import format_time
from catalog.view import resolve_targets, view_of
from catalog.vocab import Visibility
from crosswalks.renditions import local_targets
from crosswalks.stac import StacUrls, collection_of, item_of, mission_catalog
from crosswalks.statements import text_in
from crosswalks.urls import DatasetUrls

ROOT_ID = "isas-catalog"
"""The root catalog's id, as the STAC API's landing page has it."""
ROOT_TITLE = "ISAS/JAXA Science Archive Catalog"
ROOT_FILE = "catalog.json"
CATALOG_FILE = "catalog.json"
COLLECTION_FILE = "collection.json"
PAGE = 500
"""Granules read from the store at a time."""
SHOWN = frozenset({Visibility.PUBLIC, Visibility.RESTRICTED})
NAVIGATION = frozenset({"self", "root", "parent", "child", "item", "items", "collection"})
"""The links a static catalog rewrites to files; every other link (licence, DOI, landing page…) stays absolute."""


class ExportError(Exception):
    """The export cannot start; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class ExportSummary:
    """What an export wrote: how many catalogs (root included), collections and items, and how many of those
    were restricted (shown without assets)."""

    directory: Path
    at: datetime
    catalogs: int
    collections: int
    items: int
    restricted_collections: int
    restricted_items: int


def export_stac(
    store: Store,
    directory: Path,
    at: datetime,
    base_url: str,
    repository_identifier: str,
    *,
    force: bool = False,
) -> ExportSummary:
    """Write what the public may see at `at` as a self-contained static STAC catalog under `directory`.

    Only datasets public or restricted at `at` become collections (hidden ones never appear; deleted ones are no
    STAC objects), only their granules public or restricted then become items; restricted ones carry their
    restriction and no assets. `directory` must be empty or absent; with `force`, a previous export in it is
    replaced (a directory holding anything else is still refused: nothing but an export is ever deleted).
    """
    _prepare(directory, force=force)
    catalog_base = base_url.rstrip("/")
    run = _Export(store, at, StacUrls(f"{catalog_base}/stac"), catalog_base, repository_identifier)
    datasets = sorted(
        (stored for stored in store.all_datasets() if stored.visibility(at) in SHOWN), key=lambda s: s.record.id
    )
    missions = {stored.record.id: stored.record for stored in store.missions()}
    members: dict[str | None, list[StoredDataset]] = {}
    for stored in datasets:
        mission_id = stored.record.mission if stored.record.mission in missions else None
        members.setdefault(mission_id, []).append(stored)
    for mission_id, stored_datasets in members.items():
        mission = missions[mission_id] if mission_id is not None else None
        folder = directory / _segment(mission_id) if mission_id is not None else directory
        if mission is not None:
            _write_mission(mission, [s.record.id for s in stored_datasets], folder, run.urls)
        for stored in stored_datasets:
            run.collection(stored, mission, folder / _segment(stored.record.id))
    _write_root(directory, at, missions, members)
    return ExportSummary(
        directory=directory,
        at=at,
        catalogs=1 + sum(mission_id is not None for mission_id in members),
        collections=run.collections,
        items=run.items,
        restricted_collections=run.restricted_collections,
        restricted_items=run.restricted_items,
    )


def _prepare(directory: Path, *, force: bool) -> None:
    if directory.exists() and not directory.is_dir():
        raise ExportError(f"{directory} is not a directory")
    entries = sorted(directory.iterdir()) if directory.exists() else []
    if entries and not force:
        raise ExportError(f"{directory} is not empty: choose an empty directory, or --force to replace an export")
    foreign = [entry.name for entry in entries if not _exported(entry)]
    if foreign:
        raise ExportError(
            f"{directory} holds files that are not a STAC export ({', '.join(foreign[:5])}): refusing to delete them"
        )
    for entry in entries:
        _remove(entry)
    directory.mkdir(parents=True, exist_ok=True)


def _exported(entry: Path) -> bool:
    """Whether a top-level entry of the directory is part of a previous export: the root or a catalog folder."""
    if entry.is_file():
        return entry.name == ROOT_FILE
    return (entry / CATALOG_FILE).is_file() or (entry / COLLECTION_FILE).is_file()


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        for child in path.iterdir():
            _remove(child)
        path.rmdir()
    else:
        path.unlink()


def _segment(identifier: str) -> str:
    """A folder or file name for an id: percent-quoted as in URLs, so no id can climb out of its folder."""
    quoted = quote(identifier, safe="")
    return quoted if quoted not in (".", "..") else quoted.replace(".", "%2E")


def _write_root(
    directory: Path, at: datetime, missions: Mapping[str, Mission], members: Mapping[str | None, Sequence[Any]]
) -> None:
    catalog = pystac.Catalog(
        id=ROOT_ID,
        title=ROOT_TITLE,
        description=f"{ROOT_TITLE}: the datasets of the ISAS/JAXA science archive that its data policy lets the "
        f"public see at {format_time(at)}, as STAC Collections grouped by mission, their granules as Items.",
        extra_fields={"isas:exported_at": format_time(at)},
    )
    catalog.clear_links()
    document = catalog.to_dict(include_self_link=False, transform_hrefs=False)
    links = [_file_link("root", f"./{ROOT_FILE}")]
    links += [
        _file_link("child", f"./{_segment(mission_id)}/{CATALOG_FILE}", _title(missions[mission_id]))
        for mission_id in sorted(m for m in members if m is not None)
    ]
    links += [
        _file_link("child", f"./{_segment(stored.record.id)}/{COLLECTION_FILE}") for stored in members.get(None, ())
    ]
    document["links"] = links
    _write(directory / ROOT_FILE, document)


def _write_mission(mission: Mission, collection_ids: Sequence[str], folder: Path, urls: StacUrls) -> None:
    document = mission_catalog(mission, collection_ids, urls)
    children = iter(f"./{_segment(dataset_id)}/{COLLECTION_FILE}" for dataset_id in collection_ids)
    document["links"] = list(_relinked(document["links"], "../", {"child": children}))
    _write(folder / CATALOG_FILE, document)


@dataclass(slots=True)
class _Export:
    """One export in progress: what every collection needs, and what has been written so far."""

    store: Store
    at: datetime
    urls: StacUrls
    catalog_base: str
    repository_identifier: str
    collections: int = 0
    items: int = 0
    restricted_collections: int = 0
    restricted_items: int = 0

    def dataset_urls(self, dataset_id: str) -> DatasetUrls:
        return DatasetUrls.of(self.catalog_base, dataset_id, repository_identifier=self.repository_identifier)

    def landing(self, dataset_id: str) -> str:
        return self.dataset_urls(dataset_id).landing

    def collection(self, stored: StoredDataset, mission: Mission | None, folder: Path) -> None:
        """Write a collection and its items, each item's link appended to the collection file as it is written."""
        dataset, at = stored.record, self.at
        local = local_targets(dataset)
        related = resolve_targets(local, self.store.related_targets(local), at, self.landing)
        view = view_of(dataset, stored.timeline, stored.changed, at, related)
        assert view is not None, f"dataset {dataset.id} is shown at {at} but has no view"
        document = collection_of(dataset, view, self.urls, self.dataset_urls(dataset.id), mission)
        root = "../" * (1 if mission is None else 2)
        links = list(_relinked(document.pop("links"), root, {}))
        self.collections += 1
        self.restricted_collections += view.visibility is Visibility.RESTRICTED
        dataset_visibility = stored.visibility(at)
        folder.mkdir(parents=True, exist_ok=True)
        with (folder / COLLECTION_FILE).open("w", encoding="utf-8") as stream:
            head = json.dumps(document, ensure_ascii=False, indent=2)
            stream.write(head[: head.rindex("}")].rstrip() + ',\n  "links": [')
            _write_links(stream, links, first=True)
            for granules in _pages(self.store, dataset.id, at):
                for granule in granules:
                    visibility = cap_by_dataset(dataset_visibility, granule.timeline.at(at))
                    if visibility not in SHOWN:
                        continue
                    item = item_of(granule.record, dataset, visibility, at, self.urls)
                    name = _segment(granule.record.id)
                    item["links"] = list(_relinked(item["links"], "../" + root, {}))
                    _write(folder / name / f"{name}.json", item)
                    _write_links(stream, [_file_link("item", f"./{name}/{name}.json", media_type=GEOJSON)])
                    self.items += 1
                    self.restricted_items += visibility is Visibility.RESTRICTED
            stream.write("\n  ]\n}\n")


def _pages(store: Store, dataset_id: str, at: datetime) -> Iterator[Sequence[Any]]:
    after: str | None = None
    while True:
        page = store.granules_page(dataset_id, at, visibilities=SHOWN, after=after, limit=PAGE)
        if not page:
            return
        yield page
        if len(page) < PAGE:
            return
        after = page[-1].record.id


JSON = "application/json"
GEOJSON = "application/geo+json"


def _relinked(
    links: Sequence[Mapping[str, Any]], root: str, hrefs: Mapping[str, Iterator[str]]
) -> Iterator[dict[str, Any]]:
    """Rewrite an object's navigation links to files: `root` at `{root}catalog.json`; `parent` and `collection`
    the file one folder up; `child` from `hrefs` in order; no `self` nor API-only links (`items`). Other links
    (licence, DOI, landing page, related datasets) are kept as they are."""
    for link in links:
        rel = link["rel"]
        if rel not in NAVIGATION:
            yield dict(link)
        elif rel == "root":
            yield {**link, "href": f"{root}{ROOT_FILE}"}
        elif rel == "parent":
            yield {**link, "href": _parent_file(link["href"])}
        elif rel == "collection":
            yield {**link, "href": f"../{COLLECTION_FILE}"}
        elif rel in hrefs:
            yield {**link, "href": next(hrefs[rel])}


def _parent_file(href: str) -> str:
    """The file of a parent by its API URL: a mission catalog, a collection (of an item) or the root."""
    if "/collections/" in href:
        return f"../{COLLECTION_FILE}"
    return f"../{CATALOG_FILE}"


def _file_link(rel: str, href: str, title: str | None = None, media_type: str = JSON) -> dict[str, Any]:
    link = {"rel": rel, "href": href, "type": media_type}
    if title:
        link["title"] = title
    return link


def _write_links(stream: IO[str], links: Sequence[Mapping[str, Any]], *, first: bool = False) -> None:
    for index, link in enumerate(links):
        separator = "\n    " if first and index == 0 else ",\n    "
        stream.write(separator + json.dumps(link, ensure_ascii=False))


def _write(path: Path, document: Mapping[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _title(mission: Mission) -> str:
    return text_in(mission.name, "en") if mission.name else mission.id
