"""Label invariants under concurrent writes, against a live server: several clients at once, real HTTP."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

import httpx
import pytest

from tests.support.server import ServerProcess

PROMPTS = "/api/public/v2/prompts"
CLIENTS = 6
VERSIONS_EACH = 5


def _all_versions(client: httpx.Client, name: str) -> list[dict[str, Any]]:
    meta = client.get(PROMPTS, params={"name": name}).json()["data"][0]
    return [client.get(f"{PROMPTS}/{name}", params={"version": v}).json() for v in meta["versions"]]


def _run_together(work: Any, count: int) -> list[Any]:
    """Start `count` threads at one barrier; each runs work(index) and its result (or exception) is kept."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = work(index)
        except Exception as exc:  # reported by the assertion below, with the thread's error
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.slow
def test_concurrent_creates_get_distinct_versions_and_one_latest(server: ServerProcess) -> None:
    def push(index: int) -> list[int]:
        with server.client() as client:
            versions = []
            for n in range(VERSIONS_EACH):
                response = client.post(PROMPTS, json={"name": "shared", "prompt": f"client {index} edit {n}",
                                                      "labels": ["production"]})  # fmt: skip
                assert response.status_code == 201, response.text
                versions.append(response.json()["version"])
            return versions

    results = _run_together(push, CLIENTS)
    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, errors
    numbers = sorted(v for versions in results for v in versions)
    assert numbers == list(range(1, CLIENTS * VERSIONS_EACH + 1))
    with server.client() as client:
        stored = _all_versions(client, "shared")
    labels = Counter(label for version in stored for label in version["labels"])
    assert labels == {"latest": 1, "production": 1}
    newest = max(stored, key=lambda v: v["version"])
    assert newest["version"] == CLIENTS * VERSIONS_EACH
    assert "latest" in newest["labels"]


@pytest.mark.slow
def test_concurrent_label_moves_leave_the_label_on_one_version(server: ServerProcess) -> None:
    with server.client() as client:
        for n in range(CLIENTS):
            assert client.post(PROMPTS, json={"name": "moving", "prompt": f"v{n + 1}"}).status_code == 201

    def move(index: int) -> int:
        with server.client() as client:
            for _ in range(VERSIONS_EACH):
                response = client.patch(f"{PROMPTS}/moving/versions/{index + 1}", json={"newLabels": ["production"]})
                assert response.status_code == 200, response.text
            return index

    results = _run_together(move, CLIENTS)
    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, errors
    with server.client() as client:
        stored = _all_versions(client, "moving")
        served = client.get(f"{PROMPTS}/moving").json()
    holders = [v["version"] for v in stored if "production" in v["labels"]]
    assert len(holders) == 1
    assert served["version"] == holders[0]
    assert [v["version"] for v in stored if "latest" in v["labels"]] == [CLIENTS]
