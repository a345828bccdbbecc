"""An item the store itself refuses (after every check passed) costs only that item: the request's other items are
committed and the answer is the usual 207 / partial_success, never a 500 (ingest/pipeline.py, `per_event`).

No valid input makes the real stores refuse a write any more, so the refusal is injected: the real SQLite store,
wrapped to refuse any write that holds one poisoned id.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any

import httpx
import orjson
import pytest

from spyglass.app import create_app
from spyglass.config import Settings
from spyglass.domain.events import Event
from spyglass.projects import bootstrap
from spyglass.store.base import Store
from tests.support.server import PUBLIC_KEY, SECRET_KEY

pytestmark = pytest.mark.anyio

POISON = "dead00000000beef"  # a valid OTLP span id too


class _Refusing:
    """The real store, except that a write holding an event for POISON fails as a broken store would."""

    def __init__(self, store: Store) -> None:
        self._store = store

    async def write(self, events: Sequence[Event]) -> Any:
        if any(e.id == POISON for e in events):
            raise RuntimeError("the store refused this write")
        return await self._store.write(events)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


@pytest.fixture
async def refusing_client(settings: Settings, store: Store) -> AsyncIterator[httpx.AsyncClient]:
    await bootstrap(store, settings)
    app = create_app(settings, _Refusing(store))  # type: ignore[arg-type]
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=transport, base_url="http://spyglass.test", auth=(PUBLIC_KEY, SECRET_KEY)
        ) as client,
    ):
        yield client


async def test_a_batch_item_the_store_refuses_is_that_items_error(refusing_client: httpx.AsyncClient) -> None:
    batch = [
        {"id": "e1", "type": "trace-create", "timestamp": "2026-11-27T10:00:00Z", "body": {"id": "kept-1"}},
        {"id": "e2", "type": "trace-create", "timestamp": "2026-11-27T10:00:00Z", "body": {"id": POISON}},
        {"id": "e3", "type": "span-create", "timestamp": "2026-11-27T10:00:00Z",
         "body": {"id": "span-1", "traceId": "kept-1", "name": "kept"}},
    ]  # fmt: skip
    response = await refusing_client.post("/api/public/ingestion", json={"batch": batch})
    assert response.status_code == 207, response.text
    assert {s["id"] for s in response.json()["successes"]} == {"e1", "e3"}
    assert [(e["id"], e["status"]) for e in response.json()["errors"]] == [("e2", 400)]
    detail = (await refusing_client.get("/api/public/traces/kept-1")).json()
    assert [o["name"] for o in detail["observations"]] == ["kept"]


async def test_an_otlp_span_the_store_refuses_is_rejected_alone(refusing_client: httpx.AsyncClient) -> None:
    trace_id = "0af7651916cd43dd8448eb211c80319c"
    spans = [
        {"traceId": trace_id, "spanId": span_id, "name": name, "startTimeUnixNano": "1764237600000000000",
         "endTimeUnixNano": "1764237601000000000"}
        for span_id, name in (("b7ad6b7169203331", "kept"), (POISON, "refused"), ("c7ad6b7169203331", "also kept"))
    ]  # fmt: skip
    payload = {"resourceSpans": [{"scopeSpans": [{"spans": spans}]}]}
    response = await refusing_client.post("/api/public/otel/v1/traces", content=orjson.dumps(payload),
                                          headers={"content-type": "application/json"})  # fmt: skip
    assert response.status_code == 200, response.text
    partial = response.json()["partialSuccess"]
    assert partial["rejectedSpans"] == 1 and POISON in partial["errorMessage"]
    detail = (await refusing_client.get(f"/api/public/traces/{trace_id}")).json()
    assert sorted(o["name"] for o in detail["observations"]) == ["also kept", "kept"]


async def test_a_score_the_store_refuses_is_that_scores_error(refusing_client: httpx.AsyncClient) -> None:
    scores = [{"id": sid, "traceId": "t-scored", "name": "quality", "value": 1} for sid in ("s-1", POISON, "s-3")]
    response = await refusing_client.post("/api/public/scores", json=scores)
    assert response.status_code == 207, response.text
    assert response.json()["accepted"] == 2 and response.json()["errors"][0]["message"].startswith("scores[1]:")
    kept = (await refusing_client.get("/api/public/scores", params={"traceId": "t-scored"})).json()["data"]
    assert sorted(s["id"] for s in kept) == ["s-1", "s-3"]
