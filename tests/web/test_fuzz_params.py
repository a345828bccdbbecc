"""Property tests over query and path parameters: no value of any parameter gives a 5xx (or an unhandled error).

The public API's operations and their parameters come from the app's own OpenAPI schema (/api/openapi.json); the
UI pages' from the route table plus the parameters their forms send (UI_PARAMS), and a UI page without an entry
fails test_every_ui_page_has_fuzzed_parameters. Examples are bounded so the suite stays fast.

Hypothesis draws the requests and the async test sends them (hypothesis' own async runner would leave the app's
event loop). Schemathesis 4.32's pytest plugin fails on pytest 9 (`'Function' object has no attribute '_nodeid'`),
so this generator reads the OpenAPI schema itself.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.web.conftest import csrf_of
from tests.web.factory import trace_batch
from tests.web.test_isolation import route_table

HOSTILE = (
    "", " ", "0", "-1", "1e3", "1.5", "NaN", "inf", "-0", "99999999999999999999999", "9223372036854775808", "٣", "²",
    "true", "yes", "null", "[]", "{}", '{"a": 1}', "[{}]", "'", '"', "%", "_", "\\", "*", "?", "../..", "a,b,,",
    "2026-13-45", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59-14:00", "2026-03-01T12:00:00+99:00", "1e308",
    "\u202e", "é", "東京", "\U0001f600", "\x01", "\x7f", "a\x00b", "x" * 3000,
)  # fmt: skip

_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
VALUE = st.one_of(st.sampled_from(HOSTILE), _TEXT, st.integers().map(str), st.floats().map(repr))

# The query parameters each UI page reads (its forms', plus cursor and format).
_LIST = ("range", "from", "to", "sort", "order", "limit", "cursor", "format", "level", "environment", "name", "user")
_TRACE_FILTERS = (*_LIST, "q", "session", "tag", "release", "version", "score", "score_min", "score_max", "bookmarked")
UI_PARAMS: dict[str, tuple[str, ...]] = {
    "/": ("format",),
    "/project/{project_id}/traces": _TRACE_FILTERS,
    "/project/{project_id}/traces/{trace_id:path}": ("observation", "format"),
    "/project/{project_id}/generations": (*_LIST, "model", "prompt"),
    "/project/{project_id}/sessions": ("cursor", "limit", "format"),
    "/project/{project_id}/sessions/{session_id:path}": ("format",),
    "/project/{project_id}/users": ("cursor", "limit", "format"),
    "/project/{project_id}/users/{user_id:path}": ("format",),
    "/project/{project_id}/scores": ("page", "name", "source", "data_type", "trace", "user", "format"),
    "/project/{project_id}/settings/keys": ("format",),
    "/public/{project_id}/traces/{trace_id:path}": ("observation", "format"),
    "/signin": ("next",),
    "/project/{project_id}": (),
    "/project/{project_id}/dashboard": _TRACE_FILTERS,
    "/project/{project_id}/dashboards": ("format",),
    "/project/{project_id}/dashboards/{dashboard_id}": ("range", "from", "to", "edit", "format"),
    "/project/{project_id}/export/{table}.{fmt}": (*_TRACE_FILTERS, "model", "prompt", "page", "source", "data_type",
                                                   "trace"),
    "/project/{project_id}/settings/data": ("format",),
    "/project/{project_id}/settings/score-configs": ("format",),
    "/project/{project_id}/media/{media_id}": (),
    "/public/{project_id}/media/{media_id}": ("trace",),
    "/project/{project_id}/prompts": ("q", "page", "format"),
    "/project/{project_id}/prompts/{name:path}": ("version", "page", "format"),
    "/project/{project_id}/prompt-diff/{name:path}": ("from", "to", "format"),
    "/project/{project_id}/prompt-new": ("format",),
    "/project/{project_id}/prompt-new/{name:path}": ("from", "format"),
    "/project/{project_id}/models": ("match", "at", "format"),
    "/project/{project_id}/models/new": ("from", "format"),
    "/project/{project_id}/models/{model_id}": ("format",),
    "/project/{project_id}/datasets": ("page", "format"),
    "/project/{project_id}/datasets/{dataset_id}": ("page", "format"),
    "/project/{project_id}/datasets/{dataset_id}/compare": ("runs", "sort", "page", "format"),
    "/project/{project_id}/datasets/{dataset_id}/items/{item_id}": ("format",),
    "/project/{project_id}/dataset-from-trace/{trace_id:path}": ("observation", "format"),
    "/project/{project_id}/annotation-queues": ("format",),
    "/project/{project_id}/annotation-queues/{queue_id}": ("done", "format"),
    "/project/{project_id}/annotation-queues/{queue_id}/next": ("skip",),
    "/project/{project_id}/annotation-queues/{queue_id}/items/{item_id}": ("format",),
}  # fmt: skip


def _operations(schema: dict[str, Any]) -> list[tuple[str, str, list[dict[str, Any]]]]:
    """(method, path, parameters) of every reading or deleting operation of the public API."""
    return [
        (method.upper(), path, op.get("parameters", []))
        for path, ops in schema["paths"].items()
        for method, op in ops.items()
        if method in ("get", "delete")
    ]


def _fill(path: str, values: dict[str, str]) -> str:
    for name, value in values.items():
        path = path.replace("{" + name + "}", quote(value, safe="") or "x").replace(
            "{" + name + ":path}", quote(value, safe="") or "x"
        )
    return path


@pytest.fixture
async def seeded(app_client: httpx.AsyncClient) -> dict[str, str]:
    """Two traces, and a prompt, model, dataset (item, run), score config, queue (item) and media file to page on."""
    events = trace_batch("fuzz-1", user="u1", session="s1", tags=["t"]) + trace_batch("fuzz-2", user="u2")
    assert (await app_client.post("/api/public/ingestion", json={"batch": events})).json()["errors"] == []

    async def made(path: str, body: dict[str, Any]) -> Any:
        response = await app_client.post(path, json=body)
        assert response.status_code in (200, 201), (path, response.text)
        return response.json()

    await made(
        "/api/public/v2/prompts", {"name": "p/1", "type": "text", "prompt": "hi {{x}}", "labels": ["production"]}
    )
    await made("/api/public/v2/prompts", {"name": "p/1", "type": "text", "prompt": "hello {{x}}"})
    ids = {"name": "p/1"}
    model = {"modelName": "fuzz-model", "matchPattern": "(?i)^fuzz$", "unit": "TOKENS", "inputPrice": 1.0}
    ids["model_id"] = (await made("/api/public/models", model))["id"]
    ids["dataset_id"] = (await made("/api/public/v2/datasets", {"name": "ds"}))["id"]
    ids["item_id"] = (await made("/api/public/dataset-items", {"datasetName": "ds", "input": 1}))["id"]
    await made("/api/public/dataset-run-items", {"runName": "r1", "datasetItemId": ids["item_id"], "traceId": "fuzz-1"})
    config = (await made("/api/public/score-configs", {"name": "ok", "dataType": "BOOLEAN"}))["id"]
    ids["queue_id"] = (await made("/api/public/annotation-queues", {"name": "q", "scoreConfigIds": [config]}))["id"]
    queued = await made(f"/api/public/annotation-queues/{ids['queue_id']}/items", {"objectType": "TRACE",
                                                                                    "objectId": "fuzz-1"})  # fmt: skip
    ids["queue_item_id"] = queued["id"]
    data = b"fuzz file"
    announced = await made("/api/public/media", {
        "traceId": "fuzz-1", "contentType": "text/plain", "contentLength": len(data), "field": "input",
        "sha256Hash": base64.b64encode(hashlib.sha256(data).digest()).decode()})  # fmt: skip
    put = await app_client.put(announced["uploadUrl"], content=data, headers={"Content-Type": "text/plain"}, auth=None)
    assert put.status_code == 200, put.text
    ids["media_id"] = announced["mediaId"]
    return ids


Request = tuple[str, str, list[tuple[str, str]]]  # method, path, query


def examples(draw_one: Any, count: int = 150) -> list[Request]:
    """`count` requests drawn by hypothesis (run here, synchronously; the async test then sends them all)."""
    drawn: list[Request] = []

    @settings(max_examples=count, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def collect(data: st.DataObject) -> None:
        drawn.append(draw_one(data))

    collect()
    return drawn


_TIMES = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC))
_SANE = {"int": st.integers(0, 120).map(str), "time": _TIMES.map(lambda t: t.isoformat().replace("+00:00", "Z"))}


def _value(name: str) -> st.SearchStrategy[str]:
    """Mostly hostile values; a sane one often enough that the other parameters of a request are reached too."""
    lowered = name.lower()
    if lowered in ("page", "limit", "version") or lowered.endswith("_min") or lowered.endswith("_max"):
        return st.one_of(_SANE["int"], VALUE)
    if "time" in lowered or lowered.endswith("at") or lowered in ("from", "to"):
        return st.one_of(_SANE["time"], VALUE)
    return VALUE


def _query(data: st.DataObject, names: list[str]) -> list[tuple[str, str]]:
    """A few of `names` (each sent with a one in four chance), once or twice each."""
    query: list[tuple[str, str]] = []
    for name in names:
        if data.draw(st.integers(0, 3), label=f"send {name}") == 0:
            query += [(name, v) for v in data.draw(st.lists(_value(name), min_size=1, max_size=2), label=name)]
    return query


@pytest.mark.anyio
async def test_no_public_api_parameter_value_gives_a_5xx(app_client: httpx.AsyncClient, seeded: dict[str, str]) -> None:
    operations = _operations(app_client.app.openapi())  # type: ignore[attr-defined]

    def draw(data: st.DataObject) -> Request:
        method, path, parameters = data.draw(st.sampled_from(operations), label="operation")
        values = {p["name"]: data.draw(VALUE, label=p["name"]) for p in parameters if p["in"] == "path"}
        return method, _fill(path, values), _query(data, [p["name"] for p in parameters if p["in"] == "query"])

    for method, path, query in examples(draw) + [(m, _fill(p, {}), []) for m, p, _ in operations]:
        response = await app_client.request(method, path, params=query)
        assert response.status_code < 500, (method, path, query, response.text[:300])


@pytest.mark.anyio
async def test_every_ui_page_has_fuzzed_parameters(app_client: httpx.AsyncClient) -> None:
    pages = {path for method, path in route_table(app_client.app) if method == "GET"}  # type: ignore[attr-defined]
    pages = {p for p in pages if not p.startswith("/api/")}
    assert pages == set(UI_PARAMS), f"add the query parameters of new UI pages to UI_PARAMS: {pages ^ set(UI_PARAMS)}"


@pytest.mark.anyio
async def test_no_ui_parameter_value_gives_a_5xx(
    web: httpx.AsyncClient, project_id: str, seeded: dict[str, str]
) -> None:
    board_page = await web.get(f"/project/{project_id}/dashboards")
    board = await web.post(f"/project/{project_id}/dashboards", data={"csrf": csrf_of(board_page.text), "name": "d"})
    assert board.status_code == 303, board.text
    dashboard = str(board.headers["location"]).rsplit("/", 1)[1]
    real = {**seeded, "trace_id": "fuzz-1", "session_id": "s1", "user_id": "u1", "dashboard_id": dashboard,
            "table": "traces", "fmt": "csv"}  # fmt: skip

    def draw(data: st.DataObject) -> Request:
        path = data.draw(st.sampled_from(sorted(UI_PARAMS)), label="page")
        ids = {"project_id": data.draw(st.sampled_from([project_id, project_id, "nope"]), label="project")}
        for name, value in real.items():
            ids[name] = data.draw(st.one_of(st.just(value), st.just(value), VALUE), label=name)
        if "{item_id}" in path and "annotation-queues" in path:
            ids["item_id"] = data.draw(st.one_of(st.just(seeded["queue_item_id"]), VALUE), label="queue item")
        if "{table}" in path:
            ids["table"] = data.draw(st.sampled_from(["traces", "generations", "scores", "x"]), label="table")
            ids["fmt"] = data.draw(st.sampled_from(["csv", "jsonl", "parquet", "x"]), label="fmt")
        return "GET", _fill(path, ids), _query(data, list(UI_PARAMS[path]))

    for method, path, query in examples(draw, 250):
        response = await web.request(method, path, params=query)
        assert response.status_code < 500, (path, query, response.text[:300])
