"""Retention: exactly what is older than a project's policy is deleted (traces with their observations, scores and
media), nothing of other projects, and the background job does it while ingestion goes on."""

from __future__ import annotations

import base64
import hashlib
import os
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from spyglass.config import Settings
from spyglass.domain.lifecycle import DataPolicy
from spyglass.projects import create_key
from spyglass.retention import enforce
from spyglass.store.base import Store
from spyglass.store.blobs import FileBlobs
from tests.support.server import ServerProcess

NOW = datetime.now(UTC)


def _iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def turn(trace_id: str, at: datetime, *, session: str = "s", text: str = "hello") -> list[dict[str, Any]]:
    """A trace with one generation and a score, all at `at`."""
    stamp = _iso(at)
    return [
        {"id": str(uuid.uuid4()), "type": "trace-create", "timestamp": stamp,
         "body": {"id": trace_id, "timestamp": stamp, "name": "turn", "sessionId": session, "input": text}},
        {"id": str(uuid.uuid4()), "type": "generation-create", "timestamp": stamp,
         "body": {"id": f"{trace_id}-g", "traceId": trace_id, "name": "llm", "startTime": stamp, "endTime": stamp,
                  "model": "gpt-4o-mini", "usage": {"input": 3, "output": 2}}},
        {"id": str(uuid.uuid4()), "type": "score-create", "timestamp": stamp,
         "body": {"id": f"{trace_id}-s", "traceId": trace_id, "name": "quality", "value": 1, "timestamp": stamp}},
    ]  # fmt: skip


async def send(client: httpx.AsyncClient, events: list[dict[str, Any]], auth: tuple[str, str] | None = None) -> None:
    kwargs: dict[str, Any] = {"auth": auth} if auth else {}
    response = await client.post("/api/public/ingestion", json={"batch": events}, **kwargs)
    assert response.status_code == 207 and response.json()["errors"] == [], response.text


async def media_for(client: httpx.AsyncClient, trace_id: str, data: bytes) -> str:
    digest = base64.b64encode(hashlib.sha256(data).digest()).decode()
    announced = (await client.post("/api/public/media", json={
        "traceId": trace_id, "contentType": "image/png", "contentLength": len(data), "sha256Hash": digest,
        "field": "input"})).json()  # fmt: skip
    assert (await client.put(announced["uploadUrl"], content=data, headers={"Content-Type": "image/png"})).is_success
    media_id: str = announced["mediaId"]
    return media_id


@pytest.mark.anyio
async def test_exactly_what_is_older_is_deleted(
    app_client: httpx.AsyncClient, store: Store, settings: Settings
) -> None:
    project = (await store.list_projects())[0]
    other = await store.create_project("other")
    other_key = await create_key(store, other)
    other_auth = (other_key.public_key, other_key.secret_key)

    old = [f"old-{i}" for i in range(3)]
    new = [f"new-{i}" for i in range(2)]
    events = [e for i, t in enumerate(old) for e in turn(t, NOW - timedelta(days=40, minutes=i))]
    events += [e for i, t in enumerate(new) for e in turn(t, NOW - timedelta(days=29, minutes=i))]
    stamp = _iso(NOW - timedelta(days=40))
    events.append({"id": str(uuid.uuid4()), "type": "score-create", "timestamp": stamp,
                   "body": {"id": "old-session-score", "sessionId": "s", "name": "resolved", "value": 1,
                            "timestamp": stamp}})  # fmt: skip
    await send(app_client, events)
    await send(app_client, turn("theirs-old", NOW - timedelta(days=400)), other_auth)
    old_media = await media_for(app_client, "old-0", b"old picture " + uuid.uuid4().bytes)
    new_media = await media_for(app_client, "new-0", b"new picture " + uuid.uuid4().bytes)
    blobs = FileBlobs(settings.media_dir)
    assert await blobs.exists(project.id, old_media)

    await store.set_data_policy(project.id, DataPolicy(retention_days=30))
    done = await enforce(store, blobs)

    report = done[project.id]
    assert (report.traces, report.observations, report.scores, report.media_ids) == (3, 3, 4, (old_media,))
    assert list(done) == [project.id]
    for trace_id in old:
        assert (await app_client.get(f"/api/public/traces/{trace_id}")).status_code == 404
    for trace_id in new:
        kept = (await app_client.get(f"/api/public/traces/{trace_id}")).json()
        assert len(kept["observations"]) == 1 and len(kept["scores"]) == 1
    assert (await app_client.get("/api/public/scores/old-session-score")).status_code == 404
    assert not await blobs.exists(project.id, old_media) and await blobs.exists(project.id, new_media)
    assert (await app_client.get(f"/api/public/media/{new_media}")).status_code == 200
    assert (await app_client.get("/api/public/traces/theirs-old", auth=other_auth)).status_code == 200
    # A second round finds nothing left to delete.
    assert await enforce(store, blobs) == {}


def cli(data_dir: Path, *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "spyglass", *args, "--data-dir", str(data_dir)],
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


def cli_error(data_dir: Path, *args: str) -> str:
    """What a failing command printed, on one line (typer draws a box around it)."""
    done = subprocess.run([sys.executable, "-m", "spyglass", *args, "--data-dir", str(data_dir)],
                          capture_output=True, text=True, timeout=60, env={**os.environ, "COLUMNS": "300"})  # fmt: skip
    assert done.returncode != 0
    return done.stderr


@pytest.mark.slow
def test_the_server_enforces_retention_while_ingesting_and_frees_disk(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data", env={"SPYGLASS_RETENTION_INTERVAL_SECONDS": "1"}).start()
    try:
        bulky = "x" * 4000
        with server.client() as client:
            for batch in range(10):
                events = [e for i in range(100) for e in turn(f"old-{batch}-{i}", NOW - timedelta(days=90),
                                                               text=f"{bulky} {uuid.uuid4()}")]  # fmt: skip
                assert client.post("/api/public/ingestion", json={"batch": events}).status_code == 207
            cli(server.data_dir, "purge", "--vacuum")  # no policy yet: nothing deleted, the file compacted
            before = (server.data_dir / "spyglass.db").stat().st_size
            assert "default: kept 30 days" in cli(server.data_dir, "retention", "set", "30")
            acked: list[str] = []
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                trace_id = f"new-{len(acked)}"
                response = client.post("/api/public/ingestion", json={"batch": turn(trace_id, datetime.now(UTC))})
                assert response.status_code == 207
                acked.append(trace_id)
                listed = client.get(
                    "/api/public/traces", params={"limit": 1, "toTimestamp": _iso(NOW - timedelta(days=60))}
                )
                if listed.json()["meta"]["totalItems"] == 0:
                    break
                time.sleep(0.05)
            assert listed.json()["meta"]["totalItems"] == 0, "the retention job did not delete the old traces"
            for trace_id in acked:
                assert client.get(f"/api/public/traces/{trace_id}").status_code == 200, trace_id
            # The freed pages leave the file at the next checkpoint that no reader holds up.
            deadline = time.monotonic() + 30
            while (after := (server.data_dir / "spyglass.db").stat().st_size) >= before / 2:
                if time.monotonic() > deadline:
                    break
                client.get("/api/public/health")
                time.sleep(0.2)
        assert after < before / 2, (before, after)
    finally:
        server.stop()


def test_purge_cli_one_off_and_policies(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    cli(data_dir, "projects", "create", "first")
    cli(data_dir, "projects", "create", "second")
    assert "Nothing is past its retention." in cli(data_dir, "purge")
    assert "second: kept 7 days; masked: nothing" in cli(data_dir, "retention", "set", "7", "--project", "second")
    shown = cli(data_dir, "retention", "show")
    assert "first: kept forever; masked: nothing" in shown and "second: kept 7 days" in shown
    assert "kept forever" in cli(data_dir, "retention", "set", "off", "--project", "second")
    purged = cli(data_dir, "purge", "--project", "second", "--older-than-days", "1")
    assert "second: deleted 0 traces" in purged
    assert "--older-than-days needs --project" in cli_error(data_dir, "purge", "--older-than-days", "1")
    assert "retention must be from 1" in cli_error(data_dir, "retention", "set", "0", "--project", "first")
    assert "whole number or 'off'" in cli_error(data_dir, "retention", "set", "soon")
