"""Costs and token usage through the official langfuse==5.0.4 SDK (OTLP spans) against a live server.

The same generations and the same hand-worked numbers as the 2.x test: both doors price alike.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.sdk import run_script
from tests.support.server import ServerProcess

SDK = "5.0.4"
pytestmark = pytest.mark.slow

SCENARIO = r"""
import json
from langfuse import Langfuse, propagate_attributes

lf = Langfuse()
override = lf.api.models.create(model_name="my-gpt-4o-mini", match_pattern="(?i)^gpt-4o-mini$", unit="TOKENS",
                                input_price=0.001, output_price=0.002)

def generation(name, **kwargs):
    return lf.start_as_current_observation(as_type="generation", name=name, **kwargs)

with lf.start_as_current_observation(as_type="span", name="cost-root") as root:
    trace_id = root.trace_id
    with propagate_attributes(user_id="cost-user-5", session_id="cost-session-5", trace_name="cost-trace-5"):
        with generation("usage-only", model="gpt-4o", input="question") as g:
            g.update(output="answer", usage_details={"input": 1000, "output": 500})
        with generation("explicit-cost", model="gpt-4o", usage_details={"input": 100, "output": 50},
                        cost_details={"input": 0.5, "output": 0.25}):
            pass
        with generation("openai-details", model="o4-mini", usage_details={
            "prompt_tokens": 2000, "completion_tokens": 1000, "total_tokens": 3000,
            "prompt_tokens_details": {"cached_tokens": 1500, "audio_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": 600},
        }):
            pass
        with generation("project-override", model="gpt-4o-mini", usage_details={"input": 1000, "output": 1000}):
            pass
        with generation("unknown-model", model="acme-llm-7", usage_details={"input": 10, "output": 20}):
            pass
        with generation("no-usage", model="gpt-4o", input=[{"role": "user", "content": "Hello, world!"}]) as g:
            g.update(output="Hi there")
        with generation("model-later", usage_details={"input": 2000, "output": 100}) as g:
            g.update(model="gpt-4.1-nano")
lf.flush()
listed = lf.api.models.list(limit=100)
builtin = lf.api.models.get("builtin-o4-mini")
print(json.dumps({"trace_id": trace_id, "override": override.dict(by_alias=True),
                  "listed": [m.id for m in listed.data], "builtin": builtin.dict(by_alias=True)}, default=str))
"""


def _get(server: ServerProcess, path: str, **params: Any) -> Any:
    with server.client() as client:
        response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_costs_through_the_5x_sdk(server: ServerProcess) -> None:
    out = run_script(SDK, SCENARIO, server.sdk_env())
    assert out["override"]["isLangfuseManaged"] is False
    assert out["listed"][0] == out["override"]["id"] and "builtin-o4-mini" in out["listed"]
    assert out["builtin"]["prices"]["input_cached_tokens"] == {"price": 0.000000275}
    assert out["builtin"]["pricingTiers"][0]["isDefault"] is True
    trace = _get(server, f"/api/public/traces/{out['trace_id']}")
    obs = {o["name"]: o for o in trace["observations"]}

    # gpt-4o: 1000 x $2.50 + 500 x $10 per 1M tokens
    assert obs["usage-only"]["costDetails"] == {"input": 0.0025, "output": 0.005, "total": 0.0075}
    assert obs["explicit-cost"]["costDetails"] == {"input": 0.5, "output": 0.25, "total": 0.75}
    # o4-mini: 500 x $1.10 + 1500 cached x $0.275 + 400 x $4.40 + 600 reasoning x $4.40
    assert obs["openai-details"]["usageDetails"] == {"input": 500, "input_cached_tokens": 1500, "output": 400,
                                                     "output_reasoning_tokens": 600, "total": 3000}  # fmt: skip
    assert obs["openai-details"]["costDetails"]["total"] == pytest.approx(0.0053625)
    assert obs["project-override"]["costDetails"] == {"input": 1.0, "output": 2.0, "total": 3.0}
    assert obs["unknown-model"]["usageDetails"] == {"input": 10, "output": 20, "total": 30}
    assert obs["unknown-model"]["costDetails"] == {}
    # counted offline: 11 prompt tokens, 2 completion tokens; 11 x $2.50 + 2 x $10
    assert obs["no-usage"]["usageDetails"] == {"input": 11, "output": 2, "total": 13}
    assert obs["no-usage"]["costDetails"] == pytest.approx({"input": 0.0000275, "output": 0.00002, "total": 0.0000475})
    # gpt-4.1-nano: 2000 x $0.10 + 100 x $0.40
    assert obs["model-later"]["costDetails"] == pytest.approx({"input": 0.0002, "output": 0.00004, "total": 0.00024})
    assert obs["cost-root"]["costDetails"] == {}

    total = 0.0075 + 0.75 + 0.0053625 + 3.0 + 0.0 + 0.0000475 + 0.00024
    assert trace["totalCost"] == pytest.approx(total)
    assert sum(o["calculatedTotalCost"] or 0.0 for o in obs.values()) == pytest.approx(total)
    assert trace["totalTokens"] == 1500 + 150 + 3000 + 2000 + 30 + 13 + 2100
    session = _get(server, "/api/public/sessions/cost-session-5")
    assert session["totalCost"] == pytest.approx(total)
    (day,) = _get(server, "/api/public/metrics/daily", userId="cost-user-5")["data"]
    assert day["countTraces"] == 1 and day["countObservations"] == 8
    assert day["totalCost"] == pytest.approx(total)
    assert sum(u["totalCost"] for u in day["usage"]) == pytest.approx(total)
