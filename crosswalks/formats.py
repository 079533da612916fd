"""The metadata formats the archive publishes: one registry feeds OAI-PMH's ListMetadataFormats, dispatch and tests."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from lxml import etree

from catalog.records import Dataset
from catalog.view import View
from crosswalks import datacite, dublin_core, oai_datacite

Render = Callable[[Dataset, View, str], etree._Element]
"""Render a dataset's view; the string is the DataCite data centre symbol (used by `oai_datacite`)."""


@dataclass(frozen=True, slots=True)
class Format:
    """A metadata format: its OAI-PMH prefix, XML namespace and schema, how to render it, whether it needs a DOI."""

    prefix: str
    namespace: str
    schema: str
    render: Render
    needs_doi: bool

    def can_disseminate(self, dataset: Dataset) -> bool:
        """Whether this format can describe the dataset: DataCite records need a DOI."""
        return not self.needs_doi or dataset.doi is not None


FORMATS: Mapping[str, Format] = MappingProxyType(
    {
        f.prefix: f
        for f in (
            Format(
                "oai_dc",
                dublin_core.OAI_DC,
                dublin_core.OAI_DC_SCHEMA,
                lambda record, view, _symbol: dublin_core.to_oai_dc(record, view),
                needs_doi=False,
            ),
            Format(
                "oai_datacite",
                oai_datacite.NS,
                oai_datacite.SCHEMA,
                lambda record, view, symbol: oai_datacite.to_oai_datacite(record, view, datacentre_symbol=symbol),
                needs_doi=True,
            ),
            Format(
                "datacite",
                datacite.NS,
                datacite.SCHEMA,
                lambda record, view, _symbol: datacite.to_datacite(record, view),
                needs_doi=True,
            ),
        )
    }
)
