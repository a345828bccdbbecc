"""WHERE clauses built filter by filter, shared by the SQL backends (each sets its dialect's hooks)."""

from __future__ import annotations

from datetime import datetime
from typing import Any


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

    @property
    def sql(self) -> str:
        return " AND ".join(self.clauses)
