"""The 2.x SDK against two replicas on one PostgreSQL database: two clients, one per replica, write the same trace
and observation ids at once, one client's partial updates racing the other's creates. The stored traces equal what
one server on the default SQLite store stores when both clients send to it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.postgres.workload import differences, snapshot
from tests.support.sdk import run_script
from tests.support.server import ServerProcess

pytestmark = pytest.mark.slow

SDK = "2.60.10"
TRACES = 20

# Client B (updates: output, end times, more metadata and tags) and client A (creates: names, inputs) set different
# fields, so the result does not depend on which envelope timestamp is newer. The 2.x SDK stamps every trace and
# observation call with a start time (now, unless given), so both clients give the same ones.
SCRIPT = r"""
import json, os, threading
from datetime import datetime, timedelta, timezone
from langfuse import Langfuse

t0 = datetime(2026, 4, 1, tzinfo=timezone.utc)
n = int(os.environ["TRACES"])
a = Langfuse(host=os.environ["HOST_A"], flush_at=7)
b = Langfuse(host=os.environ["HOST_B"], flush_at=5)

def updates():
    for i in range(n):
        b.trace(id=f"sdk-trace-{i}", output={"answer": i}, metadata={"b": i}, tags=["updated"],
                timestamp=t0 + timedelta(seconds=i))
        b.generation(id=f"sdk-gen-{i}", trace_id=f"sdk-trace-{i}", end_time=t0 + timedelta(seconds=i, milliseconds=900),
                     start_time=t0 + timedelta(seconds=i, milliseconds=100),
                     output={"role": "assistant", "content": f"a{i}"}, usage={"input": 10 + i, "output": 5})
        b.span(id=f"sdk-span-{i}", trace_id=f"sdk-trace-{i}", end_time=t0 + timedelta(seconds=i, milliseconds=800),
               start_time=t0 + timedelta(seconds=i, milliseconds=500))
    b.flush()

def creates():
    for i in range(n):
        a.trace(id=f"sdk-trace-{i}", name="chat", user_id=f"user-{i % 3}", session_id=f"s-{i % 4}",
                input={"question": i}, metadata={"a": i}, tags=["created"], timestamp=t0 + timedelta(seconds=i))
        a.generation(id=f"sdk-gen-{i}", trace_id=f"sdk-trace-{i}", name="llm", model="gpt-4o-mini",
                     start_time=t0 + timedelta(seconds=i, milliseconds=100), input=[{"role": "user", "content": "q"}])
        a.span(id=f"sdk-span-{i}", trace_id=f"sdk-trace-{i}", parent_observation_id=f"sdk-gen-{i}", name="post",
               start_time=t0 + timedelta(seconds=i, milliseconds=500))
        a.score(id=f"sdk-score-{i}", trace_id=f"sdk-trace-{i}", name="quality", value=i / n)
    a.flush()

threads = [threading.Thread(target=updates), threading.Thread(target=creates)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(json.dumps({"ok": True}))
"""


def _send(host_a: ServerProcess, host_b: ServerProcess) -> None:
    env = {**host_a.sdk_env(), "HOST_A": host_a.url, "HOST_B": host_b.url, "TRACES": str(TRACES)}
    assert run_script(SDK, SCRIPT, env) == {"ok": True}


def _stored(server: ServerProcess) -> dict[str, Any]:
    with server.client() as client:
        stored = snapshot(client, [f"sdk-trace-{i}" for i in range(TRACES)])
    for trace in stored.values():
        for score in trace.get("scores") or ():
            score.pop("timestamp")  # the 2.x SDK stamps a score with the moment it was sent: not part of the workload
    return stored


def test_two_clients_on_two_replicas_store_what_one_server_stores(tmp_path: Path, pg_url: str) -> None:
    single = ServerProcess(tmp_path / "single").start()  # the default store: SQLite
    try:
        _send(single, single)
        expected = _stored(single)
    finally:
        single.stop()

    env = {"SPYGLASS_DATABASE_URL": pg_url}
    first = ServerProcess(tmp_path / "a", env=env).start()
    second = ServerProcess(tmp_path / "b", env=env).start()
    try:
        _send(first, second)
        from_first, from_second = _stored(first), _stored(second)
    finally:
        first.stop()
        second.stop()
    assert from_first == from_second
    assert from_first == expected, "\n".join(differences(from_first, expected)[:20])
    trace = expected["sdk-trace-3"]
    assert (trace["name"], trace["output"], trace["metadata"]) == ("chat", {"answer": 3}, {"a": 3, "b": 3})
    assert sorted(trace["tags"]) == ["created", "updated"] and trace["observationCount"] == 2
    generation = next(o for o in trace["observations"] if o["id"] == "sdk-gen-3")
    assert generation["usageDetails"]["input"] == 13 and generation["endTime"] is not None
    assert generation["calculatedTotalCost"] > 0  # priced from the model one client sent and the usage the other did
