"""Cost and usage roll-ups of the SQLite backend (daily metrics; totals per session, user, model, trace name or
day) and its dialect of the shared metrics-query SQL. Each function runs on a reader connection.

Days are UTC calendar days of the trace timestamp; an observation counts on its trace's day, so a day's cost is
exactly the sum of its traces' costs, which are the sums of their observations' costs.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

import orjson

from spyglass.domain.costs import CostGroup, CostRollup, DailyMetrics, ModelUsage
from spyglass.domain.histogram import Bins
from spyglass.domain.metrics import Granularity, MetricsQuery, MetricsRow
from spyglass.store.base import Page, PageRequest, TraceFilter
from spyglass.store.metrics_sql import Dialect, build
from spyglass.store.sqlite.queries import trace_where

# Clamped to years 1..9999 (what SQLite's date() and Python's date hold), so a time stored before the ingestion
# bounds existed still has a day.
_DAY = "date(min(max(t.timestamp, -62135596800000000), 253402214399000000) / 1000000, 'unixepoch')"


def _matching(project_id: str, flt: TraceFilter) -> tuple[str, list[Any]]:
    """A CTE `t` of the traces matching `flt` (filters read the traces table alone, so no name is ambiguous)."""
    where = trace_where(project_id, flt)
    return f"WITH t AS (SELECT * FROM traces WHERE {where.sql})", where.params


_JOIN = "FROM t JOIN observations o ON o.project_id = t.project_id AND o.trace_id = t.id"


def daily_metrics(conn: sqlite3.Connection, project_id: str, flt: TraceFilter, page: PageRequest) -> Page[DailyMetrics]:
    """Days with traces matching `flt`, newest first; each with usage per model (observations with a model)."""
    cte, params = _matching(project_id, flt)
    days_sql = (
        f"SELECT {_DAY} AS day, count(*) AS traces, coalesce(sum(t.observation_count), 0) AS observations,"
        " coalesce(sum(t.total_cost), 0) AS cost FROM t GROUP BY day"
    )
    total = conn.execute(f"{cte} SELECT count(*) FROM ({days_sql})", params).fetchone()[0]
    days = conn.execute(f"{cte} {days_sql} ORDER BY day DESC LIMIT ? OFFSET ?", [*params, page.limit, page.offset])
    day_rows = days.fetchall()
    usage: dict[str, list[ModelUsage]] = {}
    if day_rows:
        chosen = [r["day"] for r in day_rows]
        marks = ", ".join("?" for _ in chosen)
        rows = conn.execute(
            f"{cte} SELECT {_DAY} AS day, o.model AS model, coalesce(sum(o.input_tokens), 0) AS input,"
            " coalesce(sum(o.output_tokens), 0) AS output, coalesce(sum(o.total_tokens), 0) AS total,"
            " count(DISTINCT o.trace_id) AS traces, count(*) AS observations,"
            " coalesce(sum(o.total_cost), 0) AS cost"
            f" {_JOIN} WHERE o.model IS NOT NULL AND {_DAY} IN ({marks})"
            " GROUP BY day, o.model ORDER BY day DESC, o.model",
            [*params, *chosen],
        )
        for row in rows:
            usage.setdefault(row["day"], []).append(
                ModelUsage(
                    model=row["model"],
                    input_usage=row["input"],
                    output_usage=row["output"],
                    total_usage=row["total"],
                    count_traces=row["traces"],
                    count_observations=row["observations"],
                    total_cost=float(row["cost"]),
                )
            )
    items = tuple(
        DailyMetrics(
            date=date.fromisoformat(r["day"]),
            count_traces=r["traces"],
            count_observations=r["observations"],
            total_cost=float(r["cost"]),
            usage=tuple(usage.get(r["day"], ())),
        )
        for r in day_rows
    )
    return Page(items=items, total=total, page=page.page, limit=page.limit)


_TRACE_KEYS = {
    CostGroup.SESSION: "t.session_id",
    CostGroup.USER: "t.user_id",
    CostGroup.TRACE_NAME: "t.name",
    CostGroup.DAY: _DAY,
}


def cost_rollups(
    conn: sqlite3.Connection, project_id: str, group: CostGroup, flt: TraceFilter, limit: int = 100
) -> list[CostRollup]:
    """Totals per group over the traces matching `flt`, most expensive first (then by key)."""
    cte, params = _matching(project_id, flt)
    if group is CostGroup.MODEL:
        sql = (
            "SELECT o.model AS key, count(DISTINCT o.trace_id) AS traces, count(*) AS observations,"
            " coalesce(sum(o.input_tokens), 0) AS input, coalesce(sum(o.output_tokens), 0) AS output,"
            " coalesce(sum(o.total_tokens), 0) AS total, coalesce(sum(o.total_cost), 0) AS cost"
            f" {_JOIN} WHERE o.model IS NOT NULL GROUP BY o.model"
        )
    else:
        key = _TRACE_KEYS[group]
        sql = (
            f"SELECT {key} AS key, count(*) AS traces, coalesce(sum(t.observation_count), 0) AS observations,"
            " coalesce(sum(t.input_tokens), 0) AS input, coalesce(sum(t.output_tokens), 0) AS output,"
            " coalesce(sum(t.total_tokens), 0) AS total, coalesce(sum(t.total_cost), 0) AS cost"
            f" FROM t GROUP BY {key}"
        )
    rows = conn.execute(f"{cte} {sql} ORDER BY cost DESC, key LIMIT ?", [*params, limit]).fetchall()
    return [
        CostRollup(
            key=r["key"],
            count_traces=r["traces"],
            count_observations=r["observations"],
            input_tokens=r["input"],
            output_tokens=r["output"],
            total_tokens=r["total"],
            total_cost=float(r["cost"]),
        )
        for r in rows
    ]


# --- metrics queries (the SQL comes from store/metrics_sql.py; these are SQLite's pieces of it) -------------------

_US = {Granularity.MINUTE: 60_000_000, Granularity.HOUR: 3_600_000_000, Granularity.DAY: 86_400_000_000}
_WEEK_US = 7 * 86_400_000_000
_MONDAY_US = 4 * 86_400_000_000  # 1970-01-05, the first Monday after the epoch


class Percentile:
    """SQLite has no percentile aggregate: this one (registered per connection as `spyglass_percentile(value,
    fraction)`) keeps a group's non-null values in memory and interpolates between the nearest ranks, like
    PostgreSQL's percentile_cont. Cost: about 1 µs of Python per row and 32 bytes per value held until the group
    ends (1M values: ~32 MB), so one percentile over a million rows adds about a second."""

    def __init__(self) -> None:
        self.values: list[float] = []
        self.fraction = 0.5

    def step(self, *args: Any) -> None:
        if args[0] is not None:
            self.values.append(args[0])
            self.fraction = float(args[1])

    def inverse(self, *args: Any) -> None:  # registered as a window function (typed by typeshed); used as aggregate
        if args[0] is not None:
            self.values.remove(args[0])

    def value(self) -> float | None:
        if not self.values:
            return None
        ordered = sorted(self.values)
        pos = self.fraction * (len(ordered) - 1)
        low = int(pos)
        high = min(low + 1, len(ordered) - 1)
        return float(ordered[low] + (ordered[high] - ordered[low]) * (pos - low))

    def finalize(self) -> float | None:
        return self.value()


class SqliteDialect(Dialect):
    """Times are integer microseconds since the epoch; JSON is text; percentiles by the `Percentile` aggregate."""

    mark = "?"

    def time_param(self, value: datetime) -> Any:
        return int(value.timestamp()) * 1_000_000 + value.microsecond

    def to_datetime(self, raw: Any) -> datetime:
        return datetime.fromtimestamp(int(raw) // 1_000_000, UTC)

    def bucket(self, column: str, granularity: Granularity) -> str:
        if granularity in _US:
            return f"({column} / {_US[granularity]}) * {_US[granularity]}"
        if granularity is Granularity.WEEK:
            return f"(({column} - {_MONDAY_US}) / {_WEEK_US}) * {_WEEK_US} + {_MONDAY_US}"
        return f"CAST(strftime('%s', {column} / 1000000, 'unixepoch', 'start of month') AS INTEGER) * 1000000"

    def format_time(self, column: str, unit: str) -> str:
        return f"strftime('{'%Y-%m' if unit == 'month' else '%Y-%m-%d'}', {column} / 1000000, 'unixepoch')"

    def duration_ms(self, start: str, end: str) -> str:
        return f"(({end}) - ({start})) / 1000.0"

    def json_sum(self, column: str, key_part: str) -> str:
        return f"(SELECT sum(value) FROM json_each({column}) WHERE instr(lower(key), '{key_part}') > 0)"

    def json_text(self, column: str) -> str:
        return f"CAST(json_extract({column}, ?) AS TEXT)"

    def json_key(self, key: str) -> str:
        return '$."' + key.replace("\\", "\\\\").replace('"', '\\"') + '"'

    def json_number(self, column: str) -> str:
        # numbers only: a text value such as "red" is no number (CAST would make it 0)
        return (f"(SELECT CASE WHEN json_type({column}, k.p) IN ('integer', 'real')"
                f" THEN json_extract({column}, k.p) END FROM (SELECT ? AS p) k)")  # fmt: skip

    def position(self, column: str) -> str:
        return f"instr({column}, ?)"

    def tags_match(self, column: str, values: Sequence[str], mode: str) -> tuple[str, list[Any]]:
        if mode == "all":
            one = f"EXISTS (SELECT 1 FROM json_each({column}) WHERE json_each.value = ?)"
            return " AND ".join(one for _ in values), list(values)
        marks = ", ".join("?" for _ in values)
        return f"EXISTS (SELECT 1 FROM json_each({column}) WHERE json_each.value IN ({marks}))", list(values)

    def decode_tags(self, raw: Any) -> list[str]:
        tags = orjson.loads(raw) if isinstance(raw, str) else raw
        return [str(t) for t in tags] if isinstance(tags, list) else []

    def floor_int(self, expr: str) -> str:
        return f"CAST({expr} AS INTEGER)"  # values are at or above the lowest edge, so truncation is floor

    def percentile(self, fraction: float, column: str) -> str:
        return f"spyglass_percentile({column}, {fraction!r})"


DIALECT = SqliteDialect()


def run_metrics(conn: sqlite3.Connection, project_id: str, query: MetricsQuery) -> list[MetricsRow]:
    """The rows of `query` (see store/metrics_sql.py)."""
    plan = build(query, project_id, DIALECT)
    conn.create_window_function("spyglass_percentile", -1, Percentile)
    rows = conn.execute(*plan.main).fetchall()
    histograms: dict[str, tuple[Bins, Sequence[Sequence[Any]]]] = {}
    for h in plan.histograms:
        bins = h.fit(conn.execute(*h.bounds).fetchone())
        if bins is not None:
            histograms[h.alias] = (bins, conn.execute(*h.counts(bins)).fetchall())
    return plan.assemble(rows, histograms)
