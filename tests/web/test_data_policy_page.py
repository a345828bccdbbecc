"""The project's retention and masking page: owners set it, others see it; a saved masking rule applies to the
next ingested trace at once, so the traces search cannot find the masked text."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest

from tests.web.conftest import csrf_of, sign_in
from tests.web.factory import trace_batch
from tests.web.test_traces_pages import ingest, rows

pytestmark = pytest.mark.anyio


@asynccontextmanager
async def as_user(app_client: httpx.AsyncClient, email: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=app_client._transport, base_url="http://spyglass.test") as client:
        await sign_in(client, email)
        yield client


async def test_owner_sets_masking_and_search_no_longer_finds_the_text(
    app_client: httpx.AsyncClient, web: httpx.AsyncClient, users: dict[str, str], project_id: str
) -> None:
    url = f"/project/{project_id}/settings/data"
    async with as_user(app_client, users["owner"]) as owner:
        token = csrf_of((await owner.get(url)).text)
        saved = await owner.post(
            url,
            data={"csrf": token, "retention_days": "30", "rule": ["email", "api_key"], "patterns": "ORDER-\\d{6}\n"},
        )
        assert saved.status_code == 303
        policy = (await owner.get(url + "?format=json")).json()
    assert policy["retention_days"] == 30 and policy["patterns"] == ["ORDER-\\d{6}"]
    assert {r["name"] for r in policy["rules"] if r["on"]} == {"email", "api_key"}

    await ingest(
        app_client,
        trace_batch("masked", question="I am dora@example.org, order ORDER-123456", answer="key sk-abcdefghijklmnop12"),
    )
    trace = (await app_client.get("/api/public/traces/masked")).json()
    assert trace["input"] == "I am [REDACTED:email], order [REDACTED:custom]"
    assert trace["output"] == "key [REDACTED:api_key]"
    assert (await rows(web, project_id, "q=dora@example"))["rows"] == []
    assert (await rows(web, project_id, "q=ORDER-123456"))["rows"] == []
    assert [r["id"] for r in (await rows(web, project_id, "q=REDACTED:email"))["rows"]] == ["masked"]


async def test_only_owners_change_the_policy(
    app_client: httpx.AsyncClient, web: httpx.AsyncClient, users: dict[str, str], project_id: str
) -> None:
    url = f"/project/{project_id}/settings/data"
    page = await web.get(url)
    assert page.status_code == 200 and "Only the project's owners change these." in page.text
    refused = await web.post(url, data={"csrf": csrf_of(page.text), "retention_days": "1"})
    assert refused.status_code == 403
    async with as_user(app_client, users["admin"]) as admin:
        refused = await admin.post(url, data={"csrf": csrf_of((await admin.get(url)).text), "retention_days": "1"})
        assert refused.status_code == 403
    assert (await web.get(url + "?format=json")).json()["retention_days"] is None


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"retention_days": "0"}, "retention must be from 1"),
        ({"retention_days": "ten"}, "whole number of days"),
        ({"retention_days": "99999999"}, "whole number of days"),
        ({"rule": "passwords"}, "unknown masking rule"),
        ({"patterns": "(a"}, "is not a valid regular expression"),
        ({"patterns": "(a)\\1"}, "backreferences"),
        ({"patterns": "x*"}, "matches the empty string"),
    ],
)
async def test_bad_policies_are_refused_with_the_reason(
    app_client: httpx.AsyncClient, users: dict[str, str], project_id: str, form: dict[str, str], message: str
) -> None:
    url = f"/project/{project_id}/settings/data"
    async with as_user(app_client, users["owner"]) as owner:
        token = csrf_of((await owner.get(url)).text)
        refused = await owner.post(url, data={"csrf": token, **form}, headers={"accept": "application/json"})
    assert refused.status_code == 400
    assert message in refused.json()["message"]
