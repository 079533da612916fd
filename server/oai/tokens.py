"""Stateless resumption tokens: the list query and its keyset position, signed and timed (OAI-PMH spec 3.5)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from itsdangerous import BadData, TimestampSigner, URLSafeTimedSerializer

from catalog.timeutil import from_epoch, to_epoch, utcnow
from server.oai.protocol import BadResumptionToken

SALT = "oai-pmh-resumption"
MINIMUM_LIFETIME = timedelta(hours=24)


@dataclass(frozen=True)
class Resumption:
    """Where an incomplete list stands: its query, a frozen upper bound, and the last `(datestamp, id)` sent.

    Times travel as whole epoch seconds, the granularity of datestamps.
    """

    verb: str
    metadata_prefix: str | None
    set_spec: str | None
    from_: datetime | None
    until: datetime
    after: tuple[datetime, str] | None
    cursor: int
    complete_list_size: int


class Tokens:
    """Issue and read resumption tokens that any worker holding `secret_key` can continue."""

    def __init__(
        self,
        secret_key: str,
        *,
        max_age: timedelta = timedelta(hours=25),
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        if max_age < MINIMUM_LIFETIME:
            raise ValueError(f"resumption tokens must live at least {MINIMUM_LIFETIME}, not {max_age}")
        self.max_age = max_age

        class ClockedSigner(TimestampSigner):
            def get_timestamp(self) -> int:
                return to_epoch(clock())

        self._serializer = URLSafeTimedSerializer(secret_key, salt=SALT, signer=ClockedSigner)

    def issue(self, resumption: Resumption) -> str:
        return self._serializer.dumps(_to_payload(resumption))

    def read(self, token: str, *, verb: str) -> Resumption:
        """Return the Resumption a token was issued for; badResumptionToken for anything else."""
        try:
            payload = self._serializer.loads(token, max_age=int(self.max_age.total_seconds()))
        except BadData as error:
            raise BadResumptionToken(f"resumptionToken {token!r} is invalid or has expired") from error
        try:
            resumption = _from_payload(payload)
        except (KeyError, TypeError, ValueError, OverflowError) as error:
            raise BadResumptionToken(f"resumptionToken {token!r} is malformed") from error
        if resumption.verb != verb:
            raise BadResumptionToken(f"resumptionToken {token!r} belongs to {resumption.verb}, not {verb}")
        return resumption

    def expiration(self, issued_at: datetime) -> datetime:
        """Return the `expirationDate` of a token issued at `issued_at`."""
        return issued_at + self.max_age


def _to_payload(resumption: Resumption) -> dict[str, Any]:
    return {
        "v": resumption.verb,
        "m": resumption.metadata_prefix,
        "s": resumption.set_spec,
        "f": None if resumption.from_ is None else to_epoch(resumption.from_),
        "u": to_epoch(resumption.until),
        "a": None if resumption.after is None else [to_epoch(resumption.after[0]), resumption.after[1]],
        "c": resumption.cursor,
        "n": resumption.complete_list_size,
    }


def _from_payload(payload: object) -> Resumption:
    if not isinstance(payload, dict) or set(payload) != {"v", "m", "s", "f", "u", "a", "c", "n"}:
        raise ValueError("not a resumption payload")
    after = payload["a"]
    if after is not None and not (isinstance(after, list) and len(after) == 2):
        raise ValueError("position is not a (datestamp, id) pair")
    return Resumption(
        verb=_text(payload["v"]),
        metadata_prefix=_optional_text(payload["m"]),
        set_spec=_optional_text(payload["s"]),
        from_=None if payload["f"] is None else from_epoch(_seconds(payload["f"])),
        until=from_epoch(_seconds(payload["u"])),
        after=None if after is None else (from_epoch(_seconds(after[0])), _text(after[1])),
        cursor=_count(payload["c"]),
        complete_list_size=_count(payload["n"]),
    )


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{value!r} is not text")
    return value


def _optional_text(value: object) -> str | None:
    return None if value is None else _text(value)


def _seconds(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{value!r} is not whole seconds")
    return value


def _count(value: object) -> int:
    count = _seconds(value)
    if count < 0:
        raise ValueError(f"{count} is not a count")
    return count
