"""Hostile or odd requests to the UI get a 4xx or a sane page, never a 500; public links show the trace, not the
team's notes; secrets are never shown after creation; every UI response carries the browser security headers."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import httpx
import pytest

from spyglass.config import Settings
from spyglass.projects import bootstrap
from spyglass.store import open_store
from spyglass.store.base import Store
from tests.web.conftest import PASSWORD, csrf_of, sign_in
from tests.web.factory import trace_batch


def _browser(app_client: httpx.AsyncClient) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=app_client._transport, base_url="http://spyglass.test")


async def _ingest(app_client: httpx.AsyncClient, events: list[dict[str, Any]]) -> None:
    response = await app_client.post("/api/public/ingestion", json={"batch": events})
    assert response.status_code == 207 and response.json()["errors"] == [], response.text


@pytest.mark.anyio
async def test_non_ascii_cookies_and_csrf_values_get_4xx_before_and_after_sign_in(
    app_client: httpx.AsyncClient, users: dict[str, str], project_id: str
) -> None:
    odd = "été☃".encode()
    async with _browser(app_client) as client:
        for cookie in (b"spyglass_session=" + odd, b"spyglass_session=abc." + odd, b"spyglass_csrf=" + odd):
            page = await client.get("/signin", headers={"cookie": cookie})
            assert page.status_code == 200 and 'name="csrf"' in page.text
            assert (await client.get(f"/project/{project_id}/traces", headers={"cookie": cookie})).status_code == 303
        client.cookies.clear()
        await client.get("/signin")
        refused = await client.post("/signin", data={"email": users["member"], "password": PASSWORD, "csrf": "été"})
        assert refused.status_code == 403 and "sign-in form expired" in refused.text
        assert (await sign_in(client, users["member"])).status_code == 303
        page = await client.get(f"/project/{project_id}/traces/x")
        forged = await client.post(
            f"/project/{project_id}/trace-flags/x", data={"csrf": "été☃", "flag": "bookmarked", "on": "1"}
        )
        assert forged.status_code == 403 and "CSRF" in forged.text
        header = await client.post(f"/project/{project_id}/trace-flags/x", headers={"x-csrf-token": odd})
        assert header.status_code == 403
        assert page.status_code == 404


@pytest.mark.anyio
async def test_page_numbers_huge_or_not_ascii_digits_are_400(web: httpx.AsyncClient, project_id: str) -> None:
    for value in ("99999999999999999999999", "٣", "²", "0", "-1", "1.5"):
        response = await web.get(f"/project/{project_id}/scores", params={"page": value})
        assert response.status_code == 400 and "page must be a whole number" in response.text, value
    for value in ("٣", "²", "10000000000000000000000"):
        response = await web.get(f"/project/{project_id}/traces", params={"limit": value})
        assert response.status_code == 400 and "limit must be a whole number" in response.text, value
    assert (await web.get(f"/project/{project_id}/scores", params={"page": "1000000"})).status_code == 200


@pytest.mark.anyio
async def test_a_nul_byte_anywhere_in_a_url_is_400(
    web: httpx.AsyncClient, app_client: httpx.AsyncClient, project_id: str
) -> None:
    for params in ({"q": "ab\x00cd"}, {"q": "\x00"}, {"name": "a\x00"}, {"user": "\x00x"}):
        response = await web.get(f"/project/{project_id}/traces", params=params)
        assert response.status_code == 400 and "NUL" in response.text, params
    assert (await web.get(f"/project/{project_id}/traces/a%00b")).status_code == 400
    assert (await app_client.get("/api/public/traces", params={"name": "x\x00"})).status_code == 400
    assert (await web.get(f"/project/{project_id}/traces", params={"q": "ab cd"})).status_code == 200


def _nested(depth: int) -> Any:
    value: Any = "bottom"
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.anyio
async def test_a_deeply_nested_trace_renders_and_its_json_twin_is_cut_with_a_note(
    web: httpx.AsyncClient, app_client: httpx.AsyncClient, project_id: str
) -> None:
    deep = [{"id": "d1", "type": "trace-create", "timestamp": "2026-03-01T12:00:00Z",
             "body": {"id": "deep", "name": "deep", "input": _nested(253), "output": _nested(120)}}]  # fmt: skip
    chain = [
        {"id": f"o{i}", "type": "span-create", "timestamp": "2026-03-01T12:00:00Z",
         "body": {"id": f"span-{i}", "traceId": "deep", "name": f"level {i}", "startTime": "2026-03-01T12:00:00Z",
                  **({"parentObservationId": f"span-{i - 1}"} if i else {})}}
        for i in range(300)
    ]  # fmt: skip
    await _ingest(app_client, deep + chain)
    html = await web.get(f"/project/{project_id}/traces/deep")
    assert html.status_code == 200 and "level 299" in html.text
    twin = await web.get(f"/project/{project_id}/traces/deep?format=json")
    assert twin.status_code == 200
    assert "nested deeper than 200 levels" in twin.text
    assert twin.json()["view"]["trace"]["name"] == "deep"
    selected = await web.get(f"/project/{project_id}/traces/deep?format=json&observation=span-299")
    assert selected.status_code == 200 and selected.json()["view"]["selected"]["name"] == "level 299"
    whole = await app_client.get("/api/public/traces/deep")
    assert whole.status_code == 200 and "nested deeper" not in whole.text


@pytest.mark.anyio
async def test_a_public_link_shows_the_trace_but_not_the_teams_notes(
    app_client: httpx.AsyncClient, users: dict[str, str], project_id: str
) -> None:
    await _ingest(app_client, trace_batch("shared", question="What is shared?"))
    sdk_score = {"traceId": "shared", "name": "user_feedback", "value": 4, "comment": "sdk-note", "metadata": {"m": 1}}
    assert (await app_client.post("/api/public/scores", json=sdk_score)).status_code == 200
    async with _browser(app_client) as owner, _browser(app_client) as anonymous:
        await sign_in(owner, users["owner"])
        page = await owner.get(f"/project/{project_id}/traces/shared")
        note = {"csrf": csrf_of(page.text), "name": "internal-review", "data_type": "CATEGORICAL",
                "value": "needs-work", "comment": "team-only remark"}  # fmt: skip
        assert (await owner.post(f"/project/{project_id}/trace-scores/shared", data=note)).status_code == 303
        flag = {"csrf": csrf_of(page.text), "flag": "public", "on": "1"}
        assert (await owner.post(f"/project/{project_id}/trace-flags/shared", data=flag)).status_code == 303
        inside = (await owner.get(f"/project/{project_id}/traces/shared?format=json")).json()["view"]["scores"]
        assert {s["name"] for s in inside} == {"user_feedback", "internal-review"}
        for view in (f"/public/{project_id}/traces/shared", f"/public/{project_id}/traces/shared?format=json"):
            shown = await anonymous.get(view)
            assert shown.status_code == 200 and "What is shared?" in shown.text
            for hidden in ("team-only remark", "internal-review", "sdk-note", users["owner"], "signed-in-as"):
                assert hidden not in shown.text, (view, hidden)
        public = (await anonymous.get(f"/public/{project_id}/traces/shared?format=json")).json()["view"]
        assert [(s["name"], s["value"], s["comment"], s["author_user_id"]) for s in public["scores"]] == [
            ("user_feedback", 4.0, None, None)
        ]


@pytest.mark.anyio
async def test_no_one_sees_any_part_of_a_secret_after_it_was_created(
    app_client: httpx.AsyncClient, users: dict[str, str], project_id: str
) -> None:
    from tests.support.server import SECRET_KEY

    for role in ("viewer", "owner", "admin-instance"):
        async with _browser(app_client) as client:
            await sign_in(client, users[role])
            page = await client.get(f"/project/{project_id}/settings/keys")
            twin = await client.get(f"/project/{project_id}/settings/keys?format=json")
            assert page.status_code == twin.status_code == 200
            for shown in (page.text, twin.text):
                assert "pk-lf-test" in shown and SECRET_KEY[6:] not in shown and "sk-lf-" not in shown, role
            if role == "owner":
                created = await client.post(f"/project/{project_id}/settings/keys?format=json",
                                            data={"csrf": csrf_of(page.text)})  # fmt: skip
                secret = created.json()["new_secret_key"]
                listed = (await client.get(f"/project/{project_id}/settings/keys?format=json")).text
                assert secret not in listed and secret[-4:] not in listed


@pytest.mark.anyio
async def test_every_ui_response_carries_the_security_headers(
    app_client: httpx.AsyncClient, web: httpx.AsyncClient, project_id: str
) -> None:
    async with _browser(app_client) as anonymous:
        responses = [
            await anonymous.get("/signin"),
            await anonymous.get(f"/project/{project_id}/traces"),  # the redirect to sign in
            await anonymous.get("/static/app.js"),
            await anonymous.get("/public/nope/traces/nope"),
            await anonymous.get("/no/such/page"),
            await web.get(f"/project/{project_id}/traces"),
            await web.get(f"/project/{project_id}/traces?format=json"),
            await web.get(f"/project/{project_id}/scores?page=x"),
            await web.get(f"/project/{project_id}/traces?q=%00"),
        ]
    for response in responses:
        headers = response.headers
        assert "script-src 'self'" in headers["content-security-policy"], response.url
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff" and headers["x-frame-options"] == "DENY"
        assert headers["referrer-policy"] == "same-origin"
    assert [r.status_code for r in responses] == [200, 303, 200, 404, 404, 200, 200, 400, 400]
    html = responses[0].text + responses[5].text
    assert "<script>" not in html and " style=" not in html and " onclick=" not in html  # CSP needs no exceptions


@pytest.mark.anyio
async def test_swagger_ui_is_not_served_but_the_openapi_schema_is(app_client: httpx.AsyncClient) -> None:
    assert (await app_client.get("/api/docs")).status_code == 404
    assert (await app_client.get("/api/redoc")).status_code == 404
    schema = await app_client.get("/api/openapi.json")
    assert schema.status_code == 200 and "/api/public/traces" in schema.json()["paths"]


@pytest.mark.anyio
async def test_a_short_init_secret_stops_the_start_with_the_reason(store: Store, settings: Settings) -> None:
    short = Settings(data_dir=settings.data_dir, init_public_key="pk-lf-short", init_secret_key="sk-lf-123456789")
    with pytest.raises(SystemExit, match="must be at least 16 characters"):
        await bootstrap(store, short)
    assert await store.find_api_key("pk-lf-short") is None


@pytest.mark.anyio
async def test_the_data_dir_and_database_files_are_private(tmp_path: Path) -> None:
    data_dir = tmp_path / "fresh" / "data"
    opened = open_store(f"sqlite:///{data_dir / 'spyglass.db'}")
    try:
        await opened.migrate()
        await opened.create_project("another")
        assert stat.S_IMODE(os.stat(data_dir).st_mode) == 0o700
        files = sorted(p.name for p in data_dir.iterdir())
        assert {"spyglass.db", "spyglass.db-wal", "spyglass.db-shm"} <= set(files)
        for name in files:
            assert stat.S_IMODE(os.stat(data_dir / name).st_mode) == 0o600, name
    finally:
        await opened.close()


@pytest.mark.anyio
async def test_a_nul_byte_in_a_form_field_is_400(
    app_client: httpx.AsyncClient, users: dict[str, str], project_id: str
) -> None:
    await _ingest(app_client, trace_batch("formed"))
    async with _browser(app_client) as client:
        await client.get("/signin")
        token = client.cookies["spyglass_csrf"]
        for email, password in ((users["owner"] + "\x00", PASSWORD), (users["owner"], PASSWORD + "\x00")):
            form = {"email": email, "password": password, "csrf": token, "next": "/"}
            assert (await client.post("/signin", data=form)).status_code in (400, 401)
        assert (await sign_in(client, users["owner"])).status_code == 303
        csrf = csrf_of((await client.get(f"/project/{project_id}/traces/formed")).text)
        score = {"csrf": csrf, "name": "n\x00", "data_type": "CATEGORICAL", "value": "v\x00", "comment": "c\x00"}
        assert (await client.post(f"/project/{project_id}/trace-scores/formed", data=score)).status_code == 400
        key = await client.post(f"/project/{project_id}/settings/keys", data={"csrf": csrf, "note": "n\x00"})
        assert key.status_code == 400
        flag = {"csrf": csrf, "flag": "bookmarked\x00", "on": "1"}
        assert (await client.post(f"/project/{project_id}/trace-flags/formed", data=flag)).status_code == 400
        revoke = {"csrf": csrf, "public_key": "pk\x00"}
        assert (await client.post(f"/project/{project_id}/settings/keys/revoke", data=revoke)).status_code in (400, 404)


@pytest.mark.slow
def test_spyglass_serve_refuses_a_short_init_secret_and_keeps_its_files_private(tmp_path: Path) -> None:
    from tests.support.server import ServerProcess

    short = ServerProcess(tmp_path / "short", env={"SPYGLASS_INIT_SECRET_KEY": "sk-lf-short"})
    with pytest.raises(RuntimeError, match="must be at least 16 characters"):
        short.start()
    served = ServerProcess(tmp_path / "served").start()
    try:
        data_dir = tmp_path / "served"
        for name in ("spyglass.db", "spyglass.db-wal", "spyglass.db-shm", "default-keys.env"):
            if (data_dir / name).exists():
                assert stat.S_IMODE(os.stat(data_dir / name).st_mode) == 0o600, name
        assert stat.S_IMODE(os.stat(data_dir / "spyglass.db").st_mode) == 0o600
        docs = httpx.get(f"{served.url}/api/docs", timeout=10)
        assert docs.status_code == 404 and "cdn" not in docs.text.lower()
    finally:
        served.stop()
