"""Simple Dublin Core (`oai_dc`, with OpenAIRE's conventions) back to a catalog record, for the OAI-PMH harvester.

`docs/crosswalks.md` ("Back from DataCite and Dublin Core") is the field-by-field reference; simple DC carries less
than DataCite, and what it cannot carry is listed there.
"""

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any

from lxml import etree

from catalog.timeutil import format_time
from catalog.vocab import AccessRight, Category, CreatorKind, Visibility
from crosswalks.dublin_core import DC, DERIVED_FROM, EMBARGO_END, OAI_DC, to_oai_dc
from crosswalks.inverse import (
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
    known_license,
    lang_map,
    language_of,
    license_from_url,
    lifecycle_block,
    number,
    probe_dataset,
    probe_view,
    read_credit,
    read_restriction,
    read_rolling,
    read_withdrawal,
    related_target,
    text_of,
    text_value,
    unique,
)
from crosswalks.statements import NO_STATED_LICENSE, TERMS_OF_USE

__all__ = ["InverseError", "record_from_oai_dc"]

ROOT = f"{{{OAI_DC}}}dc"
PARAGRAPHS = "\n\n"
LINES = "\n"
RELATION = "References"
"""The relationType of a `dc:relation`: simple DC does not say how a resource is related; "references" claims least."""
EU_REPO_TYPE = "info:eu-repo/semantics/"
EU_REPO_DATE = "info:eu-repo/date/"
ALT_DOI = "info:eu-repo/semantics/altIdentifier/doi/"
EU_REPO_VERSIONS = frozenset({"draft", "submittedversion", "acceptedversion", "publishedversion", "updatedversion"})
"""OpenAIRE's version terms, which share `dc:type` with the resource types and say nothing of the category."""

DCMI_CATEGORIES: Mapping[str, Category] = MappingProxyType(
    {
        "dataset": Category.OBSERVATION,
        "collection": Category.OBSERVATION,
        "software": Category.SOFTWARE,
        "text": Category.DOCUMENT,
        "image": Category.DOCUMENT,
        "stillimage": Category.DOCUMENT,
        "movingimage": Category.DOCUMENT,
        "sound": Category.DOCUMENT,
        "interactiveresource": Category.DOCUMENT,
    }
)
"""The category by DCMI type (or OpenAIRE's `dataset`, `software`; its other types are publications: documents)."""
DCMI_NOT_DATA: Mapping[str, str] = MappingProxyType(
    {"event": "an event", "physicalobject": "a physical object", "service": "a service"}
)
DEFAULT_CATEGORY = Category.OBSERVATION
"""The category of a record with no type we know: the harvester reads data archives, and most of their data is
observation data."""

ISO_PERIOD = re.compile(r"[0-9]{4}[0-9T:.Z+-]*(?:/(?:\.\.|[0-9]{4}[0-9T:.Z+-]*)?)?")


@functools.cache
def processing_level_prefix() -> str:
    """What `crosswalks/dublin_core.py` writes before a processing level in `dc:subject`, read from a probe."""
    mark = "XLEVELX"
    rendered = to_oai_dc(probe_dataset(processing_level=mark), probe_view(Visibility.PUBLIC, AccessRight.OPEN))
    for subject in rendered.iterchildren(f"{{{DC}}}subject"):
        text = text_of(subject)
        if text.endswith(mark):
            return text.removesuffix(mark)
    raise RuntimeError("crosswalks/dublin_core.py no longer writes the processing level as a subject")


@dataclass(frozen=True, slots=True)
class _Fields:
    """The Dublin Core elements of a record with text, in document order: `(name, language, text)`."""

    found: tuple[tuple[str, str, str], ...]

    @classmethod
    def of(cls, dc: etree._Element) -> "_Fields":
        found = []
        for element in dc.iterchildren(etree.Element):
            qname, text = etree.QName(element), text_of(element)
            if qname.namespace == DC and text:
                found.append((qname.localname, language_of(element), text))
        return cls(tuple(found))

    def named(self, *names: str) -> list[tuple[str, str]]:
        """`(name, text)` of the elements of these names, in document order."""
        return [(name, text) for name, _, text in self.found if name in names]

    def pairs(self, name: str) -> list[tuple[str, str]]:
        """`(language, text)` of the elements of this name."""
        return [(language, text) for found, language, text in self.found if found == name]

    def texts(self, name: str) -> list[str]:
        return [text for _, text in self.named(name)]


def record_from_oai_dc(dc: etree._Element) -> dict[str, Any]:
    """Return the contract-v1 dataset an `oai_dc:dc` record describes, without `id` (the harvester's to give).

    Raise InverseError when the record has no title, no creator and no publisher, a type that is not data, or a
    date, period or box that is not one.
    """
    if dc.tag != ROOT:
        qname = etree.QName(dc)
        raise InverseError(f"expected an oai_dc:dc element, found <{qname.localname}> in namespace {qname.namespace}")
    fields = _Fields.of(dc)
    ours = any(text in TERMS_OF_USE.values() for text in fields.texts("rights"))
    publisher = next(iter(fields.texts("publisher")), None)
    facts = AccessFacts(publisher=publisher)
    rights = _rights(fields.pairs("rights"), facts)
    described = _descriptions(fields.pairs("description"), facts, ours=ours)
    issued = _dates(fields.texts("date"), facts)
    coverage = _coverage(fields.texts("coverage"))
    level_prefix = processing_level_prefix()
    levels = [text.removeprefix(level_prefix) for text in fields.texts("subject") if text.startswith(level_prefix)]
    keywords = [
        text for text in fields.texts("subject") if not text.startswith(level_prefix) and text not in coverage.places
    ]
    title = lang_map(fields.pairs("title"))
    if not title:
        raise InverseError("oai_dc record has no title")
    record = {
        "type": "dataset",
        "title": title,
        "description": described.abstract,
        "targets": unique(coverage.places),
        "keywords": unique(keywords),
        "category": str(_category(fields.texts("type"))),
        "processing_level": next(iter(levels), None),
        "creators": _creators(fields.texts("creator"), publisher),
        "contributors": [{**_agent(name), "role": "Other"} for name in unique(fields.texts("contributor"))],
        "doi": _doi(fields),
        "temporal": coverage.temporal,
        "spatial": None if coverage.bbox is None else {"bbox": coverage.bbox},
        "formats": unique(fields.texts("format")),
        "related": _related(fields),
        "issued": None if issued is None else format_time(issued),
        "access": access_block(facts),
        "rights": rights,
        "lifecycle": lifecycle_block(None, described.withdrawals),
    }
    return finish(compact(record), "the oai_dc record")


def _agent(name: str) -> dict[str, str]:
    """A creator by name alone: "Family, Given" is a person (`inverse.is_person_name`), anything else an
    organisation."""
    return {"name": name, "kind": str(CreatorKind.PERSON if is_person_name(name) else CreatorKind.ORGANIZATION)}


def _creators(names: list[str], publisher: str | None) -> list[dict[str, str]]:
    """The creators; without any, the publisher as an organisation (who else answers for the data)."""
    if names:
        return [_agent(name) for name in unique(names)]
    if publisher is None:
        raise InverseError("oai_dc record has no creator and no publisher")
    return [{"name": publisher, "kind": str(CreatorKind.ORGANIZATION)}]


def _category(types: list[str]) -> Category:
    """The first type that names a category; an Event, PhysicalObject or Service alone is refused (no data)."""
    refused = None
    for text in types:
        if text.lower().startswith(EU_REPO_TYPE):
            term = text[len(EU_REPO_TYPE) :].lower()
            if term in EU_REPO_VERSIONS:
                continue
            return (
                DCMI_CATEGORIES.get(term, Category.DOCUMENT) if term in ("dataset", "software") else Category.DOCUMENT
            )
        term = text.rstrip("/").rsplit("/", 1)[-1].replace(" ", "").lower()
        if term in DCMI_CATEGORIES:
            return DCMI_CATEGORIES[term]
        refused = refused or DCMI_NOT_DATA.get(term)
    if refused is not None:
        raise InverseError(f"dc:type says the record describes {refused}, not data")
    return DEFAULT_CATEGORY


def _doi(fields: _Fields) -> str | None:
    """The first DOI among the identifiers (`https://doi.org/…`, `doi:…`, `info:doi/…`), else OpenAIRE's
    `info:eu-repo/semantics/altIdentifier/doi/…` relation."""
    for text in fields.texts("identifier"):
        doi = bare_doi(text)
        if doi is not None:
            return doi
    for text in fields.texts("relation"):
        if text.startswith(ALT_DOI):
            return bare_doi(text[len(ALT_DOI) :])
    return None


def _related(fields: _Fields) -> list[dict[str, str]]:
    """`dc:source` as IsDerivedFrom, `dc:relation` as References; targets as DOIs, URLs or URNs."""
    found: list[dict[str, str]] = []
    for name, text in fields.named("source", "relation"):
        target = None if text.startswith(ALT_DOI) else related_target(text)
        entry = {"relation": DERIVED_FROM if name == "source" else RELATION, "target": target or ""}
        if target is not None and entry not in found:
            found.append(entry)
    return found


def _dates(dates: list[str], facts: AccessFacts) -> datetime | None:
    """The first plain date as `issued`; OpenAIRE's embargoEnd into `facts`; other `info:eu-repo/date/` terms are
    not read."""
    issued = None
    for text in dates:
        if text.startswith(EMBARGO_END):
            facts.embargo_end = facts.embargo_end or first_moment(text[len(EMBARGO_END) :], "embargoEnd date")
        elif not text.startswith(EU_REPO_DATE) and issued is None:
            issued = first_moment(text, "dc:date")
    return issued


def _rights(pairs: Sequence[tuple[str, str]], facts: AccessFacts) -> dict[str, Any]:
    """The access right (into `facts`), the licence, our credit line and any other statement, as for DataCite."""
    licenses: list[str] = []
    credit: tuple[str, ...] | None = None
    statements: list[tuple[str, str]] = []
    for language, text in pairs:
        right = access_right_of(text)
        spdx = license_from_url(text) or known_license(text)
        if right is not None:
            facts.right = facts.right or right
        elif spdx is not None:
            licenses.append(spdx)
        elif not is_own_rights_text(text):
            credits = read_credit(text)
            if credits is None:
                statements.append((language, text))
            elif credit is None:
                credit = credits
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


def _descriptions(pairs: Sequence[tuple[str, str]], facts: AccessFacts, *, ours: bool) -> _Described:
    """The abstract, and the policy's statements of ours read back.

    Our records write the abstract, the caveat, the restriction statement, then the release schedule, all as plain
    `dc:description`: the caveat is the second language map before the statement, the schedule what follows it.
    """
    before: list[tuple[str, str]] = []
    after: list[tuple[str, str]] = []
    withdrawals: list[Withdrawal] = []
    for language, text in pairs:
        restriction = read_restriction(text)
        withdrawn = None if restriction is not None else read_withdrawal(text)
        months = None if restriction is not None or withdrawn is not None else read_rolling(text)
        if restriction is not None:
            facts.restriction = facts.restriction or restriction
        elif withdrawn is not None:
            withdrawals.append(withdrawn)
        elif months is not None:
            facts.proprietary_months = months
        else:
            (after if ours and facts.restriction is not None else before).append((language, text))
    if not ours:
        return _Described(lang_map(before, joiner=PARAGRAPHS), withdrawals)
    runs = by_language_runs(before)
    caveat = lang_map([pair for run in runs[1:] for pair in run.items()], joiner=PARAGRAPHS)
    facts.caveat = caveat or None
    facts.release_schedule = lang_map(after, joiner=PARAGRAPHS) or None
    return _Described(runs[0] if runs else {}, withdrawals)


@dataclass(slots=True)
class _Coverage:
    temporal: dict[str, str | None] | None = None
    bbox: list[float] | None = None
    places: list[str] = field(default_factory=list)


def _coverage(texts: list[str]) -> _Coverage:
    """Periods (ISO 8601 `start/end`, `start/..`, or DCMI Period) as the temporal coverage, DCMI Box (or Point) as
    the bbox, the first of each; anything else names a place: a target."""
    found = _Coverage()
    for text in texts:
        named = _named_values(text)
        if named is not None and {"westlimit", "eastlimit", "northlimit", "southlimit"} <= named.keys():
            west, south, east, north = (
                number(named[limit], f"DCMI Box {limit}")
                for limit in ("westlimit", "southlimit", "eastlimit", "northlimit")
            )
            found.bbox = found.bbox or checked_bbox(west, south, east, north, "DCMI Box")
        elif named is not None and {"east", "north"} <= named.keys():
            east, north = number(named["east"], "DCMI Point east"), number(named["north"], "DCMI Point north")
            found.bbox = found.bbox or checked_bbox(east, north, east, north, "DCMI Point")
        elif named is not None and "start" in named:
            found.temporal = found.temporal or _temporal(f"{named['start']}/{named.get('end', '')}")
        elif ISO_PERIOD.fullmatch(text):
            found.temporal = found.temporal or _temporal(text)
        else:
            found.places.append(text)
    return found


def _temporal(text: str) -> dict[str, str | None] | None:
    period = interval(text, "dc:coverage period")
    if period is None:
        return None
    start, end = period
    return {"start": format_time(start), "end": None if end is None else format_time(end)}


def _named_values(text: str) -> dict[str, str] | None:
    """The `name=value; …` pairs of a DCMI Box, Point or Period; None when the text is not written that way."""
    found = {}
    for part in text.split(";"):
        name, equals, value = part.partition("=")
        if not equals:
            return None
        found[name.strip().lower()] = value.strip()
    return found
