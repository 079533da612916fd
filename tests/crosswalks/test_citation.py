"""Citations: CSL-JSON, BibTeX and RIS parse with their own parsers; formatted references keep names intact."""

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import rispy
from bibtexparser.entrypoint import parse_string
from bibtexparser.model import Entry

from catalog.records import Agent, Dataset
from catalog.vocab import CreatorKind
from crosswalks.citation import (
    LOCALES,
    STYLES,
    UnknownLocale,
    UnknownStyle,
    _style,
    bibliography,
    bibtex_key,
    to_bibtex,
    to_csl,
    to_ris,
)
from crosswalks.urls import DatasetUrls
from tests.crosswalks.conftest import Viewed, views

BASE = "https://catalog.example.org"
FIXTURES = Path(__file__).resolve().parent / "fixture_catalog.jsonl"

NAME = {
    "type": "object",
    "properties": {part: {"type": "string"} for part in ("family", "given", "literal")},
    "additionalProperties": False,
    "anyOf": [{"required": ["literal"]}, {"required": ["family", "given"]}],
}
CSL_ITEM = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "required": ["id", "type", "title", "author", "issued", "publisher", "URL"],
    "additionalProperties": False,
    "properties": {
        "id": {"type": ["string", "number"]},
        "type": {"const": "dataset"},
        "title": {"type": "string", "minLength": 1},
        "author": {"type": "array", "minItems": 1, "items": NAME},
        "issued": {
            "type": "object",
            "additionalProperties": False,
            "required": ["date-parts"],
            "properties": {
                "date-parts": {
                    "type": "array",
                    "minItems": 1,
                    "maxItems": 2,
                    "items": {"type": "array", "minItems": 1, "maxItems": 3, "items": {"type": "integer"}},
                }
            },
        },
        **{name: {"type": "string"} for name in ("publisher", "DOI", "URL", "version", "abstract", "keyword")},
        **{name: {"type": "string"} for name in ("note", "language")},
    },
}
"""The CSL-JSON item as this crosswalk writes it, checked against CSL-JSON 1.0's rules for the variables it uses
(written here from the CSL specification: no network, no copy of the upstream schema file)."""

SHINYA = Agent(name="Abe, Shin-ya", name_ja="阿部 慎也", kind=CreatorKind.PERSON, orcid="0000-0002-1825-0097")
SUGITA = Agent(name="Sugita, Seiji", name_ja="杉田 精司", kind=CreatorKind.PERSON)
KANJI_ONLY = Agent(name="杉田 精司", kind=CreatorKind.PERSON)
KANJI_WITH_COMMA = Agent(name="杉田, 精司", kind=CreatorKind.PERSON)


def fixture_views() -> list[Viewed]:
    lines = FIXTURES.read_text(encoding="utf-8").splitlines()
    return views(iter(json.loads(line) for line in lines if line.strip() and not line.startswith("//")))


def urls_of(dataset: Dataset) -> DatasetUrls:
    return DatasetUrls.of(BASE, dataset.id, repository_identifier="catalog.example.org")


@pytest.fixture(scope="module")
def fixtures() -> list[Viewed]:
    return fixture_views()


def by_id(viewed: list[Viewed], dataset_id: str) -> Viewed:
    return next(v for v in viewed if v.record.id == dataset_id)


def with_creators(viewed: Viewed, *creators: Agent) -> Viewed:
    return Viewed(replace(viewed.record, creators=creators), viewed.view)


def csl(viewed: Viewed, language: str = "en") -> dict[str, Any]:
    return to_csl(viewed.record, viewed.view, urls_of(viewed.record), language=language)


def parse_bibtex(text: str) -> Entry:
    library = parse_string(text)
    assert library.failed_blocks == [], text
    assert len(library.entries) == 1, text
    return library.entries[0]


def parse_ris(text: str) -> dict[str, Any]:
    entries = rispy.loads(text)
    assert len(entries) == 1, text
    entry: dict[str, Any] = entries[0]
    return entry


def test_every_dataset_cites_in_every_format(demo_views: list[Viewed], fixtures: list[Viewed]) -> None:
    every = [*fixtures, *demo_views]
    assert len(every) > 100
    for viewed in every:
        dataset, urls = viewed.record, urls_of(viewed.record)
        for language in ("en", "ja"):
            item = csl(viewed, language)
            jsonschema.validate(item, CSL_ITEM)
            assert item["id"] == dataset.id
        entry = parse_bibtex(to_bibtex(dataset, viewed.view, urls))
        assert entry.entry_type == "misc"
        assert entry.key == bibtex_key(dataset)
        assert entry.fields_dict["publisher"].value == "ISAS/JAXA"
        assert entry.fields_dict["note"].value.startswith("Credit: ISAS/JAXA")
        ris = parse_ris(to_ris(dataset, viewed.view, urls))
        assert ris["type_of_reference"] == "DATA"
        assert ris["publisher"] == "ISAS/JAXA"
        assert ris["authors"]
        if dataset.doi:
            assert entry.fields_dict["doi"].value == dataset.doi
            assert ris["doi"] == dataset.doi
            assert item["DOI"] == dataset.doi
            assert item["URL"] == ris["urls"][0] == entry.fields_dict["url"].value == "https://doi.org/" + dataset.doi
        else:
            assert "doi" not in entry.fields_dict
            assert item["URL"] == urls.landing


def test_no_citation_names_a_data_link(demo_views: list[Viewed], fixtures: list[Viewed]) -> None:
    for viewed in [*fixtures, *demo_views]:
        dataset, urls = viewed.record, urls_of(viewed.record)
        texts = [
            json.dumps(csl(viewed, "en")),
            json.dumps(csl(viewed, "ja")),
            to_bibtex(dataset, viewed.view, urls),
            to_ris(dataset, viewed.view, urls),
        ]
        for asset in dataset.assets:
            assert not any(asset.href in text for text in texts), (dataset.id, asset.href)


def test_csl_item(fixtures: list[Viewed]) -> None:
    viewed = by_id(fixtures, "public-full")
    item = csl(viewed)
    assert item["type"] == "dataset"
    assert item["title"] == "Hayabusa2 ONC-T calibrated images of Ryugu"
    assert item["author"] == [{"literal": "Hayabusa2 ONC team"}, {"family": "Sugita", "given": "Seiji"}]
    assert item["issued"] == {"date-parts": [[2020, 8, 1]]}
    assert item["publisher"] == "ISAS/JAXA"
    assert item["version"] == "3.0"
    japanese = csl(viewed, "ja")
    assert japanese["title"] == "はやぶさ2 ONC-T リュウグウ較正画像"
    assert japanese["author"] == [{"literal": "Hayabusa2 ONC team"}, {"literal": "杉田 精司"}]
    assert japanese["note"].startswith("出典：宇宙航空研究開発機構・宇宙科学研究所（ISAS/JAXA）")


def test_bibtex_entry(fixtures: list[Viewed]) -> None:
    viewed = by_id(fixtures, "public-full")
    text = to_bibtex(viewed.record, viewed.view, urls_of(viewed.record))
    assert text.startswith("@misc{public-full,\n")
    entry = parse_bibtex(text)
    assert entry.fields_dict["author"].value == "{Hayabusa2 ONC team} and Sugita, Seiji"
    assert entry.fields_dict["title"].value == "{Hayabusa2 ONC-T calibrated images of Ryugu}"
    assert entry.fields_dict["year"].value == "2020"
    assert entry.fields_dict["howpublished"].value == "Dataset"
    assert "Hayabusa2 ONC team (JAXA, Univ. of Tokyo" in entry.fields_dict["note"].value


def test_bibtex_escapes_latex_and_keeps_utf8(fixtures: list[Viewed]) -> None:
    viewed = by_id(fixtures, "no-doi")
    title = "50% of {X} & y_z #1 ~ ^ \\ $ — 小惑星"
    dataset = replace(viewed.record, id="odd id/β 1", title={"en": title})
    text = to_bibtex(dataset, viewed.view, urls_of(dataset))
    entry = parse_bibtex(text)
    assert entry.key == "odd_id_1"
    assert entry.fields_dict["title"].value == (
        r"{50\% of \{X\} \& y\_z \#1 \textasciitilde{} \textasciicircum{} \textbackslash{} \$ — 小惑星}"
    )
    assert bibtex_key(dataset) == bibtex_key(replace(dataset, version="2")), "the key is stable across versions"


def test_ris_record(fixtures: list[Viewed]) -> None:
    viewed = by_id(fixtures, "public-full")
    text = to_ris(viewed.record, viewed.view, urls_of(viewed.record))
    assert text.startswith("TY  - DATA\n")
    assert text.endswith("ER  - \n")
    entry = parse_ris(text)
    assert entry["title"] == "Hayabusa2 ONC-T calibrated images of Ryugu"
    assert entry["authors"] == ["Hayabusa2 ONC team", "Sugita, Seiji"]
    assert entry["year"] == "2020"
    assert entry["date"] == "2020/08/01"
    assert entry["keywords"] == ["hayabusa2", "ONC-T", "162173 Ryugu", "asteroid", "imaging"]


EXAMPLES = ["public-full", "public-earth", "restricted-incomplete", "discarded", "no-doi"]


@pytest.mark.parametrize("style", list(STYLES))
@pytest.mark.parametrize("locale", LOCALES)
def test_bibliography_gives_title_and_doi(fixtures: list[Viewed], style: str, locale: str) -> None:
    for dataset_id in EXAMPLES:
        viewed = by_id(fixtures, dataset_id)
        for language in ("en", "ja"):
            item = csl(viewed, language)
            text = bibliography(item, style=style, locale=locale)
            assert "\n" not in text
            assert not text.startswith("[1]")
            if viewed.record.doi:
                assert viewed.record.doi in text, (style, locale, text)
            else:
                assert item["URL"] in text or style == "ieee", (style, locale, text)
            if style != "apj":
                assert item["title"] in text, (style, locale, text)


def test_apj_gives_no_title_for_datasets(fixtures: list[Viewed]) -> None:
    """The AAS style in the CSL repository prints titles only for books, reports and theses: its references to
    data are author, year, publisher and URL. The DOI URL is the URL, so the DOI is still there."""
    viewed = by_id(fixtures, "public-full")
    text = bibliography(csl(viewed), style="apj")
    assert text == ("Hayabusa2 ONC team, & Sugita, S. 2020 (ISAS/JAXA), https://doi.org/10.17597/isas.darts/hyb2-00200")


def test_hyphenated_given_names_are_not_mangled(fixtures: list[Viewed]) -> None:
    viewed = with_creators(by_id(fixtures, "public-full"), SHINYA)
    item = csl(viewed)
    assert item["author"] == [{"family": "Abe", "given": "Shin-ya"}]
    expected = {"apa": "Abe, S.-y.", "agu": "Abe, S.-y.", "apj": "Abe, S.-y.", "ieee": "S.-y. Abe"}
    for style, name in expected.items():
        for locale in LOCALES:
            text = bibliography(item, style=style, locale=locale)
            assert name in text, (style, text)
            for mangled in ("S. -ya", ". ya", "S.-."):
                assert mangled not in text, (style, text)
    two = with_creators(viewed, SHINYA, Agent(name="Dupont, Jean-Luc", kind=CreatorKind.PERSON))
    assert "Dupont, J.-L." in bibliography(csl(two), style="apa")
    assert to_bibtex(viewed.record, viewed.view, urls_of(viewed.record)).count("Abe, Shin-ya") == 1
    assert parse_ris(to_ris(viewed.record, viewed.view, urls_of(viewed.record)))["authors"] == ["Abe, Shin-ya"]


@pytest.mark.parametrize("style", list(STYLES))
def test_japanese_names_are_not_split_reordered_or_initialised(fixtures: list[Viewed], style: str) -> None:
    base = by_id(fixtures, "public-full")
    japanese = csl(with_creators(base, SUGITA, SHINYA), "ja")
    assert japanese["author"] == [{"literal": "杉田 精司"}, {"literal": "阿部 慎也"}]
    for locale in LOCALES:
        text = bibliography(japanese, style=style, locale=locale)
        for whole in ("杉田 精司", "阿部 慎也"):
            assert whole in text, text
        for mangled in ("杉田,", "精司 杉田", "精.", "杉."):
            assert mangled not in text, text
    for agent in (KANJI_ONLY, KANJI_WITH_COMMA):
        viewed = with_creators(base, agent)
        item = csl(viewed)
        assert item["author"] == [{"literal": "杉田 精司"}]
        assert "杉田 精司" in bibliography(item, style=style)
        bibtex = parse_bibtex(to_bibtex(viewed.record, viewed.view, urls_of(viewed.record)))
        assert bibtex.fields_dict["author"].value == "{杉田 精司}"
        assert parse_ris(to_ris(viewed.record, viewed.view, urls_of(viewed.record)))["authors"] == ["杉田 精司"]


def test_unknown_style_or_locale_says_what_is_accepted(fixtures: list[Viewed]) -> None:
    item = csl(by_id(fixtures, "public-full"))
    with pytest.raises(UnknownStyle, match=r"unknown citation style 'chicago': use one of apa, agu, apj, ieee"):
        bibliography(item, style="chicago")
    with pytest.raises(UnknownLocale, match=r"unknown citation locale 'fr-FR': use one of en-US, en-GB, ja-JP"):
        bibliography(item, locale="fr-FR")
    with pytest.raises(ValueError, match="unknown citation style"):
        bibliography(item, style="../apa")


def test_styles_are_parsed_once() -> None:
    assert _style(STYLES["apa"], "en-US") is _style(STYLES["apa"], "en-US")
    assert _style(STYLES["apa"], "en-US") is not _style(STYLES["apa"], "ja-JP")


def test_ja_locale_uses_japanese_terms(fixtures: list[Viewed]) -> None:
    item = csl(by_id(fixtures, "public-full"), "ja")
    assert "2020年" in bibliography(item, style="apa", locale="ja-JP")
    assert "(2020)" in bibliography(item, style="apa", locale="en-US")
