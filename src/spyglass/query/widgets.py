"""Custom dashboard widgets: each widget's metrics query over the page's window (query/metrics.py). A widget whose
query no longer runs (a saved query the API has since refused) shows its error instead of failing the page.
No SQL here.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from spyglass.domain.dashboards import Dashboard, Widget, widget_query
from spyglass.domain.metrics import InvalidMetricsQuery, MetricsRow
from spyglass.query.metrics import run_query
from spyglass.store.base import Store


@dataclass(frozen=True, slots=True)
class WidgetResult:
    """`fields`: the row keys in order (time, dimensions, then metrics as <aggregation>_<measure>)."""

    widget: Widget
    fields: tuple[str, ...]
    dimensions: tuple[str, ...]
    metric: str | None
    rows: tuple[MetricsRow, ...]
    error: str | None = None


async def _one(store: Store, project_id: str, widget: Widget, start: datetime, end: datetime) -> WidgetResult:
    try:
        query = widget_query(widget, start, end)
    except InvalidMetricsQuery as exc:
        return WidgetResult(widget, (), (), None, (), str(exc))
    rows = await run_query(store, project_id, query)
    return WidgetResult(widget, query.output_fields, query.dimensions, query.metrics[0].alias, tuple(rows))


async def run_widgets(
    store: Store, project_id: str, dashboard: Dashboard, start: datetime, end: datetime
) -> tuple[WidgetResult, ...]:
    """Every widget's rows for `start` <= time <= `end`, in the dashboard's order."""
    return tuple(await asyncio.gather(*(_one(store, project_id, w, start, end) for w in dashboard.widgets)))
