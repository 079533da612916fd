"""OAI-PMH 2.0 responses as XML: element builders for every verb and a streaming writer over `lxml.etree.xmlfile`."""

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime

from lxml import etree
from lxml.builder import ElementMaker

from catalog.vocab import Granularity
from crosswalks.dublin_core import DC, NSMAP, OAI_DC, OAI_DC_SCHEMA, XML_LANG
from crosswalks.oai_record import Header
from server.oai.protocol import VERBS, OAIError, format_datestamp

OAI = "http://www.openarchives.org/OAI/2.0/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = f"{OAI} http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
OAI_IDENTIFIER = "http://www.openarchives.org/OAI/2.0/oai-identifier"
OAI_IDENTIFIER_SCHEMA_LOCATION = f"{OAI_IDENTIFIER} http://www.openarchives.org/OAI/2.0/oai-identifier.xsd"
SCHEMA_LOCATION_ATTRIBUTE = f"{{{XSI}}}schemaLocation"

E = ElementMaker(namespace=OAI, nsmap={None: OAI})
_IDENTIFIER = ElementMaker(namespace=OAI_IDENTIFIER, nsmap={None: OAI_IDENTIFIER, "xsi": XSI})
_OAI_DC = ElementMaker(namespace=OAI_DC, nsmap=dict(NSMAP))
_DC = ElementMaker(namespace=DC, nsmap=dict(NSMAP))


Item = etree._Element | bytes
"""What a verb's body yields: elements, and fragments already serialised (`crosswalks.oai_record`: the records and
headers of the lists, their hot path), written as they are."""


def header(h: Header) -> etree._Element:
    """Return the `header` of an item; a deleted one carries `status="deleted"` (spec 2.5.1)."""
    element = E.header(
        E.identifier(h.identifier),
        E.datestamp(format_datestamp(h.datestamp)),
        *(E.setSpec(spec) for spec in h.set_specs),
    )
    if h.deleted:
        element.set("status", "deleted")
    return element


def record(h: Header, metadata: etree._Element | None, about: Sequence[etree._Element] = ()) -> etree._Element:
    """Return a `record`: header, metadata unless deleted, and `about` containers (spec 2.5).

    A deleted record has no `metadata`, whatever is passed; `metadata` and the `about` payloads move into the new
    element (lxml keeps an element in one tree only).
    """
    if h.deleted:
        return E.record(header(h))
    if metadata is None:
        raise ValueError(f"record {h.identifier!r} is not deleted, so it needs metadata")
    return E.record(header(h), E.metadata(metadata), *(E.about(payload) for payload in about))


def resumption_token(
    token: str, *, cursor: int, complete_list_size: int, expiration: datetime | None
) -> etree._Element:
    """Return a `resumptionToken`; an empty `token` ends a list that came in several responses (spec 3.5).

    The schema types `completeListSize` as a positive integer: a list that needs a token is never empty.
    """
    if complete_list_size < 1:
        raise ValueError(f"completeListSize must be positive, not {complete_list_size}")
    if cursor < 0:
        raise ValueError(f"cursor must not be negative, not {cursor}")
    element = E.resumptionToken(token, cursor=str(cursor), completeListSize=str(complete_list_size))
    if expiration is not None:
        element.set("expirationDate", format_datestamp(expiration))
    return element


def identify(
    *,
    repository_name: str,
    base_url: str,
    protocol_version: str = "2.0",
    admin_emails: Sequence[str],
    earliest_datestamp: datetime,
    deleted_record: str = "persistent",
    granularity: str = Granularity.SECOND,
    compressions: Sequence[str] = ("gzip",),
    repository_identifier: str,
    sample_identifier: str,
) -> etree._Element:
    """Return the `Identify` answer with an `oai-identifier` description (spec 4.2, guidelines-oai-identifier).

    The element is itself the body to stream: iterating it yields its children, which `stream_response` writes into
    the `Identify` it opens (`body=identify(...)`, not `body=[identify(...)]`). `earliestDatestamp` follows
    `granularity`.
    """
    if not admin_emails:
        raise ValueError("Identify needs at least one adminEmail")
    earliest = (
        earliest_datestamp.strftime("%Y-%m-%d")
        if granularity == Granularity.DAY
        else format_datestamp(earliest_datestamp)
    )
    return E.Identify(
        E.repositoryName(repository_name),
        E.baseURL(base_url),
        E.protocolVersion(protocol_version),
        *(E.adminEmail(email) for email in admin_emails),
        E.earliestDatestamp(earliest),
        E.deletedRecord(deleted_record),
        E.granularity(granularity),
        *(E.compression(compression) for compression in compressions),
        E.description(
            _IDENTIFIER(
                "oai-identifier",
                {SCHEMA_LOCATION_ATTRIBUTE: OAI_IDENTIFIER_SCHEMA_LOCATION},
                _IDENTIFIER.scheme("oai"),
                _IDENTIFIER.repositoryIdentifier(repository_identifier),
                _IDENTIFIER.delimiter(":"),
                _IDENTIFIER.sampleIdentifier(sample_identifier),
            )
        ),
    )


def metadata_format(prefix: str, schema: str, namespace: str) -> etree._Element:
    """Return one `metadataFormat` of ListMetadataFormats (spec 4.4)."""
    return E.metadataFormat(E.metadataPrefix(prefix), E.schema(schema), E.metadataNamespace(namespace))


def set_element(spec: str, name: str, descriptions: Mapping[str, str]) -> etree._Element:
    """Return one `set` of ListSets (spec 4.6); its descriptions, by language, go in one `oai_dc:dc`."""
    element = E.set(E.setSpec(spec), E.setName(name))
    if descriptions:
        dc = _OAI_DC.dc(
            {SCHEMA_LOCATION_ATTRIBUTE: f"{OAI_DC} {OAI_DC_SCHEMA}"},
            *(_DC.description(text, {XML_LANG: language}) for language, text in descriptions.items()),
        )
        element.append(E.setDescription(dc))
    return element


class _Chunks:
    """A write-only sink for `xmlfile` that hands out what it holds, so that nothing accumulates."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self.size = 0

    def write(self, data: bytes, /) -> int:
        self._parts.append(data)
        self.size += len(data)
        return len(data)

    def take(self) -> bytes:
        chunk = b"".join(self._parts)
        self._parts.clear()
        self.size = 0
        return chunk


def stream_response(
    *,
    response_date: datetime,
    base_url: str,
    request_attributes: Mapping[str, str],
    verb: str | None,
    body: Iterable[Item],
    error: OAIError | None = None,
    chunk_bytes: int = 64 * 1024,
) -> Iterator[bytes]:
    """Return the bytes of a whole OAI-PMH response, written as `body` produces its elements (spec 3.2).

    With `error`, the response holds `<error>` and `body` is not touched; otherwise `<{verb}>` wraps the items of
    `body` (elements, and fragments already serialised), each written and dropped before the next is asked for.
    Bytes go out whenever more than `chunk_bytes` wait, and at the end.

    Check eagerly: once the first chunk is out, the HTTP status and the start of the document are sent, so an
    exception raised by `body` (an `OAIError` included) can only cut the response short. A handler must raise
    every protocol error, and run every query that can fail for a reason of the request, before it returns `body`;
    and `body` must not rely on request-scoped state (`flask.g`, a request's connection), which is torn down
    before the response streams.
    """
    if error is None and verb not in VERBS:
        raise ValueError(f"a response without an error needs an OAI-PMH verb, not {verb!r}")
    if chunk_bytes < 1:
        raise ValueError(f"chunk_bytes must be positive, not {chunk_bytes}")
    return _stream(
        response_date=response_date,
        base_url=base_url,
        request_attributes=dict(request_attributes),
        verb=verb,
        body=body,
        error=error,
        chunk_bytes=chunk_bytes,
    )


def _stream(
    *,
    response_date: datetime,
    base_url: str,
    request_attributes: Mapping[str, str],
    verb: str | None,
    body: Iterable[Item],
    error: OAIError | None,
    chunk_bytes: int,
) -> Iterator[bytes]:
    sink = _Chunks()
    elements = iter(body) if error is None else iter(())
    try:
        with etree.xmlfile(sink, encoding="UTF-8") as xf:
            xf.write_declaration()
            with xf.element(
                f"{{{OAI}}}OAI-PMH", {SCHEMA_LOCATION_ATTRIBUTE: SCHEMA_LOCATION}, nsmap={None: OAI, "xsi": XSI}
            ):
                xf.write(E.responseDate(format_datestamp(response_date)))
                xf.write(E.request(base_url, dict(request_attributes)))
                if error is not None:
                    xf.write(E.error(error.message, code=error.code))
                else:
                    with xf.element(f"{{{OAI}}}{verb}"):
                        for item in elements:
                            if isinstance(item, bytes):
                                xf.flush()
                                sink.write(item)
                            else:
                                xf.write(item)
                            if sink.size > chunk_bytes:
                                yield sink.take()
        yield sink.take()
    finally:
        close = getattr(elements, "close", None)
        if close is not None:
            close()
