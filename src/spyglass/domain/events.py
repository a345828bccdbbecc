"""Ingest events: what both doors (Langfuse batches, OTLP spans) decode into.

An upsert carries only the fields its sender set (a field left out never erases a stored value), keyed by the
store's field names, plus the ordering key of the event that carried it. Weak fields fill a value only while no
event has set it (an implicit trace's timestamp, an update's guessed start time); among weak values the smallest
wins, so the result does not depend on arrival order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# (event timestamp in microseconds since the epoch, event id): newer wins, the id breaks ties deterministically.
Order = tuple[int, str]

WEAK: Order = (0, "")

# An owner's decision in the UI (a trace's sharing) is ordered after every event a client can send, whose times end
# in 2200 (domain/bounds.py): a later `public` from an SDK never undoes it. Among owner decisions the newest wins.
OWNER_DECISION = 2**62


def owner_order(now_us: int, nonce: str) -> Order:
    """The order key of an owner's decision taken at `now_us`."""
    return (OWNER_DECISION, f"owner-{now_us:020d}-{nonce}")


@dataclass(frozen=True, slots=True)
class TraceUpsert:
    project_id: str
    id: str
    order: Order
    fields: dict[str, Any]
    weak: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ObservationUpsert:
    """`fields` holds `trace_id` when the sender named the trace (it may not, on an update)."""

    project_id: str
    id: str
    order: Order
    fields: dict[str, Any]
    weak: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ScoreUpsert:
    project_id: str
    id: str
    order: Order
    fields: dict[str, Any]


@dataclass(frozen=True, slots=True)
class TraceDelete:
    project_id: str
    id: str


@dataclass(frozen=True, slots=True)
class ScoreDelete:
    project_id: str
    id: str


Upsert = TraceUpsert | ObservationUpsert | ScoreUpsert
Event = TraceUpsert | ObservationUpsert | ScoreUpsert | TraceDelete | ScoreDelete
