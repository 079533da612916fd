"""Resumption tokens: round trips, and badResumptionToken for every way a token can be wrong."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from itsdangerous import URLSafeTimedSerializer

from server.oai.protocol import BadResumptionToken
from server.oai.tokens import SALT, Resumption, Tokens
from tests.conftest import Clock

NOW = datetime(2026, 11, 21, 12, 0, 0, tzinfo=UTC)
SECRET = "test-secret"

PAGE = Resumption(
    verb="ListRecords",
    metadata_prefix="oai_dc",
    set_spec="mission:hayabusa2",
    from_=datetime(2024, 1, 1, tzinfo=UTC),
    until=datetime(2026, 11, 21, 11, 59, 59, tzinfo=UTC),
    after=(datetime(2024, 6, 30, 12, 30, 45, tzinfo=UTC), "hayabusa2-onc-l2b"),
    cursor=100,
    complete_list_size=250,
)


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def tokens(clock: Clock) -> Tokens:
    return Tokens(SECRET, clock=clock)


@pytest.mark.parametrize(
    "resumption",
    [
        PAGE,
        Resumption("ListIdentifiers", "oai_datacite", None, None, NOW, None, 0, 1),
        Resumption("ListSets", None, None, None, NOW, (NOW, "mission:akatsuki"), 50, 60),
        replace(PAGE, from_=datetime(1965, 1, 1, tzinfo=UTC), after=(datetime(1969, 12, 31, tzinfo=UTC), "ohsumi")),
    ],
)
def test_round_trip(tokens: Tokens, resumption: Resumption) -> None:
    token = tokens.issue(resumption)
    assert tokens.read(token, verb=resumption.verb) == resumption
    assert tokens.read(token, verb=resumption.verb) == resumption
    assert tokens.issue(tokens.read(token, verb=resumption.verb)) == token


def test_token_is_compact_and_url_safe(tokens: Tokens) -> None:
    token = tokens.issue(PAGE)
    assert len(token) < 250
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")


def test_tampered_token(tokens: Tokens) -> None:
    token = tokens.issue(PAGE)
    payload, timestamp, signature = token.rsplit(".", 2)
    tampered = ".".join((payload[:-1] + ("A" if payload[-1] != "A" else "B"), timestamp, signature))
    with pytest.raises(BadResumptionToken, match="invalid or has expired"):
        tokens.read(tampered, verb="ListRecords")


def test_token_signed_with_another_key(tokens: Tokens, clock: Clock) -> None:
    token = Tokens("another-secret", clock=clock).issue(PAGE)
    with pytest.raises(BadResumptionToken, match="invalid or has expired"):
        tokens.read(token, verb="ListRecords")


def test_token_expires_after_max_age(tokens: Tokens, clock: Clock) -> None:
    token = tokens.issue(PAGE)
    clock.now = NOW + tokens.max_age
    assert tokens.read(token, verb="ListRecords") == PAGE
    clock.now += timedelta(seconds=1)
    with pytest.raises(BadResumptionToken, match="invalid or has expired"):
        tokens.read(token, verb="ListRecords")


def test_token_for_another_verb(tokens: Tokens) -> None:
    token = tokens.issue(PAGE)
    with pytest.raises(BadResumptionToken, match="belongs to ListRecords, not ListIdentifiers"):
        tokens.read(token, verb="ListIdentifiers")


@pytest.mark.parametrize("token", ["", "t1", "a.b.c", "トークン", "eyJ2IjoiTGlzdFJlY29yZHMifQ.Zz8AAA.xx"])
def test_garbage_token(tokens: Tokens, token: str) -> None:
    with pytest.raises(BadResumptionToken):
        tokens.read(token, verb="ListRecords")


VALID_PAYLOAD = {"v": "ListRecords", "m": "oai_dc", "s": None, "f": None, "u": 1700000000, "a": None, "c": 0, "n": 1}


@pytest.mark.parametrize(
    "payload",
    [
        ["ListRecords"],
        "ListRecords",
        None,
        {key: value for key, value in VALID_PAYLOAD.items() if key != "u"},
        {**VALID_PAYLOAD, "x": 1},
        {**VALID_PAYLOAD, "v": 1},
        {**VALID_PAYLOAD, "m": ["oai_dc"]},
        {**VALID_PAYLOAD, "u": None},
        {**VALID_PAYLOAD, "u": "2024-01-01T00:00:00Z"},
        {**VALID_PAYLOAD, "f": 1.5},
        {**VALID_PAYLOAD, "u": 10**20},
        {**VALID_PAYLOAD, "a": [1700000000]},
        {**VALID_PAYLOAD, "a": [1700000000, 7]},
        {**VALID_PAYLOAD, "a": {"d": 1700000000, "id": "x"}},
        {**VALID_PAYLOAD, "c": -1},
        {**VALID_PAYLOAD, "c": True},
        {**VALID_PAYLOAD, "n": "250"},
    ],
)
def test_malformed_payload(payload: object) -> None:
    tokens = Tokens(SECRET)
    token = URLSafeTimedSerializer(SECRET, salt=SALT).dumps(payload)
    with pytest.raises(BadResumptionToken, match="malformed"):
        tokens.read(token, verb="ListRecords")


def test_well_formed_payload_signed_alike_is_read() -> None:
    token = URLSafeTimedSerializer(SECRET, salt=SALT).dumps(VALID_PAYLOAD)
    assert Tokens(SECRET).read(token, verb="ListRecords").until == datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)


def test_expiration_is_at_least_a_day(tokens: Tokens) -> None:
    assert tokens.expiration(NOW) == NOW + tokens.max_age
    assert tokens.expiration(NOW) - NOW >= timedelta(hours=24)


def test_lifetime_shorter_than_a_day_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1 day"):
        Tokens(SECRET, max_age=timedelta(hours=23))
