"""`/api/public/models` and `/api/public/metrics/*` through the in-process app over a real SQLite file."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.anyio


def _generation(event_id: str, obs_id: str, trace_id: str, **body: Any) -> dict[str, Any]:
    return {"id": event_id, "type": "generation-create", "timestamp": "2026-11-20T10:00:00.000Z",
            "body": {"id": obs_id, "traceId": trace_id, "startTime": "2026-11-20T10:00:00.000Z", **body}}  # fmt: skip


async def _ingest(client: httpx.AsyncClient, *events: dict[str, Any]) -> None:
    response = await client.post("/api/public/ingestion", json={"batch": list(events)})
    assert response.status_code == 207, response.text
    assert response.json()["errors"] == []
    await client.app.state.ctx.pipeline.flush()  # type: ignore[attr-defined]


async def test_create_get_list_and_delete_a_project_model(app_client: httpx.AsyncClient) -> None:
    created = await app_client.post("/api/public/models", json={
        "modelName": "my-llm", "matchPattern": "(?i)^my-llm$", "unit": "TOKENS", "inputPrice": 0.001,
        "outputPrice": 0.002, "startDate": "2026-01-01T00:00:00Z", "tokenizerId": "openai",
        "tokenizerConfig": {"tokenizerModel": "gpt-4o"},
    })  # fmt: skip
    assert created.status_code == 200, created.text
    model = created.json()
    assert model["modelName"] == "my-llm"
    assert model["isLangfuseManaged"] is False
    assert model["inputPrice"] == 0.001 and model["outputPrice"] == 0.002 and model["totalPrice"] is None
    assert model["prices"] == {"input": {"price": 0.001}, "output": {"price": 0.002}}
    assert model["startDate"] == "2026-01-01T00:00:00.000000Z"
    assert model["pricingTiers"][0]["isDefault"] is True
    fetched = (await app_client.get(f"/api/public/models/{model['id']}")).json()
    assert fetched == model
    listed = (await app_client.get("/api/public/models", params={"limit": 1000})).json()
    assert listed["data"][0]["id"] == model["id"]  # the project's own come first
    assert {"builtin-gpt-4o", "builtin-ollama-local"} <= {m["id"] for m in listed["data"]}
    assert listed["meta"]["totalItems"] == len(listed["data"])
    builtin = (await app_client.get("/api/public/models/builtin-gpt-4o")).json()
    assert builtin["isLangfuseManaged"] is True
    assert builtin["priceSource"].startswith("https://") and builtin["priceDate"]
    deleted = await app_client.delete(f"/api/public/models/{model['id']}")
    assert deleted.status_code == 200
    assert (await app_client.get(f"/api/public/models/{model['id']}")).status_code == 404
    assert (await app_client.delete(f"/api/public/models/{model['id']}")).status_code == 404


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"matchPattern": "x"}, "modelName is required"),
        ({"modelName": "m"}, "matchPattern is required"),
        ({"modelName": "m", "matchPattern": "(unclosed"}, "not a valid regular expression"),
        ({"modelName": "m", "matchPattern": "m", "inputPrice": -1}, "non-negative"),
        ({"modelName": "m", "matchPattern": "m", "inputPrice": "cheap"}, "inputPrice"),
        ({"modelName": "m", "matchPattern": "m", "totalPrice": 1, "inputPrice": 1}, "totalPrice cannot be set"),
        ({"modelName": "m", "matchPattern": "m", "unit": "BANANAS"}, "unit must be one of"),
        ({"modelName": "m", "matchPattern": "m", "startDate": "yesterday"}, "startDate is not an ISO-8601"),
        ({"modelName": "m", "matchPattern": "m", "tokenizerId": "sentencepiece"}, "tokenizerId must be one of"),
        (
            {
                "modelName": "m",
                "matchPattern": "m",
                "pricingTiers": [{"name": "a", "priority": 1, "prices": {"input": 1}, "conditions": []}],
            },
            "exactly one tier",
        ),
    ],
)
async def test_bad_model_definitions_get_a_400_naming_the_field(
    app_client: httpx.AsyncClient, body: dict[str, Any], message: str
) -> None:
    response = await app_client.post("/api/public/models", json=body)
    assert response.status_code == 400
    assert message in response.json()["message"]


async def test_builtin_definitions_cannot_be_deleted(app_client: httpx.AsyncClient) -> None:
    response = await app_client.delete("/api/public/models/builtin-gpt-4o")
    assert response.status_code == 409
    assert "built-in" in response.json()["message"]


async def test_a_new_definition_prices_generations_written_after_it(app_client: httpx.AsyncClient) -> None:
    await _ingest(app_client, _generation("e1", "before", "t-new-def", model="acme-7", usageDetails={"input": 10}))
    response = await app_client.post("/api/public/models", json={
        "modelName": "acme", "matchPattern": "^acme-", "pricingTiers": [
            {"name": "Standard", "isDefault": True, "priority": 0, "conditions": [], "prices": {"input": 0.5}},
            {"name": "Bulk", "priority": 1, "prices": {"input": 0.25},
             "conditions": [{"usageDetailPattern": "input", "operator": "gte", "value": 100}]},
        ],
    })  # fmt: skip
    assert response.status_code == 200, response.text
    await _ingest(
        app_client,
        _generation("e2", "after", "t-new-def", model="ACME-7", usageDetails={"input": 10}),
        _generation("e3", "bulk", "t-new-def", model="acme-7", usageDetails={"input": 100}),
    )
    trace = (await app_client.get("/api/public/traces/t-new-def")).json()
    costs = {o["id"]: o["costDetails"] for o in trace["observations"]}
    assert costs == {"before": {}, "after": {"input": 5.0, "total": 5.0}, "bulk": {"input": 25.0, "total": 25.0}}
    assert trace["totalCost"] == 30.0


async def test_daily_metrics_and_cost_rollups_add_up(app_client: httpx.AsyncClient) -> None:
    trace = {"id": "e0", "type": "trace-create", "timestamp": "2026-11-20T10:00:00.000Z",
             "body": {"id": "t-day", "name": "chat", "userId": "u-day", "sessionId": "s-day",
                      "timestamp": "2026-11-20T10:00:00.000Z", "tags": ["a"]}}  # fmt: skip
    other = {"id": "e9", "type": "trace-create", "timestamp": "2026-11-21T10:00:00.000Z",
             "body": {"id": "t-day-2", "name": "other", "userId": "u-day",
                      "timestamp": "2026-11-21T10:00:00.000Z"}}  # fmt: skip
    await _ingest(
        app_client, trace, other,
        # gpt-4o: 1000 x $2.50/M + 100 x $10/M = 0.0035
        _generation("e1", "g1", "t-day", model="gpt-4o", usageDetails={"input": 1000, "output": 100}),
        # explicit cost kept
        _generation("e2", "g2", "t-day", model="gpt-4o", usageDetails={"input": 1}, costDetails={"input": 1.5}),
        # llama3.1:8b is local: zero
        _generation("e3", "g3", "t-day-2", model="llama3.1:8b", usageDetails={"input": 7, "output": 3}),
    )  # fmt: skip
    daily = await app_client.get("/api/public/metrics/daily", params={"userId": "u-day"})
    assert daily.status_code == 200
    body = daily.json()
    assert body["meta"]["totalItems"] == 2
    newest, oldest = body["data"]
    assert newest["date"] == "2026-11-21" and newest["countTraces"] == 1 and newest["totalCost"] == 0.0
    assert newest["usage"] == [{"model": "llama3.1:8b", "inputUsage": 7, "outputUsage": 3, "totalUsage": 10,
                                "countTraces": 1, "countObservations": 1, "totalCost": 0.0}]  # fmt: skip
    assert oldest["date"] == "2026-11-20"
    assert oldest["countTraces"] == 1 and oldest["countObservations"] == 2
    assert oldest["totalCost"] == pytest.approx(0.0035 + 1.5)
    gpt4o = {"model": "gpt-4o", "inputUsage": 1001, "outputUsage": 100, "totalUsage": 1101, "countTraces": 1,
             "countObservations": 2, "totalCost": pytest.approx(1.5035)}  # fmt: skip
    assert oldest["usage"] == [gpt4o]
    filtered = (await app_client.get("/api/public/metrics/daily", params={"traceName": "chat", "tags": "a"})).json()
    assert [d["date"] for d in filtered["data"]] == ["2026-11-20"]
    params = {"userId": "u-day", "fromTimestamp": "2026-11-21T00:00:00Z", "toTimestamp": "2026-11-22T00:00:00Z"}
    window = (await app_client.get("/api/public/metrics/daily", params=params)).json()
    assert [d["date"] for d in window["data"]] == ["2026-11-21"]

    by_model = (await app_client.get("/api/public/metrics/costs", params={"groupBy": "model"})).json()["data"]
    assert [(r["key"], r["countObservations"]) for r in by_model] == [("gpt-4o", 2), ("llama3.1:8b", 1)]
    by_user = (await app_client.get("/api/public/metrics/costs", params={"groupBy": "userId"})).json()["data"]
    assert by_user[0]["key"] == "u-day" and by_user[0]["totalCost"] == pytest.approx(1.5035)
    assert by_user[0]["totalTokens"] == 1101 + 10
    by_session = (await app_client.get("/api/public/metrics/costs", params={"groupBy": "session"})).json()["data"]
    assert {r["key"]: r["countTraces"] for r in by_session} == {"s-day": 1, None: 1}
    by_name = (await app_client.get("/api/public/metrics/costs", params={"groupBy": "traceName"})).json()["data"]
    assert {r["key"] for r in by_name} == {"chat", "other"}
    by_day = (await app_client.get("/api/public/metrics/costs", params={"groupBy": "day"})).json()["data"]
    assert [r["key"] for r in by_day] == ["2026-11-20", "2026-11-21"]


async def test_bad_metrics_parameters_get_a_400(app_client: httpx.AsyncClient) -> None:
    response = await app_client.get("/api/public/metrics/costs", params={"groupBy": "planet"})
    assert response.status_code == 400 and "groupBy" in response.json()["message"]
    response = await app_client.get("/api/public/metrics/daily", params={"fromTimestamp": "soon"})
    assert response.status_code == 400 and "fromTimestamp" in response.json()["message"]


def _update(event_id: str, obs_id: str, ts: str, **body: Any) -> dict[str, Any]:
    return {"id": event_id, "type": "generation-update", "timestamp": ts, "body": {"id": obs_id, **body}}


async def test_a_usage_update_recomputes_a_computed_cost_but_never_a_client_cost(app_client: httpx.AsyncClient) -> None:
    await _ingest(
        app_client,
        _generation("c1", "computed", "t-upd", model="gpt-4o", usageDetails={"input": 1000}),
        _generation("c2", "client", "t-upd", model="gpt-4o", usageDetails={"input": 1000}, costDetails={"input": 9.0}),
    )
    await _ingest(
        app_client,
        _update("u1", "computed", "2026-11-20T10:00:01.000Z", usageDetails={"input": 2000, "output": 100}),
        _update("u2", "client", "2026-11-20T10:00:01.000Z", usageDetails={"input": 2000, "output": 100}),
    )
    trace = (await app_client.get("/api/public/traces/t-upd")).json()
    costs = {o["id"]: o["costDetails"] for o in trace["observations"]}
    # 2000 x $2.50 + 100 x $10 per 1M tokens; the client's $9 stays
    assert costs == {
        "computed": {"input": 0.005, "output": 0.001, "total": 0.006},
        "client": {"input": 9.0, "total": 9.0},
    }
    assert trace["totalCost"] == pytest.approx(9.006)
