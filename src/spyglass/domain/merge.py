"""Fold one entity's upserts into one record (pure; no I/O).

A record is a plain dict of field values plus `_ts`, the order key that last set each field. The fold is the same
whatever order the events arrive in and however often each arrives:

* a field takes the value of the newest event that set it (ties broken by event id);
* `metadata` merges key by key the same way, so an update adds keys without dropping the others;
* `tags` is the sorted union of every tag ever sent;
* weak values (see events.py) apply only while no event set the field; the smallest weak value wins;
* a trace's explicit `timestamp` is the earliest one sent, not the newest: legacy SDKs send every `trace.update()` as
  a trace-create stamped "now", and Langfuse keeps the trace's first timestamp.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from spyglass.domain.events import WEAK, ObservationUpsert, Order, ScoreUpsert, TraceUpsert

Record = dict[str, Any]

_TS = "_ts"


def _stamp(record: Record) -> dict[str, list[Any]]:
    ts: dict[str, list[Any]] = record.setdefault(_TS, {})
    return ts


def _newer(order: Order, seen: list[Any] | None) -> bool:
    return seen is None or (order[0], order[1]) > (seen[0], seen[1])


def _set(record: Record, stamps: dict[str, list[Any]], key: str, value: Any, order: Order) -> None:
    if key == "metadata":
        _merge_metadata(record, stamps, value, order)
    elif key == "tags":
        record["tags"] = sorted(set(record.get("tags") or ()) | set(value))
    elif _newer(order, stamps.get(key)):
        record[key] = value
        stamps[key] = [order[0], order[1]]


def _merge_metadata(record: Record, stamps: dict[str, list[Any]], value: Any, order: Order) -> None:
    if not isinstance(value, Mapping):
        value = {"metadata": value}
    current = record.get("metadata")
    merged: dict[str, Any] = dict(current) if isinstance(current, Mapping) else {}
    for key, item in value.items():
        stamp_key = f"metadata.{key}"
        if _newer(order, stamps.get(stamp_key)):
            merged[key] = item
            stamps[stamp_key] = [order[0], order[1]]
    record["metadata"] = merged


def _set_earliest(record: Record, stamps: dict[str, list[Any]], key: str, value: Any, order: Order) -> None:
    """Explicit values keep the smallest (ties: the newest event's stamp), whatever the arrival order."""
    seen = stamps.get(key)
    current = record.get(key)
    if (
        seen is None
        or (seen[0], seen[1]) == WEAK
        or current is None
        or _less(value, current)
        or (value == current and _newer(order, seen))
    ):
        record[key] = value
        stamps[key] = [order[0], order[1]]


def _set_weak(record: Record, stamps: dict[str, list[Any]], key: str, value: Any) -> None:
    seen = stamps.get(key)
    if seen is None:
        record[key] = value
        stamps[key] = [WEAK[0], WEAK[1]]
    elif (seen[0], seen[1]) == WEAK and _less(value, record.get(key)):
        record[key] = value


def _less(a: Any, b: Any) -> bool:
    if b is None:
        return True
    try:
        return bool(a < b)
    except TypeError:
        return str(a) < str(b)


def apply(record: Record | None, event: TraceUpsert | ObservationUpsert | ScoreUpsert) -> Record:
    """Return `record` with `event` folded in (the dict is updated in place when given).

    This runs for every event on the write path, so the plain-field case is inlined (same rule as `_newer`).
    """
    out: Record = record if record is not None else {"id": event.id, "project_id": event.project_id}
    stamps = _stamp(out)
    ts, event_id = event.order
    stamp = [ts, event_id]
    for key, value in event.fields.items():
        if key == "metadata" or key == "tags":
            _set(out, stamps, key, value, event.order)
            continue
        if key == "timestamp" and isinstance(event, TraceUpsert):
            _set_earliest(out, stamps, key, value, event.order)
            continue
        seen = stamps.get(key)
        if seen is None or seen[0] < ts or (seen[0] == ts and seen[1] < event_id):
            out[key] = value
            stamps[key] = stamp
    if not isinstance(event, ScoreUpsert):
        for key, value in event.weak.items():
            _set_weak(out, stamps, key, value)
    return out


def fold(record: Record | None, events: Iterable[TraceUpsert | ObservationUpsert | ScoreUpsert]) -> Record:
    """Fold `events` (all for one entity) into `record`, which may be None for a new entity."""
    out = record
    for event in events:
        out = apply(out, event)
    if out is None:
        raise ValueError("fold needs a record or at least one event")
    return out
