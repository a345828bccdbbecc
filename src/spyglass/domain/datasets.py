"""Datasets and experiments: datasets, their items (with a version history), runs and run items, and the run
comparison the UI shows. Pure types and rules; no I/O (the SQL is in store/datasets.py and the backends).

Names follow the Langfuse API: a dataset run is one experiment over a dataset's items; a run item links one item to
the trace (and optionally the observation) that produced the run's output for it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

MAX_NAME = 255
MAX_ID = 255


class InvalidDataset(ValueError):
    """A request a dataset call can never accept (a missing name, a wrong status); the message names the field."""


class DatasetStatus(enum.StrEnum):
    ACTIVE = "ACTIVE"
    ARCHIVED = "ARCHIVED"


@dataclass(frozen=True, slots=True)
class Dataset:
    id: str
    project_id: str
    name: str
    description: str | None
    metadata: Any
    input_schema: Any
    expected_output_schema: Any
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class DatasetSummary:
    """A dataset with its counts, for lists."""

    dataset: Dataset
    item_count: int
    run_count: int
    last_run_at: datetime | None


@dataclass(frozen=True, slots=True)
class DatasetItem:
    """`version` is when this state of the item became current (its last write)."""

    id: str
    project_id: str
    dataset_id: str
    dataset_name: str
    status: DatasetStatus
    input: Any
    expected_output: Any
    metadata: Any
    source_trace_id: str | None
    source_observation_id: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class DatasetRun:
    id: str
    project_id: str
    dataset_id: str
    dataset_name: str
    name: str
    description: str | None
    metadata: Any
    created_at: datetime
    updated_at: datetime
    item_count: int = 0


@dataclass(frozen=True, slots=True)
class DatasetRunItem:
    id: str
    project_id: str
    dataset_run_id: str
    dataset_run_name: str
    dataset_item_id: str
    trace_id: str
    observation_id: str | None
    created_at: datetime
    updated_at: datetime


# --- writes ---


@dataclass(frozen=True, slots=True)
class NewDataset:
    """Create, or update the description, metadata and schemas of the dataset with this name (fields left None stay)."""

    name: str
    description: str | None = None
    metadata: Any = None
    input_schema: Any = None
    expected_output_schema: Any = None


@dataclass(frozen=True, slots=True)
class ItemUpsert:
    """Upsert by `id`: a new id creates the item in `dataset_name`; a known id updates it. `fields` holds only what
    the request set (`input`, `expected_output`, `metadata`, `source_trace_id`, `source_observation_id`, `status`)."""

    dataset_name: str
    id: str | None
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RunItemLink:
    """Link an item to a trace in the run named `run_name` (created on first use). `run_id` is given when the client
    chose the run's id (the 5.x SDK's experiment id); `dataset_id` when the client named the dataset (5.x spans)."""

    run_name: str
    dataset_item_id: str
    trace_id: str
    observation_id: str | None = None
    run_description: str | None = None
    run_metadata: Any = None
    run_id: str | None = None
    dataset_id: str | None = None
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ItemFilter:
    dataset_name: str | None = None
    source_trace_id: str | None = None
    source_observation_id: str | None = None
    version: datetime | None = None  # the items as they were at this time (needs dataset_name)
    status: DatasetStatus | None = None


def _text(value: Any, what: str, *, required: bool = False, limit: int = MAX_NAME) -> str | None:
    if value is None:
        if required:
            raise InvalidDataset(f"{what} is required")
        return None
    if not isinstance(value, str):
        raise InvalidDataset(f"{what} must be a string, got {type(value).__name__}")
    if required and not value.strip():
        raise InvalidDataset(f"{what} must not be empty")
    if len(value) > limit:
        raise InvalidDataset(f"{what} is {len(value)} characters; at most {limit} are allowed")
    if "\x00" in value:
        raise InvalidDataset(f"{what} must not contain NUL characters")
    return value


def new_dataset(body: dict[str, Any]) -> NewDataset:
    """A dataset create from Langfuse's request body (`name`, `description`, `metadata`, `inputSchema`,
    `expectedOutputSchema`). Raises InvalidDataset naming the field."""
    name = _text(body.get("name"), "name", required=True)
    assert name is not None
    for key in ("inputSchema", "expectedOutputSchema"):
        if body.get(key) is not None and not isinstance(body[key], dict):
            raise InvalidDataset(f"{key} must be a JSON Schema object")
    return NewDataset(
        name=name, description=_text(body.get("description"), "description", limit=10_000),
        metadata=body.get("metadata"), input_schema=body.get("inputSchema"),
        expected_output_schema=body.get("expectedOutputSchema"),
    )  # fmt: skip


def parse_status(value: Any, what: str = "status") -> DatasetStatus:
    try:
        return DatasetStatus(value)
    except ValueError:
        raise InvalidDataset(f"{what} must be ACTIVE or ARCHIVED, got {str(value)[:40]!r}") from None


def item_upsert(body: dict[str, Any]) -> ItemUpsert:
    """An item upsert from Langfuse's request body; explicit nulls count as "not set" (the SDKs send them)."""
    dataset_name = _text(body.get("datasetName"), "datasetName", required=True)
    assert dataset_name is not None
    item_id = _text(body.get("id"), "id", limit=MAX_ID)
    if item_id is not None and not item_id.strip():
        raise InvalidDataset("id must not be empty")
    fields: dict[str, Any] = {}
    for key, name in (("input", "input"), ("expectedOutput", "expected_output"), ("metadata", "metadata")):
        if body.get(key) is not None:
            fields[name] = body[key]
    for key, name in (("sourceTraceId", "source_trace_id"), ("sourceObservationId", "source_observation_id")):
        if body.get(key) is not None:
            fields[name] = _text(body[key], key, limit=MAX_ID)
    if body.get("status") is not None:
        fields["status"] = parse_status(body["status"])
    return ItemUpsert(dataset_name=dataset_name, id=item_id, fields=fields)


def run_item_link(body: dict[str, Any]) -> RunItemLink:
    """A run-item create from Langfuse's request body (`runName`, `datasetItemId`, `traceId`, `observationId`,
    `runDescription`, `metadata`). A link with only `observationId` is completed by the store (its trace)."""
    run_name = _text(body.get("runName"), "runName", required=True)
    item_id = _text(body.get("datasetItemId"), "datasetItemId", required=True, limit=MAX_ID)
    trace_id = _text(body.get("traceId"), "traceId", limit=MAX_ID)
    observation_id = _text(body.get("observationId"), "observationId", limit=MAX_ID)
    if trace_id is None and observation_id is None:
        raise InvalidDataset("traceId (or observationId) is required to link a dataset item to a run")
    assert run_name is not None and item_id is not None
    return RunItemLink(
        run_name=run_name, dataset_item_id=item_id, trace_id=trace_id or "", observation_id=observation_id,
        run_description=_text(body.get("runDescription"), "runDescription", limit=10_000),
        run_metadata=body.get("metadata"),
    )  # fmt: skip


# --- comparing runs (the UI's compare page) ---


@dataclass(frozen=True, slots=True)
class RunCell:
    """One run's result for one item: the output preview, latency (s), cost and scores (mean per name)."""

    trace_id: str
    observation_id: str | None
    output: str | None
    latency: float | None
    cost: float | None
    scores: dict[str, float | str]


@dataclass(frozen=True, slots=True)
class ComparedItem:
    item_id: str
    input: str | None
    expected_output: str | None
    cells: dict[str, RunCell]  # by run id
    delta: float | None = None  # the sort score of the last run minus the first run's, when both have it


@dataclass(frozen=True, slots=True)
class RunAggregate:
    run: DatasetRun
    items: int
    average_latency: float | None
    total_cost: float | None
    scores: dict[str, float]  # mean of numeric scores per name, over the run's items
    run_scores: dict[str, float]  # scores on the run itself (`datasetRunId`), mean per name


@dataclass(frozen=True, slots=True)
class RunComparison:
    dataset: Dataset
    runs: tuple[RunAggregate, ...]
    items: tuple[ComparedItem, ...]
    total_items: int
    score_names: tuple[str, ...]
    available_runs: tuple[DatasetRun, ...] = ()  # every run of the dataset, newest first (item counts left 0)


def score_delta(cells: dict[str, RunCell], first: str, last: str, score: str) -> float | None:
    """The numeric score `score` of run `last` minus that of run `first` for one item; None when either lacks it."""
    a, b = cells.get(first), cells.get(last)
    if a is None or b is None:
        return None
    x, y = a.scores.get(score), b.scores.get(score)
    if isinstance(x, (int, float)) and isinstance(y, (int, float)):
        return float(y) - float(x)
    return None
