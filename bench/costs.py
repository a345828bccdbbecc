"""Cost benchmark: what pricing and offline token counting add to the SQLite write path, and `costs recompute` speed.

Not a test. Writes batches of generations straight into a fresh SqliteStore (no HTTP), three ways: unknown model
(no pricing work), usage sent (matched and priced), no usage (tokens counted offline, then priced); then re-prices
everything with `recompute_costs`. Prints one JSON line per case. Runs in well under a minute.

    .venv/bin/python bench/costs.py --generations 20000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from spyglass.domain.events import ObservationUpsert, TraceUpsert  # noqa: E402
from spyglass.store.sqlite.store import SqliteStore  # noqa: E402

TEXT = "What is the capital of France, and why did it become the capital? Answer in two sentences. "


def _events(count: int, model: str, usage: bool) -> list[Any]:
    events: list[Any] = []
    stamp = 1_795_000_000_000_000
    for index in range(count):
        trace_id = uuid.uuid4().hex
        fields: dict[str, Any] = {
            "trace_id": trace_id, "type": "GENERATION", "model": model, "start_time": stamp,
            "input": json.dumps([{"role": "user", "content": f"{TEXT} #{index}"}]),
            "output": json.dumps({"role": "assistant", "content": f"Paris. {TEXT} #{index}"}),
        }  # fmt: skip
        if usage:
            fields["usage_details"] = {"input": 200, "output": 150, "total": 350}
        order = (stamp, uuid.uuid4().hex)
        events.append(TraceUpsert("p", trace_id, order, {}, weak={"timestamp": stamp}))
        events.append(ObservationUpsert("p", uuid.uuid4().hex, order, fields))
    return events


async def _case(store: SqliteStore, name: str, model: str, usage: bool, count: int, group: int) -> dict[str, Any]:
    events = _events(count, model, usage)
    started = time.perf_counter()
    for start in range(0, len(events), group * 2):
        await store.write(events[start : start + group * 2])
    seconds = time.perf_counter() - started
    return {"case": name, "generations": count, "seconds": round(seconds, 3),
            "generations_per_s": round(count / seconds)}  # fmt: skip


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--generations", type=int, default=20_000, help="generations per case")
    parser.add_argument("--group", type=int, default=500, help="generations per write (the pipeline's group)")
    args = parser.parse_args()
    cases = [("unknown model", "acme-llm-7", True), ("usage sent, priced", "gpt-4o", True),
             ("no usage, tokens counted", "gpt-4o", False)]  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        for index, (name, model, usage) in enumerate(cases):
            store = SqliteStore(Path(tmp) / f"bench-{index}.db")  # a fresh file per case: same size, same work
            await store.migrate()
            print(json.dumps(await _case(store, name, model, usage, args.generations, args.group)))
            if index < len(cases) - 1:
                await store.close()
        started = time.perf_counter()
        report = await store.recompute_costs()
        seconds = time.perf_counter() - started
        print(json.dumps({"case": "costs recompute", "examined": report.examined, "changed": report.changed,
                          "seconds": round(seconds, 3), "rows_per_s": round(report.examined / seconds)}))  # fmt: skip
        await store.close()


if __name__ == "__main__":
    asyncio.run(main())
