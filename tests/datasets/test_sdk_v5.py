"""The dataset workflow with the official langfuse==5.0.4 SDK against a live `spyglass serve`: `run_experiment` on a
dataset makes no REST call to link items; the spans' `langfuse.experiment.*` attributes become the run and its run
items, which read back exactly like a 2.x run."""

from __future__ import annotations

from typing import Any

import pytest

from tests.datasets.workflow import EXPECTED, PRELUDE, read_run
from tests.support.sdk import run_script
from tests.support.server import ServerProcess

SDK = "5.0.4"

SCENARIO = (
    PRELUDE
    + r"""
from datetime import datetime, timezone
import time
from langfuse import Langfuse
from langfuse.experiment import Evaluation

lf = Langfuse()
out = {}
created = lf.create_dataset(name=DATASET, description="arithmetic", metadata={"owner": "qa"})
out["created"] = [created.name, created.metadata]
for question, expected in ITEMS:
    lf.create_dataset_item(dataset_name=DATASET, input={"q": question}, expected_output=expected)
before_edit = datetime.now(timezone.utc)
time.sleep(0.01)
dataset = lf.get_dataset(DATASET)
first = next(i for i in dataset.items if i.input["q"] == "1+1")
lf.create_dataset_item(dataset_name=DATASET, id=first.id, input={"q": "1+1"}, expected_output="two")
out["latest_expected"] = sorted(i.expected_output for i in lf.get_dataset(DATASET).items)
out["versioned_expected"] = sorted(i.expected_output for i in lf.get_dataset(DATASET, version=before_edit).items)

def task(*, item, **kwargs):
    return answer(item.input["q"])

def exact(*, input, output, expected_output, **kwargs):
    return Evaluation(name="exact", value=exact_value(output, expected_output))

def avg_exact(*, item_results, **kwargs):
    values = [e.value for r in item_results for e in r.evaluations if e.name == "exact"]
    return Evaluation(name="avg_exact", value=sum(values) / len(values))

versioned = lf.get_dataset(DATASET, version=before_edit)
result = versioned.run_experiment(name="qa", run_name="run-v5", description="5.x run", task=task,
                                  evaluators=[exact], run_evaluators=[avg_exact])
lf.flush()
out["experiment"] = [result.run_name, result.experiment_id, len(result.item_results)]
print(json.dumps(out))
"""
)


@pytest.fixture(scope="module")
def seen(module_server: ServerProcess) -> dict[str, Any]:
    result: dict[str, Any] = run_script(SDK, SCENARIO, module_server.sdk_env())
    return result


@pytest.mark.slow
def test_dataset_versions_as_the_sdk_reads_them(seen: dict[str, Any]) -> None:
    assert seen["created"] == ["sdk/qa", {"owner": "qa"}]
    assert seen["latest_expected"] == ["4", "6", "two"]
    assert seen["versioned_expected"] == ["2", "4", "6"]


@pytest.mark.slow
def test_run_experiment_reads_back_like_a_2x_run(seen: dict[str, Any], module_server: ServerProcess) -> None:
    run_name, experiment_id, count = seen["experiment"]
    assert (run_name, count) == ("run-v5", 3)
    run = read_run(module_server, "run-v5")
    assert run["names"] == ["run-v5"]
    assert run["run"] == {"name": "run-v5", "description": "5.x run", "datasetName": "sdk/qa"}
    assert run["items"] == EXPECTED
    assert run["run_scores"] == {"avg_exact": 0.6667}
    with module_server.client() as client:
        assert client.get("/api/public/datasets/sdk%2Fqa/runs/run-v5").json()["id"] == experiment_id
