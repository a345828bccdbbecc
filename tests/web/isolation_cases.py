"""Isolation cases of the newer doors, registered in MATRIX when tests/web/test_isolation.py imports this module:
datasets, score configs, annotation queues, comments, metrics and media through the public API, and the pages of
datasets, evaluation, dashboards, prompts, models, media, exports and settings.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from tests.web.isolation_matrix import B_FILE, MATRIX, Tenants, case, empty, media_announcement, no_leak

# Datasets, score configs, annotation queues, comments, media, metrics (the evaluation and dataset doors).


def _api_case(method: str, path: str, url: Callable[[Tenants], str], status: int, body: Any = None) -> None:
    """A's key on B's object (url) answers `status`; `body` (a function of the tenants) is the JSON sent."""

    async def check(t: Tenants) -> None:
        sent = body(t) if callable(body) else body
        no_leak(await t.a_api.request(method, url(t), json=sent), status)

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
    no_leak(listed, 200)
    assert t.ids["queue"] not in {q["id"] for q in listed.json()["data"]}


@case("POST", "/api/public/annotation-queues")
async def _create_queue(t: Tenants) -> None:
    # A queue of A's cannot be built on B's score config.
    body = {"name": "a-queue-on-b-config", "scoreConfigIds": [t.ids["config"]]}
    no_leak(await t.a_api.post(_QUEUE, json=body), 400)


@case("GET", "/api/public/comments")
async def _list_comments(t: Tenants) -> None:
    empty(await t.a_api.get("/api/public/comments"))
    empty(await t.a_api.get("/api/public/comments", params={"objectType": "TRACE", "objectId": "b-trace"}))


@case("POST", "/api/public/comments")
async def _create_comment(t: Tenants) -> None:
    on_b = {"objectType": "TRACE", "objectId": "b-trace", "content": "from A"}
    no_leak(await t.a_api.post("/api/public/comments", json=on_b), 400)  # A has no trace b-trace (yet)
    claims_b = {"projectId": t.b, "objectType": "TRACE", "objectId": "a-trace", "content": "from A"}
    no_leak(await t.a_api.post("/api/public/comments", json=claims_b), 400)


@case("GET", "/api/public/score-configs")
async def _list_configs(t: Tenants) -> None:
    empty(await t.a_api.get("/api/public/score-configs"))


@case("POST", "/api/public/score-configs")
async def _create_config(t: Tenants) -> None:
    body = {"name": "b-config", "dataType": "NUMERIC", "minValue": 5, "maxValue": 9, "description": "from A"}
    created = await t.a_api.post("/api/public/score-configs", json=body)
    no_leak(created, 200)
    assert created.json()["projectId"] == t.a and created.json()["id"] != t.ids["config"]


@case("GET", "/api/public/datasets")
async def _list_datasets(t: Tenants) -> None:
    empty(await t.a_api.get("/api/public/datasets"))


@case("GET", "/api/public/v2/datasets")
async def _list_datasets_v2(t: Tenants) -> None:
    empty(await t.a_api.get("/api/public/v2/datasets"))


@case("GET", "/api/public/datasets/{rest:path}")
async def _get_runs(t: Tenants) -> None:
    no_leak(await t.a_api.get("/api/public/datasets/b-dataset/runs"), 404)
    no_leak(await t.a_api.get("/api/public/datasets/b-dataset/runs/b-run"), 404)


@case("GET", "/api/public/dataset-items")
async def _list_items(t: Tenants) -> None:
    no_leak(await t.a_api.get("/api/public/dataset-items", params={"datasetName": "b-dataset"}), 404)
    empty(await t.a_api.get("/api/public/dataset-items", params={"sourceTraceId": "b-trace"}))
    empty(await t.a_api.get("/api/public/dataset-items"))


@case("GET", "/api/public/dataset-run-items")
async def _list_run_items(t: Tenants) -> None:
    params = {"datasetId": t.ids["dataset"], "runName": "b-run"}
    no_leak(await t.a_api.get("/api/public/dataset-run-items", params=params), 404)


async def _b_run_id(t: Tenants) -> str:
    run_id: str = (await t.b_api.get("/api/public/datasets/b-dataset/runs/b-run")).json()["id"]
    return run_id


@case("GET", "/api/public/experiments")
async def _list_experiments(t: Tenants) -> None:
    run_id = await _b_run_id(t)
    since = {"fromStartTime": "2000-01-01T00:00:00Z", "fields": "core,metadata,scores"}
    empty(await t.a_api.get("/api/public/experiments", params=since))
    empty(await t.a_api.get("/api/public/experiments", params={**since, "id": run_id}))
    empty(await t.a_api.get("/api/public/experiments", params={**since, "datasetId": t.ids["dataset"]}))
    own = await t.b_api.get("/api/public/experiments", params=since)  # the same query finds B's run with B's key
    assert [e["id"] for e in own.json()["data"]] == [run_id], own.text


@case("GET", "/api/public/experiment-items")
async def _list_experiment_items(t: Tenants) -> None:
    run_id = await _b_run_id(t)
    since = {"fromStartTime": "2000-01-01T00:00:00Z", "fields": "io,metadata,itemMetadata,experimentMetadata,scores"}
    empty(await t.a_api.get("/api/public/experiment-items", params=since))
    empty(await t.a_api.get("/api/public/experiment-items", params={**since, "experimentId": run_id}))
    empty(await t.a_api.get("/api/public/experiment-items", params={**since, "experimentItemId": t.ids["item"]}))
    own = await t.b_api.get("/api/public/experiment-items", params=since)
    assert {i["experimentId"] for i in own.json()["data"]} == {run_id}, own.text


async def _create_dataset(t: Tenants, path: str) -> None:
    created = await t.a_api.post(path, json={"name": "b-dataset", "description": "from A"})
    no_leak(created, 200)
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
    no_leak(await t.a_api.post("/api/public/dataset-items", json={"datasetName": "b-dataset", "input": 1}), 404)
    assert (await t.a_api.post("/api/public/v2/datasets", json={"name": "a-items"})).status_code == 200
    body = {"datasetName": "a-items", "id": t.ids["item"], "input": "from A", "status": "ARCHIVED"}
    no_leak(await t.a_api.post("/api/public/dataset-items", json=body), 200)


_METRICS = {"fromTimestamp": "2026-02-01T00:00:00Z", "toTimestamp": "2026-04-01T00:00:00Z",
            "metrics": [{"measure": "count", "aggregation": "count"}]}  # fmt: skip


@case("GET", "/api/public/metrics")
async def _metrics_v1(t: Tenants) -> None:
    query = {**_METRICS, "view": "traces", "dimensions": [{"field": "name"}]}
    response = await t.a_api.get("/api/public/metrics", params={"query": json.dumps(query)})
    no_leak(response, 200)
    assert response.json()["data"] == [{"name": "chat", "count_count": 1}]  # a-trace only


@case("GET", "/api/public/v2/metrics")
async def _metrics_v2(t: Tenants) -> None:
    query = {**_METRICS, "view": "observations", "dimensions": [{"field": "traceName"}]}
    response = await t.a_api.get("/api/public/v2/metrics", params={"query": json.dumps(query)})
    no_leak(response, 200)
    assert response.json()["data"] == [{"traceName": "chat", "count_count": 2}]  # a-trace's span and generation


# Media: A's key reads nothing of B's; a URL signed for B serves only B's file to B's project.


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
        no_leak(await t.a_api.patch(f"/api/public/media/{media}", json=failed), 404)


@case("GET", "/api/public/media/{media_id}/content")
async def _media_content(t: Tenants) -> None:
    url = t.ids["media_url"]
    for changed in (_resigned(url, project=t.a), _resigned(url, media=t.ids["pending"]), url.split("?")[0]):
        no_leak(await t.a_api.get(changed), 403)


@case("PUT", "/api/public/media/{media_id}/upload")
async def _media_upload(t: Tenants) -> None:
    url = t.ids["pending_url"]
    headers = {"Content-Type": "text/plain"}
    for changed in (_resigned(url, project=t.a), _resigned(url, media=t.ids["media"]), url.split("?")[0]):
        no_leak(await t.a_api.put(changed, content=b"from A", headers=headers), 403)


@case("POST", "/api/public/media")
async def _announce_media(t: Tenants) -> None:
    # The same bytes as B's file: A is asked to upload them (nothing says another project has them).
    announced = await t.a_api.post("/api/public/media", json=media_announcement(B_FILE, "a-trace"))
    no_leak(announced, 200)
    assert announced.json()["mediaId"] == t.ids["media"]
    assert dict(parse_qsl(urlsplit(announced.json()["uploadUrl"]).query))["project"] == t.a
    no_leak(await t.a_api.get(f"/api/public/media/{t.ids['media']}"), 404)


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
                no_leak(await t.a_web.get(url), 404)
                no_leak(await t.a_web.get(url, params={"format": "json"}), 404)
            else:
                no_leak(await t.a_web.post(url, data={"csrf": t.csrf, **(form(t) if form else {})}), 404)

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
        no_leak(await t.a_web.get(f"/project/{t.b}/{page}"), 404)
        no_leak(await t.a_web.get(f"/project/{t.b}/{page}?format=json"), 404)
        for fmt in ("html", "json"):
            own = await t.a_web.get(f"/project/{t.a}/{page}", params={"format": fmt})
            no_leak(own, 200)
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
    no_leak(await t.a_web.get(f"/project/{t.b}/settings/data"), 404)
    own = await t.a_web.get(f"/project/{t.a}/settings/data?format=json")
    no_leak(own, 200)
    assert (own.json()["retention_days"], own.json()["patterns"]) == (None, [])  # B's policy is B's


@case("GET", "/project/{project_id}/models/new")
async def _ui_new_model(t: Tenants) -> None:
    no_leak(await t.a_web.get(f"/project/{t.b}/models/new"), 404)
    no_leak(await t.a_web.get(f"/project/{t.a}/models/new", params={"from": t.b_model}), 404)


@case("GET", "/project/{project_id}/dashboard")
async def _ui_dashboard(t: Tenants) -> None:
    no_leak(await t.a_web.get(f"/project/{t.b}/dashboard"), 404)
    own = await t.a_web.get(f"/project/{t.a}/dashboard", params={"range": "all", "format": "json"})
    no_leak(own, 200)
    figures = own.json()["dashboard"]
    assert figures["totals"]["traces"] == 1 and [n["name"] for n in figures["trace_names"]] == ["chat"]


@case("GET", "/project/{project_id}/export/{table}.{fmt}")
async def _ui_export(t: Tenants) -> None:
    for table in ("traces", "generations", "scores"):
        no_leak(await t.a_web.get(f"/project/{t.b}/export/{table}.csv"), 404)
        own = await t.a_web.get(f"/project/{t.a}/export/{table}.jsonl", params={"range": "all"})
        no_leak(own, 200)
        assert "b-trace" not in own.text, table
    assert "a-trace" in (await t.a_web.get(f"/project/{t.a}/export/traces.csv", params={"range": "all"})).text


@case("GET", "/project/{project_id}/datasets/{dataset_id}/items/{item_id}")
async def _ui_dataset_item(t: Tenants) -> None:
    for project in (t.b, t.a):
        no_leak(await t.a_web.get(f"/project/{project}/datasets/{t.ids['dataset']}/items/{t.ids['item']}"), 404)
    # A's own dataset, naming B's item.
    mine = (await t.a_api.post("/api/public/v2/datasets", json={"name": "a-ui-dataset"})).json()["id"]
    no_leak(await t.a_web.get(f"/project/{t.a}/datasets/{mine}/items/{t.ids['item']}"), 404)


@case("POST", "/project/{project_id}/dataset-from-trace/{trace_id:path}")
async def _ui_dataset_from_trace(t: Tenants) -> None:
    form = {"csrf": t.csrf, "dataset_id": t.ids["dataset"], "input": "from A"}
    for project in (t.b, t.a):
        no_leak(await t.a_web.post(f"/project/{project}/dataset-from-trace/a-trace", data=form), 404)


@case("POST", "/project/{project_id}/queue-items")
async def _ui_queue_item(t: Tenants) -> None:
    form = {"csrf": t.csrf, "queue_id": t.ids["queue"], "object_type": "TRACE", "object_id": "a-trace"}
    for project in (t.b, t.a):
        no_leak(await t.a_web.post(f"/project/{project}/queue-items", data=form), 404)


@case("POST", "/project/{project_id}/comments")
async def _ui_comment(t: Tenants) -> None:
    form = {"csrf": t.csrf, "object_type": "TRACE", "object_id": "b-trace", "content": "from A"}
    no_leak(await t.a_web.post(f"/project/{t.b}/comments", data=form), 404)
    no_leak(await t.a_web.post(f"/project/{t.a}/comments", data=form), 400)  # A has no trace b-trace (yet)


@case("POST", "/project/{project_id}/config-scores")
async def _ui_config_score(t: Tenants) -> None:
    form = {"csrf": t.csrf, "traceId": "b-trace", "config_id": t.ids["config"], "value": "0"}
    no_leak(await t.a_web.post(f"/project/{t.b}/config-scores", data=form), 404)
    no_leak(await t.a_web.post(f"/project/{t.a}/config-scores", data=form), 404)
    on_own = {**form, "traceId": "a-trace"}  # A's trace, B's config
    no_leak(await t.a_web.post(f"/project/{t.a}/config-scores", data=on_own), 400)


@case("GET", "/public/{project_id}/media/{media_id}")
async def _ui_public_media(t: Tenants) -> None:
    media = t.ids["media"]
    for project, trace in ((t.a, "b-trace"), (t.b, "a-trace"), (t.b, ""), (t.a, "a-trace")):
        no_leak(await t.a_web.get(f"/public/{project}/media/{media}", params={"trace": trace}), 404)
