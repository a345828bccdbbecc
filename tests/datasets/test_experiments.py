"""Langfuse's experiments reads through the official langfuse==5.0.4 client (`api.experiments`) against a live
`spyglass serve`: two real `run_experiment` runs on a dataset read back as experiments and experiment items, parsed
by the SDK's own models, with their filters, field groups and cursor paging; bad parameters get a 400 naming them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from tests.datasets.workflow import PRELUDE
from tests.support.sdk import run_script
from tests.support.server import ServerProcess

SDK = "5.0.4"

SCENARIO = (
    PRELUDE
    + r"""
from datetime import datetime, timedelta, timezone
import time
from langfuse import Langfuse
from langfuse.experiment import Evaluation

lf = Langfuse()
api = lf.api.experiments
out = {}
lf.create_dataset(name=DATASET)
for question, expected in ITEMS:
    lf.create_dataset_item(dataset_name=DATASET, input={"q": question}, expected_output=expected,
                           metadata={"q": question})
since = datetime.now(timezone.utc) - timedelta(seconds=5)

def task(*, item, **kwargs):
    return answer(item.input["q"])

def exact(*, input, output, expected_output, **kwargs):
    return Evaluation(name="exact", value=exact_value(output, expected_output))

def avg_exact(*, item_results, **kwargs):
    values = [e.value for r in item_results for e in r.evaluations if e.name == "exact"]
    return Evaluation(name="avg_exact", value=sum(values) / len(values))

dataset = lf.get_dataset(DATASET)
first = dataset.run_experiment(name="qa", run_name="exp-a", description="first", task=task, evaluators=[exact],
                               metadata={"model": "m1"})
lf.flush()
second = dataset.run_experiment(name="qa", run_name="exp-b", task=task, evaluators=[exact],
                                run_evaluators=[avg_exact])
lf.flush()
out["ids"] = {"exp-a": first.experiment_id, "exp-b": second.experiment_id}
out["dataset_id"] = dataset.id

# spans are ingested in the background: wait until both runs have all their items (and scores)
for _ in range(200):
    listed = api.list(from_start_time=since, fields="scores")
    if [e.item_count for e in listed.data] == [3, 3] and all(len(e.scores or []) == 1 for e in listed.data[:1]):
        break
    time.sleep(0.1)

listed = api.list(from_start_time=since, fields="core,metadata,scores")
out["experiments"] = [
    {"id": e.id, "name": e.name, "description": e.description, "items": e.item_count, "datasetId": e.dataset_id,
     "metadata": e.metadata, "scores": sorted((s.name, s.value) for s in e.scores or []),
     "ordered": e.start_time <= e.end_time}
    for e in listed.data
]
out["experiments_core"] = [(e.metadata, e.scores) for e in api.list(from_start_time=since).data]
out["next"] = listed.meta.cursor
page = api.list(from_start_time=since, limit=1)
rest = api.list(from_start_time=since, limit=1, cursor=page.meta.cursor)
out["paged"] = [[e.name for e in page.data], [e.name for e in rest.data], rest.meta.cursor]
out["by_name"] = [e.name for e in api.list(from_start_time=since, name="exp-a").data]
out["by_id"] = [e.name for e in api.list(from_start_time=since, id=second.experiment_id).data]
out["by_dataset"] = len(api.list(from_start_time=since, dataset_id=dataset.id).data)
out["by_filter"] = [e.name for e in api.list(
    from_start_time=since, name="exp-a",
    filter=json.dumps([{"type": "stringOptions", "column": "name", "operator": "none of", "value": ["exp-a"]}])).data]
out["future"] = len(api.list(from_start_time=datetime.now(timezone.utc) + timedelta(hours=1)).data)
out["before"] = len(api.list(from_start_time=since, to_start_time=since + timedelta(seconds=1)).data)

groups = "io,itemMetadata,experimentMetadata,scores"
items = api.list_items(from_start_time=since, experiment_name="exp-a", fields=groups)
out["items"] = sorted(
    (i.input["q"] if isinstance(i.input, dict) else i.input, str(i.output), i.expected_output,
     i.experiment_item_metadata, i.experiment_metadata, i.experiment_description, i.experiment_id, i.experiment_name,
     sorted((s.name, s.value) for s in i.scores or []), i.level, i.environment, i.experiment_dataset_id is None)
    for i in items.data
)
out["starts"] = {i.id: i.start_time.isoformat() for i in items.data}
out["item_ids"] = sorted(i.experiment_item_id for i in items.data)
out["dataset_item_ids"] = sorted(i.id for i in lf.get_dataset(DATASET).items)
core = api.list_items(from_start_time=since, experiment_id=second.experiment_id)
out["items_core"] = [(i.experiment_dataset_id, i.experiment_item_version is not None, i.input, i.scores)
                     for i in core.data]
seen, cursor = [], None
while True:
    got = api.list_items(from_start_time=since, limit=4, cursor=cursor)
    seen.append(len(got.data))
    cursor = got.meta.cursor
    if cursor is None:
        break
out["item_pages"] = seen
one = out["item_ids"][0]
out["by_item"] = sorted(i.experiment_name for i in api.list_items(from_start_time=since, experiment_item_id=one).data)
out["items_by_filter"] = len(api.list_items(from_start_time=since, filter=json.dumps(
    [{"type": "string", "column": "experimentId", "operator": "=", "value": first.experiment_id}])).data)
print(json.dumps(out))
"""
)


@pytest.fixture(scope="module")
def seen(module_server: ServerProcess) -> dict[str, Any]:
    result: dict[str, Any] = run_script(SDK, SCENARIO, module_server.sdk_env())
    return result


@pytest.mark.slow
def test_runs_read_back_as_experiments(seen: dict[str, Any]) -> None:
    ids = seen["ids"]
    assert seen["experiments"] == [
        {"id": ids["exp-b"], "name": "exp-b", "description": None, "items": 3, "datasetId": seen["dataset_id"],
         "metadata": {}, "scores": [["avg_exact", pytest.approx(2 / 3)]], "ordered": True},
        {"id": ids["exp-a"], "name": "exp-a", "description": "first", "items": 3, "datasetId": seen["dataset_id"],
         "metadata": {"model": "m1"}, "scores": [], "ordered": True},
    ]  # fmt: skip
    assert seen["experiments_core"] == [[None, None], [None, None]]
    assert seen["next"] is None


@pytest.mark.slow
def test_experiments_filter_and_page(seen: dict[str, Any]) -> None:
    assert seen["paged"] == [["exp-b"], ["exp-a"], None]
    assert seen["by_name"] == ["exp-a"]
    assert seen["by_id"] == ["exp-b"]
    assert seen["by_dataset"] == 2
    assert seen["by_filter"] == ["exp-b"]  # the filter's condition on `name` replaces the name parameter
    assert seen["future"] == 0
    assert seen["before"] == 0


@pytest.mark.slow
def test_experiment_items_carry_their_run_item_and_trace(seen: dict[str, Any], module_server: ServerProcess) -> None:
    expected = {"1+1": ("2", "2", 1.0), "2+2": ("5", "4", 0.0), "3+3": ("6", "6", 1.0)}
    assert [tuple(i[:3]) for i in seen["items"]] == [(q, *expected[q][:2]) for q in sorted(expected)]
    for item in seen["items"]:
        question = item[0]
        # the 5.x SDK runs experiments in the environment "sdk-experiment"
        assert item[3:] == [
            {"q": question},
            {"model": "m1"},
            "first",
            seen["ids"]["exp-a"],
            "exp-a",
            [["exact", expected[question][2]]],
            "DEFAULT",
            "sdk-experiment",
            True,
        ]
    with module_server.client() as client:  # an item's id is its task span, and it started when that span did
        for span_id, started in seen["starts"].items():
            span = client.get(f"/api/public/observations/{span_id}").json()
            assert datetime.fromisoformat(span["startTime"].replace("Z", "+00:00")) == datetime.fromisoformat(started)
    assert seen["item_ids"] == seen["dataset_item_ids"]
    assert [c[:2] for c in seen["items_core"]] == [[seen["dataset_id"], True]] * 3
    assert [c[2:] for c in seen["items_core"]] == [[None, None]] * 3


@pytest.mark.slow
def test_experiment_items_filter_and_page(seen: dict[str, Any]) -> None:
    assert seen["item_pages"] == [4, 2]
    assert seen["by_item"] == ["exp-a", "exp-b"]
    assert seen["items_by_filter"] == 3


FAR_CURSOR = "WzIzMDU4NDMwMDkyMTM2OTM5NTIsICJ4Il0"  # [2**61, "x"]: well formed, a time no datetime holds
CONTAINS = '[{"type":"string","column":"experimentName","operator":"contains","value":"a"}]'


@pytest.mark.slow
@pytest.mark.parametrize(
    ("path", "params", "named"),
    [
        ("/api/public/experiments", {}, "fromStartTime"),
        ("/api/public/experiments", {"fromStartTime": "yesterday"}, "fromStartTime"),
        ("/api/public/experiments", {"fromStartTime": "2026-01-01", "toStartTime": "x"}, "toStartTime"),
        ("/api/public/experiments", {"fromStartTime": "2026-01-01", "limit": "101"}, "limit"),
        ("/api/public/experiments", {"fromStartTime": "2026-01-01", "scoreLimit": "0"}, "scoreLimit"),
        ("/api/public/experiments", {"fromStartTime": "2026-01-01", "fields": "core,io"}, "fields"),
        ("/api/public/experiments", {"fromStartTime": "2026-01-01", "cursor": "nope"}, "cursor"),
        ("/api/public/experiments", {"fromStartTime": "2026-01-01", "filter": "[{}]"}, "filter[0]"),
        ("/api/public/experiments", {"fromStartTime": "2026-01-01", "cursor": FAR_CURSOR}, "cursor"),
        ("/api/public/experiments", {"fromStartTime": "2026-01-01", "id": ",".join(["x"] * 1001)}, "id"),
        ("/api/public/experiment-items", {}, "fromStartTime"),
        ("/api/public/experiment-items", {"fromStartTime": "2026-01-01", "cursor": FAR_CURSOR}, "cursor"),
        ("/api/public/experiment-items", {"fromStartTime": "2026-01-01", "limit": "0"}, "limit"),
        ("/api/public/experiment-items", {"fromStartTime": "2026-01-01", "fields": "trace"}, "fields"),
        (
            "/api/public/experiment-items",
            {"fromStartTime": "2026-01-01", "filter": '[{"type":"string","column":"name","operator":"=","value":"a"}]'},
            "filter[0].column",
        ),
        (
            "/api/public/experiment-items",
            {"fromStartTime": "2026-01-01", "filter": CONTAINS},
            "filter[0].operator",
        ),
    ],
)
def test_bad_parameters_get_a_400_naming_them(
    module_server: ServerProcess, path: str, params: dict[str, str], named: str
) -> None:
    with module_server.client() as client:
        response = client.get(path, params=params)
    assert response.status_code == 400, response.text
    assert named in response.json()["message"]
