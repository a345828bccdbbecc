"""Costs and token usage through the official langfuse==2.60.10 SDK (batch ingestion) against a live server.

Every expected number is worked out by hand from the built-in prices (USD per 1M tokens) in the comments.
"""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from tests.support.sdk import run_script
from tests.support.server import ServerProcess

SDK = "2.60.10"
pytestmark = pytest.mark.slow

SCENARIO = r"""
import json
from langfuse import Langfuse
from langfuse.api.resources.models.types.create_model_request import CreateModelRequest

lf = Langfuse()
override = lf.client.models.create(request=CreateModelRequest(
    model_name="my-gpt-4o-mini", match_pattern="(?i)^gpt-4o-mini$", unit="TOKENS",
    input_price=0.001, output_price=0.002,
))

trace = lf.trace(name="cost-trace", user_id="cost-user", session_id="cost-session")
g1 = trace.generation(name="usage-only", model="gpt-4o", input="question")
g1.end(output="answer", usage_details={"input": 1000, "output": 500})
trace.generation(name="explicit-cost", model="gpt-4o", usage_details={"input": 100, "output": 50},
                 cost_details={"input": 0.5, "output": 0.25}).end()
trace.generation(name="openai-details", model="o4-mini", usage_details={
    "prompt_tokens": 2000, "completion_tokens": 1000, "total_tokens": 3000,
    "prompt_tokens_details": {"cached_tokens": 1500, "audio_tokens": 0},
    "completion_tokens_details": {"reasoning_tokens": 600},
}).end()
trace.generation(name="project-override", model="gpt-4o-mini", usage_details={"input": 1000, "output": 1000}).end()
trace.generation(name="unknown-model", model="acme-llm-7", usage_details={"input": 10, "output": 20}).end()
trace.generation(name="no-usage", model="gpt-4o", input=[{"role": "user", "content": "Hello, world!"}],
                 output="Hi there").end()
late = trace.generation(name="model-later", usage_details={"input": 2000, "output": 100})
late.end(model="gpt-4.1-nano")

second = lf.trace(name="cost-trace-2", user_id="cost-user", session_id="cost-session")
second.generation(name="anthropic", model="claude-3-5-haiku-20241022", usage_details={
    "input_tokens": 100, "output_tokens": 200, "cache_read_input_tokens": 1000, "cache_creation_input_tokens": 400,
}).end()
lf.flush()

fetched = lf.fetch_trace(trace.id).data
daily = lf.client.metrics.daily(user_id="cost-user")
listed = lf.client.models.list(limit=100)
builtin = lf.client.models.get("builtin-gpt-4o")
print(json.dumps({
    "override": override.dict(by_alias=True),
    "listed": [m.id for m in listed.data],
    "builtin": builtin.dict(by_alias=True),
    "trace_id": trace.id,
    "second_id": second.id,
    "observations": {o.name: o.dict(by_alias=True) for o in fetched.observations},
    "total_cost": fetched.total_cost,
    "daily": daily.dict(by_alias=True),
}, default=str))
"""


def _get(server: ServerProcess, path: str, **params: Any) -> Any:
    with server.client() as client:
        response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_costs_through_the_2x_sdk(server: ServerProcess) -> None:
    out = run_script(SDK, SCENARIO, server.sdk_env())
    assert out["override"]["isLangfuseManaged"] is False
    assert out["listed"][0] == out["override"]["id"] and "builtin-gpt-4o" in out["listed"]
    assert out["builtin"]["isLangfuseManaged"] is True
    assert (out["builtin"]["inputPrice"], out["builtin"]["outputPrice"]) == (0.0000025, 0.00001)
    obs = out["observations"]

    # gpt-4o: 1000 x $2.50 + 500 x $10 (usage arrived in the update, the model in the create)
    assert obs["usage-only"]["costDetails"] == {"input": 0.0025, "output": 0.005, "total": 0.0075}
    assert obs["usage-only"]["calculatedTotalCost"] == 0.0075
    # explicit cost kept as sent, not the built-in 100 x $2.50 + 50 x $10
    assert obs["explicit-cost"]["costDetails"] == {"input": 0.5, "output": 0.25, "total": 0.75}
    # o4-mini: 2000 prompt tokens of which 1500 cached, 1000 completion of which 600 reasoning:
    # 500 x $1.10 + 1500 x $0.275 + 400 x $4.40 + 600 x $4.40 (reasoning bills as output)
    details = obs["openai-details"]
    assert details["usageDetails"] == {"input": 500, "input_cached_tokens": 1500, "output": 400,
                                       "output_reasoning_tokens": 600, "total": 3000}  # fmt: skip
    assert details["costDetails"] == pytest.approx({"input": 0.00055, "input_cached_tokens": 0.0004125,
                                                    "output": 0.00176, "output_reasoning_tokens": 0.00264,
                                                    "total": 0.0053625})  # fmt: skip
    assert (details["promptTokens"], details["completionTokens"], details["totalTokens"]) == (2000, 1000, 3000)
    # the project's gpt-4o-mini price ($0.001 / $0.002 per token) over the built-in one
    assert obs["project-override"]["costDetails"] == {"input": 1.0, "output": 2.0, "total": 3.0}
    # unknown model: usage kept, no cost, no error
    assert obs["unknown-model"]["usageDetails"] == {"input": 10, "output": 20, "total": 30}
    assert obs["unknown-model"]["costDetails"] == {}
    assert obs["unknown-model"]["calculatedTotalCost"] is None
    # no usage: counted offline with o200k ("Hello, world!" = 4 tokens, "user" = 1, +3 per message, +3 priming;
    # "Hi there" = 2), priced 11 x $2.50 + 2 x $10
    assert obs["no-usage"]["usageDetails"] == {"input": 11, "output": 2, "total": 13}
    assert obs["no-usage"]["costDetails"] == pytest.approx({"input": 0.0000275, "output": 0.00002, "total": 0.0000475})
    # usage first, model later: gpt-4.1-nano 2000 x $0.10 + 100 x $0.40
    assert obs["model-later"]["costDetails"] == pytest.approx({"input": 0.0002, "output": 0.00004, "total": 0.00024})

    # the trace's roll-up is the sum of its generations
    generation_total = 0.0075 + 0.75 + 0.0053625 + 3.0 + 0.0 + 0.0000475 + 0.00024
    assert sum(o["calculatedTotalCost"] or 0.0 for o in obs.values()) == pytest.approx(generation_total)
    assert out["total_cost"] == pytest.approx(3.76315)
    trace = _get(server, f"/api/public/traces/{out['trace_id']}")
    assert trace["totalCost"] == pytest.approx(3.76315)
    assert (trace["inputTokens"], trace["outputTokens"], trace["totalTokens"]) == (
        1000 + 100 + 2000 + 1000 + 10 + 11 + 2000, 500 + 50 + 1000 + 1000 + 20 + 2 + 100, 8793
    )  # fmt: skip

    # claude-3-5-haiku: 100 x $0.80 + 200 x $4 + 1000 cache reads x $0.08 + 400 cache writes x $1
    second = _get(server, f"/api/public/traces/{out['second_id']}")
    assert second["totalCost"] == pytest.approx(0.00136)
    assert (second["inputTokens"], second["outputTokens"], second["totalTokens"]) == (1500, 200, 1700)

    session = _get(server, "/api/public/sessions/cost-session")
    assert session["totalCost"] == pytest.approx(3.76315 + 0.00136)
    assert session["totalTokens"] == 8793 + 1700

    (day,) = out["daily"]["data"]
    assert day["countTraces"] == 2 and day["countObservations"] == 8
    assert day["totalCost"] == pytest.approx(3.76315 + 0.00136)
    per_model = {u["model"]: u for u in day["usage"]}
    assert per_model["gpt-4o"]["totalCost"] == pytest.approx(0.0075 + 0.75 + 0.0000475)
    assert per_model["gpt-4o"]["countObservations"] == 3
    assert per_model["gpt-4o"]["inputUsage"] == 1000 + 100 + 11
    assert per_model["acme-llm-7"]["totalCost"] == 0.0
    assert sum(u["totalCost"] for u in day["usage"]) == pytest.approx(day["totalCost"])

    by_model = _get(server, "/api/public/metrics/costs", groupBy="model", userId="cost-user")["data"]
    assert by_model[0]["key"] == "gpt-4o-mini" and by_model[0]["totalCost"] == 3.0


RECOMPUTE_SCENARIO = r"""
import json
from langfuse import Langfuse

lf = Langfuse()
trace = lf.trace(name="recompute")
trace.generation(name="matching", model="acme-7", usage_details={"input": 1000, "output": 500}).end()
trace.generation(name="other-acme", model="acme-7-mini", usage_details={"input": 100}).end()
trace.generation(name="builtin", model="gpt-4o", usage_details={"input": 1000}).end()
trace.generation(name="client-cost", model="acme-7", usage_details={"input": 10}, cost_details={"input": 0.5}).end()
lf.flush()
print(json.dumps({"trace_id": trace.id}))
"""


def _costs(server: ServerProcess, trace_id: str) -> tuple[dict[str, Any], float]:
    trace = _get(server, f"/api/public/traces/{trace_id}")
    return {o["name"]: o["costDetails"] for o in trace["observations"]}, trace["totalCost"]


def _recompute(server: ServerProcess, *args: str) -> str:
    proc = subprocess.run(
        [sys.executable, "-m", "spyglass", "costs", "recompute", "--data-dir", str(server.data_dir), *args],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def test_costs_recompute_after_adding_a_definition_changes_exactly_the_matching_generations(
    server: ServerProcess,
) -> None:
    trace_id = run_script(SDK, RECOMPUTE_SCENARIO, server.sdk_env())["trace_id"]
    before, total_before = _costs(server, trace_id)
    assert before == {"matching": {}, "other-acme": {}, "builtin": {"input": 0.0025, "total": 0.0025},
                      "client-cost": {"input": 0.5, "total": 0.5}}  # fmt: skip
    assert total_before == pytest.approx(0.5025)

    with server.client() as client:
        created = client.post("/api/public/models", json={
            "modelName": "acme-7", "matchPattern": "(?i)^acme-7$", "inputPrice": 0.000002, "outputPrice": 0.000004,
        })  # fmt: skip
    assert created.status_code == 200, created.text

    assert _recompute(server, "--dry-run") == (
        "Examined 4 generations; would change 1 (on 1 traces): cost 0.000000 -> 0.004000 USD (+0.004000 USD)."
    )
    assert _costs(server, trace_id) == (before, total_before)  # a dry run writes nothing

    # 1000 x $2 + 500 x $4 per M = 0.004; acme-7-mini does not match, gpt-4o is unchanged, a client cost is kept
    assert _recompute(server, "--model", "acme") == (
        "Examined 3 generations; changed 1 (on 1 traces): cost 0.000000 -> 0.004000 USD (+0.004000 USD)."
    )
    after, total_after = _costs(server, trace_id)
    assert after == {**before, "matching": {"input": 0.002, "output": 0.002, "total": 0.004}}
    assert total_after == pytest.approx(0.5065)
    assert _recompute(server, "--since", "2000-01-01") == (
        "Examined 4 generations; changed 0 (on 0 traces): cost 0.000000 -> 0.000000 USD (+0.000000 USD)."
    )
