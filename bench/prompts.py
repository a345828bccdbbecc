"""Prompt benchmark: get_prompt reads/s and create-version writes/s against a live `spyglass serve`.

Not a test. Starts a fresh server on a free port and a temp data dir, creates one prompt with a few versions, then
for `--seconds` each: N keep-alive clients fetching it by label (what an SDK does when its cache expires), and N
clients pushing new versions of one name (the writer path: one BEGIN IMMEDIATE transaction per version). Prints
one JSON line.

    .venv/bin/python bench/prompts.py --concurrency 4 --seconds 5
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.server import ServerProcess  # noqa: E402

PROMPTS = "/api/public/v2/prompts"


def _hammer(
    server: ServerProcess, clients: int, seconds: float, call: Callable[[httpx.Client, int], None]
) -> dict[str, float]:
    latencies: list[list[float]] = [[] for _ in range(clients)]
    stop = time.monotonic() + seconds

    def run(index: int) -> None:
        with server.client() as client:
            n = 0
            while time.monotonic() < stop:
                start = time.perf_counter()
                call(client, n)
                latencies[index].append(time.perf_counter() - start)
                n += 1

    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    flat = sorted(x for part in latencies for x in part)
    return {
        "per_second": round(len(flat) / seconds, 1),
        "p50_ms": round(statistics.median(flat) * 1000, 2),
        "p95_ms": round(flat[int(0.95 * (len(flat) - 1))] * 1000, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        server = ServerProcess(Path(tmp)).start()
        try:
            with server.client() as client:
                for n in range(5):
                    client.post(PROMPTS, json={"name": "bench", "prompt": f"v{n} {{{{x}}}}", "labels": ["production"],
                                               "config": {"temperature": 0.1}}).raise_for_status()  # fmt: skip

            def read(client: httpx.Client, _: int) -> None:
                client.get(f"{PROMPTS}/bench", params={"label": "production"}).raise_for_status()

            def write(client: httpx.Client, n: int) -> None:
                client.post(PROMPTS, json={"name": "pushed", "prompt": f"edit {n}"}).raise_for_status()

            reads = _hammer(server, args.concurrency, args.seconds, read)
            writes = _hammer(server, args.concurrency, args.seconds, write)
            with server.client() as client:
                meta = client.get(PROMPTS, params={"name": "pushed"}).json()["data"][0]
            versions = meta["versions"]
            assert versions == list(range(1, len(versions) + 1)), "version numbers must be 1..n without gaps"
        finally:
            server.stop()
    print(json.dumps({"concurrency": args.concurrency, "get_prompt": reads, "create_version": writes,
                      "versions_created": len(versions)}))  # fmt: skip


if __name__ == "__main__":
    main()
