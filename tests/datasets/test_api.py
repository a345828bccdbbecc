"""Datasets, items, runs and run items through the public API (in-process app over a real SQLite file; re-run on
PostgreSQL by tests/postgres/test_suite_datasets_test_api.py)."""

from __future__ import annotations

import copy
import json
from typing import Any

import httpx
import pytest

from tests.support.payloads import capture

pytestmark = pytest.mark.anyio


async def _dataset(client: httpx.AsyncClient, name: str = "qa", **extra: Any) -> dict[str, Any]:
    response = await client.post("/api/public/v2/datasets", json={"name": name, **extra})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def _item(client: httpx.AsyncClient, dataset: str = "qa", **fields: Any) -> dict[str, Any]:
    response = await client.post("/api/public/dataset-items", json={"datasetName": dataset, **fields})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_create_get_and_list_datasets(app_client: httpx.AsyncClient) -> None:
    created = await _dataset(app_client, "folder/qa set", description="d", metadata={"a": 1})
    assert created["name"] == "folder/qa set"
    assert (created["description"], created["metadata"], created["inputSchema"]) == ("d", {"a": 1}, None)
    # 2.x sends '/' raw, 5.x as %2F: both find it.
    for path in ("/api/public/v2/datasets/folder/qa%20set", "/api/public/v2/datasets/folder%2Fqa%20set"):
        got = await app_client.get(path)
        assert got.status_code == 200, path
        assert got.json()["id"] == created["id"]
    # Creating again with the same name updates what is given and keeps the rest.
    again = await _dataset(app_client, "folder/qa set", description="new")
    assert (again["id"], again["description"], again["metadata"]) == (created["id"], "new", {"a": 1})
    await _dataset(app_client, "other")
    listed = (await app_client.get("/api/public/v2/datasets", params={"limit": 1})).json()
    assert listed["meta"] == {"page": 1, "limit": 1, "totalItems": 2, "totalPages": 2}
    missing = await app_client.get("/api/public/v2/datasets/nope")
    assert missing.status_code == 404
    assert "nope" in missing.json()["message"]


async def test_items_upsert_list_filter_archive_and_delete(app_client: httpx.AsyncClient) -> None:
    await _dataset(app_client)
    first = await _item(app_client, input={"q": "2+2"}, expectedOutput="4", metadata={"m": 1}, sourceTraceId="t-1")
    assert first["status"] == "ACTIVE"
    assert first["mediaReferences"] == []  # the 5.x SDK fails to parse an item without it
    assert (first["datasetName"], first["input"], first["expectedOutput"]) == ("qa", {"q": "2+2"}, "4")
    second = await _item(app_client, id="item-2", input="hello", sourceObservationId="o-1")
    # Upsert by id: only the fields sent change (explicit nulls count as not sent, as the SDKs send them).
    archived = await _item(app_client, id="item-2", status="ARCHIVED", input=None, expectedOutput="hi")
    assert (archived["status"], archived["input"], archived["expectedOutput"]) == ("ARCHIVED", "hello", "hi")
    assert archived["createdAt"] == second["createdAt"]

    listed = (await app_client.get("/api/public/dataset-items", params={"datasetName": "qa"})).json()
    assert [i["id"] for i in listed["data"]] == ["item-2", first["id"]]
    assert listed["meta"]["totalItems"] == 2
    by_trace = (await app_client.get("/api/public/dataset-items", params={"sourceTraceId": "t-1"})).json()
    assert [i["id"] for i in by_trace["data"]] == [first["id"]]
    by_observation = (await app_client.get("/api/public/dataset-items", params={"sourceObservationId": "o-1"})).json()
    assert [i["id"] for i in by_observation["data"]] == ["item-2"]
    got = await app_client.get("/api/public/dataset-items/item-2")
    assert got.json()["status"] == "ARCHIVED"

    deleted = await app_client.delete("/api/public/dataset-items/item-2")
    assert deleted.status_code == 200
    assert (await app_client.get("/api/public/dataset-items/item-2")).status_code == 404
    assert (await app_client.delete("/api/public/dataset-items/item-2")).status_code == 404


async def test_versions_read_the_dataset_as_it_was(app_client: httpx.AsyncClient) -> None:
    await _dataset(app_client)
    one = await _item(app_client, id="a", input="v1")
    after_one = one["version"]
    await _item(app_client, id="a", input="v2")
    two = await _item(app_client, id="b", input="b1")
    after_two = two["version"]
    await app_client.delete("/api/public/dataset-items/b")

    async def at(version: str) -> list[tuple[str, Any]]:
        response = await app_client.get("/api/public/dataset-items", params={"datasetName": "qa", "version": version})
        assert response.status_code == 200, response.text
        return sorted((i["id"], i["input"]) for i in response.json()["data"])

    assert await at(after_one) == [("a", "v1")]
    assert await at(after_two) == [("a", "v2"), ("b", "b1")]
    assert await at("2999-01-01T00:00:00Z") == [("a", "v2")]
    assert await at("2000-01-01T00:00:00Z") == []


async def test_runs_run_items_and_run_scores(app_client: httpx.AsyncClient) -> None:
    dataset = await _dataset(app_client, "eval/set")
    a = await _item(app_client, "eval/set", id="a", input="x")
    b = await _item(app_client, "eval/set", id="b", input="y")
    linked = []
    for item, trace in ((a, "trace-a"), (b, "trace-b")):
        response = await app_client.post("/api/public/dataset-run-items", json={
            "runName": "run/1", "runDescription": "first", "metadata": {"model": "m"}, "datasetItemId": item["id"],
            "traceId": trace, "observationId": None,
        })  # fmt: skip
        assert response.status_code == 200, response.text
        linked.append(response.json())
    run_id = linked[0]["datasetRunId"]
    assert {r["datasetRunId"] for r in linked} == {run_id}
    assert linked[0]["datasetRunName"] == "run/1"
    # Linking the same item and trace again is the same run item.
    again = await app_client.post("/api/public/dataset-run-items", json={
        "runName": "run/1", "datasetItemId": "a", "traceId": "trace-a", "observationId": "obs-a"})  # fmt: skip
    assert (again.json()["id"], again.json()["observationId"]) == (linked[0]["id"], "obs-a")

    score = await app_client.post("/api/public/scores", json={"datasetRunId": run_id, "name": "avg", "value": 0.5})
    assert score.status_code == 200, score.text

    runs = (await app_client.get("/api/public/datasets/eval/set/runs")).json()
    assert [(r["name"], r["description"], r["metadata"], r["datasetId"]) for r in runs["data"]] == [
        ("run/1", "first", {"model": "m"}, dataset["id"])
    ]
    run = await app_client.get("/api/public/datasets/eval%2Fset/runs/run%2F1")
    assert run.status_code == 200, run.text
    assert sorted((i["datasetItemId"], i["traceId"]) for i in run.json()["datasetRunItems"]) == [
        ("a", "trace-a"), ("b", "trace-b")]  # fmt: skip
    listed = await app_client.get(
        "/api/public/dataset-run-items", params={"datasetId": dataset["id"], "runName": "run/1"}
    )
    assert listed.json()["meta"]["totalItems"] == 2
    scores = (await app_client.get("/api/public/v3/scores", params={"experimentId": run_id})).json()
    assert [s["name"] for s in scores["data"]] == ["avg"]

    deleted = await app_client.delete("/api/public/datasets/eval%2Fset/runs/run%2F1")
    assert deleted.status_code == 200
    assert (await app_client.get("/api/public/datasets/eval%2Fset/runs/run%2F1")).status_code == 404


@pytest.mark.parametrize(
    ("path", "body", "needle"),
    [
        ("/api/public/v2/datasets", {"description": "no name"}, "name is required"),
        ("/api/public/v2/datasets", {"name": ""}, "name must not be empty"),
        ("/api/public/v2/datasets", {"name": 5}, "name must be a string"),
        ("/api/public/v2/datasets", {"name": "x", "inputSchema": "nope"}, "inputSchema"),
        ("/api/public/v2/datasets", [1], "JSON object"),
        ("/api/public/datasets", {"name": "a\u0000b"}, "NUL"),
        ("/api/public/dataset-items", {"input": 1}, "datasetName is required"),
        ("/api/public/dataset-items", {"datasetName": "qa", "status": "DONE"}, "status must be ACTIVE or ARCHIVED"),
        ("/api/public/dataset-items", {"datasetName": "qa", "id": "x" * 300}, "id is 300 characters"),
        ("/api/public/dataset-run-items", {"datasetItemId": "a", "traceId": "t"}, "runName is required"),
        ("/api/public/dataset-run-items", {"runName": "r", "datasetItemId": "a"}, "traceId"),
    ],
)
async def test_bad_input_is_a_400_naming_the_problem(
    app_client: httpx.AsyncClient, path: str, body: Any, needle: str
) -> None:
    await _dataset(app_client)
    response = await app_client.post(path, json=body)
    assert response.status_code == 400, response.text
    assert needle in response.json()["message"]


async def test_missing_targets_are_404s_and_ids_do_not_move_between_datasets(app_client: httpx.AsyncClient) -> None:
    await _dataset(app_client)
    await _dataset(app_client, "other")
    await _item(app_client, id="a", input="x")
    moved = await app_client.post("/api/public/dataset-items", json={"datasetName": "other", "id": "a"})
    assert moved.status_code == 400
    assert "belongs to the dataset 'qa'" in moved.json()["message"]
    no_dataset = await app_client.post("/api/public/dataset-items", json={"datasetName": "nope", "input": 1})
    assert no_dataset.status_code == 404
    no_item = await app_client.post("/api/public/dataset-run-items", json={
        "runName": "r", "datasetItemId": "nope", "traceId": "t"})  # fmt: skip
    assert no_item.status_code == 404
    version = await app_client.get("/api/public/dataset-items", params={"version": "2026-01-01T00:00:00Z"})
    assert version.status_code == 400
    bad_time = await app_client.get("/api/public/dataset-items", params={"datasetName": "qa", "version": "soon"})
    assert bad_time.status_code == 400
    listed = await app_client.get("/api/public/dataset-run-items", params={"datasetId": "x"})
    assert listed.status_code == 400


async def _replay(client: httpx.AsyncClient, version: str, name: str, family: str = "langfuse-js") -> httpx.Response:
    request = capture(version, name, family=family)["request"]
    headers = {k: v for k, v in request["headers"].items() if k.lower().startswith("x-langfuse")}
    params = {key: values[0] for key, values in (request.get("query") or {}).items()}
    return await client.request(request["method"], request["path"], params=params, headers=headers,
                                json=request["body"] if request["body"] is not None else None)  # fmt: skip


async def test_legacy_js_sdk_dataset_calls(app_client: httpx.AsyncClient) -> None:
    version = "langfuse@3.39.2"
    created = await _replay(app_client, version, "010-create-dataset")  # the v1 path
    assert created.status_code == 200
    item = await _replay(app_client, version, "011-create-dataset-item")
    assert item.status_code == 200
    assert (await _replay(app_client, version, "012-get-dataset")).json()["name"] == "faq"
    listed = (await _replay(app_client, version, "013-list-dataset-items")).json()
    assert listed["meta"]["totalPages"] == 1
    assert listed["data"][0]["expectedOutput"] == {"a": "That."}
    # The captured link names the item id the fake server made; link the one this server made instead.
    link = capture(version, "014-create-dataset-run-item", family="langfuse-js")["request"]["body"]
    response = await app_client.post("/api/public/dataset-run-items", json={**link, "datasetItemId": item.json()["id"]})
    assert response.status_code == 200
    assert response.json()["observationId"] is None
    run = (await app_client.get("/api/public/datasets/faq/runs/run-1")).json()
    assert (run["description"], run["metadata"]) == ("first run", {"model": "gpt"})


async def test_js_5_experiment_links_through_rest_and_spans_once(app_client: httpx.AsyncClient) -> None:
    version = "@langfuse/client@5.11.1"
    for name in ("009-create-dataset", "010-create-dataset-item", "011-get-dataset", "012-list-dataset-items"):
        assert (await _replay(app_client, version, name)).status_code == 200, name
    linked = await _replay(app_client, version, "014-create-dataset-run-item-experiment")
    assert linked.status_code == 200
    assert (await _replay(app_client, version, "015-ingestion-scores-experiment")).status_code == 207
    # The SDK puts the returned run id into the spans; the fixture holds the fake server's ids: put ours in.
    dataset_id = (await app_client.get("/api/public/v2/datasets/faq")).json()["id"]
    body = json.dumps(capture("@langfuse/otel@5.11.1", "004-otlp-experiment", family="langfuse-js")["request"]["body"])
    body = body.replace("run-exp-1 - 2026-11-27T13:35:18.267Z", linked.json()["datasetRunId"]).replace(
        '"ds-faq"', json.dumps(dataset_id)
    )
    spans = await app_client.post("/api/public/otel/v1/traces", content=body,
                                  headers={"content-type": "application/json"})  # fmt: skip
    assert spans.status_code == 200
    runs = (await app_client.get("/api/public/datasets/faq/runs")).json()["data"]
    assert [r["name"] for r in runs] == ["exp-1 - 2026-11-27T13:35:18.267Z"]
    run = (await app_client.get(f"/api/public/datasets/faq/runs/{runs[0]['name']}")).json()
    assert [(i["traceId"], i["observationId"]) for i in run["datasetRunItems"]] == [
        ("80f86d71480ec55935077bfbb0436f9a", "5c12d453642267e3")]  # fmt: skip


async def test_python_5_experiment_spans_become_a_run(app_client: httpx.AsyncClient) -> None:
    """The 5.x SDK links nothing through REST: the spans' langfuse.experiment.* attributes make the run."""
    await _dataset(app_client, "ds-1")
    await _item(app_client, "ds-1", id="de02ca1f-368a-4d1a-ac8b-6f3706cb6f4d", input={"q": "2+2"}, expectedOutput="4")
    dataset_id = (await app_client.get("/api/public/v2/datasets/ds-1")).json()["id"]
    body = copy.deepcopy(capture("5.0.4", "015-otlp-dataset-experiment")["request"]["body"])
    text = json.dumps(body).replace('"ds-ds-1"', json.dumps(dataset_id))
    response = await app_client.post("/api/public/otel/v1/traces", content=text,
                                     headers={"content-type": "application/json"})  # fmt: skip
    assert response.status_code == 200
    scores = capture("5.0.4", "016-scores-experiment")["request"]["body"]
    assert (await app_client.post("/api/public/scores", json=scores)).status_code in (200, 202)

    runs = (await app_client.get("/api/public/datasets/ds-1/runs")).json()["data"]
    assert [(r["id"], r["name"]) for r in runs] == [("368988edcd221c1d", "run-1")]
    run = (await app_client.get("/api/public/datasets/ds-1/runs/run-1")).json()
    assert [(i["datasetItemId"], i["traceId"], i["observationId"]) for i in run["datasetRunItems"]] == [
        ("de02ca1f-368a-4d1a-ac8b-6f3706cb6f4d", "452593a16dad624c83c2d6957bee8f48", "9628fea8aa92ab4f")]  # fmt: skip
    run_scores = (await app_client.get("/api/public/v3/scores", params={"experimentId": "368988edcd221c1d"})).json()
    assert [s["name"] for s in run_scores["data"]] == ["avg"]
    # Sending the same spans again changes nothing.
    await app_client.post("/api/public/otel/v1/traces", content=text, headers={"content-type": "application/json"})
    again = (await app_client.get("/api/public/datasets/ds-1/runs/run-1")).json()
    assert len(again["datasetRunItems"]) == 1


async def test_doubly_encoded_names_of_the_2x_sdk_are_found(app_client: httpx.AsyncClient) -> None:
    """2.x percent-encodes a dataset name itself before httpx encodes it again: `my ds/1` arrives as `my%20ds/1`."""
    await _dataset(app_client, "my ds/1")
    await _item(app_client, "my ds/1", id="x", input=1)
    listed = await app_client.get("/api/public/dataset-items", params={"datasetName": "my%20ds/1"})
    assert [i["id"] for i in listed.json()["data"]] == ["x"]
    assert (await app_client.get("/api/public/v2/datasets/my%2520ds%2F1")).json()["name"] == "my ds/1"
    await app_client.post("/api/public/dataset-run-items", json={"runName": "r", "datasetItemId": "x", "traceId": "t"})
    run = await app_client.get("/api/public/datasets/my%2520ds%252F1/runs/r")
    assert run.status_code == 200, run.text
    assert run.json()["datasetName"] == "my ds/1"
