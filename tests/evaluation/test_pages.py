"""Score configs in the settings, config-shaped annotation on the trace page, annotation queue pages and comment
threads, through their JSON twins and a little HTML; every write checks role and CSRF."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.web.conftest import csrf_of, sign_in
from tests.web.factory import trace_batch

pytestmark = pytest.mark.anyio


async def ingest(app_client: httpx.AsyncClient, events: list[dict[str, Any]]) -> None:
    response = await app_client.post("/api/public/ingestion", json={"batch": events})
    assert response.status_code == 207 and response.json()["errors"] == [], response.text


@pytest.fixture
async def traces(app_client: httpx.AsyncClient) -> None:
    await ingest(app_client, trace_batch("t-1", session="s-1") + trace_batch("t-2", session="s-1"))


async def token(client: httpx.AsyncClient, url: str) -> str:
    return csrf_of((await client.get(url)).text)


async def make_config(web: httpx.AsyncClient, project_id: str, **form: str) -> httpx.Response:
    url = f"/project/{project_id}/settings/score-configs"
    return await web.post(url, data={"csrf": await token(web, url), **form})


async def test_settings_create_and_archive_score_configs(web: httpx.AsyncClient, project_id: str) -> None:
    url = f"/project/{project_id}/settings/score-configs"
    made = await make_config(web, project_id, name="accuracy", data_type="NUMERIC", min_value="0", max_value="1")
    assert made.status_code == 303
    await make_config(web, project_id, name="tone", data_type="CATEGORICAL", categories="rude=0\npolite = 1\n")
    await make_config(web, project_id, name="flag", data_type="BOOLEAN", description="<script>x</script>")
    page = (await web.get(f"{url}?format=json")).json()
    assert page["can_manage"] is True
    by_name = {c["name"]: c for c in page["configs"]}
    assert (by_name["accuracy"]["min_value"], by_name["accuracy"]["max_value"]) == (0, 1)
    assert by_name["tone"]["categories"] == [{"label": "rude", "value": 0}, {"label": "polite", "value": 1}]
    html = (await web.get(url)).text
    assert "&lt;script&gt;x&lt;/script&gt;" in html and "<script>x</script>" not in html
    bad = await make_config(web, project_id, name="tone2", data_type="CATEGORICAL", categories="a=x")
    assert bad.status_code == 400 and "must be a number" in bad.text
    bad = await make_config(web, project_id, name="r", data_type="NUMERIC", min_value="2", max_value="1")
    assert bad.status_code == 400 and "minValue" in bad.text
    archive = f"{url}/{by_name['accuracy']['id']}/archive"
    assert (await web.post(archive, data={"csrf": await token(web, url), "archived": "1"})).status_code == 303
    assert (await web.post(archive, data={"csrf": "forged", "archived": "0"})).status_code == 403
    after = {c["name"]: c for c in (await web.get(f"{url}?format=json")).json()["configs"]}
    assert after["accuracy"]["is_archived"] is True


async def test_the_trace_page_scores_with_configs_instead_of_free_form(
    web: httpx.AsyncClient, app_client: httpx.AsyncClient, project_id: str, traces: None
) -> None:
    trace_url = f"/project/{project_id}/traces/t-1"
    before = (await web.get(trace_url)).text
    assert 'data-testid="add-score"' in before and 'data-testid="config-scores"' not in before
    await make_config(web, project_id, name="accuracy", data_type="NUMERIC", min_value="0", max_value="1")
    await make_config(web, project_id, name="tone", data_type="CATEGORICAL", categories="rude=0\npolite=1")
    html = (await web.get(trace_url)).text
    assert 'data-testid="add-score"' not in html and html.count('data-testid="config-score"') == 2
    assert 'min="0.0"' in html and '<option value="polite">polite</option>' in html
    twin = (await web.get(f"{trace_url}?format=json")).json()["evaluation"]
    configs = {c["name"]: c["id"] for c in twin["scoring"]["configs"]}
    assert twin["scoring"]["target"] == {"traceId": "t-1"}
    post = f"/project/{project_id}/config-scores"
    csrf = csrf_of(html)
    ok = await web.post(post, data={"csrf": csrf, "config_id": configs["tone"], "value": "polite", "traceId": "t-1",
                                    "back": trace_url})  # fmt: skip
    assert ok.status_code == 303 and ok.headers["location"] == trace_url
    too_big = await web.post(post, data={"csrf": csrf, "config_id": configs["accuracy"], "value": "3",
                                         "traceId": "t-1"})  # fmt: skip
    assert too_big.status_code == 400 and "above maxValue 1" in too_big.text
    elsewhere = await web.post(post, data={"csrf": csrf, "config_id": configs["tone"], "value": "polite",
                                           "traceId": "t-1", "back": "https://evil.example/"})  # fmt: skip
    assert elsewhere.headers["location"] == f"/project/{project_id}/traces"
    scores = (await app_client.get("/api/public/scores", params={"traceId": "t-1"})).json()["data"]
    assert [(s["name"], s["value"], s["stringValue"], s["source"]) for s in scores] == [
        ("tone", 1, "polite", "ANNOTATION"), ("tone", 1, "polite", "ANNOTATION")]  # fmt: skip
    assert scores[0]["configId"] == configs["tone"] and scores[0]["authorUserId"]
    observed = (await web.get(f"{trace_url}?observation=t-1-gen&format=json")).json()["evaluation"]
    assert observed["scoring"]["target"] == {"traceId": "t-1", "observationId": "t-1-gen"}
    assert observed["comments"]["object_type"] == "OBSERVATION"


async def test_comment_threads_on_trace_observation_and_session(
    web: httpx.AsyncClient, project_id: str, users: dict[str, str], traces: None
) -> None:
    post = f"/project/{project_id}/comments"
    trace_url = f"/project/{project_id}/traces/t-1"
    csrf = await token(web, trace_url)
    for kind, object_id in (("TRACE", "t-1"), ("OBSERVATION", "t-1-gen"), ("SESSION", "s-1")):
        done = await web.post(post, data={"csrf": csrf, "object_type": kind, "object_id": object_id,
                                          "content": f"<b>note on {kind}</b>", "back": trace_url})  # fmt: skip
        assert done.status_code == 303
    thread = (await web.get(f"{trace_url}?format=json")).json()["evaluation"]["comments"]
    assert [c["content"] for c in thread["comments"]] == ["<b>note on TRACE</b>"]
    author = thread["comments"][0]["author_user_id"]
    assert thread["authors"] == {author: users["member"]}
    html = (await web.get(trace_url)).text
    assert "&lt;b&gt;note on TRACE&lt;/b&gt;" in html and users["member"] in html
    on_obs = (await web.get(f"{trace_url}?observation=t-1-gen&format=json")).json()["evaluation"]["comments"]
    assert [c["content"] for c in on_obs["comments"]] == ["<b>note on OBSERVATION</b>"]
    session = (await web.get(f"/project/{project_id}/sessions/s-1?format=json")).json()["comments"]
    assert [c["content"] for c in session["comments"]] == ["<b>note on SESSION</b>"]
    assert 'data-testid="comment"' in (await web.get(f"/project/{project_id}/sessions/s-1")).text
    missing = await web.post(post, data={"csrf": csrf, "object_type": "TRACE", "object_id": "nope", "content": "x"})
    assert missing.status_code == 400 and "no trace" in missing.text
    empty = await web.post(post, data={"csrf": csrf, "object_type": "TRACE", "object_id": "t-1", "content": " "})
    assert empty.status_code == 400


async def test_a_viewer_reads_configs_queues_and_comments_but_writes_nothing(
    web: httpx.AsyncClient, app_client: httpx.AsyncClient, users: dict[str, str], project_id: str, traces: None
) -> None:
    await make_config(web, project_id, name="accuracy", data_type="NUMERIC")
    await web.post(f"/project/{project_id}/comments", data={
        "csrf": await token(web, f"/project/{project_id}/traces/t-1"), "object_type": "TRACE", "object_id": "t-1",
        "content": "member note"})  # fmt: skip
    async with httpx.AsyncClient(transport=app_client._transport, base_url="http://spyglass.test") as viewer:
        await sign_in(viewer, users["viewer"])
        settings = await viewer.get(f"/project/{project_id}/settings/score-configs")
        assert 'data-testid="read-only"' in settings.text and 'data-testid="new-config"' not in settings.text
        trace = await viewer.get(f"/project/{project_id}/traces/t-1")
        assert "member note" in trace.text
        assert 'data-testid="add-comment"' not in trace.text and 'data-testid="config-score"' not in trace.text
        csrf = csrf_of(trace.text)
        for url, form in (
            (f"/project/{project_id}/comments", {"object_type": "TRACE", "object_id": "t-1", "content": "x"}),
            (f"/project/{project_id}/settings/score-configs", {"name": "n", "data_type": "BOOLEAN"}),
            (f"/project/{project_id}/annotation-queues", {"name": "q"}),
        ):
            denied = await viewer.post(url, data={"csrf": csrf, **form})
            assert denied.status_code == 403, url
        queues = await viewer.get(f"/project/{project_id}/annotation-queues?format=json")
        assert queues.status_code == 200 and queues.json()["can_manage"] is False


async def test_queue_pages_next_item_score_comment_and_mark_done(
    web: httpx.AsyncClient, app_client: httpx.AsyncClient, project_id: str, traces: None
) -> None:
    await make_config(web, project_id, name="accuracy", data_type="NUMERIC", min_value="0", max_value="1")
    await make_config(web, project_id, name="unused", data_type="BOOLEAN")
    queues_url = f"/project/{project_id}/annotation-queues"
    configs = (await web.get(f"{queues_url}?format=json")).json()["configs"]
    accuracy = next(c["id"] for c in configs if c["name"] == "accuracy")
    made = await web.post(queues_url, data={"csrf": await token(web, queues_url), "name": "review",
                                            "description": "weekly", "config_id": [accuracy]})  # fmt: skip
    assert made.status_code == 303
    queue_url = made.headers["location"]
    queue_id = queue_url.rsplit("/", 1)[1]
    for object_id, kind in (("t-1", "TRACE"), ("t-2-gen", "OBSERVATION"), ("s-1", "SESSION")):
        added = await app_client.post(f"/api/public/annotation-queues/{queue_id}/items",
                                      json={"objectId": object_id, "objectType": kind})  # fmt: skip
        assert added.status_code == 200, added.text
    listed = (await web.get(f"{queues_url}?format=json")).json()["queues"]
    assert [(r["queue"]["name"], r["pending"], r["completed"]) for r in listed] == [("review", 3, 0)]
    page = (await web.get(f"{queue_url}?format=json")).json()
    assert [c["name"] for c in page["configs"]] == ["accuracy"] and page["pending"] == 3
    first = await web.get(f"{queue_url}/next")
    assert first.status_code == 303
    item_url = first.headers["location"]
    item = (await web.get(f"{item_url}?format=json")).json()
    assert (item["item"]["object_id"], item["object"]["input"]) == ("t-1", "What is the capital of France?")
    assert item["scoring"]["queue_id"] == queue_id and item["scoring"]["target"] == {"traceId": "t-1"}
    csrf = await token(web, item_url)
    scored = await web.post(f"{item_url}/score", data={"csrf": csrf, "config_id": accuracy, "value": "0.5"})
    assert scored.status_code == 303
    bad = await web.post(f"{item_url}/score", data={"csrf": csrf, "config_id": accuracy, "value": "2"})
    assert bad.status_code == 400 and "above maxValue" in bad.text
    await web.post(f"/project/{project_id}/comments", data={"csrf": csrf, "object_type": "TRACE", "object_id": "t-1",
                                                            "content": "checked", "back": item_url})  # fmt: skip
    item = (await web.get(f"{item_url}?format=json")).json()
    assert [(s["name"], s["value"], s["queue_id"]) for s in item["scores"]] == [("accuracy", 0.5, queue_id)]
    assert [c["content"] for c in item["comments"]["comments"]] == ["checked"]
    in_queue = (await app_client.get("/api/public/scores", params={"queueId": queue_id})).json()["data"]
    assert [(s["traceId"], s["value"]) for s in in_queue] == [("t-1", 0.5)]
    done = await web.post(f"{item_url}/status", data={"csrf": csrf, "status": "COMPLETED"})
    nxt = await web.get(done.headers["location"])
    second = (await web.get(f"{nxt.headers['location']}?format=json")).json()
    assert second["item"]["object_type"] == "OBSERVATION" and second["object"]["name"] == "llm-call"
    assert second["scoring"]["target"] == {"observationId": "t-2-gen", "traceId": "t-2"}
    await web.post(f"{nxt.headers['location']}/status", data={"csrf": csrf, "status": "COMPLETED"})
    third_url = (await web.get(f"{queue_url}/next")).headers["location"]
    third = (await web.get(f"{third_url}?format=json")).json()
    assert third["item"]["object_type"] == "SESSION" and third["object"]["name"] == "2 traces"
    session_score = await web.post(f"{third_url}/score", data={"csrf": csrf, "config_id": accuracy, "value": "1"})
    assert session_score.status_code == 303
    last = await web.post(f"{third_url}/status", data={"csrf": csrf, "status": "COMPLETED"})
    finished = await web.get(last.headers["location"])
    assert finished.headers["location"].endswith("?done=1")
    assert 'data-testid="queue-done"' in (await web.get(finished.headers["location"])).text
    assert (await web.get(f"{queue_url}?format=json")).json()["pending"] == 0
    not_in_queue = await web.post(f"{third_url}/score", data={"csrf": csrf, "config_id": "other", "value": "1"})
    assert not_in_queue.status_code == 400
    assert (await web.get(f"{queue_url}/items/nope")).status_code == 404
    assert (await web.get(f"{queues_url}/nope")).status_code == 404


async def test_add_a_trace_or_observation_to_a_queue_from_the_trace_page(
    web: httpx.AsyncClient, app_client: httpx.AsyncClient, project_id: str, traces: None
) -> None:
    queue = (
        await app_client.post("/api/public/annotation-queues", json={"name": "inbox", "scoreConfigIds": []})
    ).json()
    trace_url = f"/project/{project_id}/traces/t-1"
    evaluation = (await web.get(f"{trace_url}?format=json")).json()["evaluation"]
    assert [q["name"] for q in evaluation["queues"]] == ["inbox"]
    html = (await web.get(f"{trace_url}?observation=t-1-gen")).text
    assert 'data-testid="add-to-queue"' in html and 'value="OBSERVATION"' in html
    csrf = csrf_of(html)
    post = f"/project/{project_id}/queue-items"
    for kind, object_id in (("TRACE", "t-1"), ("OBSERVATION", "t-1-gen")):
        added = await web.post(post, data={"csrf": csrf, "queue_id": queue["id"], "object_type": kind,
                                           "object_id": object_id, "back": trace_url})  # fmt: skip
        assert added.status_code == 303 and added.headers["location"] == trace_url
    items = (await app_client.get(f"/api/public/annotation-queues/{queue['id']}/items")).json()["data"]
    assert [(i["objectType"], i["objectId"], i["status"]) for i in items] == [
        ("TRACE", "t-1", "PENDING"), ("OBSERVATION", "t-1-gen", "PENDING")]  # fmt: skip
    session_page = (await web.get(f"/project/{project_id}/sessions/s-1")).text
    assert 'data-testid="add-to-queue"' in session_page and 'value="SESSION"' in session_page
    await web.post(post, data={"csrf": csrf, "queue_id": queue["id"], "object_type": "SESSION", "object_id": "s-1"})
    items = (await app_client.get(f"/api/public/annotation-queues/{queue['id']}/items")).json()["data"]
    assert items[-1]["objectType"] == "SESSION" and items[-1]["objectId"] == "s-1"
    missing = await web.post(post, data={"csrf": csrf, "queue_id": queue["id"], "object_type": "TRACE",
                                         "object_id": "nope"})  # fmt: skip
    assert missing.status_code == 400 and "no trace &#39;nope&#39;" in missing.text
    no_queue = await web.post(post, data={"csrf": csrf, "queue_id": "nope", "object_type": "TRACE", "object_id": "t-1"})
    assert no_queue.status_code == 404
    forged = await web.post(post, data={"csrf": "x", "queue_id": queue["id"], "object_type": "TRACE",
                                        "object_id": "t-1"})  # fmt: skip
    assert forged.status_code == 403
