"""OAI-PMH sets: static membership from a dataset, names and descriptions, setSpec syntax."""

from typing import Any

import pytest

from catalog.demo import demo_records
from catalog.records import Dataset, Mission
from catalog.sets import ACCESS_SETS, CATEGORY_WORDS, describe, instrument_slug, is_valid_spec, static_sets
from catalog.vocab import Category, Visibility
from tests.catalog.test_store import dataset_record
from tests.conftest import NOW

MISSIONS = {
    mission.id: mission
    for mission in (
        Mission.from_dict({"type": "mission", "id": "hayabusa2", "name": {"en": "Hayabusa2", "ja": "はやぶさ2"}}),
        Mission.from_dict({"type": "mission", "id": "arase", "name": {"en": "Arase (ERG)"}}),
    )
}


def dataset(dataset_id: str = "d", **fields: Any) -> Dataset:
    return Dataset.from_dict(dataset_record(dataset_id, **fields))


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({}, {"category:observation"}),
        ({"category": "simulation", "doi": "10.17597/isas.x"}, {"category:simulation", "openaire_data"}),
        ({"mission": "hayabusa2"}, {"mission:hayabusa2", "category:observation"}),
        (
            {"mission": "hayabusa2", "instruments": ["ONC-T", "ONC-W1"]},
            {"mission:hayabusa2", "mission:hayabusa2:onc-t", "mission:hayabusa2:onc-w1", "category:observation"},
        ),
        (
            {"mission": "arase", "instruments": ["LEPe", "XEP/e 2", "MGF"], "doi": "10.34515/x"},
            {
                "mission:arase",
                "mission:arase:lepe",
                "mission:arase:xep-e-2",
                "mission:arase:mgf",
                "category:observation",
                "openaire_data",
            },
        ),
        ({"instruments": ["ONC-T"]}, {"category:observation"}),
    ],
)
def test_static_sets(fields: dict[str, Any], expected: set[str]) -> None:
    assert static_sets(dataset(**fields)) == expected


@pytest.mark.parametrize(
    ("instrument", "slug"),
    [("ONC-T", "onc-t"), ("LEPe", "lepe"), ("XRT.v2_a", "xrt.v2_a"), ("SXI+HXI", "sxi-hxi"), ("可視", "--")],
)
def test_instrument_slug(instrument: str, slug: str) -> None:
    assert instrument_slug(instrument) == slug
    assert is_valid_spec(f"mission:m:{slug}")


def test_static_sets_never_hold_an_access_set() -> None:
    assert not static_sets(dataset(mission="hayabusa2", doi="10.17597/x")) & ACCESS_SETS.keys()


def test_access_sets_are_by_shown_visibility() -> None:
    assert dict(ACCESS_SETS) == {"access:open": Visibility.PUBLIC, "access:restricted": Visibility.RESTRICTED}


@pytest.mark.parametrize(
    ("spec", "name", "en", "ja"),
    [
        ("mission:hayabusa2", "Hayabusa2", "Datasets of the Hayabusa2 mission.", "はやぶさ2のデータセット"),
        ("mission:arase", "Arase (ERG)", "Datasets of the Arase (ERG) mission.", "Arase (ERG)のデータセット"),
        ("mission:unknown", "unknown", "Datasets of the unknown mission.", "unknownのデータセット"),
        (
            "mission:hayabusa2:onc-t",
            "Hayabusa2: onc-t",
            "Datasets of the instrument onc-t of the Hayabusa2 mission.",
            "はやぶさ2の観測機器 onc-t のデータセット",
        ),
        (
            "category:observation",
            "Observation data",
            "Datasets of the category “Observation data” of the ISAS data policy.",
            "宇宙科学研究所データポリシーの区分「観測データ」のデータセット",
        ),
        (
            "access:open",
            "Open access data",
            "Datasets open to everyone at the time of the request.",
            "公開データ",
        ),
        (
            "access:restricted",
            "Restricted data (existence disclosed)",
            "Datasets not yet public whose existence and metadata are disclosed at the time of the request.",
            "非公開データ（存在を開示）",
        ),
        (
            "openaire_data",
            "OpenAIRE data",
            "Datasets identified by a DOI, for harvesting by OpenAIRE.",
            "DOIで識別されるデータセット（OpenAIRE収集用）",
        ),
    ],
)
def test_describe(spec: str, name: str, en: str, ja: str) -> None:
    described = describe(spec, MISSIONS)
    assert described is not None
    assert (described.spec, described.name, dict(described.description)) == (spec, name, {"en": en, "ja": ja})


@pytest.mark.parametrize("category", list(Category))
def test_every_category_is_described_in_both_languages(category: Category) -> None:
    described = describe(f"category:{category}", MISSIONS)
    assert described is not None
    english, japanese = CATEGORY_WORDS[category]
    assert described.name == english
    assert japanese in described.description["ja"]
    assert english in described.description["en"]


@pytest.mark.parametrize(
    "spec",
    ["", "mission", "mission:", "category:unknown", "category:observation:x", "mission:a:b:c", "access:closed", "x:y"],
)
def test_describe_knows_no_other_set(spec: str) -> None:
    assert describe(spec, MISSIONS) is None


@pytest.mark.parametrize(
    ("spec", "valid"),
    [
        ("mission:hayabusa2", True),
        ("mission:hayabusa2:onc-t", True),
        ("openaire_data", True),
        ("a-_.!~*'()", True),
        ("A:b:C", True),
        ("", False),
        (":a", False),
        ("a:", False),
        ("a::b", False),
        ("a b", False),
        ("a/b", False),
        ("a%20b", False),
        ("a\n", False),
        ("ａ", False),
    ],
)
def test_is_valid_spec(spec: str, valid: bool) -> None:
    assert is_valid_spec(spec) is valid


def test_every_demo_dataset_has_valid_specs() -> None:
    missions: dict[str, Mission] = {}
    specs: set[str] = set()
    for record in demo_records(granules=0, today=NOW.date()):
        if record["type"] == "mission":
            mission = Mission.from_dict(record)
            missions[mission.id] = mission
        elif record["type"] == "dataset":
            specs |= static_sets(Dataset.from_dict(record))
    specs |= ACCESS_SETS.keys()
    assert any(spec.count(":") == 2 for spec in specs)
    assert "openaire_data" in specs
    for spec in sorted(specs):
        assert is_valid_spec(spec), spec
        described = describe(spec, missions)
        assert described is not None, spec
        assert described.name
        assert set(described.description) == {"en", "ja"}
        if spec.startswith("mission:"):
            assert spec.split(":")[1] in missions
