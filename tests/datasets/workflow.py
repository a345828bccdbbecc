"""The dataset workflow every SDK generation runs (tests/datasets/test_sdk_*.py) and how a run is read back.

Three arithmetic items; the task answers 2+2 wrongly, so the `exact` evaluator scores the run's items 1, 0, 1 and the
run-level `avg_exact` (where the SDK has run evaluators) is 2/3. A run reads back the same whichever SDK made it.
"""

from __future__ import annotations

from typing import Any

from tests.support.server import ServerProcess

DATASET = "sdk/qa"

# Python source every scenario starts with.
PRELUDE = r"""
import json
ITEMS = [("1+1", "2"), ("2+2", "4"), ("3+3", "6")]
DATASET = "sdk/qa"

def answer(question):
    return "5" if question == "2+2" else str(eval(question))

def exact_value(output, expected):
    return 1.0 if output == expected else 0.0
"""

EXPECTED = {"1+1": ("2", 1.0), "2+2": ("5", 0.0), "3+3": ("6", 1.0)}


def read_run(server: ServerProcess, run_name: str) -> dict[str, Any]:
    """What the public API says about a run: its fields, and per item question (output, exact score)."""
    with server.client() as client:
        runs = client.get("/api/public/datasets/sdk%2Fqa/runs").json()["data"]
        run = client.get(f"/api/public/datasets/sdk%2Fqa/runs/{run_name}")
        assert run.status_code == 200, run.text
        body = run.json()
        listed = client.get("/api/public/dataset-items", params={"datasetName": DATASET}).json()["data"]
        items = {i["id"]: i for i in listed}
        per_item: dict[str, tuple[Any, Any]] = {}
        for run_item in body["datasetRunItems"]:
            trace = client.get(f"/api/public/traces/{run_item['traceId']}").json()
            output = trace["output"]
            if run_item["observationId"] is not None:
                output = client.get(f"/api/public/observations/{run_item['observationId']}").json()["output"]
            exact = [s["value"] for s in trace["scores"] if s["name"] == "exact"]
            question = items[run_item["datasetItemId"]]["input"]["q"]
            # str(): 3.x sends a string output raw in its span attribute, so "2" reads back as the number 2.
            per_item[question] = (str(output), exact[0] if len(exact) == 1 else exact)
        run_scores = client.get("/api/public/v3/scores", params={"experimentId": body["id"]}).json()["data"]
    return {
        "names": [r["name"] for r in runs],
        "run": {k: body[k] for k in ("name", "description", "datasetName")},
        "items": per_item,
        "run_scores": {s["name"]: round(s["value"], 4) for s in run_scores},
    }
