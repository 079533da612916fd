"""STAC 1.1 from catalog records: missions as Catalogs, datasets as Collections, granules as Items (pystac).

Every function is pure: it gets a record with what the policy decided about it (a `View`, a `Visibility`) and
returns a plain JSON-ready dict, exactly what pystac writes for the object. Field by field: docs/stac-mapping.md.
"""

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import Any
from urllib.parse import quote

import pystac

from catalog.contract import is_local_reference
from catalog.policy import (
    ISAS_ROR,
    JAXA_ROR,
    MANDATORY_CREDIT,
    access_timeline,
    granule_access,
    release_moment,
)
from catalog.records import Access, Agent, Asset, Dataset, Granule, LangMap, Mission
from catalog.timeutil import format_time
from catalog.view import View
from catalog.vocab import CreatorKind, Visibility
from crosswalks.citation import publication_moment
from crosswalks.oai_record import origin_url
from crosswalks.statements import (
    DOI_RESOLVER,
    NO_STATED_LICENSE,
    credit_line,
    doi_url,
    license_url,
    may_link,
    restriction,
    restriction_of,
    rolling_proprietary,
    text_in,
)
from crosswalks.urls import DatasetUrls

STAC_VERSION = "1.1.0"

SSYS = "https://stac-extensions.github.io/ssys/v1.1.0/schema.json"
SCIENTIFIC = "https://stac-extensions.github.io/scientific/v1.0.0/schema.json"
PROCESSING = "https://stac-extensions.github.io/processing/v1.2.0/schema.json"
TIMESTAMPS = "https://stac-extensions.github.io/timestamps/v1.1.0/schema.json"
VERSION = "https://stac-extensions.github.io/version/v1.2.0/schema.json"
EXTENSIONS = (SSYS, SCIENTIFIC, PROCESSING, TIMESTAMPS, VERSION)
"""The extensions this mapping uses, by the `$id` of their schema (`../shared/schemas/stac-extensions/`)."""

WHOLE_GLOBE = (-180.0, -90.0, 180.0, 90.0)
"""The placeholder extent of data that is not on Earth: STAC requires a bbox, and ours has none."""

JSON = "application/json"
GEOJSON = "application/geo+json"
HTML = "text/html"
XML = "application/xml"

TARGET_CLASSES: Mapping[str, str] = MappingProxyType(
    {
        "162173 Ryugu": "asteroid",
        "25143 Itokawa": "asteroid",
        "1998 KY26": "asteroid",
        "Mercury": "planet",
        "Venus": "planet",
        "Earth": "planet",
        "Mars": "planet",
        "Jupiter": "planet",
        "Saturn": "planet",
        "Moon": "satellite",
        "Io": "satellite",
        "Sun": "star",
        "Solar wind": "interplanetary_medium",
        "X-ray sky": "sky",
        "Infrared sky": "sky",
    }
)
"""The `ssys:target_class` of the demo archive's named targets; a target not here gets no class."""

RELS: Mapping[str, str] = MappingProxyType(
    {
        "IsDerivedFrom": "derived_from",
        "IsDocumentedBy": "describedby",
        "IsNewVersionOf": "predecessor-version",
        "IsPreviousVersionOf": "successor-version",
        "Obsoletes": "predecessor-version",
        "IsObsoletedBy": "successor-version",
    }
)
"""The link relation of each DataCite relationType that has one in STAC or IANA; every other one is `related`."""

COMMON_METADATA = frozenset(
    {
        "datetime", "start_datetime", "end_datetime", "created", "updated", "title", "description", "keywords",
        "roles", "license", "providers", "platform", "instruments", "constellation", "mission", "gsd", "bands",
        "nodata", "data_type", "statistics", "unit",
    }
)  # fmt: skip
"""Item property names that STAC defines: a granule's free property of such a name would claim their meaning."""

OWN_PREFIXES = ("ssys:", "sci:", "processing:", "isas:", "granule:")
"""Namespaces whose fields this mapping writes or whose extension schemas forbid unknown fields."""

GRANULE_PREFIX = "granule:"
"""Where a free granule property goes when its own name is taken (`bands` → `granule:bands`)."""

JAXA_PROVIDER: Mapping[str, Any] = MappingProxyType(
    {"name": "Japan Aerospace Exploration Agency (JAXA)", "roles": ["licensor"], "url": JAXA_ROR}
)
ISAS_PROVIDER: Mapping[str, Any] = MappingProxyType(
    {
        "name": "Institute of Space and Astronautical Science (ISAS/JAXA)",
        "description": "Operates the missions and hosts the archive (DARTS) and this catalog.",
        "roles": ["host", "producer"],
        "url": ISAS_ROR,
    }
)


@dataclass(frozen=True, slots=True)
class StacUrls:
    """Where the STAC API publishes each object; the static export writes the same ids to files."""

    base: str
    """`{CATALOG_BASE_URL}/stac`, no trailing slash."""

    def root(self) -> str:
        return self.base

    def catalog(self, mission_id: str) -> str:
        return f"{self.base}/catalogs/{quote(mission_id, safe='')}"

    def collection(self, dataset_id: str) -> str:
        return f"{self.base}/collections/{quote(dataset_id, safe='')}"

    def items(self, dataset_id: str) -> str:
        return f"{self.collection(dataset_id)}/items"

    def item(self, dataset_id: str, granule_id: str) -> str:
        return f"{self.items(dataset_id)}/{quote(granule_id, safe='')}"

    def search(self) -> str:
        return f"{self.base}/search"

    def queryables(self) -> str:
        return f"{self.base}/queryables"


def mission_catalog(mission: Mission, collection_ids: Sequence[str], urls: StacUrls) -> dict[str, Any]:
    """Return a mission as a STAC Catalog, a child of the root, with a `child` link per collection id given.

    The caller passes only the ids of collections the public may see: the catalog names nothing else.
    """
    title = _english(mission.name, mission.id)
    extra: dict[str, Any] = {}
    if mission.platform is not None:
        extra["isas:platform"] = str(mission.platform)
    if mission.targets:
        extra["isas:targets"] = list(mission.targets)
    if mission.launched is not None:
        extra["isas:launched"] = format_time(mission.launched)
    if mission.ended is not None:
        extra["isas:ended"] = format_time(mission.ended)
    extra.update(_japanese(mission.name, mission.description))
    catalog = pystac.Catalog(
        id=mission.id,
        description=_english(mission.description, title) if mission.description else title,
        title=title,
        extra_fields=extra,
    )
    catalog.clear_links()
    links = [
        _link("self", urls.catalog(mission.id), JSON),
        _link("root", urls.root(), JSON),
        _link("parent", urls.root(), JSON),
        *(_link("child", urls.collection(dataset_id), JSON) for dataset_id in collection_ids),
    ]
    if mission.url:
        links.append(_link("about", mission.url, HTML, "Mission home page"))
    catalog.add_links(links)
    return catalog.to_dict(include_self_link=True, transform_hrefs=False)


def collection_of(
    dataset: Dataset, view: View, urls: StacUrls, dataset_urls: DatasetUrls, mission: Mission | None
) -> dict[str, Any]:
    """Return a dataset as the public may see it at `view.at` as a STAC Collection.

    For public and restricted views only (deleted datasets are no STAC objects). Assets appear only while the
    view shows data links; a restricted collection carries its restriction in `isas:access_*` fields instead.
    `mission` is the dataset's mission record: the collection's parent is its Catalog, else the root.
    """
    title = _english(dataset.title, dataset.id)
    extensions = [SCIENTIFIC] if dataset.doi else []
    extra: dict[str, Any] = {}
    if dataset.doi:
        extra["sci:doi"] = _bare_doi(dataset.doi)
    extra["sci:citation"] = citation(dataset, view, dataset_urls)
    published = _published(dataset, view)
    if published is not None:
        extra["published"] = format_time(published)
        extensions.append(TIMESTAMPS)
    extra["updated"] = format_time(view.datestamp)
    if dataset.version:
        extra["version"] = dataset.version
        extensions.append(VERSION)
    extra["isas:category"] = str(dataset.category)
    extra["isas:credit"] = dict(credit_line(dataset))
    extra.update(_collection_access(dataset, view))
    if dataset.rights.restrictions is not None:
        extra["isas:third_party_restrictions"] = dict(dataset.rights.restrictions)
    extra.update(_japanese(dataset.title, dataset.description))
    summaries = _summaries(dataset)
    if SSYS_TARGETS in summaries:
        extensions.append(SSYS)
    if PROCESSING_LEVEL in summaries:
        extensions.append(PROCESSING)
    bbox = dataset.bbox or WHOLE_GLOBE
    collection = pystac.Collection(
        id=dataset.id,
        description=_english(dataset.description, title) if dataset.description else title,
        title=title,
        extent=pystac.Extent(
            pystac.SpatialExtent([list(bbox)]),
            pystac.TemporalExtent([_interval(dataset)]),
        ),
        license="other" if dataset.rights.license == NO_STATED_LICENSE else dataset.rights.license,
        keywords=list(dict.fromkeys((*dataset.keywords, *dataset.instruments, *dataset.targets))) or None,
        providers=[pystac.Provider.from_dict(provider) for provider in _providers(dataset)],
        summaries=pystac.Summaries(summaries),
        stac_extensions=sorted(extensions),
        extra_fields=extra,
    )
    collection.clear_links()
    collection.add_links(list(_collection_links(dataset, view, urls, dataset_urls, mission)))
    if view.shows_data_links:
        for key, asset in _assets(a for a in dataset.assets if may_link(a.href, dataset, view)):
            collection.add_asset(key, asset)
    return collection.to_dict(include_self_link=True, transform_hrefs=False)


def item_of(granule: Granule, dataset: Dataset, visibility: Visibility, at: datetime, urls: StacUrls) -> dict[str, Any]:
    """Return a granule as a STAC Item, as the public may see it at `at`.

    `visibility` is the granule's at `at`, capped by its dataset's: public or restricted. A restricted item has no
    assets and says why in `isas:access_*` (see `item_restriction`). Data not on Earth has `geometry: null`.
    """
    extensions: list[str] = []
    properties = _free_properties(granule.properties)
    if dataset.targets:
        properties["ssys:targets"] = list(dataset.targets)
        target_class = _target_class(dataset.targets)
        if target_class is not None:
            properties["ssys:target_class"] = target_class
        extensions.append(SSYS)
    if dataset.processing_level:
        properties["processing:level"] = dataset.processing_level
        extensions.append(PROCESSING)
    if dataset.instruments:
        properties["instruments"] = list(dataset.instruments)
    if dataset.mission:
        properties["mission"] = dataset.mission
        properties["platform"] = dataset.mission
    public = visibility is Visibility.PUBLIC
    if public:
        properties["isas:access"] = str(Visibility.PUBLIC)
        caveat = (granule.access or dataset.access).caveat
        if caveat is not None:
            properties["isas:caveat"] = dict(caveat)
    else:
        properties.update(_item_access(granule, dataset, at))
    geometry, bbox = _footprint(granule)
    item = pystac.Item(
        id=granule.id,
        geometry=geometry,
        bbox=bbox,
        datetime=granule.start,
        start_datetime=granule.start,
        end_datetime=granule.end,
        properties=properties,
        stac_extensions=extensions,
        collection=dataset.id,
    )
    item.links = [
        _link("self", urls.item(dataset.id, granule.id), GEOJSON),
        _link("parent", urls.collection(dataset.id), JSON),
        _link("collection", urls.collection(dataset.id), JSON),
        _link("root", urls.root(), JSON),
    ]
    if public:
        item.assets = dict(_assets(granule.assets))
    return item.to_dict(include_self_link=True, transform_hrefs=False)


def item_restriction(granule: Granule, dataset: Dataset, at: datetime) -> Access:
    """Return the restriction to state for a granule restricted at `at`.

    Its own effective access (`granule_access`) and its dataset's may both keep it closed; a granule is public
    only once both are. The one stated is the one in force at `at` that lasts longer (a restriction the clock
    never lifts lasts longest), the granule's own on a tie: its deadline is when the granule may open.
    """
    own = granule_access(granule, dataset)
    in_force = [
        access
        for access in (own, dataset.access)
        if access.restricted and access_timeline(access).at(at) is not Visibility.PUBLIC
    ]
    if not in_force:
        return own if own.restricted else dataset.access
    return max(in_force, key=_release_order)


def citation(dataset: Dataset, view: View, urls: DatasetUrls) -> str:
    """Write DataCite's recommended plain-text citation: Creators (Year): Title. Version. ISAS/JAXA. Dataset. URL.

    Built here rather than by citeproc: a collection is rendered on every STAC request that lists it.
    """
    creators = "; ".join(agent.name for agent in dataset.creators) or MANDATORY_CREDIT
    year = publication_moment(dataset, view).year
    version = f" Version {dataset.version}." if dataset.version else ""
    title = _english(dataset.title, dataset.id).rstrip(".")
    where = doi_url(dataset.doi) if dataset.doi else urls.landing
    return f"{creators} ({year}): {title}.{version} {MANDATORY_CREDIT}. Dataset. {where}"


SSYS_TARGETS = "ssys:targets"
PROCESSING_LEVEL = "processing:level"


def _summaries(dataset: Dataset) -> dict[str, Any]:
    """Summarise what every item of the dataset carries (`item_of` writes the same values)."""
    summaries: dict[str, Any] = {}
    if dataset.instruments:
        summaries["instruments"] = list(dataset.instruments)
    if dataset.targets:
        summaries[SSYS_TARGETS] = list(dataset.targets)
        target_class = _target_class(dataset.targets)
        if target_class is not None:
            summaries["ssys:target_class"] = [target_class]
    if dataset.processing_level:
        summaries[PROCESSING_LEVEL] = [dataset.processing_level]
    if dataset.mission:
        summaries["mission"] = [dataset.mission]
        summaries["platform"] = [dataset.mission]
    return summaries


def _interval(dataset: Dataset) -> list[datetime | None]:
    temporal = dataset.temporal
    return [None, None] if temporal is None else [temporal.start, temporal.end]


def _target_class(targets: Iterable[str]) -> str | None:
    """The class all targets share, when every one is known; None for unknown or mixed targets."""
    classes = {TARGET_CLASSES.get(target) for target in targets}
    if len(classes) != 1:
        return None
    return classes.pop()


def _providers(dataset: Dataset) -> Iterator[dict[str, Any]]:
    yield dict(JAXA_PROVIDER)
    yield dict(ISAS_PROVIDER)
    for agent in dataset.creators:
        if agent.kind is CreatorKind.ORGANIZATION:
            yield _organisation(agent)


def _organisation(agent: Agent) -> dict[str, Any]:
    provider: dict[str, Any] = {"name": agent.name, "roles": ["producer"]}
    if agent.ror:
        provider["url"] = agent.ror if agent.ror.startswith("https://") else f"https://ror.org/{agent.ror}"
    return provider


def _collection_links(
    dataset: Dataset, view: View, urls: StacUrls, dataset_urls: DatasetUrls, mission: Mission | None
) -> Iterator[pystac.Link]:
    yield _link("self", urls.collection(dataset.id), JSON)
    yield _link("root", urls.root(), JSON)
    yield _link("parent", urls.catalog(mission.id) if mission is not None else urls.root(), JSON)
    yield _link("items", urls.items(dataset.id), GEOJSON)
    licence = license_url(dataset.rights.license)
    if licence is not None:
        yield _link("license", licence, HTML, dataset.rights.license)
    if dataset.doi:
        yield _link("cite-as", doi_url(dataset.doi), None, "DOI")
        yield _link("describedby", dataset_urls.oai_datacite, XML, "DataCite metadata (OAI-PMH)")
    yield _link("about", dataset_urls.landing, HTML, "Landing page")
    if dataset.provenance is not None:
        yield _link("via", origin_url(dataset.provenance), XML, f"Harvested from {dataset.provenance.source}")
    for relation, href in _related(dataset, view):
        link = _link(RELS.get(relation, "related"), href, None)
        link.extra_fields["isas:relation"] = relation
        yield link


def _related(dataset: Dataset, view: View) -> Iterator[tuple[str, str]]:
    """Yield `(relationType, href)` for each related resource the public may know of and follow now."""
    for related in dataset.related:
        if is_local_reference(related.target):
            resolved = view.related.get(related.target)
            if resolved is None:
                continue
            identifier = resolved.identifier
            href = doi_url(identifier) if resolved.identifier_type == "DOI" else identifier
        elif related.target.startswith("10.") or related.target.lower().startswith("doi:"):
            identifier = related.target
            href = doi_url(identifier)
        else:
            identifier = href = related.target
        if "://" not in href or not may_link(identifier, dataset, view) or not may_link(href, dataset, view):
            continue
        yield related.relation, href


def _collection_access(dataset: Dataset, view: View) -> dict[str, Any]:
    """The policy fields of a collection: its access, and while restricted why, for whom and until when."""
    if view.visibility is Visibility.RESTRICTED:
        fields = _access_fields(dataset.access)
        statement = restriction(dataset, view)
        if statement is not None:
            fields["isas:access_statement"] = dict(statement)
        fields["isas:access_right"] = str(view.access_right)
        return fields
    fields = {"isas:access": str(view.visibility), "isas:access_right": str(view.access_right)}
    if dataset.access.caveat is not None:
        fields["isas:caveat"] = dict(dataset.access.caveat)
    rolling = rolling_proprietary(dataset)
    if rolling is not None:
        fields["isas:access_statement"] = dict(rolling)
        fields["isas:proprietary_months"] = dataset.access.proprietary_months
    return fields


def _access_fields(access: Access) -> dict[str, Any]:
    """Write a restriction as `isas:access_*` fields: reason, scope, deadline, what then, schedule, caveat."""
    fields: dict[str, Any] = {"isas:access": str(Visibility.RESTRICTED)}
    if access.reason is not None:
        fields["isas:access_reason"] = str(access.reason)
    if access.scope:
        fields["isas:access_scope"] = access.scope
    if access.until is not None:
        fields["isas:access_until"] = format_time(access.until)
    fields["isas:access_after"] = str(access.after)
    if access.release_schedule is not None:
        fields["isas:release_schedule"] = dict(access.release_schedule)
    if access.caveat is not None:
        fields["isas:caveat"] = dict(access.caveat)
    return fields


def _item_access(granule: Granule, dataset: Dataset, at: datetime) -> dict[str, Any]:
    """The policy fields of a restricted item: the restriction `item_restriction` states, and its statement."""
    access = item_restriction(granule, dataset, at)
    fields = _access_fields(access)
    statement = restriction_of(access)
    if statement is not None:
        fields["isas:access_statement"] = dict(statement)
    return fields


def _release_order(access: Access) -> tuple[bool, datetime | None]:
    released = release_moment(access)
    return (released is None, released)


def _published(dataset: Dataset, view: View) -> datetime | None:
    """When the data was first public: `issued`, else when the view says it became available (not a scheduled
    release, which has not happened yet)."""
    if dataset.issued is not None and view.visibility is Visibility.PUBLIC:
        return dataset.issued
    if view.available is not None and not view.available_scheduled:
        return view.available
    return None


def _free_properties(properties: Mapping[str, Any]) -> dict[str, Any]:
    """Keep a granule's own properties as they are, moving under `granule:` those whose name STAC or this mapping
    defines, so they neither change the meaning of those fields nor fail their schemas."""
    kept: dict[str, Any] = {}
    for name, value in properties.items():
        taken = name in COMMON_METADATA or name.startswith(OWN_PREFIXES)
        kept[GRANULE_PREFIX + name if taken else name] = value
    return kept


def _footprint(granule: Granule) -> tuple[dict[str, Any] | None, list[float] | None]:
    """The item's geometry and bbox: its own geometry, else its bbox as a polygon; neither when not on Earth."""
    if granule.geometry is not None:
        bbox = list(granule.bbox) if granule.bbox is not None else _bounds(granule.geometry)
        return dict(granule.geometry), bbox
    if granule.bbox is None:
        return None, None
    west, south, east, north = granule.bbox
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}, list(granule.bbox)


def _bounds(geometry: Mapping[str, Any]) -> list[float]:
    """The bbox of a GeoJSON geometry: the extremes of its positions (no antimeridian crossing)."""
    longitudes: list[float] = []
    latitudes: list[float] = []

    def walk(node: Any) -> None:
        if node and isinstance(node[0], int | float):
            longitudes.append(float(node[0]))
            latitudes.append(float(node[1]))
            return
        for child in node:
            walk(child)

    for part in geometry.get("geometries", [geometry]):
        walk(part["coordinates"])
    return [min(longitudes), min(latitudes), max(longitudes), max(latitudes)]


def _assets(assets: Iterable[Asset]) -> Iterator[tuple[str, pystac.Asset]]:
    """Key each asset by its first role (`data`, `documentation`…), numbering repeats (`data-2`)."""
    seen: dict[str, int] = {}
    for asset in assets:
        role = asset.roles[0] if asset.roles else "data"
        seen[role] = seen.get(role, 0) + 1
        key = role if seen[role] == 1 else f"{role}-{seen[role]}"
        yield (
            key,
            pystac.Asset(
                href=asset.href,
                title=asset.title,
                media_type=asset.media_type,
                roles=list(asset.roles) or None,
            ),
        )


def _link(rel: str, href: str, media_type: str | None, title: str | None = None) -> pystac.Link:
    return pystac.Link(rel, href, media_type=media_type, title=title)


def _english(text: LangMap | None, fallback: str) -> str:
    return text_in(text, "en") if text else fallback


def _japanese(title: LangMap, description: LangMap | None) -> dict[str, str]:
    """Japanese title and description where the record has them: STAC has one title, in English."""
    fields = {}
    if "ja" in title and set(title) != {"ja"}:
        fields["isas:title_ja"] = title["ja"]
    if description is not None and "ja" in description and set(description) != {"ja"}:
        fields["isas:description_ja"] = description["ja"]
    return fields


def _bare_doi(doi: str) -> str:
    return doi_url(doi).removeprefix(DOI_RESOLVER)
