"""The `filter` query parameter of the public reads (Langfuse's JSON array of {type, column, operator, value, key}),
parsed into domain `Condition`s with a 400 that names the entry and the problem for anything not understood."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

import orjson

from spyglass.api.errors import ApiError
from spyglass.api.params import timestamp
from spyglass.domain.filters import KEYED_TYPES, OPERATORS, Condition

MAX_CONDITIONS = 100
MAX_TEXT = 10_000
MAX_INT = 2**63 - 1
if TYPE_CHECKING:
    from _typeshed import DataclassInstance

F = TypeVar("F", bound="DataclassInstance")
_SHAPE = "filter must be a JSON array of {type, column, operator, value} objects"
_FIELDS = {"type", "column", "operator", "value", "key"}


def parse_filter(raw: str | None, columns: Mapping[str, frozenset[str]]) -> tuple[Condition, ...]:
    """The conditions of `raw` (None or "" for none); `columns` maps each filterable column to its filter types."""
    if raw is None or not raw.strip():
        return ()
    try:
        items = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise ApiError(400, f"{_SHAPE}; it is not valid JSON") from None
    if not isinstance(items, list):
        raise ApiError(400, _SHAPE)
    if len(items) > MAX_CONDITIONS:
        raise ApiError(400, f"filter has {len(items)} conditions, more than the {MAX_CONDITIONS} allowed")
    return tuple(_condition(f"filter[{index}]", item, columns) for index, item in enumerate(items))


def _condition(where: str, item: Any, columns: Mapping[str, frozenset[str]]) -> Condition:
    if not isinstance(item, dict):
        raise ApiError(400, f"{where} must be an object with type, column, operator and value")
    if unknown := sorted(set(item) - _FIELDS):
        raise ApiError(400, f"{where} has unknown field(s) {unknown[:5]}; use type, column, operator, value, key")
    for name in ("type", "column", "operator"):
        if not isinstance(item.get(name), str):
            raise ApiError(400, f"{where}.{name} is required and must be a string")
    kind, column, operator = item["type"], item["column"], item["operator"]
    if kind not in OPERATORS:
        raise ApiError(400, f"{where}.type {kind[:60]!r} is not one of {', '.join(OPERATORS)}")
    if column not in columns:
        raise ApiError(400, f"{where}.column {column[:60]!r} cannot be filtered on; use one of {', '.join(columns)}")
    if kind not in columns[column]:
        takes = " or ".join(sorted(columns[column]))
        raise ApiError(400, f"{where}: column {column!r} takes type {takes}, not {kind!r}")
    if operator not in OPERATORS[kind]:
        allowed = ", ".join(repr(o) for o in OPERATORS[kind])
        raise ApiError(400, f"{where}.operator {operator[:60]!r} does not apply to type {kind!r}; use {allowed}")
    key = item.get("key")
    if kind in KEYED_TYPES:
        if not isinstance(key, str) or not key or len(key) > MAX_TEXT:
            raise ApiError(400, f"{where}.key is required for type {kind!r} and must be a non-empty string")
    elif key is not None:
        raise ApiError(400, f"{where}.key is only for types {', '.join(sorted(KEYED_TYPES))}")
    value = _value(where, kind, item.get("value"), "value" in item)
    return Condition(column, operator, value, key, kind)


def _value(where: str, kind: str, value: Any, given: bool) -> Any:
    if kind == "null":
        if value not in (None, ""):
            raise ApiError(400, f'{where}.value must be "" (or left out) for type null')
        return None
    if not given:
        raise ApiError(400, f"{where}.value is required for type {kind!r}")
    if kind == "datetime":
        if not isinstance(value, str):
            raise ApiError(400, f"{where}.value must be an ISO-8601 timestamp string")
        return timestamp(f"{where}.value", value)
    if kind in ("string", "stringObject"):
        return _text(where, value)
    if kind in ("number", "numberObject"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ApiError(400, f"{where}.value must be a number for type {kind!r}")
        if isinstance(value, float) and not math.isfinite(value):
            raise ApiError(400, f"{where}.value must be a finite number")
        if abs(value) > MAX_INT:  # a stored integer is 64-bit: a larger bound would overflow the database's
            raise ApiError(400, f"{where}.value is out of range (at most {MAX_INT} in magnitude)")
        return value
    if kind in ("boolean", "booleanObject"):
        if not isinstance(value, bool):
            raise ApiError(400, f"{where}.value must be true or false for type {kind!r}")
        return value
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ApiError(400, f"{where}.value must be a list of strings for type {kind!r}")
    if kind == "stringOptions" and not value:
        raise ApiError(400, f"{where}.value must not be empty for type 'stringOptions'")
    if len(value) > MAX_CONDITIONS * 10:
        raise ApiError(400, f"{where}.value has {len(value)} entries, more than the {MAX_CONDITIONS * 10} allowed")
    return tuple(_text(where, v) for v in value)


def _text(where: str, value: Any) -> str:
    if not isinstance(value, str):
        raise ApiError(400, f"{where}.value must be a string")
    if len(value) > MAX_TEXT:
        raise ApiError(400, f"{where}.value is longer than {MAX_TEXT} characters")
    if "\x00" in value:
        raise ApiError(400, f"{where}.value must not contain NUL characters")
    return value


def filter_wins(flt: F, columns: Mapping[str, str]) -> F:
    """Langfuse's precedence: a plain query parameter is dropped when a `filter` condition targets its column.

    `flt` is a filter dataclass whose `conditions` are set; `columns` maps its field names to filter columns."""
    targeted = {cond.column for cond in getattr(flt, "conditions", ())}
    defaults = {f.name: f.default for f in dataclasses.fields(flt)}
    dropped = {name: defaults[name] for name, column in columns.items() if column in targeted}
    return dataclasses.replace(flt, **dropped) if dropped else flt
