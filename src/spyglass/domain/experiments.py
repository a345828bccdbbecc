"""Langfuse's experiments read model: an experiment is a dataset run, its items are the run's items with their
trace (or linked observation). Queries are bounded by a start-time window and paged by a keyset cursor."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from spyglass.domain.cursor_pages import Keyset
from spyglass.domain.filters import Condition

# Filterable columns and the query parameters that name them (the structured `filter` takes the same names).
EXPERIMENT_COLUMNS = ("id", "name", "datasetId")
EXPERIMENT_ITEM_COLUMNS = ("experimentId", "experimentName", "experimentItemId", "datasetId")
# Operators a condition on those columns may use (string "=" and the option lists).
MATCH_OPERATORS = ("=", "any of", "none of")


@dataclass(frozen=True, slots=True)
class ExperimentQuery:
    """`matches`: column -> the values it must be one of (comma lists of the plain parameters); `conditions`: the
    checked `filter` entries; items of the runs count when `start <= time < end` (end optional)."""

    start: datetime
    end: datetime | None
    matches: tuple[tuple[str, tuple[str, ...]], ...]
    conditions: tuple[Condition, ...]
    after: Keyset | None
    limit: int


@dataclass(frozen=True, slots=True)
class Experiment:
    id: str
    name: str
    description: str | None
    metadata: Any
    dataset_id: str
    start_time: datetime
    end_time: datetime
    item_count: int


@dataclass(frozen=True, slots=True)
class ExperimentItem:
    """One run item: `id` is the linked observation's id (the trace's when none), `start_time` when it was run."""

    id: str
    trace_id: str
    start_time: datetime
    end_time: datetime | None
    level: str
    environment: str
    experiment_id: str
    experiment_name: str
    experiment_description: str | None
    experiment_metadata: Any
    experiment_item_id: str
    dataset_id: str
    item_version: datetime
    input: Any
    output: Any
    expected_output: Any
    metadata: Any
    item_metadata: Any
