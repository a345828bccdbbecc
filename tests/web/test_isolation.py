"""Two tenants: every public API route and every UI page, called by project A with project B's ids, answers 404 or
403 (or, for lists and creates, only A's own data) and changes nothing of B's (read back through B's own key).

The routes come from the app's route table: a new route without an entry in MATRIX or NO_TENANT_DATA fails
test_every_route_has_a_matrix_entry, so whoever adds one decides how it keeps tenants apart.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

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


# --- the test ---


async def _snapshot(t: Tenants, store: Store) -> dict[str, Any]:
    """Everything of B's, read through B's own key (and the store for its keys)."""

    async def get(path: str, **params: Any) -> Any:
        response = await t.b_api.get(path, params=params)
        assert response.status_code == 200, (path, response.text)
        return response.json()

    trace = await get("/api/public/traces/b-trace")
    trace.pop("htmlPath", None)
    return {
        "trace": trace,
        "observation": await get("/api/public/observations/b-trace-span"),
        "scores": await get("/api/public/scores"),
        "session": await get("/api/public/sessions/b-session"),
        "prompt": await get("/api/public/v2/prompts/b-prompt"),
        "model": await get(f"/api/public/models/{t.b_model}"),
        "traces": await get("/api/public/traces"),
        "keys": [(k.public_key, k.revoked_at) for k in await store.list_api_keys(t.b)],
    }


@pytest.fixture
async def tenants(app_client: httpx.AsyncClient, store: Store) -> Any:
    a = (await store.list_projects())[0]
    b = await store.create_project("tenant-b")
    b_key = await create_key(store, b)
    await create_user(store, "owner-a@example.com", PASSWORD, roles={a.id: Role.OWNER})
    await create_user(store, "owner-b@example.com", PASSWORD, roles={b.id: Role.OWNER})
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
        await sign_in(b_web, "owner-b@example.com")
        page = await b_web.get(f"/project/{b.id}/traces/b-trace")
        shared = {"csrf": csrf_of(page.text), "flag": "public", "on": "1"}
        assert (await b_web.post(f"/project/{b.id}/trace-flags/b-trace", data=shared)).status_code == 303
        a_batch = trace_batch("a-trace")
        assert (await app_client.post("/api/public/ingestion", json={"batch": a_batch})).json()["errors"] == []
        await sign_in(a_web, "owner-a@example.com")
        csrf = csrf_of((await a_web.get(f"/project/{a.id}/traces")).text)
        yield Tenants(a.id, b.id, app_client, b_api, a_web, b_key.public_key, b_model, csrf)


@pytest.mark.anyio
async def test_every_route_has_a_matrix_entry(app_client: httpx.AsyncClient) -> None:
    routes = route_table(app_client.app)  # type: ignore[attr-defined]
    missing = routes - set(MATRIX) - NO_TENANT_DATA
    assert not missing, f"routes without a tenant-isolation case in tests/web/test_isolation.py: {sorted(missing)}"
    assert not (set(MATRIX) | NO_TENANT_DATA) - routes, "matrix entries for routes that no longer exist"


_CREATES = {("POST", p) for p in ("/api/public/ingestion", "/api/public/scores", "/api/public/v2/prompts",
                                  "/api/public/models", "/api/public/otel/v1/traces", "/v1/traces")}  # fmt: skip


@pytest.mark.anyio
async def test_project_a_reaches_nothing_of_project_b(tenants: Tenants, store: Store) -> None:
    before = await _snapshot(tenants, store)
    assert MARK in str(before["trace"]) and before["trace"]["public"] is True
    # Reads and deletes first; then the creates, which make A's own records under B's ids.
    ordered = sorted(MATRIX, key=lambda k: (k in _CREATES, k))
    for key in ordered:
        await MATRIX[key](tenants)
    after = await _snapshot(tenants, store)
    assert after == before
    anonymous = await tenants.b_api.get(f"/public/{tenants.b}/traces/b-trace?format=json")
    assert anonymous.status_code == 200  # B's own public link still works
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
