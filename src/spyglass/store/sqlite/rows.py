"""SQLite rows <-> domain records and fold records. Private to the sqlite backend."""

from __future__ import annotations

import sqlite3
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
_JSON_RECORD_FIELDS = ("tags", "metadata", "model_parameters", "usage_details", "cost_details")


def dt(value: int | None) -> datetime | None:
    if value is None:
        return None
    return datetime_from_us(value)


def _dump(value: Any) -> str | None:
    if value is None:
        return None
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def _load(text: str | None) -> Any:
    if text is None:
        return None
    return orjson.loads(text)


# --- fold records (the write side) ---


def record_from_row(row: sqlite3.Row) -> Record:
    """A stored row as a fold record: JSON columns decoded, input/output kept as JSON text."""
    record: Record = {key: row[key] for key in row.keys()}  # noqa: SIM118 (sqlite3.Row needs keys())
    for key in _JSON_RECORD_FIELDS:
        if key in record and record[key] is not None:
            record[key] = orjson.loads(record[key])
    record["_ts"] = orjson.loads(record.pop("field_ts"))
    if "public" in record:
        record["public"] = bool(record["public"])
        record["bookmarked"] = bool(record["bookmarked"])
    return record


def trace_row(record: Record, now: int) -> tuple[Any, ...]:
    return (
        record["project_id"], record["id"], record.get("timestamp") or now, record.get("name"),
        record.get("user_id"), record.get("session_id"), record.get("release"), record.get("version"),
        record.get("environment") or "default", _dump(record.get("tags") or []), _dump(record.get("metadata")),
        record.get("input"), record.get("output"), int(bool(record.get("public"))),
        int(bool(record.get("bookmarked"))), _dump(record.get("_ts", {})), record.get("created_at") or now, now,
    )  # fmt: skip


def observation_row(record: Record, now: int) -> tuple[Any, ...]:
    usage = record.get("usage_details") or {}
    costs = record.get("cost_details") or {}
    inp, out, total = token_totals(usage)
    total_cost = costs.get("total") if costs else None
    return (
        record["project_id"], record["id"], record["trace_id"], record.get("parent_observation_id"),
        record.get("type") or "SPAN", record.get("name"), record.get("start_time") or now, record.get("end_time"),
        record.get("completion_start_time"), record.get("level") or "DEFAULT", record.get("status_message"),
        record.get("version"), record.get("environment") or "default", record.get("model"),
        _dump(record.get("model_parameters")), record.get("input"), record.get("output"),
        _dump(record.get("metadata")), _dump(usage), _dump(costs), total_cost, inp, out, total,
        record.get("prompt_name"), record.get("prompt_version"), _dump(record.get("_ts", {})),
        record.get("created_at") or now, now,
    )  # fmt: skip


def score_row(record: Record, now: int) -> tuple[Any, ...]:
    return (
        record["project_id"], record["id"], record.get("timestamp") or now, record["name"], record.get("value"),
        record.get("string_value"), record.get("data_type") or "NUMERIC", record.get("source") or "API",
        record.get("trace_id"), record.get("observation_id"), record.get("session_id"),
        record.get("dataset_run_id"), record.get("comment"), _dump(record.get("metadata")),
        record.get("config_id"), record.get("author_user_id"), record.get("environment") or "default",
        _dump(record.get("_ts", {})), record.get("created_at") or now, now, record.get("queue_id"),
    )  # fmt: skip


# --- domain records (the read side) ---


def project_from_row(row: sqlite3.Row) -> Project:
    return Project(id=row["id"], name=row["name"], created_at=_req(dt(row["created_at"])))


def api_key_from_row(row: sqlite3.Row) -> ApiKey:
    return ApiKey(
        id=row["id"], project_id=row["project_id"], public_key=row["public_key"], secret_hash=row["secret_hash"],
        display_secret=row["display_secret"], created_at=_req(dt(row["created_at"])),
        revoked_at=dt(row["revoked_at"]), note=row["note"],
    )  # fmt: skip


def _req(value: datetime | None) -> datetime:
    assert value is not None
    return value


def trace_from_row(row: sqlite3.Row) -> Trace:
    return Trace(
        id=row["id"], project_id=row["project_id"], timestamp=_req(dt(row["timestamp"])), name=row["name"],
        user_id=row["user_id"], session_id=row["session_id"], release=row["release"], version=row["version"],
        environment=row["environment"], tags=tuple(orjson.loads(row["tags"])), metadata=_load(row["metadata"]),
        input=_load(row["input"]), output=_load(row["output"]), public=bool(row["public"]),
        bookmarked=bool(row["bookmarked"]),
        rollup=TraceRollup(
            observation_count=row["observation_count"], start_time=dt(row["start_time"]),
            end_time=dt(row["end_time"]), total_cost=row["total_cost"] or 0.0, input_tokens=row["input_tokens"],
            output_tokens=row["output_tokens"], total_tokens=row["total_tokens"],
            level=_LEVELS.get(row["level_rank"], "DEFAULT"),
        ),
        created_at=dt(row["created_at"]), updated_at=dt(row["updated_at"]),
    )  # fmt: skip


def observation_from_row(row: sqlite3.Row) -> Observation:
    return Observation(
        id=row["id"], project_id=row["project_id"], trace_id=row["trace_id"], type=row["type"],
        start_time=_req(dt(row["start_time"])), parent_observation_id=row["parent_observation_id"],
        name=row["name"], end_time=dt(row["end_time"]), completion_start_time=dt(row["completion_start_time"]),
        level=row["level"], status_message=row["status_message"], version=row["version"],
        environment=row["environment"], model=row["model"], model_parameters=_load(row["model_parameters"]),
        input=_load(row["input"]), output=_load(row["output"]), metadata=_load(row["metadata"]),
        usage_details=orjson.loads(row["usage_details"]), cost_details=orjson.loads(row["cost_details"]),
        prompt_name=row["prompt_name"], prompt_version=row["prompt_version"], created_at=dt(row["created_at"]),
        updated_at=dt(row["updated_at"]),
    )  # fmt: skip


def score_from_row(row: sqlite3.Row) -> Score:
    return Score(
        id=row["id"], project_id=row["project_id"], name=row["name"], timestamp=_req(dt(row["timestamp"])),
        data_type=row["data_type"], source=row["source"], value=row["value"], string_value=row["string_value"],
        trace_id=row["trace_id"], observation_id=row["observation_id"], session_id=row["session_id"],
        dataset_run_id=row["dataset_run_id"], comment=row["comment"], metadata=_load(row["metadata"]),
        config_id=row["config_id"], author_user_id=row["author_user_id"], environment=row["environment"],
        created_at=dt(row["created_at"]), updated_at=dt(row["updated_at"]), queue_id=row["queue_id"],
    )  # fmt: skip
