"""UI page benchmark: server time of the traces table, filtered pages and a trace detail on a large project.

Not a test. Fills a SQLite store once with N traces (default 1,000,000; every fourth with a generation) through bulk
`Store.write` calls of 5,000 traces (the same fold, roll-ups and search triggers as ingestion, skipping HTTP), keeps
it under .bench/ for later runs, then serves the app
in-process and times each page request end to end inside the server (routing, queries, template rendering).
Prints one JSON object with the median and p95 per page, in milliseconds.

    .venv/bin/python bench/ui_pages.py --traces 1000000            # first run fills (minutes), later runs reuse
    .venv/bin/python bench/ui_pages.py --traces 20000 --fresh       # a quick check
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
from spyglass.domain.events import ObservationUpsert, TraceUpsert  # noqa: E402
from spyglass.projects import bootstrap  # noqa: E402
from spyglass.store import open_store  # noqa: E402
from spyglass.store.base import Store  # noqa: E402

EMAIL, PASSWORD = "bench@spyglass.test", "bench-password"
WORDS = (
    "invoice", "refund", "password", "account", "delivery", "weather", "summary", "translate", "python", "error",
    "timeout", "billing", "東京", "レシート", "データ", "préférence", "réponse", "naïve",
)  # fmt: skip
T0 = 1_767_225_600_000_000  # 2026-01-01T00:00:00Z in microseconds
GROUP = 5_000


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words))


def _events(project_id: str, start: int, count: int, rng: random.Random) -> list[Any]:
    events: list[Any] = []
    for i in range(start, start + count):
        trace_id = f"t{i:08d}"
        ts = T0 + i * 2_000_000  # one trace every 2 s: 1M traces span 23 days
        question = f"q{i} " + _text(rng, 12)
        answer = _text(rng, 30)
        order = (ts, f"bench-{i}")
        events.append(TraceUpsert(project_id, trace_id, order, {
            "timestamp": ts, "name": rng.choice(("chat", "search", "summarize", "classify")),
            "user_id": f"user-{i % 5000}", "session_id": f"s-{i // 8}", "tags": [rng.choice(("a", "b", "c", "vip"))],
            "environment": "production", "release": f"r{i % 7}", "input": json.dumps(question, ensure_ascii=False),
            "output": json.dumps(answer, ensure_ascii=False), "metadata": {"i": i},
        }))  # fmt: skip
        if i % 4:
            continue  # every fourth trace has a generation (its trace gets the roll-ups), to keep the fill short
        latency = rng.randint(200_000, 4_000_000)
        tokens_in, tokens_out = rng.randint(50, 900), rng.randint(10, 400)
        events.append(ObservationUpsert(project_id, f"{trace_id}-g", order, {
            "trace_id": trace_id, "type": "GENERATION", "name": "llm", "start_time": ts, "end_time": ts + latency,
            "completion_start_time": ts + latency // 5, "model": "gpt-4o-mini",
            "level": "ERROR" if i % 997 == 0 else "DEFAULT",
            "input": json.dumps([{"role": "user", "content": question}], ensure_ascii=False),
            "output": json.dumps({"role": "assistant", "content": answer}, ensure_ascii=False),
            "usage_details": {"input": tokens_in, "output": tokens_out, "total": tokens_in + tokens_out},
            "cost_details": {"total": (tokens_in * 0.15 + tokens_out * 0.6) / 1e6},
        }))  # fmt: skip
    return events


async def fill(store: Store, project_id: str, traces: int) -> float:
    rng = random.Random(7)
    started = time.perf_counter()
    for start in range(0, traces, GROUP):
        await store.write(_events(project_id, start, min(GROUP, traces - start), rng))
        if start and start % 100_000 == 0:
            rate = start / (time.perf_counter() - started)
            print(f"  {start:,} traces ({rate:,.0f}/s)", file=sys.stderr)
    return time.perf_counter() - started


async def timed(client: httpx.AsyncClient, url: str, runs: int) -> dict[str, float]:
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        response = await client.get(url)
        samples.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200, (url, response.status_code, response.text[:300])
    samples.sort()
    return {
        "median_ms": round(statistics.median(samples), 1),
        "p95_ms": round(samples[int(len(samples) * 0.95) - 1], 1),
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--traces", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--fresh", action="store_true", help="refill even when a filled store exists")
    args = parser.parse_args()
    data_dir = ROOT / ".bench" / f"ui-{args.traces}"
    marker = data_dir / "filled"
    if args.fresh and data_dir.exists():
        shutil.rmtree(data_dir)
    settings = Settings(data_dir=data_dir, log_level="warning")
    store = open_store(settings.store_url)
    await store.migrate()
    boot = await bootstrap(store, settings)
    project_id = boot.project.id
    fill_seconds = None
    if not marker.exists():
        print(f"filling {args.traces:,} traces into {data_dir} ...", file=sys.stderr)
        fill_seconds = await fill(store, project_id, args.traces)
        await create_user(store, EMAIL, PASSWORD, is_admin=True)
        marker.write_text(str(fill_seconds))
    app = create_app(settings, store)
    results: dict[str, Any] = {"traces": args.traces, "runs": args.runs}
    if fill_seconds is not None:
        results["fill_seconds"] = round(fill_seconds, 1)
        results["fill_traces_per_second"] = round(args.traces / fill_seconds)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            form = await client.get("/signin")
            token = re.search(r'name="csrf" value="([^"]+)"', form.text)
            assert token is not None
            signed = await client.post("/signin", data={"email": EMAIL, "password": PASSWORD, "csrf": token.group(1)})
            assert signed.status_code == 303, signed.text
            base = f"/project/{project_id}"
            middle = f"t{args.traces // 2 // 4 * 4:08d}"
            pages = {
                "traces_first_page": f"{base}/traces",
                "traces_filter_user": f"{base}/traces?user=user-1234",
                "traces_filter_tag_and_name": f"{base}/traces?tag=vip&name=search",
                "traces_filter_level_error": f"{base}/traces?level=ERROR",
                "traces_sort_cost": f"{base}/traces?sort=cost",
                "traces_sort_latency_asc": f"{base}/traces?sort=latency&order=asc",
                "traces_search_rare": f"{base}/traces?q=q{args.traces // 3}%20",
                "traces_search_common": f"{base}/traces?q=refund",
                "traces_json_twin": f"{base}/traces?format=json",
                "trace_detail": f"{base}/traces/{middle}",
                "trace_detail_generation": f"{base}/traces/{middle}?observation={middle}-g",
                "sessions_first_page": f"{base}/sessions",
                "session_detail": f"{base}/sessions/s-{args.traces // 16}",
                "users_first_page": f"{base}/users",
                "user_detail": f"{base}/users/user-1234",
                "scores_first_page": f"{base}/scores",
                "generations_first_page": f"{base}/generations",
            }
            first = await client.get(pages["traces_first_page"])
            cursor = re.search(r"cursor=([A-Za-z0-9_-]+)", first.text)
            if cursor:
                pages["traces_page_2"] = f"{base}/traces?cursor={cursor.group(1)}"
            for name, url in pages.items():
                results[name] = await timed(client, url, args.runs)
    await store.close()
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
