"""The dataset workflow with the official langfuse==2.60.10 SDK against a live `spyglass serve`: create a dataset and
items, `get_dataset`, a run over the items with `item.link()` and an evaluator score per trace, and the SDK's own
reads of runs and run items."""

from __future__ import annotations

from typing import Any

import pytest

from tests.datasets.workflow import EXPECTED, PRELUDE, read_run
from tests.support.sdk import run_script
from tests.support.server import ServerProcess

SDK = "2.60.10"

SCENARIO = (
    PRELUDE
    + r"""
from langfuse import Langfuse

lf = Langfuse()
out = {}
created = lf.create_dataset(name=DATASET, description="arithmetic", metadata={"owner": "qa"})
out["created"] = [created.name, created.description, created.metadata]
for question, expected in ITEMS:
    lf.create_dataset_item(dataset_name=DATASET, input={"q": question}, expected_output=expected, metadata={"n": 1})
dataset = lf.get_dataset(DATASET)
out["items"] = sorted(item.input["q"] for item in dataset.items)
for item in dataset.items:
    trace = lf.trace(name="qa-task", input=item.input)
    output = answer(item.input["q"])
    trace.update(output=output)
    item.link(trace, "run-v2", run_description="2.x run", run_metadata={"model": "calc"})
    trace.score(name="exact", value=exact_value(output, item.expected_output))
lf.flush()
run = lf.get_dataset_run(DATASET, "run-v2")
out["run"] = [run.name, run.description, run.metadata, len(run.dataset_run_items)]
out["runs"] = [r.name for r in lf.get_dataset_runs(DATASET).data]
print(json.dumps(out))
"""
)


@pytest.fixture(scope="module")
def seen(module_server: ServerProcess) -> dict[str, Any]:
    result: dict[str, Any] = run_script(SDK, SCENARIO, module_server.sdk_env())
    return result


@pytest.mark.slow
def test_the_sdk_creates_and_reads_the_dataset(seen: dict[str, Any]) -> None:
    assert seen["created"] == ["sdk/qa", "arithmetic", {"owner": "qa"}]
    assert seen["items"] == ["1+1", "2+2", "3+3"]


@pytest.mark.slow
def test_the_sdk_reads_its_run_back(seen: dict[str, Any]) -> None:
    assert seen["run"] == ["run-v2", "2.x run", {"model": "calc"}, 3]
    assert seen["runs"] == ["run-v2"]


@pytest.mark.slow
def test_the_run_reads_back_with_outputs_and_scores(seen: dict[str, Any], module_server: ServerProcess) -> None:
    run = read_run(module_server, "run-v2")
    assert run["run"] == {"name": "run-v2", "description": "2.x run", "datasetName": "sdk/qa"}
    assert run["items"] == EXPECTED
