"""The 5.x SDK's `api.metrics.metrics(query=...)` (GET /api/public/v2/metrics) against a live server, over traces
the same SDK sent: the counts and token sums it gets back are the ones the script sent."""

from __future__ import annotations

import pytest

from tests.support.sdk import run_script
from tests.support.server import ServerProcess

pytestmark = pytest.mark.slow

SCENARIO = r"""
import json, datetime as dt
from langfuse import Langfuse, propagate_attributes

lf = Langfuse()
for i in range(3):
    with propagate_attributes(trace_name="answer" if i < 2 else "search", user_id="metrics-user"):
        with lf.start_as_current_observation(as_type="generation", name="llm", model="gpt-4o-mini",
                                             usage_details={"input": 10 * (i + 1), "output": 5}):
            pass
lf.flush()
now = dt.datetime.now(dt.timezone.utc)
query = {
    "view": "observations",
    "metrics": [{"measure": "count", "aggregation": "count"}, {"measure": "inputTokens", "aggregation": "sum"}],
    "dimensions": [{"field": "traceName"}],
    "filters": [{"column": "userId", "operator": "=", "value": "metrics-user", "type": "string"}],
    "fromTimestamp": (now - dt.timedelta(hours=1)).isoformat(),
    "toTimestamp": (now + dt.timedelta(minutes=5)).isoformat(),
    "orderBy": [{"field": "traceName", "direction": "asc"}],
}
result = lf.api.metrics.metrics(query=json.dumps(query))
try:
    lf.api.metrics.metrics(query=json.dumps({**query, "view": "traces"}))
    refused = None
except Exception as exc:
    refused = [getattr(exc, "status_code", None), str(getattr(exc, "body", exc))]
print(json.dumps({"data": result.data, "refused": refused}))
"""


def test_5x_sdk_metrics_call(server: ServerProcess) -> None:
    out = run_script("5.0.4", SCENARIO, server.sdk_env())
    assert out["data"] == [
        {"traceName": "answer", "count_count": 2, "sum_inputTokens": 30},
        {"traceName": "search", "count_count": 1, "sum_inputTokens": 30},
    ]
    status, body = out["refused"]
    assert status == 400 and "no traces view" in body
