"""Checks and conversions shared by both decoders: timestamps, JSON values, field types.

Every failure raises InvalidItem with a message that names the field, so a client can see what to fix.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import orjson

from spyglass.domain.bounds import MAX_INT, MAX_KEY_BYTES, TIME_RANGE, micros_of, time_in_range
from spyglass.domain.events import Event, ObservationUpsert, ScoreDelete, TraceDelete, TraceUpsert
from spyglass.domain.model import LEVEL_RANK

_INTEGER = re.compile(r"^-?[0-9]+$", re.ASCII)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class InvalidItem(ValueError):
    """One item of a batch cannot be accepted; the message names the field."""


micros = micros_of


def now_micros() -> int:
    return micros(datetime.now(UTC))


def bounded_time(us: int | float, field: str, shown: Any) -> int:
    """`us` (µs since the epoch) when it lies in the accepted range (domain/bounds.py); InvalidItem otherwise."""
    if not time_in_range(us):  # NaN compares false too
        raise InvalidItem(f"{field} must be a time {TIME_RANGE}, got {str(shown)[:60]}")
    return int(us)


def parse_time(value: Any, field: str) -> int:
    """An ISO-8601 string (or epoch milliseconds) as microseconds since the epoch, UTC, within the accepted range."""
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise InvalidItem(f"{field} is not an ISO-8601 timestamp: {value[:60]!r}") from None
        return bounded_time(micros(parsed), field, value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if isinstance(value, int) and abs(value) > MAX_INT:
            return bounded_time(-1, field, value)
        return bounded_time(value * 1000, field, value)
    raise InvalidItem(f"{field} must be an ISO-8601 timestamp string, got {type(value).__name__}")


def bounded_int(value: int, field: str) -> int:
    """`value` when it fits a 64-bit column; InvalidItem naming `field` otherwise."""
    if not -MAX_INT <= value <= MAX_INT:
        raise InvalidItem(f"{field} must fit in 64 bits (at most {MAX_INT}), got {str(value)[:40]}")
    return value


_NUL_ESCAPE = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")


# Fields both stores index: each value (each tag) must fit an index entry.
_KEY_FIELDS = frozenset({
    "id", "trace_id", "parent_observation_id", "observation_id", "session_id", "dataset_run_id", "user_id", "name",
    "model", "prompt_name", "environment", "release", "version", "config_id", "source", "data_type", "type", "level",
})  # fmt: skip


def check_storable(event: Event) -> None:
    """The last check of an event before it is queued: every value fits both stores (no NUL character, which
    PostgreSQL text and jsonb refuse; integers within 64 bits; finite numbers), so one item's values can never fail
    the write of a whole group. Raises InvalidItem naming the field."""
    _storable("id", event.id)
    _key_size("id", event.id)
    if isinstance(event, (TraceDelete, ScoreDelete)):
        return
    _storable("the event id", event.order[1])  # kept in each field's stamp (merge.py)
    weak = event.weak if isinstance(event, (TraceUpsert, ObservationUpsert)) else {}
    for source in (event.fields, weak):
        for key, value in source.items():
            _storable(key, value)
            if key in _KEY_FIELDS and isinstance(value, str):
                _key_size(key, value)
            elif key == "tags" and isinstance(value, list):
                for tag in value:
                    _key_size("tags[]", tag)


def _key_size(key: str, value: str) -> None:
    size = len(value.encode(errors="replace"))
    if size > MAX_KEY_BYTES:
        raise InvalidItem(f"{key} is {size} bytes long, over the {MAX_KEY_BYTES}-byte limit for an identifier or name")


def _storable(key: str, value: Any) -> None:
    if isinstance(value, str):
        if "\x00" in value:
            raise InvalidItem(f"{key} contains a NUL character, which cannot be stored")
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, int):
        bounded_int(value, key)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidItem(f"{key} must be a finite number, got {value}")
    elif isinstance(value, (dict, list, tuple)):
        try:
            text = orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)
        except TypeError as exc:
            raise InvalidItem(f"{key} is not JSON-serialisable: {exc}") from None
        if _NUL_ESCAPE.search(text):
            raise InvalidItem(f"{key} contains a NUL character (\\u0000), which cannot be stored")


def opt_str(body: Mapping[str, Any], key: str, prefix: str = "body") -> str | None:
    value = body.get(key)
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise InvalidItem(f"{prefix}.{key} must be a string, got {type(value).__name__}")


def req_str(body: Mapping[str, Any], key: str, prefix: str = "body") -> str:
    value = opt_str(body, key, prefix)
    if not value:
        raise InvalidItem(f"{prefix}.{key} is required")
    return value


def opt_bool(body: Mapping[str, Any], key: str, prefix: str = "body") -> bool | None:
    value = body.get(key)
    if value is None or isinstance(value, bool):
        return value
    raise InvalidItem(f"{prefix}.{key} must be true or false, got {type(value).__name__}")


def opt_int(body: Mapping[str, Any], key: str, prefix: str = "body") -> int | None:
    value = body.get(key)
    if value is None:
        return None
    if isinstance(value, bool):
        raise InvalidItem(f"{prefix}.{key} must be an integer, got a boolean")
    if isinstance(value, int):
        return bounded_int(value, f"{prefix}.{key}")
    if isinstance(value, float) and value.is_integer() and abs(value) <= MAX_INT:
        return int(value)
    if isinstance(value, str) and _INTEGER.match(value.strip()) and len(value.strip()) <= 20:
        return bounded_int(int(value.strip()), f"{prefix}.{key}")
    raise InvalidItem(f"{prefix}.{key} must be an integer, got {value!r}"[:200])


def opt_level(body: Mapping[str, Any], key: str = "level", prefix: str = "body") -> str | None:
    value = body.get(key)
    if value is None:
        return None
    if isinstance(value, str) and value.upper() in LEVEL_RANK:
        return value.upper()
    raise InvalidItem(f"{prefix}.{key} must be one of DEBUG, DEFAULT, WARNING, ERROR, got {value!r}"[:200])


def opt_tags(body: Mapping[str, Any], key: str = "tags", prefix: str = "body") -> list[str] | None:
    value = body.get(key)
    if value is None:
        return None
    if isinstance(value, list) and all(isinstance(t, str) for t in value):
        return value
    raise InvalidItem(f"{prefix}.{key} must be a list of strings")


def opt_map(body: Mapping[str, Any], key: str, prefix: str = "body") -> dict[str, Any] | None:
    value = body.get(key)
    if value is None or isinstance(value, dict):
        return value
    raise InvalidItem(f"{prefix}.{key} must be an object, got {type(value).__name__}")


def json_text(value: Any, field: str, limit: int) -> str:
    """Encode an input/output value as JSON text, refusing (never cutting) one over `limit` bytes."""
    try:
        text = orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)
    except TypeError as exc:
        raise InvalidItem(f"{field} is not JSON-serialisable: {exc}") from None
    if len(text) > limit:
        raise InvalidItem(f"{field} is {len(text)} bytes, over the {limit}-byte limit for one value")
    return text.decode()


def model_parameters(value: dict[str, Any]) -> dict[str, Any]:
    """Model parameters are kept exactly as sent, as Langfuse does: the 2.x SDK's `"0.2"` reads back `"0.2"`."""
    return dict(value)
