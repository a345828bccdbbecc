"""The ranges every value must fit on the way in, in one place (docs/security.md, "Sharing and ingestion limits").

Times: 1970-01-01T00:00:00Z up to (not including) 2200-01-01T00:00:00Z. Anything outside is a client bug (a clock
in seconds sent as milliseconds, nanoseconds sent as milliseconds, year 1 or 9999) and would overflow a datetime on
every read; the item that carries it gets a 400 naming the field. Integers must fit the stores' 64-bit columns, and
usage counts and money amounts stay small enough that a trace's sums cannot overflow either.

Reads never trust these bounds: `datetime_from_us` turns any stored value into a datetime without raising.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MIN_TIME = EPOCH
MAX_TIME = datetime(2200, 1, 1, tzinfo=UTC)
TIME_RANGE = "from 1970-01-01T00:00:00Z up to (not including) 2200-01-01T00:00:00Z"

MAX_INT = 2**63 - 1  # SQLite INTEGER and PostgreSQL BIGINT
MAX_USAGE_UNITS = 10**15  # one observation's usage count (tokens, characters, ...): a trace's sum still fits 64 bits
MAX_MONEY = 1e12  # one cost value, in USD
MAX_KEY_BYTES = (
    1000  # ids, names, user/session ids, model, tags: indexed columns (a PostgreSQL index entry ends ~2.7 kB)
)
MAX_TAG_FILTERS = 50  # tags one list read may require (each is one SQL condition)
MAX_MODEL_NAME = 512  # longer model names are not priced (a match pattern never sees more than this)


def micros_of(dt: datetime) -> int:
    """Microseconds since the epoch of a datetime (naive ones are taken as UTC). Exact, never raises."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    delta = dt - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


MIN_TIME_US = micros_of(MIN_TIME)
MAX_TIME_US = micros_of(MAX_TIME)


def time_in_range(us: int | float) -> bool:
    return MIN_TIME_US <= us < MAX_TIME_US


def check_datetime(value: datetime, field: str) -> datetime:
    """`value` (naive taken as UTC) when it lies in the accepted range; ValueError naming `field` otherwise."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    if not time_in_range(micros_of(value)):
        raise ValueError(f"{field} must be a time {TIME_RANGE}, got {value.isoformat()}")
    return value.astimezone(UTC)


_MIN_US = micros_of(datetime.min.replace(tzinfo=UTC))
_MAX_US = micros_of(datetime.max.replace(tzinfo=UTC))


def datetime_from_us(value: int) -> datetime:
    """A stored time (µs since the epoch) as an aware UTC datetime, clamped to what a datetime can hold, so a row
    stored before the bounds existed (or written by hand) never breaks a read or a delete."""
    return EPOCH + timedelta(microseconds=min(max(value, _MIN_US), _MAX_US))
