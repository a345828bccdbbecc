"""Model prices page: built-in and project definitions, add/edit/delete, the matcher, and re-pricing by role."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.web.conftest import csrf_of, sign_in
from tests.web.factory import T0, trace_batch
from tests.web.test_traces_pages import ingest


@pytest.fixture
async def as_role(app_client: httpx.AsyncClient, users: dict[str, str]) -> AsyncIterator[Any]:
    """Sign a fresh browser-like client in as the user with a role; closed at the end."""
    clients: list[httpx.AsyncClient] = []

    async def signed(role: str) -> httpx.AsyncClient:
        client = httpx.AsyncClient(transport=app_client._transport, base_url="http://spyglass.test")
        clients.append(client)
        assert (await sign_in(client, users[role])).status_code == 303
        return client

    yield signed
    for client in clients:
        await client.aclose()


async def _csrf(client: httpx.AsyncClient, project_id: str) -> str:
    return csrf_of((await client.get(f"/project/{project_id}/models")).text)


FORM = {"model_name": "acme-large", "match_pattern": "(?i)^acme-large$", "unit": "TOKENS", "input_price": "0.001",
        "output_price": "0.002"}  # fmt: skip


@pytest.mark.anyio
async def test_lists_builtin_definitions_and_matches_names_like_ingestion(
    web: httpx.AsyncClient, project_id: str
) -> None:
    page = (await web.get(f"/project/{project_id}/models?format=json&match=gpt-4o-mini-2024-07-18")).json()
    assert page["project_models"] == [] and len(page["builtin_models"]) > 20
    mini = next(m for m in page["builtin_models"] if m["model_name"] == "gpt-4o-mini")
    assert mini["builtin"] and mini["prices"]["input"] > 0 and mini["match_pattern"]
    assert page["match"]["matched"]["model_name"] == "gpt-4o-mini"
    assert page["can_manage"] is False and page["can_recompute"] is False
    none = (await web.get(f"/project/{project_id}/models?format=json&match=unheard-of-model")).json()
    assert none["match"]["matched"] is None
    html = (await web.get(f"/project/{project_id}/models?match=<b>x</b>")).text
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html
    assert (await web.get(f"/project/{project_id}/models?match=x&at=yesterday")).status_code == 400


@pytest.mark.anyio
async def test_admin_adds_edits_and_deletes_a_project_price(
    as_role: Any, app_client: httpx.AsyncClient, project_id: str
) -> None:
    admin = await as_role("admin")
    csrf = await _csrf(admin, project_id)
    added = await admin.post(f"/project/{project_id}/models", data={"csrf": csrf, **FORM})
    assert added.status_code == 303
    listed = (await app_client.get("/api/public/models")).json()["data"]
    own = [m for m in listed if not m["isLangfuseManaged"]]
    assert [(m["modelName"], m["inputPrice"], m["outputPrice"]) for m in own] == [("acme-large", 0.001, 0.002)]
    model_id = own[0]["id"]

    page = (await admin.get(f"/project/{project_id}/models?format=json&match=ACME-large")).json()
    assert page["match"]["matched"]["id"] == model_id and not page["match"]["matched"]["builtin"]
    edit = (await admin.get(f"/project/{project_id}/models/{model_id}?format=json")).json()
    assert edit["form"]["input_price"] == "0.001" and edit["model_id"] == model_id

    edited = await admin.post(f"/project/{project_id}/models/{model_id}",
                              data={"csrf": csrf, **FORM, "input_price": "0.003"})  # fmt: skip
    assert edited.status_code == 303
    own = [m for m in (await app_client.get("/api/public/models")).json()["data"] if not m["isLangfuseManaged"]]
    assert [(m["modelName"], m["inputPrice"]) for m in own] == [("acme-large", 0.003)]

    deleted = await admin.post(f"/project/{project_id}/models/{own[0]['id']}/delete", data={"csrf": csrf})
    assert deleted.status_code == 303
    assert not [m for m in (await app_client.get("/api/public/models")).json()["data"] if not m["isLangfuseManaged"]]
    gone = await admin.post(f"/project/{project_id}/models/{own[0]['id']}/delete", data={"csrf": csrf})
    assert gone.status_code == 404
    builtin = await admin.post(f"/project/{project_id}/models/builtin-gpt-4o/delete", data={"csrf": csrf})
    assert builtin.status_code == 409 and "built-in" in builtin.text


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"match_pattern": "([unclosed"}, "is not a valid regular expression"),
        ({"input_price": "cheap"}, "must be a non-negative number"),
        ({"input_price": "-1"}, "must be a non-negative number"),
        ({"total_price": "0.1"}, "totalPrice cannot be set together"),
        ({"model_name": " "}, "modelName is required"),
        ({"pricing_tiers": "[oops"}, "pricingTiers is not valid JSON"),
        ({"input_price": "", "output_price": "", "pricing_tiers": "[]"}, "pricingTiers must be a non-empty list"),
        ({"start_date": "soon"}, "startDate is not an ISO-8601 timestamp"),
    ],
)
async def test_a_bad_definition_gets_the_api_validators_400(
    as_role: Any, project_id: str, fields: dict[str, str], message: str
) -> None:
    admin = await as_role("admin")
    response = await admin.post(f"/project/{project_id}/models",
                                data={"csrf": await _csrf(admin, project_id), **FORM, **fields})  # fmt: skip
    assert response.status_code == 400 and message in response.text.replace("&#39;", "'")
    assert 'value="acme-large"' in response.text or fields.get("model_name") == " "


@pytest.mark.anyio
async def test_tiers_and_other_usage_keys_through_the_json_field(as_role: Any, project_id: str) -> None:
    admin = await as_role("admin")
    tiers = ('[{"name": "Standard", "isDefault": true, "priority": 0, "prices": {"input": 1e-6, "input_cached": 1e-7}},'
             ' {"name": "Long", "isDefault": false, "priority": 1, "prices": {"input": 2e-6},'
             ' "conditions": [{"usageDetailPattern": "input", "operator": "gt", "value": 200000}]}]')  # fmt: skip
    data = {**FORM, "input_price": "", "output_price": "", "pricing_tiers": tiers}
    assert (await admin.post(f"/project/{project_id}/models", data={"csrf": await _csrf(admin, project_id), **data})
            ).status_code == 303  # fmt: skip
    row = (await admin.get(f"/project/{project_id}/models?format=json")).json()["project_models"][0]
    assert row["prices"] == {"input": 1e-6, "input_cached": 1e-7}
    assert [(t["name"], t["conditions"]) for t in row["tiers"]] == [("Standard", []), ("Long", ["input gt 200000"])]
    html = (await admin.get(f"/project/{project_id}/models")).text
    assert "when input gt 200000" in html


@pytest.mark.anyio
async def test_owner_previews_then_recomputes_this_projects_costs(
    as_role: Any, app_client: httpx.AsyncClient, project_id: str
) -> None:
    events = trace_batch("priced-later", at=T0, tokens=(1000, 500), cost=None)
    events[2]["body"]["model"] = "acme-large"
    await ingest(app_client, events)
    assert (await app_client.get("/api/public/traces/priced-later")).json()["totalCost"] == 0
    owner = await as_role("owner")
    csrf = await _csrf(owner, project_id)
    assert (await owner.post(f"/project/{project_id}/models", data={"csrf": csrf, **FORM})).status_code == 303

    window = {"csrf": csrf, "since": "2026-03-01T00:00", "until": "2026-03-02T00:00", "model": "^acme"}
    preview = (await owner.post(f"/project/{project_id}/models/recompute?format=json",
                                data={**window, "dry_run": "1"})).json()["recompute"]  # fmt: skip
    assert (preview["report"]["changed"], preview["report"]["dry_run"]) == (1, True)
    assert preview["summary"].startswith("Examined 1 generations; would change 1 (on 1 traces)")
    assert (await app_client.get("/api/public/traces/priced-later")).json()["totalCost"] == 0

    outside = (
        await owner.post(
            f"/project/{project_id}/models/recompute?format=json",
            data={**window, "since": "2026-03-02T00:00", "until": "", "dry_run": "1"},
        )
    ).json()
    assert outside["recompute"]["report"]["examined"] == 0  # fmt: skip

    html = (await owner.post(f"/project/{project_id}/models/recompute", data={**window, "dry_run": "0"})).text
    assert "changed 1 (on 1 traces)" in html
    assert (await app_client.get("/api/public/traces/priced-later")).json()["totalCost"] == pytest.approx(2.0)

    bad = await owner.post(f"/project/{project_id}/models/recompute", data={**window, "model": "(("})
    assert bad.status_code == 400 and "not a valid regular expression" in bad.text
    backwards = await owner.post(f"/project/{project_id}/models/recompute",
                                 data={**window, "since": "2026-03-03T00:00"})  # fmt: skip
    assert backwards.status_code == 400 and "until must be after since" in backwards.text


@pytest.mark.anyio
async def test_roles_member_reads_admin_edits_only_owner_recomputes(as_role: Any, project_id: str) -> None:
    member = await as_role("member")
    csrf = await _csrf(member, project_id)
    assert (await member.post(f"/project/{project_id}/models", data={"csrf": csrf, **FORM})).status_code == 403
    assert (await member.get(f"/project/{project_id}/models/new")).status_code == 403
    builtin = (await member.get(f"/project/{project_id}/models/builtin-gpt-4o")).text
    assert 'data-testid="builtin-detail"' in builtin and 'data-testid="override"' not in builtin
    admin = await as_role("admin")
    admin_csrf = await _csrf(admin, project_id)
    page = (await admin.get(f"/project/{project_id}/models?format=json")).json()
    assert (page["can_manage"], page["can_recompute"]) == (True, False)
    refused = await admin.post(f"/project/{project_id}/models/recompute", data={"csrf": admin_csrf, "dry_run": "1"})
    assert refused.status_code == 403
    assert (await admin.post(f"/project/{project_id}/models", data=FORM)).status_code == 403  # no CSRF token
    owner = await as_role("owner")
    assert (await owner.get(f"/project/{project_id}/models?format=json")).json()["can_recompute"] is True
