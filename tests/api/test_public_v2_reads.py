"""`GET /api/public/v2/observations` and `GET /api/public/v3/scores`: cursor paging, field groups, filters, 400s."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tests.support.payloads import body, raw_body

pytestmark = pytest.mark.anyio

TRACE = "ca264a8b615f4c4ba18dae6f899cce17"


async def _seed(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/public/otel/v1/traces", content=raw_body("5.0.4", "002-otlp-trace-spans-generation"),
        headers={"Content-Type": "application/x-protobuf"},
    )  # fmt: skip
    assert response.status_code == 200
    response = await client.post("/api/public/scores", json=body("5.0.4", "003-scores-batch"))
    assert response.status_code == 202, response.text
    assert response.json() == {"message": "Accepted"}


async def _get(client: httpx.AsyncClient, path: str, **params: Any) -> dict[str, Any]:
    response = await client.get(path, params=params)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def test_default_groups_are_core_and_basic(app_client: httpx.AsyncClient) -> None:
    await _seed(app_client)
    page = await _get(app_client, "/api/public/v2/observations", traceId=TRACE)
    assert len(page["data"]) == 6
    assert "cursor" not in page["meta"]
    gen = next(o for o in page["data"] if o["name"] == "llm-call")
    assert set(gen) == {
        "id", "traceId", "startTime", "endTime", "projectId", "parentObservationId", "type", "name", "level",
        "statusMessage", "version", "environment", "bookmarked", "public", "userId", "sessionId", "isRootObservation",
        "modelId", "inputPrice", "outputPrice", "totalPrice",
    }  # fmt: skip
    assert (gen["userId"], gen["sessionId"], gen["public"], gen["isRootObservation"]) == (
        "user-1",
        "sess-1",
        True,
        False,
    )
    starts = [o["startTime"] for o in page["data"]]
    assert starts == sorted(starts, reverse=True)


async def test_field_groups(app_client: httpx.AsyncClient) -> None:
    await _seed(app_client)
    page = await _get(app_client, "/api/public/v2/observations", traceId=TRACE, type="GENERATION",
                      fields="io,model,usage,prompt,metrics,trace_context,metadata,time")  # fmt: skip
    [gen] = page["data"]
    assert json.loads(gen["input"]) == [{"role": "user", "content": "hi"}]  # raw string, as Langfuse v2
    assert gen["model"] == "gpt-4o-mini"
    assert gen["modelParameters"] == {"temperature": 0.2, "max_tokens": 100}
    assert gen["usageDetails"] == {"input": 10, "output": 5, "total": 15}
    assert gen["totalCost"] == 0.0003
    assert gen["latency"] > 0
    assert (gen["traceName"], gen["tags"], gen["release"]) == ("chat-trace", ["seed", "v5"], "rel-1.0")
    assert "name" not in gen  # basic was not asked for
    assert gen["metadata"]["scope"]["name"] == "langfuse-sdk"


async def test_cursor_pages_through_everything_once(app_client: httpx.AsyncClient) -> None:
    await _seed(app_client)
    seen: list[str] = []
    cursor = None
    for _ in range(10):
        params: dict[str, Any] = {"limit": 4}
        if cursor:
            params["cursor"] = cursor
        page = await _get(app_client, "/api/public/v2/observations", **params)
        seen += [o["id"] for o in page["data"]]
        cursor = page["meta"].get("cursor")
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 6


async def test_filters(app_client: httpx.AsyncClient) -> None:
    await _seed(app_client)
    roots = await _get(app_client, "/api/public/v2/observations", isRootObservation="true")
    assert [o["name"] for o in roots["data"]] == ["chat"]
    errors = await _get(app_client, "/api/public/v2/observations", level="ERROR")
    assert [o["name"] for o in errors["data"]] == ["tool-call"]
    structured = json.dumps([
        {"type": "stringOptions", "column": "type", "operator": "any of", "value": ["TOOL", "EVENT"]},
        {"type": "arrayOptions", "column": "tags", "operator": "all of", "value": ["seed", "v5"]},
    ])  # fmt: skip
    page = await _get(app_client, "/api/public/v2/observations", filter=structured)
    assert sorted(o["name"] for o in page["data"]) == ["search-tool", "user-feedback-clicked"]
    by_meta = json.dumps([{"type": "stringObject", "column": "metadata", "key": "btn", "operator": "=",
                           "value": "thumbs"}])  # fmt: skip
    page = await _get(app_client, "/api/public/v2/observations", filter=by_meta)
    assert [o["name"] for o in page["data"]] == ["user-feedback-clicked"]


@pytest.mark.parametrize(
    "params",
    [{"fields": "core,nope"}, {"limit": 1001}, {"cursor": "!!"}, {"parseIoAsJson": "true"}, {"type": "BANANA"},
     {"filter": "[1]"}, {"filter": '[{"type": "string", "column": "nope", "operator": "=", "value": 1}]'}],
)  # fmt: skip
async def test_bad_parameters_are_400(app_client: httpx.AsyncClient, params: dict[str, Any]) -> None:
    response = await app_client.get("/api/public/v2/observations", params=params)
    assert response.status_code == 400, response.text
    assert response.json()["message"]


async def test_scores_v3(app_client: httpx.AsyncClient) -> None:
    await _seed(app_client)
    scores = body("5.0.4", "003-scores-batch")
    page = await _get(app_client, "/api/public/v3/scores", fields="details,subject,annotation")
    assert len(page["data"]) == len(scores)
    by_id = {s["id"]: s for s in page["data"]}
    for sent in scores:
        got = by_id[sent["id"]]
        assert got["name"] == sent["name"]
        if got["dataType"] == "BOOLEAN":
            assert got["value"] is bool(sent["value"])
        elif got["dataType"] == "NUMERIC":
            assert got["value"] == float(sent["value"])
        else:
            assert got["value"] == sent["value"]
        subject = got["subject"]
        if sent.get("observationId"):
            assert subject == {"kind": "observation", "id": sent["observationId"], "traceId": sent["traceId"]}
        elif sent.get("traceId"):
            assert subject == {"kind": "trace", "id": sent["traceId"]}
        elif sent.get("sessionId"):
            assert subject == {"kind": "session", "id": sent["sessionId"]}
        assert got["comment"] == sent.get("comment")
    one_per_page = await _get(app_client, "/api/public/v3/scores", limit=1)
    assert len(one_per_page["data"]) == 1 and "cursor" in one_per_page["meta"]
    assert set(one_per_page["data"][0]) == {"id", "projectId", "name", "value", "dataType", "source", "timestamp",
                                            "environment", "createdAt", "updatedAt"}  # fmt: skip
    second = await _get(app_client, "/api/public/v3/scores", limit=1, cursor=one_per_page["meta"]["cursor"])
    assert second["data"][0]["id"] != one_per_page["data"][0]["id"]


@pytest.mark.parametrize(
    "params",
    [{"limit": 101}, {"fields": "nope"}, {"observationId": "x"}, {"sessionId": "s", "traceId": "t"},
     {"value": "1"}, {"valueMin": 1}, {"dataType": "NOPE"}],
)  # fmt: skip
async def test_scores_v3_bad_parameters_are_400(app_client: httpx.AsyncClient, params: dict[str, Any]) -> None:
    response = await app_client.get("/api/public/v3/scores", params=params)
    assert response.status_code == 400, response.text


async def test_5x_experiment_scores_and_a_rejected_score(app_client: httpx.AsyncClient) -> None:
    response = await app_client.post("/api/public/scores", json=body("5.0.4", "016-scores-experiment"))
    assert (response.status_code, response.json()) == (202, {"message": "Accepted"})
    page = await _get(app_client, "/api/public/v3/scores", experimentId="368988edcd221c1d", fields="subject")
    assert [(s["name"], s["value"], s["subject"]) for s in page["data"]] == [
        ("avg", 1.0, {"kind": "experiment", "id": "368988edcd221c1d"})
    ]
    mixed = [
        {"id": "ok-1", "traceId": TRACE, "name": "fine", "value": 1},
        {"id": "bad-1", "name": "no-target", "value": 1},
    ]
    response = await app_client.post("/api/public/scores", json=mixed)
    assert response.status_code == 207
    result = response.json()
    assert (result["accepted"], result["rejected"]) == (1, 1)
    assert "target" in result["errors"][0]["message"]
