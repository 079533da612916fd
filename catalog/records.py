"""Typed, immutable records of contract v1: missions, datasets and granules.

`from_dict` takes an object that already passed the contract's JSON Schema (see `catalog.contract`); fields the
contract does not name are kept in `extra` and written back by `to_dict`, so nothing the archive sends is lost.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any, Self

from catalog.timeutil import format_time, from_epoch, parse_time, to_epoch
from catalog.vocab import (
    AccessStatus,
    AfterDeadline,
    Category,
    CreatorKind,
    LifecycleState,
    Platform,
    RecordType,
    Reproducible,
    RestrictionReason,
)

LangMap = Mapping[str, str]
"""Text people read, by language code (`en`, `ja`). A plain string from the archive has the key `und`."""

UNDETERMINED = "und"
DEFAULT_LICENSE = "CC-BY-4.0"
EMPTY: Mapping[str, Any] = MappingProxyType({})


def _lang(value: str | Mapping[str, str] | None) -> LangMap | None:
    if value is None:
        return None
    if isinstance(value, str):
        return MappingProxyType({UNDETERMINED: value})
    return MappingProxyType(dict(value))


def _lang_out(value: LangMap | None) -> str | dict[str, str] | None:
    if value is None:
        return None
    if set(value) == {UNDETERMINED}:
        return value[UNDETERMINED]
    return dict(value)


def _time(value: str | None) -> datetime | None:
    return None if value is None else parse_time(value)


def _time_out(value: datetime | None) -> str | None:
    return None if value is None else format_time(value)


def _strings(value: str | list[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def _compact(pairs: Mapping[str, Any]) -> dict[str, Any]:
    """Drop absent optional fields so that `to_dict` writes what the contract would."""
    return {k: v for k, v in pairs.items() if v is not None and v != () and v != [] and v != {}}


def _extra(data: Mapping[str, Any], known: frozenset[str]) -> Mapping[str, Any]:
    unknown = data.keys() - known
    return MappingProxyType({k: data[k] for k in unknown}) if unknown else EMPTY


@dataclass(frozen=True, slots=True)
class Access:
    """Whether data is public, and for restricted data why, for whom, until when and what then (§4)."""

    status: AccessStatus
    reason: RestrictionReason | None = None
    disclose: bool = True
    scope: str | None = None
    until: datetime | None = None
    after: AfterDeadline = AfterDeadline.REVIEW
    release_schedule: LangMap | None = None
    caveat: LangMap | None = None
    proprietary_months: int | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        return cls(
            status=AccessStatus(data["status"]),
            reason=RestrictionReason(data["reason"]) if data.get("reason") else None,
            disclose=bool(data.get("disclose", True)),
            scope=data.get("scope"),
            until=_time(data.get("until")),
            after=AfterDeadline(data.get("after", AfterDeadline.REVIEW)),
            release_schedule=_lang(data.get("release_schedule")),
            caveat=_lang(data.get("caveat")),
            proprietary_months=None if data.get("proprietary_months") is None else int(data["proprietary_months"]),
        )

    def to_dict(self) -> dict[str, Any]:
        restricted = self.status is AccessStatus.RESTRICTED
        return _compact(
            {
                "status": str(self.status),
                "reason": None if self.reason is None else str(self.reason),
                "disclose": None if self.disclose else False,
                "scope": self.scope,
                "until": _time_out(self.until),
                "after": str(self.after) if restricted else None,
                "release_schedule": _lang_out(self.release_schedule),
                "caveat": _lang_out(self.caveat),
                "proprietary_months": self.proprietary_months,
            }
        )

    @property
    def restricted(self) -> bool:
        return self.status is AccessStatus.RESTRICTED


@dataclass(frozen=True, slots=True)
class Rights:
    """Terms of use (§6): the licence, credits beyond the mandatory "ISAS/JAXA", third-party restrictions."""

    license: str = DEFAULT_LICENSE
    credit: tuple[str, ...] = ()
    restrictions: LangMap | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        return cls(
            license=data.get("license", DEFAULT_LICENSE),
            credit=_strings(data.get("credit")),
            restrictions=_lang(data.get("restrictions")),
        )

    def to_dict(self) -> dict[str, Any]:
        return _compact(
            {
                "license": self.license,
                "credit": list(self.credit),
                "restrictions": _lang_out(self.restrictions),
            }
        )


@dataclass(frozen=True, slots=True)
class Lifecycle:
    state: LifecycleState = LifecycleState.ACTIVE
    discarded: datetime | None = None
    reason: LangMap | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        return cls(
            state=LifecycleState(data.get("state", LifecycleState.ACTIVE)),
            discarded=_time(data.get("discarded")),
            reason=_lang(data.get("reason")),
        )

    def to_dict(self) -> dict[str, Any]:
        return _compact(
            {"state": str(self.state), "discarded": _time_out(self.discarded), "reason": _lang_out(self.reason)}
        )


@dataclass(frozen=True, slots=True)
class Agent:
    """A creator or contributor: a person or an organisation, with ORCID or ROR where known."""

    name: str
    kind: CreatorKind
    name_ja: str | None = None
    orcid: str | None = None
    ror: str | None = None
    affiliation: str | None = None
    role: str | None = None
    extra: Mapping[str, Any] = field(default_factory=lambda: EMPTY, compare=False)

    _KNOWN = frozenset({"name", "kind", "name_ja", "orcid", "ror", "affiliation", "role"})

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        return cls(
            name=data["name"],
            kind=CreatorKind(data["kind"]),
            name_ja=data.get("name_ja"),
            orcid=data.get("orcid"),
            ror=data.get("ror"),
            affiliation=data.get("affiliation"),
            role=data.get("role"),
            extra=_extra(data, cls._KNOWN),
        )

    def to_dict(self) -> dict[str, Any]:
        known = {
            "name": self.name,
            "name_ja": self.name_ja,
            "kind": str(self.kind),
            "orcid": self.orcid,
            "ror": self.ror,
            "affiliation": self.affiliation,
            "role": self.role,
        }
        return {**self.extra, **_compact(known)}


@dataclass(frozen=True, slots=True)
class Asset:
    href: str
    title: str | None = None
    media_type: str | None = None
    roles: tuple[str, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=lambda: EMPTY, compare=False)

    _KNOWN = frozenset({"href", "title", "media_type", "roles"})

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        return cls(
            href=data["href"],
            title=data.get("title"),
            media_type=data.get("media_type"),
            roles=tuple(data.get("roles", ())),
            extra=_extra(data, cls._KNOWN),
        )

    def to_dict(self) -> dict[str, Any]:
        known = {"href": self.href, "title": self.title, "media_type": self.media_type, "roles": list(self.roles)}
        return {**self.extra, **_compact(known)}


@dataclass(frozen=True, slots=True)
class Related:
    """A typed link: `relation` is a DataCite relationType, `target` a dataset id of this catalog, a DOI or a URL."""

    relation: str
    target: str

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        return cls(relation=data["relation"], target=data["target"])

    def to_dict(self) -> dict[str, Any]:
        return {"relation": self.relation, "target": self.target}


@dataclass(frozen=True, slots=True)
class Temporal:
    start: datetime
    end: datetime | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        return cls(start=parse_time(data["start"]), end=_time(data.get("end")))

    def to_dict(self) -> dict[str, Any]:
        return {"start": format_time(self.start), "end": _time_out(self.end)}


BBox = tuple[float, float, float, float]
"""West, south, east, north in degrees of Earth longitude and latitude."""


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a harvested dataset came from (an extension of contract v1): the harvest source's name in this
    catalog, the provider's OAI-PMH base URL, the record's identifier and datestamp there, the namespace of the
    format it was harvested in, and when this version was harvested. OAI-PMH serves it again in `about`."""

    source: str
    base_url: str
    identifier: str
    datestamp: datetime
    metadata_namespace: str
    harvested: datetime

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        return cls(
            source=data["source"],
            base_url=data["base_url"],
            identifier=data["identifier"],
            datestamp=parse_time(data["datestamp"]),
            metadata_namespace=data["metadata_namespace"],
            harvested=parse_time(data["harvested"]),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "base_url": self.base_url,
            "identifier": self.identifier,
            "datestamp": format_time(self.datestamp),
            "metadata_namespace": self.metadata_namespace,
            "harvested": format_time(self.harvested),
        }


@dataclass(frozen=True, slots=True)
class Mission:
    id: str
    name: LangMap
    platform: Platform | None = None
    launched: datetime | None = None
    ended: datetime | None = None
    targets: tuple[str, ...] = ()
    description: LangMap | None = None
    url: str | None = None
    extra: Mapping[str, Any] = field(default_factory=lambda: EMPTY, compare=False)

    type = RecordType.MISSION
    _KNOWN = frozenset({"type", "id", "name", "platform", "launched", "ended", "targets", "description", "url"})

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        return cls(
            id=data["id"],
            name=_lang(data["name"]) or EMPTY,
            platform=Platform(data["platform"]) if data.get("platform") else None,
            launched=_time(data.get("launched")),
            ended=_time(data.get("ended")),
            targets=tuple(data.get("targets", ())),
            description=_lang(data.get("description")),
            url=data.get("url"),
            extra=_extra(data, cls._KNOWN),
        )

    def to_dict(self) -> dict[str, Any]:
        known = {
            "type": str(self.type),
            "id": self.id,
            "name": _lang_out(self.name),
            "platform": None if self.platform is None else str(self.platform),
            "launched": _time_out(self.launched),
            "ended": _time_out(self.ended),
            "targets": list(self.targets),
            "description": _lang_out(self.description),
            "url": self.url,
        }
        return {**self.extra, **_compact(known)}


@dataclass(frozen=True, slots=True)
class Dataset:
    """The citable unit: one DOI, one OAI-PMH record, one STAC Collection."""

    id: str
    title: LangMap
    category: Category
    creators: tuple[Agent, ...]
    access: Access
    description: LangMap | None = None
    mission: str | None = None
    instruments: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    processing_level: str | None = None
    contributors: tuple[Agent, ...] = ()
    doi: str | None = None
    version: str | None = None
    temporal: Temporal | None = None
    bbox: BBox | None = None
    geometry: Mapping[str, Any] | None = None
    formats: tuple[str, ...] = ()
    assets: tuple[Asset, ...] = ()
    related: tuple[Related, ...] = ()
    issued: datetime | None = None
    rights: Rights = Rights()
    reproducible: Reproducible | None = None
    lifecycle: Lifecycle = Lifecycle()
    provenance: Provenance | None = None
    """Set on harvested datasets only: the archive's own have none."""
    extra: Mapping[str, Any] = field(default_factory=lambda: EMPTY, compare=False)

    type = RecordType.DATASET
    _KNOWN = frozenset(
        {
            "type", "id", "title", "description", "mission", "instruments", "targets", "keywords", "category",
            "processing_level", "creators", "contributors", "doi", "version", "temporal", "spatial", "formats",
            "assets", "related", "issued", "access", "rights", "retention", "lifecycle", "provenance",
        }
    )  # fmt: skip

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        spatial = data.get("spatial") or {}
        retention = data.get("retention") or {}
        return cls(
            id=data["id"],
            title=_lang(data["title"]) or EMPTY,
            category=Category(data["category"]),
            creators=tuple(Agent.from_dict(c) for c in data["creators"]),
            access=Access.from_dict(data["access"]),
            description=_lang(data.get("description")),
            mission=data.get("mission"),
            instruments=tuple(data.get("instruments", ())),
            targets=tuple(data.get("targets", ())),
            keywords=tuple(data.get("keywords", ())),
            processing_level=data.get("processing_level"),
            contributors=tuple(Agent.from_dict(c) for c in data.get("contributors", ())),
            doi=data.get("doi"),
            version=data.get("version"),
            temporal=Temporal.from_dict(data["temporal"]) if data.get("temporal") else None,
            bbox=_bbox(spatial.get("bbox")),
            geometry=spatial.get("geometry"),
            formats=tuple(data.get("formats", ())),
            assets=tuple(Asset.from_dict(a) for a in data.get("assets", ())),
            related=tuple(Related.from_dict(r) for r in data.get("related", ())),
            issued=_time(data.get("issued")),
            rights=Rights.from_dict(data.get("rights") or {}),
            reproducible=Reproducible(retention["reproducible"]) if retention.get("reproducible") else None,
            lifecycle=Lifecycle.from_dict(data.get("lifecycle") or {}),
            provenance=Provenance.from_dict(data["provenance"]) if data.get("provenance") else None,
            extra=_extra(data, cls._KNOWN),
        )

    def to_dict(self) -> dict[str, Any]:
        spatial = None if self.bbox is None else _compact({"bbox": list(self.bbox), "geometry": self.geometry})
        known = {
            "type": str(self.type),
            "id": self.id,
            "title": _lang_out(self.title),
            "description": _lang_out(self.description),
            "mission": self.mission,
            "instruments": list(self.instruments),
            "targets": list(self.targets),
            "keywords": list(self.keywords),
            "category": str(self.category),
            "processing_level": self.processing_level,
            "creators": [c.to_dict() for c in self.creators],
            "contributors": [c.to_dict() for c in self.contributors],
            "doi": self.doi,
            "version": self.version,
            "temporal": None if self.temporal is None else self.temporal.to_dict(),
            "spatial": spatial,
            "formats": list(self.formats),
            "assets": [a.to_dict() for a in self.assets],
            "related": [r.to_dict() for r in self.related],
            "issued": _time_out(self.issued),
            "access": self.access.to_dict(),
            "rights": self.rights.to_dict(),
            "retention": None if self.reproducible is None else {"reproducible": str(self.reproducible)},
            "lifecycle": self.lifecycle.to_dict(),
            "provenance": None if self.provenance is None else self.provenance.to_dict(),
        }
        return {**self.extra, **_compact(known)}

    @property
    def source(self) -> str:
        """The harvest source the dataset came from; "" for the archive's own."""
        return "" if self.provenance is None else self.provenance.source

    @property
    def discarded(self) -> bool:
        return self.lifecycle.state is LifecycleState.DISCARDED


@dataclass(frozen=True, slots=True)
class Granule:
    """One file set or observation of a dataset: a STAC Item. `start == end` for an instant (`datetime`)."""

    id: str
    dataset: str
    start: datetime
    end: datetime
    instant: bool = False
    acquired_at: datetime | None = None
    bbox: BBox | None = None
    geometry: Mapping[str, Any] | None = None
    assets: tuple[Asset, ...] = ()
    properties: Mapping[str, Any] = field(default_factory=lambda: EMPTY)
    access: Access | None = None
    extra: Mapping[str, Any] = field(default_factory=lambda: EMPTY, compare=False)

    type = RecordType.GRANULE
    _KNOWN = frozenset(
        {"type", "id", "dataset", "datetime", "start", "end", "acquired", "bbox", "geometry", "assets",
         "properties", "access"}
    )  # fmt: skip

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        instant = "datetime" in data and data["datetime"] is not None
        start = parse_time(data["datetime"] if instant else data["start"])
        end = start if instant else parse_time(data["end"])
        return cls(
            id=data["id"],
            dataset=data["dataset"],
            start=start,
            end=end,
            instant=instant,
            acquired_at=_time(data.get("acquired")),
            bbox=_bbox(data.get("bbox")),
            geometry=data.get("geometry"),
            assets=tuple(Asset.from_dict(a) for a in data.get("assets", ())),
            properties=MappingProxyType(data["properties"]) if data.get("properties") else EMPTY,
            access=Access.from_dict(data["access"]) if data.get("access") else None,
            extra=_extra(data, cls._KNOWN),
        )

    def to_dict(self) -> dict[str, Any]:
        times = (
            {"datetime": format_time(self.start)}
            if self.instant
            else {"start": format_time(self.start), "end": format_time(self.end)}
        )
        known = {
            "type": str(self.type),
            "id": self.id,
            "dataset": self.dataset,
            **times,
            "acquired": _time_out(self.acquired_at),
            "bbox": None if self.bbox is None else list(self.bbox),
            "geometry": self.geometry,
            "assets": [a.to_dict() for a in self.assets],
            "properties": dict(self.properties),
            "access": None if self.access is None else self.access.to_dict(),
        }
        return {**self.extra, **_compact(known)}

    @property
    def acquired(self) -> datetime:
        """When the data reached the ground: `acquired`, else the end of the observation (contract default)."""
        return self.acquired_at or self.end


@dataclass(frozen=True, slots=True)
class GranuleFacts:
    """What the store indexes of a granule, times in epoch seconds: small and cheap to pass between processes."""

    dataset: str
    id: str
    start: int
    end: int
    acquired: int
    bbox: BBox | None
    has_access: bool

    @classmethod
    def of(cls, granule: Granule) -> Self:
        return cls(
            granule.dataset,
            granule.id,
            to_epoch(granule.start),
            to_epoch(granule.end),
            to_epoch(granule.acquired),
            granule.bbox,
            granule.access is not None,
        )

    def policy_record(self) -> Granule:
        """A granule with what the policy reads of one that has no `access` of its own: its times."""
        if self.has_access:
            raise ValueError(f"granule {self.id!r} has its own access: build it from its whole record")
        return Granule(
            id=self.id,
            dataset=self.dataset,
            start=from_epoch(self.start),
            end=from_epoch(self.end),
            acquired_at=from_epoch(self.acquired),
        )


def _bbox(value: list[float] | None) -> BBox | None:
    if value is None:
        return None
    west, south, east, north = (float(v) for v in value)
    return (west, south, east, north)


Record = Mission | Dataset | Granule

RECORD_TYPES: Mapping[str, type[Mission] | type[Dataset] | type[Granule]] = MappingProxyType(
    {RecordType.MISSION: Mission, RecordType.DATASET: Dataset, RecordType.GRANULE: Granule}
)


def record_from_dict(data: Mapping[str, Any]) -> Record:
    """Build the typed record for a contract-v1 object that passed the schema."""
    return RECORD_TYPES[data["type"]].from_dict(data)
