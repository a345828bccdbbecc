"""The traces table and trace detail, checked through their JSON twins plus a few HTML structure checks."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from tests.web.conftest import csrf_of
from tests.web.factory import T0, trace_batch


async def ingest(app_client: httpx.AsyncClient, events: list[dict[str, Any]]) -> None:
    response = await app_client.post("/api/public/ingestion", json={"batch": events})
    assert response.status_code == 207 and response.json()["errors"] == [], response.text


@pytest.fixture
async def filled(app_client: httpx.AsyncClient) -> list[str]:
    """Twelve traces a minute apart: users alternate u-even/u-odd, every third is tagged 'vip'."""
    events: list[dict[str, Any]] = []
    ids = []
    for i in range(12):
        trace_id = f"trace-{i:02d}"
        ids.append(trace_id)
        events += trace_batch(
            trace_id, at=T0 + timedelta(minutes=i), user="u-even" if i % 2 == 0 else "u-odd",
            session=f"s-{i // 4}", tags=["vip"] if i % 3 == 0 else ["std"],
            question=f"Question number {i}: où est la gare? 東京タワー" if i == 7 else f"Question number {i}",
            latency_ms=100 * (i + 1), tokens=(10 + i, 5), cost=0.001 * (12 - i),
        )  # fmt: skip
    await ingest(app_client, events)
    return ids


async def rows(web: httpx.AsyncClient, project_id: str, query: str = "") -> dict[str, Any]:
    response = await web.get(f"/project/{project_id}/traces?format=json{'&' + query if query else ''}")
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


@pytest.mark.anyio
async def test_table_lists_newest_first_with_figures_and_previews(
    web: httpx.AsyncClient, project_id: str, filled: list[str]
) -> None:
    page = await rows(web, project_id)
    assert [r["id"] for r in page["rows"]] == list(reversed(filled))
    newest = page["rows"][0]
    assert newest["user_id"] == "u-odd" and newest["session_id"] == "s-2" and newest["tags"] == ["std"]
    assert newest["input_preview"] == "Question number 11" and newest["output_preview"] == "Paris."
    assert newest["input_tokens"] == 21 and newest["output_tokens"] == 5
    assert newest["total_cost"] == pytest.approx(0.001)
    assert newest["latency_seconds"] == pytest.approx(1.2)
    html = (await web.get(f"/project/{project_id}/traces")).text
    assert html.count('data-testid="trace-link"') == 12


@pytest.mark.anyio
async def test_filters_by_user_tag_and_search_in_any_language(
    web: httpx.AsyncClient, project_id: str, filled: list[str]
) -> None:
    assert {r["user_id"] for r in (await rows(web, project_id, "user=u-even"))["rows"]} == {"u-even"}
    tagged = await rows(web, project_id, "tag=vip")
    assert [r["id"] for r in tagged["rows"]] == ["trace-09", "trace-06", "trace-03", "trace-00"]
    both = await rows(web, project_id, "tag=vip&user=u-even")
    assert [r["id"] for r in both["rows"]] == ["trace-06", "trace-00"]
    for text in ("東京タワー", "東京", "la gare", "number 7"):
        found = await rows(web, project_id, f"q={text}")
        assert [r["id"] for r in found["rows"]] == ["trace-07"], text
    assert (await rows(web, project_id, "q=Paris"))["rows"][0]["output_preview"] == "Paris."
    assert (await rows(web, project_id, "q=nothing-like-this"))["rows"] == []
    for wildcard in ("%", "_", "%_"):  # short text is scanned with LIKE; its wildcards are taken literally
        assert (await rows(web, project_id, "q=" + quote(wildcard)))["rows"] == [], wildcard
    assert (await rows(web, project_id, "session=s-0"))["state"]["params"] == {"session": "s-0"}


@pytest.mark.anyio
async def test_time_window_and_score_filters(
    web: httpx.AsyncClient, app_client: httpx.AsyncClient, project_id: str, filled: list[str]
) -> None:
    window = await rows(web, project_id, "from=2026-03-01T12:03&to=2026-03-01T12:05")
    assert [r["id"] for r in window["rows"]] == ["trace-04", "trace-03"]
    for trace_id, value in (("trace-02", 0.2), ("trace-05", 0.9)):
        response = await app_client.post(
            "/api/public/scores", json={"traceId": trace_id, "name": "quality", "value": value}
        )
        assert response.status_code == 200
    good = await rows(web, project_id, "score=quality&score_min=0.5")
    assert [r["id"] for r in good["rows"]] == ["trace-05"]
    assert good["rows"][0]["scores"] == [{"name": "quality", "value": 0.9, "string_value": None, "count": 1}]
    assert [r["id"] for r in (await rows(web, project_id, "score=quality"))["rows"]] == ["trace-05", "trace-02"]


@pytest.mark.anyio
async def test_sorting_and_keyset_paging_walk_every_trace_once(
    web: httpx.AsyncClient, project_id: str, filled: list[str]
) -> None:
    for sort, expected_first in (("latency", "trace-11"), ("cost", "trace-00"), ("tokens", "trace-11")):
        page = await rows(web, project_id, f"sort={sort}")
        assert page["rows"][0]["id"] == expected_first, sort
    seen: list[str] = []
    query = "limit=5&sort=cost&order=asc"
    while True:
        page = await rows(web, project_id, query)
        seen += [r["id"] for r in page["rows"]]
        if not page["next_cursor"]:
            break
        query = f"limit=5&sort=cost&order=asc&cursor={page['next_cursor']}"
    assert seen == list(reversed(filled))  # cost falls with the index, so ascending cost is newest first


@pytest.mark.anyio
async def test_bad_filters_get_400_naming_the_parameter(web: httpx.AsyncClient, project_id: str) -> None:
    for query, words in (
        ("sort=colour", "sort must be one of"), ("level=LOUD", "level must be one of"),
        ("from=yesterday", "from must be a date"), ("score_min=high", "score_min must be a number"),
        ("cursor=%%%", "cursor is not valid"), ("limit=0", "limit must be"),
        ("range=1y", "range must be one of"),
    ):  # fmt: skip
        response = await web.get(f"/project/{project_id}/traces?format=json&{query}")
        assert response.status_code == 400, query
        assert words in response.json()["message"], query
        html = await web.get(f"/project/{project_id}/traces?{query}")
        assert html.status_code == 400 and words.split()[0] in html.text


@pytest.mark.anyio
async def test_trace_detail_has_the_tree_timeline_and_selected_generation(
    web: httpx.AsyncClient, project_id: str, filled: list[str]
) -> None:
    base = f"/project/{project_id}/traces/trace-03"
    view = (await web.get(f"{base}?format=json")).json()["view"]
    assert view["trace"]["name"] == "chat" and view["selected"] is None
    (root,) = view["tree"]
    assert root["type"] == "SPAN" and root["children"][0]["type"] == "GENERATION"
    assert root["children"][0]["depth"] == 1
    assert [n["id"] for n in view["flat"]] == ["trace-03-span", "trace-03-gen"]
    selected = (await web.get(f"{base}?format=json&observation=trace-03-gen")).json()["view"]["selected"]
    assert selected["model"] == "gpt-4o-mini" and selected["usage_details"]["input"] == 13
    html = (await web.get(f"{base}?observation=trace-03-gen")).text
    assert 'data-role="system"' in html and 'data-role="user"' in html and 'data-role="assistant"' in html
    assert 'data-testid="timeline"' in html and 'data-testid="ttft"' in html and "100 ms" in html
    missing = await web.get(f"/project/{project_id}/traces/nope")
    assert missing.status_code == 404 and "not found" in missing.text


@pytest.mark.anyio
async def test_add_score_records_an_annotation_by_the_signed_in_user(
    web: httpx.AsyncClient, app_client: httpx.AsyncClient, project_id: str, filled: list[str]
) -> None:
    page = await web.get(f"/project/{project_id}/traces/trace-01")
    form = {"csrf": csrf_of(page.text), "name": "helpful", "data_type": "BOOLEAN", "value": "true", "comment": "ok"}
    response = await web.post(f"/project/{project_id}/trace-scores/trace-01", data=form)
    assert response.status_code == 303
    scores = (await app_client.get("/api/public/scores", params={"traceId": "trace-01"})).json()["data"]
    assert [(s["name"], s["source"], s["value"], s["comment"]) for s in scores] == [("helpful", "ANNOTATION", 1, "ok")]
    assert scores[0]["authorUserId"]
    bad = await web.post(f"/project/{project_id}/trace-scores/trace-01", data={**form, "data_type": "NUMERIC"})
    assert bad.status_code == 400 and "numeric score needs a number" in bad.text
    forged = await web.post(f"/project/{project_id}/trace-scores/trace-01", data={**form, "csrf": "x"})
    assert forged.status_code == 403


@pytest.mark.anyio
async def test_a_viewer_reads_but_cannot_score_bookmark_or_share(
    app_client: httpx.AsyncClient, users: dict[str, str], project_id: str, filled: list[str]
) -> None:
    from tests.web.conftest import sign_in

    async with httpx.AsyncClient(transport=app_client._transport, base_url="http://spyglass.test") as viewer:
        await sign_in(viewer, users["viewer"])
        page = await viewer.get(f"/project/{project_id}/traces/trace-01")
        assert page.status_code == 200
        assert 'data-testid="add-score"' not in page.text and 'data-testid="read-only"' in page.text
        token = csrf_of(page.text)
        score = {"csrf": token, "name": "x", "data_type": "NUMERIC", "value": "1"}
        denied = await viewer.post(f"/project/{project_id}/trace-scores/trace-01", data=score)
        assert denied.status_code == 403 and "viewer" in denied.text
        flag = await viewer.post(
            f"/project/{project_id}/trace-flags/trace-01", data={"csrf": token, "flag": "bookmarked", "on": "1"}
        )
        assert flag.status_code == 403
    assert (await app_client.get("/api/public/scores", params={"traceId": "trace-01"})).json()["data"] == []


@pytest.mark.anyio
async def test_bookmark_and_public_link(
    web: httpx.AsyncClient, app_client: httpx.AsyncClient, users: dict[str, str], project_id: str, filled: list[str]
) -> None:
    from tests.web.conftest import sign_in

    token = csrf_of((await web.get(f"/project/{project_id}/traces/trace-04")).text)
    await web.post(f"/project/{project_id}/trace-flags/trace-04", data={"csrf": token, "flag": "bookmarked", "on": "1"})
    assert [r["id"] for r in (await rows(web, project_id, "bookmarked=1"))["rows"]] == ["trace-04"]
    # Sharing is the owner's call: a member is refused.
    refused = await web.post(
        f"/project/{project_id}/trace-flags/trace-04", data={"csrf": token, "flag": "public", "on": "1"}
    )
    assert refused.status_code == 403
    async with httpx.AsyncClient(transport=app_client._transport, base_url="http://spyglass.test") as anonymous:
        public_url = f"/public/{project_id}/traces/trace-04"
        assert (await anonymous.get(public_url)).status_code == 404
        async with httpx.AsyncClient(transport=app_client._transport, base_url="http://spyglass.test") as owner:
            await sign_in(owner, users["owner"])
            token = csrf_of((await owner.get(f"/project/{project_id}/traces/trace-04")).text)
            await owner.post(
                f"/project/{project_id}/trace-flags/trace-04", data={"csrf": token, "flag": "public", "on": "1"}
            )
            shared = await anonymous.get(public_url)
            assert shared.status_code == 200 and "Question number 4" in shared.text
            assert 'data-testid="add-score"' not in shared.text
            await owner.post(
                f"/project/{project_id}/trace-flags/trace-04", data={"csrf": token, "flag": "public", "on": "0"}
            )
        assert (await anonymous.get(public_url)).status_code == 404


@pytest.mark.anyio
async def test_live_rows_fragment_and_security_headers(
    web: httpx.AsyncClient, project_id: str, filled: list[str]
) -> None:
    fragment = await web.get(f"/project/{project_id}/traces?user=u-odd", headers={"X-Fragment": "rows"})
    assert fragment.text.count("<tr data-trace-id=") == 6 and "<html" not in fragment.text
    page = await web.get(f"/project/{project_id}/traces")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"


@pytest.mark.anyio
async def test_search_with_many_matches_gives_the_same_rows(
    web: httpx.AsyncClient, project_id: str, filled: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    few = await rows(web, project_id, "q=Question&limit=5")
    # Lowering the threshold switches to the row-by-row plan, which a real project reaches at 2,000 matching traces.
    monkeypatch.setattr("spyglass.store.sqlite.ui_queries.COMMON_MATCHES", 2)
    many = await rows(web, project_id, "q=Question&limit=5")
    assert (
        [r["id"] for r in many["rows"]]
        == [r["id"] for r in few["rows"]]
        == [f"trace-{i:02d}" for i in (11, 10, 9, 8, 7)]
    )
    rest = await rows(web, project_id, f"q=Question&limit=5&cursor={many['next_cursor']}")
    assert [r["id"] for r in rest["rows"]] == [f"trace-{i:02d}" for i in (6, 5, 4, 3, 2)]
    assert [r["id"] for r in (await rows(web, project_id, "q=gare"))["rows"]] == ["trace-07"]


@pytest.mark.anyio
async def test_a_filter_with_another_sort_pages_in_that_order(
    web: httpx.AsyncClient, project_id: str, filled: list[str]
) -> None:
    seen: list[str] = []
    query = "user=u-even&sort=cost&order=desc&limit=2"
    while True:
        page = await rows(web, project_id, query)
        seen += [r["id"] for r in page["rows"]]
        if not page["next_cursor"]:
            break
        query = f"user=u-even&sort=cost&order=desc&limit=2&cursor={page['next_cursor']}"
    assert seen == [f"trace-{i:02d}" for i in (0, 2, 4, 6, 8, 10)]  # cost falls as the index grows
