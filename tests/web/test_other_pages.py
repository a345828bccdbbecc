"""Sessions, users, scores, generations and API keys pages, through their JSON twins and a little HTML."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from tests.web.conftest import csrf_of, sign_in
from tests.web.factory import T0, trace_batch
from tests.web.test_traces_pages import ingest


@pytest.fixture
async def conversation(app_client: httpx.AsyncClient) -> None:
    """Two sessions: 'conv-a' with three turns by ann (the middle one scored), 'conv-b' with one turn by ben."""
    events: list[dict[str, Any]] = []
    for i, (q, a) in enumerate((("Hi", "Hello!"), ("Weather?", "Sunny."), ("Bye", "See you."))):
        events += trace_batch(f"a-{i}", at=T0 + timedelta(minutes=i), user="ann", session="conv-a", question=q,
                              answer=a, latency_ms=1000, tokens=(100, 50), cost=0.01)  # fmt: skip
    events += trace_batch("b-0", at=T0 + timedelta(hours=1), user="ben", session="conv-b", cost=0.5)
    await ingest(app_client, events)
    for body in (
        {"traceId": "a-1", "name": "thumbs", "value": 1, "dataType": "BOOLEAN"},
        {"traceId": "a-1", "name": "quality", "value": 0.25},
        {"traceId": "b-0", "name": "quality", "value": 0.75, "comment": "fine"},
        {"traceId": "b-0", "name": "tone", "value": "friendly"},
        {"sessionId": "conv-a", "name": "resolved", "value": "yes"},
    ):
        assert (await app_client.post("/api/public/scores", json=body)).status_code == 200


@pytest.mark.anyio
async def test_sessions_list_and_replay_in_order(web: httpx.AsyncClient, project_id: str, conversation: None) -> None:
    listed = (await web.get(f"/project/{project_id}/sessions?format=json")).json()
    assert [r["session"]["id"] for r in listed["rows"]] == ["conv-b", "conv-a"]
    conv_a = listed["rows"][1]
    assert conv_a["session"]["trace_count"] == 3 and conv_a["session"]["user_ids"] == ["ann"]
    assert conv_a["duration_seconds"] == 120.0 and conv_a["session"]["total_tokens"] == 450
    assert {b["name"] for b in conv_a["scores"]} == {"thumbs", "quality", "resolved"}
    replay = (await web.get(f"/project/{project_id}/sessions/conv-a?format=json")).json()["replay"]
    assert [(t["question"], t["answer"]) for t in replay["turns"]] == [
        ("Hi", "Hello!"), ("Weather?", "Sunny."), ("Bye", "See you."),
    ]  # fmt: skip
    assert sorted(s["name"] for s in replay["turns"][1]["scores"]) == ["quality", "thumbs"]
    assert [s["name"] for s in replay["scores"]] == ["resolved"]
    html = (await web.get(f"/project/{project_id}/sessions/conv-a")).text
    assert html.count('data-testid="turn"') == 3
    assert (await web.get(f"/project/{project_id}/sessions/nope")).status_code == 404


@pytest.mark.anyio
async def test_users_list_and_detail(web: httpx.AsyncClient, project_id: str, conversation: None) -> None:
    users = (await web.get(f"/project/{project_id}/users?format=json")).json()["users"]
    assert [(u["user_id"], u["trace_count"], u["session_count"]) for u in users] == [("ben", 1, 1), ("ann", 3, 1)]
    assert users[1]["total_cost"] == pytest.approx(0.03) and users[1]["total_tokens"] == 450
    assert users[1]["first_seen"] == "2026-03-01T12:00:00Z" and users[1]["last_seen"] == "2026-03-01T12:02:00Z"
    ann = (await web.get(f"/project/{project_id}/users/ann?format=json")).json()
    assert ann["session_ids"] == ["conv-a"] and [t["id"] for t in ann["traces"]] == ["a-2", "a-1", "a-0"]
    assert (await web.get(f"/project/{project_id}/users/nobody")).status_code == 404
    first = (await web.get(f"/project/{project_id}/users?format=json&limit=1")).json()
    second = (await web.get(f"/project/{project_id}/users?format=json&limit=1&cursor={first['next_cursor']}")).json()
    assert [u["user_id"] for u in first["users"] + second["users"]] == ["ben", "ann"] and second["next_cursor"] is None


@pytest.mark.anyio
async def test_scores_list_filters_and_distributions(
    web: httpx.AsyncClient, project_id: str, conversation: None
) -> None:
    page = (await web.get(f"/project/{project_id}/scores?format=json")).json()
    assert page["total"] == 5
    spread = {d["name"]: d for d in page["distributions"]}
    assert spread["quality"]["count"] == 2 and spread["quality"]["mean"] == pytest.approx(0.5)
    assert sum(b["count"] for b in spread["quality"]["buckets"]) == 2 and len(spread["quality"]["buckets"]) == 10
    assert spread["tone"]["buckets"] == [{"label": "friendly", "count": 1}]
    assert spread["thumbs"]["buckets"] == [{"label": "True", "count": 1}]  # boolean: one bucket per value
    quality = (await web.get(f"/project/{project_id}/scores?format=json&name=quality")).json()
    assert [s["value"] for s in quality["scores"]] == [0.75, 0.25]
    assert [d["name"] for d in quality["distributions"]] == ["quality"]
    by_user = (await web.get(f"/project/{project_id}/scores?format=json&user=ben")).json()
    assert {s["name"] for s in by_user["scores"]} == {"quality", "tone"}
    bad = await web.get(f"/project/{project_id}/scores?source=ROBOT")
    assert bad.status_code == 400 and "source must be one of" in bad.text


@pytest.mark.anyio
async def test_whole_number_scores_get_one_bin_per_value(
    web: httpx.AsyncClient, app_client: httpx.AsyncClient, project_id: str, conversation: None
) -> None:
    for value in (1, 2, 4, 5, 5):
        body = {"traceId": "a-0", "name": "stars", "value": value}
        assert (await app_client.post("/api/public/scores", json=body)).status_code == 200
    page = (await web.get(f"/project/{project_id}/scores?format=json&name=stars")).json()
    [stars] = page["distributions"]
    assert [(b["label"], b["count"]) for b in stars["buckets"]] == [("1", 1), ("2", 1), ("3", 0), ("4", 1), ("5", 2)]
    html = (await web.get(f"/project/{project_id}/scores?name=stars")).text
    assert html.count("<rect") == 5


@pytest.mark.anyio
async def test_generations_table_filters_and_sorts(web: httpx.AsyncClient, project_id: str, conversation: None) -> None:
    page = (await web.get(f"/project/{project_id}/generations?format=json")).json()
    assert [g["trace_id"] for g in page["rows"]] == ["b-0", "a-2", "a-1", "a-0"]
    first = page["rows"][0]
    assert first["model"] == "gpt-4o-mini" and first["time_to_first_token_seconds"] == pytest.approx(0.1)
    assert first["input_tokens"] == 10 and first["total_cost"] == pytest.approx(0.5)
    by_user = (await web.get(f"/project/{project_id}/generations?format=json&user=ann&sort=cost&order=asc")).json()
    assert [g["trace_id"] for g in by_user["rows"]] == ["a-0", "a-1", "a-2"]  # equal costs: then by id
    paged = (await web.get(f"/project/{project_id}/generations?format=json&limit=3")).json()
    rest = (
        await web.get(f"/project/{project_id}/generations?format=json&limit=3&cursor={paged['next_cursor']}")
    ).json()
    assert [g["trace_id"] for g in paged["rows"] + rest["rows"]] == ["b-0", "a-2", "a-1", "a-0"]
    assert (await web.get(f"/project/{project_id}/generations?model=nope&format=json")).json()["rows"] == []


@pytest.mark.anyio
async def test_api_keys_page_creates_once_and_revokes(
    web: httpx.AsyncClient, app_client: httpx.AsyncClient, users: dict[str, str], project_id: str
) -> None:
    # A member sees the keys but cannot create or revoke them.
    member_page = await web.get(f"/project/{project_id}/settings/keys")
    assert 'data-testid="create-key"' not in member_page.text
    refused = await web.post(f"/project/{project_id}/settings/keys", data={"csrf": csrf_of(member_page.text)})
    assert refused.status_code == 403
    async with httpx.AsyncClient(transport=app_client._transport, base_url="http://spyglass.test") as admin:
        await sign_in(admin, users["admin"])
        page = await admin.get(f"/project/{project_id}/settings/keys")
        created = await admin.post(
            f"/project/{project_id}/settings/keys", data={"csrf": csrf_of(page.text), "note": "ci"}
        )
        assert created.status_code == 200 and created.headers["cache-control"] == "no-store"
        data = (await admin.post(f"/project/{project_id}/settings/keys?format=json",
                                 data={"csrf": csrf_of(page.text), "note": "json"})).json()  # fmt: skip
        public, secret = data["new_public_key"], data["new_secret_key"]
        async with httpx.AsyncClient(transport=app_client._transport, base_url="http://spyglass.test") as sdk:
            assert (await sdk.get("/api/public/traces", auth=(public, secret))).status_code == 200
            listed = (await admin.get(f"/project/{project_id}/settings/keys?format=json")).json()
            assert secret not in str(listed) and public in str(listed)
            await admin.post(
                f"/project/{project_id}/settings/keys/revoke", data={"csrf": csrf_of(page.text), "public_key": public}
            )
            assert (await sdk.get("/api/public/traces", auth=(public, secret))).status_code == 401


@pytest.mark.anyio
async def test_sessions_pages_walk_every_session_once(
    web: httpx.AsyncClient, app_client: httpx.AsyncClient, project_id: str
) -> None:
    # Seven sessions whose traces interleave in time: the session with the newest trace comes first.
    events: list[dict[str, Any]] = []
    for i in range(21):
        events += trace_batch(f"w-{i:02d}", at=T0 + timedelta(minutes=i), session=f"sess-{(i * 3) % 7}", cost=None)
    await ingest(app_client, events)
    seen: list[str] = []
    url = f"/project/{project_id}/sessions?format=json&limit=2"
    while True:
        page = (await web.get(url)).json()
        seen += [r["session"]["id"] for r in page["rows"]]
        if not page["next_cursor"]:
            break
        url = f"/project/{project_id}/sessions?format=json&limit=2&cursor={page['next_cursor']}"
    latest = {f"sess-{(i * 3) % 7}": i for i in range(21)}
    assert seen == sorted(latest, key=lambda s: -latest[s])
