"""Talking to an OAI-PMH provider: sickle makes the requests; patience (timeouts, retries with exponential backoff,
`Retry-After` on 503 and 429) and a parser that refuses hostile XML are ours.

Sickle's own response parser runs lxml with `recover=True`, which quietly turns a truncated page into a shorter
one, and its iterators hide the page boundary the harvester checkpoints on. So the harvester asks sickle for one
response at a time and reads its bytes itself (`parse`, `read_page`).
"""

import email.utils
import math
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

import requests
from lxml import etree
from sickle import Sickle

from catalog.timeutil import parse_time

OAI = "http://www.openarchives.org/OAI/2.0/"
USER_AGENT = "isas-catalog-harvester/0.1 (+https://darts.isas.jaxa.jp/)"


class HarvestError(Exception):
    """A source's run cannot go on; the message says what happened and where."""


class UnsafeDocumentError(HarvestError):
    """A response the harvester refuses to read: too large, too deep, a DTD, malformed or truncated XML."""


class ProviderError(HarvestError):
    """The provider answered with an OAI-PMH error (other than noRecordsMatch, which is an empty list)."""

    def __init__(self, code: str, message: str, request: Mapping[str, str]) -> None:
        self.code = code
        super().__init__(f"the provider answered {code}: {message or '(no message)'} (request: {_asked(request)})")


class TokenExpiredError(ProviderError):
    """`badResumptionToken`: the saved token is no longer valid; the harvester falls back to its checkpoint date."""


@dataclass(frozen=True, slots=True)
class Limits:
    """How patient and how wary the harvester is with a provider."""

    timeout: float = 60.0
    """Seconds to wait for a connection or for the next bytes of a response."""
    retries: int = 5
    """Further attempts after a timeout, a lost connection, a 5xx or a 429."""
    backoff: float = 2.0
    """Seconds before the first retry without `Retry-After`; doubled for each further one."""
    max_wait: float = 600.0
    """The longest single wait: the backoff stops growing there, and a provider asking for more (`Retry-After`)
    stops the run instead."""
    max_bytes: int = 64 * 1024 * 1024
    """The largest response read (after decompression): a larger one is refused."""
    max_depth: int = 64
    """The deepest element nesting accepted (OAI-PMH with DataCite needs about 12)."""


DEFAULT_LIMITS = Limits()
RETRIED = frozenset({429, 500, 502, 503, 504})


class _Sickle(Sickle):  # type: ignore[misc]
    """Sickle with a session, a streamed body read no further than `max_bytes`, and no retries of its own."""

    def __init__(self, url: str, limits: Limits) -> None:
        super().__init__(url, max_retries=0, timeout=limits.timeout)
        self.limits = limits
        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT

    def _request(self, kwargs: Mapping[str, str]) -> requests.Response:
        response = self.session.get(self.endpoint, params=kwargs, timeout=self.limits.timeout, stream=True)
        try:
            body = bytearray()
            for chunk in response.iter_content(chunk_size=64 * 1024):
                body += chunk
                if len(body) > self.limits.max_bytes:
                    raise UnsafeDocumentError(
                        f"the response to {_asked(kwargs)} is larger than {self.limits.max_bytes} bytes: refused"
                    )
            response._content = bytes(body)
        finally:
            response.close()
        return response


def _asked(params: Mapping[str, str]) -> str:
    return ", ".join(f"{k}={v}" for k, v in params.items())


def retry_after(value: str | None, now: datetime) -> float | None:
    """Read a `Retry-After` header: seconds, or an HTTP date (RFC 9110 10.2.3); None when absent or unreadable."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


class Client:
    """One provider's OAI-PMH endpoint: `request` returns the checked root element of a response."""

    def __init__(
        self,
        url: str,
        limits: Limits = DEFAULT_LIMITS,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.url = url
        self.limits = limits
        self.sleep = sleep
        self.clock = clock
        self.sickle = _Sickle(url, limits)

    def request(self, **params: str) -> etree._Element:
        """Send one request, retrying what may pass; raise `HarvestError` when it does not."""
        attempt = 0
        while True:
            attempt += 1
            try:
                body = self._fetch(params)
            except _RetryError as retry:
                if attempt > self.limits.retries:
                    raise HarvestError(
                        f"{self.url}: gave up after {attempt} attempt(s) at {_asked(params)}: {retry}"
                    ) from None
                if retry.after is None:
                    self.sleep(min(self.limits.backoff * 2 ** (attempt - 1), self.limits.max_wait))
                    continue
                delay = retry.after
                if delay > self.limits.max_wait:
                    raise HarvestError(
                        f"{self.url}: the provider asks to retry after {math.ceil(delay)} s, more than the "
                        f"{math.ceil(self.limits.max_wait)} s this harvester waits: run it again later"
                    ) from None
                self.sleep(delay)
                continue
            return parse(body, where=f"{self.url} ({_asked(params)})", limits=self.limits)

    def _fetch(self, params: Mapping[str, str]) -> bytes:
        """One try: the body; `_RetryError` for what may pass (with `Retry-After`), `HarvestError` else."""
        try:
            response = self.sickle.harvest(**params)
        except requests.HTTPError as error:
            status = error.response.status_code if error.response is not None else 0
            if status in RETRIED:
                header = error.response.headers.get("Retry-After") if error.response is not None else None
                after = retry_after(header, self.clock()) if status in (429, 503) else None
                raise _RetryError(f"HTTP {status}", after) from None
            raise HarvestError(
                f"{self.url}: HTTP {status} for {_asked(params)}: is this an OAI-PMH base URL?"
            ) from None
        except requests.Timeout as error:
            raise _RetryError(f"no answer within {self.limits.timeout} s ({type(error).__name__})", None) from None
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as error:
            raise _RetryError(f"connection failed ({error})", None) from None
        except requests.RequestException as error:
            raise HarvestError(f"{self.url}: cannot ask {_asked(params)}: {error}") from None
        content: bytes = response.http_response.content
        return content


class _RetryError(Exception):
    """A failure that may pass: try again after `after` seconds (None: the backoff's)."""

    def __init__(self, message: str, after: float | None) -> None:
        super().__init__(message)
        self.after = after


_ELEMENT_START = re.compile(rb"<[A-Za-z_:]")
"""The start of the first element: what comes before it is the prolog, where a DTD would be declared."""

_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    dtd_validation=False,
    huge_tree=False,
    remove_comments=True,
    remove_pis=True,
)
"""No entity is expanded, nothing is fetched, no DTD is read; lxml's own limits on huge trees stay on."""


def parse(body: bytes, *, where: str, limits: Limits = DEFAULT_LIMITS) -> etree._Element:
    """Parse a response, refusing what OAI-PMH never needs and attacks use: a DTD (so no entity of any kind, no
    external fetch), nesting deeper than `limits.max_depth`, and anything malformed or cut short."""
    if len(body) > limits.max_bytes:
        raise UnsafeDocumentError(f"{where}: the response is larger than {limits.max_bytes} bytes: refused")
    root_start = _ELEMENT_START.search(body)
    if b"<!DOCTYPE" in (body[: root_start.start()] if root_start else body):
        raise UnsafeDocumentError(f"{where}: the response declares a DTD (<!DOCTYPE …>): refused, OAI-PMH needs none")
    try:
        root = etree.fromstring(body, _PARSER)
    except etree.XMLSyntaxError as error:
        line, column = error.position
        raise UnsafeDocumentError(f"{where}: malformed XML at line {line}, column {column}: {error.msg}") from error
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise UnsafeDocumentError(f"{where}: the response declares a DTD (<!DOCTYPE …>): refused, OAI-PMH needs none")
    depth = 0
    for event, _ in etree.iterwalk(root, events=("start", "end")):
        depth += 1 if event == "start" else -1
        if depth > limits.max_depth:
            raise UnsafeDocumentError(f"{where}: elements nest deeper than {limits.max_depth} levels: refused")
    if root.tag != f"{{{OAI}}}OAI-PMH":
        raise UnsafeDocumentError(f"{where}: not an OAI-PMH 2.0 response (root element {root.tag!r})")
    return root


@dataclass(frozen=True, slots=True)
class Page:
    """One list response: its `responseDate`, its records, and the token of the next page (None on the last)."""

    response_date: datetime
    records: tuple[etree._Element, ...]
    token: str | None
    complete_list_size: int | None


def response_date(root: etree._Element, where: str) -> datetime:
    text = root.findtext(f"{{{OAI}}}responseDate")
    try:
        return parse_time((text or "").strip())
    except ValueError as error:
        raise UnsafeDocumentError(f"{where}: responseDate {text!r} is not a UTC datestamp") from error


def raise_errors(root: etree._Element, request: Mapping[str, str]) -> bool:
    """Raise the response's OAI-PMH error, if any; return True for `noRecordsMatch` (an empty list, not an error)."""
    errors = root.findall(f"{{{OAI}}}error")
    if not errors:
        return False
    codes = [(error.get("code") or "", (error.text or "").strip()) for error in errors]
    if all(code == "noRecordsMatch" for code, _ in codes):
        return True
    code, message = next((c, m) for c, m in codes if c != "noRecordsMatch")
    if code == "badResumptionToken":
        raise TokenExpiredError(code, message, request)
    raise ProviderError(code, message, request)


def read_page(root: etree._Element, request: Mapping[str, str], *, verb: str = "ListRecords") -> Page:
    """Read a ListRecords (or ListIdentifiers) response."""
    where = _asked(request)
    date = response_date(root, where)
    if raise_errors(root, request):
        return Page(date, (), None, 0)
    body = root.find(f"{{{OAI}}}{verb}")
    if body is None:
        raise UnsafeDocumentError(f"{where}: the response has neither {verb} nor an error")
    element = "record" if verb == "ListRecords" else "header"
    records = tuple(body.iterchildren(f"{{{OAI}}}{element}"))
    resumption = body.find(f"{{{OAI}}}resumptionToken")
    token = None
    size = None
    if resumption is not None:
        token = (resumption.text or "").strip() or None
        listed = resumption.get("completeListSize")
        size = int(listed) if listed is not None and listed.isdigit() else None
    return Page(date, records, token, size)
