"""Any order and any batching of the same create/update events give the same stored records (hypothesis).

Events go through the real path below HTTP: the Langfuse batch decoder, then the SQLite store's write, into a fresh
database file per arrangement.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spyglass.domain.events import Event
from spyglass.ingest.langfuse import parse_batch
from spyglass.store import open_store

TRACE_IDS = ["t1", "t2"]
OBSERVATION_IDS = ["o1", "o2", "o3"]
STAMPS = [f"2026-11-27T10:00:0{i}.000000Z" for i in range(4)]

words = st.sampled_from(["a", "b", "c"])
trace_bodies = st.fixed_dictionaries(
    {"id": st.sampled_from(TRACE_IDS)},
    optional={
        "name": words,
        "userId": words,
        "sessionId": words,
        "metadata": st.dictionaries(words, st.integers(0, 3), max_size=2),
        "tags": st.lists(words, max_size=2),
        "input": words,
        "output": st.dictionaries(words, words, max_size=1),
        "public": st.booleans(),
        "timestamp": st.sampled_from(STAMPS),
    },
)
observation_bodies = st.fixed_dictionaries(
    {"id": st.sampled_from(OBSERVATION_IDS), "traceId": st.sampled_from(TRACE_IDS)},
    optional={
        "name": words,
        "startTime": st.sampled_from(STAMPS),
        "endTime": st.sampled_from(STAMPS),
        "level": st.sampled_from(["DEBUG", "DEFAULT", "WARNING", "ERROR"]),
        "metadata": st.dictionaries(words, st.integers(0, 3), max_size=2),
        "output": words,
        "model": words,
        "usage": st.fixed_dictionaries({"input": st.integers(0, 9), "output": st.integers(0, 9)}),
    },
)
envelopes = st.one_of(
    st.tuples(st.just("trace-create"), trace_bodies),
    st.tuples(
        st.sampled_from(["span-create", "span-update", "generation-create", "generation-update"]), observation_bodies
    ),
)


@st.composite
def arrangements(draw: st.DrawFn) -> tuple[list[dict[str, Any]], list[int], list[int], list[int]]:
    items = draw(st.lists(envelopes, min_size=1, max_size=12))
    batch = [
        {"id": f"e{i}", "type": kind, "timestamp": draw(st.sampled_from(STAMPS)), "body": body}
        for i, (kind, body) in enumerate(items)
    ]
    # A resent event (same envelope id, same content) must change nothing.
    if draw(st.booleans()):
        batch.append(dict(batch[draw(st.integers(0, len(batch) - 1))]))
    order = draw(st.permutations(range(len(batch))))
    cuts_a = sorted(draw(st.lists(st.integers(1, len(batch)), max_size=3)))
    cuts_b = sorted(draw(st.lists(st.integers(1, len(batch)), max_size=3)))
    return batch, list(order), cuts_a, cuts_b


def _split(events: list[Event], cuts: list[int]) -> list[list[Event]]:
    bounds = [0, *cuts, len(events)]
    return [events[a:b] for a, b in itertools.pairwise(bounds) if events[a:b]]


def _strip(value: Any) -> Any:
    """Drop bookkeeping times (when a row was written), which legitimately differ between runs."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: _strip(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.name not in ("created_at", "updated_at")
        }
    if isinstance(value, tuple | list):
        return [_strip(v) for v in value]
    return value


async def _stored(batches: list[list[Event]], folder: Path) -> dict[str, Any]:
    store = open_store(f"sqlite:///{folder / 'spyglass.db'}")
    await store.migrate()
    try:
        for batch in batches:
            await store.write(batch)
        found: dict[str, Any] = {}
        for trace_id in TRACE_IDS:
            try:
                found[trace_id] = _strip(await store.get_trace("p", trace_id))
            except LookupError:
                found[trace_id] = None
        return found
    finally:
        await store.close()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(arrangements())
def test_any_order_and_batching_gives_the_same_records(
    arrangement: tuple[list[dict[str, Any]], list[int], list[int], list[int]],
) -> None:
    batch, order, cuts_a, cuts_b = arrangement
    parsed = parse_batch({"batch": batch}, "p")
    assert parsed.errors == []
    shuffled = parse_batch({"batch": [batch[i] for i in order]}, "p")
    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
        first = asyncio.run(_stored(_split(parsed.events, cuts_a), Path(a)))
        second = asyncio.run(_stored(_split(shuffled.events, cuts_b), Path(b)))
    assert first == second


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(arrangements())
def test_a_trace_keeps_its_earliest_explicit_timestamp(
    arrangement: tuple[list[dict[str, Any]], list[int], list[int], list[int]],
) -> None:
    """Legacy SDKs send each trace.update() as a trace-create stamped "now": the first timestamp stays, as in Langfuse,
    whatever the order of the events or their envelope times."""
    batch, order, cuts_a, _ = arrangement
    shuffled = parse_batch({"batch": [batch[i] for i in order]}, "p")
    with tempfile.TemporaryDirectory() as folder:
        stored = asyncio.run(_stored(_split(shuffled.events, cuts_a), Path(folder)))
    for trace_id in TRACE_IDS:
        explicit = [
            body["timestamp"]
            for kind, body in ((item["type"], item["body"]) for item in batch)
            if kind == "trace-create" and body["id"] == trace_id and "timestamp" in body
        ]
        if explicit:
            assert stored[trace_id]["trace"]["timestamp"] == datetime.fromisoformat(min(explicit))
