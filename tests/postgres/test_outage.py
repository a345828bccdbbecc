"""A database restart under a running server: ingestion answers 503 with Retry-After (which every SDK and the OTel
exporter retry) while PostgreSQL is down, and takes the same batch once it is back. Nothing acknowledged is lost."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.postgres.workload import send, workload
from tests.support.postgres import Cluster, selected_backends
from tests.support.server import ServerProcess

pytestmark = pytest.mark.slow


@pytest.fixture
def own_cluster(request: pytest.FixtureRequest) -> Iterator[Cluster]:
    """A cluster of this test's own, since the test stops and starts it (the session's cluster stays up)."""
    if "postgres" not in selected_backends(request.config.getoption("--db", default=None)):
        pytest.skip("--db sqlite: the PostgreSQL tests are not selected")
    if os.environ.get("SPYGLASS_TEST_POSTGRES_URL") or not Cluster().available:
        pytest.skip("needs initdb on this machine: the test stops and restarts its own server")
    cluster = Cluster().start()
    yield cluster
    cluster.stop()


def test_ingestion_answers_503_while_the_database_restarts(tmp_path: Path, own_cluster: Cluster) -> None:
    server = ServerProcess(tmp_path / "server", env={"SPYGLASS_DATABASE_URL": own_cluster.new_database()}).start()
    try:
        envelopes = workload(3)
        with server.client() as client:
            send(client, envelopes[:8])
            own_cluster.pause()
            try:
                during = client.post("/api/public/ingestion", json={"batch": envelopes[8:]})
                assert during.status_code == 503, during.text
                assert during.headers["Retry-After"] == "2"
                listing = client.get("/api/public/traces")
                assert listing.status_code == 503 and "unavailable" in listing.json()["message"]
            finally:
                own_cluster.resume()
            send(client, envelopes[8:])  # the client's retry
            traces = client.get("/api/public/traces", params={"limit": 10}).json()
            assert traces["meta"]["totalItems"] == 3
            detail = client.get("/api/public/traces/trace-1").json()
            assert {o["id"] for o in detail["observations"]} == {"gen-1", "span-1", "event-1"}
    finally:
        server.stop()
