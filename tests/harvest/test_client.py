"""Talking to a provider: the hardened parser, `Retry-After`, and the client's patience over a real port."""

import re
import socket
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from lxml import etree

from harvest.client import (
    OAI,
    Client,
    HarvestError,
    Limits,
    ProviderError,
    TokenExpiredError,
    UnsafeDocumentError,
    parse,
    read_page,
    retry_after,
)
from tests.conftest import NOW
from tests.harvest.provider import (
    BASE_URL,
    ERROR_CODES,
    SECONDS,
    Item,
    Provider,
    Reply,
    billion_laughs,
    error,
    external_entity,
    gzipped,
    identify,
    list_records,
    oai_identifier,
    oai_root,
    payloads,
    truncated,
)

LIST = {"verb": "ListRecords", "metadataPrefix": "oai_dc"}
QUICK = Limits(timeout=5.0, retries=3, backoff=1.5, max_wait=60.0)
"""Patience for tests: the waits are recorded, never slept."""
DTD_REFUSED = "declares a DTD"


def page(n: int = 2, *, token: str | None = None, size: int | None = None) -> bytes:
    items = [p.item(NOW) for p in payloads("oai_dc")[:n]]
    return list_records(items, request=LIST, response_date=NOW, token=token, complete_list_size=size)


def nested(depth: int) -> bytes:
    """An OAI-PMH root (depth 1) holding elements nested down to `depth`."""
    inner = depth - 1
    return b'<OAI-PMH xmlns="' + OAI.encode() + b'">' + b"<a>" * inner + b"</a>" * inner + b"</OAI-PMH>"


class Waits(list[float]):
    """An injected `sleep` that records each wait instead of sleeping."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def waits() -> Waits:
    return Waits()


def client(provider: Provider, waits: Waits, limits: Limits = QUICK) -> Client:
    return Client(provider.url, limits, sleep=waits, clock=lambda: NOW)


# The parser


def test_a_valid_response_parses() -> None:
    root = parse(page(), where="here")
    assert root.tag == f"{{{OAI}}}OAI-PMH"
    assert len(root.findall(f".//{{{OAI}}}record")) == 2


def test_an_external_entity_to_a_local_file_is_refused_and_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("THE-SECRET")
    with pytest.raises(UnsafeDocumentError, match=DTD_REFUSED) as refused:
        parse(external_entity(secret.as_uri()), where="here")
    assert "THE-SECRET" not in str(refused.value)


@pytest.mark.parametrize(
    "doctype",
    [
        pytest.param('<!DOCTYPE OAI-PMH [<!ENTITY xxe SYSTEM "{base}/general">]>', id="general-entity"),
        pytest.param('<!DOCTYPE OAI-PMH [<!ENTITY % xxe SYSTEM "{base}/parameter"> %xxe;]>', id="parameter-entity"),
        pytest.param('<!DOCTYPE OAI-PMH SYSTEM "{base}/external.dtd">', id="external-dtd"),
    ],
)
def test_an_external_entity_over_http_is_refused_and_never_fetched(
    doctype: str, provider: Provider, waits: Waits
) -> None:
    body = (
        f'<?xml version="1.0"?>\n{doctype.format(base=provider.base)}\n'
        f'<OAI-PMH xmlns="{OAI}"><responseDate>2026-11-21T12:00:00Z</responseDate>'
        f'<request verb="Identify">{BASE_URL}</request><error code="badVerb">{"&xxe;" if "general" in doctype else ""}'
        "</error></OAI-PMH>\n"
    ).encode()
    provider.add(body)
    with pytest.raises(UnsafeDocumentError, match=DTD_REFUSED):
        client(provider, waits).request(verb="Identify")
    assert provider.hits == ["/oai"], "the parser fetched an external entity or DTD"
    assert waits == []


def test_billion_laughs_is_refused_fast() -> None:
    started = time.perf_counter()
    with pytest.raises(UnsafeDocumentError):
        parse(billion_laughs(), where="here")
    assert time.perf_counter() - started < 0.5


def test_billion_laughs_is_refused_for_its_dtd() -> None:
    """The refusal names the DTD (what OAI-PMH never needs), not a position inside an entity's expansion."""
    with pytest.raises(UnsafeDocumentError, match=DTD_REFUSED):
        parse(billion_laughs(), where="here")


def test_a_dtd_without_entities_is_refused() -> None:
    body = b'<?xml version="1.0"?>\n<!DOCTYPE OAI-PMH>\n' + oai_root(b"").split(b"\n", 1)[1]
    with pytest.raises(UnsafeDocumentError, match=DTD_REFUSED):
        parse(body, where="here")


def test_a_truncated_document_is_refused_naming_line_and_column() -> None:
    whole = etree.tostring(etree.fromstring(page(3)), pretty_print=True, xml_declaration=True, encoding="UTF-8")
    cut = truncated(whole)
    lines = cut.split(b"\n")
    with pytest.raises(UnsafeDocumentError) as refused:
        parse(cut, where="ListRecords page 2")
    message = str(refused.value)
    assert message.startswith("ListRecords page 2: malformed XML at line ")
    found = re.search(r"line (\d+), column (\d+)", message)
    assert found is not None
    assert int(found[1]) == len(lines)
    assert 1 <= int(found[2]) <= len(lines[-1]) + 1


def test_an_empty_body_is_refused() -> None:
    with pytest.raises(UnsafeDocumentError, match="malformed XML at line 1, column 1"):
        parse(b"", where="here")


def test_nesting_to_the_limit_is_read_and_deeper_is_refused() -> None:
    limits = Limits(max_depth=64)
    parse(nested(64), where="here", limits=limits)
    with pytest.raises(UnsafeDocumentError, match="nest deeper than 64 levels"):
        parse(nested(65), where="here", limits=limits)


def test_nesting_beyond_the_parsers_own_limit_is_refused() -> None:
    with pytest.raises(UnsafeDocumentError, match="malformed XML"):
        parse(nested(10_000), where="here")


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"<html><body>Service temporarily unavailable</body></html>", id="html"),
        pytest.param(b'<OAI-PMH xmlns="http://www.openarchives.org/OAI/1.1/OAI_ListRecords"/>', id="oai-1.1"),
        pytest.param(b"<OAI-PMH/>", id="no-namespace"),
    ],
)
def test_a_non_oai_root_is_refused(body: bytes) -> None:
    with pytest.raises(UnsafeDocumentError, match=r"not an OAI-PMH 2\.0 response"):
        parse(body, where="here")


def test_a_body_larger_than_the_limit_is_refused_before_parsing() -> None:
    body = page()
    with pytest.raises(UnsafeDocumentError, match=f"larger than {len(body) - 1} bytes"):
        parse(body, where="here", limits=Limits(max_bytes=len(body) - 1))
    parse(body, where="here", limits=Limits(max_bytes=len(body)))


# Pages and OAI-PMH errors


def test_a_page_gives_its_records_token_and_size() -> None:
    read = read_page(parse(page(2, token="next-1", size=5), where="here"), LIST)
    assert read.response_date == NOW
    assert [r.findtext(f"{{{OAI}}}header/{{{OAI}}}identifier") for r in read.records] == [
        oai_identifier(p.dataset.id) for p in payloads("oai_dc")[:2]
    ]
    assert (read.token, read.complete_list_size) == ("next-1", 5)


def test_the_empty_token_ends_a_list() -> None:
    read = read_page(parse(page(1, token="", size=5), where="here"), LIST)
    assert (read.token, read.complete_list_size) == (None, 5)


def test_a_page_without_a_token_is_the_whole_list() -> None:
    read = read_page(parse(page(1), where="here"), LIST)
    assert (len(read.records), read.token) == (1, None)


@pytest.mark.parametrize("code", [c for c in ERROR_CODES if c != "noRecordsMatch"])
def test_every_oai_error_is_raised_with_its_code(code: str) -> None:
    root = parse(error(code, f"the {code} message", request=LIST, response_date=NOW), where="here")
    with pytest.raises(ProviderError) as raised:
        read_page(root, LIST)
    assert raised.value.code == code
    assert f"the provider answered {code}: the {code} message" in str(raised.value)
    assert "metadataPrefix=oai_dc" in str(raised.value)
    assert isinstance(raised.value, TokenExpiredError) == (code == "badResumptionToken")
    assert isinstance(raised.value, HarvestError)


def test_no_records_match_is_an_empty_list() -> None:
    read = read_page(parse(error("noRecordsMatch", request=LIST, response_date=NOW), where="here"), LIST)
    assert (read.response_date, read.records, read.token) == (NOW, (), None)


def test_a_response_without_the_list_or_an_error_is_refused() -> None:
    with pytest.raises(UnsafeDocumentError, match="neither ListRecords nor an error"):
        read_page(parse(identify(response_date=NOW, granularity=SECONDS), where="here"), LIST)


def test_a_response_date_that_is_not_utc_is_refused() -> None:
    body = oai_root(b"  <ListRecords/>").replace(b"2026-11-21T12:00:00Z", b"21 Nov 2026")
    with pytest.raises(UnsafeDocumentError, match="responseDate '21 Nov 2026' is not a UTC datestamp"):
        read_page(parse(body, where="here"), LIST)


# Retry-After


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("2", 2.0),
        (" 120 ", 120.0),
        ("0", 0.0),
        (format_datetime(NOW + timedelta(seconds=30), usegmt=True), 30.0),
        ("Sat, 21 Nov 2026 12:01:30 GMT", 90.0),
        (format_datetime(NOW - timedelta(hours=1), usegmt=True), 0.0),
        ("-5", None),
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_retry_after_reads_seconds_and_http_dates(header: str | None, expected: float | None) -> None:
    assert retry_after(header, NOW) == expected


# The client over a real port


def test_the_client_asks_what_it_is_told_and_returns_the_root(provider: Provider, waits: Waits) -> None:
    provider.add(page())
    root = client(provider, waits).request(**LIST)
    assert root.tag == f"{{{OAI}}}OAI-PMH"
    assert provider.requests == [LIST]
    assert waits == []


def test_a_gzip_encoded_response_is_read(provider: Provider, waits: Waits) -> None:
    provider.add(gzipped(page()))
    root = client(provider, waits).request(**LIST)
    assert len(root.findall(f".//{{{OAI}}}record")) == 2


def test_503_with_retry_after_seconds_is_honoured(provider: Provider, waits: Waits) -> None:
    provider.add(Reply(b"busy", status=503, headers={"Retry-After": "2"}), page())
    client(provider, waits).request(**LIST)
    assert waits == [2.0]
    assert provider.requests == [LIST, LIST]


def test_503_with_retry_after_as_a_date_waits_until_then(provider: Provider, waits: Waits) -> None:
    later = format_datetime(NOW + timedelta(seconds=45), usegmt=True)
    provider.add(Reply(b"busy", status=503, headers={"Retry-After": later}), page())
    client(provider, waits).request(**LIST)
    assert waits == [45.0]


def test_429_without_retry_after_backs_off_exponentially(provider: Provider, waits: Waits) -> None:
    provider.add(Reply(b"slow down", status=429), Reply(b"slow down", status=429), Reply(b"", status=429), page())
    client(provider, waits).request(**LIST)
    assert waits == [1.5, 3.0, 6.0]
    assert len(provider.requests) == 4


def test_429_with_retry_after_is_honoured(provider: Provider, waits: Waits) -> None:
    provider.add(Reply(b"slow down", status=429, headers={"Retry-After": "7"}), page())
    client(provider, waits).request(**LIST)
    assert waits == [7.0]


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_errors_are_retried_with_backoff(status: int, provider: Provider, waits: Waits) -> None:
    provider.add(Reply(b"oops", status=status), page())
    client(provider, waits).request(**LIST)
    assert waits == [1.5]


def test_500_every_time_gives_up_after_every_attempt(provider: Provider, waits: Waits) -> None:
    attempts = QUICK.retries + 1
    provider.add(*[Reply(b"oops", status=500)] * attempts)
    with pytest.raises(HarvestError, match=rf"gave up after {attempts} attempt\(s\) at verb=ListRecords.*HTTP 500"):
        client(provider, waits).request(**LIST)
    assert len(provider.requests) == attempts
    assert waits == [1.5, 3.0, 6.0]


def test_no_retries_means_one_attempt(provider: Provider, waits: Waits) -> None:
    provider.add(Reply(b"oops", status=503))
    with pytest.raises(HarvestError, match=r"gave up after 1 attempt\(s\)"):
        client(provider, waits, Limits(retries=0)).request(**LIST)
    assert waits == []


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410])
def test_a_client_error_stops_at_once(status: int, provider: Provider, waits: Waits) -> None:
    provider.add(Reply(b"no such thing", status=status))
    with pytest.raises(HarvestError, match=f"HTTP {status} for verb=ListRecords") as raised:
        client(provider, waits).request(**LIST)
    assert "is this an OAI-PMH base URL?" in str(raised.value)
    assert len(provider.requests) == 1
    assert waits == []


def test_backoff_is_capped_at_max_wait(provider: Provider, waits: Waits) -> None:
    """`max_wait` is the longest single wait; only a provider asking for more (`Retry-After`) stops the run, so the
    harvester's own backoff waits `max_wait` at most, and never blames the provider for its own arithmetic."""
    limits = Limits(retries=10, backoff=2.0, max_wait=600.0)
    provider.add(*[Reply(b"oops", status=500)] * (limits.retries + 1))
    with pytest.raises(HarvestError, match=r"gave up after 11 attempt\(s\)") as raised:
        client(provider, waits, limits).request(**LIST)
    assert "the provider asks" not in str(raised.value)
    assert waits == [2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0, 600.0]


def test_a_connection_lost_mid_response_is_retried(provider: Provider, waits: Waits) -> None:
    body = page()
    provider.add(Reply(body, cut=len(body) // 2), body)
    root = client(provider, waits).request(**LIST)
    assert len(root.findall(f".//{{{OAI}}}record")) == 2
    assert waits == [1.5]


def test_retry_after_beyond_max_wait_stops_the_run(provider: Provider, waits: Waits) -> None:
    provider.add(Reply(b"come back tomorrow", status=503, headers={"Retry-After": "86400"}))
    with pytest.raises(HarvestError, match="retry after 86400 s, more than the 60 s this harvester waits"):
        client(provider, waits).request(**LIST)
    assert waits == []
    assert len(provider.requests) == 1


def test_a_timeout_is_retried(provider: Provider, waits: Waits) -> None:
    provider.add(Reply(page(), delay=2.0), page())
    started = time.perf_counter()
    client(provider, waits, Limits(timeout=0.2, retries=2, backoff=1.0)).request(**LIST)
    assert time.perf_counter() - started < 1.5
    assert waits == [1.0]
    assert provider.requests == [LIST, LIST]


def test_a_timeout_every_time_gives_up(provider: Provider, waits: Waits) -> None:
    provider.add(Reply(page(), delay=2.0), Reply(page(), delay=2.0))
    with pytest.raises(HarvestError, match=r"gave up after 2 attempt\(s\).*no answer within 0.2 s"):
        client(provider, waits, Limits(timeout=0.2, retries=1, backoff=1.0)).request(**LIST)
    assert waits == [1.0]


def test_a_refused_connection_is_retried_then_reported(waits: Waits) -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    closed = Client(f"http://127.0.0.1:{port}/oai", Limits(retries=2, backoff=1.0), sleep=waits)
    with pytest.raises(HarvestError, match=r"gave up after 3 attempt\(s\).*connection failed"):
        closed.request(**LIST)
    assert waits == [1.0, 2.0]


def test_a_response_larger_than_the_limit_is_refused(provider: Provider, waits: Waits) -> None:
    body = page(20)
    provider.add(body)
    limit = len(body) // 2
    with pytest.raises(UnsafeDocumentError, match=f"larger than {limit} bytes: refused"):
        client(provider, waits, Limits(max_bytes=limit)).request(**LIST)
    assert waits == []
    assert len(provider.requests) == 1


def test_a_gzip_response_that_inflates_past_the_limit_is_refused(provider: Provider, waits: Waits) -> None:
    limit = 1_000_000
    bomb = gzipped(oai_root(b"<ListRecords>" + b" " * (20 * limit) + b"</ListRecords>"))
    assert len(bomb.body) < limit // 10
    provider.add(bomb)
    with pytest.raises(UnsafeDocumentError, match=f"larger than {limit} bytes: refused"):
        client(provider, waits, Limits(max_bytes=limit)).request(**LIST)
    assert waits == []


def test_a_malformed_response_is_not_retried(provider: Provider, waits: Waits) -> None:
    provider.add(truncated(page()))
    with pytest.raises(UnsafeDocumentError, match=r"\(verb=ListRecords, metadataPrefix=oai_dc\): malformed XML"):
        client(provider, waits).request(**LIST)
    assert waits == []


def test_an_oai_error_over_http_200_is_not_retried(provider: Provider, waits: Waits) -> None:
    provider.add(error("cannotDisseminateFormat", request=LIST, response_date=NOW))
    root = client(provider, waits).request(**LIST)
    with pytest.raises(ProviderError, match="cannotDisseminateFormat"):
        read_page(root, LIST)
    assert waits == []


def test_the_client_never_waits_on_its_own(provider: Provider) -> None:
    """With the default `sleep`, a Retry-After of 0 returns at once: the waits come from the header."""
    provider.add(Reply(b"busy", status=503, headers={"Retry-After": "0"}), page())
    started = time.perf_counter()
    Client(provider.url, QUICK, clock=lambda: datetime.now(UTC)).request(**LIST)
    assert time.perf_counter() - started < 1.0


def test_the_provider_reports_requests_beyond_its_script() -> None:
    with pytest.raises(AssertionError, match="beyond the provider's script"), Provider() as provider:
        Client(provider.url, Limits(retries=0)).request(**LIST)


def test_the_provider_reports_steps_left_unused() -> None:
    with pytest.raises(AssertionError, match="1 step\\(s\\) left unused"), Provider([page()]):
        pass


def test_the_canned_items_are_deleted_headers_without_metadata() -> None:
    body = list_records(
        [Item(oai_identifier("gone"), NOW, deleted=True)], request=LIST, response_date=NOW, token="", cursor=3
    )
    header = etree.fromstring(body).find(f".//{{{OAI}}}header")
    assert header is not None
    assert header.get("status") == "deleted"
