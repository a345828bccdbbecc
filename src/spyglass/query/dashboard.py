"""The project home dashboard: volume, cost, tokens, latency percentiles, error rate, score trends and
distributions, top users and sessions over one time window, all read through metrics queries (query/metrics.py).

The traces table's filters (domain/listing.py TraceQuery) narrow every figure: on the traces view directly, on
observations and scores through their trace. No SQL here. Latencies are milliseconds; costs USD.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from spyglass.domain.listing import Bucket, ScoreDistribution, TraceQuery
from spyglass.domain.metrics import (
    TIME_DIMENSION,
    Aggregation,
    Filter,
    Metric,
    MetricsQuery,
    MetricsRow,
    View,
    auto_granularity,
)
from spyglass.query.metrics import run_query
from spyglass.store.base import Store

MAX_SCORE_NAMES = 6
TOP = 10

# TraceQuery field -> the column naming it in each view (None: that view cannot apply it).
_TRACE_COLUMNS: dict[str, dict[View, str]] = {
    "name": {View.TRACES: "name", View.OBSERVATIONS: "traceName", View.SCORES_NUMERIC: "traceName"},
    "user_id": {View.TRACES: "userId", View.OBSERVATIONS: "userId", View.SCORES_NUMERIC: "userId"},
    "session_id": {View.TRACES: "sessionId", View.OBSERVATIONS: "sessionId", View.SCORES_NUMERIC: "sessionId"},
    "release": {View.TRACES: "release", View.OBSERVATIONS: "traceRelease", View.SCORES_NUMERIC: "traceRelease"},
    "version": {View.TRACES: "version", View.OBSERVATIONS: "traceVersion", View.SCORES_NUMERIC: "traceVersion"},
    "environment": {View.TRACES: "environment", View.OBSERVATIONS: "environment", View.SCORES_NUMERIC: "environment"},
    "level": {View.TRACES: "level"},
}


def not_applied(query: TraceQuery) -> tuple[str, ...]:
    """The traces-table filters the dashboard does not apply (it names them on the page)."""
    skipped = []
    if query.search:
        skipped.append("search")
    if query.score_name or query.score_min is not None or query.score_max is not None:
        skipped.append("score")
    if query.bookmarked:
        skipped.append("bookmarked")
    return tuple(skipped)


def trace_filters(view: View, query: TraceQuery) -> tuple[Filter, ...]:
    """The metrics filters of `query`'s trace conditions for `view` (scores views share one column naming)."""
    key = View.SCORES_NUMERIC if view in (View.SCORES_BOOLEAN, View.SCORES_CATEGORICAL) else view
    found: list[Filter] = []
    for name, columns in _TRACE_COLUMNS.items():
        value = getattr(query, name)
        if value is not None and key in columns:
            found.append(Filter(columns[key], "=", "string", value))
    if query.tags:
        found.append(Filter("tags", "all of", "arrayOptions", tuple(query.tags)))
    return tuple(found)


@dataclass(frozen=True, slots=True)
class Totals:
    traces: int
    observations: int
    errors: int
    error_rate: float | None
    total_cost: float
    total_tokens: int


@dataclass(frozen=True, slots=True)
class TracePoint:
    time: datetime
    traces: int
    errors: int


@dataclass(frozen=True, slots=True)
class ObservationPoint:
    time: datetime
    observations: int
    total_tokens: int
    total_cost: float


@dataclass(frozen=True, slots=True)
class ModelRow:
    model: str
    generations: int
    input_tokens: int
    output_tokens: int
    total_tokens: int
    total_cost: float
    p50_ms: float | None
    p90_ms: float | None
    p99_ms: float | None


@dataclass(frozen=True, slots=True)
class NameLatency:
    name: str | None
    traces: int
    p50_ms: float | None
    p90_ms: float | None
    p99_ms: float | None


@dataclass(frozen=True, slots=True)
class ScoreTrend:
    name: str
    points: tuple[tuple[datetime, float | None], ...]


@dataclass(frozen=True, slots=True)
class TopRow:
    key: str
    traces: int
    total_tokens: int
    total_cost: float


@dataclass(frozen=True, slots=True)
class HomeDashboard:
    from_timestamp: datetime
    to_timestamp: datetime
    granularity: str
    totals: Totals
    traces_over_time: tuple[TracePoint, ...]
    observations_over_time: tuple[ObservationPoint, ...]
    models: tuple[ModelRow, ...]
    trace_names: tuple[NameLatency, ...]
    score_trends: tuple[ScoreTrend, ...]
    score_distributions: tuple[ScoreDistribution, ...]
    top_users: tuple[TopRow, ...]
    top_sessions: tuple[TopRow, ...]
    not_applied: tuple[str, ...]


def _num(row: MetricsRow, key: str) -> float:
    value = row.get(key)
    return float(value) if isinstance(value, (int, float)) else 0.0


def _opt(row: MetricsRow, key: str) -> float | None:
    value = row.get(key)
    return float(value) if isinstance(value, (int, float)) else None


def _time(row: MetricsRow) -> datetime:
    value = row[TIME_DIMENSION]
    assert isinstance(value, datetime)
    return value


def _metrics(*pairs: tuple[str, str]) -> tuple[Metric, ...]:
    return tuple(Metric(measure, Aggregation(agg)) for measure, agg in pairs)


_PERCENTILES = (("latency", "p50"), ("latency", "p90"), ("latency", "p99"))


async def home_dashboard(
    store: Store, project_id: str, start: datetime, end: datetime, flt: TraceQuery
) -> HomeDashboard:
    """Every figure of the home dashboard for `start` <= time <= `end` (UTC), narrowed by `flt`'s trace filters."""
    grain = auto_granularity(start, end)

    def q(view: View, metrics: tuple[Metric, ...], *, dims: tuple[str, ...] = (), timed: bool = False,
          extra: tuple[Filter, ...] = (), limit: int = 1000) -> MetricsQuery:  # fmt: skip
        return MetricsQuery(view, metrics, start, end, dims, trace_filters(view, flt) + extra,
                            grain if timed else None, row_limit=limit)  # fmt: skip

    count = _metrics(("count", "count"))
    error = (Filter("level", "=", "string", "ERROR"),)
    model_known = (Filter("providedModelName", "is not null", "null", None),)
    top = _metrics(("count", "count"), ("totalTokens", "sum"), ("totalCost", "sum"))
    queries = [
        q(View.TRACES, count, timed=True),
        q(View.TRACES, count, timed=True, extra=error),
        q(View.OBSERVATIONS, _metrics(("count", "count"), ("totalTokens", "sum"), ("totalCost", "sum")), timed=True),
        q(View.OBSERVATIONS, _metrics(("count", "count"), ("inputTokens", "sum"), ("outputTokens", "sum"),
                                      ("totalTokens", "sum"), ("totalCost", "sum"), *_PERCENTILES),
          dims=("providedModelName",), extra=model_known, limit=20),
        q(View.TRACES, _metrics(("count", "count"), *_PERCENTILES), dims=("name",), limit=20),
        q(View.SCORES_NUMERIC, _metrics(("value", "avg")), dims=("name",), timed=True),
        q(View.TRACES, top, dims=("userId",), extra=(Filter("userId", "is not null", "null", None),), limit=TOP),
        q(View.TRACES, top, dims=("sessionId",), extra=(Filter("sessionId", "is not null", "null", None),), limit=TOP),
        q(View.SCORES_NUMERIC, _metrics(("value", "count"), ("value", "avg"), ("value", "min"), ("value", "max")),
          dims=("name", "dataType"), limit=50),
        q(View.SCORES_CATEGORICAL, count, dims=("name", "stringValue"), limit=200),
    ]  # fmt: skip
    (traces, errors, observations, models, names, trends, users, sessions, numeric, categorical) = await asyncio.gather(
        *(run_query(store, project_id, query) for query in queries)
    )
    distributions = await _distributions(store, project_id, numeric, categorical, q)
    error_by_time = {_time(r): int(_num(r, "count_count")) for r in errors}
    trace_points = tuple(TracePoint(_time(r), int(_num(r, "count_count")), error_by_time.get(_time(r), 0))
                         for r in traces)  # fmt: skip
    obs_points = tuple(ObservationPoint(_time(r), int(_num(r, "count_count")), int(_num(r, "sum_totalTokens")),
                                        _num(r, "sum_totalCost")) for r in observations)  # fmt: skip
    total_traces = sum(p.traces for p in trace_points)
    total_errors = sum(p.errors for p in trace_points)
    totals = Totals(total_traces, sum(p.observations for p in obs_points), total_errors,
                    total_errors / total_traces if total_traces else None, sum(p.total_cost for p in obs_points),
                    sum(p.total_tokens for p in obs_points))  # fmt: skip
    return HomeDashboard(
        start, end, grain.value, totals, trace_points, obs_points,
        tuple(ModelRow(str(r["providedModelName"]), int(_num(r, "count_count")), int(_num(r, "sum_inputTokens")),
                       int(_num(r, "sum_outputTokens")), int(_num(r, "sum_totalTokens")), _num(r, "sum_totalCost"),
                       _opt(r, "p50_latency"), _opt(r, "p90_latency"), _opt(r, "p99_latency")) for r in models),
        tuple(NameLatency(_str(r.get("name")), int(_num(r, "count_count")), _opt(r, "p50_latency"),
                          _opt(r, "p90_latency"), _opt(r, "p99_latency")) for r in names),
        _trends(trends),
        distributions,
        tuple(TopRow(str(r["userId"]), int(_num(r, "count_count")), int(_num(r, "sum_totalTokens")),
                     _num(r, "sum_totalCost")) for r in users),
        tuple(TopRow(str(r["sessionId"]), int(_num(r, "count_count")), int(_num(r, "sum_totalTokens")),
                     _num(r, "sum_totalCost")) for r in sessions),
        not_applied(flt),
    )  # fmt: skip


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def _trends(rows: list[MetricsRow]) -> tuple[ScoreTrend, ...]:
    """Mean per bucket and score name; at most MAX_SCORE_NAMES names (the most scored first)."""
    per_name: dict[str, list[tuple[datetime, float | None]]] = {}
    for r in rows:
        per_name.setdefault(str(r.get("name")), []).append((_time(r), _opt(r, "avg_value")))
    ranked = sorted(per_name, key=lambda n: (-len(per_name[n]), n))[:MAX_SCORE_NAMES]
    return tuple(ScoreTrend(n, tuple(per_name[n])) for n in sorted(ranked))


async def _distributions(
    store: Store, project_id: str, numeric: list[MetricsRow], categorical: list[MetricsRow], q: Any
) -> tuple[ScoreDistribution, ...]:
    """A histogram per numeric score name (bins that fit its values) and counts per category, by name."""
    heads = sorted(numeric, key=lambda r: -_num(r, "count_value"))[:MAX_SCORE_NAMES]
    hist_queries = []
    for head in heads:
        bins = 2 if head.get("dataType") == "BOOLEAN" else 10
        only = (Filter("name", "=", "string", str(head["name"])),
                Filter("dataType", "=", "string", str(head["dataType"])))  # fmt: skip
        base: MetricsQuery = q(View.SCORES_NUMERIC, _metrics(("value", "histogram")), extra=only, limit=1)
        hist_queries.append(MetricsQuery(base.view, base.metrics, base.from_timestamp, base.to_timestamp,
                                         filters=base.filters, bins=bins, row_limit=1))  # fmt: skip
    found = await asyncio.gather(*(run_query(store, project_id, hq) for hq in hist_queries))
    result: list[ScoreDistribution] = []
    for head, rows in zip(heads, found, strict=True):
        hist = rows[0].get("histogram_value") if rows else None
        whole = _is_whole(rows)
        bars = hist if isinstance(hist, list) else []
        buckets = tuple(Bucket(_bin_label(whole, b), int(b[2])) for b in bars)
        result.append(ScoreDistribution(str(head["name"]), str(head["dataType"]), int(_num(head, "count_value")),
                                        _opt(head, "avg_value"), buckets))  # fmt: skip
    per_name: dict[str, list[Bucket]] = {}
    totals: dict[str, int] = {}
    for r in categorical:
        name = str(r["name"])
        per_name.setdefault(name, []).append(Bucket(str(r.get("stringValue")), int(_num(r, "count_count"))))
        totals[name] = totals.get(name, 0) + int(_num(r, "count_count"))
    for name in sorted(per_name)[:MAX_SCORE_NAMES]:
        result.append(ScoreDistribution(name, "CATEGORICAL", totals[name], None, tuple(per_name[name][:20])))
    return tuple(sorted(result, key=lambda d: d.name))


def _is_whole(rows: list[MetricsRow]) -> bool:
    hist = rows[0].get("histogram_value") if rows else None
    return bool(hist) and isinstance(hist, list) and all(b[1] - b[0] == 1 for b in hist)


def _bin_label(whole: bool, b: list[Any]) -> str:
    if whole:
        return f"{b[0]:.0f}"
    if b[1] == b[0]:
        return f"{b[0]:.3g}"
    return f"{b[0]:.3g}–{b[1]:.3g}"
