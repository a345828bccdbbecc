"""The official Langfuse JavaScript SDKs, unchanged, against a live `spyglass serve`: the legacy `langfuse` 3.39.2
(batch ingestion) and `@langfuse/tracing` + `@langfuse/otel` + `@langfuse/client` 4.6.1 and 5.11.1 (OTLP/JSON) each
run a chat turn (managed prompt, trace, linked generation, score) and read it back with their own client."""

from __future__ import annotations

import os
import uuid
from typing import Any

import pytest

from tests.support.js import node_available, run_scenario
from tests.support.server import ServerProcess

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not node_available() and os.environ.get("CI") != "true",
        reason="Node.js and npm are not installed here (CI has them, and there this test runs)",
    ),
]

GENERATIONS = [
    pytest.param("v3", "legacy_scenario.cjs", id="langfuse@3.39.2"),
    pytest.param("v4", "otel_scenario.cjs", id="@langfuse/otel@4.6.1"),
    pytest.param("v5", "otel_scenario.cjs", id="@langfuse/otel@5.11.1"),
]


@pytest.mark.parametrize(("generation", "script"), GENERATIONS)
def test_chat_turn_round_trips(module_server: ServerProcess, generation: str, script: str) -> None:
    tag = f"{generation}-{uuid.uuid4().hex[:8]}"
    prompt_name = f"js/{tag}/system"
    env = {**module_server.sdk_env(), "LANGFUSE_BASEURL": module_server.url}
    result = run_scenario(generation, script, {**env, "SCENARIO_TAG": tag, "SCENARIO_PROMPT": prompt_name})

    # What the SDK's own client read back.
    sdk_trace: dict[str, Any] = result["trace"]
    assert result["promptVersion"] == 1
    assert sdk_trace["id"] == result["traceId"]
    assert [o["id"] for o in sdk_trace["observations"] if o["type"] == "GENERATION"] == [result["generationId"]]

    # What the public API serves for the same trace, field by field.
    with module_server.client() as client:
        trace = client.get(f"/api/public/traces/{result['traceId']}").json()
        prompt = client.get(f"/api/public/v2/prompts/{prompt_name.replace('/', '%2F')}").json()
    assert trace["name"] == "js-chat"
    assert trace["userId"] == "js-user"
    assert trace["sessionId"] == f"session-{tag}"
    assert set(trace["tags"]) >= {"js", tag}
    assert trace["input"] == {"question": "hi"}
    assert trace["output"] == {"answer": "hello"}

    (generation_row,) = [o for o in trace["observations"] if o["type"] == "GENERATION"]
    assert generation_row["name"] == "llm"
    assert generation_row["model"] == "gpt-4o-mini"
    assert generation_row["input"] == [{"role": "user", "content": "Answer hi briefly."}]
    assert generation_row["output"] == {"role": "assistant", "content": "hello"}
    assert generation_row["usageDetails"]["input"] == 10
    assert generation_row["usageDetails"]["output"] == 5
    assert generation_row["promptName"] == prompt_name
    assert generation_row["promptVersion"] == 1
    assert generation_row["calculatedTotalCost"] > 0  # gpt-4o-mini has a built-in price

    (score,) = trace["scores"]
    assert (score["name"], score["value"], score["comment"]) == ("user_feedback", 4, "good")
    assert set(prompt["labels"]) == {"production", "latest"}
    assert prompt["config"] == {"temperature": 0.2}
