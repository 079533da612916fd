"""DataCite kernel-4 back to a catalog record: what the OAI-PMH harvester keeps of an `oai_datacite` record.

`docs/crosswalks.md` ("Back from DataCite and Dublin Core") is the field-by-field reference.
"""

import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any

from lxml import etree

from catalog.records import Access, Agent, Temporal
from catalog.sets import CATEGORY_WORDS
from catalog.timeutil import format_time
from catalog.vocab import AccessRight, AccessStatus, AfterDeadline, Category, CreatorKind, RestrictionReason, Visibility
from crosswalks import oai_datacite
from crosswalks.datacite import CONTRIBUTOR_TYPES, ISAS, JAXA, LOCAL_ID_TYPE, NS, RELATION_TYPES, to_datacite
from crosswalks.inverse import (
    PROBE_DAY,
    AccessFacts,
    InverseError,
    Withdrawal,
    access_block,
    access_right_of,
    bare_doi,
    by_language_runs,
    checked_bbox,
    compact,
    finish,
    first_moment,
    interval,
    is_own_rights_text,
    is_person_name,
    lang_map,
    language_of,
    license_from_url,
    license_id,
    lifecycle_block,
    mission_id,
    number,
    orcid_of,
    probe_dataset,
    probe_view,
    read_credit,
    read_restriction,
    read_rolling,
    read_withdrawal,
    related_target,
    ror_of,
    text_of,
    text_value,
    unique,
)
from crosswalks.statements import GOJ_TERMS_URL, NO_STATED_LICENSE

__all__ = ["InverseError", "datacite_resource", "record_from_datacite"]

RESOURCE = f"{{{NS}}}resource"
OAI_DATACITE_NAMESPACES = (oai_datacite.NS, "http://schema.datacite.org/oai/oai-1.0/")
PARAGRAPHS = "\n\n"
LINES = "\n"

CATEGORIES_BY_TYPE: Mapping[str, Category] = MappingProxyType(
    {
        "Dataset": Category.OBSERVATION,
        "Collection": Category.OBSERVATION,
        "Software": Category.SOFTWARE,
        "ComputationalNotebook": Category.SOFTWARE,
        "Workflow": Category.SOFTWARE,
        "Model": Category.SIMULATION,
    }
)
"""The category of a foreign record by resourceTypeGeneral; any other type that is not in `NOT_DATA` (texts,
images, sound, `Other`, and types added after 4.7) is a document."""

NOT_DATA: Mapping[str, str] = MappingProxyType(
    {
        "Award": "a grant",
        "Event": "an event",
        "Instrument": "an instrument",
        "PhysicalObject": "a physical object",
        "Project": "a project",
        "Service": "a service",
    }
)
"""resourceTypeGeneral values that describe no data: the catalog lists data, so it refuses them."""

CATEGORIES_BY_WORDS: Mapping[str, Category] = MappingProxyType(
    {words: category for category, names in CATEGORY_WORDS.items() for words in names}
)
"""Our own resourceType texts: the category in words."""


@dataclass(frozen=True, slots=True)
class Wording:
    """What `crosswalks/datacite.py` writes as literals, read from a probe it renders."""

    subject_fields: Mapping[str, str]
    """subjectScheme → the record field its subjects hold (`ISAS mission` → `mission`)."""
    ongoing: str
    """The dateInformation of a Collected date with no end yet."""
    released: str
    """The dateInformation of the Available date of data released automatically at the end of its restriction."""


@functools.cache
def wording() -> Wording:
    probe = probe_dataset(
        mission="mission",
        instruments=("instruments",),
        targets=("targets",),
        processing_level="processing_level",
        temporal=Temporal(PROBE_DAY),
        access=Access(
            AccessStatus.RESTRICTED,
            RestrictionReason.PROPRIETARY_PERIOD,
            scope="scope",
            until=PROBE_DAY,
            after=AfterDeadline.RELEASE,
        ),
    )
    resource = to_datacite(probe, probe_view(Visibility.PUBLIC, AccessRight.OPEN, available=PROBE_DAY))
    subjects = {str(s.get("subjectScheme")): text_of(s) for s in _all(resource, "subjects", "subject")}
    dates = {str(d.get("dateType")): str(d.get("dateInformation")) for d in _all(resource, "dates", "date")}
    return Wording(MappingProxyType(subjects), ongoing=dates["Collected"], released=dates["Available"])


def _tag(name: str) -> str:
    return f"{{{NS}}}{name}"


def _all(resource: etree._Element, group: str, name: str) -> Iterator[etree._Element]:
    for parent in resource.iterchildren(_tag(group)):
        yield from parent.iterchildren(_tag(name))


def _first(parent: etree._Element | None, name: str) -> etree._Element | None:
    return None if parent is None else next(parent.iterchildren(_tag(name)), None)


def _describe(element: etree._Element) -> str:
    qname = etree.QName(element)
    return f"<{qname.localname}> in namespace {qname.namespace}" if qname.namespace else f"<{qname.localname}>"


def datacite_resource(metadata: etree._Element) -> etree._Element:
    """Return the DataCite kernel-4 `resource` of an OAI-PMH record's metadata: the element itself, or the one in
    the `payload` of an `oai_datacite` 1.0 or 1.1 wrapper."""
    if metadata.tag == RESOURCE:
        return metadata
    qname = etree.QName(metadata)
    if qname.localname == "oai_datacite" and qname.namespace in OAI_DATACITE_NAMESPACES:
        payload = next(metadata.iterchildren(f"{{{qname.namespace}}}payload"), None)
        if payload is None:
            raise InverseError("oai_datacite record has no payload")
        inside = next(payload.iterchildren(etree.Element), None)
        if inside is None:
            raise InverseError("oai_datacite record has an empty payload")
        if inside.tag != RESOURCE:
            raise InverseError(f"oai_datacite payload holds {_describe(inside)}, not a DataCite kernel-4 resource")
        return inside
    raise InverseError(f"expected a DataCite kernel-4 resource or an oai_datacite record, found {_describe(metadata)}")


def record_from_datacite(resource: etree._Element) -> dict[str, Any]:
    """Return the contract-v1 dataset a DataCite 4.x `resource` describes, without `id` (the harvester's to give).

    Our own records come back as the public saw them, the policy's statements read back; foreign ones get the
    defaults `docs/crosswalks.md` lists. Raise InverseError when the resource lacks what a dataset needs (a title,
    named creators, a resource type that is data) or holds a date, DOI or box that is not one.
    """
    if resource.tag != RESOURCE:
        raise InverseError(f"expected a DataCite kernel-4 resource, found {_describe(resource)}")
    ours = any(
        alternate.get("alternateIdentifierType") == LOCAL_ID_TYPE
        for alternate in _all(resource, "alternateIdentifiers", "alternateIdentifier")
    )
    facts = AccessFacts(publisher=text_of(_first(resource, "publisher")) or None)
    rights = _rights(resource, facts)
    described = _descriptions(resource, facts, ours=ours)
    dates = _dates(resource)
    issued = _availability(dates, facts)
    subjects = _subjects(resource)
    record = {
        "type": "dataset",
        "title": _titles(resource),
        "description": described.abstract,
        "mission": subjects.mission,
        "instruments": unique(subjects.instruments),
        "targets": unique([*subjects.targets, *_places(resource)]),
        "keywords": unique(subjects.keywords),
        "category": str(_category(resource)),
        "processing_level": subjects.processing_level,
        "creators": _creators(resource),
        "contributors": _contributors(resource),
        "doi": _doi(resource),
        "version": text_of(_first(resource, "version")) or None,
        "temporal": dates.temporal,
        "spatial": _spatial(resource),
        "formats": unique(text_of(element) for element in _all(resource, "formats", "format")),
        "related": _related(resource),
        "issued": None if issued is None else format_time(issued),
        "access": access_block(facts),
        "rights": rights,
        "lifecycle": lifecycle_block(dates.withdrawn, described.withdrawals),
    }
    return finish(compact(record), "the DataCite resource")


def _titles(resource: etree._Element) -> dict[str, str]:
    """The title by language: the main titles and TranslatedTitles (a Subtitle joined to its language's title)."""
    main: list[tuple[str, str]] = []
    translated: list[tuple[str, str]] = []
    subtitles: list[tuple[str, str]] = []
    others: list[tuple[str, str]] = []
    for element in _all(resource, "titles", "title"):
        kind = element.get("titleType")
        pair = (language_of(element), text_of(element))
        {None: main, "TranslatedTitle": translated, "Subtitle": subtitles}.get(kind, others).append(pair)
    titles = lang_map([*main, *translated]) or lang_map(others)
    if not titles:
        raise InverseError("resource has no title")
    for language, subtitle in subtitles:
        if language in titles and subtitle:
            titles[language] = f"{titles[language]}: {subtitle}"
    return titles


def _agent(element: etree._Element, prefix: str) -> dict[str, Any] | None:
    """A creator or contributor: "Family, Given" from the name (or from familyName and givenName), its ORCID, and
    the ROR id of an organisation (a person's is its affiliation's, as `datacite.py` writes them)."""
    name_element = _first(element, f"{prefix}Name")
    given, family = text_of(_first(element, "givenName")), text_of(_first(element, "familyName"))
    name = text_of(name_element) or (f"{family}, {given}" if family and given else family or given)
    if not name:
        return None
    identifiers = [
        ((identifier.get("nameIdentifierScheme") or "").strip().lower(), text_of(identifier))
        for identifier in element.iterchildren(_tag("nameIdentifier"))
    ]
    orcid = next((found for scheme, text in identifiers if scheme == "orcid" and (found := orcid_of(text))), None)
    own_ror = next((found for scheme, text in identifiers if scheme == "ror" and (found := ror_of(text))), None)
    name_type = None if name_element is None else name_element.get("nameType")
    person = {"Personal": True, "Organizational": False}.get(
        name_type or "", bool(given or family or orcid) or is_person_name(name)
    )
    affiliation_element = _first(element, "affiliation")
    affiliation = text_of(affiliation_element) or None
    affiliation_ror = None
    if affiliation_element is not None:
        affiliation_ror = ror_of(affiliation_element.get("affiliationIdentifier") or "")
    if affiliation is not None and affiliation_ror is not None and ror_of(affiliation) == affiliation_ror:
        affiliation = None
    return compact(
        {
            "name": name,
            "kind": str(CreatorKind.PERSON if person else CreatorKind.ORGANIZATION),
            "orcid": orcid if person else None,
            "ror": affiliation_ror if person else own_ror,
            "affiliation": affiliation,
        }
    )


def _creators(resource: etree._Element) -> list[dict[str, Any]]:
    found = []
    for position, element in enumerate(_all(resource, "creators", "creator"), 1):
        agent = _agent(element, "creator")
        if agent is None:
            raise InverseError(f"creator {position} has no name")
        found.append(agent)
    if not found:
        raise InverseError("resource has no creator")
    return found


def _fixed(agent: Agent, role: str) -> dict[str, Any]:
    return {**agent.to_dict(), "role": role}


def _contributors(resource: etree._Element) -> list[dict[str, Any]]:
    """Contributors with their contributorType as role; the JAXA and ISAS entries every record of ours ends with
    are left out (they are written again)."""
    found = []
    for element in _all(resource, "contributors", "contributor"):
        agent = _agent(element, "contributor")
        if agent is not None:
            role = element.get("contributorType") or ""
            found.append({**agent, "role": role if role in CONTRIBUTOR_TYPES else "Other"})
    if found[-2:] == [_fixed(JAXA, "RightsHolder"), _fixed(ISAS, "HostingInstitution")]:
        del found[-2:]
    return found


@dataclass(slots=True)
class _Subjects:
    mission: str | None = None
    processing_level: str | None = None
    instruments: list[str] = field(default_factory=list)
    targets: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)


def _subjects(resource: etree._Element) -> _Subjects:
    """Subjects by the schemes `datacite.py` writes (mission, instrument, target, processing level); the rest are
    keywords, as is a mission subject that is not a mission id."""
    fields = wording().subject_fields
    found = _Subjects()
    for element in _all(resource, "subjects", "subject"):
        text = text_of(element)
        kind = fields.get(element.get("subjectScheme") or "")
        if not text:
            continue
        if kind == "mission" and found.mission is None and mission_id(text):
            found.mission = text
        elif kind == "processing_level" and found.processing_level is None:
            found.processing_level = text
        elif kind == "instruments":
            found.instruments.append(text)
        elif kind == "targets":
            found.targets.append(text)
        else:
            found.keywords.append(text)
    return found


def _places(resource: etree._Element) -> list[str]:
    return [
        text_of(place)
        for location in _all(resource, "geoLocations", "geoLocation")
        for place in location.iterchildren(_tag("geoLocationPlace"))
    ]


def _category(resource: etree._Element) -> Category:
    """Our category from its words; else by resourceTypeGeneral (`CATEGORIES_BY_TYPE`), refusing `NOT_DATA`."""
    element = _first(resource, "resourceType")
    if element is None:
        raise InverseError("resource has no resourceType")
    ours = CATEGORIES_BY_WORDS.get(text_of(element))
    if ours is not None:
        return ours
    general = (element.get("resourceTypeGeneral") or "").strip()
    if general in NOT_DATA:
        raise InverseError(f"resourceTypeGeneral {general} describes {NOT_DATA[general]}, not data")
    return CATEGORIES_BY_TYPE.get(general, Category.DOCUMENT)


def _doi(resource: etree._Element) -> str | None:
    element = _first(resource, "identifier")
    if element is None:
        return None
    text = text_of(element)
    doi = bare_doi(text)
    if doi is None:
        raise InverseError(f"identifier {text!r} is not a DOI")
    return doi


@dataclass(slots=True)
class _Dates:
    temporal: dict[str, str | None] | None = None
    issued: datetime | None = None
    available: tuple[datetime, str] | None = None
    withdrawn: datetime | None = None


def _dates(resource: etree._Element) -> _Dates:
    """Collected (else Coverage) as the temporal coverage, Issued, Available with its dateInformation, Withdrawn;
    other date types are not read (and so not checked)."""
    found = _Dates()
    periods: dict[str, tuple[datetime, datetime | None] | None] = {}
    for element in _all(resource, "dates", "date"):
        kind = element.get("dateType") or ""
        text = text_of(element)
        information = (element.get("dateInformation") or "").strip()
        what = f"{kind} date"
        if kind in ("Collected", "Coverage") and kind not in periods:
            periods[kind] = interval(text, what, ongoing=wording().ongoing.lower() in information.lower())
        elif kind == "Issued" and found.issued is None:
            found.issued = first_moment(text, what)
        elif kind == "Available" and found.available is None:
            found.available = (first_moment(text, what), information)
        elif kind == "Withdrawn" and found.withdrawn is None:
            found.withdrawn = first_moment(text, what)
    period = periods.get("Collected") or periods.get("Coverage")
    if period is not None:
        start, end = period
        found.temporal = {"start": format_time(start), "end": None if end is None else format_time(end)}
    return found


def _availability(dates: _Dates, facts: AccessFacts) -> datetime | None:
    """Read the Available date: our automatic release, an embargo's end, else (open data without an Issued date)
    when it was first made available. Return the `issued` moment."""
    if dates.available is None:
        return dates.issued
    when, information = dates.available
    restriction = facts.restriction
    if information == wording().released and restriction is None:
        facts.released = when
    elif facts.right is AccessRight.EMBARGOED or (
        restriction is not None and restriction.after is AfterDeadline.RELEASE
    ):
        facts.embargo_end = when
    elif dates.issued is None and restriction is None and facts.right in (None, AccessRight.OPEN):
        return when
    return dates.issued


def _rights(resource: etree._Element, facts: AccessFacts) -> dict[str, Any]:
    """The access right (into `facts`), the licence, our credit line and any other statement on rights.

    The licence is the first SPDX rightsIdentifier or licence URL; a source that states rights but none of them
    is an SPDX licence gets `NOASSERTION` (its statements are kept as `restrictions`); one that states no rights
    at all gets the contract's default.
    """
    licenses: list[str] = []
    credit: tuple[str, ...] | None = None
    statements: list[tuple[str, str]] = []
    for element in _all(resource, "rightsList", "rights"):
        text, uri = text_of(element), (element.get("rightsURI") or "").strip()
        right = access_right_of(uri) or access_right_of(text)
        if right is not None:
            facts.right = facts.right or right
            continue
        identifier = (element.get("rightsIdentifier") or "").strip()
        scheme = (element.get("rightsIdentifierScheme") or "SPDX").strip().upper()
        spdx = (license_id(identifier) if identifier and scheme == "SPDX" else None) or license_from_url(uri)
        if spdx is not None:
            licenses.append(spdx)
            continue
        if uri == GOJ_TERMS_URL or is_own_rights_text(text):
            continue
        credits = read_credit(text)
        if credits is not None:
            credit = credit if credit is not None else credits
            continue
        statement = f"{text} ({uri})" if text and uri and uri not in text else text or uri
        if statement:
            statements.append((language_of(element), statement))
    license = licenses[0] if licenses else (NO_STATED_LICENSE if statements else None)
    return compact(
        {
            "license": license,
            "credit": list(credit or ()),
            "restrictions": text_value(lang_map(statements, joiner=LINES)),
        }
    )


@dataclass(slots=True)
class _Described:
    abstract: dict[str, str]
    withdrawals: list[Withdrawal]


def _descriptions(resource: etree._Element, facts: AccessFacts, *, ours: bool) -> _Described:
    """The abstract; the policy's statements of ours read back (restriction, withdrawal, rolling proprietary
    period); in our own records, the TechnicalInfo notes as caveat and release schedule. Other descriptions of
    foreign records (Methods, TechnicalInfo, …) are not kept."""
    abstract: list[tuple[str, str]] = []
    notes: list[tuple[str, str]] = []
    withdrawals: list[Withdrawal] = []
    for element in _all(resource, "descriptions", "description"):
        text, kind = text_of(element), element.get("descriptionType")
        if not text:
            continue
        if kind == "Abstract":
            abstract.append((language_of(element), text))
            continue
        restriction = read_restriction(text)
        withdrawn = None if restriction is not None else read_withdrawal(text)
        months = None if restriction is not None or withdrawn is not None else read_rolling(text)
        if restriction is not None:
            facts.restriction = facts.restriction or restriction
        elif withdrawn is not None:
            withdrawals.append(withdrawn)
        elif months is not None:
            facts.proprietary_months = months
        elif ours and kind == "TechnicalInfo":
            notes.append((language_of(element), text))
    _technical_notes(notes, facts)
    return _Described(lang_map(abstract, joiner=PARAGRAPHS), withdrawals)


def _technical_notes(notes: list[tuple[str, str]], facts: AccessFacts) -> None:
    """Our TechnicalInfo notes: the caveat, then (restricted data) the release schedule, each a language map.

    A restricted record with one note has its schedule when held back for incomplete processing, else a caveat.
    """
    runs = by_language_runs(notes)
    if not runs:
        return
    restriction = facts.restriction
    if restriction is None:
        facts.caveat = lang_map(notes, joiner=PARAGRAPHS)
    elif len(runs) > 1:
        facts.caveat = runs[0]
        facts.release_schedule = lang_map([pair for run in runs[1:] for pair in run.items()], joiner=PARAGRAPHS)
    elif restriction.reason is RestrictionReason.INCOMPLETE_PROCESSING:
        facts.release_schedule = runs[0]
    else:
        facts.caveat = runs[0]


def _related(resource: etree._Element) -> list[dict[str, str]]:
    """Related identifiers as DOIs, URLs or URNs (`inverse.related_target`); a relationType `Other` is left out:
    contract v1's relations are DataCite's list without it."""
    found: list[dict[str, str]] = []
    for element in _all(resource, "relatedIdentifiers", "relatedIdentifier"):
        relation = element.get("relationType") or ""
        target = related_target(text_of(element), element.get("relatedIdentifierType"))
        entry = {"relation": relation, "target": target or ""}
        if relation in RELATION_TYPES and relation != "Other" and target is not None and entry not in found:
            found.append(entry)
    return found


def _spatial(resource: etree._Element) -> dict[str, list[float]] | None:
    """The first geoLocationBox as the bbox; without one, the first geoLocationPoint as a bbox of no extent."""
    points: list[tuple[float, float]] = []
    for location in _all(resource, "geoLocations", "geoLocation"):
        box = _first(location, "geoLocationBox")
        if box is not None:
            west, south, east, north = (
                number(text_of(_first(box, name)), f"geoLocationBox {name}")
                for name in ("westBoundLongitude", "southBoundLatitude", "eastBoundLongitude", "northBoundLatitude")
            )
            return {"bbox": checked_bbox(west, south, east, north, "geoLocationBox")}
        point = _first(location, "geoLocationPoint")
        if point is not None:
            longitude = number(text_of(_first(point, "pointLongitude")), "geoLocationPoint pointLongitude")
            latitude = number(text_of(_first(point, "pointLatitude")), "geoLocationPoint pointLatitude")
            points.append((longitude, latitude))
    if not points:
        return None
    longitude, latitude = points[0]
    return {"bbox": checked_bbox(longitude, latitude, longitude, latitude, "geoLocationPoint")}
