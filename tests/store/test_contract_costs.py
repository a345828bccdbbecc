"""The cost part of the storage contract, on every backend: prices at write time, project definitions (that every
process sharing the store sees), re-pricing, daily metrics and roll-ups."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from spyglass.domain.costs import CostGroup
from spyglass.domain.events import Event
from spyglass.domain.pricing import definition_from_dict
from spyglass.store import open_store
from spyglass.store.base import Conflict, NotFound, PageRequest, Store, TraceFilter
from tests.store.test_contract import T0, observation, project, trace

pytestmark = pytest.mark.anyio


def _generation(pid: str, obs_id: str, model: str, inp: int, out: int, trace_id: str = "t") -> list[Event]:
    return observation(pid, obs_id, T0 + 1, trace_id=trace_id, type="GENERATION", model=model, start_time=T0 + 1,
                       usage_details={"input": inp, "output": out, "total": inp + out})  # fmt: skip


async def test_costs_are_priced_at_write_time_and_follow_project_definitions(store_backend: Store) -> None:
    pid = await project(store_backend)
    await store_backend.write([trace(pid, "t", timestamp=T0, user_id="u", session_id="s", name="chat"),
                               *_generation(pid, "builtin", "gpt-4o-mini", 1000, 500)])  # fmt: skip
    builtin = await store_backend.get_observation(pid, "builtin")
    assert builtin.cost_details["total"] > 0
    mine = definition_from_dict({"model_name": "house-model", "match_pattern": "(?i)^house-model$",
                                 "prices": {"input": 0.001, "output": 0.002}}, project_id=pid)  # fmt: skip
    created = await store_backend.create_model(pid, mine)
    assert (await store_backend.get_model(pid, created.id)).model_name == "house-model"
    assert created.id in [m.id for m in (await store_backend.list_models(pid, PageRequest(limit=1000))).items]
    await store_backend.write(_generation(pid, "house", "house-model", 10, 20))
    house = await store_backend.get_observation(pid, "house")
    assert house.cost_details == {"input": pytest.approx(0.01), "output": pytest.approx(0.04),
                                  "total": pytest.approx(0.05)}  # fmt: skip
    rollup = (await store_backend.get_trace(pid, "t")).trace.rollup
    assert rollup.total_cost == pytest.approx(builtin.cost_details["total"] + 0.05)

    day = (await store_backend.daily_metrics(pid, TraceFilter(), PageRequest())).items
    assert [d.date for d in day] == [date(2026, 1, 1)]
    assert day[0].total_cost == pytest.approx(rollup.total_cost)
    assert sorted(u.model for u in day[0].usage) == ["gpt-4o-mini", "house-model"]
    by_model = await store_backend.cost_rollups(pid, CostGroup.MODEL, TraceFilter())
    assert [r.total_cost for r in by_model] == sorted((r.total_cost for r in by_model), reverse=True)
    assert {r.key for r in by_model} == {"gpt-4o-mini", "house-model"}
    by_user = await store_backend.cost_rollups(pid, CostGroup.USER, TraceFilter())
    assert [(r.key, r.count_traces) for r in by_user] == [("u", 1)]
    assert [r.key for r in await store_backend.cost_rollups(pid, CostGroup.DAY, TraceFilter())] == ["2026-01-01"]

    await store_backend.delete_model(pid, created.id)
    with pytest.raises(NotFound):
        await store_backend.delete_model(pid, created.id)
    builtin_id = (await store_backend.list_models(pid, PageRequest())).items[0].id
    with pytest.raises(Conflict):
        await store_backend.delete_model(pid, builtin_id)
    report = await store_backend.recompute_costs(model_pattern="^house", dry_run=True)
    assert (report.examined, report.changed) == (1, 1)
    report = await store_backend.recompute_costs(model_pattern="^house")
    assert (await store_backend.get_observation(pid, "house")).cost_details == {}
    assert (await store_backend.get_trace(pid, "t")).trace.rollup.total_cost == pytest.approx(
        builtin.cost_details["total"]
    )


async def test_a_definition_created_through_another_process_prices_the_next_write(
    store_backend: Store, request: pytest.FixtureRequest
) -> None:
    if request.node.callspec.params["store_backend"] != "postgres":
        pytest.skip("replicas share a store only on PostgreSQL; a SQLite file has one writer process")
    pid = await project(store_backend)
    await store_backend.write(_generation(pid, "before", "shared-model", 10, 10))
    url = getattr(store_backend, "_conninfo")  # noqa: B009 (the same database, as a second replica opens it)
    other = open_store(url)
    try:
        await other.create_model(pid, definition_from_dict({"model_name": "shared-model",
                                                            "match_pattern": "^shared-model$",
                                                            "prices": {"input": 1.0}}))  # fmt: skip
    finally:
        await other.close()
    await store_backend.write(_generation(pid, "after", "shared-model", 10, 10))
    assert (await store_backend.get_observation(pid, "before")).cost_details == {}
    assert (await store_backend.get_observation(pid, "after")).cost_details["total"] == pytest.approx(10.0)


async def test_replace_a_definition_and_reprice_one_project_in_a_time_range(store_backend: Store) -> None:
    pid, other = await project(store_backend), await project(store_backend, "other")
    day = 86_400_000_000
    events: list[Event] = []
    for p in (pid, other):
        for i in range(3):  # generations started on Jan 1, 2 and 3
            events += observation(p, f"{p}-g{i}", T0 + i * day, trace_id=f"t{i}", type="GENERATION",
                                  model="house-model", start_time=T0 + i * day,
                                  usage_details={"input": 10, "output": 0, "total": 10})  # fmt: skip
    await store_backend.write(events)
    mine = definition_from_dict({"model_name": "house-model", "match_pattern": "(?i)^house-model$",
                                 "prices": {"input": 0.001}}, project_id=pid)  # fmt: skip
    created = await store_backend.create_model(pid, mine)
    await store_backend.create_model(other, mine)
    edited = await store_backend.replace_model(pid, created.id, replace(mine, prices={"input": 0.002}))
    assert edited.id != created.id
    own = [m for m in (await store_backend.list_models(pid, PageRequest(limit=1000))).items if not m.is_builtin]
    assert [(m.id, dict(m.prices)) for m in own] == [(edited.id, {"input": 0.002})]
    with pytest.raises(NotFound):
        await store_backend.replace_model(pid, created.id, mine)
    with pytest.raises(Conflict):
        await store_backend.replace_model(pid, "builtin-gpt-4o", mine)

    since = datetime(2026, 1, 2, tzinfo=UTC)
    until = datetime(2026, 1, 3, tzinfo=UTC)
    report = await store_backend.recompute_costs(since, None, True, until=until, project_id=pid)
    assert (report.examined, report.changed, report.dry_run) == (1, 1, True)
    assert (await store_backend.get_observation(pid, f"{pid}-g1")).cost_details == {}
    report = await store_backend.recompute_costs(since, None, until=until, project_id=pid)
    assert (report.changed, report.cost_after) == (1, pytest.approx(0.02))
    assert (await store_backend.get_observation(pid, f"{pid}-g1")).cost_details["total"] == pytest.approx(0.02)
    for untouched in ((pid, f"{pid}-g0"), (pid, f"{pid}-g2"), (other, f"{other}-g1")):
        assert (await store_backend.get_observation(*untouched)).cost_details == {}
