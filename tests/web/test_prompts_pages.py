"""Prompt pages: the list, a prompt's versions and metrics, the diff, new versions and label moves, by role."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.web.conftest import csrf_of, sign_in
from tests.web.factory import trace_batch
from tests.web.test_traces_pages import ingest

HOSTILE = '<script>alert("p")</script><img src=x onerror=alert(1)>'


async def _create(app_client: httpx.AsyncClient, body: dict[str, Any]) -> None:
    response = await app_client.post("/api/public/v2/prompts", json=body)
    assert response.status_code == 201, response.text


@pytest.fixture
async def prompts(app_client: httpx.AsyncClient) -> None:
    """`support/answer` v1 (production) and v2 (staging), a chat prompt, and three generations naming v1 or v2."""
    await _create(app_client, {"name": "support/answer", "prompt": "Answer {{question}} briefly.\nBe kind.",
                               "config": {"temperature": 0.2}, "labels": ["production"], "tags": ["support"],
                               "commitMessage": "first draft"})  # fmt: skip
    await _create(app_client, {"name": "support/answer", "prompt": "Answer {{question}} in one line.\nBe kind.",
                               "config": {"temperature": 0.4}, "labels": ["staging"]})  # fmt: skip
    await _create(app_client, {"name": "greeter", "type": "chat", "prompt": [
        {"role": "system", "content": HOSTILE}, {"type": "placeholder", "name": "history"},
        {"role": "user", "content": "Hi {{name}}"}]})  # fmt: skip
    events: list[dict[str, Any]] = []
    for i, version in enumerate((1, 1, 2)):
        batch = trace_batch(f"p-{i}", tokens=(10, 5), cost=0.002)
        batch[2]["body"].update(promptName="support/answer", promptVersion=version)
        events += batch
    await ingest(app_client, events)


@pytest.mark.anyio
async def test_list_shows_versions_labels_usage_and_searches_names(
    web: httpx.AsyncClient, project_id: str, prompts: None
) -> None:
    listed = (await web.get(f"/project/{project_id}/prompts?format=json")).json()
    rows = {r["name"]: r for r in listed["rows"]}
    assert set(rows) == {"support/answer", "greeter"} and listed["total"] == 2
    answer = rows["support/answer"]
    assert (answer["type"], answer["version_count"], answer["generation_count"]) == ("text", 2, 3)
    assert set(answer["labels"]) == {"production", "staging", "latest"} and answer["tags"] == ["support"]
    assert (rows["greeter"]["type"], rows["greeter"]["generation_count"]) == ("chat", 0)
    found = (await web.get(f"/project/{project_id}/prompts?q=SUPPORT/&format=json")).json()["rows"]
    assert [r["name"] for r in found] == ["support/answer"]
    html = (await web.get(f"/project/{project_id}/prompts?q=nothing-like-this")).text
    assert "No prompt name contains" in html
    page = (await web.get(f"/project/{project_id}/prompts")).text
    assert f'href="/project/{project_id}/prompts/support/answer"' in page


@pytest.mark.anyio
async def test_prompt_page_opens_on_production_with_metrics_and_generations(
    web: httpx.AsyncClient, project_id: str, prompts: None
) -> None:
    page = (await web.get(f"/project/{project_id}/prompts/support/answer?format=json")).json()
    assert page["selected"]["version"] == 1 and page["selected"]["labels"] == ["production"]
    assert [(v["version"], v["generation_count"]) for v in page["versions"]] == [(2, 1), (1, 2)]
    assert page["versions"][1]["commit_message"] == "first draft"
    assert page["config_json"] == '{\n  "temperature": 0.2\n}'
    usage = page["usage"]
    assert (usage["generation_count"], usage["input_tokens"], usage["output_tokens"]) == (2, 20, 10)
    assert usage["total_cost"] == pytest.approx(0.004)
    assert sorted(g["observation"]["trace_id"] for g in page["generations"]) == ["p-0", "p-1"]
    html = (await web.get(f"/project/{project_id}/prompts/support/answer?version=2")).text
    assert f'href="/project/{project_id}/traces/p-2?observation=p-2-gen"' in html
    assert "Answer {{question}} in one line." in html
    assert (await web.get(f"/project/{project_id}/prompts/support/answer?version=9")).status_code == 404
    assert (await web.get(f"/project/{project_id}/prompts/nope?format=json")).status_code == 404
    assert (await web.get(f"/project/{project_id}/prompts/support/answer?version=x")).status_code == 400


@pytest.mark.anyio
async def test_chat_prompt_is_rendered_escaped(web: httpx.AsyncClient, project_id: str, prompts: None) -> None:
    html = (await web.get(f"/project/{project_id}/prompts/greeter")).text
    assert HOSTILE not in html and "&lt;script&gt;alert(&#34;p&#34;)&lt;/script&gt;" in html
    assert 'data-role="placeholder"' in html and "{{history}}" in html
    form = (await web.get(f"/project/{project_id}/prompt-new/greeter")).text
    assert HOSTILE not in form and 'value="placeholder"' in form


@pytest.mark.anyio
async def test_diff_shows_changed_lines(web: httpx.AsyncClient, project_id: str, prompts: None) -> None:
    diff = (await web.get(f"/project/{project_id}/prompt-diff/support/answer?from=1&to=2&format=json")).json()["diff"]
    changed = [(line["kind"], line["text"]) for line in diff["lines"] if line["kind"] in ("added", "removed")]
    assert changed == [
        ("removed", "Answer {{question}} briefly."), ("added", "Answer {{question}} in one line."),
        ("removed", '  "temperature": 0.2'), ("added", '  "temperature": 0.4'),
    ]  # fmt: skip
    assert (diff["added"], diff["removed"]) == (2, 2)
    html = (await web.get(f"/project/{project_id}/prompt-diff/support/answer?from=1&to=2")).text
    assert 'data-kind="removed"' in html and 'data-kind="added"' in html
    same = (await web.get(f"/project/{project_id}/prompt-diff/support/answer?from=2&to=2")).text
    assert 'data-testid="diff-same"' in same
    assert (await web.get(f"/project/{project_id}/prompt-diff/support/answer?from=1&to=7")).status_code == 404


async def _form(web: httpx.AsyncClient, project_id: str, path: str) -> str:
    response = await web.get(f"/project/{project_id}/{path}")
    assert response.status_code == 200, response.text
    return csrf_of(response.text)


@pytest.mark.anyio
async def test_member_creates_versions_and_moves_labels(
    web: httpx.AsyncClient, app_client: httpx.AsyncClient, project_id: str, prompts: None
) -> None:
    csrf = await _form(web, project_id, "prompt-new/support/answer")
    created = await web.post(f"/project/{project_id}/prompt-versions", data={
        "csrf": csrf, "existing": "1", "name": "support/answer", "type": "text", "text": "Answer {{question}}.\r\n",
        "config": '{"temperature": 0}', "labels": "production, beta", "tags": "support, v3",
        "commit_message": "shorter",
    })  # fmt: skip
    assert created.status_code == 303
    assert created.headers["location"] == f"/project/{project_id}/prompts/support/answer?version=3"
    served = (await app_client.get("/api/public/v2/prompts/support%2Fanswer")).json()
    assert (served["version"], served["prompt"], served["config"]) == (3, "Answer {{question}}.\n", {"temperature": 0})
    assert sorted(served["labels"]) == ["beta", "latest", "production"] and served["commitMessage"] == "shorter"
    assert served["createdBy"] == "member@example.com" and served["tags"] == ["support", "v3"]

    moved = await web.post(f"/project/{project_id}/prompt-labels/support/answer",
                           data={"csrf": csrf, "version": "1", "add": "production"})  # fmt: skip
    assert moved.status_code == 303
    assert (await app_client.get("/api/public/v2/prompts/support%2Fanswer")).json()["version"] == 1
    removed = await web.post(f"/project/{project_id}/prompt-labels/support/answer",
                             data={"csrf": csrf, "version": "3", "remove": "beta"})  # fmt: skip
    assert removed.status_code == 303
    assert (await app_client.get("/api/public/v2/prompts/support%2Fanswer?label=beta")).status_code == 404
    # `latest` is the server's: the domain rule refuses it on an older version, with a 400 that says so.
    refused = await web.post(f"/project/{project_id}/prompt-labels/support/answer",
                             data={"csrf": csrf, "version": "1", "add": "latest"})  # fmt: skip
    assert refused.status_code == 400 and "latest" in refused.text
    bad = await web.post(f"/project/{project_id}/prompt-labels/support/answer",
                         data={"csrf": csrf, "version": "1", "add": "Not Valid"})  # fmt: skip
    assert bad.status_code == 400 and "not allowed" in bad.text

    chat = await web.post(f"/project/{project_id}/prompt-versions", data={
        "csrf": csrf, "name": "new/chat", "type": "chat", "config": "", "labels": "",
        "role": ["system", "placeholder", "", "user"], "content": ["Be brief.", "history", "", "{{q}}"],
    })  # fmt: skip
    assert chat.status_code == 303
    body = (await app_client.get("/api/public/v2/prompts/new%2Fchat?label=latest")).json()["prompt"]
    assert body == [{"role": "system", "content": "Be brief."}, {"type": "placeholder", "name": "history"},
                    {"role": "user", "content": "{{q}}"}]  # fmt: skip


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"config": "{not json"}, "config is not valid JSON"),
        ({"labels": "Prod Label"}, "is not allowed"),
        ({"name": "a//b"}, "empty folder part"),
        ({"type": "chat"}, "a chat prompt must be a non-empty list"),
        ({"type": "yaml"}, "type must be"),
    ],
)
async def test_bad_new_version_is_a_400_that_keeps_the_input(
    web: httpx.AsyncClient, project_id: str, fields: dict[str, str], message: str
) -> None:
    csrf = await _form(web, project_id, "prompt-new")
    data = {"csrf": csrf, "name": "fresh", "type": "text", "text": "kept text", "config": "{}", **fields}
    response = await web.post(f"/project/{project_id}/prompt-versions", data=data)
    assert response.status_code == 400 and message in response.text
    assert "kept text" in response.text


@pytest.mark.anyio
async def test_viewer_reads_but_cannot_create_or_move(
    app_client: httpx.AsyncClient, users: dict[str, str], project_id: str, prompts: None
) -> None:
    async with httpx.AsyncClient(transport=app_client._transport, base_url="http://spyglass.test") as viewer:
        assert (await sign_in(viewer, users["viewer"])).status_code == 303
        page = await viewer.get(f"/project/{project_id}/prompts/support/answer")
        assert page.status_code == 200 and 'data-testid="new-version"' not in page.text
        assert 'data-testid="set-label"' not in page.text
        assert (await viewer.get(f"/project/{project_id}/prompt-new")).status_code == 403
        csrf = csrf_of(page.text)
        refused = await viewer.post(f"/project/{project_id}/prompt-versions",
                                    data={"csrf": csrf, "name": "x", "type": "text", "text": "t"})  # fmt: skip
        assert refused.status_code == 403
        moved = await viewer.post(f"/project/{project_id}/prompt-labels/support/answer",
                                  data={"csrf": csrf, "version": "2", "add": "production"})  # fmt: skip
        assert moved.status_code == 403
        no_csrf = await viewer.post(f"/project/{project_id}/prompt-versions", data={"name": "x", "text": "t"})
        assert no_csrf.status_code == 403
    assert (await app_client.get("/api/public/v2/prompts/support%2Fanswer")).json()["version"] == 1
