"""Read-side domain records: what the store returns and the API and UI show.

Times are aware UTC datetimes. JSON-like values (input, output, metadata) are plain Python values.
No I/O and no wire or row shapes here.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


class ObservationType(enum.StrEnum):
    SPAN = "SPAN"
    GENERATION = "GENERATION"
    EVENT = "EVENT"
    AGENT = "AGENT"
    TOOL = "TOOL"
    CHAIN = "CHAIN"
    RETRIEVER = "RETRIEVER"
    EVALUATOR = "EVALUATOR"
    EMBEDDING = "EMBEDDING"
    GUARDRAIL = "GUARDRAIL"


class Level(enum.StrEnum):
    DEBUG = "DEBUG"
    DEFAULT = "DEFAULT"
    WARNING = "WARNING"
    ERROR = "ERROR"


LEVEL_RANK: dict[str, int] = {"DEBUG": 0, "DEFAULT": 1, "WARNING": 2, "ERROR": 3}


class ScoreDataType(enum.StrEnum):
    NUMERIC = "NUMERIC"
    CATEGORICAL = "CATEGORICAL"
    BOOLEAN = "BOOLEAN"
    TEXT = "TEXT"
    CORRECTION = "CORRECTION"


class ScoreSource(enum.StrEnum):
    API = "API"
    ANNOTATION = "ANNOTATION"
    EVAL = "EVAL"


@dataclass(frozen=True, slots=True)
class Project:
    id: str
    name: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ApiKey:
    id: str
    project_id: str
    public_key: str
    secret_hash: str
    display_secret: str
    created_at: datetime
    revoked_at: datetime | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Observation:
    id: str
    project_id: str
    trace_id: str
    type: str
    start_time: datetime
    parent_observation_id: str | None = None
    name: str | None = None
    end_time: datetime | None = None
    completion_start_time: datetime | None = None
    level: str = "DEFAULT"
    status_message: str | None = None
    version: str | None = None
    environment: str = "default"
    model: str | None = None
    model_parameters: dict[str, Any] | None = None
    input: Any = None
    output: Any = None
    metadata: Any = None
    usage_details: dict[str, int] = field(default_factory=dict)
    cost_details: dict[str, float] = field(default_factory=dict)
    prompt_name: str | None = None
    prompt_version: int | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def latency_seconds(self) -> float | None:
        if self.end_time is None:
            return None
        return (self.end_time - self.start_time).total_seconds()

    @property
    def time_to_first_token_seconds(self) -> float | None:
        if self.completion_start_time is None:
            return None
        return (self.completion_start_time - self.start_time).total_seconds()


@dataclass(frozen=True, slots=True)
class Score:
    id: str
    project_id: str
    name: str
    timestamp: datetime
    data_type: str
    source: str = "API"
    value: float | None = None
    string_value: str | None = None
    trace_id: str | None = None
    observation_id: str | None = None
    session_id: str | None = None
    dataset_run_id: str | None = None
    comment: str | None = None
    metadata: Any = None
    config_id: str | None = None
    author_user_id: str | None = None
    environment: str = "default"
    created_at: datetime | None = None
    updated_at: datetime | None = None
    queue_id: str | None = None


@dataclass(frozen=True, slots=True)
class TraceRollup:
    """Figures kept at write time from a trace's observations."""

    observation_count: int = 0
    start_time: datetime | None = None
    end_time: datetime | None = None
    total_cost: float = 0.0
    input_tokens: int = 0
    output_tokens: int = 0
    total_tokens: int = 0
    level: str = "DEFAULT"

    @property
    def latency_seconds(self) -> float:
        if self.start_time is None or self.end_time is None:
            return 0.0
        return max(0.0, (self.end_time - self.start_time).total_seconds())


@dataclass(frozen=True, slots=True)
class Trace:
    id: str
    project_id: str
    timestamp: datetime
    name: str | None = None
    user_id: str | None = None
    session_id: str | None = None
    release: str | None = None
    version: str | None = None
    environment: str = "default"
    tags: tuple[str, ...] = ()
    metadata: Any = None
    input: Any = None
    output: Any = None
    public: bool = False
    bookmarked: bool = False
    rollup: TraceRollup = TraceRollup()
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class TraceDetail:
    trace: Trace
    observations: tuple[Observation, ...]
    scores: tuple[Score, ...]


@dataclass(frozen=True, slots=True)
class Session:
    id: str
    project_id: str
    created_at: datetime
    environment: str = "default"
    trace_count: int = 0
    user_ids: tuple[str, ...] = ()
    first_trace_at: datetime | None = None
    last_trace_at: datetime | None = None
    total_cost: float = 0.0
    total_tokens: int = 0


@dataclass(frozen=True, slots=True)
class SessionDetail:
    session: Session
    traces: tuple[Trace, ...]
