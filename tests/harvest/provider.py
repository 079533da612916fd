"""A scripted OAI-PMH provider on a real port of 127.0.0.1, and the OAI-PMH 2.0 documents it serves.

A `Provider` answers each request to its endpoint with the next step of its script (a fixed `Reply`, or a function
of the request's arguments that returns one) and records every request's arguments in order, so that a test can
say both what the harvester is told and what it asked. A request the script does not expect, a step left unused,
or a step function that fails is raised when the provider closes: a test never passes on a script it did not
follow. The builders make the documents: Identify, ListRecords pages, every error code, with metadata rendered by
our own crosswalks from the demo archive, and validated against the driver XSD where they are meant to be valid.
"""

import functools
import gzip
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Self
from urllib.parse import parse_qsl, urlsplit

from lxml import etree
from lxml.builder import ElementMaker

from catalog.demo import demo_records
from catalog.policy import Timeline, dataset_timeline
from catalog.records import Dataset
from catalog.timeutil import format_time
from catalog.view import resolve_related, view_of
from catalog.vocab import Granularity, Visibility
from crosswalks.formats import FORMATS
from crosswalks.renditions import serialize
from tests.conftest import NOW, shared_path

OAI = "http://www.openarchives.org/OAI/2.0/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
OAI_SCHEMA_LOCATION = f"{OAI} http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
BASE_URL = "http://provider.example.org/oai"
"""What the canned documents name as the provider's base URL (the real one is the port's: `Provider.url`)."""
REPOSITORY = "provider.example.org"
DAY = Granularity.DAY
SECONDS = Granularity.SECOND
ERROR_CODES = (
    "badArgument",
    "badResumptionToken",
    "badVerb",
    "cannotDisseminateFormat",
    "idDoesNotExist",
    "noMetadataFormats",
    "noRecordsMatch",
    "noSetHierarchy",
)
"""Every OAI-PMH 2.0 error code (spec 3.6)."""
ENDPOINT = "/oai"

_E = ElementMaker(namespace=OAI, nsmap={None: OAI, "xsi": XSI})


@dataclass(frozen=True, slots=True)
class Reply:
    """One HTTP answer: status, headers and body as given, after `delay` seconds (for timeouts)."""

    body: bytes = b""
    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)
    delay: float = 0.0
    cut: int | None = None
    """Send only this many bytes of the body (its whole length announced), then drop the connection."""


Step = Reply | bytes | Callable[[dict[str, str]], Reply | bytes]
"""A step of a script: a reply, a 200 with this XML body, or a function of the request's arguments giving either."""


class Provider:
    """A scripted OAI-PMH endpoint at `url` (`http://127.0.0.1:{port}/oai`), in a daemon thread while open.

    `requests` holds the arguments of every request to the endpoint, in order; `hits` the path of every request
    to the server, the endpoint's and any other's (which get a 404 and consume no step).
    """

    def __init__(self, script: Iterable[Step] = ()) -> None:
        self.script: list[Step] = list(script)
        self.requests: list[dict[str, str]] = []
        self.hits: list[str] = []
        self.errors: list[BaseException] = []
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def base(self) -> str:
        """`http://127.0.0.1:{port}`: where the server listens."""
        if self._server is None:
            raise RuntimeError("the provider is not open")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def url(self) -> str:
        """The OAI-PMH base URL the harvester is given."""
        return self.base + ENDPOINT

    @property
    def pending(self) -> int:
        """Steps of the script not used yet."""
        with self._lock:
            return len(self.script) - len(self.requests)

    def add(self, *steps: Step) -> None:
        """Append steps to the script."""
        with self._lock:
            self.script.extend(steps)

    def verbs(self) -> list[str]:
        """The verb of each request, in order."""
        return [args.get("verb", "") for args in self.requests]

    def __enter__(self) -> Self:
        provider = self

        class Handler(_Handler):
            pass

        Handler.provider = provider
        self._server = _Server(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, name="oai-provider", daemon=True
        )
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close(check_unused=error is None)

    def close(self, *, check_unused: bool = True) -> None:
        """Stop serving; raise what went wrong with the script (a failed step, a request beyond it), and, when
        `check_unused`, steps left unused."""
        self._closing.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self.errors:
            raise self.errors[0]
        if check_unused and self.pending > 0:
            raise AssertionError(
                f"the provider's script has {self.pending} step(s) left unused after {len(self.requests)} "
                f"request(s): {self.requests}"
            )

    def _next(self, args: dict[str, str]) -> Reply:
        with self._lock:
            index = len(self.requests)
            self.requests.append(args)
            step = self.script[index] if index < len(self.script) else None
        if step is None:
            failure = AssertionError(f"request {index + 1} ({args}) is beyond the provider's script of {index} step(s)")
            self.errors.append(failure)
            return Reply(b"script exhausted", status=500)
        try:
            answer = step(args) if callable(step) else step
        except BaseException as failure:  # reported when the provider closes
            self.errors.append(failure)
            return Reply(f"the script's step {index + 1} failed: {failure!r}".encode(), status=500)
        return answer if isinstance(answer, Reply) else Reply(answer)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that hangs up (a harvester refusing a response, or timing out) is no error of the script's."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 10
    provider: Provider

    def do_GET(self) -> None:
        self._answer(urlsplit(self.path).query)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self._answer(self.rfile.read(length).decode())

    def _answer(self, query: str) -> None:
        path = urlsplit(self.path).path
        self.provider.hits.append(path)
        if path != ENDPOINT:
            reply = Reply(b"not here", status=404)
        else:
            reply = self.provider._next(dict(parse_qsl(query, keep_blank_values=True)))
        if reply.delay and self.provider._closing.wait(reply.delay):
            return
        try:
            self.send_response(reply.status)
            headers = {"Content-Type": "text/xml; charset=utf-8", **reply.headers}
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            if reply.cut is None:
                self.wfile.write(reply.body)
            else:
                self.wfile.write(reply.body[: reply.cut])
                self.wfile.flush()
                self.close_connection = True
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output quiet."""


def gzipped(body: bytes, status: int = 200) -> Reply:
    """A reply with the body sent gzip-encoded (`Content-Encoding: gzip`)."""
    return Reply(gzip.compress(body), status=status, headers={"Content-Encoding": "gzip"})


@functools.cache
def driver() -> etree.XMLSchema:
    """The driver XSD: a whole OAI-PMH response, payloads included."""
    return etree.XMLSchema(etree.parse(str(shared_path("schemas", "oai-pmh-driver.xsd"))))


def assert_valid(body: bytes) -> None:
    """Fail unless `body` is a valid OAI-PMH 2.0 response (the driver XSD)."""
    schema = driver()
    if not schema.validate(etree.fromstring(body)):
        raise AssertionError(f"not a valid OAI-PMH response: {schema.error_log}\n{body.decode()[:2000]}")


def envelope(
    request: Mapping[str, str],
    content: etree._Element,
    *,
    response_date: datetime,
    base_url: str = BASE_URL,
    validate: bool = True,
) -> bytes:
    """An OAI-PMH response: `responseDate`, the `request` (its arguments as attributes), then `content`."""
    root = _E("OAI-PMH", {f"{{{XSI}}}schemaLocation": OAI_SCHEMA_LOCATION})
    root.append(_E.responseDate(format_time(response_date)))
    root.append(_E.request(base_url, dict(request)))
    root.append(content)
    body = etree.tostring(root, encoding="UTF-8", xml_declaration=True)
    if validate:
        assert_valid(body)
    return body


def identify(*, response_date: datetime, granularity: str = SECONDS, earliest: datetime | None = None) -> bytes:
    """An Identify response in the given datestamp granularity."""
    first = earliest or datetime(2000, 1, 1, tzinfo=response_date.tzinfo)
    content = _E.Identify(
        _E.repositoryName("A scripted provider"),
        _E.baseURL(BASE_URL),
        _E.protocolVersion("2.0"),
        _E.adminEmail("oai@provider.example.org"),
        _E.earliestDatestamp(first.date().isoformat() if granularity == DAY else format_time(first)),
        _E.deletedRecord("persistent"),
        _E.granularity(granularity),
    )
    return envelope({"verb": "Identify"}, content, response_date=response_date)


@dataclass(frozen=True, slots=True)
class Item:
    """A record of a ListRecords page: its header, and its metadata (a format's root element, as bytes) unless
    deleted."""

    identifier: str
    datestamp: datetime
    metadata: bytes | None = None
    deleted: bool = False
    sets: tuple[str, ...] = ()


def oai_identifier(local: str) -> str:
    """The provider's OAI identifier of a local id."""
    return f"oai:{REPOSITORY}:{local}"


def record_element(item: Item) -> etree._Element:
    header = _E.header(
        _E.identifier(item.identifier),
        _E.datestamp(format_time(item.datestamp)),
        *(_E.setSpec(spec) for spec in item.sets),
        **({"status": "deleted"} if item.deleted else {}),
    )
    record = _E.record(header)
    if item.metadata is not None and not item.deleted:
        record.append(_E.metadata(etree.fromstring(item.metadata)))
    return record


def list_records(
    items: Sequence[Item],
    *,
    request: Mapping[str, str],
    response_date: datetime,
    token: str | None = None,
    complete_list_size: int | None = None,
    cursor: int | None = None,
    validate: bool = True,
) -> bytes:
    """A ListRecords page. `token` is the next page's resumption token; "" gives the empty token that ends a list
    of several pages; None leaves the `resumptionToken` element out (a list of one page)."""
    content = _E.ListRecords(*(record_element(item) for item in items))
    if token is not None:
        attributes = {}
        if complete_list_size is not None:
            attributes["completeListSize"] = str(complete_list_size)
        if cursor is not None:
            attributes["cursor"] = str(cursor)
        content.append(_E.resumptionToken(token, attributes))
    return envelope(request, content, response_date=response_date, validate=validate)


def error(code: str, message: str = "", *, request: Mapping[str, str], response_date: datetime) -> bytes:
    """An OAI-PMH error response. For badVerb and badArgument the `request` element carries no attributes (spec
    3.2)."""
    shown = {} if code in ("badVerb", "badArgument") else request
    return envelope(shown, _E.error(message, code=code), response_date=response_date)


@dataclass(frozen=True, slots=True)
class Payload:
    """A demo dataset rendered in a format by our own crosswalk: realistic input for the inverse crosswalk."""

    dataset: Dataset
    visibility: Visibility
    metadata: bytes

    def item(self, datestamp: datetime, *, local: str | None = None) -> Item:
        """The payload as a record of a page, identified by its dataset's id (or `local`)."""
        return Item(oai_identifier(local or self.dataset.id), datestamp, self.metadata)


@functools.cache
def payloads(prefix: str) -> tuple[Payload, ...]:
    """The demo archive's datasets the public may see at `NOW`, rendered in `prefix` (those it can describe)."""
    fmt = FORMATS[prefix]
    datasets = [Dataset.from_dict(r) for r in demo_records(granules=0, today=NOW.date()) if r["type"] == "dataset"]
    known: dict[str, tuple[Dataset, Timeline]] = {d.id: (d, dataset_timeline(d)) for d in datasets}
    made = []
    for dataset, timeline in known.values():
        if not fmt.can_disseminate(dataset):
            continue
        related = resolve_related(dataset, known, NOW, lambda dataset_id: f"https://{REPOSITORY}/{dataset_id}")
        view = view_of(dataset, timeline, NOW - timedelta(days=3), NOW, related)
        if view is None or not view.visibility.shows_metadata:
            continue
        made.append(Payload(dataset, view.visibility, serialize(fmt.render(dataset, view, "JAXA.ISAS"))))
    return tuple(made)


def public_payloads(prefix: str) -> tuple[Payload, ...]:
    """The payloads of datasets the public may use at `NOW`."""
    return tuple(p for p in payloads(prefix) if p.visibility is Visibility.PUBLIC)


def oai_root(inner: bytes, *, response_date: datetime = NOW) -> bytes:
    """An OAI-PMH root around `inner`, written by hand (for documents the builders would not make)."""
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>\n<OAI-PMH xmlns="' + OAI.encode() + b'">\n'
        b"  <responseDate>" + format_time(response_date).encode() + b"</responseDate>\n" + inner + b"\n</OAI-PMH>\n"
    )


def billion_laughs() -> bytes:
    """The classic: ten levels of ten references each, a billion "lol"s once expanded, in under a kilobyte."""
    entities = [b'  <!ENTITY lol0 "lol">']
    entities += [b'  <!ENTITY lol%d "%s">' % (i, b"&lol%d;" % (i - 1) * 10) for i in range(1, 10)]
    return (
        b'<?xml version="1.0"?>\n<!DOCTYPE OAI-PMH [\n' + b"\n".join(entities) + b"\n]>\n"
        b'<OAI-PMH xmlns="' + OAI.encode() + b'"><responseDate>&lol9;</responseDate></OAI-PMH>\n'
    )


def external_entity(system_id: str) -> bytes:
    """An XXE payload: a general entity whose replacement text is the resource at `system_id`, used in the body."""
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE OAI-PMH [<!ENTITY xxe SYSTEM "{system_id}">]>\n'
        f'<OAI-PMH xmlns="{OAI}"><responseDate>2026-11-21T12:00:00Z</responseDate>'
        f'<request verb="ListRecords">{BASE_URL}</request><error code="badArgument">&xxe;</error></OAI-PMH>\n'
    ).encode()


def truncated(body: bytes) -> bytes:
    """A document cut short, as a dropped connection leaves it: its first two thirds."""
    return body[: len(body) * 2 // 3]
