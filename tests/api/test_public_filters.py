"""The structured `filter` parameter (and the other Langfuse query parameters) of the v1 list reads: traces,
observations and scores answer only what matches, and a filter that is not understood is a 400 naming it."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.anyio

NOW = "2026-11-27T12:00:00.000000Z"


def _event(kind: str, body: dict[str, Any], n: int) -> dict[str, Any]:
    return {"id": f"ev-{kind}-{n}", "type": kind, "timestamp": NOW, "body": body}


async def _seed(client: httpx.AsyncClient) -> None:
    batch = [
        _event("trace-create", {"id": "t-a", "name": "chat", "userId": "alice", "sessionId": "s-1",
                                "timestamp": "2026-11-27T10:00:00Z", "tags": ["prod", "critical"],
                                "metadata": {"tier": "enterprise", "seats": 30, "beta": True}, "release": "r1",
                                "public": True}, 1),
        _event("trace-create", {"id": "t-b", "name": "batch-job", "userId": "bob", "timestamp": "2026-11-27T11:00:00Z",
                                "tags": ["dev"], "metadata": {"tier": "free", "seats": 1}, "release": "r2"}, 2),
        _event("generation-create", {"id": "g-a", "traceId": "t-a", "name": "llm", "model": "gpt-4o",
                                     "startTime": "2026-11-27T10:00:00Z", "endTime": "2026-11-27T10:00:02Z",
                                     "usage": {"input": 100, "output": 20}, "metadata": {"step": "answer"}}, 3),
        _event("span-create", {"id": "sp-b", "traceId": "t-b", "name": "load", "level": "ERROR",
                               "startTime": "2026-11-27T11:00:00Z", "endTime": "2026-11-27T11:00:00.5Z"}, 4),
        _event("score-create", {"id": "sc-1", "traceId": "t-a", "name": "quality", "value": 0.9,
                                "metadata": {"reviewer": "ann"}}, 5),
        _event("score-create", {"id": "sc-2", "traceId": "t-a", "name": "category", "value": "relevant",
                                "dataType": "CATEGORICAL"}, 6),
        _event("score-create", {"id": "sc-3", "traceId": "t-b", "name": "ok", "value": 0, "dataType": "BOOLEAN"}, 7),
        _event("score-create", {"id": "sc-4", "traceId": "t-b", "name": "quality", "value": 0.2}, 8),
    ]  # fmt: skip
    response = await client.post("/api/public/ingestion", json={"batch": batch})
    assert response.status_code == 207, response.text
    assert response.json()["errors"] == []


async def _ids(client: httpx.AsyncClient, path: str, conditions: list[dict[str, Any]] | None, **params: Any) -> Any:
    if conditions is not None:
        params["filter"] = json.dumps(conditions)
    response = await client.get(path, params=params)
    assert response.status_code == 200, response.text
    return sorted(item["id"] for item in response.json()["data"])


def _c(kind: str, column: str, operator: str, value: Any = None, **extra: Any) -> dict[str, Any]:
    return {"type": kind, "column": column, "operator": operator, "value": value, **extra}


@pytest.mark.parametrize(
    ("conditions", "expected"),
    [
        ([_c("string", "userId", "=", "alice")], ["t-a"]),
        ([_c("string", "userId", "=", "nobody")], []),
        ([_c("string", "name", "starts with", "batch")], ["t-b"]),
        ([_c("stringOptions", "release", "none of", ["r1"])], ["t-b"]),
        ([_c("datetime", "timestamp", ">=", "2026-11-27T10:30:00Z")], ["t-b"]),
        ([_c("arrayOptions", "tags", "all of", ["prod", "critical"])], ["t-a"]),
        ([_c("arrayOptions", "tags", "any of", ["dev", "nope"])], ["t-b"]),
        ([_c("arrayOptions", "tags", "none of", ["dev"])], ["t-a"]),
        ([_c("stringObject", "metadata", "=", "enterprise", key="tier")], ["t-a"]),
        ([_c("numberObject", "metadata", ">", 10, key="seats")], ["t-a"]),
        ([_c("stringObject", "metadata", "=", "30", key="seats")], ["t-a"]),
        ([_c("stringObject", "metadata", "=", "true", key="beta")], ["t-a"]),
        ([_c("stringObject", "metadata", "does not contain", "enter", key="tier")], ["t-b"]),
        ([_c("string", "id", "ends with", "-b")], ["t-b"]),
        ([_c("string", "name", "contains", "CHAT")], []),  # case-sensitive, as Langfuse
        ([_c("string", "name", "contains", "atch_j")], []),  # _ and % are not wildcards
        ([_c("string", "name", "does not contain", "a")], []),
        ([_c("stringObject", "metadata", "ends with", "prise", key="tier")], ["t-a"]),
        ([_c("stringObject", "metadata", "starts with", "fr", key="tier")], ["t-b"]),
        ([_c("stringObject", "metadata", "starts with", "", key="tier")], ["t-a", "t-b"]),
        ([_c("number", "latency", ">", 1)], ["t-a"]),
        ([_c("categoryOptions", "metadata", "any of", ["free"], key="tier")], ["t-b"]),
        ([_c("number", "totalTokens", ">=", 100)], ["t-a"]),
        ([_c("string", "level", "=", "ERROR")], ["t-b"]),
        ([_c("null", "sessionId", "is null", "")], ["t-b"]),
        ([_c("numberObject", "scores_avg", ">", 0.5, key="quality")], ["t-a"]),
        ([_c("categoryOptions", "score_categories", "any of", ["relevant"], key="category")], ["t-a"]),
        ([_c("booleanObject", "score_booleans", "=", False, key="ok")], ["t-b"]),
        ([_c("string", "userId", "=", "alice"), _c("string", "name", "=", "batch-job")], []),
    ],
)
async def test_trace_filter(app_client: httpx.AsyncClient, conditions: list[Any], expected: list[str]) -> None:
    await _seed(app_client)
    assert await _ids(app_client, "/api/public/traces", conditions) == expected


async def test_filter_takes_precedence_over_a_query_parameter_on_its_column(app_client: httpx.AsyncClient) -> None:
    await _seed(app_client)
    everyone = [_c("stringOptions", "userId", "any of", ["alice", "bob"])]
    assert await _ids(app_client, "/api/public/traces", everyone, userId="bob") == ["t-a", "t-b"]
    assert await _ids(app_client, "/api/public/traces", everyone, name="chat") == ["t-a"]  # other columns: both
    generations = [_c("string", "type", "=", "GENERATION")]
    assert await _ids(app_client, "/api/public/observations", generations, type="SPAN") == ["g-a"]
    assert await _ids(app_client, "/api/public/v2/observations", generations, type="SPAN") == ["g-a"]
    low = [_c("number", "value", "<", 0.5)]
    assert await _ids(app_client, "/api/public/scores", low, name="quality") == ["sc-4"]
    assert await _ids(app_client, "/api/public/scores", low, operator=">", value=0.5) == ["sc-3", "sc-4"]


async def test_observation_and_score_filters(app_client: httpx.AsyncClient) -> None:
    await _seed(app_client)
    obs = "/api/public/observations"
    assert await _ids(app_client, obs, [_c("string", "type", "=", "GENERATION")]) == ["g-a"]
    assert await _ids(app_client, obs, [_c("number", "latency", ">", 1)]) == ["g-a"]
    assert await _ids(app_client, obs, [_c("string", "userId", "=", "bob")]) == ["sp-b"]
    assert await _ids(app_client, obs, [_c("arrayOptions", "traceTags", "any of", ["prod"])]) == ["g-a"]
    assert await _ids(app_client, obs, [_c("stringObject", "metadata", "contains", "answ", key="step")]) == ["g-a"]
    v2 = "/api/public/v2/observations"
    assert await _ids(app_client, v2, [_c("string", "userId", "=", "bob")]) == ["sp-b"]
    scores = "/api/public/scores"
    assert await _ids(app_client, scores, [_c("number", "value", "<", 0.5)]) == ["sc-3", "sc-4"]
    assert await _ids(app_client, scores, [_c("stringObject", "metadata", "=", "ann", key="reviewer")]) == ["sc-1"]
    assert await _ids(app_client, scores, [_c("string", "dataType", "=", "CATEGORICAL")]) == ["sc-2"]
    assert await _ids(app_client, "/api/public/v2/scores", [_c("string", "userId", "=", "alice")]) == ["sc-1", "sc-2"]


async def test_score_query_parameters(app_client: httpx.AsyncClient) -> None:
    await _seed(app_client)
    scores = "/api/public/v2/scores"
    assert await _ids(app_client, scores, None, operator=">", value=0.5) == ["sc-1"]
    assert await _ids(app_client, scores, None, name="quality", operator="<=", value=0.5) == ["sc-4"]
    assert await _ids(app_client, scores, None, traceTags=["prod", "critical"]) == ["sc-1", "sc-2"]
    assert await _ids(app_client, scores, None, queueId="q-1") == []
    assert await _ids(app_client, scores, None, configId="none") == []


@pytest.mark.parametrize(("order", "expected"), [("public.desc", ["t-a", "t-b"]), ("public.asc", ["t-b", "t-a"])])
async def test_traces_order_by_public(app_client: httpx.AsyncClient, order: str, expected: list[str]) -> None:
    await _seed(app_client)
    response = await app_client.get("/api/public/traces", params={"orderBy": order})
    assert [t["id"] for t in response.json()["data"]] == expected


async def test_trace_field_groups(app_client: httpx.AsyncClient) -> None:
    await _seed(app_client)
    response = await app_client.get("/api/public/traces/t-a", params={"fields": "core,scores"})
    trace = response.json()
    assert (trace["input"], trace["output"], trace["metadata"]) == (None, None, {})
    assert trace["observations"] == [] and len(trace["scores"]) == 2
    assert (trace["latency"], trace["totalCost"]) == (-1, -1)
    listed = (await app_client.get("/api/public/traces", params={"fields": "core"})).json()["data"]
    assert all(t["observations"] == [] and t["scores"] == [] for t in listed)


@pytest.mark.parametrize(
    ("path", "params", "names"),
    [
        ("/api/public/traces", {"filter": "not json"}, "not valid JSON"),
        ("/api/public/traces", {"filter": '{"a": 1}'}, "JSON array"),
        ("/api/public/traces", {"filter": "[1]"}, "filter[0]"),
        ("/api/public/traces", {"filter": json.dumps([_c("string", "nope", "=", "x")])}, "'nope'"),
        ("/api/public/traces", {"filter": json.dumps([_c("strng", "name", "=", "x")])}, "'strng'"),
        ("/api/public/traces", {"filter": json.dumps([_c("string", "name", "~", "x")])}, "'~'"),
        ("/api/public/traces", {"filter": json.dumps([_c("string", "name", "=", {"a": 1})])}, "string"),
        ("/api/public/traces", {"filter": json.dumps([_c("string", "name", "=", ["x"])])}, "string"),
        ("/api/public/traces", {"filter": json.dumps([_c("number", "totalCost", ">", 10**30)])}, "out of range"),
        ("/api/public/traces", {"filter": json.dumps([_c("number", "totalCost", ">", "1")])}, "number"),
        ("/api/public/traces", {"filter": json.dumps([_c("datetime", "timestamp", ">", "yesterday")])}, "ISO-8601"),
        ("/api/public/traces", {"filter": json.dumps([_c("number", "name", "=", 1)])}, "takes type"),
        ("/api/public/traces", {"filter": json.dumps([_c("stringObject", "metadata", "=", "x")])}, "key"),
        ("/api/public/traces", {"fields": "core,bogus"}, "bogus"),
        ("/api/public/traces", {"orderBy": "nope.asc"}, "orderBy"),
        ("/api/public/observations", {"filter": json.dumps([_c("string", "nope", "=", "x")])}, "'nope'"),
        ("/api/public/scores", {"filter": json.dumps([_c("boolean", "value", "=", True)])}, "takes type"),
        ("/api/public/scores", {"operator": ">"}, "operator and value"),
        ("/api/public/scores", {"operator": "~", "value": 1}, "operator"),
        ("/api/public/scores", {"value": "abc", "operator": "="}, "value"),
        ("/api/public/scores", {"fields": "everything"}, "everything"),
        ("/api/public/scores", {"dataType": "FUZZY"}, "dataType"),
    ],
)
async def test_not_understood_is_400(app_client: httpx.AsyncClient, path: str, params: Any, names: str) -> None:
    response = await app_client.get(path, params=params)
    assert response.status_code == 400, response.text
    assert names in response.json()["message"]
