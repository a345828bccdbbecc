"""Cost and usage roll-ups of the PostgreSQL backend (mirrors store/sqlite/metrics.py): daily metrics and totals per
session, user, model, trace name or day; and its dialect of the shared metrics-query SQL.

Days are UTC calendar days of the trace timestamp; an observation counts on its trace's day, so a day's cost is
exactly the sum of its traces' costs, which are the sums of their observations' costs.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from psycopg import AsyncConnection
from psycopg.rows import DictRow

from spyglass.domain.costs import CostGroup, CostRollup, DailyMetrics, ModelUsage
from spyglass.domain.histogram import Bins
from spyglass.domain.metrics import Granularity, MetricsQuery, MetricsRow
from spyglass.store.base import Page, PageRequest, TraceFilter
from spyglass.store.metrics_sql import Dialect, build
from spyglass.store.postgres.queries import trace_where

Conn = AsyncConnection[DictRow]

# The sessions run in UTC (store.py), so the date of a timestamptz is its UTC day.
_DAY = "(t.timestamp AT TIME ZONE 'UTC')::date"


def _matching(project_id: str, flt: TraceFilter) -> tuple[str, list[Any]]:
    """A CTE `t` of the traces matching `flt`."""
    where = trace_where(project_id, flt)
    return f"WITH t AS (SELECT * FROM traces WHERE {where.sql})", where.params


_JOIN = "FROM t JOIN observations o ON o.project_id = t.project_id AND o.trace_id = t.id"


async def daily_metrics(conn: Conn, project_id: str, flt: TraceFilter, page: PageRequest) -> Page[DailyMetrics]:
    """Days with traces matching `flt`, newest first; each with usage per model (observations with a model)."""
    cte, params = _matching(project_id, flt)
    days_sql = (
        f"SELECT {_DAY} AS day, count(*) AS traces, coalesce(sum(t.observation_count), 0) AS observations,"
        " coalesce(sum(t.total_cost), 0) AS cost FROM t GROUP BY day"
    )
    cur = await conn.execute(f"{cte} SELECT count(*) AS n FROM ({days_sql}) d", params)
    row = await cur.fetchone()
    total = int(row["n"]) if row else 0
    cur = await conn.execute(
        f"{cte} {days_sql} ORDER BY day DESC LIMIT %s OFFSET %s", [*params, page.limit, page.offset]
    )
    day_rows = await cur.fetchall()
    usage: dict[Any, list[ModelUsage]] = {}
    if day_rows:
        chosen = [r["day"] for r in day_rows]
        cur = await conn.execute(
            f"{cte} SELECT {_DAY} AS day, o.model AS model, coalesce(sum(o.input_tokens), 0) AS input,"
            " coalesce(sum(o.output_tokens), 0) AS output, coalesce(sum(o.total_tokens), 0) AS total,"
            " count(DISTINCT o.trace_id) AS traces, count(*) AS observations,"
            " coalesce(sum(o.total_cost), 0) AS cost"
            f" {_JOIN} WHERE o.model IS NOT NULL AND {_DAY} = ANY(%s::date[])"
            " GROUP BY day, o.model ORDER BY day DESC, o.model",
            [*params, chosen],
        )
        for r in await cur.fetchall():
            usage.setdefault(r["day"], []).append(
                ModelUsage(
                    model=r["model"], input_usage=int(r["input"]), output_usage=int(r["output"]),
                    total_usage=int(r["total"]), count_traces=int(r["traces"]),
                    count_observations=int(r["observations"]), total_cost=float(r["cost"]),
                )
            )  # fmt: skip
    items = tuple(
        DailyMetrics(
            date=r["day"], count_traces=int(r["traces"]), count_observations=int(r["observations"]),
            total_cost=float(r["cost"]), usage=tuple(usage.get(r["day"], ())),
        )
        for r in day_rows
    )  # fmt: skip
    return Page(items=items, total=total, page=page.page, limit=page.limit)


_TRACE_KEYS = {
    CostGroup.SESSION: "t.session_id",
    CostGroup.USER: "t.user_id",
    CostGroup.TRACE_NAME: "t.name",
    CostGroup.DAY: f"to_char({_DAY}, 'YYYY-MM-DD')",
}


async def cost_rollups(
    conn: Conn, project_id: str, group: CostGroup, flt: TraceFilter, limit: int = 100
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
            f" FROM t GROUP BY 1"
        )
    cur = await conn.execute(f"{cte} {sql} ORDER BY cost DESC, key NULLS FIRST LIMIT %s", [*params, limit])
    return [
        CostRollup(
            key=r["key"], count_traces=int(r["traces"]), count_observations=int(r["observations"]),
            input_tokens=int(r["input"]), output_tokens=int(r["output"]), total_tokens=int(r["total"]),
            total_cost=float(r["cost"]),
        )
        for r in await cur.fetchall()
    ]  # fmt: skip


# --- metrics queries (the SQL comes from store/metrics_sql.py; these are PostgreSQL's pieces of it) ---------------


class PostgresDialect(Dialect):
    """timestamptz columns (sessions run in UTC, so date_trunc cuts UTC buckets); jsonb; text[] tags;
    percentile_cont for percentiles."""

    mark = "%s"

    def time_param(self, value: datetime) -> Any:
        return value

    def to_datetime(self, raw: Any) -> datetime:
        return raw.astimezone(UTC) if isinstance(raw, datetime) else datetime.fromisoformat(str(raw))

    def bucket(self, column: str, granularity: Granularity) -> str:
        return f"date_trunc('{granularity.value}', {column})"  # 'week' starts on Monday, as on SQLite

    def format_time(self, column: str, unit: str) -> str:
        return f"to_char({column} AT TIME ZONE 'UTC', '{'YYYY-MM' if unit == 'month' else 'YYYY-MM-DD'}')"

    def duration_ms(self, start: str, end: str) -> str:
        return f"(extract(epoch FROM ({end}) - ({start})) * 1000)::float8"

    def json_sum(self, column: str, key_part: str) -> str:
        return (f"(SELECT sum(value::float8) FROM jsonb_each_text({column})"
                f" WHERE strpos(lower(key), '{key_part}') > 0)")  # fmt: skip

    def json_text(self, column: str) -> str:
        return f"({column} ->> %s)"

    def json_number(self, column: str) -> str:
        # numbers only: casting a text value such as "red" would fail the query
        return (f"(SELECT CASE WHEN jsonb_typeof(k.v) = 'number' THEN (k.v #>> '{{}}')::float8 END"
                f" FROM (SELECT {column} -> %s AS v) k)")  # fmt: skip

    def position(self, column: str) -> str:
        return f"strpos({column}, %s)"

    def tags_match(self, column: str, values: Sequence[str], mode: str) -> tuple[str, list[Any]]:
        return f"{column} {'@>' if mode == 'all' else '&&'} %s::text[]", [list(values)]

    def decode_tags(self, raw: Any) -> list[str]:
        return [str(t) for t in raw] if isinstance(raw, list) else []

    def floor_int(self, expr: str) -> str:
        return f"floor({expr})::int"

    def percentile(self, fraction: float, column: str) -> str:
        return f"percentile_cont({fraction!r}) WITHIN GROUP (ORDER BY ({column})::float8)"


DIALECT = PostgresDialect()


async def run_metrics(conn: Conn, project_id: str, query: MetricsQuery) -> list[MetricsRow]:
    """The rows of `query` (see store/metrics_sql.py)."""
    plan = build(query, project_id, DIALECT)

    async def rows(statement: tuple[str, list[Any]]) -> list[list[Any]]:
        cur = await conn.execute(*statement)
        return [list(r.values()) for r in await cur.fetchall()]

    main = await rows(plan.main)
    histograms: dict[str, tuple[Bins, Sequence[Sequence[Any]]]] = {}
    for h in plan.histograms:
        found = await rows(h.bounds)
        bins = h.fit(found[0] if found else None)
        if bins is not None:
            histograms[h.alias] = (bins, await rows(h.counts(bins)))
    return plan.assemble(main, histograms)
