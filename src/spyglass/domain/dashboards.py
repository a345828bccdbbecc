"""Custom dashboards (pure): named sets of widgets, each a metrics query (domain/metrics.py) drawn as a line, bar,
number or table. A widget keeps its query without a time window; the dashboard page supplies the window.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from spyglass.domain.metrics import InvalidMetricsQuery, MetricsQuery, parse_metrics_query

MAX_WIDGETS = 50
MAX_NAME = 200


class ChartType(enum.StrEnum):
    LINE = "line"
    BAR = "bar"
    NUMBER = "number"
    TABLE = "table"


@dataclass(frozen=True, slots=True)
class Widget:
    id: str
    title: str
    chart: ChartType
    query: dict[str, Any]  # the metrics query object without fromTimestamp/toTimestamp


@dataclass(frozen=True, slots=True)
class Dashboard:
    """Widgets are in display order."""

    id: str
    project_id: str
    name: str
    description: str
    created_at: datetime
    updated_at: datetime
    widgets: tuple[Widget, ...] = ()


def widget_query(widget: Widget, start: datetime, end: datetime) -> MetricsQuery:
    """The widget's query over `start`..`end`; a line chart without a time dimension is bucketed automatically.
    Raises InvalidMetricsQuery."""
    raw = {**widget.query, "fromTimestamp": start.isoformat(), "toTimestamp": end.isoformat()}
    if widget.chart is ChartType.LINE and not raw.get("timeDimension"):
        raw["timeDimension"] = {"granularity": "auto"}
    return parse_metrics_query(raw, version=1)


def check_widget(title: str, chart: str, query: Any) -> tuple[str, ChartType, dict[str, Any]]:
    """A widget's parts, validated (the query against a sample window). Raises InvalidMetricsQuery naming the part."""
    title = title.strip()
    if not title or len(title) > MAX_NAME:
        raise InvalidMetricsQuery(f"the title must have 1 to {MAX_NAME} characters")
    try:
        kind = ChartType(chart)
    except ValueError:
        raise InvalidMetricsQuery(f"chart must be one of {', '.join(ChartType)}, got {chart[:20]!r}") from None
    if not isinstance(query, dict):
        raise InvalidMetricsQuery("the query must be a JSON object with view, metrics and optional dimensions")
    kept = {k: v for k, v in query.items() if k not in ("fromTimestamp", "toTimestamp")}
    sample = Widget("", title, kind, kept)
    widget_query(sample, datetime.fromisoformat("2026-01-01T00:00:00+00:00"),
                 datetime.fromisoformat("2026-01-02T00:00:00+00:00"))  # fmt: skip
    return title, kind, kept


def simple_query(
    view: str, measure: str, aggregation: str, dimension: str = "", granularity: str = ""
) -> dict[str, Any]:
    """The query object of the widget form's simple fields (one metric, at most one dimension)."""
    query: dict[str, Any] = {"view": view, "metrics": [{"measure": measure, "aggregation": aggregation}]}
    if dimension:
        query["dimensions"] = [{"field": dimension}]
    if granularity:
        query["timeDimension"] = {"granularity": granularity}
    return query


def with_widget(dashboard: Dashboard, widget: Widget, now: datetime) -> Dashboard:
    """The dashboard with `widget` in place of the one with its id, or added at the end."""
    widgets = list(dashboard.widgets)
    for i, w in enumerate(widgets):
        if w.id == widget.id:
            widgets[i] = widget
            break
    else:
        if len(widgets) >= MAX_WIDGETS:
            raise InvalidMetricsQuery(f"a dashboard holds at most {MAX_WIDGETS} widgets")
        widgets.append(widget)
    return replace(dashboard, widgets=tuple(widgets), updated_at=now)


def without_widget(dashboard: Dashboard, widget_id: str, now: datetime) -> Dashboard:
    return replace(dashboard, widgets=tuple(w for w in dashboard.widgets if w.id != widget_id), updated_at=now)
