"""Bad input gets a clear 4xx naming the problem, never a 5xx, and nothing already accepted is lost."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from spyglass.app import create_app
from spyglass.config import Settings
from spyglass.projects import bootstrap
from spyglass.store.base import Store
from tests.support.server import PUBLIC_KEY, SECRET_KEY

pytestmark = pytest.mark.anyio


def _trace(trace_id: str, **body: Any) -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "type": "trace-create", "timestamp": "2026-11-27T10:00:00Z",
            "body": {"id": trace_id, **body}}  # fmt: skip


async def _post(client: httpx.AsyncClient, content: bytes | str, **headers: str) -> httpx.Response:
    return await client.post(
        "/api/public/ingestion", content=content, headers={"content-type": "application/json", **headers}
    )


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("{not json", "not valid JSON"),
        ("", "empty"),
        ("[]", "'batch'"),
        ('{"batch": {}}', "'batch' must be a list"),
    ],
)
async def test_malformed_bodies(app_client: httpx.AsyncClient, content: str, fragment: str) -> None:
    response = await _post(app_client, content)
    assert response.status_code == 400
    assert fragment in response.json()["message"]


async def test_bad_items_are_reported_and_good_ones_kept(app_client: httpx.AsyncClient) -> None:
    batch = [
        _trace("good-1", name="kept"),
        {"id": "bad-type", "type": "trace-explode", "timestamp": "2026-11-27T10:00:00Z", "body": {"id": "x"}},
        {"type": "trace-create", "timestamp": "2026-11-27T10:00:00Z", "body": {"id": "no-envelope-id"}},
        _trace("bad-tags", tags="not-a-list"),
        {"id": "no-body-id", "type": "span-create", "timestamp": "2026-11-27T10:00:00Z", "body": {"traceId": "t"}},
        {
            "id": "bad-time",
            "type": "span-create",
            "timestamp": "2026-11-27T10:00:00Z",
            "body": {"id": "s", "traceId": "t", "startTime": "yesterday"},
        },
        {
            "id": "bad-level",
            "type": "span-create",
            "timestamp": "2026-11-27T10:00:00Z",
            "body": {"id": "s2", "traceId": "t", "level": "LOUD"},
        },
        {
            "id": "bad-usage",
            "type": "generation-create",
            "timestamp": "2026-11-27T10:00:00Z",
            "body": {"id": "g", "traceId": "t", "usage": {"input": "many"}},
        },
        {
            "id": "bad-score",
            "type": "score-create",
            "timestamp": "2026-11-27T10:00:00Z",
            "body": {"id": "sc", "traceId": "t", "name": "q", "value": {"nested": 1}},
        },
        _trace("good-2", name="kept too"),
    ]
    response = await app_client.post("/api/public/ingestion", json={"batch": batch})
    assert response.status_code == 207
    result = response.json()
    errors = {e["id"]: e for e in result["errors"]}
    assert [s["id"] for s in result["successes"]] == [batch[0]["id"], batch[-1]["id"]]
    assert all(e["status"] == 400 for e in errors.values())
    assert "trace-explode" in errors["bad-type"]["message"]
    assert "id (the event id) is required" in errors["batch[2]"]["message"]
    assert "body.tags" in errors[batch[3]["id"]]["message"]
    assert "body.id is required" in errors["no-body-id"]["message"]
    assert "body.startTime" in errors["bad-time"]["message"]
    assert "body.level" in errors["bad-level"]["message"]
    assert "usage 'input'" in errors["bad-usage"]["message"]
    assert "body.value" in errors["bad-score"]["message"]
    for trace_id, name in (("good-1", "kept"), ("good-2", "kept too")):
        assert (await app_client.get(f"/api/public/traces/{trace_id}")).json()["name"] == name
    assert (await app_client.get("/api/public/traces/t")).status_code == 404


async def test_wrong_keys(app_client: httpx.AsyncClient) -> None:
    for auth in [("pk-lf-test", "wrong"), ("pk-unknown", "sk-lf-test")]:
        response = await app_client.get("/api/public/traces", auth=auth)
        assert response.status_code == 401
        assert "invalid API keys" in response.json()["message"]
    response = await app_client.get("/api/public/traces", headers={"authorization": "Bearer x"}, auth=None)
    assert response.status_code == 401
    assert "Basic" in response.json()["message"]
    bare = httpx.AsyncClient(transport=app_client._transport, base_url="http://spyglass.test")
    async with bare:
        assert (await bare.get("/api/public/traces")).status_code == 401
        assert (await bare.get("/api/public/health")).json()["status"] == "OK"


async def test_bad_read_parameters(app_client: httpx.AsyncClient) -> None:
    cases = [
        ("/api/public/traces?limit=0", "limit"),
        ("/api/public/traces?page=-1", "page"),
        ("/api/public/traces?fromTimestamp=noon", "fromTimestamp"),
        ("/api/public/traces?orderBy=nonsense.up", "orderBy"),
        ("/api/public/traces?page=abc", "page"),
        ("/api/public/observations?type=BANANA", "type"),
        ("/api/public/observations?level=LOUD", "level"),
    ]
    for url, name in cases:
        response = await app_client.get(url)
        assert response.status_code == 400, url
        assert name in response.json()["message"], url
    missing = await app_client.get("/api/public/traces/does-not-exist")
    assert missing.status_code == 404
    assert "does-not-exist" in missing.json()["message"]


@pytest.fixture
async def small_client(settings: Settings, store: Store) -> AsyncIterator[httpx.AsyncClient]:
    """An app with a tiny body limit, value limit and queue, to reach the limits with small requests."""
    small = Settings(
        data_dir=settings.data_dir, init_public_key=PUBLIC_KEY, init_secret_key=SECRET_KEY, max_body_bytes=20_000,
        max_value_bytes=5_000, max_queued_events=1,
    )  # fmt: skip
    await bootstrap(store, small)
    app = create_app(small, store)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://spyglass.test", auth=(PUBLIC_KEY, SECRET_KEY)
        ) as client,
    ):
        yield client


async def test_oversize_body_and_value(small_client: httpx.AsyncClient) -> None:
    big = await small_client.post("/api/public/ingestion", json={"batch": [_trace("big", input="x" * 30_000)]})
    assert big.status_code == 413
    assert "limit" in big.json()["message"]
    response = await small_client.post(
        "/api/public/ingestion", json={"batch": [_trace("fat", input="y" * 6_000), _trace("thin", name="ok")]}
    )
    result = response.json()
    assert [e["message"] for e in result["errors"]] == [
        "body.input is 6002 bytes, over the 5000-byte limit for one value"
    ]
    assert (await small_client.get("/api/public/traces/thin")).status_code == 200
    assert (await small_client.get("/api/public/traces/fat")).status_code == 404


async def test_overload_answers_503_and_loses_nothing_acknowledged(small_client: httpx.AsyncClient) -> None:
    async def send(i: int) -> tuple[str, httpx.Response]:
        trace_id = f"load-{i}"
        return trace_id, await small_client.post("/api/public/ingestion", json={"batch": [_trace(trace_id)]})

    results = await asyncio.gather(*(send(i) for i in range(40)))
    statuses = {r.status_code for _, r in results}
    assert statuses <= {207, 503}
    assert 503 in statuses, "40 concurrent requests on a queue of one event should overflow it"
    for trace_id, response in results:
        found = (await small_client.get(f"/api/public/traces/{trace_id}")).status_code
        if response.status_code == 207:
            assert found == 200
        else:
            assert response.headers["retry-after"] == "1"
            assert "retry" in response.json()["message"]
            assert found == 404
