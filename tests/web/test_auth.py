"""Sign-in, sign-out, CSRF and roles, through the in-process app like a browser would (cookies, forms)."""

from __future__ import annotations

import httpx
import pytest

from spyglass.accounts import ensure_first_user
from spyglass.config import Settings
from spyglass.domain.accounts import verify_password
from spyglass.store.base import Store
from tests.web.conftest import PASSWORD, csrf_of, sign_in


def _browser(app_client: httpx.AsyncClient) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=app_client._transport, base_url="http://spyglass.test")


@pytest.mark.anyio
async def test_signed_out_pages_redirect_to_sign_in_and_json_gets_401(
    app_client: httpx.AsyncClient, project_id: str
) -> None:
    async with _browser(app_client) as client:
        page = await client.get(f"/project/{project_id}/traces?user=u1")
        assert page.status_code == 303
        assert page.headers["location"] == f"/signin?next=%2Fproject%2F{project_id}%2Ftraces%3Fuser%3Du1"
        twin = await client.get(f"/project/{project_id}/traces", headers={"Accept": "application/json"})
        assert twin.status_code == 401
        assert twin.json()["message"] == "sign in first"


@pytest.mark.anyio
async def test_sign_in_sets_a_signed_http_only_cookie_and_sign_out_ends_it(
    app_client: httpx.AsyncClient, users: dict[str, str], project_id: str
) -> None:
    async with _browser(app_client) as client:
        response = await sign_in(client, users["viewer"].upper())  # emails are case-insensitive
        assert response.status_code == 303
        cookie = next(v for k, v in response.headers.multi_items() if k == "set-cookie" and "spyglass_session" in v)
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie
        page = await client.get(f"/project/{project_id}/traces")
        assert page.status_code == 200
        stolen = client.cookies.get("spyglass_session")
        assert stolen is not None
        out = await client.post("/signout", data={"csrf": csrf_of(page.text)})
        assert out.status_code == 303
        assert (await client.get(f"/project/{project_id}/traces")).status_code == 303
    async with _browser(app_client) as replay:
        # The old cookie is dead on the server, not just deleted in the browser.
        replay.cookies.set("spyglass_session", stolen)
        assert (await replay.get(f"/project/{project_id}/traces")).status_code == 303


@pytest.mark.anyio
async def test_wrong_password_and_forged_cookie_are_refused(
    app_client: httpx.AsyncClient, users: dict[str, str], project_id: str
) -> None:
    async with _browser(app_client) as client:
        wrong = await sign_in(client, users["member"], "not the password")
        assert wrong.status_code == 401
        assert "Wrong email or password." in wrong.text
        client.cookies.set("spyglass_session", "made-up-token.bad-signature")
        assert (await client.get(f"/project/{project_id}/traces")).status_code == 303


@pytest.mark.anyio
async def test_sign_in_form_and_mutations_need_the_csrf_token(
    app_client: httpx.AsyncClient, users: dict[str, str], project_id: str
) -> None:
    async with _browser(app_client) as client:
        no_token = await client.post("/signin", data={"email": users["member"], "password": PASSWORD})
        assert no_token.status_code == 403
        assert "CSRF" not in no_token.text or "expired" in no_token.text
        assert (await sign_in(client, users["member"])).status_code == 303
        forged = await client.post("/signout", data={"csrf": "guess"})
        assert forged.status_code == 403
        assert "CSRF token" in forged.text
        assert (await client.get(f"/project/{project_id}/traces")).status_code == 200


@pytest.mark.anyio
async def test_open_redirects_are_refused(app_client: httpx.AsyncClient, users: dict[str, str]) -> None:
    async with _browser(app_client) as client:
        form = await client.get("/signin?next=//evil.example/x")
        response = await client.post(
            "/signin",
            data={
                "email": users["member"],
                "password": PASSWORD,
                "csrf": csrf_of(form.text),
                "next": "//evil.example/x",
            },
        )
        assert response.headers["location"] == "/"


@pytest.mark.anyio
async def test_a_user_without_a_role_in_the_project_gets_404(
    app_client: httpx.AsyncClient, store: Store, project_id: str, users: dict[str, str]
) -> None:
    other = await store.create_project("other")
    async with _browser(app_client) as client:
        await sign_in(client, users["owner"])
        assert (await client.get(f"/project/{other.id}/traces")).status_code == 404
        home = await client.get("/?format=json")
        assert [p["name"] for p in home.json()["projects"]] == ["default"]
    async with _browser(app_client) as client:
        await sign_in(client, users["admin-instance"])
        assert (await client.get(f"/project/{other.id}/traces")).status_code == 200


@pytest.mark.anyio
async def test_first_start_makes_one_admin_from_the_environment(store: Store, settings: Settings) -> None:
    configured = Settings(
        data_dir=settings.data_dir, init_user_email="Boss@Example.com", init_user_password="s3cret-pass"
    )
    first = await ensure_first_user(store, configured)
    assert first is not None and first.password is None  # given, so not printed
    assert first.user.email == "boss@example.com" and first.user.is_admin
    assert verify_password("s3cret-pass", first.user.password_hash)
    assert first.user.password_hash.startswith("$argon2id$")
    assert await ensure_first_user(store, configured) is None  # only once


@pytest.mark.anyio
async def test_first_start_without_a_password_generates_one(store: Store, settings: Settings) -> None:
    first = await ensure_first_user(store, settings)
    assert first is not None and first.password is not None and len(first.password) >= 12
    assert verify_password(first.password, first.user.password_hash)


@pytest.mark.anyio
async def test_a_weak_init_password_stops_the_start_with_the_reason(store: Store, settings: Settings) -> None:
    weak = Settings(data_dir=settings.data_dir, init_user_email="boss@example.com", init_user_password="short")
    with pytest.raises(SystemExit, match="at least 8 characters"):
        await ensure_first_user(store, weak)
    assert await store.count_users() == 0
