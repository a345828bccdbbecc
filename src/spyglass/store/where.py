"""WHERE clauses built filter by filter, shared by the SQL backends (each sets its dialect's hooks).

The structured `filter` conditions (domain/filters.py) become SQL here, once for both backends: `add_conditions`
with a column map from `trace_columns`, `observation_columns` or `score_columns`. Values are always bound.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

from spyglass.domain.filters import Condition
from spyglass.domain.model import LEVEL_RANK
from spyglass.store.base import ObservationFilter, ScoreFilter, TraceFilter

_COMPARE = frozenset({"=", ">", "<", ">=", "<=", "<>"})

# `orderBy` fields of the trace list -> SQL (the same in both backends)
TRACE_ORDER_COLUMNS = {
    "timestamp": "timestamp", "name": "name", "userId": "user_id", "user_id": "user_id",
    "sessionId": "session_id", "session_id": "session_id", "release": "release", "version": "version",
    "latency": "(coalesce(end_time, start_time) - start_time)", "totalCost": "total_cost",
    "total_cost": "total_cost", "tokens": "total_tokens", "totalTokens": "total_tokens", "id": "id",
    "public": "public", "bookmarked": "bookmarked",
}  # fmt: skip


class Where:
    """Clauses joined by AND, with their parameters in order. Always scoped to one project."""

    mark = "?"

    def __init__(self, project_id: str, project_column: str = "project_id") -> None:
        self.clauses = [f"{project_column} = {self.mark}"]
        self.params: list[Any] = [project_id]

    def time(self, value: datetime) -> Any:
        """A datetime as the backend stores it."""
        return value

    def add(self, clause: str, *params: Any) -> None:
        self.clauses.append(clause)
        self.params.extend(params)

    def eq(self, column: str, value: Any) -> None:
        if value is not None:
            self.add(f"{column} = {self.mark}", value)

    def within(self, column: str, start: datetime | None, end: datetime | None) -> None:
        """start <= column < end, each bound only when given."""
        if start is not None:
            self.add(f"{column} >= {self.mark}", self.time(start))
        if end is not None:
            self.add(f"{column} < {self.mark}", self.time(end))

    def any_of(self, column: str, values: tuple[str, ...]) -> None:
        if values:
            self.add(f"{column} IN ({', '.join(self.mark for _ in values)})", *values)

    def has_tags(self, column: str, tags: tuple[str, ...]) -> None:
        """Rows whose JSON tag list holds every one of `tags` (SQLite's JSON text; PostgreSQL overrides)."""
        for tag in tags:
            self.add(f"EXISTS (SELECT 1 FROM json_each({column}) WHERE json_each.value = {self.mark})", tag)

    def of_user(self, table: str, user_id: str | None) -> None:
        """Rows of `table` (observations, scores) whose trace belongs to `user_id`."""
        if user_id is not None:
            self.add(
                f"trace_id IN (SELECT id FROM traces WHERE traces.project_id = {table}.project_id"
                f" AND user_id = {self.mark})",
                user_id,
            )

    # dialect hooks of the structured filter (SQLite's here; PostgreSQL overrides)
    text_mark = "?"  # a parameter that is text

    def position(self, sql: str, mark: str) -> str:
        """SQL for the 1-based position of the text bound at `mark` in `sql` (0 when absent)."""
        return f"instr({sql}, {mark})"

    def seconds(self, start: str, end: str) -> str:
        """SQL for the seconds from `start` to `end` (two time columns)."""
        return f"(({end} - {start}) / 1e6)"

    def boolean(self, value: bool) -> Any:
        return int(value)

    def json_text(self, column: str, key: str) -> tuple[str, list[Any]]:
        """SQL (and its parameters) for the top-level `key` of a JSON object column, as text."""
        path = '$."' + key.replace('"', '\\"') + '"'
        value = f"json_extract({column}, {self.mark})"
        return (f"(CASE json_type({column}, {self.mark}) WHEN 'true' THEN 'true' WHEN 'false' THEN 'false'"
                f" WHEN 'object' THEN {value} WHEN 'array' THEN {value} ELSE CAST({value} AS TEXT) END)",
                [path] * 4)  # fmt: skip

    def json_number(self, column: str, key: str) -> tuple[str, list[Any]]:
        """SQL for the top-level `key` of a JSON object column when it is a number, else NULL."""
        path = '$."' + key.replace('"', '\\"') + '"'
        return (f"(CASE WHEN json_type({column}, {self.mark}) IN ('integer', 'real')"
                f" THEN json_extract({column}, {self.mark}) END)", [path, path])  # fmt: skip

    def tags_match(self, column: str, operator: str, tags: tuple[str, ...]) -> tuple[str, list[Any]]:
        """`column` (a trace's tags) holds any of / all of / none of `tags`."""
        exists = f"EXISTS (SELECT 1 FROM json_each({column}) WHERE json_each.value = {self.mark})"
        if not tags:
            return ("1 = 0" if operator == "any of" else "1 = 1"), []
        if operator == "any of":
            return "(" + " OR ".join(exists for _ in tags) + ")", list(tags)
        if operator == "all of":
            return "(" + " AND ".join(exists for _ in tags) + ")", list(tags)
        return "NOT (" + " OR ".join(exists for _ in tags) + ")", list(tags)

    @property
    def sql(self) -> str:
        return " AND ".join(self.clauses)


W = TypeVar("W", bound=Where)


def filter_traces(where: W, flt: TraceFilter) -> W:
    """Add the public API's trace filters to `where`."""
    where.eq("user_id", flt.user_id)
    where.eq("name", flt.name)
    where.eq("session_id", flt.session_id)
    where.eq("version", flt.version)
    where.eq("release", flt.release)
    where.within("timestamp", flt.from_timestamp, flt.to_timestamp)
    where.any_of("environment", flt.environments)
    where.has_tags("traces.tags", flt.tags)
    return add_conditions(where, flt.conditions, trace_columns(where))


def filter_observations(where: W, flt: ObservationFilter) -> W:
    """Add the public API's observation filters to `where`."""
    where.eq("trace_id", flt.trace_id)
    where.eq("type", flt.type)
    where.eq("name", flt.name)
    where.eq("level", flt.level)
    where.eq("parent_observation_id", flt.parent_observation_id)
    where.eq("version", flt.version)
    where.within("start_time", flt.from_start_time, flt.to_start_time)
    where.any_of("environment", flt.environments)
    where.of_user("observations", flt.user_id)
    return add_conditions(where, flt.conditions, observation_columns(where))


def filter_scores(where: W, flt: ScoreFilter) -> W:
    """Add the public API's score filters to `where`."""
    where.eq("trace_id", flt.trace_id)
    where.eq("observation_id", flt.observation_id)
    where.eq("session_id", flt.session_id)
    where.eq("name", flt.name)
    where.eq("source", flt.source)
    where.eq("data_type", flt.data_type)
    where.within("timestamp", flt.from_timestamp, flt.to_timestamp)
    where.any_of("id", flt.score_ids)
    where.any_of("queue_id", flt.queue_ids)
    where.any_of("environment", flt.environments)
    where.of_user("scores", flt.user_id)
    where.eq("config_id", flt.config_id)
    where.eq("dataset_run_id", flt.dataset_run_id)
    if flt.value_operator is not None and flt.value is not None:
        op = "<>" if flt.value_operator == "!=" else flt.value_operator
        where.add(f"value {op} {where.mark}", flt.value)
    if flt.trace_tags:
        clause, params = where.tags_match(_of_trace("scores", None, "tags"), "all of", flt.trace_tags)
        where.add(clause, *params)
    return add_conditions(where, flt.conditions, score_columns(where))


def _text_match(where: Where, sql: str, op: str, mark: str) -> str:
    """Case-sensitive substring tests, as Langfuse's (SQLite's LIKE would ignore case); `mark` binds the text."""
    if op == "contains":
        return f"{where.position(sql, mark)} > 0"
    if op == "does not contain":
        return f"({sql} IS NULL OR {where.position(sql, mark)} = 0)"
    if op == "starts with":
        return f"substr({sql}, 1, length({mark})) = {mark}"
    return f"substr({sql}, length({sql}) - length({mark}) + 1) = {mark}"  # ends with


_TEXT_PARAMS = {"contains": 1, "does not contain": 1, "starts with": 2, "ends with": 2}  # value marks in each


def _compare(where: Where, sql: str, params: list[Any], cond: Condition) -> None:
    """`sql` (with `params`) compared to the condition's value by its operator."""
    op, value, mark = cond.operator, cond.value, where.mark
    if isinstance(value, datetime):
        value = where.time(value)
    elif isinstance(value, bool):
        value = where.boolean(value)
    if op in _COMPARE:
        if op == "<>":  # a missing value differs from any value
            where.add(f"({sql} IS NULL OR {sql} <> {mark})", *params, *params, value)
        else:
            where.add(f"{sql} {op} {mark}", *params, value)
    elif op in _TEXT_PARAMS:
        clause = _text_match(where, sql, op, where.text_mark)
        # the column SQL's own parameters come first each time it appears, then the value's
        if op == "contains":
            where.add(clause, *params, value)
        elif op == "does not contain":
            where.add(clause, *params, *params, value)
        elif op == "starts with":
            where.add(clause, *params, value, value)
        else:
            where.add(clause, *params, *params, value, value)
    elif op in ("any of", "none of"):
        values = list(value)
        if not values:
            where.add("1 = 0" if op == "any of" else "1 = 1")
            return
        marks = ", ".join(mark for _ in values)
        if op == "any of":
            where.add(f"{sql} IN ({marks})", *params, *values)
        else:
            where.add(f"({sql} IS NULL OR {sql} NOT IN ({marks}))", *params, *params, *values)
    elif op == "is null":
        where.add(f"{sql} IS NULL", *params)
    elif op == "is not null":
        where.add(f"{sql} IS NOT NULL", *params)
    else:  # parse_filter lets no other operator through
        raise ValueError(f"unknown filter operator {op!r}")


Column = str | tuple[str, str]  # SQL, or (kind, SQL) for the columns that need more than a comparison


def add_conditions(where: W, conditions: tuple[Condition, ...], columns: dict[str, Column]) -> W:
    """AND every condition to `where`; `columns` maps each filter column to its SQL (see *_columns below)."""
    for cond in conditions:
        column = columns.get(cond.column)
        if column is None:  # parse_filter checks the column against the same resource's list
            raise ValueError(f"unknown filter column {cond.column!r}")
        if isinstance(column, str):
            _compare(where, column, [], cond)
            continue
        kind, sql = column
        if kind == "tags":
            clause, params = where.tags_match(sql, cond.operator, cond.value)
            where.add(clause, *params)
        elif kind == "json":
            key = cond.key or ""
            getter = where.json_number if cond.type == "numberObject" else where.json_text
            _compare(where, *getter(sql, key), cond)
        elif kind == "scores":
            _score_condition(where, sql, cond)
    return where


def _score_condition(where: W, trace: str, cond: Condition) -> None:
    """Conditions on a trace's scores of one name (`key`): their average, their categories, their boolean value."""
    scores = (f"FROM scores s WHERE s.project_id = {trace}.project_id AND s.trace_id = {trace}.id"
              f" AND s.name = {where.mark}")  # fmt: skip
    if cond.type == "numberObject":
        _compare(where, f"(SELECT avg(s.value) {scores} AND s.data_type = 'NUMERIC')", [cond.key], cond)
    elif cond.type == "categoryOptions":
        marks = ", ".join(where.mark for _ in cond.value) or "NULL"
        clause = f"EXISTS (SELECT 1 {scores} AND s.data_type = 'CATEGORICAL' AND s.string_value IN ({marks}))"
        where.add(clause if cond.operator == "any of" else f"NOT {clause}", cond.key, *cond.value)
    else:  # booleanObject: "=" has a score of that value; "<>" has none (also when it has no such score)
        clause = f"EXISTS (SELECT 1 {scores} AND s.data_type = 'BOOLEAN' AND s.value = {where.mark})"
        where.add(clause if cond.operator == "=" else f"NOT {clause}", cond.key, 1.0 if cond.value else 0.0)


def _level(rank_sql: str) -> str:
    return "(CASE " + " ".join(f"WHEN {rank_sql} = {rank} THEN '{name}'" for name, rank in LEVEL_RANK.items()) + " END)"


def trace_columns(where: Where, t: str = "traces") -> dict[str, Column]:
    return {
        "id": f"{t}.id", "name": f"{t}.name", "timestamp": f"{t}.timestamp", "userId": f"{t}.user_id",
        "sessionId": f"{t}.session_id", "environment": f"{t}.environment", "version": f"{t}.version",
        "release": f"{t}.release", "tags": ("tags", f"{t}.tags"), "bookmarked": f"{t}.bookmarked",
        "metadata": ("json", f"{t}.metadata"), "latency": where.seconds(f"{t}.start_time", f"{t}.end_time"),
        "inputTokens": f"{t}.input_tokens", "outputTokens": f"{t}.output_tokens", "totalTokens": f"{t}.total_tokens",
        "tokens": f"{t}.total_tokens", "totalCost": f"{t}.total_cost", "level": _level(f"{t}.level_rank"),
        "scores_avg": ("scores", t), "scores": ("scores", t), "score_categories": ("scores", t),
        "score_booleans": ("scores", t),
    }  # fmt: skip


def _of_trace(table: str, trace: str | None, field: str) -> str:
    """A field of the row's trace: from the joined alias `trace`, else a correlated subquery."""
    if trace is not None:
        return f"{trace}.{field}"
    return (f"(SELECT tr.{field} FROM traces tr WHERE tr.project_id = {table}.project_id"
            f" AND tr.id = {table}.trace_id)")  # fmt: skip


def observation_columns(where: Where, o: str = "observations", t: str | None = None) -> dict[str, Column]:
    return {
        "id": f"{o}.id", "type": f"{o}.type", "name": f"{o}.name", "traceId": f"{o}.trace_id",
        "startTime": f"{o}.start_time", "endTime": f"{o}.end_time", "environment": f"{o}.environment",
        "level": f"{o}.level", "statusMessage": f"{o}.status_message", "version": f"{o}.version",
        "latency": where.seconds(f"{o}.start_time", f"{o}.end_time"),
        "timeToFirstToken": where.seconds(f"{o}.start_time", f"{o}.completion_start_time"),
        "inputTokens": f"{o}.input_tokens", "outputTokens": f"{o}.output_tokens", "totalTokens": f"{o}.total_tokens",
        "tokens": f"{o}.total_tokens", "totalCost": f"{o}.total_cost", "model": f"{o}.model",
        "providedModelName": f"{o}.model", "promptName": f"{o}.prompt_name", "promptVersion": f"{o}.prompt_version",
        "metadata": ("json", f"{o}.metadata"), "userId": _of_trace(o, t, "user_id"),
        "sessionId": _of_trace(o, t, "session_id"), "traceName": _of_trace(o, t, "name"),
        "traceEnvironment": _of_trace(o, t, "environment"), "traceTags": ("tags", _of_trace(o, t, "tags")),
        "tags": ("tags", _of_trace(o, t, "tags")), "parentObservationId": f"{o}.parent_observation_id",
        "isRootObservation": f"(CASE WHEN {o}.parent_observation_id IS NULL THEN {where.boolean(True)}"
                             f" ELSE {where.boolean(False)} END)",
    }  # fmt: skip


def score_columns(where: Where, s: str = "scores") -> dict[str, Column]:
    return {
        "id": f"{s}.id", "name": f"{s}.name", "timestamp": f"{s}.timestamp", "value": f"{s}.value",
        "stringValue": f"{s}.string_value", "dataType": f"{s}.data_type", "source": f"{s}.source",
        "traceId": f"{s}.trace_id", "observationId": f"{s}.observation_id", "sessionId": f"{s}.session_id",
        "datasetRunId": f"{s}.dataset_run_id", "configId": f"{s}.config_id", "authorUserId": f"{s}.author_user_id",
        "comment": f"{s}.comment", "environment": f"{s}.environment", "metadata": ("json", f"{s}.metadata"),
        "userId": _of_trace(s, None, "user_id"), "traceName": _of_trace(s, None, "name"),
        "traceTags": ("tags", _of_trace(s, None, "tags")),
    }  # fmt: skip
