"""WHERE clauses built filter by filter, shared by the SQL backends (each sets its dialect's hooks)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

from spyglass.store.base import ObservationFilter, ScoreFilter, TraceFilter


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
    return where


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
    return where


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
    return where
