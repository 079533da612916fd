"""A dataset's OAI-PMH `record` (its `header`, and its `metadata` unless deleted) as the bytes a response embeds.

The bytes are a fragment for the inside of an OAI-PMH response: its element names carry no prefix and no namespace
declaration, so they take the default namespace of the response's root (OAI-PMH's). The one writer serves both the
records rendered ahead (`crosswalks.renditions`) and those rendered live, so that both are the same byte for byte.
"""

import io
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from lxml import etree
from lxml.builder import ElementMaker

from catalog.records import Provenance
from catalog.timeutil import format_time
from crosswalks.datacite import XSI

PROVENANCE = "http://www.openarchives.org/OAI/2.0/provenance"
PROVENANCE_SCHEMA_LOCATION = f"{PROVENANCE} http://www.openarchives.org/OAI/2.0/provenance.xsd"
_PROVENANCE = ElementMaker(namespace=PROVENANCE, nsmap={None: PROVENANCE, "xsi": XSI})


@dataclass(frozen=True)
class Header:
    """What the `header` of an item tells (spec 2.5): its identifier, datestamp, sets, and whether it is deleted."""

    identifier: str
    datestamp: datetime
    set_specs: tuple[str, ...] = ()
    deleted: bool = False


def record_fragment(header: Header, metadata: bytes | None, about: bytes | None = None) -> bytes:
    """Write a `record`: the header, then the metadata (a format's root element serialised on its own) and the
    `about` container (likewise) unless the record is deleted (spec 2.5)."""
    buffer = io.BytesIO()
    with etree.xmlfile(buffer, encoding="UTF-8") as xf, xf.element("record"):
        write_header(xf, header)
        if metadata is not None and not header.deleted:
            with xf.element("metadata"):
                xf.flush()
                buffer.write(metadata)
            if about is not None:
                with xf.element("about"):
                    xf.flush()
                    buffer.write(about)
    return buffer.getvalue()


def origin_url(origin: Provenance) -> str:
    """The harvested record at its provider: GetRecord in `oai_dc`, the one format every provider must offer."""
    query = urlencode({"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": origin.identifier})
    return f"{origin.base_url}?{query}"


def provenance(origin: Provenance) -> etree._Element:
    """Return the `provenance` container for the `about` of a harvested record served again (OAI-PMH provenance
    guidelines): where it was harvested from, its identifier and datestamp there, the format it came in, when it
    was harvested. `altered` is true: the record was crosswalked into the catalog and out again."""
    return _PROVENANCE.provenance(
        {f"{{{XSI}}}schemaLocation": PROVENANCE_SCHEMA_LOCATION},
        _PROVENANCE.originDescription(
            _PROVENANCE.baseURL(origin.base_url),
            _PROVENANCE.identifier(origin.identifier),
            _PROVENANCE.datestamp(format_time(origin.datestamp)),
            _PROVENANCE.metadataNamespace(origin.metadata_namespace),
            harvestDate=format_time(origin.harvested),
            altered="true",
        ),
    )


def header_fragment(header: Header) -> bytes:
    """Write a `header` on its own (ListIdentifiers)."""
    buffer = io.BytesIO()
    with etree.xmlfile(buffer, encoding="UTF-8") as xf:
        write_header(xf, header)
    return buffer.getvalue()


def write_header(xf: Any, header: Header) -> None:
    """Write a `header` into an `lxml.etree.xmlfile`; a deleted one carries `status="deleted"` (spec 2.5.1)."""
    if header.datestamp.tzinfo is None:
        raise ValueError(f"datestamp {header.datestamp!r} has no time zone")
    with xf.element("header", {"status": "deleted"} if header.deleted else {}):
        with xf.element("identifier"):
            xf.write(header.identifier)
        with xf.element("datestamp"):
            xf.write(format_time(header.datestamp))
        for spec in header.set_specs:
            with xf.element("setSpec"):
                xf.write(spec)
