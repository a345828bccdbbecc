"""The captured 2.x-4.x ingestion requests, replayed over HTTP, give the records they describe."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.support.payloads import body

pytestmark = pytest.mark.anyio

TRACE = "cd3d630c-27fa-4f47-b759-00fb1766da69"
GEN = "060b5758-9850-4a17-9fcc-901c8b1bb7e2"


async def _ingest(client: httpx.AsyncClient, payload: Any) -> dict[str, Any]:
    response = await client.post("/api/public/ingestion", json=payload)
    assert response.status_code == 207, response.text
    result: dict[str, Any] = response.json()
    assert result["errors"] == []
    return result


async def _observations(client: httpx.AsyncClient, trace_id: str) -> dict[str, dict[str, Any]]:
    trace = (await client.get(f"/api/public/traces/{trace_id}")).json()
    return {o["name"]: o for o in trace["observations"]}


async def test_first_batch_of_the_2x_sdk(app_client: httpx.AsyncClient) -> None:
    payload = body("2.60.10", "002-ingestion-trace-generation-span-event")
    result = await _ingest(app_client, payload)
    assert [s["id"] for s in result["successes"]] == [e["id"] for e in payload["batch"]]

    trace = (await app_client.get(f"/api/public/traces/{TRACE}")).json()
    assert trace["name"] == "chat"
    assert trace["timestamp"] == "2026-11-27T12:51:01.570260Z"
    assert trace["environment"] == "dev"
    assert trace["output"] == {"answer": "hello"}  # from the second trace-create (trace.update())
    assert trace["input"] == {"q": "hi"}  # kept: the update did not send it
    assert trace["public"] is True
    assert trace["level"] == "ERROR"
    assert trace["observationCount"] == 8

    obs = await _observations(app_client, TRACE)
    assert set(obs) == {
        "llm-call", "llm-call-2", "llm-call-3", "retrieval", "nested-gen", "cache-hit", "tool-call",
        "user-feedback-clicked",
    }  # fmt: skip
    first = obs["llm-call"]
    assert first["modelParameters"] == {"temperature": "0.2", "max_tokens": 100}  # as sent, like Langfuse
    assert first["usageDetails"] == {"input": 10, "output": 5, "total": 15}
    assert first["output"] == {"role": "assistant", "content": "hello"}
    assert first["endTime"] == "2026-11-27T12:51:01.620968Z"
    second = obs["llm-call-2"]
    assert second["usageDetails"] == {"input": 100, "output": 20, "cache_read_input_tokens": 5, "total": 125}
    assert second["costDetails"] == {"input": 0.001, "output": 0.002, "total": 0.003}
    assert second["completionStartTime"] == "2026-11-27T12:51:01.621584Z"
    # a cost-like model parameter is not a cost: it stays a parameter
    assert obs["llm-call-3"]["modelParameters"] == {"input_cost_per_token": "1e-05", "temperature": "0.5"}
    # ... and the cost comes from the built-in gpt-4o price instead: 1 x $2.50/M in, 1 x $10/M out
    assert obs["llm-call-3"]["costDetails"] == {"input": 2.5e-06, "output": 1e-05, "total": 1.25e-05}
    assert obs["nested-gen"]["parentObservationId"] == obs["retrieval"]["id"]
    assert obs["nested-gen"]["usageDetails"] == {"input": 3, "output": 4, "total": 7}
    assert obs["cache-hit"]["type"] == "EVENT"
    assert obs["cache-hit"]["level"] == "DEBUG"
    assert obs["cache-hit"]["endTime"] == obs["cache-hit"]["startTime"]
    assert obs["tool-call"]["level"] == "ERROR"
    assert obs["tool-call"]["statusMessage"] == "tool exploded"
    assert obs["retrieval"]["output"] == {"docs": 3}
    assert obs["retrieval"]["metadata"] == {"index": "main"}


async def test_scores_batch(app_client: httpx.AsyncClient) -> None:
    await _ingest(app_client, body("2.60.10", "002-ingestion-trace-generation-span-event"))
    await _ingest(app_client, body("2.60.10", "003-ingestion-score-create"))
    scores = {s["name"]: s for s in (await app_client.get(f"/api/public/traces/{TRACE}")).json()["scores"]}
    assert set(scores) == {"quality", "gen-quality", "correctness", "category", "latency-ok"}
    assert scores["quality"]["value"] == 0.9
    assert scores["quality"]["comment"] == "good"
    assert scores["gen-quality"]["dataType"] == "BOOLEAN"
    assert scores["gen-quality"]["observationId"] == GEN
    assert scores["category"]["stringValue"] == "relevant"
    assert scores["category"]["dataType"] == "CATEGORICAL"
    assert scores["latency-ok"]["value"] == 0.0
    assert scores["latency-ok"]["dataType"] == "NUMERIC"


async def test_observe_decorator_batch(app_client: httpx.AsyncClient) -> None:
    await _ingest(app_client, body("2.60.10", "011-ingestion-observe-decorator"))
    trace = (await app_client.get("/api/public/traces/4e59c61d-972b-49ee-8acd-72160ce28d97")).json()
    assert trace["name"] == "decorated-root"
    assert trace["userId"] == "user-2"
    assert trace["sessionId"] == "sess-2"
    assert trace["tags"] == ["deco"]
    assert trace["output"] == "out:p"
    assert "start_time" not in (trace["metadata"] or {})  # stray snake_case keys are ignored
    obs = {o["name"]: o for o in trace["observations"]}
    assert obs["inner"]["output"] == 4
    assert obs["inner"]["metadata"] == {"inner": True}
    assert obs["fake_llm"]["model"] == "gpt-4o"
    assert obs["fake_llm"]["modelParameters"] == {"temperature": 0}
    assert [s["name"] for s in trace["scores"]] == ["deco-score"]


async def test_implicit_traces_and_prompt_link(app_client: httpx.AsyncClient) -> None:
    await _ingest(app_client, body("2.60.10", "017-ingestion-implicit-trace"))
    await _ingest(app_client, body("2.60.10", "010-ingestion-prompt-linked-generation"))
    gen_trace = (await app_client.get("/api/public/traces/dc1d6773-1413-4f4b-a4ee-49c935d250de")).json()
    assert gen_trace["name"] == "top-level-gen"
    assert sorted(o["name"] for o in gen_trace["observations"]) == ["top-level-event", "top-level-gen"]
    media = (await app_client.get("/api/public/traces/69e3bb9f-ff36-4b83-9db6-9e5acea2adea")).json()
    assert media["input"]["image"].startswith("@@@langfuseMedia:type=image/png|id=")
    linked = await _observations(app_client, "8213dc03-7972-475e-b491-aee335f975d1")
    assert linked["g"]["promptName"] == "movie-critic"
    assert linked["g"]["promptVersion"] == 2


@pytest.mark.parametrize("version", ["3.15.0", "4.18.0"])
async def test_scores_from_otel_generation_sdks(app_client: httpx.AsyncClient, version: str) -> None:
    payload = body(version, "002-ingestion-score-create")
    result = await _ingest(app_client, payload)
    assert len(result["successes"]) == len(payload["batch"])
    listed = (await app_client.get("/api/public/scores", params={"limit": 100})).json()["data"]
    sent = {e["body"]["id"]: e["body"] for e in payload["batch"]}
    stored = {s["id"]: s for s in listed}
    assert set(sent) <= set(stored)
    for score_id, score in sent.items():
        assert stored[score_id]["name"] == score["name"]
        assert stored[score_id]["traceId"] == score.get("traceId")


async def test_resending_a_batch_changes_nothing(app_client: httpx.AsyncClient) -> None:
    payload = body("2.60.10", "002-ingestion-trace-generation-span-event")
    await _ingest(app_client, payload)
    before = (await app_client.get(f"/api/public/traces/{TRACE}")).json()
    await _ingest(app_client, payload)
    await _ingest(app_client, payload)
    after = (await app_client.get(f"/api/public/traces/{TRACE}")).json()
    for record in (before, after):
        record.pop("updatedAt")
        for o in record["observations"]:
            o.pop("updatedAt")
    assert after == before


async def test_trace_list_carries_child_ids_and_filters(app_client: httpx.AsyncClient) -> None:
    await _ingest(app_client, body("2.60.10", "002-ingestion-trace-generation-span-event"))
    await _ingest(app_client, body("2.60.10", "003-ingestion-score-create"))
    await _ingest(app_client, body("2.60.10", "011-ingestion-observe-decorator"))
    listed = (await app_client.get("/api/public/traces", params={"tags": ["seed"]})).json()
    assert listed["meta"] == {"page": 1, "limit": 50, "totalItems": 1, "totalPages": 1}
    (trace,) = listed["data"]
    assert len(trace["observations"]) == 8
    assert len(trace["scores"]) == 5
    assert GEN in trace["observations"]
    by_user = (await app_client.get("/api/public/traces", params={"userId": "user-2"})).json()["data"]
    assert [t["name"] for t in by_user] == ["decorated-root"]
    oldest_first = (await app_client.get("/api/public/traces", params={"orderBy": "timestamp.asc"})).json()["data"]
    assert [t["name"] for t in oldest_first] == ["chat", "decorated-root"]
    paged = (await app_client.get("/api/public/traces", params={"limit": 1, "page": 2})).json()
    assert paged["meta"]["totalPages"] == 2
    assert [t["name"] for t in paged["data"]] == ["chat"]
    generations = await app_client.get("/api/public/observations", params={"type": "GENERATION", "traceId": TRACE})
    assert {o["name"] for o in generations.json()["data"]} == {"llm-call", "llm-call-2", "llm-call-3", "nested-gen"}


async def test_delete_trace_and_score(app_client: httpx.AsyncClient) -> None:
    await _ingest(app_client, body("2.60.10", "002-ingestion-trace-generation-span-event"))
    await _ingest(app_client, body("2.60.10", "003-ingestion-score-create"))
    score_id = "a89935c1-b713-4ffe-8e83-42f48faddef5"
    assert (await app_client.delete(f"/api/public/scores/{score_id}")).status_code == 204
    assert (await app_client.get(f"/api/public/scores/{score_id}")).status_code == 404
    deleted = await app_client.delete(f"/api/public/traces/{TRACE}")
    assert deleted.json() == {"message": "Trace deleted successfully"}
    assert (await app_client.get(f"/api/public/traces/{TRACE}")).status_code == 404
    assert (await app_client.get(f"/api/public/observations/{GEN}")).status_code == 404
    assert (await app_client.delete(f"/api/public/traces/{TRACE}")).status_code == 404


async def test_bulk_delete(app_client: httpx.AsyncClient) -> None:
    await _ingest(app_client, body("2.60.10", "017-ingestion-implicit-trace"))
    ids = ["dc1d6773-1413-4f4b-a4ee-49c935d250de", "d0b38b93-dc2f-425f-8230-03d14421e6c8", "never-existed"]
    response = await app_client.request("DELETE", "/api/public/traces", json={"traceIds": ids})
    assert response.status_code == 200
    assert response.json()["deleted"] == 2
    assert response.json()["notFound"] == ["never-existed"]
    for trace_id in ids:
        assert (await app_client.get(f"/api/public/traces/{trace_id}")).status_code == 404
    assert (await app_client.get("/api/public/traces/69e3bb9f-ff36-4b83-9db6-9e5acea2adea")).status_code == 200
    bad = await app_client.request("DELETE", "/api/public/traces", json={"traceIds": []})
    assert bad.status_code == 400
    assert "traceIds" in bad.json()["message"]
