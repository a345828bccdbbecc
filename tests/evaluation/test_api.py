"""Score configs, annotation queues and comments over HTTP, in-process over a real store; every 400 they answer."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from spyglass.accounts import create_user
from spyglass.domain.score_configs import ConfigDataType, ScoreConfig
from spyglass.store.base import Store

pytestmark = pytest.mark.anyio


async def ok(response: httpx.Response) -> Any:
    assert response.status_code == 200, response.text
    return response.json()


async def bad(response: httpx.Response, *words: str) -> None:
    assert response.status_code == 400, response.text
    message = response.json()["message"]
    for word in words:
        assert word in message, message


async def a_trace(client: httpx.AsyncClient, **body: Any) -> str:
    trace_id = str(uuid.uuid4())
    batch = [{"id": str(uuid.uuid4()), "type": "trace-create", "timestamp": "2026-12-01T10:00:00Z",
              "body": {"id": trace_id, "name": "t", **body}}]  # fmt: skip
    response = await client.post("/api/public/ingestion", json={"batch": batch})
    assert response.status_code == 207 and not response.json()["errors"], response.text
    return trace_id


async def config(client: httpx.AsyncClient, **body: Any) -> dict[str, Any]:
    result: dict[str, Any] = await ok(await client.post("/api/public/score-configs", json=body))
    return result


async def post_score(client: httpx.AsyncClient, trace_id: str, **body: Any) -> httpx.Response:
    return await client.post("/api/public/scores", json={"traceId": trace_id, **body})


def score_item(trace_id: str, **body: Any) -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "type": "score-create", "timestamp": "2026-12-01T10:00:01Z",
            "body": {"id": str(uuid.uuid4()), "traceId": trace_id, **body}}  # fmt: skip


# --- score configs ---


async def test_configs_are_created_listed_read_and_archived(app_client: httpx.AsyncClient) -> None:
    numeric = await config(app_client, name="accuracy", dataType="NUMERIC", minValue=0, maxValue=1,
                           description="share of correct facts")  # fmt: skip
    boolean = await config(app_client, name="is_helpful", dataType="BOOLEAN")
    categorical = await config(app_client, name="tone", dataType="CATEGORICAL",
                               categories=[{"label": "rude", "value": 0}, {"label": "polite", "value": 1}])  # fmt: skip
    assert (numeric["minValue"], numeric["maxValue"], numeric["isArchived"]) == (0, 1, False)
    assert boolean["categories"] == [{"label": "True", "value": 1}, {"label": "False", "value": 0}]
    assert categorical["categories"][1] == {"label": "polite", "value": 1}
    listed = await ok(await app_client.get("/api/public/score-configs", params={"limit": 2}))
    assert listed["meta"] == {"page": 1, "limit": 2, "totalItems": 3, "totalPages": 2}
    assert [c["name"] for c in listed["data"]] == ["tone", "is_helpful"]
    got = await ok(await app_client.get(f"/api/public/score-configs/{numeric['id']}"))
    assert got == numeric
    archived = await ok(await app_client.patch(f"/api/public/score-configs/{numeric['id']}", json={"isArchived": True}))
    assert archived["isArchived"] is True and archived["name"] == "accuracy"
    assert (await app_client.get("/api/public/score-configs/nope")).status_code == 404
    assert (await app_client.patch("/api/public/score-configs/nope", json={"isArchived": True})).status_code == 404


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"dataType": "NUMERIC"}, ["name"]),
        ({"name": "x" * 36, "dataType": "NUMERIC"}, ["name", "35"]),
        ({"name": "bad/name", "dataType": "NUMERIC"}, ["name"]),
        ({"name": "a"}, ["dataType"]),
        ({"name": "a", "dataType": "TEXT"}, ["dataType"]),
        ({"name": "a", "dataType": "NUMERIC", "minValue": 2, "maxValue": 1}, ["minValue"]),
        ({"name": "a", "dataType": "NUMERIC", "minValue": "low"}, ["minValue"]),
        ({"name": "a", "dataType": "NUMERIC", "categories": [{"label": "x", "value": 1}]}, ["categories"]),
        ({"name": "a", "dataType": "CATEGORICAL"}, ["categories"]),
        ({"name": "a", "dataType": "CATEGORICAL", "categories": [{"label": "x"}]}, ["categories[0].value"]),
        ({"name": "a", "dataType": "CATEGORICAL", "categories": [{"label": "x", "value": 1},
                                                                 {"label": "x", "value": 2}]}, ["unique"]),
        ({"name": "a", "dataType": "CATEGORICAL", "categories": [{"label": "x", "value": 1}], "maxValue": 3},
         ["maxValue"]),
        ({"name": "a", "dataType": "BOOLEAN", "categories": [{"label": "x", "value": 1}]}, ["BOOLEAN"]),
    ],
)  # fmt: skip
async def test_a_bad_config_is_a_400_naming_the_field(
    app_client: httpx.AsyncClient, body: dict[str, Any], words: list[str]
) -> None:
    await bad(await app_client.post("/api/public/score-configs", json=body), *words)


async def test_a_bad_config_update_is_a_400(app_client: httpx.AsyncClient) -> None:
    numeric = await config(app_client, name="accuracy", dataType="NUMERIC", minValue=0)
    url = f"/api/public/score-configs/{numeric['id']}"
    await bad(await app_client.patch(url, json={"isArchived": "yes"}), "isArchived")
    await bad(await app_client.patch(url, json={"maxValue": -1}), "minValue")
    await bad(await app_client.patch(url, json={"dataType": "BOOLEAN"}), "dataType")
    await bad(await app_client.patch(url, json=[1]), "object")


# --- scores validated against their config ---


async def test_scores_with_a_config_are_checked_in_the_ingestion_batch(app_client: httpx.AsyncClient) -> None:
    trace_id = await a_trace(app_client)
    numeric = await config(app_client, name="accuracy", dataType="NUMERIC", minValue=0, maxValue=1)
    tone = await config(app_client, name="tone", dataType="CATEGORICAL",
                        categories=[{"label": "rude", "value": 0}, {"label": "polite", "value": 1}])  # fmt: skip
    flag = await config(app_client, name="is_helpful", dataType="BOOLEAN")
    items = [
        score_item(trace_id, name="accuracy", value=0.5, configId=numeric["id"]),
        score_item(trace_id, name="accuracy", value=1.5, configId=numeric["id"]),
        score_item(trace_id, name="tone", value="polite", configId=tone["id"]),
        score_item(trace_id, name="tone", value="shouty", configId=tone["id"]),
        score_item(trace_id, name="is_helpful", value=1, configId=flag["id"]),
        score_item(trace_id, name="is_helpful", value=0.5, configId=flag["id"]),
        score_item(trace_id, name="accuracy", value=0.5, dataType="CATEGORICAL", configId=numeric["id"]),
        score_item(trace_id, name="accuracy", value=0.5, configId="no-such-config"),
    ]
    answer = (await app_client.post("/api/public/ingestion", json={"batch": items})).json()
    assert {s["id"] for s in answer["successes"]} == {items[i]["id"] for i in (0, 2, 4)}
    errors = {e["id"]: e["message"] for e in answer["errors"]}
    assert all(e["status"] == 400 for e in answer["errors"])
    assert "above maxValue 1" in errors[items[1]["id"]]
    assert "'shouty' is not a category" in errors[items[3]["id"]]
    assert "0 or 1" in errors[items[5]["id"]]
    assert "dataType CATEGORICAL does not match" in errors[items[6]["id"]]
    assert "'no-such-config' is not a score config" in errors[items[7]["id"]]
    scores = (await app_client.get("/api/public/scores", params={"traceId": trace_id})).json()["data"]
    by_name = {s["name"]: s for s in scores}
    assert (by_name["tone"]["value"], by_name["tone"]["stringValue"], by_name["tone"]["dataType"]) == (
        1, "polite", "CATEGORICAL")  # fmt: skip
    assert by_name["tone"]["configId"] == tone["id"]
    assert (by_name["is_helpful"]["dataType"], by_name["is_helpful"]["stringValue"]) == ("BOOLEAN", "True")
    assert by_name["accuracy"]["value"] == 0.5


async def test_scores_api_checks_configs_and_an_archived_config_takes_no_scores(app_client: httpx.AsyncClient) -> None:
    trace_id = await a_trace(app_client)
    numeric = await config(app_client, name="accuracy", dataType="NUMERIC", maxValue=10)
    created = await app_client.post("/api/public/scores", json={"traceId": trace_id, "name": "anything", "value": 3,
                                                               "configId": numeric["id"]})  # fmt: skip
    assert created.status_code == 200, created.text
    stored = (await app_client.get(f"/api/public/scores/{created.json()['id']}")).json()
    assert stored["name"] == "accuracy"  # the config's name wins, as in Langfuse
    too_big = await post_score(app_client, trace_id, name="accuracy", value=11, configId=numeric["id"])
    await bad(too_big, "above maxValue 10")
    await app_client.patch(f"/api/public/score-configs/{numeric['id']}", json={"isArchived": True})
    await bad(await post_score(app_client, trace_id, name="accuracy", value=1, configId=numeric["id"]), "archived")
    many = await app_client.post("/api/public/scores", json=[
        {"traceId": trace_id, "name": "plain", "value": 1},
        {"traceId": trace_id, "name": "accuracy", "value": 1, "configId": numeric["id"]},
    ])  # fmt: skip
    assert many.status_code == 207
    assert many.json()["accepted"] == 1 and "scores[1]" in many.json()["errors"][0]["message"]


async def test_a_config_from_another_project_is_unknown(app_client: httpx.AsyncClient) -> None:
    trace_id = await a_trace(app_client)
    store: Store = app_client.app.state.ctx.store  # type: ignore[attr-defined]
    other = await store.create_project("other")
    now = (await store.list_projects())[0].created_at
    await store.evaluation.save_score_config(ScoreConfig("foreign", other.id, "accuracy", ConfigDataType.NUMERIC,
                                                         now, now))  # fmt: skip
    foreign = await post_score(app_client, trace_id, name="accuracy", value=1, configId="foreign")
    await bad(foreign, "not a score config")
    assert (await app_client.get("/api/public/score-configs/foreign")).status_code == 404


# --- annotation queues ---


async def test_queue_items_status_assignments_and_scores_by_queue(app_client: httpx.AsyncClient) -> None:
    trace_id = await a_trace(app_client, sessionId="s-1")
    numeric = await config(app_client, name="accuracy", dataType="NUMERIC")
    queue = await ok(await app_client.post("/api/public/annotation-queues", json={
        "name": "review", "description": "weekly review", "scoreConfigIds": [numeric["id"]]}))  # fmt: skip
    assert (queue["name"], queue["description"], queue["scoreConfigIds"]) == ("review", "weekly review",
                                                                              [numeric["id"]])  # fmt: skip
    assert (await ok(await app_client.get(f"/api/public/annotation-queues/{queue['id']}")))["id"] == queue["id"]
    listed = await ok(await app_client.get("/api/public/annotation-queues"))
    assert [q["id"] for q in listed["data"]] == [queue["id"]]
    items_url = f"/api/public/annotation-queues/{queue['id']}/items"
    first = await ok(await app_client.post(items_url, json={"objectId": trace_id, "objectType": "TRACE"}))
    second = await ok(await app_client.post(items_url, json={"objectId": "s-1", "objectType": "SESSION",
                                                             "status": "COMPLETED"}))  # fmt: skip
    assert (first["status"], first["completedAt"], first["queueId"]) == ("PENDING", None, queue["id"])
    assert second["status"] == "COMPLETED" and second["completedAt"]
    pending = await ok(await app_client.get(items_url, params={"status": "PENDING"}))
    assert [i["id"] for i in pending["data"]] == [first["id"]]
    done = await ok(await app_client.patch(f"{items_url}/{first['id']}", json={"status": "COMPLETED"}))
    assert done["status"] == "COMPLETED" and done["completedAt"]
    assert (await ok(await app_client.get(f"{items_url}/{first['id']}")))["status"] == "COMPLETED"
    deleted = await ok(await app_client.delete(f"{items_url}/{second['id']}"))
    assert deleted["success"] is True
    assert (await app_client.get(f"{items_url}/{second['id']}")).status_code == 404
    # scores made in the queue carry its id and are found by it
    made = await post_score(app_client, trace_id, name="accuracy", value=0.3, configId=numeric["id"],
                            queueId=queue["id"])  # fmt: skip
    await app_client.post("/api/public/scores", json={"traceId": trace_id, "name": "other", "value": 1})
    in_queue = (await app_client.get("/api/public/scores", params={"queueId": queue["id"]})).json()["data"]
    assert [s["id"] for s in in_queue] == [made.json()["id"]]
    assert in_queue[0]["queueId"] == queue["id"]
    v3 = (await app_client.get("/api/public/v3/scores", params={"queueId": queue["id"],
                                                                "fields": "annotation"})).json()["data"]  # fmt: skip
    assert [(s["id"], s["queueId"]) for s in v3] == [(made.json()["id"], queue["id"])]


async def test_assignments_need_a_known_user(app_client: httpx.AsyncClient) -> None:
    store: Store = app_client.app.state.ctx.store  # type: ignore[attr-defined]
    project = (await store.list_projects())[0].id
    user = await create_user(store, "ann@example.com", "correct horse battery")
    queue = await ok(await app_client.post("/api/public/annotation-queues", json={"name": "q", "scoreConfigIds": []}))
    url = f"/api/public/annotation-queues/{queue['id']}/assignments"
    made = await ok(await app_client.post(url, json={"userId": user.id}))
    assert made == {"userId": user.id, "queueId": queue["id"], "projectId": project}
    assert await store.evaluation.list_queue_assignments(project, queue["id"]) == [user.id]
    assert (await ok(await app_client.request("DELETE", url, json={"userId": user.id}))) == {"success": True}
    assert await store.evaluation.list_queue_assignments(project, queue["id"]) == []
    await bad(await app_client.post(url, json={"userId": "ghost"}), "ghost")
    await bad(await app_client.post(url, json={}), "userId")
    missing = await app_client.post("/api/public/annotation-queues/nope/assignments", json={"userId": user.id})
    assert missing.status_code == 404


async def test_queue_400s_name_the_problem(app_client: httpx.AsyncClient) -> None:
    queues = "/api/public/annotation-queues"
    await bad(await app_client.post(queues, json={"scoreConfigIds": []}), "name")
    await bad(await app_client.post(queues, json={"name": "q", "scoreConfigIds": "x"}), "scoreConfigIds")
    await bad(await app_client.post(queues, json={"name": "q", "scoreConfigIds": ["nope"]}), "'nope'")
    await ok(await app_client.post(queues, json={"name": "q", "scoreConfigIds": []}))
    assert (await app_client.post(queues, json={"name": "q", "scoreConfigIds": []})).status_code == 409
    queue = (await app_client.get(queues)).json()["data"][0]
    items = f"{queues}/{queue['id']}/items"
    await bad(await app_client.post(items, json={"objectId": "x", "objectType": "DATASET"}), "objectType")
    await bad(await app_client.post(items, json={"objectType": "TRACE"}), "objectId")
    await bad(await app_client.post(items, json={"objectId": "nope", "objectType": "TRACE"}), "no trace 'nope'")
    await bad(await app_client.post(items, json={"objectId": "nope", "objectType": "OBSERVATION"}), "observation")
    await bad(await app_client.post(items, json={"objectId": "nope", "objectType": "SESSION"}), "session")
    await bad(await app_client.get(items, params={"status": "DONE"}), "status")
    trace_id = await a_trace(app_client)
    item = await ok(await app_client.post(items, json={"objectId": trace_id, "objectType": "trace"}))
    await bad(await app_client.post(items, json={"objectId": trace_id, "objectType": "TRACE", "status": "x"}), "status")
    await bad(await app_client.patch(f"{items}/{item['id']}", json={"status": "DONE"}), "status")
    assert (await app_client.post(f"{queues}/nope/items", json={"objectId": trace_id,
                                                               "objectType": "TRACE"})).status_code == 404  # fmt: skip
    assert (await app_client.get(f"{queues}/nope/items")).status_code == 404
    assert (await app_client.patch(f"{items}/nope", json={"status": "COMPLETED"})).status_code == 404
    assert (await app_client.delete(f"{items}/nope")).status_code == 404


# --- comments ---


async def test_comments_on_each_object_type(app_client: httpx.AsyncClient) -> None:
    trace_id = await a_trace(app_client, sessionId="s-9")
    obs_id = str(uuid.uuid4())
    batch = [{"id": str(uuid.uuid4()), "type": "span-create", "timestamp": "2026-12-01T10:00:00Z",
              "body": {"id": obs_id, "traceId": trace_id, "name": "step"}}]  # fmt: skip
    await app_client.post("/api/public/ingestion", json={"batch": batch})
    prompt = (await app_client.post("/api/public/v2/prompts", json={"name": "p", "prompt": "hi"})).json()
    made = []
    targets = (("TRACE", trace_id), ("OBSERVATION", obs_id), ("SESSION", "s-9"), ("PROMPT", prompt["id"]))
    for kind, object_id in targets:
        body = {"objectType": kind, "objectId": object_id, "content": f"<b>on {kind}</b>", "authorUserId": "u-1"}
        answer = await ok(await app_client.post("/api/public/comments", json=body))
        made.append(answer["id"])
    got = await ok(await app_client.get(f"/api/public/comments/{made[0]}"))
    assert (got["objectType"], got["objectId"], got["content"], got["authorUserId"]) == (
        "TRACE", trace_id, "<b>on TRACE</b>", "u-1")  # fmt: skip
    assert got["createdAt"] and got["projectId"]
    on_obs = await ok(await app_client.get("/api/public/comments", params={"objectType": "OBSERVATION",
                                                                           "objectId": obs_id}))  # fmt: skip
    assert [c["id"] for c in on_obs["data"]] == [made[1]]
    everything = await ok(await app_client.get("/api/public/comments", params={"authorUserId": "u-1"}))
    assert [c["id"] for c in everything["data"]] == made
    assert everything["meta"]["totalItems"] == 4
    assert (await app_client.get("/api/public/comments/nope")).status_code == 404


async def test_comment_400s_name_the_problem(app_client: httpx.AsyncClient) -> None:
    trace_id = await a_trace(app_client)
    url = "/api/public/comments"
    await bad(await app_client.post(url, json={"objectType": "TRACE", "objectId": "nope", "content": "x"}),
              "no trace 'nope'")  # fmt: skip
    await bad(await app_client.post(url, json={"objectType": "PROMPT", "objectId": "nope", "content": "x"}), "prompt")
    await bad(await app_client.post(url, json={"objectType": "DATASET", "objectId": trace_id, "content": "x"}),
              "objectType")  # fmt: skip
    await bad(await app_client.post(url, json={"objectType": "TRACE", "objectId": trace_id, "content": ""}), "content")
    await bad(await app_client.post(url, json={"objectType": "TRACE", "objectId": trace_id, "content": "x" * 5001}),
              "5000")  # fmt: skip
    await bad(await app_client.post(url, json={"objectType": "TRACE", "content": "x"}), "objectId")
    await bad(await app_client.post(url, json={"objectType": "TRACE", "objectId": trace_id, "content": "x",
                                               "projectId": "elsewhere"}), "projectId")  # fmt: skip
    await bad(await app_client.post(url, json={"objectType": "TRACE", "objectId": trace_id, "content": "x",
                                               "authorUserId": 7}), "authorUserId")  # fmt: skip
    await bad(await app_client.get(url, params={"objectType": "DATASET"}), "objectType")
    await bad(await app_client.get(url, params={"objectId": trace_id}), "objectType")
