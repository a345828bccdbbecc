"""One SQL generator for metrics queries (domain/metrics.py), shared by the SQLite and PostgreSQL backends.

A query becomes a two-level SELECT: the inner level has one row per trace, observation or score in the window
(dimension values `d0..`, the time bucket `tb`, measure values `m0..`); the outer level groups and aggregates it.
Each backend passes a `Dialect` with the few pieces that differ: parameter marks, how times are stored and bucketed,
durations, JSON access, tag arrays and percentiles. A `histogram` metric takes two more statements (the value range,
then counts per bin; domain/histogram.py picks the bins). Backends run the statements of a `MetricsPlan` and hand
the rows back to `MetricsPlan.assemble`, so the result shape is decided here once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from spyglass.domain.histogram import Bins, fit_bins
from spyglass.domain.metrics import (
    DIMENSIONS,
    MEASURES,
    TIME_COLUMNS,
    TIME_DIMENSION,
    Aggregation,
    FieldType,
    Filter,
    Granularity,
    MeasureKind,
    Metric,
    MetricsQuery,
    MetricsRow,
    MetricValue,
    View,
)
from spyglass.domain.model import LEVEL_RANK

Statement = tuple[str, list[Any]]


class Dialect:
    """The hooks a backend sets. `mark` is the parameter placeholder."""

    mark = "?"

    def time_param(self, value: datetime) -> Any:
        raise NotImplementedError

    def to_datetime(self, raw: Any) -> datetime:
        raise NotImplementedError

    def bucket(self, column: str, granularity: Granularity) -> str:
        raise NotImplementedError

    def format_time(self, column: str, unit: str) -> str:
        """`column` as text 'YYYY-MM' (unit month) or 'YYYY-MM-DD' (unit day), in UTC."""
        raise NotImplementedError

    def duration_ms(self, start: str, end: str) -> str:
        raise NotImplementedError

    def json_sum(self, column: str, key_part: str) -> str:
        """The sum of the values of a JSON object column whose keys contain `key_part` (a fixed word)."""
        raise NotImplementedError

    def json_text(self, column: str) -> str:
        """The text at one key of a JSON column; the key is bound as the one parameter (see `json_key`)."""
        raise NotImplementedError

    def json_key(self, key: str) -> str:
        return key

    def json_number(self, column: str) -> str:
        raise NotImplementedError

    def position(self, column: str) -> str:
        """1-based position of the bound needle in `column`, 0 when absent."""
        raise NotImplementedError

    def tags_match(self, column: str, values: Sequence[str], mode: str) -> Statement:
        """Rows whose tag list holds `any` or `all` of `values`."""
        raise NotImplementedError

    def decode_tags(self, raw: Any) -> list[str]:
        raise NotImplementedError

    def floor_int(self, expr: str) -> str:
        raise NotImplementedError

    def percentile(self, fraction: float, column: str) -> str:
        """The `fraction` percentile of `column` in the group, interpolating linearly between the nearest ranks
        (NULLs left out; NULL for an empty group)."""
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
class _Field:
    sql: str
    join: str | None = None  # "t" (the trace) or "o" (the observation) when the field needs that join


_LEVEL = "CASE t.level_rank WHEN 0 THEN 'DEBUG' WHEN 2 THEN 'WARNING' WHEN 3 THEN 'ERROR' ELSE 'DEFAULT' END"


def _level_rank(where: _Where, f: Filter, view: View) -> bool:
    """A trace-level filter `level =` / `any of` / `none of` as a condition on the stored rank, which an index
    holds (the level name is computed from it); False when `f` is another filter."""
    if view is not View.TRACES or f.column != "level" or f.operator not in ("=", "any of", "none of"):
        return False
    names = (f.value,) if isinstance(f.value, str) else f.value if isinstance(f.value, tuple) else ()
    ranks = [LEVEL_RANK.get(str(n).upper(), -1) for n in names]
    negate = "NOT " if f.operator == "none of" else ""
    where.add(f"t.level_rank {negate}IN ({where.marks(len(ranks))})", *ranks)
    return True


def _fields(view: View, d: Dialect) -> dict[str, _Field]:
    trace = {"traceName": _Field("t.name", "t"), "tags": _Field("t.tags", "t"), "userId": _Field("t.user_id", "t"),
             "sessionId": _Field("t.session_id", "t"), "traceRelease": _Field("t.release", "t"),
             "traceVersion": _Field("t.version", "t")}  # fmt: skip
    if view is View.TRACES:
        return {
            "id": _Field("t.id"), "name": _Field("t.name"), "tags": _Field("t.tags"), "userId": _Field("t.user_id"),
            "sessionId": _Field("t.session_id"), "release": _Field("t.release"), "version": _Field("t.version"),
            "environment": _Field("t.environment"), "level": _Field(_LEVEL),
            "timestampMonth": _Field(d.format_time("t.timestamp", "month")),
        }  # fmt: skip
    if view is View.OBSERVATIONS:
        return {
            **trace, "id": _Field("o.id"), "traceId": _Field("o.trace_id"), "environment": _Field("o.environment"),
            "parentObservationId": _Field("o.parent_observation_id"), "type": _Field("o.type"),
            "name": _Field("o.name"), "level": _Field("o.level"), "version": _Field("o.version"),
            "providedModelName": _Field("o.model"), "promptName": _Field("o.prompt_name"),
            "promptVersion": _Field("o.prompt_version"),
            "startTimeMonth": _Field(d.format_time("o.start_time", "month")),
        }  # fmt: skip
    return {
        **trace, "sessionId": _Field("coalesce(s.session_id, t.session_id)", "t"),
        "observationName": _Field("o.name", "o"), "observationModelName": _Field("o.model", "o"),
        "observationPromptName": _Field("o.prompt_name", "o"),
        "observationPromptVersion": _Field("o.prompt_version", "o"), "id": _Field("s.id"),
        "environment": _Field("s.environment"), "name": _Field("s.name"), "source": _Field("s.source"),
        "dataType": _Field("s.data_type"), "traceId": _Field("s.trace_id"), "configId": _Field("s.config_id"),
        "observationId": _Field("s.observation_id"),
        "timestampMonth": _Field(d.format_time("s.timestamp", "month")),
        "timestampDay": _Field(d.format_time("s.timestamp", "day")), "value": _Field("s.value"),
        "booleanValue": _Field("(s.value <> 0)"), "stringValue": _Field("s.string_value"),
    }  # fmt: skip


def _measures(view: View, d: Dialect) -> dict[str, str]:
    if view is View.TRACES:
        return {
            "count": "1", "observationsCount": "t.observation_count",
            "scoresCount": "(SELECT count(*) FROM scores sc WHERE sc.project_id = t.project_id AND sc.trace_id = t.id)",
            "uniqueUserIds": "t.user_id", "uniqueSessionIds": "t.session_id",
            "latency": d.duration_ms("t.start_time", "t.end_time"), "totalTokens": "t.total_tokens",
            "totalCost": "t.total_cost",
        }  # fmt: skip
    if view is View.OBSERVATIONS:
        return {
            "count": "1", "latency": d.duration_ms("o.start_time", "o.end_time"),
            "streamingLatency": d.duration_ms("o.completion_start_time", "o.end_time"),
            "inputTokens": "o.input_tokens", "outputTokens": "o.output_tokens", "totalTokens": "o.total_tokens",
            "outputTokensPerSecond": f"o.output_tokens * 1000.0 / nullif({d.duration_ms('o.completion_start_time', 'o.end_time')}, 0)",  # noqa: E501
            "tokensPerSecond": f"o.total_tokens * 1000.0 / nullif({d.duration_ms('o.start_time', 'o.end_time')}, 0)",
            "inputCost": d.json_sum("o.cost_details", "input"), "outputCost": d.json_sum("o.cost_details", "output"),
            "totalCost": "o.total_cost",
            "timeToFirstToken": d.duration_ms("o.start_time", "o.completion_start_time"),
            "countScores": "(SELECT count(*) FROM scores sc WHERE sc.project_id = o.project_id"
                           " AND sc.observation_id = o.id)",
        }  # fmt: skip
    return {"count": "1", "value": "s.value"}


_SOURCES = {
    View.TRACES: ("traces t", "t", {}),
    View.OBSERVATIONS: ("observations o", "o",
                        {"t": "LEFT JOIN traces t ON t.project_id = o.project_id AND t.id = o.trace_id"}),
    View.SCORES_NUMERIC: ("scores s", "s", {
        "t": "LEFT JOIN traces t ON t.project_id = s.project_id AND t.id = s.trace_id",
        "o": "LEFT JOIN observations o ON o.project_id = s.project_id AND o.id = s.observation_id"}),
}  # fmt: skip
_SEGMENTS = {
    View.SCORES_NUMERIC: "s.data_type IN ('NUMERIC', 'BOOLEAN')",
    View.SCORES_BOOLEAN: "s.data_type = 'BOOLEAN'",
    View.SCORES_CATEGORICAL: "s.data_type = 'CATEGORICAL'",
}
_TIME_SQL = {"t": "t.timestamp", "o": "o.start_time", "s": "s.timestamp"}
_COMPARE = {"=": "=", ">": ">", "<": "<", ">=": ">=", "<=": "<=", "<>": "<>"}


def _source(view: View) -> tuple[str, str, dict[str, str]]:
    return _SOURCES.get(view) or _SOURCES[View.SCORES_NUMERIC]


class _Where:
    def __init__(self, d: Dialect) -> None:
        self.d = d
        self.clauses: list[str] = []
        self.params: list[Any] = []

    def add(self, clause: str, *params: Any) -> None:
        self.clauses.append(clause)
        self.params.extend(params)

    def marks(self, n: int) -> str:
        return ", ".join(self.d.mark for _ in range(n))

    def text(self, expr: str, pre: list[Any], operator: str, value: Any) -> None:
        """A string condition on `expr` (whose own parameters are `pre`)."""
        m = self.d.mark
        if operator == "=":
            self.add(f"{expr} = {m}", *pre, value)
        elif operator == "contains":
            self.add(f"{self.d.position(expr)} > 0", *pre, value)
        elif operator == "does not contain":
            self.add(f"({expr} IS NULL OR {self.d.position(expr)} = 0)", *pre, *pre, value)
        elif operator == "starts with":  # lengths are whole numbers from len(), safe to inline
            self.add(f"substr({expr}, 1, {len(value)}) = {m}", *pre, value)
        else:  # ends with
            self.add(f"substr({expr}, length({expr}) - {len(value) - 1}) = {m}", *pre, *pre, value)

    def condition(self, f: Filter, expr: str, kind: FieldType | None) -> None:
        m = self.d.mark
        if f.type == "null":
            self.add(f"{expr} IS {'NOT ' if f.operator == 'is not null' else ''}NULL")
        elif f.type == "string":
            self.text(expr, [], f.operator, f.value)
        elif f.type in ("stringOptions", "categoryOptions"):
            values = list(f.value) if isinstance(f.value, tuple) else []
            inside = f"{expr} IN ({self.marks(len(values))})"
            self.add(inside if f.operator == "any of" else f"({expr} IS NULL OR NOT {inside})", *values)
        elif f.type == "arrayOptions":
            values = list(f.value) if isinstance(f.value, tuple) else []
            if not values:
                return  # "all of" / "none of" nothing: no condition (Langfuse: waiting for a selection)
            sql, params = self.d.tags_match(expr, values, "any" if f.operator != "all of" else "all")
            self.add(f"NOT ({sql})" if f.operator == "none of" else sql, *params)
        elif f.type in ("number", "boolean"):
            self.add(f"{expr} {_COMPARE[f.operator]} {m}", f.value)
        elif f.type == "datetime" and isinstance(f.value, datetime):
            self.add(f"{expr} {_COMPARE[f.operator]} {m}", self.d.time_param(f.value))
        elif f.type == "stringObject":
            self.text(self.d.json_text(expr), [self.d.json_key(f.key or "")], f.operator, f.value)
        elif f.type == "numberObject":
            self.add(f"{self.d.json_number(expr)} {_COMPARE[f.operator]} {m}", self.d.json_key(f.key or ""), f.value)

    @property
    def sql(self) -> str:
        return " AND ".join(self.clauses)


@dataclass(slots=True)
class _Inner:
    """The inner level: its SELECT list and the FROM/WHERE shared by every statement of a plan."""

    columns: list[str] = field(default_factory=list)
    dims: list[str] = field(default_factory=list)  # output names of the group columns, in order
    group: list[str] = field(default_factory=list)  # the inner columns grouped by (tb, d0, ...), in order
    measure_columns: dict[str, str] = field(default_factory=dict)  # measure -> inner column
    from_where: str = ""
    params: list[Any] = field(default_factory=list)


def _inner(query: MetricsQuery, project_id: str, d: Dialect) -> _Inner:
    fields, measures = _fields(query.view, d), _measures(query.view, d)
    table, alias, joins = _source(query.view)
    where = _Where(d)
    time_sql = _TIME_SQL[alias]
    where.add(f"{alias}.project_id = {d.mark}", project_id)
    where.add(f"{time_sql} >= {d.mark} AND {time_sql} <= {d.mark}", d.time_param(query.from_timestamp),
              d.time_param(query.to_timestamp))  # fmt: skip
    if query.view in _SEGMENTS:
        where.add(_SEGMENTS[query.view])
    needed = {fields[name].join for name in query.dimensions}
    for f in query.filters:
        if f.column == "metadata":
            where.condition(f, f"{alias}.metadata", None)
        elif f.column == TIME_COLUMNS[query.view]:
            where.condition(f, time_sql, None)
        else:
            needed.add(fields[f.column].join)
            if not _level_rank(where, f, query.view):
                where.condition(f, fields[f.column].sql, DIMENSIONS[query.view][f.column])
    inner = _Inner()
    if query.granularity:
        inner.columns.append(f"{d.bucket(time_sql, query.granularity)} AS tb")
        inner.dims.append(TIME_DIMENSION)
        inner.group.append("tb")
    for i, name in enumerate(query.dimensions):
        inner.columns.append(f"{fields[name].sql} AS d{i}")
        inner.dims.append(name)
        inner.group.append(f"d{i}")
    for j, measure in enumerate(dict.fromkeys(m.measure for m in query.metrics)):
        inner.columns.append(f"{measures[measure]} AS m{j}")
        inner.measure_columns[measure] = f"m{j}"
    join_sql = " ".join(joins[j] for j in ("t", "o") if j in needed and j in joins)
    inner.from_where = f"FROM {table} {join_sql} WHERE {where.sql}"
    inner.params = where.params
    return inner


def _aggregate(metric: Metric, column: str, kind: MeasureKind, d: Dialect) -> str:
    agg = metric.aggregation
    if kind is MeasureKind.DISTINCT:
        return f"count(DISTINCT {column})"
    if agg is Aggregation.COUNT:
        return f"count({column})"
    if agg is Aggregation.SUM:
        return f"coalesce(sum({column}), 0)"
    if agg in (Aggregation.AVG, Aggregation.MIN, Aggregation.MAX):
        return f"{agg.value}({column})"
    return d.percentile(agg.percentile or 0.5, column)


@dataclass(frozen=True, slots=True)
class HistogramPlan:
    """The statements of one histogram metric: `bounds` gives (lo, hi, non_integral); `counts(bins)` the counts."""

    alias: str
    bounds: Statement
    counts: Callable[[Bins], Statement]
    max_bins: int

    def fit(self, row: Sequence[Any] | None) -> Bins | None:
        if row is None or row[0] is None:
            return None
        return fit_bins(float(row[0]), float(row[1]), not row[2], self.max_bins)


@dataclass(frozen=True, slots=True)
class MetricsPlan:
    main: Statement
    histograms: tuple[HistogramPlan, ...]
    query: MetricsQuery
    dims: tuple[str, ...]
    dialect: Dialect

    def _value(self, name: str, raw: Any) -> MetricValue:
        if raw is None:
            return None
        if name == TIME_DIMENSION:
            return self.dialect.to_datetime(raw)
        kind = DIMENSIONS[self.query.view].get(name)
        if kind is FieldType.STRINGS:
            return self.dialect.decode_tags(raw)
        if kind is FieldType.BOOLEAN:
            return bool(raw)
        if isinstance(raw, Decimal):
            return float(raw)
        if isinstance(raw, (str, int, float, bool, datetime)):
            return raw
        return str(raw)

    def assemble(
        self, rows: Sequence[Sequence[Any]], histograms: dict[str, tuple[Bins, Sequence[Sequence[Any]]]]
    ) -> list[MetricsRow]:
        """Result rows from the main statement's rows (group columns, then non-histogram metrics, in order) and
        each histogram's bins with its count rows (group columns, bin index, count)."""
        n = len(self.dims)
        bars: dict[str, dict[tuple[Any, ...], list[int]]] = {}
        for alias, (bins, count_rows) in histograms.items():
            per_group: dict[tuple[Any, ...], list[int]] = {}
            for r in count_rows:
                counts = per_group.setdefault(tuple(r[:n]), [0] * bins.count)
                counts[bins.index_of(bins.lo + (int(r[n]) + 0.5) * bins.width) if bins.width > 0 else 0] += int(
                    r[n + 1]
                )
            bars[alias] = per_group
        result: list[MetricsRow] = []
        plain = [m for m in self.query.metrics if m.aggregation is not Aggregation.HISTOGRAM]
        for r in rows:
            key = tuple(r[:n])
            out: MetricsRow = {name: self._value(name, r[i]) for i, name in enumerate(self.dims)}
            values = dict(zip((m.alias for m in plain), r[n : n + len(plain)], strict=True))
            for m in self.query.metrics:
                if m.aggregation is Aggregation.HISTOGRAM:
                    fitted = histograms.get(m.alias)
                    counts = bars.get(m.alias, {}).get(key, [])
                    edges = fitted[0] if fitted else None
                    out[m.alias] = [[edges.lower(i), edges.upper(i), c] for i, c in enumerate(counts)] if edges else []
                else:
                    out[m.alias] = self._value(m.alias, values[m.alias])
            result.append(out)
        return result


def build(query: MetricsQuery, project_id: str, d: Dialect) -> MetricsPlan:
    """The statements answering `query` in `project_id`, with `d`'s SQL."""
    kinds = MEASURES[query.view]
    inner = _inner(query, project_id, d)
    group = inner.group
    plain = [m for m in query.metrics if m.aggregation is not Aggregation.HISTOGRAM]
    body = f"(SELECT {', '.join(inner.columns) or '1 AS one'} {inner.from_where}) x"
    selects = [f"{c} AS c{i}" for i, c in enumerate(group)]
    selects += [f"{_aggregate(m, inner.measure_columns[m.measure], kinds[m.measure], d)} AS c{len(group) + k}"
                for k, m in enumerate(plain)]  # fmt: skip
    names = [*inner.dims, *(m.alias for m in plain)]
    order: list[str] = []
    for o in query.order():
        if o.field in names:
            direction = "DESC NULLS LAST" if o.descending else "ASC NULLS FIRST"
            order.append(f"c{names.index(o.field)} {direction}")
    order += [f"c{i} ASC NULLS FIRST" for i in range(len(group))]
    sql = (
        f"SELECT {', '.join(selects) or 'count(*) AS c0'} FROM {body}"
        + (f" GROUP BY {', '.join(group)}" if group else "")
        + f" ORDER BY {', '.join(order) or 'c0'} LIMIT {int(query.row_limit)}"
    )
    histograms = tuple(_histogram(query, m, inner, group, d) for m in query.metrics
                       if m.aggregation is Aggregation.HISTOGRAM)  # fmt: skip
    return MetricsPlan((sql, list(inner.params)), histograms, query, tuple(inner.dims), d)


def _histogram(query: MetricsQuery, metric: Metric, inner: _Inner, group: list[str], d: Dialect) -> HistogramPlan:
    col = inner.measure_columns[metric.measure]
    body = f"(SELECT {', '.join(inner.columns)} {inner.from_where}) x"
    bounds = (f"SELECT min({col}), max({col}), count(CASE WHEN {col} <> round({col}) THEN 1 END) FROM {body}",
              list(inner.params))  # fmt: skip

    def counts(bins: Bins) -> Statement:
        index = d.floor_int(f"({col} - {d.mark}) / {d.mark}") if bins.width > 0 else "0"
        keys = [*group, index]
        params: list[Any] = [bins.lo, bins.width] if bins.width > 0 else []
        sql = (f"SELECT {', '.join(keys)}, count(*) FROM {body} WHERE {col} IS NOT NULL"
               f" GROUP BY {', '.join(str(i + 1) for i in range(len(keys)))}")  # fmt: skip
        return sql, [*params, *inner.params]

    return HistogramPlan(metric.alias, bounds, counts, query.bins)
