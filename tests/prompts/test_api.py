"""The prompts API from the client's side, in-process over a real SQLite file."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from spyglass.projects import create_key
from spyglass.store.base import Store
from tests.support.payloads import body

pytestmark = pytest.mark.anyio

PROMPTS = "/api/public/v2/prompts"


async def create(client: httpx.AsyncClient, **fields: Any) -> dict[str, Any]:
    payload = {"prompt": "Hello {{name}}", "type": "text", **fields}
    response = await client.post(PROMPTS, json=payload)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def labels_by_version(client: httpx.AsyncClient, name: str) -> dict[int, list[str]]:
    meta = (await client.get(PROMPTS, params={"name": name})).json()["data"][0]
    found = {}
    for version in meta["versions"]:
        found[version] = (await client.get(f"{PROMPTS}/{name}", params={"version": version})).json()["labels"]
    return found


async def test_captured_2x_create_answers_the_prompt_object(app_client: httpx.AsyncClient) -> None:
    response = await app_client.post(PROMPTS, json=body("2.60.10", "007-create-prompt-text"))
    assert response.status_code == 201
    created = response.json()
    assert created["name"] == "new-prompt"
    assert created["version"] == 1
    assert created["type"] == "text"
    assert created["prompt"] == "Hello {{name}}"
    assert created["config"] == {"temperature": 0.1}
    assert sorted(created["labels"]) == ["latest", "production"]
    assert created["tags"] == ["t1"]
    assert created["commitMessage"] == "init"


async def test_captured_5x_text_create_without_type_is_text(app_client: httpx.AsyncClient) -> None:
    payload = body("5.0.4", "006-create-prompt-text")
    assert "type" not in payload
    created = (await app_client.post(PROMPTS, json=payload)).json()
    assert created["type"] == "text"


async def test_chat_with_explicit_nulls_and_placeholder(app_client: httpx.AsyncClient) -> None:
    response = await app_client.post(PROMPTS, json=body("5.0.4", "007-create-prompt-chat-placeholder"))
    assert response.status_code == 201
    created = response.json()
    assert created["type"] == "chat"
    assert created["tags"] == []
    assert created["commitMessage"] is None
    assert created["labels"] == ["latest"]
    assert created["prompt"][1] == {"name": "history", "type": "placeholder"}


async def test_placeholders_are_left_out_for_2x_clients(app_client: httpx.AsyncClient) -> None:
    await app_client.post(PROMPTS, json=body("5.0.4", "007-create-prompt-chat-placeholder"))
    old = await app_client.get(
        f"{PROMPTS}/new-chat", params={"label": "latest"},
        headers={"X-Langfuse-Sdk-Name": "python", "X-Langfuse-Sdk-Version": "2.60.10"},
    )  # fmt: skip
    new = await app_client.get(
        f"{PROMPTS}/new-chat", params={"label": "latest"},
        headers={"X-Langfuse-Sdk-Name": "python", "X-Langfuse-Sdk-Version": "5.0.4"},
    )  # fmt: skip
    assert old.json()["prompt"] == [{"role": "system", "content": "Be {{tone}}"}]
    assert len(new.json()["prompt"]) == 2


async def test_versions_count_up_and_latest_follows_the_newest(app_client: httpx.AsyncClient) -> None:
    first = await create(app_client, name="greet", labels=["production"])
    second = await create(app_client, name="greet", prompt="Hi {{name}}", labels=["staging"])
    third = await create(app_client, name="greet", prompt="Hey {{name}}")
    assert [first["version"], second["version"], third["version"]] == [1, 2, 3]
    assert await labels_by_version(app_client, "greet") == {1: ["production"], 2: ["staging"], 3: ["latest"]}


async def test_get_by_version_label_and_default_production(app_client: httpx.AsyncClient) -> None:
    await create(app_client, name="greet", prompt="one", labels=["production"])
    await create(app_client, name="greet", prompt="two", labels=["staging"])
    assert (await app_client.get(f"{PROMPTS}/greet")).json()["prompt"] == "one"
    assert (await app_client.get(f"{PROMPTS}/greet", params={"label": "staging"})).json()["prompt"] == "two"
    assert (await app_client.get(f"{PROMPTS}/greet", params={"label": "latest"})).json()["prompt"] == "two"
    assert (await app_client.get(f"{PROMPTS}/greet", params={"version": 1})).json()["prompt"] == "one"


async def test_assigning_a_label_moves_it(app_client: httpx.AsyncClient) -> None:
    await create(app_client, name="greet", prompt="one", labels=["production"])
    await create(app_client, name="greet", prompt="two", labels=["production"])
    assert await labels_by_version(app_client, "greet") == {1: [], 2: ["production", "latest"]}
    response = await app_client.patch(f"{PROMPTS}/greet/versions/1", json={"newLabels": ["production", "canary"]})
    assert response.status_code == 200
    assert sorted(response.json()["labels"]) == ["canary", "production"]
    assert await labels_by_version(app_client, "greet") == {1: ["canary", "production"], 2: ["latest"]}
    assert (await app_client.get(f"{PROMPTS}/greet")).json()["version"] == 1


async def test_patch_can_remove_a_label_but_not_latest(app_client: httpx.AsyncClient) -> None:
    await create(app_client, name="greet", labels=["production", "staging"])
    await create(app_client, name="greet")
    response = await app_client.patch(
        f"{PROMPTS}/greet/versions/1", json={"newLabels": [], "removeLabels": ["staging"]}
    )
    assert response.json()["labels"] == ["production"]
    moved = await app_client.patch(f"{PROMPTS}/greet/versions/1", json={"newLabels": ["latest"]})
    assert moved.status_code == 400
    assert "latest" in moved.json()["message"]


async def test_tags_belong_to_the_prompt(app_client: httpx.AsyncClient) -> None:
    await create(app_client, name="greet", tags=["a"])
    await create(app_client, name="greet")  # no tags: keeps them
    assert (await app_client.get(f"{PROMPTS}/greet", params={"version": 1})).json()["tags"] == ["a"]
    await create(app_client, name="greet", tags=["b", "c"])
    for version in (1, 2, 3):
        got = (await app_client.get(f"{PROMPTS}/greet", params={"version": version})).json()
        assert got["tags"] == ["b", "c"]


async def test_folder_names_raw_and_encoded(app_client: httpx.AsyncClient) -> None:
    await create(app_client, name="folder/sub prompt", labels=["production"])
    raw = await app_client.get(f"{PROMPTS}/folder/sub%20prompt")
    encoded = await app_client.get(f"{PROMPTS}/folder%2Fsub%20prompt")
    assert raw.status_code == encoded.status_code == 200
    assert raw.json()["name"] == encoded.json()["name"] == "folder/sub prompt"
    patched = await app_client.patch(f"{PROMPTS}/folder%2Fsub%20prompt/versions/1", json={"newLabels": ["x"]})
    assert patched.status_code == 200
    assert "x" in patched.json()["labels"]


async def test_missing_prompt_is_a_langfuse_404(app_client: httpx.AsyncClient) -> None:
    response = await app_client.get(f"{PROMPTS}/does-not-exist")
    assert response.status_code == 404
    assert response.json()["error"] == "LangfuseNotFoundError"
    assert "does-not-exist" in response.json()["message"]
    await create(app_client, name="greet")  # no production label
    assert (await app_client.get(f"{PROMPTS}/greet")).status_code == 404
    assert (await app_client.get(f"{PROMPTS}/greet", params={"version": 9})).status_code == 404
    assert (await app_client.patch(f"{PROMPTS}/greet/versions/9", json={"newLabels": []})).status_code == 404


@pytest.mark.parametrize(
    ("payload", "words"),
    [
        ({"name": "", "prompt": "x"}, "name must not be empty"),
        ({"name": "   ", "prompt": "x"}, "name must not be empty"),
        ({"prompt": "x"}, "name must be a string"),
        ({"name": "p", "prompt": "x", "type": "image"}, "type must be 'text' or 'chat'"),
        ({"name": "p", "prompt": "x", "type": "chat"}, "chat prompt must be a non-empty list"),
        ({"name": "p", "prompt": [], "type": "chat"}, "chat prompt must be a non-empty list"),
        ({"name": "p", "prompt": ["hi"], "type": "chat"}, "prompt[0] must be a message object"),
        ({"name": "p", "prompt": [{"role": "user"}], "type": "chat"}, "prompt[0].content must be a string"),
        ({"name": "p", "prompt": [{"type": "placeholder"}], "type": "chat"}, "placeholder and needs"),
        ({"name": "p", "prompt": [{"role": "user", "content": "x"}], "type": "text"}, "text prompt must be a string"),
        ({"name": "p", "prompt": "x", "labels": ["in production"]}, "label 'in production' is not allowed"),
        ({"name": "p", "prompt": "x", "labels": ["Prod"]}, "label 'Prod' is not allowed"),
        ({"name": "p", "prompt": "x", "labels": "production"}, "labels must be a list"),
        ({"name": "p", "prompt": "x", "tags": [1]}, "tags must be a list of strings"),
        ({"name": "a//b", "prompt": "x"}, "empty folder part"),
    ],
)
async def test_bad_input_is_a_clear_400(app_client: httpx.AsyncClient, payload: dict[str, Any], words: str) -> None:
    response = await app_client.post(PROMPTS, json=payload)
    assert response.status_code == 400, response.text
    assert words in response.json()["message"]


async def test_bad_requests_elsewhere_are_400s(app_client: httpx.AsyncClient) -> None:
    await create(app_client, name="greet")
    assert (await app_client.post(PROMPTS, content=b"[1]")).status_code == 400
    assert (await app_client.get(f"{PROMPTS}/greet", params={"version": "two"})).status_code == 400
    both = await app_client.get(f"{PROMPTS}/greet", params={"version": 1, "label": "latest"})
    assert both.status_code == 400
    spaced = await app_client.patch(f"{PROMPTS}/greet/versions/1", json={"newLabels": ["a b"]})
    assert spaced.status_code == 400
    assert "no spaces" in spaced.json()["message"]
    assert (await app_client.patch(f"{PROMPTS}/greet/versions/1", json={"labels": ["x"]})).status_code == 400


async def test_list_filters_and_paging(app_client: httpx.AsyncClient) -> None:
    await create(app_client, name="alpha", tags=["team-a"], labels=["production"], config={"v": 1})
    await create(app_client, name="alpha", config={"v": 2})
    await create(app_client, name="beta", type="chat", prompt=[{"role": "system", "content": "x"}], tags=["team-b"])
    await create(app_client, name="gamma", tags=["team-a"])
    everything = (await app_client.get(PROMPTS)).json()
    assert everything["meta"] == {"page": 1, "limit": 50, "totalItems": 3, "totalPages": 1}
    alpha = next(p for p in everything["data"] if p["name"] == "alpha")
    assert alpha["versions"] == [1, 2]
    assert sorted(alpha["labels"]) == ["latest", "production"]
    assert alpha["lastConfig"] == {"v": 2}
    assert alpha["type"] == "text"
    assert alpha["tags"] == ["team-a"]
    beta = next(p for p in everything["data"] if p["name"] == "beta")
    assert beta["type"] == "chat"
    tagged = (await app_client.get(PROMPTS, params={"tag": "team-a"})).json()["data"]
    assert sorted(p["name"] for p in tagged) == ["alpha", "gamma"]
    production = (await app_client.get(PROMPTS, params={"label": "production"})).json()["data"]
    assert [(p["name"], p["versions"], p["lastConfig"]) for p in production] == [("alpha", [1], {"v": 1})]
    paged = (await app_client.get(PROMPTS, params={"limit": 2, "page": 2})).json()
    assert paged["meta"] == {"page": 2, "limit": 2, "totalItems": 3, "totalPages": 2}
    assert len(paged["data"]) == 1
    future = (await app_client.get(PROMPTS, params={"fromUpdatedAt": "2999-01-01T00:00:00Z"})).json()
    assert future["data"] == []
    assert (await app_client.get(PROMPTS, params={"fromUpdatedAt": "yesterday"})).status_code == 400


async def test_delete_a_version_moves_latest_back(app_client: httpx.AsyncClient) -> None:
    await create(app_client, name="greet", prompt="one")
    await create(app_client, name="greet", prompt="two", labels=["production"])
    response = await app_client.delete(f"{PROMPTS}/greet", params={"version": 2})
    assert response.status_code == 204
    assert await labels_by_version(app_client, "greet") == {1: ["latest"]}
    assert (await app_client.get(f"{PROMPTS}/greet")).status_code == 404  # production went with version 2
    third = await create(app_client, name="greet", prompt="three")
    assert third["version"] == 2  # numbering continues from the newest version left


async def test_delete_by_label_and_whole_prompt(app_client: httpx.AsyncClient) -> None:
    await create(app_client, name="greet", prompt="one", labels=["staging"])
    await create(app_client, name="greet", prompt="two")
    assert (await app_client.delete(f"{PROMPTS}/greet", params={"label": "staging"})).status_code == 204
    assert (await app_client.get(f"{PROMPTS}/greet", params={"version": 1})).status_code == 404
    assert (await app_client.delete(f"{PROMPTS}/greet")).status_code == 204
    assert (await app_client.get(PROMPTS, params={"name": "greet"})).json()["data"] == []
    assert (await app_client.delete(f"{PROMPTS}/greet")).status_code == 404


async def test_prompts_are_scoped_to_the_project(app_client: httpx.AsyncClient, store: Store) -> None:
    await create(app_client, name="greet", labels=["production"], tags=["mine"])
    other = await create_key(store, await store.create_project("other"))
    auth = (other.public_key, other.secret_key)
    assert (await app_client.get(f"{PROMPTS}/greet", auth=auth)).status_code == 404
    assert (await app_client.get(PROMPTS, auth=auth)).json()["data"] == []
    theirs = await app_client.post(PROMPTS, json={"name": "greet", "prompt": "theirs"}, auth=auth)
    assert theirs.json()["version"] == 1
    assert theirs.json()["tags"] == []
    assert (await app_client.get(f"{PROMPTS}/greet")).json()["prompt"] == "Hello {{name}}"


@pytest.mark.parametrize(
    "request_line",
    [
        ("GET", f"{PROMPTS}/greet?version=99999999999999999999"),
        ("GET", f"{PROMPTS}/greet?version=0"),
        ("GET", f"{PROMPTS}?page=99999999999999999999"),
        ("GET", f"{PROMPTS}/greet/versions/99999999999999999999/generations"),
        ("DELETE", f"{PROMPTS}/greet?version=-1"),
    ],
)
async def test_out_of_range_numbers_are_400s(app_client: httpx.AsyncClient, request_line: tuple[str, str]) -> None:
    method, url = request_line
    response = await app_client.request(method, url)
    assert response.status_code == 400, response.text


async def test_generations_of_a_version_from_a_captured_2x_batch(app_client: httpx.AsyncClient) -> None:
    batch = await app_client.post(
        "/api/public/ingestion", json=body("2.60.10", "010-ingestion-prompt-linked-generation")
    )
    assert batch.status_code == 207
    # The batch names movie-critic v2, which this project never created: its history is still listed.
    found = (await app_client.get(f"{PROMPTS}/movie-critic/versions/2/generations")).json()
    assert found["usage"]["generationCount"] == 1
    assert found["usage"]["scores"] == []
    assert found["data"][0]["id"] == "059805bb-67b8-45bc-af1b-f21df2d7f3dc"
    assert found["data"][0]["model"] == "gpt-4o"
    missing = await app_client.get(f"{PROMPTS}/movie-critic/versions/3/generations")
    assert missing.status_code == 404
    assert missing.json()["error"] == "LangfuseNotFoundError"
