"""schema.org `Dataset` as JSON-LD, for a landing page's structured data and for `application/ld+json`."""

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, time
from typing import Any

from catalog.policy import ISAS_ROR, JAXA_ROR, MANDATORY_CREDIT, MANDATORY_CREDIT_JA
from catalog.records import UNDETERMINED, Agent, Dataset, LangMap, Mission
from catalog.timeutil import format_time
from catalog.view import View
from catalog.vocab import CreatorKind, Visibility
from crosswalks.statements import (
    cite_as,
    credit_line,
    doi_url,
    license_url,
    may_link,
    restriction,
    rolling_proprietary,
    text_in,
    withdrawal,
)
from crosswalks.urls import DatasetUrls

CONTEXT = "https://schema.org/"
ORCID = "https://orcid.org/"
ROR = "https://ror.org/"
LOCAL_ID_PROPERTY = "ISAS catalog id"
CATALOG_NAME = "ISAS/JAXA science data catalog"
WITHDRAWN_STATUS = "Withdrawn"

Json = dict[str, Any]


def to_jsonld(dataset: Dataset, view: View, urls: DatasetUrls, *, mission: Mission | None = None) -> dict[str, Any]:
    """Return the schema.org `Dataset` of a dataset as the public may see it at `view.at`, as compact JSON-LD.

    Total for every dataset with a view. Download links (`distribution`) appear only while the view shows data
    links, and only those `may_link` allows; a restricted dataset carries its restriction as
    `conditionsOfAccess`, a withdrawn one says so in its description, `creativeWorkStatus` and `expires`.
    """
    document: Json = {
        "@context": CONTEXT,
        "@type": "Dataset",
        "@id": cite_as(dataset, urls),
        "name": _language_tagged(dataset.title or {UNDETERMINED: dataset.id}),
        "description": _description(dataset, view),
        "url": urls.landing,
        "identifier": _identifiers(dataset),
        "sameAs": doi_url(dataset.doi) if dataset.doi else None,
        "creator": [_agent(agent) for agent in dataset.creators or (ISAS,)],
        "contributor": [_agent(agent) for agent in dataset.contributors] or None,
        "publisher": PUBLISHER,
        "license": license_url(dataset.rights.license),
        "isAccessibleForFree": True,
        "creditText": _language_tagged(credit_line(dataset)),
        "conditionsOfAccess": _optional_tagged(restriction(dataset, view)),
        "temporalCoverage": _temporal_coverage(dataset),
        "spatialCoverage": _spatial_coverage(dataset),
        "keywords": _keywords(dataset, mission) or None,
        "about": _mission(dataset, mission),
        "version": dataset.version,
        "datePublished": _date_published(dataset, view),
        "dateModified": format_time(view.datestamp),
        "includedInDataCatalog": {"@type": "DataCatalog", "name": CATALOG_NAME, "url": urls.catalog},
        "distribution": _distribution(dataset, view) or None,
        "creativeWorkStatus": WITHDRAWN_STATUS if view.visibility is Visibility.DELETED else None,
        "expires": _day_or_time(view.withdrawn) if view.withdrawn is not None else None,
    }
    return {key: value for key, value in document.items() if value is not None}


ISAS = Agent(name="Institute of Space and Astronautical Science", kind=CreatorKind.ORGANIZATION, ror=ISAS_ROR)

PUBLISHER: Json = {
    "@type": "Organization",
    "name": MANDATORY_CREDIT,
    "alternateName": [
        {
            "@value": "Institute of Space and Astronautical Science, Japan Aerospace Exploration Agency",
            "@language": "en",
        },
        {"@value": MANDATORY_CREDIT_JA, "@language": "ja"},
    ],
    "sameAs": ISAS_ROR,
    "parentOrganization": {"@type": "Organization", "name": "Japan Aerospace Exploration Agency", "sameAs": JAXA_ROR},
}
"""ISAS/JAXA, the name the policy asks users to credit (§6.2), identified by ISAS's ROR id."""


def _tagged(text: str, language: str) -> Json | str:
    return text if language == UNDETERMINED else {"@value": text, "@language": language}


def _language_tagged(text: LangMap) -> list[Json | str] | Json | str:
    """Write a text as one value per language, English first; a plain string for an undetermined language."""
    values = [_tagged(text[language], language) for language in sorted(text, key=lambda lang: lang != "en")]
    return values[0] if len(values) == 1 else values


def _optional_tagged(text: LangMap | None) -> list[Json | str] | Json | str | None:
    return None if text is None else _language_tagged(text)


def _description(dataset: Dataset, view: View) -> list[Json | str] | Json | str | None:
    """Write the abstract with what the policy says of the data now, in each language of the abstract.

    schema.org has one free-text description, so the caveat (not for withdrawn data), the release schedule
    (while restricted), the rolling proprietary period (while public) and the withdrawal follow the abstract.
    The restriction itself is `conditionsOfAccess`.
    """
    notes: list[LangMap] = []
    if view.visibility is not Visibility.DELETED and dataset.access.caveat is not None:
        notes.append(dataset.access.caveat)
    if view.visibility is Visibility.RESTRICTED and dataset.access.release_schedule is not None:
        notes.append(dataset.access.release_schedule)
    proprietary = rolling_proprietary(dataset) if view.visibility is Visibility.PUBLIC else None
    withdrawn = withdrawal(dataset, view)
    notes += [note for note in (proprietary, withdrawn) if note is not None]
    abstract = dataset.description
    if abstract is None and not notes:
        return None
    languages = list(abstract) if abstract is not None else sorted({lang for note in notes for lang in note})
    texts = {
        language: "\n\n".join(
            [*([abstract[language]] if abstract is not None else []), *(text_in(note, language) for note in notes)]
        )
        for language in languages
    }
    return _language_tagged(texts)


def _identifiers(dataset: Dataset) -> list[Json]:
    identifiers: list[Json] = []
    if dataset.doi:
        identifiers.append(
            {"@type": "PropertyValue", "propertyID": "DOI", "value": dataset.doi, "url": doi_url(dataset.doi)}
        )
    identifiers.append({"@type": "PropertyValue", "propertyID": LOCAL_ID_PROPERTY, "value": dataset.id})
    return identifiers


def _identifier(value: str, base: str) -> str:
    return value if value.startswith(base) else base + value


def _agent(agent: Agent) -> Json:
    """Write a creator or contributor: a Person with ORCID and affiliation, or an Organization with ROR.

    A person's ROR id belongs to the affiliation, as in the DataCite crosswalk; the Japanese name is an
    `alternateName` tagged `ja`.
    """
    person = agent.kind is CreatorKind.PERSON
    out: Json = {"@type": "Person" if person else "Organization", "name": agent.name}
    if person and "," in agent.name:
        family, given = (part.strip() for part in agent.name.split(",", 1))
        if family and given:
            out.update(familyName=family, givenName=given)
    if agent.name_ja:
        out["alternateName"] = {"@value": agent.name_ja, "@language": "ja"}
    ror = _identifier(agent.ror, ROR) if agent.ror else None
    if person:
        if agent.orcid:
            out["sameAs"] = _identifier(agent.orcid, ORCID)
        if agent.affiliation or ror:
            affiliation: Json = {"@type": "Organization", "name": agent.affiliation or ror}
            if ror:
                affiliation["sameAs"] = ror
            out["affiliation"] = affiliation
    elif ror:
        out["sameAs"] = ror
    return out


def _day_or_time(moment: datetime) -> str:
    utc = moment.astimezone(UTC)
    return utc.date().isoformat() if utc.time() == time() else format_time(utc)


def _temporal_coverage(dataset: Dataset) -> str | None:
    """Write the time covered as an ISO 8601 interval, `start/..` while ongoing; bare dates when both are midnight
    UTC (how the archive gives dates), as the other crosswalks write them."""
    temporal = dataset.temporal
    if temporal is None:
        return None
    if temporal.end is None:
        return f"{_day_or_time(temporal.start)}/.."
    moments = [temporal.start.astimezone(UTC), temporal.end.astimezone(UTC)]
    if all(moment.time() == time() for moment in moments):
        return "/".join(moment.date().isoformat() for moment in moments)
    return "/".join(format_time(moment) for moment in moments)


def _spatial_coverage(dataset: Dataset) -> Json | None:
    """Write the Earth bounding box as a Place with a GeoShape box ("south west north east").

    Only Earth data has a bbox in the contract (longitude and latitude in degrees); the targets of other data
    (Ryugu, Venus, the X-ray sky) are keywords, not places on a map.
    """
    if dataset.bbox is None:
        return None
    west, south, east, north = dataset.bbox
    return {"@type": "Place", "geo": {"@type": "GeoShape", "box": f"{south!r} {west!r} {north!r} {east!r}"}}


def _keywords(dataset: Dataset, mission: Mission | None) -> list[str]:
    words: Iterable[str | None] = (
        dataset.mission if mission is None else text_in(mission.name, "en"),
        *dataset.instruments,
        *dataset.targets,
        *dataset.keywords,
        None if dataset.processing_level is None else f"Processing level: {dataset.processing_level}",
    )
    return list(dict.fromkeys(word for word in words if word))


def _mission(dataset: Dataset, mission: Mission | None) -> Json | None:
    """Write the mission as the `ResearchProject` the data is about (a Thing; schema.org's `isPartOf` wants a
    CreativeWork, which a spacecraft mission is not)."""
    if dataset.mission is None:
        return None
    out: Json = {"@type": "ResearchProject", "identifier": dataset.mission}
    if mission is None or mission.id != dataset.mission:
        out["name"] = dataset.mission
        return out
    out["name"] = _language_tagged(mission.name or {UNDETERMINED: mission.id})
    if mission.description is not None:
        out["description"] = _language_tagged(mission.description)
    if mission.url:
        out["url"] = mission.url
    return out


def _date_published(dataset: Dataset, view: View) -> str | None:
    """When the data was first public: `issued`, else when the view says it became available (not a scheduled
    release, which has not happened yet)."""
    if dataset.issued is not None:
        return _day_or_time(dataset.issued)
    if view.available is not None and not view.available_scheduled:
        return _day_or_time(view.available)
    return None


def _distribution(dataset: Dataset, view: View) -> list[Json]:
    """Write a DataDownload per asset, only while the public may use the data."""
    if not view.shows_data_links:
        return []
    return list(_downloads(dataset, view))


def _downloads(dataset: Dataset, view: View) -> Iterator[Json]:
    for asset in dataset.assets:
        if not may_link(asset.href, dataset, view):
            continue
        download: Json = {"@type": "DataDownload", "contentUrl": asset.href}
        if asset.media_type:
            download["encodingFormat"] = asset.media_type
        elif dataset.formats:
            download["encodingFormat"] = list(dataset.formats)
        if asset.title:
            download["name"] = asset.title
        yield download
