"""The dataset workflow with the official langfuse==3.15.0 SDK against a live `spyglass serve`: `item.run()` (a span
per item, linked through REST) and `dataset.run_experiment()` with an item evaluator and a run evaluator, read back
through the SDK's API client."""

from __future__ import annotations

from typing import Any

import pytest

from tests.datasets.workflow import EXPECTED, PRELUDE, read_run
from tests.support.sdk import run_script
from tests.support.server import ServerProcess

SDK = "3.15.0"

SCENARIO = (
    PRELUDE
    + r"""
from langfuse import Langfuse
from langfuse.experiment import Evaluation

lf = Langfuse()
out = {}
lf.create_dataset(name=DATASET, description="arithmetic")
for question, expected in ITEMS:
    lf.create_dataset_item(dataset_name=DATASET, input={"q": question}, expected_output=expected)
dataset = lf.get_dataset(DATASET)

for item in dataset.items:
    with item.run(run_name="run-v3-items", run_description="item.run()") as span:
        output = answer(item.input["q"])
        span.update(output=output)
        span.update_trace(output=output)
        span.score_trace(name="exact", value=exact_value(output, item.expected_output))

def task(*, item, **kwargs):
    return answer(item.input["q"])

def exact(*, input, output, expected_output, **kwargs):
    return Evaluation(name="exact", value=exact_value(output, expected_output))

def avg_exact(*, item_results, **kwargs):
    values = [e.value for r in item_results for e in r.evaluations if e.name == "exact"]
    return Evaluation(name="avg_exact", value=sum(values) / len(values))

result = dataset.run_experiment(name="qa", run_name="run-v3", description="3.x run", task=task,
                                evaluators=[exact], run_evaluators=[avg_exact])
lf.flush()
out["experiment"] = [result.run_name, len(result.item_results)]
run = lf.api.datasets.get_run(dataset_name=DATASET, run_name="run-v3")
out["run"] = [run.name, run.description, len(run.dataset_run_items)]
out["runs"] = sorted(r.name for r in lf.api.datasets.get_runs(dataset_name=DATASET).data)
listed = lf.api.dataset_run_items.list(dataset_id=dataset.id, run_name="run-v3")
out["run_items"] = listed.meta.total_items
print(json.dumps(out))
"""
)


@pytest.fixture(scope="module")
def seen(module_server: ServerProcess) -> dict[str, Any]:
    result: dict[str, Any] = run_script(SDK, SCENARIO, module_server.sdk_env())
    return result


@pytest.mark.slow
def test_the_sdk_reads_its_runs_back(seen: dict[str, Any]) -> None:
    assert seen["experiment"] == ["run-v3", 3]
    assert seen["run"] == ["run-v3", "3.x run", 3]
    assert seen["runs"] == ["run-v3", "run-v3-items"]
    assert seen["run_items"] == 3


@pytest.mark.slow
def test_item_run_reads_back_with_outputs_and_scores(seen: dict[str, Any], module_server: ServerProcess) -> None:
    run = read_run(module_server, "run-v3-items")
    assert run["run"] == {"name": "run-v3-items", "description": "item.run()", "datasetName": "sdk/qa"}
    assert run["items"] == EXPECTED


@pytest.mark.slow
def test_run_experiment_reads_back_with_outputs_and_scores(seen: dict[str, Any], module_server: ServerProcess) -> None:
    run = read_run(module_server, "run-v3")
    assert run["run"] == {"name": "run-v3", "description": "3.x run", "datasetName": "sdk/qa"}
    assert run["items"] == EXPECTED
    assert run["run_scores"] == {"avg_exact": 0.6667}
