"""Compact rows for the UI's tables and their filters: what a list shows, never whole inputs or outputs.

Lists are keyset-paged: a `Cursor` is the (sort value, id) of the last row shown, so a page costs the same on a
million traces as on ten. Times are aware UTC datetimes; latencies are seconds; costs are in USD.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

R = TypeVar("R")


class SortField(enum.StrEnum):
    TIMESTAMP = "timestamp"
    LATENCY = "latency"
    COST = "cost"
    TOKENS = "tokens"


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where the next page starts: strictly after (value, id) in the list's order."""

    value: float
    id: str


@dataclass(frozen=True, slots=True)
class TraceQuery:
    from_timestamp: datetime | None = None
    to_timestamp: datetime | None = None
    name: str | None = None
    user_id: str | None = None
    session_id: str | None = None
    tags: tuple[str, ...] = ()
    level: str | None = None
    environment: str | None = None
    release: str | None = None
    version: str | None = None
    score_name: str | None = None
    score_min: float | None = None
    score_max: float | None = None
    search: str | None = None
    bookmarked: bool = False
    sort: SortField = SortField.TIMESTAMP
    descending: bool = True


@dataclass(frozen=True, slots=True)
class GenerationQuery:
    from_timestamp: datetime | None = None
    to_timestamp: datetime | None = None
    name: str | None = None
    model: str | None = None
    user_id: str | None = None
    level: str | None = None
    environment: str | None = None
    prompt_name: str | None = None
    sort: SortField = SortField.TIMESTAMP
    descending: bool = True


@dataclass(frozen=True, slots=True)
class ScoreBadge:
    """One score name's figure on a row: the mean of numeric values, or the latest categorical value."""

    name: str
    value: float | None
    string_value: str | None
    count: int = 1


@dataclass(frozen=True, slots=True)
class TraceRow:
    id: str
    timestamp: datetime
    name: str | None
    user_id: str | None
    session_id: str | None
    tags: tuple[str, ...]
    level: str
    environment: str
    latency_seconds: float
    observation_count: int
    input_tokens: int
    output_tokens: int
    total_tokens: int
    total_cost: float
    input_preview: str
    output_preview: str
    bookmarked: bool
    scores: tuple[ScoreBadge, ...] = ()


@dataclass(frozen=True, slots=True)
class GenerationRow:
    id: str
    trace_id: str
    name: str | None
    start_time: datetime
    model: str | None
    level: str
    latency_seconds: float | None
    time_to_first_token_seconds: float | None
    input_tokens: int
    output_tokens: int
    total_tokens: int
    total_cost: float | None
    prompt_name: str | None
    prompt_version: int | None
    input_preview: str
    output_preview: str


@dataclass(frozen=True, slots=True)
class RowPage(Generic[R]):
    """A keyset page: `next_cursor` is None on the last page."""

    items: tuple[R, ...]
    next_cursor: Cursor | None


@dataclass(frozen=True, slots=True)
class UserSummary:
    user_id: str
    trace_count: int
    session_count: int
    total_tokens: int
    total_cost: float
    first_seen: datetime
    last_seen: datetime


@dataclass(frozen=True, slots=True)
class Bucket:
    label: str
    count: int


@dataclass(frozen=True, slots=True)
class ScoreDistribution:
    """How one score name's values spread: ten equal bins for numbers, one bucket per category otherwise."""

    name: str
    data_type: str
    count: int
    mean: float | None
    buckets: tuple[Bucket, ...]
