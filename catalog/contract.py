"""Contract v1 checks: the shipped JSON Schema, then the rules a schema cannot state; problems name the field."""

import functools
import hashlib
import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

import fastjsonschema
import jsonschema
from jsonschema.exceptions import ValidationError

from catalog.policy import discard_problem, restriction_problems
from catalog.records import Access, Dataset, Granule, GranuleFacts, Record, record_from_dict
from catalog.timeutil import parse_time
from catalog.vocab import AccessStatus, RecordType

FieldProblem = tuple[str, str]
"""`(field, message)`: the field as a dotted path (`access.until`, `creators[1].orcid`) and what is wrong."""

_REQUIRED = re.compile(r"^'(?P<name>[^']+)' is a required property$")
_WHY_REQUIRED = {
    **dict(restriction_problems(Access(AccessStatus.RESTRICTED))),
    "datetime": "a granule needs `datetime`, or both `start` and `end`",
    "end": "a granule with `start` needs `end` too",
    "start": "a granule with `end` needs `start` too",
}
"""Why a missing field is required, where the schema's "is a required property" would not say."""

_TIME_FIELDS: Mapping[str, tuple[str, ...]] = {
    RecordType.MISSION: ("launched", "ended"),
    RecordType.DATASET: ("issued", "temporal.start", "temporal.end", "access.until", "lifecycle.discarded"),
    RecordType.GRANULE: ("datetime", "start", "end", "acquired", "access.until"),
}


@functools.cache
def schema() -> Mapping[str, Any]:
    """The JSON Schema of contract v1 shipped in the package (`catalog/schema/record-v1.json`)."""
    text = resources.files("catalog").joinpath("schema/record-v1.json").read_text(encoding="utf-8")
    loaded: Mapping[str, Any] = json.loads(text)
    return loaded


@functools.cache
def _fast_validators() -> Mapping[str, Callable[[Any], Any]]:
    """Compiled validators, one per record type: the fast yes/no for the millions of valid lines.

    Compiling each type's definition on its own skips the schema's `if type == …` dispatch, which fastjsonschema
    evaluates by raising and catching an exception per branch not taken.
    """
    whole = schema()
    return {
        str(kind): fastjsonschema.compile(
            {"$schema": whole["$schema"], "$defs": whole["$defs"], "$ref": f"#/$defs/{kind}"}
        )
        for kind in RecordType
    }


@functools.cache
def _detailed_validator() -> jsonschema.protocols.Validator:
    """The reference validator, for exact messages once the fast one says no."""
    validator_class = jsonschema.validators.validator_for(schema())
    return validator_class(schema())


def field_path(path: Iterator[Any] | Any) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _describe(error: ValidationError) -> str:
    """The schema's own description of what the failing value should look like, else its pattern."""
    found = error.schema.get("description") if isinstance(error.schema, Mapping) else None
    return str(found or error.validator_value)


def _leaves(error: ValidationError) -> Iterator[ValidationError]:
    """The most specific errors: a failed anyOf/oneOf reports its branches, not itself."""
    if error.context:
        for child in error.context:
            yield from _leaves(child)
    else:
        yield error


def schema_problems(record: Any) -> list[FieldProblem]:
    """Check a parsed JSON value against the contract's schema."""
    fast = _fast_validators().get(str(record.get("type"))) if isinstance(record, dict) else None
    if fast is not None:
        try:
            fast(record)
            return []
        except fastjsonschema.JsonSchemaValueException:
            pass
    problems: dict[FieldProblem, None] = {}
    for error in sorted(_detailed_validator().iter_errors(record), key=lambda e: list(e.absolute_path)):
        for leaf in _leaves(error):
            field = field_path(leaf.absolute_path)
            message = leaf.message
            if leaf.validator == "pattern":
                message = f"{leaf.instance!r} is not in the expected form: {_describe(leaf)}"
            missing = _REQUIRED.match(message)
            if missing:
                field = f"{field}.{missing['name']}" if field else missing["name"]
                why = _WHY_REQUIRED.get(field.removeprefix("access.") if field.startswith("access.") else field)
                message = f"required field is missing: {why}" if why else "required field is missing"
            problems[(field or "record", message)] = None
    return list(problems) or [("record", "does not match contract v1")]


def _time_problems(record: Mapping[str, Any]) -> list[FieldProblem]:
    """Parse every time field by name: the schema's pattern lets through days such as 2023-02-29."""
    problems = []
    for path in _TIME_FIELDS.get(str(record.get("type")), ()):
        value: Any = record
        for part in path.split("."):
            value = value.get(part) if isinstance(value, Mapping) else None
        if isinstance(value, str):
            try:
                parse_time(value)
            except ValueError as error:
                problems.append((path, f"{value!r} is not a real date or time: {error}"))
    return problems


def _bbox_problem(bbox: tuple[float, float, float, float] | None) -> str | None:
    if bbox is not None and bbox[1] > bbox[3]:
        return (
            f"south latitude {bbox[1]:g} is north of north latitude {bbox[3]:g} (a bbox is [west, south, east, north])"
        )
    return None


def rule_problems(typed: Record) -> list[FieldProblem]:
    """Check what the schema cannot: intervals in order, latitudes in order, the retention rules."""
    problems: list[FieldProblem] = []
    if isinstance(typed, Granule):
        if typed.end < typed.start:
            problems.append(("end", "the observation ends before it starts"))
        bbox = _bbox_problem(typed.bbox)
        if bbox:
            problems.append(("bbox", bbox))
    if isinstance(typed, Dataset):
        temporal = typed.temporal
        if temporal is not None and temporal.end is not None and temporal.end < temporal.start:
            problems.append(("temporal.end", "the coverage ends before it starts"))
        bbox = _bbox_problem(typed.bbox)
        if bbox:
            problems.append(("spatial.bbox", bbox))
        refused = discard_problem(typed)
        if refused:
            problems.append(("lifecycle.reason", refused))
    return problems


@dataclass(frozen=True, slots=True)
class Checked:
    """The verdict on one value: its typed record when it may be loaded, else the problems found."""

    record: Record | None
    problems: list[FieldProblem]


@dataclass(frozen=True, slots=True)
class Screened:
    """What the checks of one line on its own say: its problems, else the digest of its content and, for a
    granule, the facts the store indexes.

    Small and picklable, so that screening can run in another process while this one writes to the store.
    """

    problems: tuple[FieldProblem, ...]
    digest: str | None = None
    granule: GranuleFacts | None = None


def screen(text: str) -> Screened:
    """Parse one line of JSON Lines and check it: the contract's schema, then the rules a schema cannot state."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        return Screened((("json", f"malformed JSON: {error.msg} at column {error.colno}"),))
    checked = check(value)
    if checked.record is None:
        return Screened(tuple(checked.problems))
    facts = GranuleFacts.of(checked.record) if isinstance(checked.record, Granule) else None
    return Screened((), digest(value), facts)


def screen_all(texts: Sequence[str]) -> list[Screened]:
    """Screen a chunk of lines (the unit of work handed to a screening process)."""
    return [screen(text) for text in texts]


def build(value: Mapping[str, Any]) -> Checked:
    """Build the typed record of a value that passed the schema, and check the rules a schema cannot state."""
    try:
        typed = record_from_dict(value)
    except ValueError as error:
        return Checked(None, _time_problems(value) or [("record", str(error))])
    found = rule_problems(typed)
    return Checked(None if found else typed, found)


def check(value: Any) -> Checked:
    """Check one parsed JSON value against contract v1 and build its record."""
    if not isinstance(value, dict):
        return Checked(None, [_not_an_object(value)])
    found = schema_problems(value)
    return Checked(None, found) if found else build(value)


def _not_an_object(value: Any) -> FieldProblem:
    return ("record", f"a record is a JSON object, not {type(value).__name__}")


def problems(value: Any) -> list[FieldProblem]:
    """Check one parsed JSON value against contract v1; an empty list means it may be loaded."""
    return check(value).problems


def canonical(record: Mapping[str, Any]) -> str:
    return json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def digest(record: Mapping[str, Any]) -> str:
    """A digest of a record's content, independent of key order and white space."""
    return hashlib.blake2b(canonical(record).encode(), digest_size=16).hexdigest()


def is_local_reference(target: str) -> bool:
    """Whether a `related` target names a dataset of this catalog (not a DOI or a URL)."""
    return not (target.startswith(("10.", "doi:", "urn:")) or "://" in target)
