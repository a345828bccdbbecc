"""Dataset compare benchmark: server time of the runs-compared page on a dataset of 10,000 items with 20 runs.

Not a test. Fills a SQLite store once (kept under .bench/ for later runs): the items through the DatasetStore, one
trace with a generation (latency, cost) and one `accuracy` score per item and run through bulk `Store.write`, and the
run items through `link_experiment_items` (one transaction per run). Then serves the app in-process and times each
page request end to end inside the server (routing, queries, template rendering). Prints one JSON object with the
median and p95 wall time and the median CPU time per page, in milliseconds.

    .venv/bin/python bench/datasets.py                           # 10,000 items x 20 runs; the first run fills
    .venv/bin/python bench/datasets.py --items 500 --runs 4 --fresh   # a quick check
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import shutil
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from spyglass.accounts import create_user  # noqa: E402
from spyglass.app import create_app  # noqa: E402
from spyglass.config import Settings  # noqa: E402
from spyglass.domain.datasets import ItemUpsert, NewDataset, RunItemLink  # noqa: E402
from spyglass.domain.events import ObservationUpsert, ScoreUpsert, TraceUpsert  # noqa: E402
from spyglass.projects import bootstrap  # noqa: E402
from spyglass.store import open_store  # noqa: E402
from spyglass.store.base import PageRequest, Store  # noqa: E402

EMAIL, PASSWORD = "bench@spyglass.test", "bench-password"
KEYS = ("pk-lf-bench", "sk-lf-bench-0123456789")
DATASET = "bench/qa"
T0 = 1_767_225_600_000_000  # 2026-01-01T00:00:00Z in microseconds
GROUP = 2_000


def _run_events(project_id: str, run: int, items: int, rng: random.Random) -> list[Any]:
    events: list[Any] = []
    for i in range(items):
        trace_id = f"r{run:02d}-i{i:05d}"
        ts = T0 + (run * items + i) * 1_000_000
        order = (ts, f"bench-{trace_id}")
        answer = f"answer {i} of run {run}: " + "lorem ipsum " * rng.randint(2, 20)
        events.append(TraceUpsert(project_id, trace_id, order, {
            "timestamp": ts, "name": "experiment-item", "environment": "bench",
            "input": json.dumps({"q": f"question {i}"}), "output": json.dumps(answer),
        }))  # fmt: skip
        latency = rng.randint(200_000, 3_000_000)
        events.append(ObservationUpsert(project_id, f"{trace_id}-g", order, {
            "trace_id": trace_id, "type": "GENERATION", "name": "llm", "start_time": ts, "end_time": ts + latency,
            "model": "gpt-4o-mini", "output": json.dumps(answer),
            "usage_details": {"input": 100, "output": 50, "total": 150}, "cost_details": {"total": 0.0001},
        }))  # fmt: skip
        events.append(ScoreUpsert(project_id, f"{trace_id}-s", order, {
            "timestamp": ts, "name": "accuracy", "value": float(rng.random() < 0.5 + run / 60), "data_type": "NUMERIC",
            "source": "EVAL", "trace_id": trace_id,
        }))  # fmt: skip
    return events


async def fill(store: Store, project_id: str, items: int, runs: int) -> float:
    rng = random.Random(7)
    started = time.perf_counter()
    datasets = store.datasets
    await datasets.create_dataset(project_id, NewDataset(DATASET, "benchmark"))
    for i in range(items):
        fields = {"input": {"q": f"question {i}"}, "expected_output": f"answer {i}"}
        await datasets.upsert_dataset_item(project_id, ItemUpsert(DATASET, f"item-{i:05d}", fields))
    dataset_id = (await datasets.get_dataset(project_id, DATASET)).id
    for run in range(runs):
        events = _run_events(project_id, run, items, rng)
        for start in range(0, len(events), GROUP * 3):
            await store.write(events[start : start + GROUP * 3])
        links = [
            RunItemLink(run_name=f"run-{run:02d}", dataset_item_id=f"item-{i:05d}", trace_id=f"r{run:02d}-i{i:05d}",
                        observation_id=f"r{run:02d}-i{i:05d}-g", dataset_id=dataset_id)
            for i in range(items)
        ]  # fmt: skip
        await datasets.link_experiment_items(project_id, links)
        print(f"  run {run + 1}/{runs} filled ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    return time.perf_counter() - started


async def timed(client: httpx.AsyncClient, url: str, repeat: int) -> dict[str, float]:
    """Wall time and CPU time of the process per request: on a shared, loaded machine the wall time includes waiting
    for a core, while the CPU time (server and client are this one process) is what the request itself costs."""
    samples, cpu = [], []
    for _ in range(repeat):
        began, began_cpu = time.perf_counter(), time.process_time()
        response = await client.get(url)
        samples.append((time.perf_counter() - began) * 1000)
        cpu.append((time.process_time() - began_cpu) * 1000)
        assert response.status_code == 200, (url, response.status_code, response.text[:300])
    samples.sort()
    return {
        "median_ms": round(statistics.median(samples), 1),
        "p95_ms": round(samples[max(0, int(len(samples) * 0.95) - 1)], 1),
        "cpu_median_ms": round(statistics.median(cpu), 1),
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--fresh", action="store_true", help="refill even when a filled store exists")
    args = parser.parse_args()
    data_dir = ROOT / ".bench" / f"datasets-{args.items}x{args.runs}"
    marker = data_dir / "filled"
    if args.fresh and data_dir.exists():
        shutil.rmtree(data_dir)
    settings = Settings(data_dir=data_dir, log_level="warning", init_public_key=KEYS[0], init_secret_key=KEYS[1])
    store = open_store(settings.store_url)
    await store.migrate()
    boot = await bootstrap(store, settings)
    project_id = boot.project.id
    results: dict[str, Any] = {"items": args.items, "runs": args.runs, "repeat": args.repeat}
    if not marker.exists():
        print(f"filling {args.items:,} items x {args.runs} runs into {data_dir} ...", file=sys.stderr)
        results["fill_seconds"] = round(await fill(store, project_id, args.items, args.runs), 1)
        await create_user(store, EMAIL, PASSWORD, is_admin=True)
        marker.write_text(str(results["fill_seconds"]))
    dataset = await store.datasets.get_dataset(project_id, DATASET)
    runs = await store.datasets.list_dataset_runs(project_id, DATASET, PageRequest(1, 100))
    run_ids = [r.id for r in sorted(runs.items, key=lambda r: r.created_at)]
    app = create_app(settings, store)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            form = await client.get("/signin")
            token = re.search(r'name="csrf" value="([^"]+)"', form.text)
            assert token is not None
            signed = await client.post("/signin", data={"email": EMAIL, "password": PASSWORD, "csrf": token.group(1)})
            assert signed.status_code == 303, signed.text
            base = f"/project/{project_id}/datasets/{dataset.id}"
            two = f"runs={run_ids[0]}&runs={run_ids[-1]}"
            every = "&".join(f"runs={r}" for r in run_ids)
            pages = {
                "dataset_page": base,
                "compare_default_5_newest_runs": f"{base}/compare",
                "compare_2_runs": f"{base}/compare?{two}",
                "compare_2_runs_sorted_by_score_delta": f"{base}/compare?{two}&sort=accuracy",
                "compare_2_runs_sorted_page_100": f"{base}/compare?{two}&sort=accuracy&page=100",
                "compare_all_runs": f"{base}/compare?{every}",
                "compare_all_runs_sorted_by_score_delta": f"{base}/compare?{every}&sort=accuracy",
                "compare_json_twin": f"{base}/compare?{two}&format=json",
                "api_run_with_items": "/api/public/datasets/bench%2Fqa/runs/run-00",
            }
            for name, url in pages.items():
                if url.startswith("/api/"):
                    api = httpx.AsyncClient(transport=transport, base_url="http://bench", auth=KEYS)
                    async with api:
                        results[name] = await timed(api, url, max(3, args.repeat // 5))
                    continue
                results[name] = await timed(client, url, args.repeat)
    await store.close()
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
