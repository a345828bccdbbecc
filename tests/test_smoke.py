from __future__ import annotations

import httpx
import pytest

from tests.support.payloads import body


@pytest.mark.anyio
async def test_fixture_batch_lands_and_reads_back(app_client: httpx.AsyncClient) -> None:
    response = await app_client.post(
        "/api/public/ingestion", json=body("2.60.10", "002-ingestion-trace-generation-span-event")
    )
    assert response.status_code == 207
    assert response.json()["errors"] == []
    trace = (await app_client.get("/api/public/traces/cd3d630c-27fa-4f47-b759-00fb1766da69")).json()
    assert trace["name"] == "chat"
    assert trace["userId"] == "user-1"
