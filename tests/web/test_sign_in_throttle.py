"""The sign-in throttle: per (account, client) with a growing wait, never a hard lock of the right password, and
X-Forwarded-For believed only from the trusted proxies of SPYGLASS_TRUSTED_PROXIES."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from fastapi import FastAPI

from spyglass.app import create_app
from spyglass.config import Settings, settings_from_env
from spyglass.store.base import Store
from spyglass.web.throttle import SignInThrottle
from tests.web.conftest import PASSWORD, sign_in


class Clock:
    """The throttle's clock, moved by the test instead of waited for."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(app_client: httpx.AsyncClient) -> Iterator[Clock]:
    made = Clock()
    app: FastAPI = app_client.app  # type: ignore[attr-defined]
    app.state.sign_in_throttle = SignInThrottle(clock=made)
    yield made


def _client(app: FastAPI, address: str = "127.0.0.1", **headers: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 50_000))
    return httpx.AsyncClient(transport=transport, base_url="http://spyglass.test", headers=headers)


async def _post(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    return await sign_in(client, email, password)


@pytest.mark.anyio
async def test_wrong_passwords_buy_a_growing_wait_then_the_right_one_works(
    app_client: httpx.AsyncClient, users: dict[str, str], clock: Clock
) -> None:
    app: FastAPI = app_client.app  # type: ignore[attr-defined]
    async with _client(app) as client:
        for _ in range(5):
            assert (await _post(client, users["viewer"], "wrong-password")).status_code == 401
        held = await _post(client, users["viewer"], PASSWORD)
        assert held.status_code == 429 and "Too many failed sign-ins" in held.text
        assert held.headers["retry-after"] == "2"
        clock.now += 2
        assert (await _post(client, users["viewer"], "wrong-password")).status_code == 401
        assert (await _post(client, users["viewer"], PASSWORD)).headers["retry-after"] == "4"  # doubles
        for _ in range(10):  # a long guessing run: the wait grows, but never past five minutes
            clock.now += 301
            assert (await _post(client, users["viewer"], "wrong-password")).status_code == 401
        assert (await _post(client, users["viewer"], PASSWORD)).headers["retry-after"] == "300"
        # Other accounts from this client, and this account from another client, are not held back.
        assert (await _post(client, users["member"], PASSWORD)).status_code == 303
    async with _client(app, "192.0.2.7") as elsewhere:
        assert (await _post(elsewhere, users["viewer"], PASSWORD)).status_code == 303
    async with _client(app) as client:
        clock.now += 300
        assert (await _post(client, users["viewer"], PASSWORD)).status_code == 303  # the wait over, it works
    async with _client(app) as client:  # and a success starts the count again
        assert (await _post(client, users["viewer"], "wrong-password")).status_code == 401


@pytest.mark.anyio
async def test_empty_passwords_neither_count_nor_reset_the_throttle(
    app_client: httpx.AsyncClient, users: dict[str, str], clock: Clock
) -> None:
    app: FastAPI = app_client.app  # type: ignore[attr-defined]
    async with _client(app) as client:
        for _ in range(30):
            empty = await _post(client, users["viewer"], "")
            assert empty.status_code == 400 and "Enter your email and password" in empty.text
        for _ in range(5):
            assert (await _post(client, users["viewer"], "wrong-password")).status_code == 401
        for _ in range(30):
            assert (await _post(client, users["viewer"], "")).status_code == 400
        assert (await _post(client, users["viewer"], "wrong-password")).status_code == 429


@pytest.mark.anyio
async def test_x_forwarded_for_from_an_untrusted_peer_is_ignored(
    app_client: httpx.AsyncClient, users: dict[str, str], clock: Clock
) -> None:
    app: FastAPI = app_client.app  # type: ignore[attr-defined]
    for n in range(5):
        async with _client(app, **{"X-Forwarded-For": f"198.51.100.{n}"}) as client:
            assert (await _post(client, users["viewer"], "wrong-password")).status_code == 401
    async with _client(app, **{"X-Forwarded-For": "198.51.100.99"}) as client:
        assert (await _post(client, users["viewer"], "wrong-password")).status_code == 429


@pytest.fixture
async def proxied_app(settings: Settings, store: Store, app_client: httpx.AsyncClient) -> AsyncIterator[FastAPI]:
    """The app behind a reverse proxy at 10.0.0.2 (SPYGLASS_TRUSTED_PROXIES=10.0.0.0/24)."""
    app = create_app(dataclasses.replace(settings, trusted_proxies=("10.0.0.0/24",)), store)
    app.state.sign_in_throttle = SignInThrottle(clock=Clock())
    async with app.router.lifespan_context(app):
        yield app


@pytest.mark.anyio
async def test_behind_a_trusted_proxy_each_forwarded_client_is_counted_alone(
    proxied_app: FastAPI, users: dict[str, str]
) -> None:
    for n in range(5):
        # A client's own X-Forwarded-For entry comes first; the proxy appends the address it saw.
        async with _client(proxied_app, "10.0.0.2", **{"X-Forwarded-For": f"6.6.6.6, 203.0.113.{n}"}) as client:
            assert (await _post(client, users["viewer"], "wrong-password")).status_code == 401
    async with _client(proxied_app, "10.0.0.2", **{"X-Forwarded-For": "203.0.113.4"}) as client:
        assert (await _post(client, users["viewer"], "wrong-password")).status_code == 401  # its 2nd failure
    async with _client(proxied_app, "10.0.0.2", **{"X-Forwarded-For": "203.0.113.1"}) as client:
        for _ in range(3):
            assert (await _post(client, users["viewer"], "wrong-password")).status_code == 401
        assert (await _post(client, users["viewer"], "wrong-password")).status_code == 401  # 5th of this client
        assert (await _post(client, users["viewer"], PASSWORD)).status_code == 429
    async with _client(proxied_app, "10.0.0.2", **{"X-Forwarded-For": "203.0.113.50"}) as client:
        assert (await _post(client, users["viewer"], PASSWORD)).status_code == 303


def test_trusted_proxies_come_from_the_environment_and_bad_ones_stop_the_start() -> None:
    assert settings_from_env({}).trusted_proxies == ()
    env = {"SPYGLASS_TRUSTED_PROXIES": "10.0.0.0/8, ::1"}
    assert settings_from_env(env).trusted_proxies == ("10.0.0.0/8", "::1")
    with pytest.raises(SystemExit, match=r"SPYGLASS_TRUSTED_PROXIES: 'proxy\.local' is not an IP address"):
        settings_from_env({"SPYGLASS_TRUSTED_PROXIES": "proxy.local"})
