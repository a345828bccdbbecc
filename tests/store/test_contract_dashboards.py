"""Custom dashboards in the storage contract, on every backend: saved whole with their widgets in order, replaced
whole, scoped to their project, and deleted with their widgets."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from spyglass.domain.dashboards import ChartType, Dashboard, Widget
from spyglass.store.base import NotFound, Store
from tests.store.test_contract import project

pytestmark = pytest.mark.anyio
AT = datetime(2026, 3, 1, 12, 0, 0, 123456, tzinfo=UTC)
COUNT = {"view": "traces", "metrics": [{"measure": "count", "aggregation": "count"}]}


async def test_dashboards_round_trip(store_backend: Store) -> None:
    pid = await project(store_backend)
    other = await store_backend.create_project("other")
    widgets = (Widget("w1", "Traces", ChartType.NUMBER, COUNT),
               Widget("w2", "By name", ChartType.BAR, {**COUNT, "dimensions": [{"field": "name"}]}))  # fmt: skip
    made = Dashboard("d1", pid, "Ops", "the basics", AT, AT, widgets)
    await store_backend.put_dashboard(made)
    assert await store_backend.get_dashboard(pid, "d1") == made
    with pytest.raises(NotFound):
        await store_backend.get_dashboard(other.id, "d1")
    later = replace(made, name="Ops 2", updated_at=AT.replace(hour=13), widgets=(widgets[1],),
                    created_at=AT.replace(year=2030))  # fmt: skip
    await store_backend.put_dashboard(later)
    assert await store_backend.get_dashboard(pid, "d1") == replace(later, created_at=AT)  # creation time is kept
    await store_backend.put_dashboard(Dashboard("d2", pid, "Newer", "", AT, AT.replace(hour=14)))
    assert [d.id for d in await store_backend.list_dashboards(pid)] == ["d2", "d1"]
    assert await store_backend.list_dashboards(other.id) == []
    await store_backend.delete_dashboard(pid, "d1")
    with pytest.raises(NotFound):
        await store_backend.delete_dashboard(pid, "d1")
    assert [d.id for d in await store_backend.list_dashboards(pid)] == ["d2"]
