"""Ingestion benchmark: events/s and ack latency of a live `spyglass serve`, RSS of the server.

Not a test. Runs a fresh server on a free port and a temp data dir, pre-builds 2.x-shaped batches (trace +
generation + span per trace, ~1 KB each) so the client does little work, then sends them from N keep-alive
connections. Prints one JSON line per run; `--repeat` runs each configuration several times and reports medians.

    .venv/bin/python bench/ingest.py --concurrency 1 4 --batch-events 15 150 --seconds 8
    .venv/bin/python bench/ingest.py --mode otlp otlp-gzip --store sqlite postgres --repeat 3
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import itertools
import json
import statistics
import sys
import tempfile
import threading
import time
import uuid
from base64 import b64encode
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.server import ServerProcess  # noqa: E402


def langfuse_batch(traces: int) -> bytes:
    """One ingestion body holding `traces` traces of three events each (~1 KB per event)."""
    stamp = "2026-11-27T10:00:00.000000Z"
    events: list[dict[str, Any]] = []
    for _ in range(traces):
        trace_id = str(uuid.uuid4())
        text = "lorem ipsum dolor sit amet " * 28
        events += [
            {"id": str(uuid.uuid4()), "type": "trace-create", "timestamp": stamp,
             "body": {"id": trace_id, "timestamp": stamp, "name": "chat", "userId": "user-1", "sessionId": "s-1",
                      "tags": ["bench"], "metadata": {"source": "bench"}, "input": {"q": text}}},
            {"id": str(uuid.uuid4()), "type": "generation-create", "timestamp": stamp,
             "body": {"id": str(uuid.uuid4()), "traceId": trace_id, "name": "llm", "startTime": stamp,
                      "endTime": stamp, "model": "gpt-4o-mini", "modelParameters": {"temperature": "0.2"},
                      "input": [{"role": "user", "content": text}], "output": {"role": "assistant", "content": text},
                      "usage": {"input": 200, "output": 150, "total": 350}}},
            {"id": str(uuid.uuid4()), "type": "span-create", "timestamp": stamp,
             "body": {"id": str(uuid.uuid4()), "traceId": trace_id, "name": "retrieval", "startTime": stamp,
                      "endTime": stamp, "input": {"query": text}, "output": {"docs": [text[:200]] * 3}}},
        ]  # fmt: skip
    return json.dumps({"batch": events}).encode()


def _rss_kb(pid: int) -> tuple[int, int]:
    """(current, peak) resident set size of a process, in KiB."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])


def run(
    server: ServerProcess, bodies: list[bytes], events_per_body: int, concurrency: int, seconds: float,
    path: str = "/api/public/ingestion", headers: dict[str, str] | None = None,
) -> dict[str, Any]:  # fmt: skip
    host, port = server.url.removeprefix("http://").split(":")
    auth = "Basic " + b64encode(f"{server.public_key}:{server.secret_key}".encode()).decode()
    base_headers = {"Authorization": auth, "Content-Type": "application/json", **(headers or {})}
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def worker(offset: int) -> None:
        nonlocal errors
        conn = http.client.HTTPConnection(host, int(port), timeout=60)
        mine: list[float] = []
        i = offset
        while time.perf_counter() < stop_at:
            body = bodies[i % len(bodies)]
            i += concurrency
            started = time.perf_counter()
            conn.request("POST", path, body=body, headers=base_headers)
            response = conn.getresponse()
            response.read()
            if response.status not in (200, 202, 207):
                with lock:
                    errors += 1
                continue
            mine.append(time.perf_counter() - started)
        conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(concurrency)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    assert server.proc is not None
    rss, peak = _rss_kb(server.proc.pid)
    latencies.sort()
    return {
        "requests": len(latencies),
        "errors": errors,
        "events_per_s": round(len(latencies) * events_per_body / elapsed),
        "ack_p50_ms": round(1000 * latencies[len(latencies) // 2], 2) if latencies else None,
        "ack_p99_ms": round(1000 * latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))], 2)
        if latencies
        else None,
        "server_rss_mb": round(rss / 1024, 1),
        "server_peak_rss_mb": round(peak / 1024, 1),
    }


def _bodies(size: int, events: int = 60_000) -> int:
    """Enough distinct bodies that a run sends new traces rather than resending (updating) old ones."""
    return max(64, events // max(1, size))


def _workload(mode: str, size: int) -> tuple[list[bytes], int, str, dict[str, str]]:
    """(bodies, events or spans per body, path, headers) for one mode and request size."""
    if mode == "langfuse":
        traces = max(1, size // 3)
        return [langfuse_batch(traces) for _ in range(_bodies(size))], 3 * traces, "/api/public/ingestion", {}
    from bench.otlp_payloads import SPANS_PER_TRACE, otlp_body

    traces = max(1, size // SPANS_PER_TRACE)
    made = [otlp_body(traces, gzip_body=mode == "otlp-gzip") for _ in range(_bodies(size))]
    return [body for body, _, _ in made], made[0][1], "/api/public/otel/v1/traces", made[0][2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mode", nargs="+", default=["langfuse"], choices=["langfuse", "otlp", "otlp-gzip"],
                        help="2.x batch JSON, or 5.x-shaped OTLP protobuf without / with gzip")  # fmt: skip
    parser.add_argument("--store", nargs="+", default=["sqlite"], choices=["sqlite", "postgres"])
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--batch-events", type=int, nargs="+", default=[15, 150],
                        help="events (spans for OTLP) per request; the 2.x SDK sends 15 by default")  # fmt: skip
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        cluster = None
        if "postgres" in args.store:
            from bench.pg_target import postgres_cluster

            cluster = stack.enter_context(postgres_cluster())
        for store, mode, size, concurrency in itertools.product(
            args.store, args.mode, args.batch_events, args.concurrency
        ):
            bodies, per_body, path, headers = _workload(mode, size)
            runs = []
            for attempt in range(args.repeat):
                env = {"SPYGLASS_DATABASE_URL": cluster.new_database()} if store == "postgres" and cluster else {}
                folder = Path(tmp) / f"{store}-{mode}-{size}-{concurrency}-{attempt}"
                server = ServerProcess(folder, env=env).start()
                try:
                    runs.append(run(server, bodies, per_body, concurrency, args.seconds, path, headers))
                finally:
                    server.stop()
            summary = {
                "store": store, "mode": mode, "per_request": per_body, "concurrency": concurrency, "runs": len(runs),
                **{key: statistics.median(r[key] for r in runs) for key in
                   ("events_per_s", "ack_p50_ms", "ack_p99_ms", "server_peak_rss_mb")},
                "errors": sum(r["errors"] for r in runs),
            }  # fmt: skip
            print(json.dumps(summary), flush=True)


if __name__ == "__main__":
    main()
