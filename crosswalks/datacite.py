"""DataCite Metadata Schema 4.7: the `resource` of a dataset as the public may see it (`oai_datacite`)."""

from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime, time
from types import MappingProxyType

from lxml import etree
from lxml.builder import ElementMaker

from catalog.contract import is_local_reference
from catalog.policy import ISAS_ROR, JAXA_ROR, MANDATORY_CREDIT, release_moment
from catalog.records import UNDETERMINED, Agent, Dataset, LangMap
from catalog.sets import CATEGORY_WORDS
from catalog.timeutil import format_time
from catalog.view import View
from catalog.vocab import Category, CreatorKind, Visibility
from crosswalks.statements import (
    COAR_ACCESS_RIGHTS,
    COAR_LABELS,
    GOJ_TERMS_URL,
    MODIFICATION_DUTY,
    TERMS_OF_USE,
    credit_line,
    license_url,
    may_link,
    media_kinds,
    restriction,
    rolling_proprietary,
    withdrawal,
)

NS = "http://datacite.org/schema/kernel-4"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA = "https://schema.datacite.org/meta/kernel-4.7/metadata.xsd"
SCHEMA_LOCATION = f"{NS} {SCHEMA}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
LOCAL_ID_TYPE = "ISAS catalog id"

ORCID = "https://orcid.org/"
ROR = "https://ror.org/"
SPDX = "https://spdx.org/licenses/"

LICENSE_NAMES: Mapping[str, str] = MappingProxyType(
    {
        "CC-BY-4.0": "Creative Commons Attribution 4.0 International",
        "CC0-1.0": "Creative Commons Zero v1.0 Universal",
        "CC-BY-SA-4.0": "Creative Commons Attribution Share Alike 4.0 International",
        "BSD-3-Clause": 'BSD 3-Clause "New" or "Revised" License',
        "MIT": "MIT License",
        "Apache-2.0": "Apache License 2.0",
    }
)

NO_LICENSE_NAME = "No licence stated by the source"
"""What a harvested record whose rights name no SPDX licence (`NO_STATED_LICENSE`) says of its licence."""

RESOURCE_TYPES_GENERAL: Mapping[Category, str] = MappingProxyType(
    {
        Category.OBSERVATION: "Dataset",
        Category.ENGINEERING: "Dataset",
        Category.SOURCE: "Dataset",
        Category.EXPERIMENT: "Dataset",
        Category.SIMULATION: "Dataset",
        Category.ANALYSIS: "Dataset",
        Category.DOCUMENT: "Text",
        Category.SOFTWARE: "Software",
    }
)
"""DataCite's resourceTypeGeneral by category; the element's text is the category in words (`CATEGORY_WORDS`)."""
"""resourceTypeGeneral and the category in words; documents may turn out Image or Audiovisual by their formats."""


CONTRIBUTOR_TYPES = frozenset(
    {
        "ContactPerson", "DataCollector", "DataCurator", "DataManager", "Distributor", "Editor",
        "HostingInstitution", "Other", "Producer", "ProjectLeader", "ProjectManager", "ProjectMember",
        "RegistrationAgency", "RegistrationAuthority", "RelatedPerson", "ResearchGroup", "RightsHolder",
        "Researcher", "Sponsor", "Supervisor", "Translator", "WorkPackageLeader",
    }
)  # fmt: skip
RELATION_TYPES = frozenset(
    {
        "IsCitedBy", "Cites", "IsSupplementTo", "IsSupplementedBy", "IsContinuedBy", "Continues",
        "IsDescribedBy", "Describes", "HasMetadata", "IsMetadataFor", "HasVersion", "IsVersionOf",
        "IsNewVersionOf", "IsPreviousVersionOf", "IsPartOf", "HasPart", "IsPublishedIn", "IsReferencedBy",
        "References", "IsDocumentedBy", "Documents", "IsCompiledBy", "Compiles", "IsVariantFormOf",
        "IsOriginalFormOf", "IsIdenticalTo", "IsReviewedBy", "Reviews", "IsDerivedFrom", "IsSourceOf",
        "IsRequiredBy", "Requires", "IsObsoletedBy", "Obsoletes", "IsCollectedBy", "Collects",
        "IsTranslationOf", "HasTranslation", "Other",
    }
)  # fmt: skip
"""DataCite 4.7's controlled lists, so that a value outside them becomes `Other` instead of invalid XML."""

ISAS = Agent(name="Institute of Space and Astronautical Science", kind=CreatorKind.ORGANIZATION, ror=ISAS_ROR)
JAXA = Agent(name="Japan Aerospace Exploration Agency", kind=CreatorKind.ORGANIZATION, ror=JAXA_ROR)

E = ElementMaker(namespace=NS, nsmap={None: NS, "xsi": XSI})


def can_disseminate(record: Dataset) -> bool:
    """Tell whether a dataset has DataCite metadata at all: only one with a DOI does.

    DataCite's `identifierType` has one allowed value, `DOI`; the 4.7 XSD leaves the attribute open, but a
    resource under any other identifier would not be DataCite metadata. The OAI-PMH layer answers
    `cannotDisseminateFormat` for the others.
    """
    return record.doi is not None


def to_datacite(record: Dataset, view: View) -> etree._Element:
    """Return the DataCite 4.7 `resource` of a dataset as the public may see it at `view.at`.

    Total for every dataset with a DOI; raise `ValueError` for one without (see `can_disseminate`). Assets never
    appear: DataCite has no place for download links, and a related URL that is one of the dataset's assets is
    left out unless the view shows data links.
    """
    if record.doi is None:
        raise ValueError(f"dataset {record.id!r} has no DOI: DataCite metadata needs one")
    parts: list[etree._Element | None] = [
        E.identifier(record.doi, identifierType="DOI"),
        E.creators(*(_agent("creator", agent) for agent in record.creators or (ISAS,))),
        E.titles(*_titles(record)),
        E.publisher(
            MANDATORY_CREDIT,
            {XML_LANG: "en"},
            publisherIdentifier=ISAS_ROR,
            publisherIdentifierScheme="ROR",
            schemeURI=ROR,
        ),
        E.publicationYear(f"{_publication_moment(record, view).year:04d}"),
        _resource_type(record),
        _optional("subjects", _subjects(record)),
        E.contributors(*_contributors(record)),
        E.dates(*_dates(record, view)),
        _language(record),
        E.alternateIdentifiers(E.alternateIdentifier(record.id, alternateIdentifierType=LOCAL_ID_TYPE)),
        _optional("relatedIdentifiers", _related(record, view)),
        _optional("formats", (E.format(f) for f in record.formats)),
        E.version(record.version) if record.version else None,
        E.rightsList(*_rights(record, view)),
        _optional("descriptions", _descriptions(record, view)),
        _optional("geoLocations", _geo_locations(record)),
    ]
    root = E.resource(*(part for part in parts if part is not None))
    root.set(f"{{{XSI}}}schemaLocation", SCHEMA_LOCATION)
    return root


def _optional(name: str, children: Iterable[etree._Element]) -> etree._Element | None:
    listed = list(children)
    return E(name, *listed) if listed else None


def _lang(language: str) -> dict[str, str]:
    return {} if language == UNDETERMINED else {XML_LANG: language}


def _texts(name: str, text: LangMap | None, **attributes: str) -> Iterator[etree._Element]:
    """Write one element per language of a text, English first."""
    if text is None:
        return
    for language in sorted(text, key=lambda lang: lang != "en"):
        yield E(name, text[language], _lang(language), **attributes)


def _identifier(value: str, base: str) -> str:
    return value if value.startswith(base) else base + value


def _agent(name: str, agent: Agent, **attributes: str) -> etree._Element:
    """Write a creator or contributor; a person's `Family, Given` also as familyName and givenName.

    The Japanese name (`name_ja`) is left out: DataCite has one name per creator, and a second creator would
    count the same person twice.
    """
    person = agent.kind is CreatorKind.PERSON
    children: list[etree._Element] = [
        E(
            f"{name}Name",
            agent.name,
            {} if person else {XML_LANG: "en"},
            nameType="Personal" if person else "Organizational",
        )
    ]
    if person and "," in agent.name:
        family, given = (part.strip() for part in agent.name.split(",", 1))
        if family and given:
            children += [E.givenName(given), E.familyName(family)]
    if agent.orcid:
        children.append(
            E.nameIdentifier(
                _identifier(agent.orcid, ORCID), nameIdentifierScheme="ORCID", schemeURI="https://orcid.org"
            )
        )
    ror = _identifier(agent.ror, ROR) if agent.ror else None
    if ror and not person:
        children.append(E.nameIdentifier(ror, nameIdentifierScheme="ROR", schemeURI="https://ror.org"))
    if ror and person:
        children.append(
            E.affiliation(
                agent.affiliation or ror,
                affiliationIdentifier=ror,
                affiliationIdentifierScheme="ROR",
                schemeURI="https://ror.org",
            )
        )
    elif agent.affiliation:
        children.append(E.affiliation(agent.affiliation))
    return E(name, *children, **attributes)


def _titles(record: Dataset) -> Iterator[etree._Element]:
    title = record.title or {UNDETERMINED: record.id}
    first = "en" if "en" in title else next(iter(title))
    yield E.title(title[first], _lang(first))
    for language, text in title.items():
        if language != first:
            yield E.title(text, _lang(language), titleType="TranslatedTitle")


def _publication_moment(record: Dataset, view: View) -> datetime:
    """Return when the data was or will be first public: `issued`, else when it became or becomes available, else
    the last change of its record (DataCite: the year an embargo ends, else the year preferred for citation)."""
    return record.issued or view.available or view.updated


def _resource_type(record: Dataset) -> etree._Element:
    general, words = RESOURCE_TYPES_GENERAL[record.category], CATEGORY_WORDS[record.category][0]
    if record.category is Category.DOCUMENT:
        kinds = media_kinds(record)
        if "video" in kinds:
            general = "Audiovisual"
        elif "image" in kinds:
            general = "Image"
    return E.resourceType(words, resourceTypeGeneral=general)


def _subjects(record: Dataset) -> Iterator[etree._Element]:
    if record.mission:
        yield E.subject(record.mission, subjectScheme="ISAS mission")
    for instrument in record.instruments:
        yield E.subject(instrument, subjectScheme="instrument")
    for target in record.targets:
        yield E.subject(target, subjectScheme="target")
    for keyword in record.keywords:
        yield E.subject(keyword)
    if record.processing_level:
        yield E.subject(record.processing_level, subjectScheme="processing level")


def _contributors(record: Dataset) -> Iterator[etree._Element]:
    for agent in record.contributors:
        role = agent.role if agent.role is not None and agent.role in CONTRIBUTOR_TYPES else "Other"
        yield _agent("contributor", agent, contributorType=role)
    yield _agent("contributor", JAXA, contributorType="RightsHolder")
    yield _agent("contributor", ISAS, contributorType="HostingInstitution")


def _day_or_time(*moments: datetime) -> str:
    """Write bare dates when all are midnight UTC (how the archive gives dates), else full UTC times; a range
    (RKMS-ISO8601) when there are two."""
    utc = [moment.astimezone(UTC) for moment in moments]
    days = all(moment.time() == time() for moment in utc)
    return "/".join(moment.date().isoformat() if days else format_time(moment) for moment in utc)


def _available_information(record: Dataset, view: View) -> str:
    """Say how the data became or becomes available."""
    if view.available_scheduled:
        return "scheduled release at the end of the restriction"
    released = release_moment(record.access)
    if released is not None and released == view.available:
        return "released automatically at the end of its restriction"
    return "first made public"


def _dates(record: Dataset, view: View) -> Iterator[etree._Element]:
    temporal = record.temporal
    if temporal is not None and temporal.end is not None:
        yield E.date(_day_or_time(temporal.start, temporal.end), dateType="Collected")
    elif temporal is not None:
        yield E.date(_day_or_time(temporal.start), dateType="Collected", dateInformation="ongoing")
    if record.issued is not None:
        yield E.date(_day_or_time(record.issued), dateType="Issued")
    if view.available is not None:
        information = _available_information(record, view)
        yield E.date(_day_or_time(view.available), dateType="Available", dateInformation=information)
    yield E.date(_day_or_time(view.updated), dateType="Updated")
    if view.withdrawn is not None:
        yield E.date(_day_or_time(view.withdrawn), dateType="Withdrawn")


def _language(record: Dataset) -> etree._Element | None:
    languages = [lang for text in (record.title, record.description or {}) for lang in text if lang != UNDETERMINED]
    if not languages:
        return None
    return E.language("en" if "en" in languages else languages[0])


def _related_identifier(target: str) -> tuple[str, str]:
    """Type an external `related` target as DataCite's relatedIdentifierType."""
    lowered = target.lower()
    if target.startswith("10."):
        return target, "DOI"
    if lowered.startswith("doi:"):
        return target[4:], "DOI"
    if lowered.startswith("urn:"):
        return target, "URN"
    if lowered.startswith("ark:"):
        return target, "ARK"
    if lowered.startswith("arxiv:"):
        return target, "arXiv"
    return target, "URL"


def _related(record: Dataset, view: View) -> Iterator[etree._Element]:
    """Write each related resource the public may know of: a local id only as where it resolves, never named."""
    for related in record.related:
        if is_local_reference(related.target):
            resolved = view.related.get(related.target)
            if resolved is None:
                continue
            identifier, kind = resolved.identifier, resolved.identifier_type
        else:
            identifier, kind = _related_identifier(related.target)
        if not may_link(identifier, record, view):
            continue
        known = related.relation in RELATION_TYPES
        extra = {} if known else {"relationTypeInformation": related.relation}
        relation = related.relation if known else "Other"
        yield E.relatedIdentifier(identifier, relatedIdentifierType=kind, relationType=relation, **extra)


def _rights(record: Dataset, view: View) -> Iterator[etree._Element]:
    """Write the terms of use (§6) and the access right.

    The licence, terms and credit are written for restricted and deleted data too: they are the terms the data
    was or will be released under, and they cover this metadata.
    """
    spdx = record.rights.license
    url = license_url(spdx)
    if url is None:
        yield E.rights(NO_LICENSE_NAME, {XML_LANG: "en"})
    else:
        yield E.rights(
            LICENSE_NAMES.get(spdx, spdx),
            {XML_LANG: "en"},
            rightsURI=url,
            rightsIdentifier=spdx,
            rightsIdentifierScheme="SPDX",
            schemeURI=SPDX,
        )
    yield from _texts("rights", TERMS_OF_USE, rightsURI=GOJ_TERMS_URL)
    yield from _texts("rights", credit_line(record))
    yield from _texts("rights", record.rights.restrictions)
    yield from _texts("rights", MODIFICATION_DUTY)
    yield E.rights(COAR_LABELS[view.access_right], {XML_LANG: "en"}, rightsURI=COAR_ACCESS_RIGHTS[view.access_right])


def _descriptions(record: Dataset, view: View) -> Iterator[etree._Element]:
    """Write the abstract and what the policy says of the data now: caveat, schedule, restriction, withdrawal.

    The release schedule is written only while the data is restricted, and the rolling proprietary period only
    while it is public: once released or withdrawn they no longer describe it.
    """
    yield from _texts("description", record.description, descriptionType="Abstract")
    if view.visibility is not Visibility.DELETED:
        yield from _texts("description", record.access.caveat, descriptionType="TechnicalInfo")
    if view.visibility is Visibility.RESTRICTED:
        yield from _texts("description", record.access.release_schedule, descriptionType="TechnicalInfo")
        yield from _texts("description", restriction(record, view), descriptionType="Other")
    if view.visibility is Visibility.PUBLIC:
        yield from _texts("description", rolling_proprietary(record), descriptionType="TechnicalInfo")
    yield from _texts("description", withdrawal(record, view), descriptionType="Other")


def _geo_locations(record: Dataset) -> Iterator[etree._Element]:
    """Write the Earth bounding box, else each target as a place (targets of Earth data are in its box)."""
    if record.bbox is not None:
        west, south, east, north = record.bbox
        yield E.geoLocation(
            E.geoLocationBox(
                E.westBoundLongitude(repr(west)),
                E.eastBoundLongitude(repr(east)),
                E.southBoundLatitude(repr(south)),
                E.northBoundLatitude(repr(north)),
            )
        )
        return
    for target in record.targets:
        yield E.geoLocation(E.geoLocationPlace(target))
