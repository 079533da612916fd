"""What the inverse crosswalks share: the policy's statements read back, dates, identifiers, and the access block
a harvested record's metadata states.

Our own statements are recognised by building them with the functions of `crosswalks/statements.py` around marks
and turning the result into a pattern; a text counts as ours only when the same function, given what was read,
writes that text again. No statement is copied here, so the two directions cannot drift apart.
"""

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from types import MappingProxyType
from typing import Any
from urllib.parse import quote

from lxml import etree

from catalog.contract import build
from catalog.records import UNDETERMINED, Access, Dataset, LangMap, Lifecycle, Rights
from catalog.timeutil import add_months, add_years, format_time, parse_time
from catalog.view import View
from catalog.vocab import (
    AccessRight,
    AccessStatus,
    AfterDeadline,
    Category,
    LifecycleState,
    RestrictionReason,
    Visibility,
)
from crosswalks.datacite import LICENSE_NAMES
from crosswalks.statements import (
    COAR_ACCESS_RIGHTS,
    DOI_RESOLVER,
    EU_REPO_ACCESS,
    LICENSE_URLS,
    MODIFICATION_DUTY,
    TERMS_OF_USE,
    credit_line,
    restriction_of,
    rolling_proprietary,
    withdrawal,
)

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
CHECK_ID = "harvested"
"""The id a record is checked under: the harvester gives it its own."""

DEFAULT_SCOPE = "users authorised by {publisher}"
"""Who may use restricted data when the source does not say: whoever its publisher authorises."""
UNKNOWN_PUBLISHER = "the source repository"
WITHDRAWN_WITHOUT_REASON = "The source lists this data as withdrawn and gives no reason."
"""The reason a harvested tombstone gets when the policy asks for one and the source states none."""

LANGUAGE_TAG = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]+)*")
DOI = re.compile(r"10\.[0-9]{4,9}/\S+")
ORCID_ID = re.compile(r"[0-9]{4}-[0-9]{4}-[0-9]{4}-[0-9]{3}[0-9X]")
ROR_ID = re.compile(r"0[a-hj-km-np-tv-z0-9]{6}[0-9]{2}")
MISSION_ID = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
SPDX_ID = re.compile(r"[A-Za-z0-9.+-]+")
PARTIAL_DATE = re.compile(r"(?P<year>[0-9]{4})(?:-(?P<month>[0-9]{2}))?")
FULL_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?:T[0-9:.]+(?:Z|[+-][0-9]{2}:?[0-9]{2})?)?")
DAY = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"

ROR = "https://ror.org/"
ORCID = "https://orcid.org/"
IDENTIFIER_PREFIXES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "doi": (DOI_RESOLVER, "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/", "doi:", "info:doi/"),
        "orcid": (ORCID, "http://orcid.org/", "orcid.org/"),
        "ror": (ROR, "http://ror.org/", "ror.org/"),
    }
)

RESOLVERS: Mapping[str, str] = MappingProxyType(
    {
        "ark": "https://n2t.net/",
        "arxiv": "https://arxiv.org/abs/",
        "handle": "https://hdl.handle.net/",
        "bibcode": "https://ui.adsabs.harvard.edu/abs/",
        "pmid": "https://pubmed.ncbi.nlm.nih.gov/",
        "isbn": "urn:isbn:",
        "issn": "urn:issn:",
        "eissn": "urn:issn:",
        "lissn": "urn:issn:",
    }
)
"""Where a related identifier of these DataCite types resolves (an ISBN or ISSN as its URN)."""

ORGANISATION_WORDS = frozenset(
    {
        "agency", "association", "center", "centre", "collaboration", "college", "committee", "company",
        "consortium", "corporation", "council", "department", "division", "facility", "foundation", "group",
        "inc", "institute", "laboratory", "library", "ltd", "museum", "observatory", "office", "program",
        "programme", "project", "school", "service", "society", "team", "university",
    }
)  # fmt: skip


class InverseError(ValueError):
    """Harvested metadata that cannot become a catalog record; the message says what is missing or wrong."""


def text_of(element: etree._Element | None) -> str:
    """The text of an element and its descendants, without comments, trimmed."""
    if element is None:
        return ""
    return etree.tostring(element, method="text", encoding="unicode", with_tail=False).strip()


def language_of(element: etree._Element) -> str:
    """The element's `xml:lang` as a language-map key (`und` when absent or not a language tag)."""
    raw = (element.get(XML_LANG) or "").strip()
    primary, dash, rest = raw.partition("-")
    tag = primary.lower() + dash + rest
    return tag if LANGUAGE_TAG.fullmatch(tag) else UNDETERMINED


def lang_map(pairs: Iterable[tuple[str, str]], *, joiner: str | None = None) -> dict[str, str]:
    """Gather `(language, text)` pairs into a language map: the first text per language, or all of them joined."""
    found: dict[str, str] = {}
    for language, text in pairs:
        if not text:
            continue
        if language not in found:
            found[language] = text
        elif joiner is not None:
            found[language] += joiner + text
    return found


def by_language_runs(pairs: Iterable[tuple[str, str]]) -> list[dict[str, str]]:
    """Split texts written one language map after another: a new map begins where a language repeats."""
    runs: list[dict[str, str]] = []
    current: dict[str, str] = {}
    for language, text in pairs:
        if language in current:
            runs.append(current)
            current = {}
        current[language] = text
    if current:
        runs.append(current)
    return runs


def text_value(texts: Mapping[str, str] | None) -> str | dict[str, str] | None:
    """A language map as contract v1 writes it: a plain string when its only language is undetermined."""
    if not texts:
        return None
    if set(texts) == {UNDETERMINED}:
        return texts[UNDETERMINED]
    return dict(texts)


def compact(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Drop what the source did not give, as contract v1 leaves absent fields out."""
    return {key: value for key, value in fields.items() if value is not None and value != [] and value != {}}


def unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(value for value in values if value))


def _strip_prefix(text: str, kind: str) -> str:
    value = text.strip()
    lowered = value.lower()
    for prefix in IDENTIFIER_PREFIXES[kind]:
        if lowered.startswith(prefix):
            return value[len(prefix) :]
    return value


def bare_doi(text: str) -> str | None:
    """A DOI as contract v1 keeps it (`10.…`), from its bare, `doi:`, `info:doi/` or resolver form."""
    value = _strip_prefix(text, "doi")
    return value if DOI.fullmatch(value) else None


def orcid_of(text: str) -> str | None:
    """A bare ORCID iD, as the archive gives them; None when the text is not one."""
    value = _strip_prefix(text, "orcid").upper()
    return value if ORCID_ID.fullmatch(value) else None


def ror_of(text: str) -> str | None:
    """A ROR id as its URL, as the archive gives them; None when the text is not one."""
    value = _strip_prefix(text, "ror").lower()
    return ROR + value if ROR_ID.fullmatch(value) else None


def mission_id(text: str) -> str | None:
    return text if MISSION_ID.fullmatch(text) else None


def related_target(value: str, kind: str | None = None) -> str | None:
    """A related identifier in a form no one takes for a dataset id of this catalog: a DOI, a URL or a URN.

    `kind` is DataCite's relatedIdentifierType; without one (Dublin Core) the form of the value decides. ARK, arXiv,
    Handle, bibcode and PubMed ids become their resolvers' URLs, ISBN and ISSN their URNs; anything else that is not
    already a DOI, URL or URN is dropped (None): it would dangle.
    """
    text = value.strip()
    if not text or any(character.isspace() for character in text):
        return None
    kind_key = (kind or "").lower()
    lowered = text.lower()
    doi = bare_doi(text)
    if doi is not None and kind_key in ("", "doi", "url"):
        return doi
    if "://" in text or lowered.startswith("urn:"):
        return text
    if kind_key == "":
        kind_key = next((k for k in ("ark", "arxiv") if lowered.startswith(k + ":")), "")
        kind_key = "handle" if lowered.startswith("hdl:") else kind_key
    resolver = RESOLVERS.get(kind_key)
    if resolver is None:
        return None
    if kind_key == "ark":
        start = lowered.find("ark:")
        return resolver + text[start:] if start >= 0 else None
    if kind_key == "arxiv":
        return resolver + text[6:] if lowered.startswith("arxiv:") else resolver + text
    if kind_key == "handle":
        handle = text[4:] if lowered.startswith("hdl:") else text
        return resolver + handle if "/" in handle else None
    if kind_key == "pmid":
        return resolver + text + "/" if text.isdigit() else None
    return resolver + quote(text, safe="")


def is_person_name(name: str) -> bool:
    """Whether a name reads as "Family, Given", the way a person is cited, rather than as an organisation.

    Simple Dublin Core has no name types: "Sugita, Seiji" is a person, "DARTS, ISAS/JAXA" and "Usuda Deep Space
    Center, JAXA" are not (a slash, an acronym as given name, four words, or a word organisations use).
    """
    family, comma, given = name.partition(",")
    parts = [family.strip(), given.strip()]
    if not comma or "," in given or not all(parts):
        return False
    words = [word for part in parts for word in part.split()]
    if any(len(part.split()) > 3 for part in parts):
        return False
    if any(word.strip(".").lower() in ORGANISATION_WORDS for word in words):
        return False
    if not all(character.isalpha() or character in "-'." for word in words for character in word):
        return False
    return not any(len(word) > 1 and word.isupper() and "." not in word for word in parts[1].split())


def moment(text: str, what: str, *, end: bool = False) -> datetime:
    """Read a date as contract v1 reads it: a day is its 00:00Z; a year or a month alone is its first moment, or
    with `end` its last (DataCite and Dublin Core allow both; the contract has no form for them)."""
    value = text.strip()
    try:
        partial = PARTIAL_DATE.fullmatch(value)
        if partial is not None:
            first = datetime(int(partial["year"]), int(partial["month"] or 1), 1, tzinfo=UTC)
            if not end:
                return first
            following = add_months(first, 1) if partial["month"] else add_years(first, 1)
            return following - timedelta(seconds=1)
        if FULL_DATE.fullmatch(value):
            return parse_time(value)
    except (ValueError, OverflowError) as error:
        raise InverseError(f"{what} {text!r} is not a real date: {error}") from None
    raise InverseError(f"{what} {text!r} is not a date (W3CDTF or RFC 3339)")


def first_moment(text: str, what: str) -> datetime:
    """The moment a date names; the start of a range where a single date is meant."""
    return moment(text.partition("/")[0], what)


def interval(text: str, what: str, *, ongoing: bool = False) -> tuple[datetime, datetime | None] | None:
    """Read a period `start/end` (RKMS-ISO8601); an open end (`start/`, `start/..`) or `ongoing` is no end yet.

    None for a period without a start: contract v1 has no form for it.
    """
    start_text, slash, end_text = text.strip().partition("/")
    if start_text.strip() in ("", ".."):
        return None
    start = moment(start_text, what)
    if ongoing or end_text.strip() in ("", ".."):
        return start, None if (ongoing or slash) else moment(start_text, what, end=True)
    return start, moment(end_text, what, end=True)


def checked_bbox(west: float, south: float, east: float, north: float, what: str) -> list[float]:
    """A bbox of Earth longitudes and latitudes, or InverseError saying which limit is wrong."""
    for name, value, limit in (("west", west, 180), ("east", east, 180), ("south", south, 90), ("north", north, 90)):
        if not -limit <= value <= limit:
            raise InverseError(f"{what} has {name} limit {value:g}, outside -{limit}..{limit}")
    if south > north:
        raise InverseError(f"{what} has its south limit {south:g} north of its north limit {north:g}")
    return [west, south, east, north]


def number(text: str, what: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise InverseError(f"{what} {text!r} is not a number") from None


_COAR_CODES = {uri.rsplit("/", 1)[1]: right for right, uri in COAR_ACCESS_RIGHTS.items()}
_EU_REPO_TERMS = {term.lower(): right for right, term in EU_REPO_ACCESS.items()}
_COAR_URI = re.compile(r"https?://purl\.org/coar/access_right/(?P<code>c_[0-9a-f]{4})/?")


def access_right_of(text: str | None) -> AccessRight | None:
    """The access right a COAR URI or an OpenAIRE `info:eu-repo/semantics/…Access` term names."""
    if not text:
        return None
    value = text.strip()
    coar = _COAR_URI.fullmatch(value)
    if coar is not None:
        return _COAR_CODES.get(coar["code"])
    return _EU_REPO_TERMS.get(value.lower())


_LICENSES_BY_URL = {url.rstrip("/").split("://", 1)[1]: spdx for spdx, url in LICENSE_URLS.items()}
_KNOWN_LICENSES = {spdx.lower(): spdx for spdx in (*LICENSE_URLS, *LICENSE_NAMES)}
_CC_LICENSE = re.compile(r"https?://creativecommons\.org/licenses/(?P<kind>by(?:-(?:sa|nc|nd))*)/(?P<v>[0-9]\.[0-9])/?")
_CC_ZERO = re.compile(r"https?://creativecommons\.org/publicdomain/zero/1\.0/?")
_SPDX_PAGE = re.compile(r"https?://spdx\.org/licenses/(?P<id>[A-Za-z0-9.+-]+?)(?:\.html|\.json)?/?")


def license_id(text: str) -> str | None:
    """An SPDX id in its usual spelling (`cc-by-4.0` → `CC-BY-4.0`); None when the text cannot be one."""
    value = text.strip()
    if not SPDX_ID.fullmatch(value):
        return None
    return _KNOWN_LICENSES.get(value.lower(), value)


def known_license(text: str) -> str | None:
    """The SPDX id a text is, when it is one of the licences our crosswalks name (in any case)."""
    return _KNOWN_LICENSES.get(text.strip().lower())


def license_from_url(url: str) -> str | None:
    """The SPDX id of a licence page: our licence URLs, Creative Commons' unported licences, SPDX's own pages."""
    value = url.strip()
    known = _LICENSES_BY_URL.get(value.rstrip("/").split("://", 1)[-1])
    if known is not None:
        return known
    cc = _CC_LICENSE.fullmatch(value)
    if cc is not None:
        return f"CC-{cc['kind'].upper()}-{cc['v']}"
    if _CC_ZERO.fullmatch(value):
        return "CC0-1.0"
    page = _SPDX_PAGE.fullmatch(value)
    return None if page is None else license_id(page["id"])


def default_scope(publisher: str | None) -> str:
    return DEFAULT_SCOPE.format(publisher=publisher or UNKNOWN_PUBLISHER)


# Our own wording, read back: probes built around marks, turned into patterns.

_SCOPE_MARK = "XSCOPEX"
_TEXT_MARK = "XTEXTX"
_SECOND_MARK = "XSECONDX"
_MONTHS_MARK = 987654321
PROBE_DAY = datetime(1111, 11, 11, tzinfo=UTC)
_DAY_MARK = PROBE_DAY.date().isoformat()

_PROBE = Dataset(
    id="probe",
    title=MappingProxyType({"en": "probe"}),
    category=Category.OBSERVATION,
    creators=(),
    access=Access(AccessStatus.PUBLIC),
    doi="10.0000/probe",
)


def probe_dataset(**changes: Any) -> Dataset:
    """A dataset to render our own wording from: only what `changes` sets says anything."""
    return replace(_PROBE, **changes)


def probe_view(visibility: Visibility, right: AccessRight, **changes: Any) -> View:
    """A view of a probe dataset: nothing related, nothing available unless `changes` says so."""
    view = View(
        at=PROBE_DAY,
        visibility=visibility,
        access_right=right,
        datestamp=PROBE_DAY,
        updated=PROBE_DAY,
        available=None,
        available_scheduled=False,
        withdrawn=None,
        related=MappingProxyType({}),
    )
    return replace(view, **changes)


def _pattern(text: str, groups: Mapping[str, tuple[str, str]]) -> re.Pattern[str]:
    """Turn a statement built around marks into a pattern: each mark becomes its named group."""
    pattern = re.escape(text)
    for name, (mark, group) in groups.items():
        pattern = pattern.replace(re.escape(mark), f"(?P<{name}>{group})", 1)
    return re.compile(pattern, re.DOTALL)


def _day(text: str) -> datetime | None:
    try:
        return datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC)
    except ValueError:
        return None


@functools.cache
def _restriction_patterns() -> tuple[tuple[re.Pattern[str], Access], ...]:
    found = []
    groups = {"scope": (_SCOPE_MARK, ".+?"), "until": (_DAY_MARK, DAY)}
    for reason in RestrictionReason:
        for scope in (_SCOPE_MARK, None):
            for until, afters in ((PROBE_DAY, tuple(AfterDeadline)), (None, (AfterDeadline.REVIEW,))):
                for after in afters:
                    probe = Access(AccessStatus.RESTRICTED, reason, scope=scope, until=until, after=after)
                    for text in (restriction_of(probe) or {}).values():
                        found.append((_pattern(text, groups), probe))
    return tuple(found)


def read_restriction(text: str) -> Access | None:
    """Read back a restriction statement of ours (`statements.restriction_of`) in any of its languages.

    The deadline comes back as a day (the statement gives no time); `after` is `review` when the statement has no
    deadline (it then says nothing of what follows).
    """
    for pattern, probe in _restriction_patterns():
        match = pattern.fullmatch(text)
        if match is None:
            continue
        found = match.groupdict()
        until = _day(found["until"]) if "until" in found else None
        if "until" in found and until is None:
            continue
        access = replace(probe, scope=found.get("scope"), until=until)
        if text in (restriction_of(access) or {}).values():
            return access
    return None


@dataclass(frozen=True, slots=True)
class Withdrawal:
    """A withdrawal statement of ours read back: since when, and why (in the statement's language)."""

    language: str
    since: datetime | None
    reason: str | None


def _withdrawal_probe(since: datetime | None, reason: LangMap | None) -> LangMap | None:
    dataset = probe_dataset(lifecycle=Lifecycle(LifecycleState.DISCARDED, since, reason))
    return withdrawal(dataset, probe_view(Visibility.DELETED, AccessRight.METADATA_ONLY, withdrawn=since))


@functools.cache
def _withdrawal_patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    found = []
    groups = {"since": (_DAY_MARK, DAY), "reason": (_TEXT_MARK, ".+")}
    for since in (PROBE_DAY, None):
        for reason in (MappingProxyType({"en": _TEXT_MARK, "ja": _TEXT_MARK}), None):
            for language, text in (_withdrawal_probe(since, reason) or {}).items():
                found.append((_pattern(text, groups), language))
    return tuple(found)


def read_withdrawal(text: str) -> Withdrawal | None:
    """Read back a withdrawal statement of ours (`statements.withdrawal`)."""
    for pattern, language in _withdrawal_patterns():
        match = pattern.fullmatch(text)
        if match is None:
            continue
        found = match.groupdict()
        since = _day(found["since"]) if "since" in found else None
        reason = found.get("reason")
        rebuilt = _withdrawal_probe(since, None if reason is None else MappingProxyType({UNDETERMINED: reason}))
        if text in (rebuilt or {}).values():
            return Withdrawal(language, since, reason)
    return None


def withdrawal_reason(read: Sequence[Withdrawal]) -> dict[str, str] | None:
    """The reason the statements give: one text for every language (`und`) when they agree, else by language."""
    reasons = {w.language: w.reason for w in read if w.reason is not None}
    if not reasons:
        return None
    if len(set(reasons.values())) == 1:
        return {UNDETERMINED: next(iter(reasons.values()))}
    return reasons


@functools.cache
def _rolling_patterns() -> tuple[re.Pattern[str], ...]:
    probe = probe_dataset(access=Access(AccessStatus.PUBLIC, proprietary_months=_MONTHS_MARK))
    statement = rolling_proprietary(probe) or {}
    return tuple(_pattern(text, {"months": (str(_MONTHS_MARK), "[0-9]+")}) for text in statement.values())


def read_rolling(text: str) -> int | None:
    """Read back the rolling proprietary statement of ours: its number of months."""
    for pattern in _rolling_patterns():
        match = pattern.fullmatch(text)
        if match is None:
            continue
        months = int(match["months"])
        rebuilt = rolling_proprietary(probe_dataset(access=Access(AccessStatus.PUBLIC, proprietary_months=months)))
        if text in (rebuilt or {}).values():
            return months
    return None


def _credit_probe(credits: tuple[str, ...]) -> LangMap:
    return credit_line(probe_dataset(rights=Rights(credit=credits)))


@functools.cache
def _credit_wording() -> tuple[frozenset[str], tuple[re.Pattern[str], ...], str]:
    """The credit lines without further credits, patterns for those with some, and what joins two credits."""
    bare = frozenset(_credit_probe(()).values())
    patterns = tuple(_pattern(text, {"credits": (_TEXT_MARK, ".+")}) for text in _credit_probe((_TEXT_MARK,)).values())
    two = _credit_probe((_TEXT_MARK, _SECOND_MARK))["en"]
    joiner = two[two.index(_TEXT_MARK) + len(_TEXT_MARK) : two.index(_SECOND_MARK)]
    return bare, patterns, joiner


def read_credit(text: str) -> tuple[str, ...] | None:
    """Read back our credit line (`statements.credit_line`): the further credits beyond "ISAS/JAXA"."""
    bare, patterns, joiner = _credit_wording()
    if text in bare:
        return ()
    for pattern in patterns:
        match = pattern.fullmatch(text)
        if match is None:
            continue
        credits = tuple(match["credits"].split(joiner))
        if text in _credit_probe(credits).values():
            return credits
    return None


FIXED_RIGHTS = frozenset((*TERMS_OF_USE.values(), *MODIFICATION_DUTY.values()))
"""The terms of use and the duty to state modifications: every record of ours carries them; nothing to keep."""


def is_own_rights_text(text: str) -> bool:
    return text in FIXED_RIGHTS


# The access block.


@dataclass(slots=True)
class AccessFacts:
    """What a harvested record says about access, gathered before the access block is decided."""

    right: AccessRight | None = None
    """The access right a COAR URI or an OpenAIRE term names (the first one given)."""
    restriction: Access | None = None
    """A restriction statement of ours, read back."""
    embargo_end: datetime | None = None
    """When an embargo ends: DataCite's Available date of embargoed data, OpenAIRE's embargoEnd."""
    released: datetime | None = None
    """When data of ours was released automatically at the end of its restriction (DataCite's Available date)."""
    caveat: dict[str, str] | None = None
    release_schedule: dict[str, str] | None = None
    proprietary_months: int | None = None
    publisher: str | None = None


def access_block(facts: AccessFacts) -> dict[str, Any]:
    """Decide the access block from what the source says, inventing no deadline.

    - our restriction statement: its reason, scope, deadline and what follows, exactly (an embargo's end to the
      second when the source gives it as a date of its own);
    - our "released automatically" date: restricted until then, then released (`proprietary-period`, the embargo
      default; the view of the data no longer says why it was restricted);
    - open access, or nothing said: public;
    - embargoed: `proprietary-period`, released at the embargo's end when the source gives it (else no deadline);
    - restricted, closed or metadata only: `rights-granted` (the data's rights lie with another institution).

    A scope the source does not state is "users authorised by {publisher}".
    """
    scope = default_scope(facts.publisher)
    restriction = facts.restriction
    if restriction is not None and restriction.reason is not None:
        until = restriction.until
        if restriction.after is AfterDeadline.RELEASE and facts.embargo_end is not None:
            until = facts.embargo_end
        return _restricted(facts, restriction.reason, restriction.scope or scope, until, restriction.after)
    if facts.released is not None:
        return _restricted(facts, RestrictionReason.PROPRIETARY_PERIOD, scope, facts.released, AfterDeadline.RELEASE)
    if facts.right in (None, AccessRight.OPEN):
        return compact(
            {
                "status": str(AccessStatus.PUBLIC),
                "caveat": text_value(facts.caveat),
                "proprietary_months": facts.proprietary_months,
            }
        )
    if facts.right is AccessRight.EMBARGOED:
        after = AfterDeadline.RELEASE if facts.embargo_end is not None else AfterDeadline.REVIEW
        return _restricted(facts, RestrictionReason.PROPRIETARY_PERIOD, scope, facts.embargo_end, after)
    return _restricted(facts, RestrictionReason.RIGHTS_GRANTED, scope, None, AfterDeadline.REVIEW)


def _restricted(
    facts: AccessFacts, reason: RestrictionReason, scope: str, until: datetime | None, after: AfterDeadline
) -> dict[str, Any]:
    return compact(
        {
            "status": str(AccessStatus.RESTRICTED),
            "reason": str(reason),
            "scope": scope,
            "until": None if until is None else format_time(until),
            "after": str(after),
            "release_schedule": text_value(facts.release_schedule),
            "caveat": text_value(facts.caveat),
        }
    )


def lifecycle_block(withdrawn: datetime | None, read: Sequence[Withdrawal]) -> dict[str, Any] | None:
    """A tombstone: discarded at the source's Withdrawn date (else the date its statement gives), for its reason."""
    since = withdrawn or next((w.since for w in read if w.since is not None), None)
    if since is None and not read:
        return None
    return compact(
        {
            "state": str(LifecycleState.DISCARDED),
            "discarded": None if since is None else format_time(since),
            "reason": text_value(withdrawal_reason(read)),
        }
    )


def finish(record: dict[str, Any], source: str) -> dict[str, Any]:
    """Check a record as the harvester will (`contract.build` with an id), or raise InverseError saying why not.

    A tombstone of data the policy keeps long-term needs a reason to be discarded; when the source gives none it
    gets `WITHDRAWN_WITHOUT_REASON`, which says just that.
    """
    checked = build({**record, "id": CHECK_ID})
    lifecycle = record.get("lifecycle")
    needs_reason = any(field == "lifecycle.reason" for field, _ in checked.problems)
    if needs_reason and lifecycle is not None and "reason" not in lifecycle:
        record = {**record, "lifecycle": {**lifecycle, "reason": WITHDRAWN_WITHOUT_REASON}}
        checked = build({**record, "id": CHECK_ID})
    if checked.record is None:
        problems = "; ".join(f"{field}: {message}" for field, message in checked.problems)
        raise InverseError(f"{source} does not make a contract v1 dataset: {problems}")
    return record
