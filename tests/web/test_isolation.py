"""Two tenants: every public API route and every UI page, called by project A with project B's ids, answers 404 or
403 (or, for lists and creates, only A's own data) and changes nothing of B's (read back through B's own key).

The routes come from the app's route table: a new route without an entry in MATRIX or NO_TENANT_DATA fails
test_every_route_has_a_matrix_entry, so whoever adds one decides how it keeps tenants apart. The machinery (MATRIX,
`case`, the checks) is in tests/web/isolation_matrix.py; the cases of the newer doors (datasets, evaluation, comments,
metrics, media, dashboards, prompt and model pages, exports, data policy) are in tests/web/isolation_cases.py.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from spyglass.accounts import create_user
from spyglass.domain.accounts import Role
from spyglass.projects import create_key
from spyglass.store.base import Store
from tests.web import isolation_cases  # noqa: F401 (registers the cases of the newer doors in MATRIX)
from tests.web.conftest import PASSWORD, csrf_of, sign_in
from tests.web.factory import trace_batch
from tests.web.isolation_matrix import (
    B_FILE,
    B_PENDING,
    MARK,
    MATRIX,
    NO_TENANT_DATA,
    Case,
    Tenants,
    case,
    empty,
    media_announcement,
    no_leak,
    route_table,
)

# --- the public API, with A's key and B's ids ---


@case("GET", "/api/public/traces/{trace_id}")
async def _get_trace(t: Tenants) -> None:
    no_leak(await t.a_api.get("/api/public/traces/b-trace"), 404)


@case("DELETE", "/api/public/traces/{trace_id}")
async def _delete_trace(t: Tenants) -> None:
    no_leak(await t.a_api.delete("/api/public/traces/b-trace"), 404)


@case("DELETE", "/api/public/traces")
async def _delete_traces(t: Tenants) -> None:
    response = await t.a_api.request("DELETE", "/api/public/traces", json={"traceIds": ["b-trace"]})
    no_leak(response, 200)
    assert response.json()["deleted"] == 0 and response.json()["notFound"] == ["b-trace"]


@case("GET", "/api/public/traces")
async def _list_traces(t: Tenants) -> None:
    for params in ({"userId": "b-user"}, {"sessionId": "b-session"}, {"name": f"{MARK}-trace"}):
        empty(await t.a_api.get("/api/public/traces", params=params))
    everything = await t.a_api.get("/api/public/traces")
    no_leak(everything, 200)
    assert [tr["id"] for tr in everything.json()["data"]] == ["a-trace"]


@case("GET", "/api/public/observations/{observation_id}")
async def _get_observation(t: Tenants) -> None:
    no_leak(await t.a_api.get("/api/public/observations/b-trace-span"), 404)


@case("GET", "/api/public/observations")
async def _list_observations(t: Tenants) -> None:
    empty(await t.a_api.get("/api/public/observations", params={"traceId": "b-trace"}))
    everything = await t.a_api.get("/api/public/observations")
    no_leak(everything, 200)
    assert {o["traceId"] for o in everything.json()["data"]} == {"a-trace"}


@case("GET", "/api/public/v2/observations")
async def _list_observations_v2(t: Tenants) -> None:
    empty(await t.a_api.get("/api/public/v2/observations", params={"traceId": "b-trace"}))


@case("GET", "/api/public/scores/{score_id}")
async def _get_score(t: Tenants) -> None:
    no_leak(await t.a_api.get("/api/public/scores/b-score"), 404)


@case("GET", "/api/public/v2/scores/{score_id}")
async def _get_score_v2(t: Tenants) -> None:
    no_leak(await t.a_api.get("/api/public/v2/scores/b-score"), 404)


@case("DELETE", "/api/public/scores/{score_id}")
async def _delete_score(t: Tenants) -> None:
    no_leak(await t.a_api.delete("/api/public/scores/b-score"), 404)


@case("GET", "/api/public/scores")
async def _list_scores(t: Tenants) -> None:
    empty(await t.a_api.get("/api/public/scores", params={"traceId": "b-trace"}))
    empty(await t.a_api.get("/api/public/scores"))


@case("GET", "/api/public/v2/scores")
async def _list_scores_v2(t: Tenants) -> None:
    empty(await t.a_api.get("/api/public/v2/scores", params={"traceId": "b-trace"}))


@case("GET", "/api/public/v3/scores")
async def _list_scores_v3(t: Tenants) -> None:
    empty(await t.a_api.get("/api/public/v3/scores", params={"traceId": "b-trace"}))


@case("GET", "/api/public/sessions/{session_id}")
async def _get_session(t: Tenants) -> None:
    no_leak(await t.a_api.get("/api/public/sessions/b-session"), 404)


@case("GET", "/api/public/sessions")
async def _list_sessions(t: Tenants) -> None:
    empty(await t.a_api.get("/api/public/sessions"))


@case("GET", "/api/public/v2/prompts/{name:path}")
async def _get_prompt(t: Tenants) -> None:
    no_leak(await t.a_api.get("/api/public/v2/prompts/b-prompt"), 404)
    no_leak(await t.a_api.get("/api/public/v2/prompts/b-prompt", params={"label": "production"}), 404)


@case("DELETE", "/api/public/v2/prompts/{name:path}")
async def _delete_prompt(t: Tenants) -> None:
    no_leak(await t.a_api.delete("/api/public/v2/prompts/b-prompt"), 404)


@case("PATCH", "/api/public/v2/prompts/{name:path}/versions/{version}")
async def _relabel_prompt(t: Tenants) -> None:
    response = await t.a_api.patch("/api/public/v2/prompts/b-prompt/versions/1", json={"newLabels": ["hijacked"]})
    no_leak(response, 404)


@case("GET", "/api/public/v2/prompts/{name:path}/versions/{version}/generations")
async def _prompt_generations(t: Tenants) -> None:
    response = await t.a_api.get("/api/public/v2/prompts/b-prompt/versions/1/generations")
    no_leak(response, 404)


@case("GET", "/api/public/v2/prompts")
async def _list_prompts(t: Tenants) -> None:
    empty(await t.a_api.get("/api/public/v2/prompts"))


@case("GET", "/api/public/models/{model_id}")
async def _get_model(t: Tenants) -> None:
    no_leak(await t.a_api.get(f"/api/public/models/{t.b_model}"), 404)


@case("DELETE", "/api/public/models/{model_id}")
async def _delete_model(t: Tenants) -> None:
    no_leak(await t.a_api.delete(f"/api/public/models/{t.b_model}"), 404)


@case("GET", "/api/public/models")
async def _list_models(t: Tenants) -> None:
    response = await t.a_api.get("/api/public/models", params={"limit": 1000})
    no_leak(response, 200)
    assert t.b_model not in {m["id"] for m in response.json()["data"]}


@case("GET", "/api/public/metrics/daily")
async def _daily(t: Tenants) -> None:
    response = await t.a_api.get("/api/public/metrics/daily")
    no_leak(response, 200)
    assert sum(day["countTraces"] for day in response.json()["data"]) == 1  # a-trace only


@case("GET", "/api/public/metrics/costs")
async def _costs(t: Tenants) -> None:
    for group in ("session", "user", "model", "traceName", "day"):
        response = await t.a_api.get("/api/public/metrics/costs", params={"groupBy": group})
        no_leak(response, 200)
        assert sum(row["countTraces"] for row in response.json()["data"]) == 1, group  # a-trace only


@case("GET", "/api/public/projects")
async def _projects(t: Tenants) -> None:
    response = await t.a_api.get("/api/public/projects")
    no_leak(response, 200)
    assert [p["id"] for p in response.json()["data"]] == [t.a]


# Creates: B's ids in A's request make A's own records, never B's (checked by the read-back of B).


@case("POST", "/api/public/ingestion")
async def _ingest(t: Tenants) -> None:
    batch = trace_batch("b-trace", user="b-user", session="b-session", question="from A", name="overwrite")
    response = await t.a_api.post("/api/public/ingestion", json={"batch": batch})
    no_leak(response, 207)


@case("POST", "/api/public/scores")
async def _create_score(t: Tenants) -> None:
    body = {"id": "b-score", "traceId": "b-trace", "name": "overwrite", "value": 0, "comment": "from A"}
    no_leak(await t.a_api.post("/api/public/scores", json=body), 200)


@case("POST", "/api/public/v2/prompts")
async def _create_prompt(t: Tenants) -> None:
    body = {"name": "b-prompt", "type": "text", "prompt": "from A", "labels": ["production"]}
    no_leak(await t.a_api.post("/api/public/v2/prompts", json=body), 201)


@case("POST", "/api/public/models")
async def _create_model(t: Tenants) -> None:
    body = {"modelName": "b-model", "matchPattern": "(?i)^b-model$", "unit": "TOKENS", "inputPrice": 9.0}
    no_leak(await t.a_api.post("/api/public/models", json=body), 200)


def _otlp_body() -> dict[str, Any]:
    span = {"traceId": "0" * 31 + "b", "spanId": "0" * 15 + "b", "name": "from A",
            "startTimeUnixNano": "1772366400000000000", "endTimeUnixNano": "1772366401000000000"}  # fmt: skip
    return {"resourceSpans": [{"resource": {}, "scopeSpans": [{"scope": {"name": "x"}, "spans": [span]}]}]}


@case("POST", "/api/public/otel/v1/traces")
async def _otlp(t: Tenants) -> None:
    no_leak(await t.a_api.post("/api/public/otel/v1/traces", json=_otlp_body()), 200)


@case("POST", "/v1/traces")
async def _otlp_bare(t: Tenants) -> None:
    no_leak(await t.a_api.post("/v1/traces", json=_otlp_body()), 200)


# --- the UI, signed in as A's owner ---


@case("GET", "/")
async def _home(t: Tenants) -> None:
    response = await t.a_web.get("/?format=json")
    no_leak(response, 200)
    assert [p["id"] for p in response.json()["projects"]] == [t.a]


_B_PAGES = ("traces", "generations", "sessions", "users", "settings/keys")
for _page in _B_PAGES:

    def _make(page: str) -> Case:
        async def check(t: Tenants) -> None:
            no_leak(await t.a_web.get(f"/project/{t.b}/{page}"), 404)
            no_leak(await t.a_web.get(f"/project/{t.b}/{page}?format=json"), 404)

        return check

    MATRIX[("GET", f"/project/{{project_id}}/{_page}")] = _make(_page)


@case("GET", "/project/{project_id}/traces/{trace_id:path}")
async def _ui_trace(t: Tenants) -> None:
    no_leak(await t.a_web.get(f"/project/{t.b}/traces/b-trace"), 404)
    no_leak(await t.a_web.get(f"/project/{t.a}/traces/b-trace?format=json"), 404)
    # A's own trace, asking for B's observation: nothing is selected.
    own = await t.a_web.get(f"/project/{t.a}/traces/a-trace?format=json&observation=b-trace-span")
    no_leak(own, 200)
    assert own.json()["view"]["selected"] is None


@case("GET", "/project/{project_id}/scores")
async def _ui_scores(t: Tenants) -> None:
    no_leak(await t.a_web.get(f"/project/{t.b}/scores"), 404)
    for params in ({"trace": "b-trace"}, {"user": "b-user"}, {"name": "quality"}, {}):
        listed = await t.a_web.get(f"/project/{t.a}/scores", params={**params, "format": "json"})
        no_leak(listed, 200)
        assert listed.json()["scores"] == [] and listed.json()["distributions"] == [], params


@case("GET", "/project/{project_id}/sessions/{session_id:path}")
async def _ui_session(t: Tenants) -> None:
    no_leak(await t.a_web.get(f"/project/{t.b}/sessions/b-session"), 404)
    no_leak(await t.a_web.get(f"/project/{t.a}/sessions/b-session?format=json"), 404)


@case("GET", "/project/{project_id}/users/{user_id:path}")
async def _ui_user(t: Tenants) -> None:
    no_leak(await t.a_web.get(f"/project/{t.b}/users/b-user"), 404)
    no_leak(await t.a_web.get(f"/project/{t.a}/users/b-user?format=json"), 404)


@case("GET", "/public/{project_id}/traces/{trace_id:path}")
async def _ui_public(t: Tenants) -> None:
    # B shared b-trace: its own link works for anyone, but no other project's path reaches it.
    no_leak(await t.a_web.get(f"/public/{t.a}/traces/b-trace"), 404)
    no_leak(await t.a_web.get(f"/public/{t.a}/traces/b-trace?format=json"), 404)


@case("POST", "/project/{project_id}/trace-flags/{trace_id:path}")
async def _ui_flag(t: Tenants) -> None:
    for project in (t.b, t.a):
        for flag in ("bookmarked", "public"):
            form = {"csrf": t.csrf, "flag": flag, "on": "0" if flag == "public" else "1"}
            no_leak(await t.a_web.post(f"/project/{project}/trace-flags/b-trace", data=form), 404)


@case("POST", "/project/{project_id}/trace-scores/{trace_id:path}")
async def _ui_score(t: Tenants) -> None:
    form = {"csrf": t.csrf, "name": "overwrite", "data_type": "NUMERIC", "value": "0"}
    for project in (t.b, t.a):
        no_leak(await t.a_web.post(f"/project/{project}/trace-scores/b-trace", data=form), 404)


@case("POST", "/project/{project_id}/settings/keys")
async def _ui_create_key(t: Tenants) -> None:
    no_leak(await t.a_web.post(f"/project/{t.b}/settings/keys", data={"csrf": t.csrf, "note": "x"}), 404)


@case("POST", "/project/{project_id}/settings/keys/revoke")
async def _ui_revoke_key(t: Tenants) -> None:
    for project in (t.b, t.a):
        form = {"csrf": t.csrf, "public_key": t.b_key}
        no_leak(await t.a_web.post(f"/project/{project}/settings/keys/revoke", data=form), 404)


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
    announced = await made("/api/public/media", media_announcement(B_FILE, "b-trace"))
    put = await b_api.put(announced["uploadUrl"], content=B_FILE, headers={"Content-Type": "text/plain"}, auth=None)
    assert put.status_code == 200, put.text
    ids["media"] = announced["mediaId"]
    ids["media_url"] = (await b_api.get(f"/api/public/media/{ids['media']}")).json()["url"]
    pending = await made("/api/public/media", media_announcement(B_PENDING, "b-trace"))
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
    where = "tests/web/test_isolation.py or tests/web/isolation_cases.py"
    assert not missing, f"routes without a tenant-isolation case in {where}: {sorted(missing)}"
    assert not (set(MATRIX) | NO_TENANT_DATA) - routes, "matrix entries for routes that no longer exist"


_CREATES = {("POST", p) for p in ("/api/public/ingestion", "/api/public/scores", "/api/public/v2/prompts",
                                  "/api/public/models", "/api/public/otel/v1/traces", "/v1/traces",
                                  "/api/public/datasets", "/api/public/v2/datasets", "/api/public/dataset-items",
                                  "/api/public/score-configs", "/api/public/media")}  # fmt: skip


@pytest.mark.anyio
async def test_project_a_reaches_nothing_of_project_b(tenants: Tenants, store: Store) -> None:
    before = await _snapshot(tenants, store)
    assert MARK in str(before["trace"]) and before["trace"]["public"] is True
    assert before["media_bytes"] == B_FILE and before["pending"][0] == 404 and before["policy"].retention_days == 30
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
    assert b_file.status_code == 200 and b_file.content == B_FILE  # and so does its file's
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
