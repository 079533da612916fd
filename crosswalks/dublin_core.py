"""Simple Dublin Core (`oai_dc`) of a dataset as the public may see it, after DataCite's mapping and OpenAIRE's."""

import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime, time
from types import MappingProxyType

from lxml import etree
from lxml.builder import ElementMaker

from catalog.contract import is_local_reference
from catalog.policy import MANDATORY_CREDIT
from catalog.records import UNDETERMINED, Dataset, LangMap
from catalog.timeutil import format_time
from catalog.view import View
from catalog.vocab import AccessRight, Category, Visibility
from crosswalks.statements import (
    EU_REPO_ACCESS,
    MODIFICATION_DUTY,
    TERMS_OF_USE,
    credit_line,
    doi_url,
    license_url,
    may_link,
    media_kinds,
    restriction,
    rolling_proprietary,
    withdrawal,
)

OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC = "http://purl.org/dc/elements/1.1/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
OAI_DC_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
NSMAP: Mapping[str, str] = MappingProxyType({"oai_dc": OAI_DC, "dc": DC, "xsi": XSI})

PUBLISHER = MANDATORY_CREDIT
EMBARGO_END = "info:eu-repo/date/embargoEnd/"
DERIVED_FROM = "IsDerivedFrom"

DCMI_TYPES: Mapping[Category, str] = MappingProxyType(
    {
        Category.SOURCE: "Dataset",
        Category.OBSERVATION: "Dataset",
        Category.ENGINEERING: "Dataset",
        Category.EXPERIMENT: "Dataset",
        Category.SIMULATION: "Dataset",
        Category.ANALYSIS: "Dataset",
        Category.DOCUMENT: "Text",
        Category.SOFTWARE: "Software",
    }
)
"""DCMI Type Vocabulary term by category; documents that are photographs or video say so by their formats."""


_OAI = ElementMaker(namespace=OAI_DC, nsmap=dict(NSMAP))
_DC = ElementMaker(namespace=DC, nsmap=dict(NSMAP))

NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""Characters XML 1.0 cannot carry: dropped, so that any text of a valid record serialises."""

Field = tuple[str, str, str | None]
"""A Dublin Core element: its local name, its text, and its language (None when it is in none)."""


def to_oai_dc(record: Dataset, view: View) -> etree._Element:
    """Return the simple Dublin Core (`oai_dc:dc`) of a dataset as the public may see it at `view.at`.

    Download links (asset hrefs) never appear: the metadata describes the dataset, and the landing page or STAC
    Collection is where data is reached, and only when the view shows data links.
    """
    root = _OAI.dc({f"{{{XSI}}}schemaLocation": f"{OAI_DC} {OAI_DC_SCHEMA}"})
    seen: set[Field] = set()
    for name, raw, language in _fields(record, view):
        text = NOT_IN_XML.sub("", raw)
        if not text or (name, text, language) in seen:
            continue
        seen.add((name, text, language))
        element = _DC(name, text)
        if language is not None:
            element.set(XML_LANG, language)
        root.append(element)
    return root


def _fields(record: Dataset, view: View) -> Iterator[Field]:
    yield from _in_languages("title", record.title)
    yield from (("creator", agent.name, None) for agent in record.creators)
    yield from _subjects(record)
    yield from _descriptions(record, view)
    yield "publisher", PUBLISHER, None
    yield from (("contributor", agent.name, None) for agent in record.contributors)
    yield from _dates(record, view)
    yield from (("type", term, None) for term in _dcmi_types(record))
    yield from (("format", fmt, None) for fmt in record.formats)
    if record.doi:
        yield "identifier", doi_url(record.doi), None
    yield from _relations(record, view)
    yield from (("language", language, None) for language in _languages(record.title, record.description))
    yield from _coverage(record)
    yield from _rights(record, view)


def _in_languages(name: str, text: LangMap | None) -> Iterator[Field]:
    for language, value in (text or {}).items():
        yield name, value, None if language == UNDETERMINED else language


def _subjects(record: Dataset) -> Iterator[Field]:
    names: Iterable[str | None] = (
        record.mission,
        *record.instruments,
        *record.targets,
        *record.keywords,
        None if record.processing_level is None else f"Processing level: {record.processing_level}",
    )
    yield from (("subject", name, None) for name in names if name)


def _descriptions(record: Dataset, view: View) -> Iterator[Field]:
    """The abstract, then what the policy says of the data now.

    A withdrawn dataset gets only the withdrawal statement; the restriction and its release schedule are written
    only while the data is restricted, and the rolling proprietary period only while it is public.
    """
    yield from _in_languages("description", record.description)
    if view.visibility is Visibility.DELETED:
        yield from _in_languages("description", withdrawal(record, view))
        return
    yield from _in_languages("description", record.access.caveat)
    if view.visibility is Visibility.RESTRICTED:
        yield from _in_languages("description", restriction(record, view))
        yield from _in_languages("description", record.access.release_schedule)
    else:
        yield from _in_languages("description", rolling_proprietary(record))


def _dcmi_types(record: Dataset) -> list[str]:
    """The DCMI type; a document is `MovingImage` and/or `StillImage` by its formats, else `Text`."""
    if record.category is not Category.DOCUMENT:
        return [DCMI_TYPES[record.category]]
    kinds = media_kinds(record)
    types = [term for term, kind in (("MovingImage", "video"), ("StillImage", "image")) if kind in kinds]
    return types or [DCMI_TYPES[record.category]]


def _dates(record: Dataset, view: View) -> Iterator[Field]:
    if record.issued is not None:
        yield "date", record.issued.date().isoformat(), None
    elif view.available is not None and not view.available_scheduled:
        yield "date", view.available.date().isoformat(), None
    if view.access_right is AccessRight.EMBARGOED and view.available is not None:
        yield "date", EMBARGO_END + view.available.date().isoformat(), None


def _relations(record: Dataset, view: View) -> Iterator[Field]:
    """Related targets resolved: DOIs as URLs, URLs as they are, local ids only where the view resolves them.

    A URL at or under one of the dataset's assets (its readme in the data directory) is a data link: it is left
    out unless the view shows data links.
    """
    for related in record.related:
        name = "source" if related.relation == DERIVED_FROM else "relation"
        target = related.target
        if is_local_reference(target):
            resolved = view.related.get(target)
            if resolved is None:
                continue
            yield (
                name,
                doi_url(resolved.identifier) if resolved.identifier_type == "DOI" else resolved.identifier,
                None,
            )
        elif target.lower().startswith(("10.", "doi:")):
            yield name, doi_url(target), None
        elif may_link(target, record, view):
            yield name, target, None


def _languages(*texts: LangMap | None) -> list[str]:
    found = {language for text in texts for language in (text or {}) if language != UNDETERMINED}
    return sorted(found, key=lambda language: (language not in ("en", "ja"), language != "en", language))


def _coverage(record: Dataset) -> Iterator[Field]:
    if record.temporal is not None:
        moments = [moment for moment in (record.temporal.start, record.temporal.end) if moment is not None]
        yield "coverage", _iso_interval(*moments) + ("" if record.temporal.end is not None else "/.."), None
    yield from (("coverage", target, None) for target in record.targets)
    if record.bbox is not None:
        west, south, east, north = record.bbox
        yield "coverage", f"westlimit={west}; southlimit={south}; eastlimit={east}; northlimit={north}", None


def _iso_interval(*moments: datetime) -> str:
    """Bare dates when every moment is midnight UTC (how the archive writes whole days), else full UTC times."""
    days = all(moment.astimezone(UTC).time() == time() for moment in moments)
    return "/".join(moment.astimezone(UTC).date().isoformat() if days else format_time(moment) for moment in moments)


def _rights(record: Dataset, view: View) -> Iterator[Field]:
    yield "rights", EU_REPO_ACCESS[view.access_right], None
    url = license_url(record.rights.license)
    if url is not None:
        yield "rights", url, None
    yield from _in_languages("rights", TERMS_OF_USE)
    yield from _in_languages("rights", credit_line(record))
    yield from _in_languages("rights", record.rights.restrictions)
    yield from _in_languages("rights", MODIFICATION_DUTY)
