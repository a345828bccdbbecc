"""Crash safety: kill -9 the server under load, restart it, and find every acknowledged event on disk."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from spyglass.store import open_store
from tests.support.server import ServerProcess

KILLS = 3


def _batch(trace_id: str) -> dict[str, Any]:
    stamp = "2026-11-27T10:00:00.000000Z"
    return {
        "batch": [
            {"id": str(uuid.uuid4()), "type": "trace-create", "timestamp": stamp,
             "body": {"id": trace_id, "name": "crash-test", "input": {"q": "x" * 200}}},
            {"id": str(uuid.uuid4()), "type": "generation-create", "timestamp": stamp,
             "body": {"id": f"{trace_id}-g", "traceId": trace_id, "model": "gpt-4o", "startTime": stamp,
                      "usage": {"input": 10, "output": 5}, "output": "y" * 200}},
            {"id": str(uuid.uuid4()), "type": "span-create", "timestamp": stamp,
             "body": {"id": f"{trace_id}-s", "traceId": trace_id, "name": "step", "startTime": stamp}},
        ]
    }  # fmt: skip


class _Load:
    """Clients that keep sending batches and remember which ones the server acknowledged."""

    def __init__(self, server: ServerProcess) -> None:
        self.server = server
        self.acked: list[str] = []
        self.lock = threading.Lock()
        self.stop = threading.Event()

    def run(self) -> None:
        with httpx.Client(base_url=self.server.url, auth=self.server.auth, timeout=10) as client:
            while not self.stop.is_set():
                trace_id = f"crash-{uuid.uuid4()}"
                try:
                    response = client.post("/api/public/ingestion", json=_batch(trace_id))
                except httpx.TransportError:
                    time.sleep(0.02)  # the server is down; try again when it is back
                    continue
                if response.status_code == 207 and not response.json()["errors"]:
                    with self.lock:
                        self.acked.append(trace_id)


def test_acknowledged_events_survive_kill_9(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data").start()
    load = _Load(server)
    with ThreadPoolExecutor(max_workers=4) as pool:
        workers = [pool.submit(load.run) for _ in range(4)]
        try:
            for _ in range(KILLS):
                seen = len(load.acked)
                deadline = time.monotonic() + 30
                while len(load.acked) < seen + 50 and time.monotonic() < deadline:
                    time.sleep(0.05)
                server.kill()
                server.start()
        finally:
            load.stop.set()
            for worker in workers:
                worker.result()
    try:
        assert len(load.acked) >= 50 * KILLS
        with server.client() as client:
            missing = []
            for trace_id in load.acked:
                response = client.get(f"/api/public/traces/{trace_id}")
                if response.status_code != 200 or response.json()["observationCount"] != 2:
                    missing.append(trace_id)
        assert missing == []
    finally:
        server.stop()

    async def integrity() -> str:
        store = open_store(f"sqlite:///{tmp_path / 'data' / 'spyglass.db'}")
        try:
            return await store.integrity_check()
        finally:
            await store.close()

    assert asyncio.run(integrity()) == "ok"
