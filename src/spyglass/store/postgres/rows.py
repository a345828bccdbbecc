"""PostgreSQL rows <-> domain records and fold records. Private to the postgres backend.

Fold records (domain/merge.py) keep times as integer microseconds since the epoch, as every backend does; rows keep
TIMESTAMPTZ. PostgreSQL refuses NUL characters in TEXT and JSONB, so they are stored as U+FFFD (docs/storage.md).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson

from spyglass.domain.bounds import datetime_from_us
from spyglass.domain.merge import Record
from spyglass.domain.model import (
    LEVEL_RANK,
    ApiKey,
    Observation,
    Project,
    Score,
    Trace,
    TraceRollup,
)
from spyglass.domain.usage import token_totals

Row = dict[str, Any]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_LEVELS = {rank: name for name, rank in LEVEL_RANK.items()}

TRACE_COLUMNS = (
    "project_id", "id", "timestamp", "name", "user_id", "session_id", "release", "version", "environment",
    "tags", "metadata", "input", "output", "public", "bookmarked", "field_ts", "created_at", "updated_at",
)  # fmt: skip
OBSERVATION_COLUMNS = (
    "project_id", "id", "trace_id", "parent_observation_id", "type", "name", "start_time", "end_time",
    "completion_start_time", "level", "status_message", "version", "environment", "model", "model_parameters",
    "input", "output", "metadata", "usage_details", "cost_details", "total_cost", "input_tokens", "output_tokens",
    "total_tokens", "prompt_name", "prompt_version", "field_ts", "created_at", "updated_at",
)  # fmt: skip
SCORE_COLUMNS = (
    "project_id", "id", "timestamp", "name", "value", "string_value", "data_type", "source", "trace_id",
    "observation_id", "session_id", "dataset_run_id", "comment", "metadata", "config_id", "author_user_id",
    "environment", "field_ts", "created_at", "updated_at", "queue_id",
)  # fmt: skip
JSONB_COLUMNS = frozenset(("metadata", "model_parameters", "usage_details", "cost_details", "field_ts"))
TIME_COLUMNS = frozenset(
    ("timestamp", "start_time", "end_time", "completion_start_time", "created_at", "updated_at")
)  # fmt: skip
COLUMNS = {"traces": TRACE_COLUMNS, "observations": OBSERVATION_COLUMNS, "scores": SCORE_COLUMNS}


def dt(value: int | None) -> datetime | None:
    """Microseconds since the epoch -> aware UTC datetime."""
    if value is None:
        return None
    return datetime_from_us(value)


def micros(value: datetime | None) -> int | None:
    """Aware (or naive = UTC) datetime -> microseconds since the epoch."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    delta = value - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, dict):
        return {_clean(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


def text(value: str | None) -> str | None:
    return value.replace("\x00", "\ufffd") if value is not None and "\x00" in value else value


def jsonb(value: Any) -> str | None:
    """A JSONB parameter as JSON text (cast with ::jsonb in the SQL)."""
    if value is None:
        return None
    out = orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)
    if b"\\u0000" in out:
        out = orjson.dumps(_clean(value), option=orjson.OPT_NON_STR_KEYS)
    return out.decode()


def _load(raw: str | None) -> Any:
    if raw is None:
        return None
    return orjson.loads(raw)


# --- fold records (the write side) ---


def record_from_row(row: Row) -> Record:
    """A stored row as a fold record: times as microseconds, input/output kept as JSON text."""
    record: Record = {}
    for key, value in row.items():
        if isinstance(value, datetime):
            record[key] = micros(value)
        elif key == "tags":
            record[key] = list(value)
        else:
            record[key] = value
    record["_ts"] = record.pop("field_ts")
    return record


def trace_row(record: Record, now: int) -> tuple[Any, ...]:
    return (
        record["project_id"], record["id"], dt(record.get("timestamp") or now), text(record.get("name")),
        text(record.get("user_id")), text(record.get("session_id")), text(record.get("release")),
        text(record.get("version")), text(record.get("environment")) or "default",
        [text(t) for t in record.get("tags") or []], jsonb(record.get("metadata")), text(record.get("input")),
        text(record.get("output")), bool(record.get("public")), bool(record.get("bookmarked")),
        jsonb(record.get("_ts", {})), dt(record.get("created_at") or now), dt(now),
    )  # fmt: skip


def observation_row(record: Record, now: int) -> tuple[Any, ...]:
    usage = record.get("usage_details") or {}
    costs = record.get("cost_details") or {}
    inp, out, total = token_totals(usage)
    total_cost = costs.get("total") if costs else None
    return (
        record["project_id"], record["id"], record["trace_id"], text(record.get("parent_observation_id")),
        record.get("type") or "SPAN", text(record.get("name")), dt(record.get("start_time") or now),
        dt(record.get("end_time")), dt(record.get("completion_start_time")), record.get("level") or "DEFAULT",
        text(record.get("status_message")), text(record.get("version")),
        text(record.get("environment")) or "default", text(record.get("model")),
        jsonb(record.get("model_parameters")), text(record.get("input")), text(record.get("output")),
        jsonb(record.get("metadata")), jsonb(usage), jsonb(costs), total_cost, inp, out, total,
        text(record.get("prompt_name")), record.get("prompt_version"), jsonb(record.get("_ts", {})),
        dt(record.get("created_at") or now), dt(now),
    )  # fmt: skip


def score_row(record: Record, now: int) -> tuple[Any, ...]:
    return (
        record["project_id"], record["id"], dt(record.get("timestamp") or now), text(record["name"]),
        record.get("value"), text(record.get("string_value")), record.get("data_type") or "NUMERIC",
        record.get("source") or "API", text(record.get("trace_id")), text(record.get("observation_id")),
        text(record.get("session_id")), text(record.get("dataset_run_id")), text(record.get("comment")),
        jsonb(record.get("metadata")), text(record.get("config_id")), text(record.get("author_user_id")),
        text(record.get("environment")) or "default", jsonb(record.get("_ts", {})),
        dt(record.get("created_at") or now), dt(now), text(record.get("queue_id")),
    )  # fmt: skip


ROW_BUILDERS = {"traces": trace_row, "observations": observation_row, "scores": score_row}


# --- domain records (the read side) ---


def _req(value: datetime | None) -> datetime:
    assert value is not None
    return value


def project_from_row(row: Row) -> Project:
    return Project(id=row["id"], name=row["name"], created_at=row["created_at"])


def api_key_from_row(row: Row) -> ApiKey:
    return ApiKey(
        id=row["id"], project_id=row["project_id"], public_key=row["public_key"], secret_hash=row["secret_hash"],
        display_secret=row["display_secret"], created_at=row["created_at"], revoked_at=row["revoked_at"],
        note=row["note"],
    )  # fmt: skip


def trace_from_row(row: Row) -> Trace:
    return Trace(
        id=row["id"], project_id=row["project_id"], timestamp=row["timestamp"], name=row["name"],
        user_id=row["user_id"], session_id=row["session_id"], release=row["release"], version=row["version"],
        environment=row["environment"], tags=tuple(row["tags"]), metadata=row["metadata"],
        input=_load(row["input"]), output=_load(row["output"]), public=row["public"], bookmarked=row["bookmarked"],
        rollup=TraceRollup(
            observation_count=row["observation_count"], start_time=row["start_time"], end_time=row["end_time"],
            total_cost=row["total_cost"] or 0.0, input_tokens=row["input_tokens"],
            output_tokens=row["output_tokens"], total_tokens=row["total_tokens"],
            level=_LEVELS.get(row["level_rank"], "DEFAULT"),
        ),
        created_at=row["created_at"], updated_at=row["updated_at"],
    )  # fmt: skip


def observation_from_row(row: Row) -> Observation:
    return Observation(
        id=row["id"], project_id=row["project_id"], trace_id=row["trace_id"], type=row["type"],
        start_time=row["start_time"], parent_observation_id=row["parent_observation_id"], name=row["name"],
        end_time=row["end_time"], completion_start_time=row["completion_start_time"], level=row["level"],
        status_message=row["status_message"], version=row["version"], environment=row["environment"],
        model=row["model"], model_parameters=row["model_parameters"], input=_load(row["input"]),
        output=_load(row["output"]), metadata=row["metadata"], usage_details=row["usage_details"],
        cost_details=row["cost_details"], prompt_name=row["prompt_name"], prompt_version=row["prompt_version"],
        created_at=row["created_at"], updated_at=row["updated_at"],
    )  # fmt: skip


def score_from_row(row: Row) -> Score:
    return Score(
        id=row["id"], project_id=row["project_id"], name=row["name"], timestamp=row["timestamp"],
        data_type=row["data_type"], source=row["source"], value=row["value"], string_value=row["string_value"],
        trace_id=row["trace_id"], observation_id=row["observation_id"], session_id=row["session_id"],
        dataset_run_id=row["dataset_run_id"], comment=row["comment"], metadata=row["metadata"],
        config_id=row["config_id"], author_user_id=row["author_user_id"], environment=row["environment"],
        created_at=row["created_at"], updated_at=row["updated_at"], queue_id=row["queue_id"],
    )  # fmt: skip
