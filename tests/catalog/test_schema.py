"""The record contract v1 JSON Schema: the contract's examples, invalid records and fastjsonschema agreement."""

import copy
import json
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import fastjsonschema
import jsonschema
import pytest
from jsonschema.protocols import Validator
from jsonschema.validators import validator_for

REPO = Path(__file__).resolve().parents[2]
SCHEMA_PATH = REPO / "catalog" / "schema" / "record-v1.json"
EXAMPLES_PATH = REPO.parent / "shared" / "records" / "examples.jsonl"

Record = dict[str, Any]
JsonPath = tuple[str | int, ...]
FastValidator = Callable[[Any], Any]

DELETE = object()

MISSION: Record = {"type": "mission", "id": "hayabusa2", "name": {"en": "Hayabusa2", "ja": "はやぶさ2"}}
DATASET: Record = {
    "type": "dataset",
    "id": "hyb2-onc-l2b",
    "title": {"en": "Hayabusa2 ONC-T calibrated images of Ryugu"},
    "category": "observation",
    "creators": [{"name": "Hayabusa2 ONC team", "kind": "organization"}],
    "access": {"status": "public"},
}
RESTRICTED: Record = {
    "status": "restricted",
    "reason": "proprietary-period",
    "scope": "XRISM science team",
    "until": "2027-03-31",
}
GRANULE: Record = {
    "type": "granule",
    "id": "000128000",
    "dataset": "xrism-resolve-obs",
    "start": "2024-03-02T10:00:00Z",
    "end": "2024-03-03T04:00:00Z",
}
PERSON: Record = {"name": "Sugita, Seiji", "kind": "person"}
CONTRIBUTOR: Record = {"name": "DARTS", "kind": "organization", "role": "HostingInstitution"}


def variant(base: Record, changes: Mapping[JsonPath, Any]) -> Record:
    """A deep copy of `base` with the value at each path replaced, or removed when it is DELETE."""
    record = copy.deepcopy(base)
    for path, value in changes.items():
        *parents, last = path
        target: Any = record
        for key in parents:
            target = target[key]
        if value is DELETE:
            del target[last]
        else:
            target[last] = value
    return record


def dataset(**changes: object) -> Record:
    return variant(DATASET, {(key,): value for key, value in changes.items()})


def restricted_without(field: str) -> Record:
    return dataset(access={k: v for k, v in RESTRICTED.items() if k != field})


def invalid(case_id: str, record: Record, path: JsonPath, validator: str, needle: str | None = None) -> Any:
    return pytest.param(record, path, validator, needle, id=case_id)


INVALID = [
    invalid("missing-type", {k: v for k, v in MISSION.items() if k != "type"}, (), "required", "type"),
    invalid("unknown-type", variant(MISSION, {("type",): "instrument"}), ("type",), "enum"),
    invalid("mission-bad-id", variant(MISSION, {("id",): "Hayabusa2"}), ("id",), "pattern"),
    invalid("mission-id-too-long", variant(MISSION, {("id",): "m" * 65}), ("id",), "pattern"),
    invalid("mission-id-trailing-newline", variant(MISSION, {("id",): "hayabusa2\n"}), ("id",), "pattern"),
    invalid("mission-without-name", variant(MISSION, {("name",): DELETE}), (), "required", "name"),
    invalid("mission-empty-name", variant(MISSION, {("name",): {}}), ("name",), "minProperties"),
    invalid("mission-name-bad-language", variant(MISSION, {("name",): {"EN": "x"}}), ("name",), "pattern", "EN"),
    invalid("mission-name-blank-text", variant(MISSION, {("name", "en"): " "}), ("name", "en"), "pattern"),
    invalid("mission-name-plain-string", variant(MISSION, {("name",): "Hayabusa2"}), ("name",), "type"),
    invalid("mission-bad-platform", variant(MISSION, {("platform",): "rover"}), ("platform",), "enum"),
    invalid("mission-month-13", variant(MISSION, {("launched",): "2019-13-01"}), ("launched",), "pattern"),
    invalid("mission-bad-url", variant(MISSION, {("url",): "www.hayabusa2.jaxa.jp"}), ("url",), "pattern"),
    invalid("dataset-bad-id", dataset(id="HYB2 onc"), ("id",), "pattern"),
    invalid("dataset-id-too-long", dataset(id="d" * 129), ("id",), "pattern"),
    invalid("dataset-without-title", dataset(title=DELETE), (), "required", "title"),
    invalid("dataset-unknown-category", dataset(category="calibration"), ("category",), "enum"),
    invalid("dataset-without-category", dataset(category=DELETE), (), "required", "category"),
    invalid("dataset-without-creators", dataset(creators=DELETE), (), "required", "creators"),
    invalid("dataset-without-access", dataset(access=DELETE), (), "required", "access"),
    invalid("dataset-bad-mission-ref", dataset(mission="Hayabusa 2"), ("mission",), "pattern"),
    invalid(
        "dataset-doi-with-resolver", dataset(doi="https://doi.org/10.17597/isas.darts/hyb2-00200"), ("doi",), "pattern"
    ),
    invalid("dataset-doi-short-prefix", dataset(doi="10.175/x"), ("doi",), "pattern"),
    invalid("dataset-version-number", dataset(version=3), ("version",), "type"),
    invalid("dataset-empty-keyword", dataset(keywords=["asteroid", ""]), ("keywords", 1), "minLength"),
    invalid("creators-empty", dataset(creators=[]), ("creators",), "minItems"),
    invalid("creator-bad-kind", dataset(creators=[{**PERSON, "kind": "group"}]), ("creators", 0, "kind"), "enum"),
    invalid("creator-without-kind", dataset(creators=[{"name": "X"}]), ("creators", 0), "required", "kind"),
    invalid("creator-without-name", dataset(creators=[{"kind": "person"}]), ("creators", 0), "required", "name"),
    invalid(
        "creator-bad-orcid",
        dataset(creators=[{**PERSON, "orcid": "0000-0002-1825-009"}]),
        ("creators", 0, "orcid"),
        "pattern",
    ),
    invalid(
        "creator-orcid-http",
        dataset(creators=[{**PERSON, "orcid": "http://orcid.org/0000-0002-1825-0097"}]),
        ("creators", 0, "orcid"),
        "pattern",
    ),
    invalid(
        "creator-bad-ror",
        dataset(creators=[{**PERSON, "ror": "https://ror.org/15dqf9946"}]),
        ("creators", 0, "ror"),
        "pattern",
    ),
    invalid(
        "contributor-bad-role",
        dataset(contributors=[{**CONTRIBUTOR, "role": "Author"}]),
        ("contributors", 0, "role"),
        "enum",
    ),
    invalid("contributor-without-role", dataset(contributors=[PERSON]), ("contributors", 0), "required", "role"),
    invalid(
        "contributor-without-kind",
        dataset(contributors=[{"name": "DARTS", "role": "Distributor"}]),
        ("contributors", 0),
        "required",
        "kind",
    ),
    invalid(
        "related-bad-relation",
        dataset(related=[{"relation": "DerivedFrom", "target": "hyb2-onc-raw"}]),
        ("related", 0, "relation"),
        "enum",
    ),
    invalid(
        "related-without-target", dataset(related=[{"relation": "IsDerivedFrom"}]), ("related", 0), "required", "target"
    ),
    invalid(
        "related-bad-target",
        dataset(related=[{"relation": "Cites", "target": "not a dataset"}]),
        ("related", 0, "target"),
        "pattern",
    ),
    invalid("temporal-without-start", dataset(temporal={"end": None}), ("temporal",), "required", "start"),
    invalid("temporal-february-30", dataset(temporal={"start": "2024-02-30"}), ("temporal", "start"), "pattern"),
    invalid(
        "temporal-hour-24",
        dataset(temporal={"start": "2024-01-01", "end": "2024-01-01T24:00:00Z"}),
        ("temporal", "end"),
        "pattern",
    ),
    invalid("temporal-no-zone", dataset(temporal={"start": "2024-01-01T00:00:00"}), ("temporal", "start"), "pattern"),
    invalid(
        "spatial-without-bbox",
        dataset(spatial={"geometry": {"type": "Point", "coordinates": [0, 0]}}),
        ("spatial",),
        "required",
        "bbox",
    ),
    invalid(
        "bbox-latitude-out-of-range", dataset(spatial={"bbox": [0, -91, 10, 10]}), ("spatial", "bbox", 1), "minimum"
    ),
    invalid(
        "bbox-longitude-out-of-range", dataset(spatial={"bbox": [0, 0, 181, 10]}), ("spatial", "bbox", 2), "maximum"
    ),
    invalid("bbox-three-numbers", dataset(spatial={"bbox": [0, 0, 10]}), ("spatial", "bbox"), "minItems"),
    invalid("bbox-string", dataset(spatial={"bbox": [0, "0", 10, 10]}), ("spatial", "bbox", 1), "type"),
    invalid(
        "geometry-bad-type",
        dataset(spatial={"bbox": [0, 0, 1, 1], "geometry": {"type": "Circle", "coordinates": []}}),
        ("spatial", "geometry", "type"),
        "enum",
    ),
    invalid(
        "geometry-without-coordinates",
        dataset(spatial={"bbox": [0, 0, 1, 1], "geometry": {"type": "Polygon"}}),
        ("spatial", "geometry"),
        "required",
        "coordinates",
    ),
    invalid("asset-without-href", dataset(assets=[{"title": "bundle"}]), ("assets", 0), "required", "href"),
    invalid(
        "asset-bad-media-type",
        dataset(assets=[{"href": "https://x/", "media_type": "fits"}]),
        ("assets", 0, "media_type"),
        "pattern",
    ),
    invalid("access-without-status", dataset(access={"caveat": "beta"}), ("access",), "required", "status"),
    invalid("access-unknown-status", dataset(access={"status": "embargoed"}), ("access", "status"), "enum"),
    invalid("restricted-without-reason", restricted_without("reason"), ("access",), "required", "reason"),
    invalid("restricted-without-scope", restricted_without("scope"), ("access",), "required", "scope"),
    invalid("restricted-without-until", restricted_without("until"), ("access",), "required", "until"),
    invalid("restricted-bad-reason", dataset(access={**RESTRICTED, "reason": "embargo"}), ("access", "reason"), "enum"),
    invalid("restricted-empty-scope", dataset(access={**RESTRICTED, "scope": ""}), ("access", "scope"), "minLength"),
    invalid(
        "restricted-bad-until", dataset(access={**RESTRICTED, "until": "2027-3-31"}), ("access", "until"), "pattern"
    ),
    invalid("access-bad-after", dataset(access={**RESTRICTED, "after": "publish"}), ("access", "after"), "enum"),
    invalid("access-disclose-string", dataset(access={**RESTRICTED, "disclose": "no"}), ("access", "disclose"), "type"),
    invalid(
        "proprietary-months-0",
        dataset(access={"status": "public", "proprietary_months": 0}),
        ("access", "proprietary_months"),
        "minimum",
    ),
    invalid(
        "proprietary-months-121",
        dataset(access={"status": "public", "proprietary_months": 121}),
        ("access", "proprietary_months"),
        "maximum",
    ),
    invalid(
        "proprietary-months-fraction",
        dataset(access={"status": "public", "proprietary_months": 6.5}),
        ("access", "proprietary_months"),
        "type",
    ),
    invalid("caveat-empty", dataset(access={"status": "public", "caveat": ""}), ("access", "caveat"), "minLength"),
    invalid(
        "caveat-empty-map", dataset(access={"status": "public", "caveat": {}}), ("access", "caveat"), "minProperties"
    ),
    invalid("license-with-spaces", dataset(rights={"license": "CC BY 4.0"}), ("rights", "license"), "pattern"),
    invalid("credit-empty-list", dataset(rights={"credit": []}), ("rights", "credit"), "minItems"),
    invalid("credit-number", dataset(rights={"credit": 1}), ("rights", "credit"), "type"),
    invalid(
        "retention-bad-reproducible",
        dataset(retention={"reproducible": "maybe"}),
        ("retention", "reproducible"),
        "enum",
    ),
    invalid("lifecycle-bad-state", dataset(lifecycle={"state": "deleted"}), ("lifecycle", "state"), "enum"),
    invalid(
        "lifecycle-without-state", dataset(lifecycle={"discarded": "2025-04-01"}), ("lifecycle",), "required", "state"
    ),
    invalid(
        "lifecycle-bad-date",
        dataset(lifecycle={"state": "discarded", "discarded": "yesterday"}),
        ("lifecycle", "discarded"),
        "pattern",
    ),
    invalid("granule-without-dataset", variant(GRANULE, {("dataset",): DELETE}), (), "required", "dataset"),
    invalid("granule-start-without-end", variant(GRANULE, {("end",): DELETE}), (), "required", "end"),
    invalid("granule-end-without-start", variant(GRANULE, {("start",): DELETE}), (), "required", "start"),
    invalid(
        "granule-without-time", variant(GRANULE, {("start",): DELETE, ("end",): DELETE}), (), "required", "datetime"
    ),
    invalid(
        "granule-datetime-and-start",
        variant(GRANULE, {("datetime",): "2024-03-02T10:00:00Z", ("end",): DELETE}),
        (),
        "required",
        "end",
    ),
    invalid("granule-id-with-slash", variant(GRANULE, {("id",): "obs/000128000"}), ("id",), "pattern"),
    invalid("granule-id-too-long", variant(GRANULE, {("id",): "g" * 257}), ("id",), "pattern"),
    invalid("granule-bad-offset", variant(GRANULE, {("end",): "2024-03-03T04:00:00+0900"}), ("end",), "pattern"),
    invalid(
        "granule-bad-acquired", variant(GRANULE, {("acquired",): "2024-03-03 04:00:00Z"}), ("acquired",), "pattern"
    ),
    invalid("granule-properties-list", variant(GRANULE, {("properties",): [1, 2]}), ("properties",), "type"),
    invalid("granule-bbox-out-of-range", variant(GRANULE, {("bbox",): [-181, 0, 0, 0]}), ("bbox", 0), "minimum"),
    invalid(
        "granule-access-without-scope",
        variant(GRANULE, {("access",): {k: v for k, v in RESTRICTED.items() if k != "scope"}}),
        ("access",),
        "required",
        "scope",
    ),
]

VALID = [
    pytest.param(
        variant(GRANULE, {("start",): DELETE, ("end",): DELETE, ("datetime",): "2024-03-02T10:00:00Z"}),
        id="granule-datetime",
    ),
    pytest.param(variant(GRANULE, {("datetime",): "2024-03-02T10:00:00Z"}), id="granule-datetime-and-interval"),
    pytest.param(
        variant(GRANULE, {("id",): "obs:2024-03-02_a.1", ("acquired",): "2024-03-03T13:00:00.25+09:00"}),
        id="granule-id-colon-offset-fraction",
    ),
    pytest.param(
        variant(
            GRANULE, {("bbox",): [-180, -90, 180, 90], ("geometry",): {"type": "Point", "coordinates": [139.4, 35.6]}}
        ),
        id="granule-earth-footprint",
    ),
    pytest.param(variant(GRANULE, {("access",): RESTRICTED}), id="granule-access-override"),
    pytest.param(dataset(temporal={"start": "2024-02-29", "end": None}), id="temporal-ongoing-leap-day"),
    pytest.param(
        dataset(
            access={
                **RESTRICTED,
                "disclose": False,
                "after": "release",
                "release_schedule": {"en": "FY2026", "ja": "2026年度"},
            }
        ),
        id="restricted-full",
    ),
    pytest.param(
        dataset(access={"status": "public", "proprietary_months": 12, "caveat": {"en": "Beta."}}),
        id="public-rolling-period",
    ),
    pytest.param(
        dataset(
            creators=[
                {**PERSON, "orcid": "0000-0002-1825-0097", "ror": "05dqf9946"},
                {**PERSON, "orcid": "https://orcid.org/0000-0002-1694-233X", "ror": "https://ror.org/05dqf9946"},
            ]
        ),
        id="creator-identifiers",
    ),
    pytest.param(dataset(contributors=[CONTRIBUTOR, {**PERSON, "role": "DataCollector"}]), id="contributors"),
    pytest.param(
        dataset(
            related=[
                {"relation": "IsNewVersionOf", "target": "10.17597/isas.darts/hyb2-00100"},
                {"relation": "HasTranslation", "target": "urn:nbn:jp-x"},
            ]
        ),
        id="related-doi-and-uri",
    ),
    pytest.param(
        dataset(
            rights={
                "license": "LicenseRef-GJ-2.0",
                "credit": "JAXA/Univ. of Tokyo",
                "restrictions": {"en": "No redistribution of the SPICE kernels.", "ja": "再配布不可"},
            }
        ),
        id="rights-string-credit",
    ),
    pytest.param(dataset(title={"en": "x", "ja-Latn": "x", "und": "x"}), id="language-subtags"),
    pytest.param(
        dataset(
            spatial={
                "bbox": [170, -10, -170, 10],
                "geometry": {"type": "GeometryCollection", "geometries": [{"type": "Point", "coordinates": [0, 0]}]},
            }
        ),
        id="antimeridian-geometry-collection",
    ),
    pytest.param(
        dataset(
            assets=[
                {
                    "href": "data/obs/",
                    "title": {"en": "Bundle"},
                    "media_type": "image/tiff; application=geotiff",
                    "roles": ["data", "thumbnail"],
                }
            ]
        ),
        id="asset-full",
    ),
    pytest.param(
        dataset(lifecycle={"state": "active"}, retention={"reproducible": "easy"}, category="simulation"),
        id="lifecycle-retention",
    ),
]

EXTRA: Record = {"x_archive_internal": {"pipeline": "v3", "ids": [1, 2]}}
WITH_EXTRAS = [
    pytest.param({**MISSION, **EXTRA, "name": {"en": "Hayabusa2"}}, id="mission"),
    pytest.param(
        dataset(
            **EXTRA,
            creators=[{**PERSON, **EXTRA}],
            contributors=[{**CONTRIBUTOR, **EXTRA}],
            temporal={"start": "2018-06-10", **EXTRA},
            spatial={"bbox": [0, 0, 1, 1], "geometry": {"type": "Point", "coordinates": [0, 0], **EXTRA}, **EXTRA},
            assets=[{"href": "https://x/", **EXTRA}],
            related=[{"relation": "Cites", "target": "hyb2-onc-raw", **EXTRA}],
            access={**RESTRICTED, **EXTRA},
            rights={"license": "CC-BY-4.0", **EXTRA},
            retention={"reproducible": "no", **EXTRA},
            lifecycle={"state": "active", **EXTRA},
        ),
        id="dataset-nested",
    ),
    pytest.param({**GRANULE, **EXTRA, "access": {"status": "public", **EXTRA}}, id="granule"),
]


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    with SCHEMA_PATH.open(encoding="utf-8") as stream:
        loaded: dict[str, Any] = json.load(stream)
    return loaded


@pytest.fixture(scope="module")
def validator(schema: dict[str, Any]) -> Validator:
    cls = validator_for(schema)
    result: Validator = cls(schema)
    return result


@pytest.fixture(scope="module")
def fast(schema: dict[str, Any]) -> FastValidator:
    return fastjsonschema.compile(schema)


@pytest.fixture(scope="module")
def examples() -> list[tuple[int, Record]]:
    """(line number, record) for each record of the contract's examples.jsonl."""
    if not EXAMPLES_PATH.is_file():
        pytest.fail(f"contract examples not found at {EXAMPLES_PATH}: the schema cannot be checked against them")
    lines = EXAMPLES_PATH.read_text(encoding="utf-8").splitlines()
    return [
        (number, json.loads(line))
        for number, line in enumerate(lines, start=1)
        if line.strip() and not line.lstrip().startswith("//")
    ]


def fast_accepts(fast: FastValidator, record: Record) -> bool:
    try:
        fast(record)
    except fastjsonschema.JsonSchemaValueException:
        return False
    return True


def walk(node: object, path: JsonPath = ()) -> Iterator[tuple[JsonPath, object]]:
    yield path, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from walk(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk(value, (*path, index))


def test_schema_is_a_valid_draft_07_schema(schema: dict[str, Any]) -> None:
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert schema["$id"] == "https://isas-catalog.example/schema/record-v1.json"
    assert schema["title"]
    assert schema["description"]
    validator_for(schema).check_schema(schema)
    assert validator_for(schema) is jsonschema.Draft7Validator


def test_fastjsonschema_compiles_without_network(schema: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"schema compilation tried to fetch {args[:1]}")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    assert callable(fastjsonschema.compile(schema))


def test_every_property_has_a_description(schema: dict[str, Any]) -> None:
    missing = [
        (*path, name)
        for path, node in walk(schema)
        if isinstance(node, dict)
        and path[-1:] == ("properties",)
        and path[-2:-1] != ("properties",)
        and "if" not in path
        for name, sub in node.items()
        if "description" not in sub
    ]
    assert missing == []


def test_extra_properties_are_never_forbidden(schema: dict[str, Any]) -> None:
    assert [
        path for path, node in walk(schema) if isinstance(node, dict) and node.get("additionalProperties") is False
    ] == []


def test_examples_cover_every_record_type(examples: list[tuple[int, Record]]) -> None:
    assert {record["type"] for _, record in examples} == {"mission", "dataset", "granule"}


def test_examples_are_valid(examples: list[tuple[int, Record]], validator: Validator, fast: FastValidator) -> None:
    for number, record in examples:
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(record)]
        assert errors == [], f"examples.jsonl line {number} ({record.get('id')})"
        assert fast_accepts(fast, record), f"fastjsonschema rejects examples.jsonl line {number}"


@pytest.mark.parametrize("record", VALID)
def test_valid_variants(record: Record, validator: Validator, fast: FastValidator) -> None:
    assert [e.message for e in validator.iter_errors(record)] == []
    assert fast_accepts(fast, record)


@pytest.mark.parametrize("record", WITH_EXTRAS)
def test_unknown_fields_are_accepted(record: Record, validator: Validator, fast: FastValidator) -> None:
    assert [e.message for e in validator.iter_errors(record)] == []
    assert fast_accepts(fast, record)


@pytest.mark.parametrize(("record", "path", "keyword", "needle"), INVALID)
def test_invalid_record_is_reported_at_the_field(
    record: Record, path: JsonPath, keyword: str, needle: str | None, validator: Validator
) -> None:
    errors = list(validator.iter_errors(record))
    assert errors, "accepted"
    assert all(tuple(e.absolute_path)[: len(path)] == path for e in errors), [
        (list(e.absolute_path), e.message) for e in errors
    ]
    at_field = [e for e in errors if tuple(e.absolute_path) == path and e.validator == keyword]
    assert at_field, [(list(e.absolute_path), e.validator, e.message) for e in errors]
    assert all(e.message for e in at_field)
    if needle is not None:
        assert any(needle in e.message for e in at_field), [e.message for e in at_field]


@pytest.mark.parametrize(("record", "path", "keyword", "needle"), INVALID)
def test_fastjsonschema_rejects_at_the_field(
    record: Record, path: JsonPath, keyword: str, needle: str | None, fast: FastValidator
) -> None:
    with pytest.raises(fastjsonschema.JsonSchemaValueException) as caught:
        fast(record)
    assert tuple(caught.value.path[1:])[: len(path)] == tuple(str(key) for key in path), caught.value.message


def test_invalid_table_is_large_enough() -> None:
    assert len(INVALID) >= 25
    assert len({param.id for param in INVALID}) == len(INVALID)
