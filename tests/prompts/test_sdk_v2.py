"""Prompt management with the official langfuse==2.60.10 SDK against a live `spyglass serve`.

One script runs the whole scenario (create, get by version / label / default, compile, cache, fallback, label
updates, a generation linked to a prompt); the tests check what it saw and what the server serves afterwards.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.sdk import run_script
from tests.support.server import ServerProcess

SDK = "2.60.10"

SCENARIO = r"""
import json, os
import httpx
from langfuse import Langfuse
from langfuse.api.resources.commons.errors.not_found_error import NotFoundError

lf = Langfuse()
raw = httpx.Client(base_url=os.environ["LANGFUSE_HOST"],
                   auth=(os.environ["LANGFUSE_PUBLIC_KEY"], os.environ["LANGFUSE_SECRET_KEY"]))
out = {}

v1 = lf.create_prompt(name="movie-critic", prompt="As a {{criticLevel}} critic, rate {{movie}} from 1 to 10.",
                      config={"model": "gpt-4o", "temperature": 0.2}, labels=["production"], tags=["movies"],
                      commit_message="first")
v2 = lf.create_prompt(name="movie-critic", prompt="As an {{criticLevel}} critic, review {{movie}}.",
                      labels=["staging"])
chat = lf.create_prompt(name="critics/chat", type="chat", labels=["production"], config={"temperature": 0.5},
                        prompt=[{"role": "system", "content": "You are a {{tone}} critic."},
                                {"role": "user", "content": "Review {{movie}}."}])
out["created"] = [[p.name, p.version, sorted(p.labels), p.config] for p in (v1, v2, chat)]

default = lf.get_prompt("movie-critic")
by_version = lf.get_prompt("movie-critic", version=2, cache_ttl_seconds=0)
by_label = lf.get_prompt("movie-critic", label="staging")
chat_prompt = lf.get_prompt("critics/chat", type="chat")
out["default"] = [default.version, default.config, default.labels, default.tags, default.is_fallback]
out["by_version"] = [by_version.version, by_version.prompt]
out["by_label"] = by_label.version
out["compiled_text"] = default.compile(criticLevel="expert", movie="Dune 2")
out["compiled_chat"] = chat_prompt.compile(tone="harsh", movie="Dune 2")

# Move production behind the SDK's back: the cached prompt is still served until the cache is bypassed.
raw.patch("/api/public/v2/prompts/movie-critic/versions/2", json={"newLabels": ["production"]}).raise_for_status()
out["cached"] = lf.get_prompt("movie-critic").version
out["uncached"] = lf.get_prompt("movie-critic", cache_ttl_seconds=0).version

# update_prompt invalidates the cache of that name.
updated = lf.update_prompt(name="movie-critic", version=1, new_labels=["production", "archived"])
out["updated_labels"] = sorted(updated.labels)
out["after_update"] = lf.get_prompt("movie-critic").version

# Missing prompt: NotFoundError without a fallback, a fallback prompt with one.
try:
    lf.get_prompt("does-not-exist", max_retries=1)
    out["missing"] = "no error"
except NotFoundError:
    out["missing"] = "NotFoundError"
fallback = lf.get_prompt("does-not-exist", fallback="Hello {{name}}", max_retries=1)
out["fallback"] = [fallback.is_fallback, fallback.compile(name="Ada")]

# A chat prompt with a placeholder (made by a newer SDK) still parses here.
raw.post("/api/public/v2/prompts", json={"name": "with-history", "type": "chat", "labels": ["production"],
         "prompt": [{"role": "system", "content": "Be {{tone}}"}, {"type": "placeholder", "name": "history"}]})
with_history = lf.get_prompt("with-history", type="chat")
out["with_history"] = with_history.compile(tone="brief")

# A generation linked to version 2.
trace = lf.trace(name="with-prompt")
generation = trace.generation(name="critic-call", model="gpt-4o", prompt=by_version,
                              input=by_version.compile(criticLevel="expert", movie="Dune 2"))
generation.end(output="8/10", usage={"input": 12, "output": 4, "total": 16})
lf.score(trace_id=trace.id, observation_id=generation.id, name="quality", value=0.75)
lf.score(trace_id=trace.id, name="thumbs", value=1, data_type="BOOLEAN")
unlinked = trace.generation(name="no-prompt", model="gpt-4o", input="hi")
unlinked.end(output="hello")
lf.flush()
out["trace_id"] = trace.id
out["generation_id"] = generation.id

listed = lf.client.prompts.list(name="movie-critic")
out["listed"] = [[p.name, p.versions, sorted(p.labels), p.tags] for p in listed.data]
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def seen(module_server: ServerProcess) -> dict[str, Any]:
    result: dict[str, Any] = run_script(SDK, SCENARIO, module_server.sdk_env())
    return result


@pytest.mark.slow
def test_create_text_and_chat_with_config_and_labels(seen: dict[str, Any]) -> None:
    assert seen["created"] == [
        ["movie-critic", 1, ["latest", "production"], {"model": "gpt-4o", "temperature": 0.2}],
        ["movie-critic", 2, ["latest", "staging"], {}],
        ["critics/chat", 1, ["latest", "production"], {"temperature": 0.5}],
    ]


@pytest.mark.slow
def test_get_by_default_version_and_label(seen: dict[str, Any]) -> None:
    assert seen["default"] == [1, {"model": "gpt-4o", "temperature": 0.2}, ["production"], ["movies"], False]
    assert seen["by_version"] == [2, "As an {{criticLevel}} critic, review {{movie}}."]
    assert seen["by_label"] == 2


@pytest.mark.slow
def test_compile_text_and_chat(seen: dict[str, Any]) -> None:
    assert seen["compiled_text"] == "As a expert critic, rate Dune 2 from 1 to 10."
    assert seen["compiled_chat"] == [
        {"role": "system", "content": "You are a harsh critic."},
        {"role": "user", "content": "Review Dune 2."},
    ]


@pytest.mark.slow
def test_cache_and_label_updates(seen: dict[str, Any]) -> None:
    assert seen["cached"] == 1  # served from the SDK cache after production moved to 2
    assert seen["uncached"] == 2
    assert seen["updated_labels"] == ["archived", "production"]
    assert seen["after_update"] == 1


@pytest.mark.slow
def test_missing_prompt_and_fallback(seen: dict[str, Any]) -> None:
    assert seen["missing"] == "NotFoundError"
    assert seen["fallback"] == [True, "Hello Ada"]


@pytest.mark.slow
def test_placeholders_are_left_out_for_2x(seen: dict[str, Any]) -> None:
    assert seen["with_history"] == [{"role": "system", "content": "Be brief"}]


@pytest.mark.slow
def test_list_through_the_sdk_client(seen: dict[str, Any]) -> None:
    assert seen["listed"] == [["movie-critic", [1, 2], ["archived", "latest", "production", "staging"], ["movies"]]]


@pytest.mark.slow
def test_linked_generation_is_found_from_the_prompt_version(seen: dict[str, Any], module_server: ServerProcess) -> None:
    with module_server.client() as client:
        response = client.get("/api/public/v2/prompts/movie-critic/versions/2/generations")
        assert response.status_code == 200
        found = response.json()
        unused = client.get("/api/public/v2/prompts/movie-critic/versions/1/generations").json()
    assert unused["usage"]["generationCount"] == 0
    assert unused["data"] == []
    usage = found["usage"]
    assert usage["generationCount"] == 1
    assert usage["traceCount"] == 1
    assert (usage["inputTokens"], usage["outputTokens"], usage["totalTokens"]) == (12, 4, 16)
    assert usage["latency"]["average"] is not None and usage["latency"]["average"] >= 0
    assert {(s["name"], s["target"], s["count"], s["average"]) for s in usage["scores"]} == {
        ("quality", "observation", 1, 0.75),
        ("thumbs", "trace", 1, 1.0),
    }
    assert found["meta"]["totalItems"] == 1
    [generation] = found["data"]
    assert generation["id"] == seen["generation_id"]
    assert generation["traceId"] == seen["trace_id"]
    assert (generation["promptName"], generation["promptVersion"]) == ("movie-critic", 2)
    assert generation["input"] == "As an expert critic, review Dune 2."
    assert [s["name"] for s in generation["scores"]] == ["quality"]
    assert [s["name"] for s in generation["traceScores"]] == ["thumbs"]
