"""The STAC API's endpoints as plain functions: a request's parameters and moment in, a JSON document out.

What the public may see is the store's answer at the request's moment: undisclosed datasets and granules are
never listed, counted, found or named in an error (an undisclosed id gets the same 404 as an unknown one);
restricted ones are shown with their restriction and without assets (`crosswalks.stac`).
"""

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from catalog.policy import cap_by_dataset
from catalog.records import Mission
from catalog.store import NO_MISSION, ItemQuery, Store, StoredDataset
from catalog.store.items import order_of
from catalog.view import View, resolve_related, view_of
from catalog.vocab import Visibility
from crosswalks import stac
from crosswalks.renditions import local_targets
from crosswalks.urls import DatasetUrls
from server.stac import cql2
from server.stac.errors import InvalidParameter, NotFound
from server.stac.params import (
    Fields,
    SearchRequest,
    parse_bbox,
    parse_datetime,
    parse_limit,
    parse_text,
    parse_token,
    search_request,
)
from server.stac.tokens import PageTokens, Position

GEOJSON = "application/geo+json"
JSON = "application/json"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
QUERYABLES_REL = "http://www.opengis.net/def/rel/ogc/1.0/queryables"
MAX_CHILDREN = 10_000
"""The most child links a catalog page lists (a mission's collections)."""

CONFORMANCE = (
    "https://api.stacspec.org/v1.0.0/core",
    "https://api.stacspec.org/v1.0.0/collections",
    "https://api.stacspec.org/v1.0.0/ogcapi-features",
    "https://api.stacspec.org/v1.0.0/item-search",
    "https://api.stacspec.org/v1.0.0/item-search#sort",
    "https://api.stacspec.org/v1.0.0/item-search#fields",
    "https://api.stacspec.org/v1.0.0/ogcapi-features#sort",
    "https://api.stacspec.org/v1.0.0/ogcapi-features#fields",
    "https://api.stacspec.org/v1.0.0-rc.1/collection-search",
    "https://api.stacspec.org/v1.0.0-rc.1/collection-search#free-text",
    "https://api.stacspec.org/v1.0.0-rc.1/item-search#free-text",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-common-2/1.0/conf/simple-query",
)
"""What this API implements; the filter classes come from `server.stac.cql2.CONFORMANCE`."""

MINIMAL_FIELDS = ("type", "stac_version", "id", "collection")
"""What an item keeps whatever `include` names: enough to know what it is (the Fields extension's minimum)."""
DEFAULT_FIELDS = ("type", "stac_version", "id", "geometry", "bbox", "links", "assets", "properties.datetime")
"""What an item holds when a body names `include` but nothing in it (the Fields extension's default set)."""


@dataclass(frozen=True, slots=True)
class Context:
    """A request's moment and what the server is configured with."""

    store: Store
    now: datetime
    base_url: str
    repository_identifier: str
    title: str
    secret_key: str
    default_limit: int
    max_limit: int
    count_budget: float

    @property
    def urls(self) -> stac.StacUrls:
        return stac.StacUrls(f"{self.base_url}/stac")

    def dataset_urls(self, dataset_id: str) -> DatasetUrls:
        return DatasetUrls.of(self.base_url, dataset_id, repository_identifier=self.repository_identifier)


@dataclass(frozen=True, slots=True)
class Requested:
    """How the request came, so that paging links can repeat it: a GET's URL and parameters, or a POST's body."""

    url: str
    method: str
    arguments: Sequence[tuple[str, str]] = ()
    body: Mapping[str, Any] | None = None


def _link(rel: str, href: str, media_type: str = JSON, **extra: Any) -> dict[str, Any]:
    return {"rel": rel, "href": href, "type": media_type, **extra}


def landing(ctx: Context) -> dict[str, Any]:
    urls = ctx.urls
    children = [_link("child", urls.catalog(mission.record.id)) for mission in _missions_shown(ctx)]
    children.extend(_link("child", urls.collection(stored.record.id)) for stored in _collections(ctx, NO_MISSION))
    return {
        "type": "Catalog",
        "stac_version": stac.STAC_VERSION,
        "id": "isas-catalog",
        "title": ctx.title,
        "description": f"{ctx.title}: the datasets of the ISAS/JAXA science archive that its data policy lets the "
        "public see, as STAC Collections, their granules as Items.",
        "conformsTo": list(conformance(ctx)["conformsTo"]),
        "links": [
            _link("self", urls.root()),
            _link("root", urls.root()),
            _link("service-desc", f"{urls.base}/api", OPENAPI),
            _link("service-doc", f"{urls.base}/api.html", "text/html"),
            _link("conformance", f"{urls.base}/conformance"),
            _link("data", f"{urls.base}/collections"),
            _link("search", f"{urls.base}/search", GEOJSON, method="GET"),
            _link("search", f"{urls.base}/search", GEOJSON, method="POST"),
            _link(QUERYABLES_REL, f"{urls.base}/queryables", "application/schema+json"),
            *children,
        ],
    }


def conformance(ctx: Context) -> dict[str, Any]:
    return {"conformsTo": [*CONFORMANCE, *cql2.CONFORMANCE]}


def _missions_shown(ctx: Context) -> list[Any]:
    """The missions with a dataset the public may find now (others would be empty catalogs, or reveal one)."""
    facets = ctx.store.search_datasets(ctx.now, limit=1).facets
    having = set(facets.get("mission", {}))
    return [mission for mission in ctx.store.missions() if mission.record.id in having]


def _collections(ctx: Context, mission: str) -> list[StoredDataset]:
    found: list[StoredDataset] = []
    after = None
    while len(found) < MAX_CHILDREN:
        page = ctx.store.search_datasets(ctx.now, mission=mission, after=after, limit=500)
        found.extend(page.datasets)
        after = page.after
        if after is None:
            break
    return found


def mission_catalog(ctx: Context, mission_id: str) -> dict[str, Any]:
    stored = ctx.store.mission(mission_id)
    members = _collections(ctx, mission_id) if stored is not None else []
    if stored is None or not members:
        raise NotFound(f"no catalog {mission_id!r}")
    return stac.mission_catalog(stored.record, [member.record.id for member in members], ctx.urls)


def _view(ctx: Context, stored: StoredDataset) -> View | None:
    dataset = stored.record
    local = local_targets(dataset)
    known = ctx.store.datasets_by_id(local) if local else {}
    targets = resolve_related(
        dataset,
        {i: (s.record, s.timeline) for i, s in known.items()},
        ctx.now,
        lambda target: ctx.dataset_urls(target).landing,
    )
    return view_of(dataset, stored.timeline, stored.changed, ctx.now, targets)


def _shown(stored: StoredDataset | None, now: datetime) -> bool:
    return stored is not None and stored.visibility(now) in (Visibility.PUBLIC, Visibility.RESTRICTED)


def _collection_document(ctx: Context, stored: StoredDataset, missions: dict[str, Mission | None]) -> dict[str, Any]:
    view = _view(ctx, stored)
    assert view is not None
    mission_id = stored.record.mission
    if mission_id is not None and mission_id not in missions:
        found = ctx.store.mission(mission_id)
        missions[mission_id] = found.record if found is not None else None
    mission = missions.get(mission_id) if mission_id is not None else None
    return stac.collection_of(stored.record, view, ctx.urls, ctx.dataset_urls(stored.record.id), mission)


def collection(ctx: Context, dataset_id: str) -> dict[str, Any]:
    stored = ctx.store.dataset(dataset_id)
    if stored is None or not _shown(stored, ctx.now):
        raise NotFound(f"no collection {dataset_id!r}")
    return _collection_document(ctx, stored, {})


def collections(ctx: Context, arguments: Mapping[str, Any], requested: Requested) -> dict[str, Any]:
    """A page of the collections the public may find now, with collection search: `q`, `bbox`, `datetime`."""
    limit = parse_limit(arguments.get("limit"), default=ctx.default_limit, maximum=ctx.max_limit)
    bbox = parse_bbox(arguments.get("bbox"))
    start, end = parse_datetime(arguments.get("datetime"))
    text = parse_text(arguments.get("q"))
    token = parse_token(arguments.get("token"))
    tokens = PageTokens(ctx.secret_key, kind="collections")
    after: str | None = None
    if token is not None:
        position = tokens.read(token, order="id")
        if position.after is None or len(position.after) != 1 or not isinstance(position.after[0], str):
            raise InvalidParameter("token: not a paging token this server issued")
        after = position.after[0]
    page = ctx.store.search_datasets(ctx.now, text=text, start=start, end=end, bbox=bbox, after=after, limit=limit)
    missions: dict[str, Mission | None] = {}
    documents = [_collection_document(ctx, stored, missions) for stored in page.datasets]
    links = [_link("self", requested.url), _link("root", ctx.urls.root())]
    if page.after is not None:
        next_token = tokens.issue(Position(after=(page.after,)), order="id")
        links.append(_link("next", _with_token(requested, next_token)))
    return {
        "collections": documents,
        "links": links,
        "numberMatched": page.total,
        "numberReturned": len(documents),
    }


def _with_token(requested: Requested, token: str) -> str:
    kept = [(name, value) for name, value in requested.arguments if name != "token"]
    return f"{requested.url.split('?', 1)[0]}?{urlencode([*kept, ('token', token)])}"


def _order_name(query: ItemQuery) -> str:
    return ",".join(f"{column.name}{'-' if descending else '+'}" for column, descending in order_of(query.sort))


def _search(ctx: Context, request: SearchRequest, requested: Requested) -> dict[str, Any]:
    query = request.query
    tokens = PageTokens(ctx.secret_key, kind="items")
    order = _order_name(query)
    position = tokens.read(request.token, order=order) if request.token is not None else Position()
    counting = _count_meanwhile(ctx, query) if request.token is None else None
    page = ctx.store.search_items(ctx.now, query, limit=request.limit, after=position.after, before=position.before)
    features = [
        _shaped(
            stac.item_of(item.granule.record, item.dataset.record, item.visibility, ctx.now, ctx.urls), request.fields
        )
        for item in page.items
    ]
    links = [_link("root", ctx.urls.root())]
    if requested.method == "GET":
        links.append(_link("self", requested.url, GEOJSON))
    matched = position.matched
    if counting is not None:
        counted = page.after is None and page.before is None
        matched = len(page.items) if counted else counting()
    for rel, key in (("next", page.after), ("prev", page.before)):
        if key is None:
            continue
        side = Position(after=key, matched=matched) if rel == "next" else Position(before=key, matched=matched)
        token = tokens.issue(side, order=order)
        if requested.method == "POST":
            body = {**(requested.body or {}), "token": token}
            links.append(_link(rel, requested.url, GEOJSON, method="POST", body=body, merge=False))
        else:
            links.append(_link(rel, _with_token(requested, token), GEOJSON, method="GET"))
    document: dict[str, Any] = {"type": "FeatureCollection", "features": features, "links": links}
    if matched is not None:
        document["numberMatched"] = matched
    document["numberReturned"] = len(features)
    return document


def _count_meanwhile(ctx: Context, query: ItemQuery) -> Callable[[], int | None]:
    """Count a first page's match in another thread while the page is read, and return how to wait for the count.

    The count may take the whole budget (`CATALOG_STAC_COUNT_BUDGET_MS`); run after the page, it added that to every
    first page it could not count (12 ms of a 32 ms median on PostgreSQL). Run beside it, on its own connection (and
    on PostgreSQL in its own server process), it costs what the page does not already take. A first page that is
    also the last does not wait for it."""
    outcome: list[int | Exception | None] = []

    def count() -> None:
        try:
            outcome.append(ctx.store.count_items(ctx.now, query, budget=ctx.count_budget))
        except Exception as error:  # raised again in the request's thread, where its handlers are
            outcome.append(error)

    counter = threading.Thread(target=count, name="stac-count", daemon=True)
    counter.start()

    def wait() -> int | None:
        counter.join()
        found = outcome[0]
        if isinstance(found, Exception):
            raise found
        return found

    return wait


def _known_collections(ctx: Context, ids: Sequence[str]) -> None:
    """Refuse a search naming a collection the public may not see: the same words for unknown and undisclosed."""
    found = ctx.store.datasets_by_id(ids)
    missing = [dataset_id for dataset_id in ids if not _shown(found.get(dataset_id), ctx.now)]
    if missing:
        raise InvalidParameter(f"collections: no collection {', '.join(repr(m) for m in missing[:5])}")


def search(ctx: Context, parameters: Mapping[str, Any], requested: Requested) -> dict[str, Any]:
    """Item search (GET parameters, or a POST body's fields)."""
    request = search_request(
        parameters,
        default_limit=ctx.default_limit,
        max_limit=ctx.max_limit,
        body=requested.method == "POST",
    )
    if request.query.collections:
        _known_collections(ctx, request.query.collections)
    return _search(ctx, request, requested)


def items(ctx: Context, dataset_id: str, parameters: Mapping[str, Any], requested: Requested) -> dict[str, Any]:
    """One collection's items: the same search, its collection fixed."""
    stored = ctx.store.dataset(dataset_id)
    if not _shown(stored, ctx.now):
        raise NotFound(f"no collection {dataset_id!r}")
    request = search_request(
        parameters, default_limit=ctx.default_limit, max_limit=ctx.max_limit, collection=dataset_id
    )
    document = _search(ctx, request, requested)
    document["links"].append(_link("collection", ctx.urls.collection(dataset_id)))
    return document


def item(ctx: Context, dataset_id: str, item_id: str) -> dict[str, Any]:
    stored = ctx.store.dataset(dataset_id)
    granule = ctx.store.granule(dataset_id, item_id) if _shown(stored, ctx.now) else None
    if stored is None or granule is None:
        raise NotFound(f"no item {item_id!r} in collection {dataset_id!r}")
    visibility = cap_by_dataset(stored.visibility(ctx.now), granule.timeline.at(ctx.now))
    if visibility not in (Visibility.PUBLIC, Visibility.RESTRICTED):
        raise NotFound(f"no item {item_id!r} in collection {dataset_id!r}")
    return stac.item_of(granule.record, stored.record, visibility, ctx.now, ctx.urls)


def queryables(ctx: Context, dataset_id: str | None) -> dict[str, Any]:
    if dataset_id is not None and not _shown(ctx.store.dataset(dataset_id), ctx.now):
        raise NotFound(f"no collection {dataset_id!r}")
    return cql2.queryables_document(ctx.urls.base, dataset_id)


def _shaped(feature: dict[str, Any], fields: Fields | None) -> dict[str, Any]:
    """Apply the Fields extension (STAC API item-search#fields).

    Nothing asked, or nothing named: the whole item. Paths included: those and `MINIMAL_FIELDS`, nothing else.
    Only exclusions: the whole item without them, or, when a body named an empty `include`, `DEFAULT_FIELDS`
    without them. A path both included and excluded is included.
    """
    if fields is None or (not fields.include and not fields.exclude and not fields.include_given):
        return feature
    exclude = [path for path in fields.exclude if path not in fields.include]
    if fields.include:
        shaped: dict[str, Any] = {}
        kept = [path for path in MINIMAL_FIELDS if not any(path == e or path.startswith(e + ".") for e in exclude)]
        for path in (*kept, *fields.include):
            _copy_path(feature, shaped, path.split("."))
        return shaped
    if fields.include_given:
        shaped = {}
        for path in DEFAULT_FIELDS:
            _copy_path(feature, shaped, path.split("."))
    else:
        shaped = dict(feature)
    for path in exclude:
        _drop_path(shaped, path.split("."))
    return shaped


def _copy_path(source: Mapping[str, Any], target: dict[str, Any], parts: list[str]) -> None:
    head, rest = parts[0], parts[1:]
    if head not in source:
        return
    if not rest:
        target[head] = source[head]
        return
    if not isinstance(source[head], Mapping):
        return
    branch = target.get(head)
    if not isinstance(branch, dict):
        branch = {}
        target[head] = branch
    _copy_path(source[head], branch, rest)


def _drop_path(target: dict[str, Any], parts: list[str]) -> None:
    head, rest = parts[0], parts[1:]
    if head not in target:
        return
    if not rest:
        del target[head]
        return
    branch = target[head]
    if isinstance(branch, dict):
        target[head] = dict(branch)
        _drop_path(target[head], rest)


Handler = Callable[..., dict[str, Any]]
