"""Two tenants: every public API route and every UI page, called by project A with project B's ids, answers 404 or
403 (or, for lists and creates, only A's own data) and changes nothing of B's (read back through B's own key).

The routes come from the app's route table: a new route without an entry in MATRIX or NO_TENANT_DATA fails
test_every_route_has_a_matrix_entry, so whoever adds one decides how it keeps tenants apart.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx
import pytest
from fastapi import FastAPI

from spyglass.accounts import create_user
from spyglass.domain.accounts import Role
from spyglass.projects import create_key
from spyglass.store.base import Store
from tests.web.conftest import PASSWORD, csrf_of, sign_in
from tests.web.factory import trace_batch

MARK = "zq-tenant-b-private"  # in B's content (never in an id), so no echo of a requested id can look like a leak


def route_table(app: FastAPI) -> set[tuple[str, str]]:
    """(method, path template) of every route the app answers, HEAD aside."""
    found: set[tuple[str, str]] = set()
    for route in app.routes:
        contexts = route.effective_route_contexts() if hasattr(route, "effective_route_contexts") else [route]
        for ctx in contexts:
            for method in getattr(ctx, "methods", None) or ():
                if method != "HEAD":
                    found.add((method, ctx.path))
    return found


# Routes that hold no tenant data at all.
NO_TENANT_DATA = {
    ("GET", "/api/openapi.json"),
    ("GET", "/api/public/health"),
    ("GET", "/signin"),
    ("POST", "/signin"),
    ("POST", "/signout"),
}


@dataclass
class Tenants:
    a: str  # the caller's project
    b: str  # the other project
    a_api: httpx.AsyncClient
    b_api: httpx.AsyncClient
    a_web: httpx.AsyncClient  # the owner of A, with no role in B
    b_key: str
    b_model: str
    csrf: str
    ids: dict[str, str]  # B's other objects: dataset, item, run, config, queue, queue_item, comment, dashboard, ...


Case = Callable[[Tenants], Awaitable[None]]
MATRIX: dict[tuple[str, str], Case] = {}


def case(method: str, path: str) -> Callable[[Case], Case]:
    def register(fn: Case) -> Case:
        MATRIX[(method, path)] = fn
        return fn

    return register


def _no_leak(response: httpx.Response, *allowed: int) -> None:
    assert response.status_code in allowed, (response.request.url, response.status_code, response.text[:300])
    assert MARK not in response.text, (response.request.url, response.text[:300])


def _empty(response: httpx.Response) -> None:
    _no_leak(response, 200)
    assert response.json()["data"] == [], (response.request.url, response.text[:300])


# --- the public API, with A's key and B's ids ---


@case("GET", "/api/public/traces/{trace_id}")
async def _get_trace(t: Tenants) -> None:
    _no_leak(await t.a_api.get("/api/public/traces/b-trace"), 404)


@case("DELETE", "/api/public/traces/{trace_id}")
async def _delete_trace(t: Tenants) -> None:
    _no_leak(await t.a_api.delete("/api/public/traces/b-trace"), 404)


@case("DELETE", "/api/public/traces")
async def _delete_traces(t: Tenants) -> None:
    response = await t.a_api.request("DELETE", "/api/public/traces", json={"traceIds": ["b-trace"]})
    _no_leak(response, 200)
    assert response.json()["deleted"] == 0 and response.json()["notFound"] == ["b-trace"]


@case("GET", "/api/public/traces")
async def _list_traces(t: Tenants) -> None:
    for params in ({"userId": "b-user"}, {"sessionId": "b-session"}, {"name": f"{MARK}-trace"}):
        _empty(await t.a_api.get("/api/public/traces", params=params))
    everything = await t.a_api.get("/api/public/traces")
    _no_leak(everything, 200)
    assert [tr["id"] for tr in everything.json()["data"]] == ["a-trace"]


@case("GET", "/api/public/observations/{observation_id}")
async def _get_observation(t: Tenants) -> None:
    _no_leak(await t.a_api.get("/api/public/observations/b-trace-span"), 404)


@case("GET", "/api/public/observations")
async def _list_observations(t: Tenants) -> None:
    _empty(await t.a_api.get("/api/public/observations", params={"traceId": "b-trace"}))
    everything = await t.a_api.get("/api/public/observations")
    _no_leak(everything, 200)
    assert {o["traceId"] for o in everything.json()["data"]} == {"a-trace"}


@case("GET", "/api/public/v2/observations")
async def _list_observations_v2(t: Tenants) -> None:
    _empty(await t.a_api.get("/api/public/v2/observations", params={"traceId": "b-trace"}))


@case("GET", "/api/public/scores/{score_id}")
async def _get_score(t: Tenants) -> None:
    _no_leak(await t.a_api.get("/api/public/scores/b-score"), 404)


@case("GET", "/api/public/v2/scores/{score_id}")
async def _get_score_v2(t: Tenants) -> None:
    _no_leak(await t.a_api.get("/api/public/v2/scores/b-score"), 404)


@case("DELETE", "/api/public/scores/{score_id}")
async def _delete_score(t: Tenants) -> None:
    _no_leak(await t.a_api.delete("/api/public/scores/b-score"), 404)


@case("GET", "/api/public/scores")
async def _list_scores(t: Tenants) -> None:
    _empty(await t.a_api.get("/api/public/scores", params={"traceId": "b-trace"}))
    _empty(await t.a_api.get("/api/public/scores"))


@case("GET", "/api/public/v2/scores")
async def _list_scores_v2(t: Tenants) -> None:
    _empty(await t.a_api.get("/api/public/v2/scores", params={"traceId": "b-trace"}))


@case("GET", "/api/public/v3/scores")
async def _list_scores_v3(t: Tenants) -> None:
    _empty(await t.a_api.get("/api/public/v3/scores", params={"traceId": "b-trace"}))


@case("GET", "/api/public/sessions/{session_id}")
async def _get_session(t: Tenants) -> None:
    _no_leak(await t.a_api.get("/api/public/sessions/b-session"), 404)


@case("GET", "/api/public/sessions")
async def _list_sessions(t: Tenants) -> None:
    _empty(await t.a_api.get("/api/public/sessions"))


@case("GET", "/api/public/v2/prompts/{name:path}")
async def _get_prompt(t: Tenants) -> None:
    _no_leak(await t.a_api.get("/api/public/v2/prompts/b-prompt"), 404)
    _no_leak(await t.a_api.get("/api/public/v2/prompts/b-prompt", params={"label": "production"}), 404)


@case("DELETE", "/api/public/v2/prompts/{name:path}")
async def _delete_prompt(t: Tenants) -> None:
    _no_leak(await t.a_api.delete("/api/public/v2/prompts/b-prompt"), 404)


@case("PATCH", "/api/public/v2/prompts/{name:path}/versions/{version}")
async def _relabel_prompt(t: Tenants) -> None:
    response = await t.a_api.patch("/api/public/v2/prompts/b-prompt/versions/1", json={"newLabels": ["hijacked"]})
    _no_leak(response, 404)


@case("GET", "/api/public/v2/prompts/{name:path}/versions/{version}/generations")
async def _prompt_generations(t: Tenants) -> None:
    response = await t.a_api.get("/api/public/v2/prompts/b-prompt/versions/1/generations")
    _no_leak(response, 404)


@case("GET", "/api/public/v2/prompts")
async def _list_prompts(t: Tenants) -> None:
    _empty(await t.a_api.get("/api/public/v2/prompts"))


@case("GET", "/api/public/models/{model_id}")
async def _get_model(t: Tenants) -> None:
    _no_leak(await t.a_api.get(f"/api/public/models/{t.b_model}"), 404)


@case("DELETE", "/api/public/models/{model_id}")
async def _delete_model(t: Tenants) -> None:
    _no_leak(await t.a_api.delete(f"/api/public/models/{t.b_model}"), 404)


@case("GET", "/api/public/models")
async def _list_models(t: Tenants) -> None:
    response = await t.a_api.get("/api/public/models", params={"limit": 1000})
    _no_leak(response, 200)
    assert t.b_model not in {m["id"] for m in response.json()["data"]}


@case("GET", "/api/public/metrics/daily")
async def _daily(t: Tenants) -> None:
    response = await t.a_api.get("/api/public/metrics/daily")
    _no_leak(response, 200)
    assert sum(day["countTraces"] for day in response.json()["data"]) == 1  # a-trace only


@case("GET", "/api/public/metrics/costs")
async def _costs(t: Tenants) -> None:
    for group in ("session", "user", "model", "traceName", "day"):
        response = await t.a_api.get("/api/public/metrics/costs", params={"groupBy": group})
        _no_leak(response, 200)
        assert sum(row["countTraces"] for row in response.json()["data"]) == 1, group  # a-trace only


@case("GET", "/api/public/projects")
async def _projects(t: Tenants) -> None:
    response = await t.a_api.get("/api/public/projects")
    _no_leak(response, 200)
    assert [p["id"] for p in response.json()["data"]] == [t.a]


# Datasets, score configs, annotation queues, comments, media, metrics (the evaluation and dataset doors).


def _api_case(method: str, path: str, url: Callable[[Tenants], str], status: int, body: Any = None) -> None:
    """A's key on B's object (url) answers `status`; `body` (a function of the tenants) is the JSON sent."""

    async def check(t: Tenants) -> None:
        sent = body(t) if callable(body) else body
        _no_leak(await t.a_api.request(method, url(t), json=sent), status)

    MATRIX[(method, path)] = check


_QUEUE = "/api/public/annotation-queues"
_api_case("GET", _QUEUE + "/{queue_id}", lambda t: f"{_QUEUE}/{t.ids['queue']}", 404)
_api_case("GET", _QUEUE + "/{queue_id}/items", lambda t: f"{_QUEUE}/{t.ids['queue']}/items", 404)
_api_case("GET", _QUEUE + "/{queue_id}/items/{item_id}",
          lambda t: f"{_QUEUE}/{t.ids['queue']}/items/{t.ids['queue_item']}", 404)  # fmt: skip
_api_case("PATCH", _QUEUE + "/{queue_id}/items/{item_id}",
          lambda t: f"{_QUEUE}/{t.ids['queue']}/items/{t.ids['queue_item']}", 404, {"status": "COMPLETED"})  # fmt: skip
_api_case("DELETE", _QUEUE + "/{queue_id}/items/{item_id}",
          lambda t: f"{_QUEUE}/{t.ids['queue']}/items/{t.ids['queue_item']}", 404)  # fmt: skip
_api_case("POST", _QUEUE + "/{queue_id}/items", lambda t: f"{_QUEUE}/{t.ids['queue']}/items", 404,
          {"objectType": "TRACE", "objectId": "a-trace"})  # fmt: skip
_api_case("POST", _QUEUE + "/{queue_id}/assignments", lambda t: f"{_QUEUE}/{t.ids['queue']}/assignments", 404,
          lambda t: {"userId": t.ids["user"]})  # fmt: skip
_api_case("DELETE", _QUEUE + "/{queue_id}/assignments", lambda t: f"{_QUEUE}/{t.ids['queue']}/assignments", 404,
          lambda t: {"userId": t.ids["user"]})  # fmt: skip
_api_case("GET", "/api/public/comments/{comment_id}", lambda t: f"/api/public/comments/{t.ids['comment']}", 404)
_api_case("GET", "/api/public/score-configs/{config_id}", lambda t: f"/api/public/score-configs/{t.ids['config']}",
          404)  # fmt: skip
_api_case("PATCH", "/api/public/score-configs/{config_id}", lambda t: f"/api/public/score-configs/{t.ids['config']}",
          404, {"isArchived": True})  # fmt: skip
_api_case("GET", "/api/public/v2/datasets/{name:path}", lambda t: "/api/public/v2/datasets/b-dataset", 404)
_api_case("GET", "/api/public/dataset-items/{item_id}", lambda t: f"/api/public/dataset-items/{t.ids['item']}", 404)
_api_case("DELETE", "/api/public/dataset-items/{item_id}", lambda t: f"/api/public/dataset-items/{t.ids['item']}",
          404)  # fmt: skip
_api_case("DELETE", "/api/public/datasets/{rest:path}", lambda t: "/api/public/datasets/b-dataset/runs/b-run", 404)
_api_case("POST", "/api/public/dataset-run-items", lambda t: "/api/public/dataset-run-items", 404,
          lambda t: {"runName": "b-run", "datasetItemId": t.ids["item"], "traceId": "a-trace"})  # fmt: skip


@case("GET", "/api/public/annotation-queues")
async def _list_queues(t: Tenants) -> None:
    listed = await t.a_api.get(_QUEUE)
    _no_leak(listed, 200)
    assert t.ids["queue"] not in {q["id"] for q in listed.json()["data"]}


@case("POST", "/api/public/annotation-queues")
async def _create_queue(t: Tenants) -> None:
    # A queue of A's cannot be built on B's score config.
    body = {"name": "a-queue-on-b-config", "scoreConfigIds": [t.ids["config"]]}
    _no_leak(await t.a_api.post(_QUEUE, json=body), 400)


@case("GET", "/api/public/comments")
async def _list_comments(t: Tenants) -> None:
    _empty(await t.a_api.get("/api/public/comments"))
    _empty(await t.a_api.get("/api/public/comments", params={"objectType": "TRACE", "objectId": "b-trace"}))


@case("POST", "/api/public/comments")
async def _create_comment(t: Tenants) -> None:
    on_b = {"objectType": "TRACE", "objectId": "b-trace", "content": "from A"}
    _no_leak(await t.a_api.post("/api/public/comments", json=on_b), 400)  # A has no trace b-trace (yet)
    claims_b = {"projectId": t.b, "objectType": "TRACE", "objectId": "a-trace", "content": "from A"}
    _no_leak(await t.a_api.post("/api/public/comments", json=claims_b), 400)


@case("GET", "/api/public/score-configs")
async def _list_configs(t: Tenants) -> None:
    _empty(await t.a_api.get("/api/public/score-configs"))


@case("POST", "/api/public/score-configs")
async def _create_config(t: Tenants) -> None:
    body = {"name": "b-config", "dataType": "NUMERIC", "minValue": 5, "maxValue": 9, "description": "from A"}
    created = await t.a_api.post("/api/public/score-configs", json=body)
    _no_leak(created, 200)
    assert created.json()["projectId"] == t.a and created.json()["id"] != t.ids["config"]


@case("GET", "/api/public/datasets")
async def _list_datasets(t: Tenants) -> None:
    _empty(await t.a_api.get("/api/public/datasets"))


@case("GET", "/api/public/v2/datasets")
async def _list_datasets_v2(t: Tenants) -> None:
    _empty(await t.a_api.get("/api/public/v2/datasets"))


@case("GET", "/api/public/datasets/{rest:path}")
async def _get_runs(t: Tenants) -> None:
    _no_leak(await t.a_api.get("/api/public/datasets/b-dataset/runs"), 404)
    _no_leak(await t.a_api.get("/api/public/datasets/b-dataset/runs/b-run"), 404)


@case("GET", "/api/public/dataset-items")
async def _list_items(t: Tenants) -> None:
    _no_leak(await t.a_api.get("/api/public/dataset-items", params={"datasetName": "b-dataset"}), 404)
    _empty(await t.a_api.get("/api/public/dataset-items", params={"sourceTraceId": "b-trace"}))
    _empty(await t.a_api.get("/api/public/dataset-items"))


@case("GET", "/api/public/dataset-run-items")
async def _list_run_items(t: Tenants) -> None:
    params = {"datasetId": t.ids["dataset"], "runName": "b-run"}
    _no_leak(await t.a_api.get("/api/public/dataset-run-items", params=params), 404)


async def _create_dataset(t: Tenants, path: str) -> None:
    created = await t.a_api.post(path, json={"name": "b-dataset", "description": "from A"})
    _no_leak(created, 200)
    assert created.json()["id"] != t.ids["dataset"] and created.json()["projectId"] == t.a


@case("POST", "/api/public/datasets")
async def _create_dataset_v1(t: Tenants) -> None:
    await _create_dataset(t, "/api/public/datasets")


@case("POST", "/api/public/v2/datasets")
async def _create_dataset_v2(t: Tenants) -> None:
    await _create_dataset(t, "/api/public/v2/datasets")


@case("POST", "/api/public/dataset-items")
async def _upsert_item(t: Tenants) -> None:
    # B's dataset name does not reach B's dataset; B's item id in A's own dataset makes A's own item.
    _no_leak(await t.a_api.post("/api/public/dataset-items", json={"datasetName": "b-dataset", "input": 1}), 404)
    assert (await t.a_api.post("/api/public/v2/datasets", json={"name": "a-items"})).status_code == 200
    body = {"datasetName": "a-items", "id": t.ids["item"], "input": "from A", "status": "ARCHIVED"}
    _no_leak(await t.a_api.post("/api/public/dataset-items", json=body), 200)


_METRICS = {"fromTimestamp": "2026-02-01T00:00:00Z", "toTimestamp": "2026-04-01T00:00:00Z",
            "metrics": [{"measure": "count", "aggregation": "count"}]}  # fmt: skip


@case("GET", "/api/public/metrics")
async def _metrics_v1(t: Tenants) -> None:
    query = {**_METRICS, "view": "traces", "dimensions": [{"field": "name"}]}
    response = await t.a_api.get("/api/public/metrics", params={"query": json.dumps(query)})
    _no_leak(response, 200)
    assert response.json()["data"] == [{"name": "chat", "count_count": 1}]  # a-trace only


@case("GET", "/api/public/v2/metrics")
async def _metrics_v2(t: Tenants) -> None:
    query = {**_METRICS, "view": "observations", "dimensions": [{"field": "traceName"}]}
    response = await t.a_api.get("/api/public/v2/metrics", params={"query": json.dumps(query)})
    _no_leak(response, 200)
    assert response.json()["data"] == [{"traceName": "chat", "count_count": 2}]  # a-trace's span and generation


# Media: A's key reads nothing of B's; a URL signed for B serves only B's file to B's project.

_B_FILE = f"{MARK} file".encode()
_B_PENDING = f"{MARK} pending file".encode()


def media_announcement(data: bytes, trace_id: str) -> dict[str, Any]:
    return {"traceId": trace_id, "contentType": "text/plain", "contentLength": len(data), "field": "input",
            "sha256Hash": base64.b64encode(hashlib.sha256(data).digest()).decode()}  # fmt: skip


def _resigned(url: str, *, project: str | None = None, media: str | None = None) -> str:
    """A signed media URL with its project or media id changed (the signature kept)."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    if project is not None:
        query["project"] = project
    path = parts.path
    if media is not None:
        head, _, action = path.rsplit("/", 2)
        path = f"{head}/{media}/{action}"
    return f"{path}?{urlencode(query)}"


_api_case("GET", "/api/public/media/{media_id}", lambda t: f"/api/public/media/{t.ids['media']}", 404)


@case("PATCH", "/api/public/media/{media_id}")
async def _report_media(t: Tenants) -> None:
    failed = {"uploadedAt": "2026-03-01T12:00:00Z", "uploadHttpStatus": 500, "uploadHttpError": "from A"}
    for media in (t.ids["media"], t.ids["pending"]):
        _no_leak(await t.a_api.patch(f"/api/public/media/{media}", json=failed), 404)


@case("GET", "/api/public/media/{media_id}/content")
async def _media_content(t: Tenants) -> None:
    url = t.ids["media_url"]
    for changed in (_resigned(url, project=t.a), _resigned(url, media=t.ids["pending"]), url.split("?")[0]):
        _no_leak(await t.a_api.get(changed), 403)


@case("PUT", "/api/public/media/{media_id}/upload")
async def _media_upload(t: Tenants) -> None:
    url = t.ids["pending_url"]
    headers = {"Content-Type": "text/plain"}
    for changed in (_resigned(url, project=t.a), _resigned(url, media=t.ids["media"]), url.split("?")[0]):
        _no_leak(await t.a_api.put(changed, content=b"from A", headers=headers), 403)


@case("POST", "/api/public/media")
async def _announce_media(t: Tenants) -> None:
    # The same bytes as B's file: A is asked to upload them (nothing says another project has them).
    announced = await t.a_api.post("/api/public/media", json=media_announcement(_B_FILE, "a-trace"))
    _no_leak(announced, 200)
    assert announced.json()["mediaId"] == t.ids["media"]
    assert dict(parse_qsl(urlsplit(announced.json()["uploadUrl"]).query))["project"] == t.a
    _no_leak(await t.a_api.get(f"/api/public/media/{t.ids['media']}"), 404)


# Creates: B's ids in A's request make A's own records, never B's (checked by the read-back of B).


@case("POST", "/api/public/ingestion")
async def _ingest(t: Tenants) -> None:
    batch = trace_batch("b-trace", user="b-user", session="b-session", question="from A", name="overwrite")
    response = await t.a_api.post("/api/public/ingestion", json={"batch": batch})
    _no_leak(response, 207)


@case("POST", "/api/public/scores")
async def _create_score(t: Tenants) -> None:
    body = {"id": "b-score", "traceId": "b-trace", "name": "overwrite", "value": 0, "comment": "from A"}
    _no_leak(await t.a_api.post("/api/public/scores", json=body), 200)


@case("POST", "/api/public/v2/prompts")
async def _create_prompt(t: Tenants) -> None:
    body = {"name": "b-prompt", "type": "text", "prompt": "from A", "labels": ["production"]}
    _no_leak(await t.a_api.post("/api/public/v2/prompts", json=body), 201)


@case("POST", "/api/public/models")
async def _create_model(t: Tenants) -> None:
    body = {"modelName": "b-model", "matchPattern": "(?i)^b-model$", "unit": "TOKENS", "inputPrice": 9.0}
    _no_leak(await t.a_api.post("/api/public/models", json=body), 200)


def _otlp_body() -> dict[str, Any]:
    span = {"traceId": "0" * 31 + "b", "spanId": "0" * 15 + "b", "name": "from A",
            "startTimeUnixNano": "1772366400000000000", "endTimeUnixNano": "1772366401000000000"}  # fmt: skip
    return {"resourceSpans": [{"resource": {}, "scopeSpans": [{"scope": {"name": "x"}, "spans": [span]}]}]}


@case("POST", "/api/public/otel/v1/traces")
async def _otlp(t: Tenants) -> None:
    _no_leak(await t.a_api.post("/api/public/otel/v1/traces", json=_otlp_body()), 200)


@case("POST", "/v1/traces")
async def _otlp_bare(t: Tenants) -> None:
    _no_leak(await t.a_api.post("/v1/traces", json=_otlp_body()), 200)


# --- the UI, signed in as A's owner ---


@case("GET", "/")
async def _home(t: Tenants) -> None:
    response = await t.a_web.get("/?format=json")
    _no_leak(response, 200)
    assert [p["id"] for p in response.json()["projects"]] == [t.a]


_B_PAGES = ("traces", "generations", "sessions", "users", "settings/keys")
for _page in _B_PAGES:

    def _make(page: str) -> Case:
        async def check(t: Tenants) -> None:
            _no_leak(await t.a_web.get(f"/project/{t.b}/{page}"), 404)
            _no_leak(await t.a_web.get(f"/project/{t.b}/{page}?format=json"), 404)

        return check

    MATRIX[("GET", f"/project/{{project_id}}/{_page}")] = _make(_page)


@case("GET", "/project/{project_id}/traces/{trace_id:path}")
async def _ui_trace(t: Tenants) -> None:
    _no_leak(await t.a_web.get(f"/project/{t.b}/traces/b-trace"), 404)
    _no_leak(await t.a_web.get(f"/project/{t.a}/traces/b-trace?format=json"), 404)
    # A's own trace, asking for B's observation: nothing is selected.
    own = await t.a_web.get(f"/project/{t.a}/traces/a-trace?format=json&observation=b-trace-span")
    _no_leak(own, 200)
    assert own.json()["view"]["selected"] is None


@case("GET", "/project/{project_id}/scores")
async def _ui_scores(t: Tenants) -> None:
    _no_leak(await t.a_web.get(f"/project/{t.b}/scores"), 404)
    for params in ({"trace": "b-trace"}, {"user": "b-user"}, {"name": "quality"}, {}):
        listed = await t.a_web.get(f"/project/{t.a}/scores", params={**params, "format": "json"})
        _no_leak(listed, 200)
        assert listed.json()["scores"] == [] and listed.json()["distributions"] == [], params


@case("GET", "/project/{project_id}/sessions/{session_id:path}")
async def _ui_session(t: Tenants) -> None:
    _no_leak(await t.a_web.get(f"/project/{t.b}/sessions/b-session"), 404)
    _no_leak(await t.a_web.get(f"/project/{t.a}/sessions/b-session?format=json"), 404)


@case("GET", "/project/{project_id}/users/{user_id:path}")
async def _ui_user(t: Tenants) -> None:
    _no_leak(await t.a_web.get(f"/project/{t.b}/users/b-user"), 404)
    _no_leak(await t.a_web.get(f"/project/{t.a}/users/b-user?format=json"), 404)


@case("GET", "/public/{project_id}/traces/{trace_id:path}")
async def _ui_public(t: Tenants) -> None:
    # B shared b-trace: its own link works for anyone, but no other project's path reaches it.
    _no_leak(await t.a_web.get(f"/public/{t.a}/traces/b-trace"), 404)
    _no_leak(await t.a_web.get(f"/public/{t.a}/traces/b-trace?format=json"), 404)


@case("POST", "/project/{project_id}/trace-flags/{trace_id:path}")
async def _ui_flag(t: Tenants) -> None:
    for project in (t.b, t.a):
        for flag in ("bookmarked", "public"):
            form = {"csrf": t.csrf, "flag": flag, "on": "0" if flag == "public" else "1"}
            _no_leak(await t.a_web.post(f"/project/{project}/trace-flags/b-trace", data=form), 404)


@case("POST", "/project/{project_id}/trace-scores/{trace_id:path}")
async def _ui_score(t: Tenants) -> None:
    form = {"csrf": t.csrf, "name": "overwrite", "data_type": "NUMERIC", "value": "0"}
    for project in (t.b, t.a):
        _no_leak(await t.a_web.post(f"/project/{project}/trace-scores/b-trace", data=form), 404)


@case("POST", "/project/{project_id}/settings/keys")
async def _ui_create_key(t: Tenants) -> None:
    _no_leak(await t.a_web.post(f"/project/{t.b}/settings/keys", data={"csrf": t.csrf, "note": "x"}), 404)


@case("POST", "/project/{project_id}/settings/keys/revoke")
async def _ui_revoke_key(t: Tenants) -> None:
    for project in (t.b, t.a):
        form = {"csrf": t.csrf, "public_key": t.b_key}
        _no_leak(await t.a_web.post(f"/project/{project}/settings/keys/revoke", data=form), 404)


# Pages of datasets, evaluation, dashboards, prompts, models, media, exports and settings.


def _ui_case(
    method: str, path: str, rest: Callable[[Tenants], str], form: Callable[[Tenants], dict[str, Any]] | None = None,
    *, own: bool = True,
) -> None:  # fmt: skip
    """`/project/<B>/<rest>` is a 404 for A's owner, and so (`own`) is `/project/<A>/<rest>` naming B's objects."""

    async def check(t: Tenants) -> None:
        for project in (t.b, t.a) if own else (t.b,):
            url = f"/project/{project}" + (f"/{rest(t)}" if rest(t) else "")
            if method == "GET":
                _no_leak(await t.a_web.get(url), 404)
                _no_leak(await t.a_web.get(url, params={"format": "json"}), 404)
            else:
                _no_leak(await t.a_web.post(url, data={"csrf": t.csrf, **(form(t) if form else {})}), 404)

    MATRIX[(method, path)] = check


_P = "/project/{project_id}"
_AQ = "annotation-queues"
_ui_case("GET", _P, lambda t: "", own=False)
_ui_case("GET", _P + "/annotation-queues/{queue_id}", lambda t: f"{_AQ}/{t.ids['queue']}")
_ui_case("GET", _P + "/annotation-queues/{queue_id}/next", lambda t: f"{_AQ}/{t.ids['queue']}/next")
_ui_case("GET", _P + "/annotation-queues/{queue_id}/items/{item_id}",
         lambda t: f"{_AQ}/{t.ids['queue']}/items/{t.ids['queue_item']}")  # fmt: skip
_ui_case("POST", _P + "/annotation-queues/{queue_id}/items/{item_id}/score",
         lambda t: f"{_AQ}/{t.ids['queue']}/items/{t.ids['queue_item']}/score",
         lambda t: {"config_id": t.ids["config"], "value": "0"})  # fmt: skip
_ui_case("POST", _P + "/annotation-queues/{queue_id}/items/{item_id}/status",
         lambda t: f"{_AQ}/{t.ids['queue']}/items/{t.ids['queue_item']}/status",
         lambda t: {"status": "COMPLETED"})  # fmt: skip
_ui_case("POST", _P + "/annotation-queues", lambda t: _AQ, lambda t: {"name": "from A"}, own=False)
_ui_case("POST", _P + "/settings/score-configs", lambda t: "settings/score-configs",
         lambda t: {"name": "from-a", "data_type": "BOOLEAN"}, own=False)  # fmt: skip
_ui_case("POST", _P + "/settings/score-configs/{config_id}/archive",
         lambda t: f"settings/score-configs/{t.ids['config']}/archive", lambda t: {"archived": "1"})  # fmt: skip
_ui_case("POST", _P + "/dashboards", lambda t: "dashboards", lambda t: {"name": "from A"}, own=False)
_ui_case("GET", _P + "/dashboards/{dashboard_id}", lambda t: f"dashboards/{t.ids['dashboard']}")
_ui_case("POST", _P + "/dashboards/{dashboard_id}", lambda t: f"dashboards/{t.ids['dashboard']}",
         lambda t: {"name": "from A"})  # fmt: skip
_ui_case("POST", _P + "/dashboards/{dashboard_id}/delete", lambda t: f"dashboards/{t.ids['dashboard']}/delete")
_ui_case("POST", _P + "/dashboards/{dashboard_id}/widgets", lambda t: f"dashboards/{t.ids['dashboard']}/widgets",
         lambda t: {"title": "from A", "chart": "number", "measure": "traces:count"})  # fmt: skip
_ui_case("POST", _P + "/dashboards/{dashboard_id}/widgets/{widget_id}/delete",
         lambda t: f"dashboards/{t.ids['dashboard']}/widgets/{t.ids['widget']}/delete")  # fmt: skip
_ui_case("POST", _P + "/datasets", lambda t: "datasets", lambda t: {"name": "from-a"}, own=False)
_ui_case("GET", _P + "/datasets/{dataset_id}", lambda t: f"datasets/{t.ids['dataset']}")
_ui_case("GET", _P + "/datasets/{dataset_id}/compare", lambda t: f"datasets/{t.ids['dataset']}/compare")
_ui_case("POST", _P + "/datasets/{dataset_id}/items", lambda t: f"datasets/{t.ids['dataset']}/items",
         lambda t: {"item_id": t.ids["item"], "input": "from A"})  # fmt: skip
_ui_case("GET", _P + "/dataset-from-trace/{trace_id:path}", lambda t: "dataset-from-trace/b-trace")
_ui_case("POST", _P + "/models", lambda t: "models", lambda t: {"model_name": "from-a"}, own=False)
_ui_case("POST", _P + "/models/recompute", lambda t: "models/recompute", lambda t: {"dry_run": "1"}, own=False)
_ui_case("GET", _P + "/models/{model_id}", lambda t: f"models/{t.b_model}")
_ui_case("POST", _P + "/models/{model_id}", lambda t: f"models/{t.b_model}",
         lambda t: {"model_name": "hijacked", "match_pattern": "(?i)^b-model$", "unit": "TOKENS"})  # fmt: skip
_ui_case("POST", _P + "/models/{model_id}/delete", lambda t: f"models/{t.b_model}/delete")
_ui_case("GET", _P + "/prompts/{name:path}", lambda t: "prompts/b-prompt")
_ui_case("GET", _P + "/prompt-diff/{name:path}", lambda t: "prompt-diff/b-prompt")
_ui_case("GET", _P + "/prompt-new", lambda t: "prompt-new", own=False)
_ui_case("GET", _P + "/prompt-new/{name:path}", lambda t: "prompt-new/b-prompt")
_ui_case("POST", _P + "/prompt-labels/{name:path}", lambda t: "prompt-labels/b-prompt",
         lambda t: {"version": "1", "add": "hijacked"})  # fmt: skip
_ui_case("POST", _P + "/prompt-versions", lambda t: "prompt-versions",
         lambda t: {"name": "b-prompt", "type": "text", "prompt": "from A"}, own=False)  # fmt: skip
_ui_case("POST", _P + "/settings/data", lambda t: "settings/data", lambda t: {"retention_days": "1"}, own=False)
_ui_case("GET", _P + "/media/{media_id}", lambda t: f"media/{t.ids['media']}")


def _lists(path: str, page: str, *hidden: Callable[[Tenants], str]) -> None:
    """B's list page is a 404; A's own holds none of B's objects."""

    async def check(t: Tenants) -> None:
        _no_leak(await t.a_web.get(f"/project/{t.b}/{page}"), 404)
        _no_leak(await t.a_web.get(f"/project/{t.b}/{page}?format=json"), 404)
        for fmt in ("html", "json"):
            own = await t.a_web.get(f"/project/{t.a}/{page}", params={"format": fmt})
            _no_leak(own, 200)
            for ident in hidden:
                assert ident(t) not in own.text, (page, ident(t))

    MATRIX[("GET", path)] = check


_lists(_P + "/annotation-queues", _AQ, lambda t: t.ids["queue"], lambda t: t.ids["config"])
_lists(_P + "/settings/score-configs", "settings/score-configs", lambda t: t.ids["config"])
_lists(_P + "/dashboards", "dashboards", lambda t: t.ids["dashboard"])
_lists(_P + "/datasets", "datasets", lambda t: t.ids["dataset"], lambda t: "b-dataset")
_lists(_P + "/models", "models", lambda t: t.b_model)
_lists(_P + "/prompts", "prompts", lambda t: "b-prompt")


@case("GET", "/project/{project_id}/settings/data")
async def _ui_data_policy(t: Tenants) -> None:
    _no_leak(await t.a_web.get(f"/project/{t.b}/settings/data"), 404)
    own = await t.a_web.get(f"/project/{t.a}/settings/data?format=json")
    _no_leak(own, 200)
    assert (own.json()["retention_days"], own.json()["patterns"]) == (None, [])  # B's policy is B's


@case("GET", "/project/{project_id}/models/new")
async def _ui_new_model(t: Tenants) -> None:
    _no_leak(await t.a_web.get(f"/project/{t.b}/models/new"), 404)
    _no_leak(await t.a_web.get(f"/project/{t.a}/models/new", params={"from": t.b_model}), 404)


@case("GET", "/project/{project_id}/dashboard")
async def _ui_dashboard(t: Tenants) -> None:
    _no_leak(await t.a_web.get(f"/project/{t.b}/dashboard"), 404)
    own = await t.a_web.get(f"/project/{t.a}/dashboard", params={"range": "all", "format": "json"})
    _no_leak(own, 200)
    figures = own.json()["dashboard"]
    assert figures["totals"]["traces"] == 1 and [n["name"] for n in figures["trace_names"]] == ["chat"]


@case("GET", "/project/{project_id}/export/{table}.{fmt}")
async def _ui_export(t: Tenants) -> None:
    for table in ("traces", "generations", "scores"):
        _no_leak(await t.a_web.get(f"/project/{t.b}/export/{table}.csv"), 404)
        own = await t.a_web.get(f"/project/{t.a}/export/{table}.jsonl", params={"range": "all"})
        _no_leak(own, 200)
        assert "b-trace" not in own.text, table
    assert "a-trace" in (await t.a_web.get(f"/project/{t.a}/export/traces.csv", params={"range": "all"})).text


@case("GET", "/project/{project_id}/datasets/{dataset_id}/items/{item_id}")
async def _ui_dataset_item(t: Tenants) -> None:
    for project in (t.b, t.a):
        _no_leak(await t.a_web.get(f"/project/{project}/datasets/{t.ids['dataset']}/items/{t.ids['item']}"), 404)
    # A's own dataset, naming B's item.
    mine = (await t.a_api.post("/api/public/v2/datasets", json={"name": "a-ui-dataset"})).json()["id"]
    _no_leak(await t.a_web.get(f"/project/{t.a}/datasets/{mine}/items/{t.ids['item']}"), 404)


@case("POST", "/project/{project_id}/dataset-from-trace/{trace_id:path}")
async def _ui_dataset_from_trace(t: Tenants) -> None:
    form = {"csrf": t.csrf, "dataset_id": t.ids["dataset"], "input": "from A"}
    for project in (t.b, t.a):
        _no_leak(await t.a_web.post(f"/project/{project}/dataset-from-trace/a-trace", data=form), 404)


@case("POST", "/project/{project_id}/queue-items")
async def _ui_queue_item(t: Tenants) -> None:
    form = {"csrf": t.csrf, "queue_id": t.ids["queue"], "object_type": "TRACE", "object_id": "a-trace"}
    for project in (t.b, t.a):
        _no_leak(await t.a_web.post(f"/project/{project}/queue-items", data=form), 404)


@case("POST", "/project/{project_id}/comments")
async def _ui_comment(t: Tenants) -> None:
    form = {"csrf": t.csrf, "object_type": "TRACE", "object_id": "b-trace", "content": "from A"}
    _no_leak(await t.a_web.post(f"/project/{t.b}/comments", data=form), 404)
    _no_leak(await t.a_web.post(f"/project/{t.a}/comments", data=form), 400)  # A has no trace b-trace (yet)


@case("POST", "/project/{project_id}/config-scores")
async def _ui_config_score(t: Tenants) -> None:
    form = {"csrf": t.csrf, "traceId": "b-trace", "config_id": t.ids["config"], "value": "0"}
    _no_leak(await t.a_web.post(f"/project/{t.b}/config-scores", data=form), 404)
    _no_leak(await t.a_web.post(f"/project/{t.a}/config-scores", data=form), 404)
    on_own = {**form, "traceId": "a-trace"}  # A's trace, B's config
    _no_leak(await t.a_web.post(f"/project/{t.a}/config-scores", data=on_own), 400)


@case("GET", "/public/{project_id}/media/{media_id}")
async def _ui_public_media(t: Tenants) -> None:
    media = t.ids["media"]
    for project, trace in ((t.a, "b-trace"), (t.b, "a-trace"), (t.b, ""), (t.a, "a-trace")):
        _no_leak(await t.a_web.get(f"/public/{project}/media/{media}", params={"trace": trace}), 404)


# --- the test ---


async def _snapshot(t: Tenants, store: Store) -> dict[str, Any]:
    """Everything of B's, read through B's own key (and the store for its keys)."""

    async def get(path: str, **params: Any) -> Any:
        response = await t.b_api.get(path, params=params)
        assert response.status_code == 200, (path, response.text)
        return response.json()

    trace = await get("/api/public/traces/b-trace")
    trace.pop("htmlPath", None)
    media = await get(f"/api/public/media/{t.ids['media']}")
    pending = await t.b_api.get(f"/api/public/media/{t.ids['pending']}")  # announced, never uploaded
    return {
        "trace": trace,
        "observation": await get("/api/public/observations/b-trace-span"),
        "scores": await get("/api/public/scores"),
        "session": await get("/api/public/sessions/b-session"),
        "prompt": await get("/api/public/v2/prompts/b-prompt"),
        "model": await get(f"/api/public/models/{t.b_model}"),
        "traces": await get("/api/public/traces"),
        "keys": [(k.public_key, k.revoked_at) for k in await store.list_api_keys(t.b)],
        "dataset": await get("/api/public/v2/datasets/b-dataset"),
        "items": await get("/api/public/dataset-items", datasetName="b-dataset"),
        "run": await get("/api/public/datasets/b-dataset/runs/b-run"),
        "configs": await get("/api/public/score-configs"),
        "queue": await get(f"/api/public/annotation-queues/{t.ids['queue']}"),
        "queue_items": await get(f"/api/public/annotation-queues/{t.ids['queue']}/items"),
        "comments": await get("/api/public/comments"),
        "media": {k: v for k, v in media.items() if k not in ("url", "urlExpiry")},
        "media_bytes": (await t.b_api.get(media["url"], auth=None)).content,
        "pending": (pending.status_code, pending.json()["message"]),
        "dashboard": await store.get_dashboard(t.b, t.ids["dashboard"]),
        "policy": await store.get_data_policy(t.b),
    }


async def _b_objects(b: str, b_api: httpx.AsyncClient, b_web: httpx.AsyncClient) -> dict[str, str]:
    """B's datasets, evaluation objects, media, dashboard and data policy, made the way B's users make them."""

    async def made(path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = await b_api.post(path, json=body)
        assert response.status_code == 200, (path, response.text)
        result: dict[str, Any] = response.json()
        return result

    ids = {"dataset": (await made("/api/public/v2/datasets", {"name": "b-dataset", "description": MARK}))["id"]}
    item = {"datasetName": "b-dataset", "input": MARK, "sourceTraceId": "b-trace"}
    ids["item"] = (await made("/api/public/dataset-items", item))["id"]
    await made(
        "/api/public/dataset-run-items", {"runName": "b-run", "datasetItemId": ids["item"], "traceId": "b-trace"}
    )
    config = {"name": "b-config", "dataType": "NUMERIC", "minValue": 0, "maxValue": 1, "description": MARK}
    ids["config"] = (await made("/api/public/score-configs", config))["id"]
    queue = {"name": "b-queue", "description": MARK, "scoreConfigIds": [ids["config"]]}
    ids["queue"] = (await made("/api/public/annotation-queues", queue))["id"]
    queued = await made(
        f"/api/public/annotation-queues/{ids['queue']}/items", {"objectType": "TRACE", "objectId": "b-trace"}
    )
    ids["queue_item"] = queued["id"]
    comment = {"objectType": "TRACE", "objectId": "b-trace", "content": MARK}
    ids["comment"] = (await made("/api/public/comments", comment))["id"]
    # A file B uploaded (found in b-trace), and one announced whose bytes never came.
    announced = await made("/api/public/media", media_announcement(_B_FILE, "b-trace"))
    put = await b_api.put(announced["uploadUrl"], content=_B_FILE, headers={"Content-Type": "text/plain"}, auth=None)
    assert put.status_code == 200, put.text
    ids["media"] = announced["mediaId"]
    ids["media_url"] = (await b_api.get(f"/api/public/media/{ids['media']}")).json()["url"]
    pending = await made("/api/public/media", media_announcement(_B_PENDING, "b-trace"))
    ids["pending"], ids["pending_url"] = pending["mediaId"], pending["uploadUrl"]

    await sign_in(b_web, "owner-b@example.com")
    csrf = csrf_of((await b_web.get(f"/project/{b}/traces/b-trace")).text)

    async def posted(path: str, form: dict[str, str]) -> httpx.Response:
        response = await b_web.post(f"/project/{b}/{path}", data={"csrf": csrf, **form})
        assert response.status_code == 303, (path, response.text)
        return response

    await posted("trace-flags/b-trace", {"flag": "public", "on": "1"})
    created = await posted("dashboards", {"name": f"{MARK} dashboard", "description": MARK})
    ids["dashboard"] = str(created.headers["location"]).rsplit("/", 1)[1]
    widget = {"title": MARK, "chart": "number", "measure": "traces:count", "aggregation": "count"}
    await posted(f"dashboards/{ids['dashboard']}/widgets", widget)
    board = (await b_web.get(f"/project/{b}/dashboards/{ids['dashboard']}?format=json")).json()
    ids["widget"] = board["dashboard"]["widgets"][0]["id"]
    await posted("settings/data", {"retention_days": "30", "rule": "email", "patterns": "ORDER-\\d{6}"})
    return ids


@pytest.fixture
async def tenants(app_client: httpx.AsyncClient, store: Store) -> Any:
    a = (await store.list_projects())[0]
    b = await store.create_project("tenant-b")
    b_key = await create_key(store, b)
    await create_user(store, "owner-a@example.com", PASSWORD, roles={a.id: Role.OWNER})
    b_owner = await create_user(store, "owner-b@example.com", PASSWORD, roles={b.id: Role.OWNER})
    transport = app_client._transport
    base = "http://spyglass.test"
    async with (
        httpx.AsyncClient(transport=transport, base_url=base, auth=(b_key.public_key, b_key.secret_key)) as b_api,
        httpx.AsyncClient(transport=transport, base_url=base) as a_web,
        httpx.AsyncClient(transport=transport, base_url=base) as b_web,
    ):
        batch = trace_batch("b-trace", user="b-user", session="b-session", question=f"{MARK} question",
                            answer=f"{MARK} answer", name=f"{MARK}-trace")  # fmt: skip
        assert (await b_api.post("/api/public/ingestion", json={"batch": batch})).json()["errors"] == []
        score = {"id": "b-score", "traceId": "b-trace", "name": "quality", "value": 1, "comment": MARK}
        assert (await b_api.post("/api/public/scores", json=score)).status_code == 200
        prompt = {"name": "b-prompt", "type": "text", "prompt": MARK, "labels": ["production"]}
        assert (await b_api.post("/api/public/v2/prompts", json=prompt)).status_code == 201
        model = {"modelName": f"{MARK}-model", "matchPattern": "(?i)^b-model$", "unit": "TOKENS", "inputPrice": 1.0}
        b_model = (await b_api.post("/api/public/models", json=model)).json()["id"]
        ids = await _b_objects(b.id, b_api, b_web)
        ids["user"] = b_owner.id
        a_batch = trace_batch("a-trace")
        assert (await app_client.post("/api/public/ingestion", json={"batch": a_batch})).json()["errors"] == []
        await sign_in(a_web, "owner-a@example.com")
        csrf = csrf_of((await a_web.get(f"/project/{a.id}/traces")).text)
        yield Tenants(a.id, b.id, app_client, b_api, a_web, b_key.public_key, b_model, csrf, ids)


@pytest.mark.anyio
async def test_every_route_has_a_matrix_entry(app_client: httpx.AsyncClient) -> None:
    routes = route_table(app_client.app)  # type: ignore[attr-defined]
    missing = routes - set(MATRIX) - NO_TENANT_DATA
    assert not missing, f"routes without a tenant-isolation case in tests/web/test_isolation.py: {sorted(missing)}"
    assert not (set(MATRIX) | NO_TENANT_DATA) - routes, "matrix entries for routes that no longer exist"


_CREATES = {("POST", p) for p in ("/api/public/ingestion", "/api/public/scores", "/api/public/v2/prompts",
                                  "/api/public/models", "/api/public/otel/v1/traces", "/v1/traces",
                                  "/api/public/datasets", "/api/public/v2/datasets", "/api/public/dataset-items",
                                  "/api/public/score-configs", "/api/public/media")}  # fmt: skip


@pytest.mark.anyio
async def test_project_a_reaches_nothing_of_project_b(tenants: Tenants, store: Store) -> None:
    before = await _snapshot(tenants, store)
    assert MARK in str(before["trace"]) and before["trace"]["public"] is True
    assert before["media_bytes"] == _B_FILE and before["pending"][0] == 404 and before["policy"].retention_days == 30
    assert [r["datasetItemId"] for r in before["run"]["datasetRunItems"]] == [tenants.ids["item"]]
    # Reads and deletes first; then the creates, which make A's own records under B's ids.
    ordered = sorted(MATRIX, key=lambda k: (k in _CREATES, k))
    for key in ordered:
        await MATRIX[key](tenants)
    after = await _snapshot(tenants, store)
    assert after == before
    anonymous = await tenants.b_api.get(f"/public/{tenants.b}/traces/b-trace?format=json")
    assert anonymous.status_code == 200  # B's own public link still works
    b_file = await tenants.b_api.get(f"/public/{tenants.b}/media/{tenants.ids['media']}?trace=b-trace", auth=None)
    assert b_file.status_code == 200 and b_file.content == _B_FILE  # and so does its file's
    # A's creates landed in A, under the same ids.
    mine = await tenants.a_api.get("/api/public/traces/b-trace")
    assert mine.status_code == 200 and mine.json()["name"] == "overwrite"


@pytest.mark.anyio
async def test_search_finds_only_the_callers_traces(tenants: Tenants) -> None:
    mine = trace_batch("a-needle", question="a haystack with one needle in it")
    assert (await tenants.a_api.post("/api/public/ingestion", json={"batch": mine})).json()["errors"] == []
    theirs = [e for i in range(30) for e in trace_batch(f"b-needle-{i}", question=f"needle {MARK} {i}")]
    assert (await tenants.b_api.post("/api/public/ingestion", json={"batch": theirs})).json()["errors"] == []
    for text, found in (("needle", ["a-needle"]), ("NEEDLE", ["a-needle"]), ("ee", ["a-needle"]), (MARK, [])):
        page = await tenants.a_web.get(f"/project/{tenants.a}/traces", params={"q": text, "format": "json"})
        assert page.status_code == 200 and MARK not in str(page.json()["rows"])
        assert [r["id"] for r in page.json()["rows"]] == found, text
