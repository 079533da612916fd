"""OAI-PMH sets of the catalog: which sets a dataset belongs to, and what each set is called."""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from catalog.records import Dataset, LangMap, Mission
from catalog.vocab import Category, Visibility

MISSION = "mission"
CATEGORY = "category"
SOURCE = "source"
"""`source:{name}`: the datasets harvested from one OAI-PMH provider (`harvest.oai`)."""
OPENAIRE_DATA = "openaire_data"
ACCESS_OPEN = "access:open"
ACCESS_RESTRICTED = "access:restricted"

ACCESS_SETS: Mapping[str, Visibility] = MappingProxyType(
    {ACCESS_OPEN: Visibility.PUBLIC, ACCESS_RESTRICTED: Visibility.RESTRICTED}
)
"""Sets by the visibility at the request's moment: a release by the clock moves a dataset between them."""

SPEC = re.compile(r"[A-Za-z0-9\-_.!~*'()]+(?::[A-Za-z0-9\-_.!~*'()]+)*")
"""setSpec syntax of OAI-PMH 2.0 §2.7.3 (unreserved URI characters, `:` separating levels)."""

NOT_IN_SLUG = re.compile(r"[^a-z0-9._-]")

CATEGORY_WORDS: Mapping[Category, tuple[str, str]] = MappingProxyType(
    {
        Category.SOURCE: ("Source data (raw telemetry)", "源泉データ"),
        Category.OBSERVATION: ("Observation data", "観測データ"),
        Category.ENGINEERING: ("Engineering data", "工学データ"),
        Category.EXPERIMENT: ("Experiment data", "実験データ"),
        Category.SIMULATION: ("Simulation data", "シミュレーションデータ"),
        Category.ANALYSIS: ("Sample analysis and shape model data", "試料分析・形状再現データ"),
        Category.DOCUMENT: ("Documents, photos, images and video", "書類・写真・画像・映像"),
        Category.SOFTWARE: ("Tools, software and documentation", "ツール・ソフトウェア・説明文書"),
    }
)
"""Each category of the data policy (§3) in English and in the policy's own Japanese term."""

FIXED: Mapping[str, tuple[str, LangMap]] = MappingProxyType(
    {
        ACCESS_OPEN: (
            "Open access data",
            {"en": "Datasets open to everyone at the time of the request.", "ja": "公開データ"},
        ),
        ACCESS_RESTRICTED: (
            "Restricted data (existence disclosed)",
            {
                "en": "Datasets not yet public whose existence and metadata are disclosed at the time of the request.",
                "ja": "非公開データ（存在を開示）",
            },
        ),
        OPENAIRE_DATA: (
            "OpenAIRE data",
            {
                "en": "Datasets identified by a DOI, for harvesting by OpenAIRE.",
                "ja": "DOIで識別されるデータセット（OpenAIRE収集用）",
            },
        ),
    }
)


@dataclass(frozen=True)
class SetDescription:
    spec: str
    name: str
    description: LangMap


def instrument_slug(instrument: str) -> str:
    """Return an instrument's name as one setSpec level: lowercase, other characters replaced by `-`."""
    return NOT_IN_SLUG.sub("-", instrument.lower())


def static_sets(dataset: Dataset) -> frozenset[str]:
    """Return the sets a dataset belongs to by its content alone (the access sets depend on the moment)."""
    specs = {f"{CATEGORY}:{dataset.category}"}
    if dataset.mission is not None:
        specs.add(f"{MISSION}:{dataset.mission}")
        specs.update(f"{MISSION}:{dataset.mission}:{instrument_slug(i)}" for i in dataset.instruments)
    if dataset.doi is not None:
        specs.add(OPENAIRE_DATA)
    if dataset.provenance is not None:
        specs.add(f"{SOURCE}:{dataset.provenance.source}")
    return frozenset(specs)


def is_valid_spec(spec: str) -> bool:
    return SPEC.fullmatch(spec) is not None


def _mission_names(mission_id: str, missions: Mapping[str, Mission]) -> tuple[str, str]:
    mission = missions.get(mission_id)
    if mission is None:
        return mission_id, mission_id
    english = mission.name.get("en") or next(iter(mission.name.values()), mission_id)
    return english, mission.name.get("ja", english)


def describe(spec: str, missions: Mapping[str, Mission]) -> SetDescription | None:
    """Name and describe a set (English name, English and Japanese description); None for no set of ours.

    A mission that is not in `missions` is named by its id, so that a listed set always has a description.
    """
    if spec in FIXED:
        name, description = FIXED[spec]
        return SetDescription(spec, name, description)
    kind, _, rest = spec.partition(":")
    if not rest or not is_valid_spec(spec):
        return None
    if kind == CATEGORY and rest in CATEGORY_WORDS:
        english, japanese = CATEGORY_WORDS[Category(rest)]
        return SetDescription(
            spec,
            english,
            {
                "en": f"Datasets of the category “{english}” of the ISAS data policy.",
                "ja": f"宇宙科学研究所データポリシーの区分「{japanese}」のデータセット",
            },
        )
    if kind == SOURCE and ":" not in rest:
        return SetDescription(
            spec,
            f"Harvested from {rest}",
            {
                "en": f"Datasets harvested from the OAI-PMH provider “{rest}” and served again with their provenance.",
                "ja": f"OAI-PMHプロバイダ「{rest}」から収集し、来歴とともに再提供するデータセット",
            },
        )
    if kind == MISSION:
        mission_id, _, instrument = rest.partition(":")
        if ":" in instrument:
            return None
        english, japanese = _mission_names(mission_id, missions)
        if not instrument:
            return SetDescription(
                spec, english, {"en": f"Datasets of the {english} mission.", "ja": f"{japanese}のデータセット"}
            )
        return SetDescription(
            spec,
            f"{english}: {instrument}",
            {
                "en": f"Datasets of the instrument {instrument} of the {english} mission.",
                "ja": f"{japanese}の観測機器 {instrument} のデータセット",
            },
        )
    return None


def header_sets(static: Iterable[str], visibility: Visibility) -> tuple[str, ...]:
    """The set specs an item's header lists: its static sets, in code point order, then the access set of its
    visibility at the moment (none for a deleted record)."""
    dynamic = [spec for spec, wanted in ACCESS_SETS.items() if wanted is visibility]
    return (*sorted(static), *dynamic)
