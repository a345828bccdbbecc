"""Langfuse's experiments reads over the dataset tables, as shared operations in store/datasets.py's style (one SQL
for both backends, run by their runners): experiments are runs aggregated over their items in a time window,
experiment items are run items joined to their run, dataset item, trace and linked observation. Both are ordered
newest first and paged by a (time, id) keyset."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from spyglass.domain.cursor_pages import CursorPage, Keyset
from spyglass.domain.experiments import Experiment, ExperimentItem, ExperimentQuery
from spyglass.store.datasets import Program, Row, Sql, _load, _when, marks, maybe_when

# filter column -> SQL of the experiment list / the item list
_RUN_COLUMNS = {"id": "r.id", "name": "r.name", "datasetId": "r.dataset_id"}
_ITEM_COLUMNS = {
    "experimentId": "r.id", "experimentName": "r.name", "experimentItemId": "x.dataset_item_id",
    "datasetId": "r.dataset_id",
}  # fmt: skip


def _json(value: Any) -> Any:
    """A trace's or observation's JSON column: text in SQLite, `metadata` is jsonb (already decoded) in PostgreSQL."""
    return _load(value) if isinstance(value, (str, bytes)) else value


def _time_us(value: Any) -> int:
    when = _when(value)
    return int(when.timestamp()) * 1_000_000 + when.microsecond


def _matching(query: ExperimentQuery, columns: dict[str, str]) -> tuple[list[str], list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    for column, values in query.matches:
        clauses.append(f"{columns[column]} IN ({marks(values)})")
        params.extend(values)
    for cond in query.conditions:
        sql = columns[cond.column]
        values = (cond.value,) if isinstance(cond.value, str) else tuple(cond.value)
        if not values:
            clauses.append("1 = 0" if cond.operator != "none of" else "1 = 1")
            continue
        negate = "NOT " if cond.operator == "none of" else ""
        clauses.append(f"{sql} {negate}IN ({marks(values)})")
        params.extend(values)
    return clauses, params


def _window(query: ExperimentQuery) -> tuple[list[str], list[Any]]:
    clauses, params = ["x.project_id = ?", "x.created_at >= ?"], [query.start]
    if query.end is not None:
        clauses.append("x.created_at < ?")
        params.append(query.end)
    return clauses, params


def _experiment(row: Row) -> Experiment:
    return Experiment(
        id=row["id"], name=row["name"], description=row["description"], metadata=_load(row["metadata"]),
        dataset_id=row["dataset_id"], start_time=_when(row["first_at"]), end_time=_when(row["last_at"]),
        item_count=int(row["items"]),
    )  # fmt: skip


def list_experiments(project_id: str, query: ExperimentQuery) -> Program[CursorPage[Experiment]]:
    """Runs with items in the window, by their latest item time descending."""
    window, params = _window(query)
    matching, match_params = _matching(query, _RUN_COLUMNS)
    having, having_params = "", []
    if query.after is not None:
        having = " HAVING max(x.created_at) < ? OR (max(x.created_at) = ? AND r.id < ?)"
        after = _from_us(query.after.time_us)
        having_params = [after, after, query.after.id]
    rows = yield Sql(
        "SELECT r.id, r.name, r.description, r.metadata, r.dataset_id, min(x.created_at) AS first_at,"
        " max(x.created_at) AS last_at, count(*) AS items FROM dataset_run_items x"
        " JOIN dataset_runs r ON r.project_id = x.project_id AND r.id = x.run_id"
        f" WHERE {' AND '.join([*window, *matching])}"
        " GROUP BY r.id, r.name, r.description, r.metadata, r.dataset_id"
        f"{having} ORDER BY max(x.created_at) DESC, r.id DESC LIMIT ?",
        (project_id, *params, *match_params, *having_params, query.limit + 1),
    )
    found = tuple(_experiment(r) for r in rows[: query.limit])
    more = len(rows) > query.limit
    return CursorPage(found, Keyset(_time_us(rows[query.limit - 1]["last_at"]), found[-1].id) if more else None)


def _item(row: Row) -> ExperimentItem:
    observed = row["obs_id"] is not None
    return ExperimentItem(
        id=row["obs_id"] if observed else row["trace_id"], trace_id=row["trace_id"],
        start_time=_when(row["created_at"]), end_time=maybe_when(row["obs_end"] if observed else row["trace_end"]),
        level=row["obs_level"] or "DEFAULT", environment=row["obs_env"] or row["trace_env"] or "default",
        experiment_id=row["run_id"], experiment_name=row["run_name"], experiment_description=row["run_description"],
        experiment_metadata=_load(row["run_metadata"]), experiment_item_id=row["dataset_item_id"],
        dataset_id=row["dataset_id"], item_version=_when(row["item_version"]),
        input=_json(row["obs_input"] if observed else row["trace_input"]),
        output=_json(row["obs_output"] if observed else row["trace_output"]),
        expected_output=_load(row["expected_output"]),
        metadata=_json(row["obs_metadata"] if observed else row["trace_metadata"]),
        item_metadata=_load(row["item_metadata"]),
    )  # fmt: skip


def list_experiment_items(project_id: str, query: ExperimentQuery) -> Program[CursorPage[ExperimentItem]]:
    """Run items in the window, newest first (ties by run item id)."""
    window, params = _window(query)
    matching, match_params = _matching(query, _ITEM_COLUMNS)
    if query.after is not None:
        after = _from_us(query.after.time_us)
        matching.append("(x.created_at < ? OR (x.created_at = ? AND x.id < ?))")
        match_params.extend([after, after, query.after.id])
    rows = yield Sql(
        "SELECT x.id AS run_item_id, x.trace_id, x.dataset_item_id, x.created_at, r.id AS run_id,"
        " r.name AS run_name, r.description AS run_description, r.metadata AS run_metadata, r.dataset_id,"
        " i.expected_output, i.metadata AS item_metadata, i.updated_at AS item_version,"
        " o.id AS obs_id, o.end_time AS obs_end, o.level AS obs_level, o.environment AS obs_env,"
        " o.input AS obs_input, o.output AS obs_output, o.metadata AS obs_metadata,"
        " t.end_time AS trace_end, t.environment AS trace_env, t.input AS trace_input, t.output AS trace_output,"
        " t.metadata AS trace_metadata FROM dataset_run_items x"
        " JOIN dataset_runs r ON r.project_id = x.project_id AND r.id = x.run_id"
        " JOIN dataset_items i ON i.project_id = x.project_id AND i.id = x.dataset_item_id"
        " LEFT JOIN observations o ON o.project_id = x.project_id AND o.id = x.observation_id"
        " LEFT JOIN traces t ON t.project_id = x.project_id AND t.id = x.trace_id"
        f" WHERE {' AND '.join([*window, *matching])} ORDER BY x.created_at DESC, x.id DESC LIMIT ?",
        (project_id, *params, *match_params, query.limit + 1),
    )
    found = tuple(_item(r) for r in rows[: query.limit])
    more = len(rows) > query.limit
    last = rows[query.limit - 1] if more else None
    return CursorPage(found, Keyset(_time_us(last["created_at"]), last["run_item_id"]) if last else None)


def _from_us(time_us: int) -> datetime:
    return _when(time_us)
