"""`GET /api/public/metrics` and `/api/public/v2/metrics`: numbers worked out by hand from what the test sends
through the ingestion API, and the 400s that name the bad part of a query."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.anyio

WINDOW = {"fromTimestamp": "2026-03-01T00:00:00Z", "toTimestamp": "2026-03-04T00:00:00Z"}


def _event(kind: str, ident: str, body: dict[str, Any]) -> dict[str, Any]:
    return {"id": f"ev-{ident}", "type": kind, "timestamp": "2026-03-05T00:00:00Z", "body": body}


def _generation(ident: str, trace: str, model: str, start: str, end: str, tokens: tuple[int, int],
                costs: tuple[float, float]) -> dict[str, Any]:  # fmt: skip
    return _event("generation-create", ident, {
        "id": ident, "traceId": trace, "name": "llm", "model": model, "startTime": start, "endTime": end,
        "usageDetails": {"input": tokens[0], "output": tokens[1]},
        "costDetails": {"input": costs[0], "output": costs[1]},
    })  # fmt: skip


def _score(ident: str, trace: str, name: str, value: Any, data_type: str) -> dict[str, Any]:
    return _event("score-create", ident, {"id": ident, "traceId": trace, "name": name, "value": value,
                                          "dataType": data_type, "timestamp": "2026-03-02T12:00:00Z"})  # fmt: skip


BATCH = [
    _event("trace-create", "t1", {"id": "t1", "name": "chat", "userId": "u1", "sessionId": "s1", "tags": ["a"],
                                  "timestamp": "2026-03-02T10:00:00Z", "metadata": {"team": "red", "rank": 2}}),
    _event("trace-create", "t2", {"id": "t2", "name": "chat", "userId": "u1", "sessionId": "s2", "tags": ["a", "b"],
                                  "timestamp": "2026-03-02T11:30:00Z", "metadata": {"team": "blue"}}),
    _event("trace-create", "t3", {"id": "t3", "name": "search", "userId": "u2", "timestamp": "2026-03-03T09:00:00Z"}),
    _event("trace-create", "t4", {"id": "t4", "name": "search", "timestamp": "2026-03-03T09:10:00Z"}),
    _generation("g1", "t1", "gpt-x", "2026-03-02T10:00:00Z", "2026-03-02T10:00:01Z", (100, 50), (0.001, 0.002)),
    _generation("g2", "t2", "gpt-x", "2026-03-02T11:30:00Z", "2026-03-02T11:30:03Z", (200, 100), (0.004, 0.006)),
    _generation("g3", "t3", "gpt-y", "2026-03-03T09:00:00Z", "2026-03-03T09:00:02Z", (10, 5), (0.0001, 0.0002)),
    _event("span-create", "sp3", {"id": "sp3", "traceId": "t3", "name": "tool", "level": "ERROR",
                                  "startTime": "2026-03-03T09:00:00Z", "endTime": "2026-03-03T09:00:00.500Z"}),
    _score("q1", "t1", "quality", 1, "NUMERIC"),
    _score("q2", "t2", "quality", 5, "NUMERIC"),
    _score("q3", "t3", "quality", 4, "NUMERIC"),
    _score("h1", "t1", "helpful", 1, "BOOLEAN"),
    _score("h2", "t2", "helpful", 0, "BOOLEAN"),
    _score("c1", "t1", "tone", "warm", "CATEGORICAL"),
    _score("c2", "t2", "tone", "warm", "CATEGORICAL"),
    _score("c3", "t3", "tone", "cold", "CATEGORICAL"),
]  # fmt: skip


@pytest.fixture
async def client(app_client: httpx.AsyncClient) -> httpx.AsyncClient:
    response = await app_client.post("/api/public/ingestion", json={"batch": BATCH})
    assert response.status_code == 207 and not response.json()["errors"], response.text
    return app_client


async def _rows(client: httpx.AsyncClient, query: dict[str, Any], version: int = 1) -> list[dict[str, Any]]:
    path = "/api/public/metrics" if version == 1 else "/api/public/v2/metrics"
    response = await client.get(path, params={"query": json.dumps({**WINDOW, **query})})
    assert response.status_code == 200, response.text
    data: list[dict[str, Any]] = response.json()["data"]
    return data


async def test_trace_counts_by_name_and_by_day(client: httpx.AsyncClient) -> None:
    count = [{"measure": "count", "aggregation": "count"}]
    rows = await _rows(client, {"view": "traces", "metrics": count, "dimensions": [{"field": "name"}]})
    assert rows == [{"name": "chat", "count_count": 2}, {"name": "search", "count_count": 2}]
    rows = await _rows(client, {"view": "traces", "metrics": count, "timeDimension": {"granularity": "day"}})
    assert rows == [
        {"time_dimension": "2026-03-01T00:00:00Z", "count_count": 0},
        {"time_dimension": "2026-03-02T00:00:00Z", "count_count": 2},
        {"time_dimension": "2026-03-03T00:00:00Z", "count_count": 2},
    ]
    rows = await _rows(
        client,
        {
            "view": "traces",
            "metrics": count,
            "timeDimension": {"granularity": "auto"},
            "fromTimestamp": "2026-03-02T09:00:00Z",
            "toTimestamp": "2026-03-02T12:00:00Z",
        },
    )
    assert [(r["time_dimension"][11:16], r["count_count"]) for r in rows] == [
        ("09:00", 0), ("10:00", 1), ("11:00", 1)]  # 3 hours: auto picks hours  # fmt: skip


async def test_trace_latency_percentiles_and_distinct_users(client: httpx.AsyncClient) -> None:
    metrics = [{"measure": "latency", "aggregation": a} for a in ("p50", "p90", "avg", "max")]
    [row] = await _rows(client, {"view": "traces", "metrics": metrics})
    # latencies 1000, 3000 and 2000 ms; t4 has no observations, so no latency
    assert row == {"p50_latency": 2000, "p90_latency": pytest.approx(2800), "avg_latency": 2000, "max_latency": 3000}
    rows = await _rows(client, {"view": "traces", "metrics": metrics[:2], "dimensions": [{"field": "name"}],
                                "orderBy": [{"field": "name", "direction": "asc"}]})  # fmt: skip
    assert rows == [{"name": "chat", "p50_latency": 2000, "p90_latency": pytest.approx(2800)},
                    {"name": "search", "p50_latency": 2000, "p90_latency": 2000}]  # fmt: skip
    [row] = await _rows(
        client,
        {
            "view": "traces",
            "metrics": [
                {"measure": "uniqueUserIds", "aggregation": "count"},
                {"measure": "totalCost", "aggregation": "sum"},
            ],
        },
    )
    assert row == {"count_uniqueUserIds": 2, "sum_totalCost": pytest.approx(0.0133)}


async def test_observation_cost_tokens_and_latency_by_model(client: httpx.AsyncClient) -> None:
    metrics = [
        {"measure": m, "aggregation": "sum"}
        for m in ("totalCost", "inputCost", "outputCost", "inputTokens", "outputTokens")
    ]
    metrics.append({"measure": "latency", "aggregation": "p95"})
    rows = await _rows(client, {
        "view": "observations", "metrics": metrics, "dimensions": [{"field": "providedModelName"}],
        "filters": [{"column": "type", "operator": "=", "value": "GENERATION", "type": "string"}],
    })  # fmt: skip
    assert rows == [
        {"providedModelName": "gpt-x", "sum_totalCost": pytest.approx(0.013), "sum_inputCost": pytest.approx(0.005),
         "sum_outputCost": pytest.approx(0.008), "sum_inputTokens": 300, "sum_outputTokens": 150,
         "p95_latency": pytest.approx(2900)},
        {"providedModelName": "gpt-y", "sum_totalCost": pytest.approx(0.0003), "sum_inputCost": pytest.approx(0.0001),
         "sum_outputCost": pytest.approx(0.0002), "sum_inputTokens": 10, "sum_outputTokens": 5,
         "p95_latency": pytest.approx(2000)},
    ]  # fmt: skip


async def test_filters(client: httpx.AsyncClient) -> None:
    count = [{"measure": "count", "aggregation": "count"}]

    async def total(view: str, *filters: dict[str, Any]) -> Any:
        [row] = await _rows(client, {"view": view, "metrics": count, "filters": list(filters)})
        return row["count_count"]

    assert await total("traces", {"column": "tags", "operator": "any of", "value": ["b"], "type": "arrayOptions"}) == 1
    assert await total("traces", {"column": "tags", "operator": "none of", "value": ["b"], "type": "arrayOptions"}) == 3
    assert await total("traces", {"column": "userId", "operator": "is null", "value": "", "type": "null"}) == 1
    assert await total("traces", {"column": "name", "operator": "starts with", "value": "sea", "type": "string"}) == 2
    assert await total("traces", {"column": "metadata", "key": "team", "operator": "=", "value": "blue",
                                  "type": "stringObject"}) == 1  # fmt: skip
    assert await total("traces", {"column": "metadata", "key": "rank", "operator": ">=", "value": 2,
                                  "type": "numberObject"}) == 1  # fmt: skip
    assert await total("traces", {"column": "metadata", "key": "team", "operator": ">", "value": -1,
                                  "type": "numberObject"}) == 0  # text is no number  # fmt: skip
    assert await total("traces", {"column": "metadata", "key": 'a"b', "operator": "=", "value": "x",
                                  "type": "stringObject"}) == 0  # fmt: skip
    assert await total("traces", {"column": "level", "operator": "=", "value": "ERROR", "type": "string"}) == 1
    assert await total("observations", {"column": "userId", "operator": "=", "value": "u1", "type": "string"}) == 2
    assert await total("observations", {"column": "level", "operator": "any of", "value": ["ERROR"],
                                        "type": "stringOptions"}) == 1  # fmt: skip
    assert await total("observations", {"column": "startTime", "operator": ">=", "value": "2026-03-03T00:00:00Z",
                                        "type": "datetime"}) == 2  # fmt: skip


async def test_scores(client: httpx.AsyncClient) -> None:
    rows = await _rows(client, {"view": "scores-numeric", "metrics": [{"measure": "value", "aggregation": "avg"}],
                                "dimensions": [{"field": "name"}]})  # fmt: skip
    assert rows == [{"name": "quality", "avg_value": pytest.approx(10 / 3)}, {"name": "helpful", "avg_value": 0.5}]
    rows = await _rows(client, {"view": "scores-categorical", "metrics": [{"measure": "count", "aggregation": "count"}],
                                "dimensions": [{"field": "stringValue"}]})  # fmt: skip
    assert rows == [{"stringValue": "warm", "count_count": 2}, {"stringValue": "cold", "count_count": 1}]
    rows = await _rows(client, {"view": "scores-boolean", "metrics": [{"measure": "value", "aggregation": "avg"}],
                                "dimensions": [{"field": "booleanValue"}],
                                "orderBy": [{"field": "booleanValue", "direction": "asc"}]})  # fmt: skip
    assert rows == [{"booleanValue": False, "avg_value": 0}, {"booleanValue": True, "avg_value": 1}]


async def test_histograms_fit_the_data(client: httpx.AsyncClient) -> None:
    query = {"view": "scores-numeric", "metrics": [{"measure": "value", "aggregation": "histogram"}],
             "filters": [{"column": "name", "operator": "=", "value": "quality", "type": "string"}]}  # fmt: skip
    [row] = await _rows(client, query)
    # whole numbers 1..5: one bin per value, not ten bins
    assert row["histogram_value"] == [[1, 2, 1], [2, 3, 0], [3, 4, 0], [4, 5, 1], [5, 6, 1]]
    [row] = await _rows(client, {"view": "observations", "metrics": [{"measure": "latency", "aggregation": "histogram"},
                                                                     {"measure": "count", "aggregation": "count"}],
                                 "config": {"bins": 2}})  # fmt: skip
    # 500, 1000, 2000, 3000 ms in two bins from 500 to 3000
    assert row["count_count"] == 4
    assert row["histogram_latency"] == [[500, 1750, 2], [1750, 3000, 2]]


async def test_v2_has_no_traces_view_nor_high_cardinality_groups(client: httpx.AsyncClient) -> None:
    rows = await _rows(client, {"view": "observations", "metrics": [{"measure": "count", "aggregation": "count"}],
                                "dimensions": [{"field": "traceName"}]}, version=2)  # fmt: skip
    assert rows == [{"traceName": "chat", "count_count": 2}, {"traceName": "search", "count_count": 2}]
    for query, words in (
        ({"view": "traces", "metrics": [{"measure": "count", "aggregation": "count"}]}, "no traces view"),
        ({"view": "observations", "metrics": [{"measure": "count", "aggregation": "count"}],
          "dimensions": [{"field": "userId"}]}, "filter on it instead"),
    ):  # fmt: skip
        response = await client.get("/api/public/v2/metrics", params={"query": json.dumps({**WINDOW, **query})})
        assert response.status_code == 400 and words in response.json()["message"], response.text


COUNT = {"view": "traces", "metrics": [{"measure": "count", "aggregation": "count"}], **WINDOW}


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("{not json", "Invalid JSON"),
        ({**COUNT, "view": "sessions"}, "Invalid view: 'sessions'"),
        ({**COUNT, "metrics": [{"measure": "tokens", "aggregation": "sum"}]}, "Invalid metric: metrics[0].measure"),
        ({**COUNT, "metrics": [{"measure": "latency", "aggregation": "median"}]}, "Invalid aggregation"),
        ({**COUNT, "metrics": []}, "at least one"),
        ({**COUNT, "dimensions": [{"field": "model"}]}, "Invalid dimension: dimensions[0].field 'model'"),
        ({**COUNT, "timeDimension": {"granularity": "fortnight"}}, "Invalid granularity"),
        ({**COUNT, "fromTimestamp": "yesterday"}, "fromTimestamp is not an ISO-8601"),
        ({**COUNT, "toTimestamp": "2026-02-01T00:00:00Z"}, "fromTimestamp must be before toTimestamp"),
        ({"view": "traces", "metrics": COUNT["metrics"]}, "fromTimestamp is required"),
        ({**COUNT, "filters": [{"column": "nope", "operator": "=", "value": "x", "type": "string"}]},
         "Invalid filter column"),
        ({**COUNT, "filters": [{"column": "tags", "operator": "contains", "value": "x", "type": "string"}]},
         "Filter type 'string' is not supported for dimension type 'string[]'"),
        ({**COUNT, "filters": [{"column": "name", "operator": "like", "value": "x", "type": "string"}]},
         "filters[0].operator 'like'"),
        ({**COUNT, "filters": [{"column": "name", "operator": "=", "value": "a\x00b", "type": "string"}]},
         "NUL"),
        ({**COUNT, "orderBy": [{"field": "sum_count", "direction": "desc"}]}, "Invalid orderBy field"),
        ({**COUNT, "config": {"row_limit": 5000}}, "config.row_limit"),
        ({**COUNT, "config": {"bins": 0}}, "config.bins"),
    ],
)  # fmt: skip
async def test_bad_queries_get_400_naming_the_part(app_client: httpx.AsyncClient, query: Any, words: str) -> None:
    text = query if isinstance(query, str) else json.dumps(query)
    response = await app_client.get("/api/public/metrics", params={"query": text})
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "InvalidRequestError"
    assert words in response.json()["message"]


async def test_query_is_required_and_keys_are_checked(app_client: httpx.AsyncClient) -> None:
    response = await app_client.get("/api/public/metrics")
    assert response.status_code == 400 and "query is required" in response.json()["message"]
    response = await app_client.get("/api/public/v2/metrics", params={"query": json.dumps(COUNT)}, auth=("x", "y"))
    assert response.status_code == 401
