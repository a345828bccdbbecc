"""Two `spyglass serve` replicas on one PostgreSQL database, fed the halves of one interleaved workload at once, store
what one process on the default SQLite store stores when it receives the whole workload."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from spyglass.store import open_store
from tests.postgres.workload import send, snapshot, workload
from tests.support.postgres import selected_backends, shared_cluster
from tests.support.server import ServerProcess

pytestmark = pytest.mark.slow

TRACES = 24


def test_two_replicas_fold_an_interleaved_workload_like_one_process(tmp_path: Path, pg_url: str) -> None:
    envelopes = workload(TRACES)
    trace_ids = [f"trace-{i}" for i in range(TRACES)]

    single = ServerProcess(tmp_path / "single").start()  # the default store: SQLite
    try:
        with single.client() as client:
            send(client, envelopes)
            expected = snapshot(client, trace_ids)
    finally:
        single.stop()

    env = {"SPYGLASS_DATABASE_URL": pg_url}
    first = ServerProcess(tmp_path / "a", env=env).start()
    second = ServerProcess(tmp_path / "b", env=env).start()
    try:
        halves = (envelopes[0::2], envelopes[1::2])
        with first.client() as a, second.client() as b, ThreadPoolExecutor(max_workers=2) as pool:
            for result in [pool.submit(send, client, half) for client, half in zip((a, b), halves, strict=True)]:
                result.result()
            from_a = snapshot(a, trace_ids)
            from_b = snapshot(b, trace_ids)
    finally:
        first.stop()
        second.stop()

    assert from_a == from_b
    assert from_a == expected
    generation = next(o for o in expected["trace-3"]["observations"] if o["id"] == "gen-3")
    assert generation["output"] == {"role": "assistant", "content": "a3"} and generation["endTime"] is not None
    assert expected["trace-3"]["tags"] == ["create", "update"]
    assert expected["trace-3"]["metadata"] == {"step": "update", "a": 1, "b": 2}


@pytest.mark.anyio
async def test_stores_migrating_at_once_apply_each_migration_once() -> None:
    if "postgres" not in selected_backends(None):
        pytest.skip("SPYGLASS_TEST_DB=sqlite: the PostgreSQL tests are not selected")
    url = shared_cluster().empty_database()
    stores = [open_store(url) for _ in range(3)]
    try:
        applied = await asyncio.gather(*(s.migrate() for s in stores))
        names = sorted(name for result in applied for name in result)
        assert names == sorted({name for result in applied for name in result})  # nothing applied twice
        assert "0001_init.sql" in names
        assert [await s.migrate() for s in stores] == [[], [], []]
    finally:
        for store in stores:
            await store.close()


@pytest.mark.anyio
async def test_stores_of_two_processes_racing_on_the_same_ids_fold_like_one() -> None:
    """Store level, many rounds: two stores (as two replicas hold) write shuffled chunks of one workload at once."""
    if "postgres" not in selected_backends(None):
        pytest.skip("SPYGLASS_TEST_DB=sqlite: the PostgreSQL tests are not selected")
    import random

    from tests.store.test_contract import _snapshot, observation, trace

    def events(project_id: str) -> list[Any]:
        out: list[Any] = []
        for i in range(120):
            out.append(trace(project_id, f"t{i % 6}", 1_767_225_600_000_000 + i, tags=[f"tag{i % 9}"],
                             metadata={f"k{i % 11}": i}, name=f"name{i}"))  # fmt: skip
            out += observation(project_id, f"o{i % 15}", 1_767_225_600_000_000 + i, trace_id=f"t{i % 6}",
                               usage_details={"input": i, "total": i}, metadata={f"m{i % 4}": i},
                               level="ERROR" if i == 77 else "DEFAULT")  # fmt: skip
        return out

    single = open_store(shared_cluster().new_database())
    url = shared_cluster().new_database()
    replicas = [open_store(url), open_store(url)]
    try:
        await single.migrate()
        solo = (await single.create_project("p")).id
        await single.write(events(solo))
        expected = [_snapshot(await single.get_trace(solo, f"t{i}")) for i in range(6)]
        shared = (await replicas[0].create_project("p")).id
        work = events(shared)
        random.Random(5).shuffle(work)
        chunks = [work[i::16] for i in range(16)]
        await asyncio.gather(*(replicas[i % 2].write(chunk) for i, chunk in enumerate(chunks)))
        got = [_snapshot(await replicas[1].get_trace(shared, f"t{i}")) for i in range(6)]
        assert got == expected
    finally:
        for store in (single, *replicas):
            await store.close()
