"""Metrics queries over any store: the rows of a `MetricsQuery`, with empty time buckets filled in. The public
metrics API and the dashboards both read through here. No SQL here; see store/metrics_sql.py.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from spyglass.domain.metrics import MetricsQuery, MetricsRow, fill_time_gaps
from spyglass.store.base import Store


async def run_query(store: Store, project_id: str, query: MetricsQuery) -> list[MetricsRow]:
    """The rows of `query` in `project_id` (store.run_metrics), plus a row for each empty bucket of a time series
    without dimensions (counts and sums 0), as Langfuse fills them."""
    return fill_time_gaps(query, await store.run_metrics(project_id, query))


def row_to_wire(row: MetricsRow) -> dict[str, Any]:
    """A row as Langfuse's metrics API answers it: times as ISO-8601 with a Z."""
    return {k: (v.isoformat().replace("+00:00", "Z") if isinstance(v, datetime) else v) for k, v in row.items()}
