"""Checks and conversions shared by both decoders: timestamps, JSON values, field types.

Every failure raises InvalidItem with a message that names the field, so a client can see what to fix.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import orjson

from spyglass.domain.model import LEVEL_RANK

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class InvalidItem(ValueError):
    """One item of a batch cannot be accepted; the message names the field."""


def micros(dt: datetime) -> int:
    """Microseconds since the epoch of an aware datetime (naive ones are taken as UTC)."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    delta = dt - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def now_micros() -> int:
    return micros(datetime.now(UTC))


def parse_time(value: Any, field: str) -> int:
    """An ISO-8601 string (or epoch milliseconds) as microseconds since the epoch, UTC."""
    if isinstance(value, str):
        try:
            return micros(datetime.fromisoformat(value))
        except ValueError:
            raise InvalidItem(f"{field} is not an ISO-8601 timestamp: {value[:60]!r}") from None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return int(value * 1000)
    raise InvalidItem(f"{field} must be an ISO-8601 timestamp string, got {type(value).__name__}")


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
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
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
