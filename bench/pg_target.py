"""PostgreSQL as a benchmark target: a throwaway cluster (tests/support/postgres.py) and a fresh database per run.

`postgres_env()` gives the environment a `ServerProcess` needs to serve from PostgreSQL, for bench/ingest.py and the
other benchmarks. Run this file to compare the ingest rate of SQLite and PostgreSQL in one run:

    .venv/bin/python bench/pg_target.py --seconds 8 --concurrency 4 --batch-events 150 [--replicas 2]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.postgres import Cluster  # noqa: E402
from tests.support.server import ServerProcess  # noqa: E402

_cluster: Cluster | None = None


@contextmanager
def postgres_cluster() -> Iterator[Cluster]:
    """A running cluster for the duration of the block (SPYGLASS_TEST_POSTGRES_URL picks an existing server)."""
    global _cluster
    if _cluster is not None:
        yield _cluster
        return
    _cluster = Cluster().start()
    try:
        yield _cluster
    finally:
        _cluster.stop()
        _cluster = None


def postgres_env(cluster: Cluster) -> dict[str, str]:
    """Server environment for a fresh, migrated PostgreSQL database on `cluster`."""
    return {"SPYGLASS_DATABASE_URL": cluster.new_database()}


def main() -> None:
    from bench.ingest import langfuse_batch, run

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--batch-events", type=int, default=150)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--replicas", type=int, default=1, help="PostgreSQL: servers sharing the database")
    args = parser.parse_args()
    traces = max(1, args.batch_events // 3)
    bodies = [langfuse_batch(traces) for _ in range(64)]
    with tempfile.TemporaryDirectory() as tmp, postgres_cluster() as cluster:
        targets: list[tuple[str, list[dict[str, str]]]] = [
            ("sqlite", [{}]),
            ("postgres", [postgres_env(cluster)]),
        ]
        if args.replicas > 1:
            shared = postgres_env(cluster)
            targets.append((f"postgres-{args.replicas}-replicas", [shared] * args.replicas))
        for name, envs in targets:
            servers = [ServerProcess(Path(tmp) / f"{name}-{i}", env=env).start() for i, env in enumerate(envs)]
            try:
                results: list[dict[str, Any]] = []
                if len(servers) == 1:
                    results.append(run(servers[0], bodies, 3 * traces, args.concurrency, args.seconds))
                else:
                    import threading

                    def one(server: ServerProcess, into: list[dict[str, Any]]) -> None:
                        into.append(run(server, bodies, 3 * traces, args.concurrency, args.seconds))

                    threads = [threading.Thread(target=one, args=(s, results)) for s in servers]
                    for thread in threads:
                        thread.start()
                    for thread in threads:
                        thread.join()
                summary = {
                    "target": name, "batch_events": 3 * traces, "concurrency": args.concurrency,
                    "events_per_s": sum(r["events_per_s"] for r in results),
                    "ack_p50_ms": max(r["ack_p50_ms"] or 0 for r in results),
                    "ack_p99_ms": max(r["ack_p99_ms"] or 0 for r in results),
                    "errors": sum(r["errors"] for r in results),
                }  # fmt: skip
                print(json.dumps(summary), flush=True)
            finally:
                for server in servers:
                    server.stop()


if __name__ == "__main__":
    main()
