"""A dataset's OAI-PMH `record` (its `header`, and its `metadata` unless deleted) as the bytes a response embeds.

The bytes are a fragment for the inside of an OAI-PMH response: its element names carry no prefix and no namespace
declaration, so they take the default namespace of the response's root (OAI-PMH's). The one writer serves both the
records rendered ahead (`crosswalks.renditions`) and those rendered live, so that both are the same byte for byte.
"""

import io
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lxml import etree

from catalog.timeutil import format_time


@dataclass(frozen=True)
class Header:
    """What the `header` of an item tells (spec 2.5): its identifier, datestamp, sets, and whether it is deleted."""

    identifier: str
    datestamp: datetime
    set_specs: tuple[str, ...] = ()
    deleted: bool = False


def record_fragment(header: Header, metadata: bytes | None) -> bytes:
    """Write a `record`: the header, then the metadata (a format's root element serialised on its own) unless the
    record is deleted (spec 2.5)."""
    buffer = io.BytesIO()
    with etree.xmlfile(buffer, encoding="UTF-8") as xf, xf.element("record"):
        write_header(xf, header)
        if metadata is not None and not header.deleted:
            with xf.element("metadata"):
                xf.flush()
                buffer.write(metadata)
    return buffer.getvalue()


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
