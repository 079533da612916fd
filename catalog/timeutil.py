"""Times as the contract writes them (RFC 3339 or a bare date) and as the store keeps them (epoch seconds)."""

import calendar
from datetime import UTC, date, datetime, timedelta

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def parse_time(text: str) -> datetime:
    """Parse an RFC 3339 date-time or a bare `YYYY-MM-DD` (00:00:00Z of that day) into an aware UTC datetime."""
    if len(text) == 10:
        return datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC)
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise ValueError(f"time {text!r} has no time zone (add Z)")
    return value.astimezone(UTC)


def format_time(value: datetime) -> str:
    """Format as `YYYY-MM-DDThh:mm:ssZ`, the second granularity of OAI-PMH datestamps."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def to_epoch(value: datetime) -> int:
    """Whole seconds since 1970-01-01T00:00:00Z (floor), as the store keeps times."""
    return int((value - EPOCH) // timedelta(seconds=1))


def from_epoch(seconds: int) -> datetime:
    return EPOCH + timedelta(seconds=seconds)


def add_months(value: datetime, months: int) -> datetime:
    """Add calendar months, clamping the day to the target month's length (Jan 31 + 1 month = Feb 28 or 29)."""
    month_index = value.month - 1 + months
    year, month = value.year + month_index // 12, month_index % 12 + 1
    day = min(value.day, calendar.monthrange(year, month)[1])
    return value.replace(year=year, month=month, day=day)


def add_years(value: datetime, years: int) -> datetime:
    return add_months(value, 12 * years)


def utcnow() -> datetime:
    return datetime.now(UTC)
