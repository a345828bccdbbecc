"""The storage contract (store/base.py) on every backend: the same calls give the same answers.

Each test gets an empty migrated store from `store_backend` (SQLite file, fresh PostgreSQL database). Run one
backend with `--db sqlite` or `--db postgres`.
"""

from __future__ import annotations

import asyncio
import itertools
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from spyglass.domain.events import (
    Event,
    ObservationUpsert,
    ScoreDelete,
    ScoreUpsert,
    TraceDelete,
    TraceUpsert,
)
from spyglass.domain.model import ApiKey, Project
from spyglass.store.base import (
    Conflict,
    NotFound,
    ObservationFilter,
    PageRequest,
    ScoreFilter,
    SessionFilter,
    Store,
    TraceFilter,
)

pytestmark = pytest.mark.anyio

T0 = 1_767_225_600_000_000  # 2026-01-01T00:00:00Z in microseconds
SECOND = 1_000_000
FIRST_PAGE = PageRequest()
_seq = itertools.count()


def at(offset_s: float) -> datetime:
    return datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=offset_s)


def _order(ts: int | None) -> tuple[int, str]:
    return (ts if ts is not None else T0 + next(_seq), f"ev-{next(_seq):06d}")


def trace(project: str, trace_id: str, ts: int | None = None, **fields: Any) -> TraceUpsert:
    order = _order(ts)
    return TraceUpsert(project, trace_id, order, fields, weak={"timestamp": order[0]})


def observation(project: str, obs_id: str, ts: int | None = None, **fields: Any) -> list[Event]:
    """What the decoder emits for an observation event: the implicit trace upsert, then the observation."""
    order = _order(ts)
    events: list[Event] = []
    if fields.get("trace_id"):
        implicit = {"timestamp": fields.get("start_time", order[0])}
        if "environment" in fields:
            implicit["environment"] = fields["environment"]
        events.append(TraceUpsert(project, fields["trace_id"], order, {}, weak=implicit))
    events.append(ObservationUpsert(project, obs_id, order, fields, weak={"start_time": order[0]}))
    return events


def score(project: str, score_id: str, ts: int | None = None, **fields: Any) -> ScoreUpsert:
    order = _order(ts)
    base: dict[str, Any] = {"name": "quality", "value": 1.0, "data_type": "NUMERIC", "timestamp": order[0]}
    return ScoreUpsert(project, score_id, order, {**base, **fields})


async def project(store: Store, name: str = "contract") -> str:
    return (await store.create_project(name)).id


# --- projects and keys ---


async def test_projects_are_created_listed_and_unique(store_backend: Store) -> None:
    first = await store_backend.create_project("alpha")
    second = await store_backend.create_project("beta")
    assert [p.name for p in await store_backend.list_projects()] == ["alpha", "beta"]
    got = await store_backend.get_project(first.id)
    assert (got.id, got.name) == (first.id, "alpha")
    with pytest.raises(Conflict):
        await store_backend.create_project("alpha")
    with pytest.raises(NotFound):
        await store_backend.get_project("nope")
    assert isinstance(second, Project)


async def test_api_keys_are_stored_found_and_revoked(store_backend: Store) -> None:
    pid = await project(store_backend)
    key = ApiKey(id="k1", project_id=pid, public_key="pk-lf-1", secret_hash="sha256$00$11", display_secret="sk-lf-...1",
                 created_at=at(0), note="first")  # fmt: skip
    await store_backend.create_api_key(key)
    with pytest.raises(Conflict):
        await store_backend.create_api_key(key)
    found = await store_backend.find_api_key("pk-lf-1")
    assert found is not None
    assert (found.project_id, found.secret_hash, found.display_secret, found.note) == (
        pid, "sha256$00$11", "sk-lf-...1", "first",
    )  # fmt: skip
    assert found.revoked_at is None
    assert await store_backend.find_api_key("pk-lf-unknown") is None
    assert [k.public_key for k in await store_backend.list_api_keys(pid)] == ["pk-lf-1"]
    assert [k.public_key for k in await store_backend.list_api_keys()] == ["pk-lf-1"]
    assert await store_backend.list_api_keys("other-project") == []
    await store_backend.revoke_api_key("pk-lf-1")
    revoked = await store_backend.find_api_key("pk-lf-1")
    assert revoked is not None and revoked.revoked_at is not None
    with pytest.raises(NotFound):
        await store_backend.revoke_api_key("pk-lf-1")


# --- write and fold ---


def _snapshot(detail: Any) -> dict[str, Any]:
    """What a reader sees of a trace, without the write-time clock (created_at / updated_at)."""
    trace_ = detail.trace
    out = {k: getattr(trace_, k) for k in ("id", "timestamp", "name", "user_id", "session_id", "release", "version",
                                            "environment", "tags", "metadata", "input", "output", "public",
                                            "bookmarked", "rollup")}  # fmt: skip
    out["observations"] = [
        {k: getattr(o, k) for k in o.__slots__ if k not in ("project_id", "created_at", "updated_at")}
        for o in detail.observations
    ]
    out["scores"] = [{k: getattr(s, k) for k in s.__slots__ if k not in ("project_id", "created_at", "updated_at")}
                     for s in detail.scores]  # fmt: skip
    return out


def _workload(pid: str) -> list[Event]:
    events: list[Event] = [
        trace(pid, "t1", T0 + 5 * SECOND, name="first name", user_id="u1", metadata={"a": 1, "b": 1}, tags=["x"],
              input='{"q": "hi"}'),
        trace(pid, "t1", T0 + 9 * SECOND, name="final name", metadata={"b": 2}, tags=["y"], output='"bye"'),
        trace(pid, "t1", T0 + 7 * SECOND, name="middle name", session_id="s1", metadata={"a": 3, "c": 3}),
        *observation(pid, "o1", T0 + 6 * SECOND, trace_id="t1", type="GENERATION", name="llm", start_time=T0 + SECOND,
                     model="gpt-x", usage_details={"input": 10, "output": 5, "total": 15},
                     cost_details={"input": 0.1, "output": 0.2, "total": 0.3}),
        *observation(pid, "o1", T0 + 8 * SECOND, end_time=T0 + 4 * SECOND, output='"done"', level="WARNING"),
        *observation(pid, "o2", T0 + 6 * SECOND, trace_id="t1", parent_observation_id="o1",
                     start_time=T0 + 2 * SECOND, end_time=T0 + 3 * SECOND, level="DEBUG"),
        score(pid, "s1", T0 + 6 * SECOND, trace_id="t1", value=0.5, comment="ok"),
        score(pid, "s1", T0 + 8 * SECOND, value=0.75),
    ]  # fmt: skip
    return events


async def test_the_fold_does_not_depend_on_order_batching_or_repeats(store_backend: Store) -> None:
    pid = await project(store_backend)
    events = _workload(pid)
    await store_backend.write(events)
    expected = _snapshot(await store_backend.get_trace(pid, "t1"))
    assert expected["name"] == "final name"
    assert expected["metadata"] == {"a": 3, "b": 2, "c": 3}
    assert expected["tags"] == ("x", "y")
    assert expected["session_id"] == "s1" and expected["user_id"] == "u1"
    assert expected["input"] == {"q": "hi"} and expected["output"] == "bye"
    rollup = expected["rollup"]
    assert (rollup.observation_count, rollup.input_tokens, rollup.output_tokens, rollup.total_tokens) == (2, 10, 5, 15)
    assert rollup.total_cost == pytest.approx(0.3)
    assert rollup.level == "WARNING"
    assert rollup.latency_seconds == pytest.approx(3.0)
    assert [s["value"] for s in expected["scores"]] == [0.75]
    assert expected["scores"][0]["comment"] == "ok"

    rng = random.Random(8)
    for round_ in range(3):
        other = await project(store_backend, f"shuffled-{round_}")
        shuffled = [_reproject(e, other) for e in _workload(pid)]
        rng.shuffle(shuffled)
        cut = rng.randrange(1, len(shuffled))
        await store_backend.write(shuffled[:cut])
        await store_backend.write(shuffled[cut:])
        await store_backend.write(shuffled[: cut // 2])  # a repeated batch changes nothing
        got = _snapshot(await store_backend.get_trace(other, "t1"))
        assert got == expected


def _reproject(event: Event, project_id: str) -> Event:
    if isinstance(event, TraceUpsert):
        return TraceUpsert(project_id, event.id, event.order, event.fields, event.weak)
    if isinstance(event, ObservationUpsert):
        return ObservationUpsert(project_id, event.id, event.order, event.fields, event.weak)
    if isinstance(event, ScoreUpsert):
        return ScoreUpsert(project_id, event.id, event.order, event.fields)
    raise AssertionError(event)


async def test_a_partial_update_never_erases_and_an_older_event_never_wins(store_backend: Store) -> None:
    pid = await project(store_backend)
    await store_backend.write([trace(pid, "t", T0 + 10 * SECOND, name="new", release="r1", public=True)])
    await store_backend.write([trace(pid, "t", T0 + 20 * SECOND, version="v2")])
    await store_backend.write([trace(pid, "t", T0 + 5 * SECOND, name="old", user_id="late-but-first")])
    got = (await store_backend.get_trace(pid, "t")).trace
    assert (got.name, got.release, got.version, got.public, got.user_id) == ("new", "r1", "v2", True, "late-but-first")


async def test_an_observation_creates_its_trace_and_an_update_without_one_becomes_a_root(
    store_backend: Store,
) -> None:
    pid = await project(store_backend)
    await store_backend.write(observation(pid, "o", T0 + 3 * SECOND, trace_id="implicit", start_time=T0 + SECOND,
                                          environment="staging"))  # fmt: skip
    implicit = (await store_backend.get_trace(pid, "implicit")).trace
    assert implicit.timestamp == at(1)
    assert implicit.environment == "staging"
    assert implicit.rollup.observation_count == 1
    await store_backend.write(observation(pid, "lonely", T0 + 4 * SECOND, name="update first"))
    lonely = await store_backend.get_observation(pid, "lonely")
    assert lonely.trace_id == "lonely"
    assert (await store_backend.get_trace(pid, "lonely")).trace.rollup.observation_count == 1
    # the create arrives later and names the real trace
    await store_backend.write(observation(pid, "lonely", T0 + 2 * SECOND, trace_id="real", type="GENERATION"))
    moved = await store_backend.get_observation(pid, "lonely")
    assert (moved.trace_id, moved.type, moved.name) == ("real", "GENERATION", "update first")


async def test_deletes_remove_a_trace_with_its_children_and_a_single_score(store_backend: Store) -> None:
    pid = await project(store_backend)
    await store_backend.write([*_workload(pid), score(pid, "keep", trace_id="t2"), trace(pid, "t2", name="other")])
    stats = await store_backend.write([TraceDelete(pid, "t1"), ScoreDelete(pid, "keep")])
    assert stats.deleted == 2
    with pytest.raises(NotFound):
        await store_backend.get_trace(pid, "t1")
    with pytest.raises(NotFound):
        await store_backend.get_observation(pid, "o1")
    with pytest.raises(NotFound):
        await store_backend.get_score(pid, "s1")
    with pytest.raises(NotFound):
        await store_backend.get_score(pid, "keep")
    assert (await store_backend.get_trace(pid, "t2")).trace.name == "other"
    # a delete between upserts of one batch applies in order
    await store_backend.write([trace(pid, "t3", name="a"), TraceDelete(pid, "t3"), trace(pid, "t3", tags=["b"])])
    again = (await store_backend.get_trace(pid, "t3")).trace
    assert (again.name, again.tags) == (None, ("b",))


async def test_projects_do_not_see_each_others_records(store_backend: Store) -> None:
    a = await project(store_backend, "a")
    b = await project(store_backend, "b")
    await store_backend.write([trace(a, "same-id", name="in a"), trace(b, "same-id", name="in b")])
    assert (await store_backend.get_trace(a, "same-id")).trace.name == "in a"
    assert (await store_backend.get_trace(b, "same-id")).trace.name == "in b"
    assert (await store_backend.list_traces(a, TraceFilter(), PageRequest())).total == 1


async def test_concurrent_writes_of_the_same_ids_fold_as_one(store_backend: Store) -> None:
    pid = await project(store_backend)
    events: list[Event] = []
    for i in range(40):
        events += observation(pid, f"o{i % 8}", T0 + i * SECOND, trace_id=f"t{i % 4}", name=f"n{i}",
                              usage_details={"input": 1, "total": 1}, metadata={f"k{i}": i})  # fmt: skip
        events.append(trace(pid, f"t{i % 4}", T0 + i * SECOND, tags=[f"tag{i}"]))
    await asyncio.gather(*(store_backend.write(events[i::5]) for i in range(5)))
    page = await store_backend.list_traces(pid, TraceFilter(order_by="id", descending=False), PageRequest(limit=10))
    assert [t.id for t in page.items] == ["t0", "t1", "t2", "t3"]
    assert [t.rollup.observation_count for t in page.items] == [2, 2, 2, 2]
    assert all(len(t.tags) == 10 for t in page.items)
    o0 = await store_backend.get_observation(pid, "o0")
    assert o0.name == "n32" and o0.metadata == {f"k{i}": i for i in (0, 8, 16, 24, 32)}


# --- reads, filters and paging ---


async def _catalogue(store: Store) -> str:
    pid = await project(store)
    events: list[Event] = []
    for i in range(7):
        events.append(
            trace(pid, f"t{i}", T0 + i * SECOND, timestamp=T0 + i * SECOND, name="even" if i % 2 == 0 else "odd",
                  user_id=f"u{i % 3}", session_id=f"s{i % 2}" if i < 6 else None, release="r1" if i < 3 else "r2",
                  version=f"v{i % 2}", environment="prod" if i < 5 else "dev",
                  tags=["all", f"mod3-{i % 3}"])
        )  # fmt: skip
        events += observation(pid, f"t{i}-gen", T0 + i * SECOND, trace_id=f"t{i}", type="GENERATION", name="llm",
                              start_time=T0 + i * SECOND, end_time=T0 + i * SECOND + (i + 1) * 100_000,
                              usage_details={"input": i, "output": 1, "total": i + 1},
                              cost_details={"total": i / 10}, environment="prod" if i < 5 else "dev",
                              level="ERROR" if i == 4 else "DEFAULT")  # fmt: skip
        events += observation(pid, f"t{i}-span", T0 + i * SECOND, trace_id=f"t{i}", type="SPAN", name="step",
                              parent_observation_id=f"t{i}-gen", start_time=T0 + i * SECOND + 1)  # fmt: skip
        events.append(score(pid, f"sc{i}", T0 + i * SECOND, trace_id=f"t{i}", name="q" if i % 2 else "h",
                            value=float(i), source="API" if i < 4 else "EVAL", timestamp=T0 + i * SECOND))  # fmt: skip
    events.append(score(pid, "session-score", T0 + 9 * SECOND, session_id="s1", trace_id=None, name="q",
                        data_type="CATEGORICAL", value=None, string_value="good",
                        timestamp=T0 + 9 * SECOND))  # fmt: skip
    await store.write(events)
    return pid


async def test_list_traces_filters_orders_and_pages(store_backend: Store) -> None:
    pid = await _catalogue(store_backend)

    async def ids(flt: TraceFilter, page: PageRequest = FIRST_PAGE) -> list[str]:
        return [t.id for t in (await store_backend.list_traces(pid, flt, page)).items]

    assert await ids(TraceFilter()) == ["t6", "t5", "t4", "t3", "t2", "t1", "t0"]
    assert await ids(TraceFilter(descending=False)) == ["t0", "t1", "t2", "t3", "t4", "t5", "t6"]
    assert await ids(TraceFilter(user_id="u1")) == ["t4", "t1"]
    assert await ids(TraceFilter(name="odd")) == ["t5", "t3", "t1"]
    assert await ids(TraceFilter(session_id="s0")) == ["t4", "t2", "t0"]
    assert await ids(TraceFilter(tags=("all", "mod3-0"))) == ["t6", "t3", "t0"]
    assert await ids(TraceFilter(tags=("nope",))) == []
    assert await ids(TraceFilter(from_timestamp=at(2), to_timestamp=at(4))) == ["t3", "t2"]
    assert await ids(TraceFilter(version="v0", release="r2")) == ["t6", "t4"]
    assert await ids(TraceFilter(environments=("dev",))) == ["t6", "t5"]
    assert await ids(TraceFilter(order_by="totalCost")) == ["t6", "t5", "t4", "t3", "t2", "t1", "t0"]
    assert (await ids(TraceFilter(order_by="latency", descending=False)))[:2] == ["t0", "t1"]
    assert (await ids(TraceFilter(order_by="sessionId", descending=False)))[0] == "t6"  # NULL first ascending
    assert (await ids(TraceFilter(order_by="sessionId")))[-1] == "t6"  # and last descending
    page = await store_backend.list_traces(pid, TraceFilter(), PageRequest(page=2, limit=3))
    assert [t.id for t in page.items] == ["t3", "t2", "t1"]
    assert (page.total, page.page, page.limit, page.total_pages) == (7, 2, 3, 3)
    first = page.items[0]
    assert first.rollup.observation_count == 2 and first.rollup.total_tokens == 4
    assert first.rollup.latency_seconds == pytest.approx(0.4)
    assert (await store_backend.get_trace(pid, "t4")).trace.rollup.level == "ERROR"


async def test_get_trace_returns_children_in_order_and_raises_not_found(store_backend: Store) -> None:
    pid = await _catalogue(store_backend)
    detail = await store_backend.get_trace(pid, "t3")
    assert [o.id for o in detail.observations] == ["t3-gen", "t3-span"]
    assert [s.id for s in detail.scores] == ["sc3"]
    gen = detail.observations[0]
    assert gen.usage_details == {"input": 3, "output": 1, "total": 4}
    assert gen.cost_details == {"total": pytest.approx(0.3)}
    assert gen.start_time == at(3) and gen.end_time == at(3.4)
    with pytest.raises(NotFound):
        await store_backend.get_trace(pid, "missing")


async def test_list_observations_filters_and_pages(store_backend: Store) -> None:
    pid = await _catalogue(store_backend)

    async def ids(flt: ObservationFilter, page: PageRequest = FIRST_PAGE) -> list[str]:
        return [o.id for o in (await store_backend.list_observations(pid, flt, page)).items]

    assert await ids(ObservationFilter(trace_id="t2")) == ["t2-span", "t2-gen"]
    assert await ids(ObservationFilter(type="GENERATION", user_id="u0")) == ["t6-gen", "t3-gen", "t0-gen"]
    assert (await ids(ObservationFilter(name="step", level="DEFAULT")))[:2] == ["t6-span", "t5-span"]
    assert await ids(ObservationFilter(level="ERROR")) == ["t4-gen"]
    assert await ids(ObservationFilter(parent_observation_id="t1-gen")) == ["t1-span"]
    assert await ids(ObservationFilter(from_start_time=at(5), type="GENERATION")) == ["t6-gen", "t5-gen"]
    assert await ids(ObservationFilter(to_start_time=at(1), type="GENERATION")) == ["t0-gen"]
    assert await ids(ObservationFilter(environments=("dev",), type="GENERATION")) == ["t6-gen", "t5-gen"]
    page = await store_backend.list_observations(pid, ObservationFilter(), PageRequest(page=3, limit=5))
    assert (page.total, len(page.items)) == (14, 4)
    with pytest.raises(NotFound):
        await store_backend.get_observation(pid, "missing")


async def test_list_scores_filters_and_pages(store_backend: Store) -> None:
    pid = await _catalogue(store_backend)

    async def ids(flt: ScoreFilter, page: PageRequest = FIRST_PAGE) -> list[str]:
        return [s.id for s in (await store_backend.list_scores(pid, flt, page)).items]

    assert await ids(ScoreFilter()) == ["session-score", "sc6", "sc5", "sc4", "sc3", "sc2", "sc1", "sc0"]
    assert await ids(ScoreFilter(trace_id="t2")) == ["sc2"]
    assert await ids(ScoreFilter(session_id="s1")) == ["session-score"]
    assert await ids(ScoreFilter(name="q", data_type="NUMERIC")) == ["sc5", "sc3", "sc1"]
    assert await ids(ScoreFilter(source="EVAL")) == ["sc6", "sc5", "sc4"]
    assert await ids(ScoreFilter(user_id="u2")) == ["sc5", "sc2"]
    assert await ids(ScoreFilter(from_timestamp=at(5), to_timestamp=at(7))) == ["sc6", "sc5"]
    assert await ids(ScoreFilter(score_ids=("sc1", "sc4", "nope"))) == ["sc4", "sc1"]
    page = await store_backend.list_scores(pid, ScoreFilter(), PageRequest(page=2, limit=3))
    assert ([s.id for s in page.items], page.total) == (["sc4", "sc3", "sc2"], 8)
    categorical = await store_backend.get_score(pid, "session-score")
    assert (categorical.string_value, categorical.value, categorical.data_type) == ("good", None, "CATEGORICAL")
    with pytest.raises(NotFound):
        await store_backend.get_score(pid, "missing")


async def test_sessions_group_traces(store_backend: Store) -> None:
    pid = await _catalogue(store_backend)
    page = await store_backend.list_sessions(pid, SessionFilter(), PageRequest())
    assert [s.id for s in page.items] == ["s1", "s0"]
    s0 = page.items[1]
    assert (s0.trace_count, sorted(s0.user_ids), s0.created_at, s0.last_trace_at) == (
        3, ["u0", "u1", "u2"], at(0), at(4),
    )  # fmt: skip
    assert s0.total_tokens == 1 + 3 + 5 and s0.total_cost == pytest.approx(0.6)
    assert [s.id for s in (await store_backend.list_sessions(pid, SessionFilter(from_timestamp=at(1)),
                                                              PageRequest())).items] == ["s1"]  # fmt: skip
    assert (await store_backend.list_sessions(pid, SessionFilter(environments=("dev",)), PageRequest())).total == 1
    second = await store_backend.list_sessions(pid, SessionFilter(), PageRequest(page=2, limit=1))
    assert ([s.id for s in second.items], second.total, second.items[0].trace_count) == (["s0"], 2, 3)
    detail = await store_backend.get_session(pid, "s1")
    assert [t.id for t in detail.traces] == ["t1", "t3", "t5"]
    with pytest.raises(NotFound):
        await store_backend.get_session(pid, "missing")


async def test_values_round_trip_exactly(store_backend: Store) -> None:
    pid = await project(store_backend)
    nested = {"list": [1, 2.5, None, True, "ü"], "deep": {"x": {"y": []}}, "big": 2**53 + 1}
    await store_backend.write([
        trace(pid, "t", name="naïve ✓", metadata=nested, input='{"messages": [{"role": "user", "content": "hi"}]}',
              output='"plain string"', tags=["b", "a"], bookmarked=True),
        *observation(pid, "o", trace_id="t", model_parameters={"temperature": 0.2, "stop": ["\n"]},
                     prompt_name="p", prompt_version=3, completion_start_time=T0 + 1, status_message="ok"),
    ])  # fmt: skip
    got = await store_backend.get_trace(pid, "t")
    assert got.trace.name == "naïve ✓" and got.trace.metadata == nested and got.trace.bookmarked
    assert got.trace.input == {"messages": [{"role": "user", "content": "hi"}]} and got.trace.output == "plain string"
    assert got.trace.tags == ("a", "b")
    obs = got.observations[0]
    assert obs.model_parameters == {"temperature": 0.2, "stop": ["\n"]}
    assert (obs.prompt_name, obs.prompt_version, obs.status_message) == ("p", 3, "ok")
    assert obs.completion_start_time == datetime(2026, 1, 1, 0, 0, 0, 1, tzinfo=UTC)
    assert got.trace.created_at is not None and got.trace.created_at.tzinfo is not None


async def test_migrate_is_idempotent_and_the_store_is_healthy(store_backend: Store) -> None:
    assert await store_backend.migrate() == []
    await store_backend.write(_workload(await project(store_backend)))
    assert await store_backend.integrity_check() == "ok"


async def test_an_observation_that_moves_to_another_trace_updates_both_roll_ups(store_backend: Store) -> None:
    pid = await project(store_backend)
    await store_backend.write(observation(pid, "o", T0, trace_id="first", usage_details={"input": 5, "total": 5}))
    await store_backend.write(observation(pid, "o", T0 + SECOND, trace_id="second"))
    first = (await store_backend.get_trace(pid, "first")).trace.rollup
    second = (await store_backend.get_trace(pid, "second")).trace.rollup
    assert (first.observation_count, first.total_tokens) == (0, 0)
    assert (second.observation_count, second.total_tokens) == (1, 5)
