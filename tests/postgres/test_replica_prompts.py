"""Prompt versions and labels stay consistent when two replicas on one PostgreSQL database take writes at once."""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.support.server import ServerProcess

pytestmark = pytest.mark.slow

PROMPTS = "/api/public/v2/prompts"
CLIENTS = 6
VERSIONS_EACH = 4


def _together(work: Any, count: int) -> list[Any]:
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = work(index)
        except Exception as exc:  # reported by the caller's assertion
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_replicas_number_versions_once_and_keep_one_latest(tmp_path: Path, pg_url: str) -> None:
    env = {"SPYGLASS_DATABASE_URL": pg_url}
    replicas = [ServerProcess(tmp_path / "a", env=env).start(), ServerProcess(tmp_path / "b", env=env).start()]
    try:

        def push(index: int) -> list[int]:
            with replicas[index % 2].client() as client:
                versions = []
                for n in range(VERSIONS_EACH):
                    response = client.post(PROMPTS, json={"name": "shared", "prompt": f"client {index} edit {n}",
                                                          "labels": ["production"]})  # fmt: skip
                    assert response.status_code == 201, response.text
                    versions.append(response.json()["version"])
                return versions

        results = _together(push, CLIENTS)
        assert not [r for r in results if isinstance(r, BaseException)], results
        assert sorted(v for versions in results for v in versions) == list(range(1, CLIENTS * VERSIONS_EACH + 1))

        def move(index: int) -> None:
            with replicas[index % 2].client() as client:
                for _ in range(VERSIONS_EACH):
                    response = client.patch(f"{PROMPTS}/shared/versions/{index + 1}", json={"newLabels": ["staging"]})
                    assert response.status_code == 200, response.text

        assert not [r for r in _together(move, CLIENTS) if isinstance(r, BaseException)]
        for replica in replicas:
            with replica.client() as client:
                meta = client.get(PROMPTS, params={"name": "shared"}).json()["data"][0]
                stored = [client.get(f"{PROMPTS}/shared", params={"version": v}).json() for v in meta["versions"]]
            labels = Counter(label for version in stored for label in version["labels"])
            assert labels == {"latest": 1, "production": 1, "staging": 1}
            assert "latest" in max(stored, key=lambda v: v["version"])["labels"]
    finally:
        for replica in replicas:
            replica.stop()
