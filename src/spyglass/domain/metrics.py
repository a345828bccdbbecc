"""Metrics queries (Langfuse's `GET /api/public/metrics` query object) as typed values, and their validation.

A query names a view (traces, observations, scores), measures with aggregations, dimensions to group by, filters, an
optional time bucket and a time window. `parse_metrics_query` turns the JSON object into a `MetricsQuery` or raises
`InvalidMetricsQuery` with a message naming the bad part. The views' fields are listed here once; the SQL for them
lives in store/metrics_sql.py. A result row is a mapping: each dimension by its name, `time_dimension` (a UTC
datetime) when bucketed by time, and each metric as `<aggregation>_<measure>`, as Langfuse answers.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

MetricValue = str | int | float | bool | datetime | list[Any] | None
MetricsRow = dict[str, MetricValue]
TIME_DIMENSION = "time_dimension"


class InvalidMetricsQuery(ValueError):
    """The query cannot run; the message names the part (view, measure, dimension, filter, time, ...)."""


class View(enum.StrEnum):
    TRACES = "traces"
    OBSERVATIONS = "observations"
    SCORES_NUMERIC = "scores-numeric"
    SCORES_BOOLEAN = "scores-boolean"
    SCORES_CATEGORICAL = "scores-categorical"


class Aggregation(enum.StrEnum):
    COUNT = "count"
    SUM = "sum"
    AVG = "avg"
    MIN = "min"
    MAX = "max"
    P50 = "p50"
    P75 = "p75"
    P90 = "p90"
    P95 = "p95"
    P99 = "p99"
    HISTOGRAM = "histogram"

    @property
    def percentile(self) -> float | None:
        """0.5 for p50 and so on; None for the other aggregations."""
        return int(self.value[1:]) / 100 if self.value.startswith("p") else None


class Granularity(enum.StrEnum):
    MINUTE = "minute"
    HOUR = "hour"
    DAY = "day"
    WEEK = "week"  # weeks start on Monday (ISO), on every backend
    MONTH = "month"


class FieldType(enum.StrEnum):
    STRING = "string"
    STRINGS = "string[]"
    NUMBER = "number"
    BOOLEAN = "boolean"


class MeasureKind(enum.StrEnum):
    ROWS = "rows"  # counts rows: every aggregation of it is the number of rows
    NUMBER = "number"  # a number per row, aggregated as asked
    DISTINCT = "distinct"  # distinct values of a column: count (or sum) only


_TRACE_FIELDS = {"traceName": FieldType.STRING, "tags": FieldType.STRINGS, "userId": FieldType.STRING,
                 "sessionId": FieldType.STRING, "traceRelease": FieldType.STRING,
                 "traceVersion": FieldType.STRING}  # fmt: skip
_SCORE_FIELDS = {
    **_TRACE_FIELDS, "observationName": FieldType.STRING, "observationModelName": FieldType.STRING,
    "observationPromptName": FieldType.STRING, "observationPromptVersion": FieldType.NUMBER, "id": FieldType.STRING,
    "environment": FieldType.STRING, "name": FieldType.STRING, "source": FieldType.STRING,
    "dataType": FieldType.STRING, "traceId": FieldType.STRING, "configId": FieldType.STRING,
    "timestampMonth": FieldType.STRING, "timestampDay": FieldType.STRING, "observationId": FieldType.STRING,
}  # fmt: skip

DIMENSIONS: dict[View, dict[str, FieldType]] = {
    View.TRACES: {
        "id": FieldType.STRING, "name": FieldType.STRING, "tags": FieldType.STRINGS, "userId": FieldType.STRING,
        "sessionId": FieldType.STRING, "release": FieldType.STRING, "version": FieldType.STRING,
        "environment": FieldType.STRING, "level": FieldType.STRING, "timestampMonth": FieldType.STRING,
    },
    View.OBSERVATIONS: {
        **_TRACE_FIELDS, "id": FieldType.STRING, "traceId": FieldType.STRING, "environment": FieldType.STRING,
        "parentObservationId": FieldType.STRING, "type": FieldType.STRING, "name": FieldType.STRING,
        "level": FieldType.STRING, "version": FieldType.STRING, "providedModelName": FieldType.STRING,
        "promptName": FieldType.STRING, "promptVersion": FieldType.NUMBER, "startTimeMonth": FieldType.STRING,
    },
    View.SCORES_NUMERIC: {**_SCORE_FIELDS, "value": FieldType.NUMBER},
    View.SCORES_BOOLEAN: {**_SCORE_FIELDS, "booleanValue": FieldType.BOOLEAN},
    View.SCORES_CATEGORICAL: {**_SCORE_FIELDS, "stringValue": FieldType.STRING},
}  # fmt: skip

MEASURES: dict[View, dict[str, MeasureKind]] = {
    View.TRACES: {
        "count": MeasureKind.ROWS, "observationsCount": MeasureKind.NUMBER, "scoresCount": MeasureKind.NUMBER,
        "uniqueUserIds": MeasureKind.DISTINCT, "uniqueSessionIds": MeasureKind.DISTINCT,
        "latency": MeasureKind.NUMBER, "totalTokens": MeasureKind.NUMBER, "totalCost": MeasureKind.NUMBER,
    },
    View.OBSERVATIONS: {
        "count": MeasureKind.ROWS, "latency": MeasureKind.NUMBER, "streamingLatency": MeasureKind.NUMBER,
        "inputTokens": MeasureKind.NUMBER, "outputTokens": MeasureKind.NUMBER, "totalTokens": MeasureKind.NUMBER,
        "outputTokensPerSecond": MeasureKind.NUMBER, "tokensPerSecond": MeasureKind.NUMBER,
        "inputCost": MeasureKind.NUMBER, "outputCost": MeasureKind.NUMBER, "totalCost": MeasureKind.NUMBER,
        "timeToFirstToken": MeasureKind.NUMBER, "countScores": MeasureKind.NUMBER,
    },
    View.SCORES_NUMERIC: {"count": MeasureKind.ROWS, "value": MeasureKind.NUMBER},
    View.SCORES_BOOLEAN: {"count": MeasureKind.ROWS, "value": MeasureKind.NUMBER},
    View.SCORES_CATEGORICAL: {"count": MeasureKind.ROWS},
}  # fmt: skip

# Filter-only columns besides the dimensions: each view's time column and metadata (with a key).
TIME_COLUMNS = {View.TRACES: "timestamp", View.OBSERVATIONS: "startTime", View.SCORES_NUMERIC: "timestamp",
                View.SCORES_BOOLEAN: "timestamp", View.SCORES_CATEGORICAL: "timestamp"}  # fmt: skip

# Langfuse's v2 endpoint refuses grouping by these (use them in filters) and has no traces view.
HIGH_CARDINALITY_V2 = frozenset({"id", "traceId", "userId", "sessionId", "parentObservationId", "observationId"})

OPERATORS: dict[str, tuple[str, ...]] = {
    "datetime": (">", "<", ">=", "<="),
    "string": ("=", "contains", "does not contain", "starts with", "ends with"),
    "stringOptions": ("any of", "none of"),
    "categoryOptions": ("any of", "none of"),
    "arrayOptions": ("any of", "none of", "all of"),
    "number": ("=", ">", "<", ">=", "<="),
    "stringObject": ("=", "contains", "does not contain", "starts with", "ends with"),
    "numberObject": ("=", ">", "<", ">=", "<="),
    "boolean": ("=", "<>"),
    "null": ("is null", "is not null"),
}
_TYPES_FOR = {
    FieldType.STRING: ("string", "stringOptions", "categoryOptions", "null"),
    FieldType.STRINGS: ("arrayOptions", "null"),
    FieldType.NUMBER: ("number", "null"),
    FieldType.BOOLEAN: ("boolean", "null"),
}

DEFAULT_ROW_LIMIT = {1: 1000, 2: 100}
MAX_ROW_LIMIT = 1000
MAX_BINS = 100


@dataclass(frozen=True, slots=True)
class Metric:
    measure: str
    aggregation: Aggregation

    @property
    def alias(self) -> str:
        return f"{self.aggregation.value}_{self.measure}"


@dataclass(frozen=True, slots=True)
class Filter:
    """One condition. `value` is a string, number, bool, datetime, tuple of strings, or None for null checks;
    `key` names the metadata key of a stringObject/numberObject filter."""

    column: str
    operator: str
    type: str
    value: str | float | bool | datetime | tuple[str, ...] | None
    key: str | None = None


@dataclass(frozen=True, slots=True)
class Order:
    field: str
    descending: bool


@dataclass(frozen=True, slots=True)
class MetricsQuery:
    """A validated query. Times are aware UTC; the window is from <= time <= to."""

    view: View
    metrics: tuple[Metric, ...]
    from_timestamp: datetime
    to_timestamp: datetime
    dimensions: tuple[str, ...] = ()
    filters: tuple[Filter, ...] = ()
    granularity: Granularity | None = None
    order_by: tuple[Order, ...] = ()
    bins: int = 10
    row_limit: int = 100
    fill_gaps: bool = field(default=True)

    @property
    def output_fields(self) -> tuple[str, ...]:
        timed = (TIME_DIMENSION,) if self.granularity else ()
        return (*timed, *self.dimensions, *(m.alias for m in self.metrics))

    def order(self) -> tuple[Order, ...]:
        """The requested order, else Langfuse's default: time ascending, else the first metric descending."""
        if self.order_by:
            return self.order_by
        if self.granularity:
            return (Order(TIME_DIMENSION, False),)
        if self.metrics:
            return (Order(self.metrics[0].alias, True),)
        return tuple(Order(d, False) for d in self.dimensions[:1])


def auto_granularity(start: datetime, end: datetime) -> Granularity:
    """About 50 buckets or fewer over the window (Langfuse's `auto`)."""
    hours = (end - start).total_seconds() / 3600
    if hours < 2:
        return Granularity.MINUTE
    if hours < 72:
        return Granularity.HOUR
    if hours < 1440:
        return Granularity.DAY
    if hours < 8760:
        return Granularity.WEEK
    return Granularity.MONTH


def bucket_start(moment: datetime, granularity: Granularity) -> datetime:
    """The UTC start of the bucket holding `moment` (the same rule the SQL backends apply)."""
    t = moment.astimezone(UTC)
    if granularity is Granularity.MINUTE:
        return t.replace(second=0, microsecond=0)
    if granularity is Granularity.HOUR:
        return t.replace(minute=0, second=0, microsecond=0)
    day = t.replace(hour=0, minute=0, second=0, microsecond=0)
    if granularity is Granularity.DAY:
        return day
    if granularity is Granularity.WEEK:
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def next_bucket(start: datetime, granularity: Granularity) -> datetime:
    if granularity is Granularity.MONTH:
        return start.replace(year=start.year + start.month // 12, month=start.month % 12 + 1)
    step = {Granularity.MINUTE: timedelta(minutes=1), Granularity.HOUR: timedelta(hours=1),
            Granularity.DAY: timedelta(days=1), Granularity.WEEK: timedelta(days=7)}[granularity]  # fmt: skip
    return start + step


def fill_time_gaps(query: MetricsQuery, rows: list[MetricsRow], max_buckets: int = 1000) -> list[MetricsRow]:
    """Rows of a time series without dimensions, with a row for every bucket of the window (counts and sums 0,
    other metrics None), as Langfuse's WITH FILL does. Other queries are returned as they are."""
    if not query.granularity or query.dimensions or query.order_by or not query.fill_gaps:
        return rows
    by_time: dict[Any, MetricsRow] = {r[TIME_DIMENSION]: r for r in rows}
    moment = bucket_start(query.from_timestamp, query.granularity)
    while moment < query.to_timestamp and len(by_time) < max_buckets:  # the bucket at `to` only when it has rows
        if moment not in by_time:
            empty: MetricsRow = {TIME_DIMENSION: moment}
            for m in query.metrics:
                zero = m.aggregation in (Aggregation.COUNT, Aggregation.SUM)
                empty[m.alias] = 0 if zero else ([] if m.aggregation is Aggregation.HISTOGRAM else None)
            by_time[moment] = empty
        try:
            moment = next_bucket(moment, query.granularity)
        except (OverflowError, ValueError):  # past year 9999
            break
    return [by_time[k] for k in sorted(by_time)][: query.row_limit]


# --- parsing the JSON query object -------------------------------------------------------------------------------


def _fail(message: str) -> InvalidMetricsQuery:
    return InvalidMetricsQuery(message[:400])


def _time(raw: Mapping[str, Any], name: str) -> datetime:
    return _time_value(raw.get(name), name)


def _time_value(value: Any, name: str) -> datetime:
    if not isinstance(value, str) or not value:
        raise _fail(f"{name} is required: an ISO-8601 datetime such as 2026-01-31T00:00:00Z")
    if "T" in value and value.count(" ") == 1:
        value = value.replace(" ", "+")  # an offset's "+" that arrived unencoded in the URL
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00") if value.endswith("Z") else value)
    except ValueError:
        raise _fail(f"{name} is not an ISO-8601 datetime: {value[:60]!r}") from None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)


def _list(raw: Mapping[str, Any], name: str) -> list[Any]:
    value = raw.get(name)
    if value is None:
        return []
    if not isinstance(value, list):
        raise _fail(f"{name} must be a list, got {type(value).__name__}")
    return value


def _metric(view: View, item: Any, index: int) -> Metric:
    if not isinstance(item, dict):
        raise _fail(f"metrics[{index}] must be an object with measure and aggregation")
    measure, aggregation = item.get("measure"), item.get("aggregation")
    kinds = MEASURES[view]
    if measure not in kinds:
        raise _fail(f"Invalid metric: metrics[{index}].measure {str(measure)[:60]!r} is not a measure of view "
                    f"{view.value}; use one of {', '.join(kinds)}")  # fmt: skip
    try:
        agg = Aggregation(str(aggregation))
    except ValueError:
        raise _fail(f"Invalid aggregation: metrics[{index}].aggregation {str(aggregation)[:40]!r}; use one of "
                    f"{', '.join(Aggregation)}") from None  # fmt: skip
    if kinds[measure] is MeasureKind.DISTINCT and agg not in (Aggregation.COUNT, Aggregation.SUM):
        raise _fail(f"Invalid aggregation: metrics[{index}] {measure} counts distinct values; use count")
    if kinds[measure] is MeasureKind.ROWS and agg is Aggregation.HISTOGRAM:
        raise _fail(f"Invalid aggregation: metrics[{index}] a histogram of count has one value; use count")
    return Metric(str(measure), agg)


def _dimension(view: View, item: Any, index: int, version: int) -> str:
    name = item.get("field") if isinstance(item, dict) else None
    if name not in DIMENSIONS[view]:
        raise _fail(f"Invalid dimension: dimensions[{index}].field {str(name)[:60]!r} is not a dimension of view "
                    f"{view.value}; use one of {', '.join(DIMENSIONS[view])}")  # fmt: skip
    if version == 2 and name in HIGH_CARDINALITY_V2:
        raise _fail(f"Invalid dimension: dimensions[{index}].field {name!r} has too many values to group by in the "
                    f"v2 metrics API; filter on it instead")  # fmt: skip
    return str(name)


def _filter(view: View, item: Any, index: int) -> Filter:
    where = f"filters[{index}]"
    if not isinstance(item, dict):
        raise _fail(f"{where} must be an object with column, operator, value and type")
    column, operator, kind, value = item.get("column"), item.get("operator"), item.get("type"), item.get("value")
    if kind not in OPERATORS:
        raise _fail(f"{where}.type {str(kind)[:40]!r} is not a filter type; use one of {', '.join(OPERATORS)}")
    if operator not in OPERATORS[kind]:
        raise _fail(f"{where}.operator {str(operator)[:40]!r} does not go with type {kind}; use one of "
                    f"{', '.join(OPERATORS[kind])}")  # fmt: skip
    key = item.get("key")
    if column == "metadata":
        if kind not in ("stringObject", "numberObject") or not isinstance(key, str) or not key:
            raise _fail(f"{where}: Metadata filters require type 'stringObject' or 'numberObject' and a key")
    elif column == TIME_COLUMNS[view]:
        if kind != "datetime":
            raise _fail(f"{where}: column {column} takes type 'datetime'")
    elif column not in DIMENSIONS[view]:
        raise _fail(f"Invalid filter column: {where}.column {str(column)[:60]!r} is not a column of view "
                    f"{view.value}; use a dimension, {TIME_COLUMNS[view]} or metadata")  # fmt: skip
    else:
        allowed = _TYPES_FOR[DIMENSIONS[view][column]]
        if kind not in allowed:
            expected = "' or '".join(allowed)
            raise _fail(f"{where}: Filter type '{kind}' is not supported for dimension type "
                        f"'{DIMENSIONS[view][column].value}'. Expected '{expected}'.")  # fmt: skip
    parsed = _filter_value(where, str(kind), value)
    texts = [key] if isinstance(key, str) else []
    texts += [parsed] if isinstance(parsed, str) else list(parsed) if isinstance(parsed, tuple) else []
    if any("\x00" in t for t in texts):
        raise _fail(f"{where}: text may not hold NUL characters")
    return Filter(str(column), str(operator), str(kind), parsed, key)


def _filter_value(where: str, kind: str, value: Any) -> str | float | bool | datetime | tuple[str, ...] | None:
    if kind == "null":
        return None
    if kind == "datetime":
        return _time_value(value, f"{where}.value")
    if kind in ("number", "numberObject"):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise _fail(f"{where}.value must be a number")
        return float(value)
    if kind == "boolean":
        if not isinstance(value, bool):
            raise _fail(f"{where}.value must be true or false")
        return value
    if kind in ("stringOptions", "categoryOptions", "arrayOptions"):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise _fail(f"{where}.value must be a list of strings")
        if not value and kind != "arrayOptions":
            raise _fail(f"{where}.value must not be empty")
        return tuple(value)
    if not isinstance(value, str):
        raise _fail(f"{where}.value must be a string")
    return value


def _order(item: Any, index: int, fields: tuple[str, ...]) -> Order:
    if not isinstance(item, dict) or item.get("direction") not in ("asc", "desc"):
        raise _fail(f"orderBy[{index}] must be an object with field and direction asc or desc")
    name = item.get("field")
    if name not in fields:
        raise _fail(f"Invalid orderBy field: orderBy[{index}].field {str(name)[:60]!r}; use one of "
                    f"{', '.join(fields)}")  # fmt: skip
    return Order(str(name), item["direction"] == "desc")


def _config(raw: Mapping[str, Any], version: int) -> tuple[int, int]:
    config = raw.get("config") or raw.get("chartConfig") or {}
    if not isinstance(config, dict):
        raise _fail("config must be an object with bins and row_limit")
    bins, limit = config.get("bins", 10), config.get("row_limit", DEFAULT_ROW_LIMIT[version])
    if isinstance(bins, bool) or not isinstance(bins, int) or not 1 <= bins <= MAX_BINS:
        raise _fail(f"config.bins must be a whole number from 1 to {MAX_BINS}, got {str(bins)[:20]}")
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_ROW_LIMIT:
        raise _fail(f"config.row_limit must be a whole number from 1 to {MAX_ROW_LIMIT}, got {str(limit)[:20]}")
    return bins, limit


def parse_metrics_query(text: str | Mapping[str, Any], *, version: int = 1) -> MetricsQuery:
    """The query of `GET /api/public/metrics?query=` (version 1) or `/api/public/v2/metrics` (version 2), given as
    JSON text or an already decoded object. Raises InvalidMetricsQuery naming the bad part."""
    if isinstance(text, str):
        try:
            raw = orjson.loads(text)
        except orjson.JSONDecodeError:
            raise _fail("Invalid JSON in query parameter") from None
    else:
        raw = text
    if not isinstance(raw, dict):
        raise _fail("the query must be a JSON object with view, metrics, fromTimestamp and toTimestamp")
    views = [v for v in View if version == 1 or v is not View.TRACES]
    try:
        view = View(str(raw.get("view")))
    except ValueError:
        raise _fail(f"Invalid view: {str(raw.get('view'))[:60]!r}; use one of {', '.join(views)}") from None
    if view not in views:
        raise _fail("Invalid view: the v2 metrics API has no traces view; use observations, or /api/public/metrics")
    metrics = tuple(_metric(view, m, i) for i, m in enumerate(_list(raw, "metrics")))
    if not metrics:
        raise _fail("metrics must name at least one {measure, aggregation}")
    dimensions = tuple(_dimension(view, d, i, version) for i, d in enumerate(_list(raw, "dimensions")))
    filters = tuple(_filter(view, f, i) for i, f in enumerate(_list(raw, "filters")))
    start, end = _time(raw, "fromTimestamp"), _time(raw, "toTimestamp")
    if start >= end:
        raise _fail("fromTimestamp must be before toTimestamp")
    granularity: Granularity | None = None
    time_dimension = raw.get("timeDimension")
    if time_dimension is not None:
        value = time_dimension.get("granularity") if isinstance(time_dimension, dict) else None
        if value == "auto":
            granularity = auto_granularity(start, end)
        else:
            try:
                granularity = Granularity(str(value))
            except ValueError:
                raise _fail(f"Invalid granularity: timeDimension.granularity {str(value)[:30]!r}; use auto, "
                            f"{', '.join(Granularity)}") from None  # fmt: skip
    bins, limit = _config(raw, version)
    fields = ((TIME_DIMENSION,) if granularity else ()) + dimensions + tuple(m.alias for m in metrics)
    order = tuple(_order(o, i, fields) for i, o in enumerate(_list(raw, "orderBy")))
    return MetricsQuery(view, metrics, start, end, dimensions, filters, granularity, order, bins, limit)


def query_to_json(query: MetricsQuery, granularity: str | None = None) -> dict[str, Any]:
    """The JSON object `parse_metrics_query` reads back (for saved widgets); `granularity` overrides (e.g. auto)."""

    def value(f: Filter) -> Any:
        if isinstance(f.value, datetime):
            return f.value.isoformat()
        return list(f.value) if isinstance(f.value, tuple) else ("" if f.value is None else f.value)

    out: dict[str, Any] = {
        "view": query.view.value,
        "metrics": [{"measure": m.measure, "aggregation": m.aggregation.value} for m in query.metrics],
        "dimensions": [{"field": d} for d in query.dimensions],
        "filters": [
            {
                "column": f.column,
                "operator": f.operator,
                "type": f.type,
                "value": value(f),
                **({"key": f.key} if f.key else {}),
            }
            for f in query.filters
        ],
        "timeDimension": {"granularity": granularity or query.granularity.value} if query.granularity else None,
        "fromTimestamp": query.from_timestamp.isoformat(),
        "toTimestamp": query.to_timestamp.isoformat(),
        "orderBy": [{"field": o.field, "direction": "desc" if o.descending else "asc"} for o in query.order_by],
        "config": {"bins": query.bins, "row_limit": query.row_limit},
    }
    return out
