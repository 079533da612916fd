"""STAC paging tokens: a keyset position, signed so that any worker continues any client's paging.

A token holds only where the page starts (`after` the last key sent, or `before` the first, for `prev`): the
filters travel with the link as they came (query string, or the POST body the link repeats). A token never expires:
a keyset position stays meaningful however long a client waits, unlike an offset.
"""

from dataclasses import dataclass
from typing import Any

from itsdangerous import BadData, URLSafeSerializer

from catalog.store import ItemKey
from server.stac.errors import InvalidParameter

SALT = "stac-page"


@dataclass(frozen=True, slots=True)
class Position:
    """Where a page starts: after `after`, or just before `before` (exactly one is set); `matched` is what the
    search's first page counted (`numberMatched`), carried along so that no later page counts again."""

    after: ItemKey | None = None
    before: ItemKey | None = None
    matched: int | None = None


class PageTokens:
    def __init__(self, secret_key: str, *, kind: str) -> None:
        self._serializer = URLSafeSerializer(secret_key, salt=f"{SALT}:{kind}")

    def issue(self, position: Position, *, order: str) -> str:
        """Sign a position in the order named `order` (its columns, e.g. `start_time-,dataset_id-,id-`)."""
        side, key = ("a", position.after) if position.after is not None else ("b", position.before or ())
        payload: dict[str, Any] = {side: list(key), "o": order}
        if position.matched is not None:
            payload["n"] = position.matched
        return str(self._serializer.dumps(payload))

    def read(self, token: str, *, order: str) -> Position:
        """Return the position a token holds; a token from a search in another order is refused, not misread."""
        try:
            payload: Any = self._serializer.loads(token)
        except (BadData, ValueError, TypeError):
            raise InvalidParameter("token: not a paging token this server issued") from None
        if not isinstance(payload, dict) or "o" not in payload or not set(payload) < {"a", "b", "o", "n"}:
            raise InvalidParameter("token: not a paging token this server issued")
        matched = payload.get("n")
        if ("a" in payload) == ("b" in payload) or not (matched is None or type(matched) is int):
            raise InvalidParameter("token: not a paging token this server issued")
        if payload["o"] != order:
            raise InvalidParameter("token: this token belongs to a search with another sort order")
        side = "a" if "a" in payload else "b"
        key = payload.get(side)
        if not isinstance(key, list):
            raise InvalidParameter("token: not a paging token this server issued")
        if len(key) != len(order.split(",")) or not all(_storable(value) for value in key):
            raise InvalidParameter("token: not a paging token this server issued")
        if side == "a":
            return Position(after=tuple(key), matched=matched)
        return Position(before=tuple(key), matched=matched)


def _storable(value: Any) -> bool:
    """Whether a key value is one the store can compare: a 64-bit integer (a time) or a string without NUL."""
    if type(value) is int:
        return -(2**63) <= value < 2**63
    return isinstance(value, str) and "\x00" not in value
