"""OAI-PMH 2.0 requests as data: the error codes, the verb table, argument and date parsing, the request echo."""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import ClassVar

from catalog.timeutil import format_time
from catalog.vocab import Granularity


class OAIError(Exception):
    """An OAI-PMH error condition (spec 3.6), sent as `<error code="…">` with HTTP 200.

    Subclasses are named after the spec's codes, hence no `Error` suffix.
    """

    code: ClassVar[str]

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadArgument(OAIError):
    code = "badArgument"


class BadResumptionToken(OAIError):
    code = "badResumptionToken"


class BadVerb(OAIError):
    code = "badVerb"


class CannotDisseminateFormat(OAIError):
    code = "cannotDisseminateFormat"


class IdDoesNotExist(OAIError):
    code = "idDoesNotExist"

    @classmethod
    def unknown(cls, identifier: str) -> "IdDoesNotExist":
        """Say the same for an unknown and a malformed identifier, so that neither reveals anything."""
        return cls(f"identifier {identifier!r} is unknown or illegal in this repository")


class NoRecordsMatch(OAIError):
    code = "noRecordsMatch"


class NoMetadataFormats(OAIError):
    code = "noMetadataFormats"


class NoSetHierarchy(OAIError):
    code = "noSetHierarchy"


OAI_ERRORS: Mapping[str, type[OAIError]] = MappingProxyType(
    {
        error.code: error
        for error in (
            BadArgument,
            BadResumptionToken,
            BadVerb,
            CannotDisseminateFormat,
            IdDoesNotExist,
            NoRecordsMatch,
            NoMetadataFormats,
            NoSetHierarchy,
        )
    }
)


@dataclass(frozen=True)
class Verb:
    """The arguments of one verb (spec 4): required, optional, and the exclusive one that allows no other."""

    required: frozenset[str] = field(default_factory=frozenset)
    optional: frozenset[str] = field(default_factory=frozenset)
    exclusive: str | None = None

    @property
    def allowed(self) -> frozenset[str]:
        exclusive = frozenset() if self.exclusive is None else frozenset({self.exclusive})
        return self.required | self.optional | exclusive


_LIST_HEADERS = Verb(
    required=frozenset({"metadataPrefix"}),
    optional=frozenset({"from", "until", "set"}),
    exclusive="resumptionToken",
)

VERBS: Mapping[str, Verb] = MappingProxyType(
    {
        "GetRecord": Verb(required=frozenset({"identifier", "metadataPrefix"})),
        "Identify": Verb(),
        "ListIdentifiers": _LIST_HEADERS,
        "ListMetadataFormats": Verb(optional=frozenset({"identifier"})),
        "ListRecords": _LIST_HEADERS,
        "ListSets": Verb(exclusive="resumptionToken"),
    }
)


_DATE_SHAPES: Mapping[Granularity, tuple[re.Pattern[str], str]] = MappingProxyType(
    {
        Granularity.DAY: (re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}"), "%Y-%m-%d"),
        Granularity.SECOND: (
            re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z"),
            "%Y-%m-%dT%H:%M:%SZ",
        ),
    }
)


NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
"""A character XML 1.0 cannot carry (spec 3.2: arguments are echoed in the response's `request` element)."""


@dataclass(frozen=True)
class OAIRequest:
    """A request that passed the verb table and the date rules; `until` is inclusive and already widened."""

    verb: str
    arguments: Mapping[str, str]
    from_: datetime | None = None
    until: datetime | None = None
    granularity: Granularity | None = None

    @property
    def identifier(self) -> str | None:
        return self.arguments.get("identifier")

    @property
    def metadata_prefix(self) -> str | None:
        return self.arguments.get("metadataPrefix")

    @property
    def set_spec(self) -> str | None:
        return self.arguments.get("set")

    @property
    def resumption_token(self) -> str | None:
        return self.arguments.get("resumptionToken")


METADATA_PREFIX = re.compile(r"[A-Za-z0-9\-_.!~*'()]+")
"""The shape of a metadataPrefix (the OAI-PMH schema's `metadataPrefixType`): any other is not a prefix at all, so
badArgument, and never echoed in the `request` element, where the schema would refuse it."""


def parse_request(arguments: Mapping[str, Sequence[str]]) -> OAIRequest:
    """Check a request's arguments, each with all its values, against `VERBS` and the date rules.

    Follows spec 3.1.1 (arguments from GET or POST alike), 3.3.1 (dates), 3.5 (the exclusive resumptionToken) and
    3.6 (badVerb for a missing, unknown or repeated verb; badArgument for everything else about the arguments).
    """
    verbs = arguments.get("verb", ())
    if not verbs:
        raise BadVerb("the verb argument is missing")
    if len(verbs) > 1:
        raise BadVerb(f"the verb argument is repeated: {', '.join(map(repr, verbs))}")
    name = verbs[0]
    verb = VERBS.get(name)
    if verb is None:
        raise BadVerb(f"{name!r} is not an OAI-PMH verb (one of {', '.join(sorted(VERBS))})")

    given = {key: values for key, values in arguments.items() if key != "verb" and values}
    illegal = sorted(set(given) - verb.allowed)
    if illegal:
        raise BadArgument(f"{name} does not take the argument{'s' if len(illegal) > 1 else ''} {_names(illegal)}")
    for key, values in given.items():
        if len(values) > 1:
            raise BadArgument(f"argument {key!r} is repeated: {', '.join(map(repr, values))}")
        if NOT_XML.search(values[0]):
            raise BadArgument(f"argument {key!r} holds a character XML cannot carry: {values[0]!r}")
    single = {key: values[0] for key, values in given.items()}

    if verb.exclusive is not None and verb.exclusive in single:
        others = sorted(set(single) - {verb.exclusive})
        if others:
            raise BadArgument(f"argument {verb.exclusive!r} is exclusive but came with {_names(others)}")
        return OAIRequest(name, MappingProxyType(single))

    missing = sorted(verb.required - set(single))
    if missing:
        raise BadArgument(f"{name} requires the argument{'s' if len(missing) > 1 else ''} {_names(missing)}")
    prefix = single.get("metadataPrefix")
    if prefix is not None and not METADATA_PREFIX.fullmatch(prefix):
        raise BadArgument(f"argument 'metadataPrefix' is not a metadata prefix: {prefix!r}")

    from_ = _parse_date("from", single.get("from"))
    until = _parse_date("until", single.get("until"))
    if from_ is not None and until is not None:
        if from_[1] != until[1]:
            raise BadArgument(
                f"arguments 'from' and 'until' differ in granularity: {single['from']!r} is {from_[1]}, "
                f"{single['until']!r} is {until[1]}"
            )
        if from_[0] > until[0]:
            raise BadArgument(f"argument 'from' ({single['from']!r}) is later than 'until' ({single['until']!r})")
    granularity = from_[1] if from_ is not None else until[1] if until is not None else None
    return OAIRequest(
        name,
        MappingProxyType(single),
        from_=None if from_ is None else from_[0],
        until=None if until is None else until[0],
        granularity=granularity,
    )


def _names(keys: Sequence[str]) -> str:
    return ", ".join(map(repr, keys))


def _parse_date(argument: str, text: str | None) -> tuple[datetime, Granularity] | None:
    """Parse `from` or `until` (spec 3.3.1); a day-only `until` means the last second of that day (spec 2.7.1)."""
    if text is None:
        return None
    for granularity, (shape, layout) in _DATE_SHAPES.items():
        if shape.fullmatch(text):
            try:
                moment = datetime.strptime(text, layout).replace(tzinfo=UTC)
            except ValueError:
                break
            if granularity is Granularity.DAY and argument == "until":
                moment += timedelta(days=1, seconds=-1)
            return moment, granularity
    raise BadArgument(f"argument {argument!r} is not a date: {text!r} ({Granularity.DAY} or {Granularity.SECOND})")


def parse_identifier(identifier: str, repository: str) -> str:
    """Return the local dataset id of `oai:{repository}:{id}`; any other shape is idDoesNotExist (spec 2.4)."""
    prefix = f"oai:{repository}:"
    local_id = identifier.removeprefix(prefix)
    if not identifier.startswith(prefix) or not local_id:
        raise IdDoesNotExist.unknown(identifier)
    return local_id


def request_attributes(request: OAIRequest | None, error: OAIError | None = None) -> dict[str, str]:
    """Return the attributes of the response's `request` element (spec 3.2).

    None when the request did not parse or the error is badVerb or badArgument: then the element carries the base
    URL only; otherwise the verb and its arguments, as received.
    """
    if request is None or isinstance(error, BadVerb | BadArgument):
        return {}
    return {"verb": request.verb, **request.arguments}


def format_datestamp(moment: datetime) -> str:
    """Format an aware datetime as a `YYYY-MM-DDThh:mm:ssZ` UTCdatetime (spec 3.3.2)."""
    if moment.tzinfo is None:
        raise ValueError(f"datestamp {moment!r} has no time zone")
    return format_time(moment)
