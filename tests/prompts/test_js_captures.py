"""Captured prompt requests of the JS SDKs (langfuse@3.39.2, @langfuse/client@5.11.1) replayed in order."""

from __future__ import annotations

import httpx
import pytest

from tests.support.payloads import capture

pytestmark = pytest.mark.anyio

FAMILY = "langfuse-js"


async def replay(client: httpx.AsyncClient, version: str, name: str) -> httpx.Response:
    request = capture(version, name, family=FAMILY)["request"]
    headers = {k: v for k, v in request["headers"].items() if k.lower().startswith("x-langfuse")}
    params = {key: values[0] for key, values in (request.get("query") or {}).items()}
    return await client.request(request["method"], request["path"], params=params, headers=headers,
                                json=request["body"] if request["body"] is not None else None)  # fmt: skip


@pytest.mark.parametrize("version", ["langfuse@3.39.2", "@langfuse/client@5.11.1"])
async def test_js_prompt_calls(app_client: httpx.AsyncClient, version: str) -> None:
    text = await replay(app_client, version, "005-create-prompt-text")
    assert text.status_code == 201
    assert (text.json()["version"], sorted(text.json()["labels"])) == (1, ["latest", "production"])
    chat = await replay(app_client, version, "006-create-prompt-chat-placeholder")
    assert chat.status_code == 201
    assert chat.json()["prompt"][1] == {"type": "placeholder", "name": "history"}  # JS 3.x+ knows placeholders
    patched = await replay(app_client, version, "007-update-prompt-labels")
    assert patched.status_code == 200
    assert sorted(patched.json()["labels"]) == ["latest", "production", "reviewed"]
    # The captured GETs ask for a prompt these calls did not create: the SDK's not-found path.
    missing = await replay(app_client, version, "002-get-prompt-by-version")
    assert missing.status_code == 404
    served = await app_client.get("/api/public/v2/prompts/support-bot-chat", params={"label": "staging"})
    assert served.json()["type"] == "chat"
