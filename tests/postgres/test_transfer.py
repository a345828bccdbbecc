"""`spyglass export` from SQLite, `spyglass import` into PostgreSQL (and back): the public API answers the same."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest

from tests.postgres.workload import send, snapshot, workload
from tests.support.postgres import shared_cluster
from tests.support.server import ServerProcess

pytestmark = pytest.mark.slow

TRACES = 12
PROMPTS = "/api/public/v2/prompts"


def spyglass(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "spyglass", *args], capture_output=True, text=True, timeout=120)


def answers(server: ServerProcess) -> dict[str, Any]:
    """What the public API says about every trace, the sessions and the prompt, write clocks included."""
    with server.client() as client:
        out = snapshot(client, [f"trace-{i}" for i in range(TRACES)], strict=True)
        prompts = [client.get(f"{PROMPTS}/greeting", params={"version": v}).json() for v in (1, 2)]
        # Prompt versions are re-created by the import: same numbers, bodies and labels; new ids and clocks.
        out["_prompt"] = [{k: v for k, v in p.items() if k not in ("id", "createdAt", "updatedAt")} for p in prompts]
        out["_score"] = client.get("/api/public/scores/score-3").json()
    return out


def test_export_from_sqlite_import_into_postgres_and_back(tmp_path: Path, pg_url: str) -> None:
    source = ServerProcess(tmp_path / "sqlite").start()
    try:
        with source.client() as client:
            send(client, workload(TRACES))
            for body in ("Hello {{name}}", "Hi {{name}}"):
                response = client.post(PROMPTS, json={"name": "greeting", "prompt": body, "labels": ["production"]})
                assert response.status_code == 201, response.text
    finally:
        source.stop()
    source.start()
    try:
        expected = answers(source)
    finally:
        source.stop()

    exported = tmp_path / "project.jsonl"
    result = spyglass("export", "--data-dir", str(source.data_dir), "--project", "default", "-o", str(exported))
    assert result.returncode == 0, result.stderr
    lines = [orjson.loads(line) for line in exported.read_bytes().splitlines()]
    assert lines[0]["kind"] == "header" and lines[-1] == {
        "kind": "end", "counts": {"api_keys": 1, "models": 0, "prompts": 2, "traces": TRACES,
                                  "observations": 3 * TRACES, "scores": TRACES},
    }  # fmt: skip

    result = spyglass("import", str(exported), "--database-url", pg_url)
    assert result.returncode == 0, result.stderr
    assert "counts check out" in result.stderr
    again = spyglass("import", str(exported), "--database-url", pg_url, "--no-progress")
    assert again.returncode == 0, again.stderr  # importing twice changes nothing

    target = ServerProcess(tmp_path / "pg", env={"SPYGLASS_DATABASE_URL": pg_url}).start()
    try:
        got = answers(target)
    finally:
        target.stop()
    for key in expected:
        assert got[key] == expected[key], key

    back = tmp_path / "back.jsonl"
    assert spyglass("export", "--database-url", pg_url, "-o", str(back), "--no-progress").returncode == 0
    sqlite_again = tmp_path / "sqlite-again"
    result = spyglass("import", str(back), "--data-dir", str(sqlite_again))
    assert result.returncode == 0, result.stderr
    round_trip = ServerProcess(sqlite_again).start()
    try:
        assert answers(round_trip) == expected
    finally:
        round_trip.stop()


def test_a_cut_short_or_foreign_file_is_refused_with_a_reason(tmp_path: Path, pg_url: str) -> None:
    source = ServerProcess(tmp_path / "sqlite").start()
    try:
        with source.client() as client:
            send(client, workload(2))
    finally:
        source.stop()
    exported = tmp_path / "project.jsonl"
    assert spyglass("export", "--data-dir", str(source.data_dir), "-o", str(exported)).returncode == 0
    cut = tmp_path / "cut.jsonl"
    cut.write_bytes(b"\n".join(exported.read_bytes().splitlines()[:-3]) + b"\n")
    result = spyglass("import", str(cut), "--database-url", shared_cluster().new_database())
    assert result.returncode == 1
    assert "no end line" in result.stderr
    foreign = tmp_path / "foreign.jsonl"
    foreign.write_text('{"hello": "world"}\n')
    result = spyglass("import", str(foreign), "--database-url", pg_url)
    assert result.returncode == 1 and "export line" in result.stderr
    missing = spyglass("export", "--data-dir", str(source.data_dir), "--project", "nope", "-o", str(tmp_path / "x"))
    assert missing.returncode == 2 and "no project named 'nope'" in missing.stderr
