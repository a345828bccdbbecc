"""Prompt management with the official langfuse==5.0.4 SDK against a live `spyglass serve`.

5.x needs `type` and the `config` key in every prompt object, encodes '/' in names as %2F, sends text prompts
without `type`, knows placeholder messages, and links generations to prompts over OTLP span attributes.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.sdk import run_script
from tests.support.server import ServerProcess

SDK = "5.0.4"

SCENARIO = r"""
import json, os
import httpx
from langfuse import Langfuse
from langfuse.api.commons.errors.not_found_error import NotFoundError

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
                                {"type": "placeholder", "name": "history"},
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
out["compiled_chat"] = chat_prompt.compile(tone="harsh", movie="Dune 2",
                                           history=[{"role": "user", "content": "Hi"}])

raw.patch("/api/public/v2/prompts/movie-critic/versions/2", json={"newLabels": ["production"]}).raise_for_status()
out["cached"] = lf.get_prompt("movie-critic").version
out["uncached"] = lf.get_prompt("movie-critic", cache_ttl_seconds=0).version

updated = lf.update_prompt(name="movie-critic", version=1, new_labels=["production", "archived"])
out["updated_labels"] = sorted(updated.labels)
out["after_update"] = lf.get_prompt("movie-critic").version
renamed = lf.update_prompt(name="critics/chat", version=1, new_labels=["reviewed"])
out["folder_update"] = sorted(renamed.labels)

try:
    lf.get_prompt("does-not-exist", max_retries=0)
    out["missing"] = "no error"
except NotFoundError:
    out["missing"] = "NotFoundError"
fallback = lf.get_prompt("does-not-exist", fallback="Hello {{name}}", max_retries=0)
out["fallback"] = [fallback.is_fallback, fallback.compile(name="Ada")]

with lf.start_as_current_observation(name="request") as root:
    with lf.start_as_current_observation(name="critic-call", as_type="generation", model="gpt-4o",
                                         prompt=by_version,
                                         input=by_version.compile(criticLevel="expert", movie="Dune 2")) as gen:
        gen.update(output="8/10", usage_details={"input": 12, "output": 4, "total": 16})
        gen.score(name="quality", value=0.75)
        gen.score_trace(name="thumbs", value=1, data_type="BOOLEAN")
        out["generation_id"] = gen.id
        out["trace_id"] = gen.trace_id
lf.flush()

listed = lf.api.prompts.list(name="movie-critic")
out["listed"] = [[p.name, p.type, p.versions, sorted(p.labels), p.tags] for p in listed.data]
lf.api.prompts.delete("critics%2Fchat")
out["after_delete"] = raw.get("/api/public/v2/prompts/critics%2Fchat").status_code
lf.shutdown()
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
def test_compile_text_and_chat_with_placeholder(seen: dict[str, Any]) -> None:
    assert seen["compiled_text"] == "As a expert critic, rate Dune 2 from 1 to 10."
    assert seen["compiled_chat"] == [
        {"role": "system", "content": "You are a harsh critic."},
        {"role": "user", "content": "Hi"},
        {"role": "user", "content": "Review Dune 2."},
    ]


@pytest.mark.slow
def test_cache_and_label_updates(seen: dict[str, Any]) -> None:
    assert seen["cached"] == 1
    assert seen["uncached"] == 2
    assert seen["updated_labels"] == ["archived", "production"]
    assert seen["after_update"] == 1
    assert seen["folder_update"] == ["latest", "production", "reviewed"]


@pytest.mark.slow
def test_missing_prompt_and_fallback(seen: dict[str, Any]) -> None:
    assert seen["missing"] == "NotFoundError"
    assert seen["fallback"] == [True, "Hello Ada"]


@pytest.mark.slow
def test_list_and_delete_through_the_sdk_client(seen: dict[str, Any]) -> None:
    assert seen["listed"] == [
        ["movie-critic", "text", [1, 2], ["archived", "latest", "production", "staging"], ["movies"]]
    ]
    assert seen["after_delete"] == 404


@pytest.mark.slow
def test_linked_generation_is_found_from_the_prompt_version(seen: dict[str, Any], module_server: ServerProcess) -> None:
    with module_server.client() as client:
        found = client.get("/api/public/v2/prompts/movie-critic/versions/2/generations").json()
    usage = found["usage"]
    assert usage["generationCount"] == 1
    assert (usage["inputTokens"], usage["outputTokens"], usage["totalTokens"]) == (12, 4, 16)
    assert {(s["name"], s["target"], s["count"], s["average"]) for s in usage["scores"]} == {
        ("quality", "observation", 1, 0.75),
        ("thumbs", "trace", 1, 1.0),
    }
    [generation] = found["data"]
    assert generation["id"] == seen["generation_id"]
    assert generation["traceId"] == seen["trace_id"]
    assert (generation["promptName"], generation["promptVersion"]) == ("movie-critic", 2)
    assert generation["input"] == "As an expert critic, review Dune 2."
