"""Queries and results of the cursor-paged public reads (`GET /api/public/v2/observations`, `/v3/scores`).

A page is keyset-paged, newest first: `Keyset` is the (time in microseconds since the epoch, id) of the last item
returned, and the next page holds the items strictly after it in (time desc, id desc) order, so paging is stable
while new data arrives. No I/O here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from spyglass.domain.filters import Condition
from spyglass.domain.model import Observation

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Keyset:
    time_us: int
    id: str


def cursor_fits(value: float, item_id: str) -> bool:
    """Whether a decoded cursor's parts can be compared with stored rows (64-bit numbers, a storable id): a forged
    cursor outside that is refused with a 400 instead of failing the query."""
    return -(2**62) <= value <= 2**62 and len(item_id) <= 1000 and "\x00" not in item_id


@dataclass(frozen=True, slots=True)
class CursorPage(Generic[T]):
    """`next` is where the following page starts; None on the last page."""

    items: tuple[T, ...]
    next: Keyset | None


@dataclass(frozen=True, slots=True)
class ObservationQuery:
    name: str | None = None
    user_id: str | None = None
    session_id: str | None = None
    type: str | None = None
    trace_id: str | None = None
    level: str | None = None
    parent_observation_id: str | None = None  # "" matches observations without a parent
    is_root: bool | None = None
    environments: tuple[str, ...] = ()
    from_start_time: datetime | None = None
    to_start_time: datetime | None = None
    version: str | None = None
    conditions: tuple[Condition, ...] = ()


@dataclass(frozen=True, slots=True)
class TracedObservation:
    """An observation with the fields of its trace that the v2 list can show."""

    observation: Observation
    trace_name: str | None = None
    user_id: str | None = None
    session_id: str | None = None
    tags: tuple[str, ...] = ()
    release: str | None = None
    public: bool = False
    bookmarked: bool = False


@dataclass(frozen=True, slots=True)
class ScoreQuery:
    """Each tuple matches any of its values; an empty tuple does not filter."""

    ids: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    data_types: tuple[str, ...] = ()
    environments: tuple[str, ...] = ()
    config_ids: tuple[str, ...] = ()
    queue_ids: tuple[str, ...] = ()
    author_user_ids: tuple[str, ...] = ()
    values: tuple[float | str, ...] = ()
    value_min: float | None = None
    value_max: float | None = None
    trace_ids: tuple[str, ...] = ()
    session_ids: tuple[str, ...] = ()
    observation_ids: tuple[str, ...] = ()
    dataset_run_ids: tuple[str, ...] = ()
    from_timestamp: datetime | None = None
    to_timestamp: datetime | None = None
