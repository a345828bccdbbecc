"""Datasets pages through their JSON twins and a little HTML: list, dataset, item edit/archive, runs compared,
add a trace to a dataset; members write, viewers read, every form needs the CSRF token."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from tests.web.conftest import csrf_of, sign_in
from tests.web.factory import T0, trace_batch
from tests.web.test_traces_pages import ingest

pytestmark = pytest.mark.anyio


@pytest.fixture
async def experiment(app_client: httpx.AsyncClient) -> dict[str, Any]:
    """Dataset 'eval/qa' with three items and two runs: 'base' scores 1, 1, 0; 'next' scores 0, 1, 1."""
    assert (await app_client.post("/api/public/v2/datasets", json={"name": "eval/qa"})).status_code == 200
    for i in range(3):
        await app_client.post(
            "/api/public/dataset-items",
            json={
                "datasetName": "eval/qa",
                "id": f"item-{i}",
                "input": {"q": f"question {i}"},
                "expectedOutput": f"a{i}",
            },
        )
    events: list[dict[str, Any]] = []
    for run in ("base", "next"):
        for i in range(3):
            trace_id = f"{run}-{i}"
            events += trace_batch(
                trace_id,
                at=T0 + timedelta(minutes=i),
                answer=f"{run} answer {i}",
                latency_ms=1000 if run == "base" else 500,
                cost=0.01,
            )
    await ingest(app_client, events)
    run_ids = {}
    for run, values in (("base", (1, 1, 0)), ("next", (0, 1, 1))):
        for i, value in enumerate(values):
            linked = await app_client.post(
                "/api/public/dataset-run-items",
                json={"runName": run, "datasetItemId": f"item-{i}", "traceId": f"{run}-{i}"},
            )
            run_ids[run] = linked.json()["datasetRunId"]
            await app_client.post("/api/public/scores", json={"traceId": f"{run}-{i}", "name": "exact", "value": value})
    dataset = (await app_client.get("/api/public/v2/datasets/eval/qa")).json()
    return {"dataset_id": dataset["id"], "runs": run_ids}


async def test_list_and_dataset_pages(web: httpx.AsyncClient, project_id: str, experiment: dict[str, Any]) -> None:
    listed = (await web.get(f"/project/{project_id}/datasets?format=json")).json()
    assert [(d["dataset"]["name"], d["item_count"], d["run_count"]) for d in listed["datasets"]] == [("eval/qa", 3, 2)]
    assert listed["can_edit"] is True
    page = (await web.get(f"/project/{project_id}/datasets/{experiment['dataset_id']}?format=json")).json()
    assert [i["id"] for i in page["items"]] == ["item-2", "item-1", "item-0"]
    assert [(r["name"], r["item_count"]) for r in page["runs"]] == [("next", 3), ("base", 3)]
    html = (await web.get(f"/project/{project_id}/datasets")).text
    assert 'data-testid="nav-datasets"' in html and "eval/qa" in html


async def test_compare_runs_side_by_side_sorted_by_score_change(
    web: httpx.AsyncClient, project_id: str, experiment: dict[str, Any]
) -> None:
    base = f"/project/{project_id}/datasets/{experiment['dataset_id']}/compare"
    runs = [experiment["runs"]["base"], experiment["runs"]["next"]]
    query = "&".join(f"runs={r}" for r in runs)
    page = (await web.get(f"{base}?{query}&format=json")).json()
    aggregates = {a["run"]["name"]: a for a in page["comparison"]["runs"]}
    assert [a["run"]["name"] for a in page["comparison"]["runs"]] == ["base", "next"]
    assert aggregates["base"]["items"] == 3
    assert aggregates["base"]["scores"]["exact"] == pytest.approx(2 / 3)
    assert aggregates["base"]["average_latency"] == pytest.approx(1.0)
    assert aggregates["next"]["average_latency"] == pytest.approx(0.5)
    assert aggregates["base"]["total_cost"] == pytest.approx(0.03)
    row = next(r for r in page["comparison"]["items"] if r["item_id"] == "item-0")
    assert row["cells"][runs[0]]["output"] == "base answer 0"
    assert row["cells"][runs[1]]["scores"] == {"exact": 0.0}
    assert row["cells"][runs[0]]["latency"] == pytest.approx(1.0)

    by_delta = (await web.get(f"{base}?{query}&sort=exact&format=json")).json()
    assert [(r["item_id"], r["delta"]) for r in by_delta["comparison"]["items"]] == [
        ("item-2", 1.0),
        ("item-1", 0.0),
        ("item-0", -1.0),
    ]
    # No runs chosen: the newest five, oldest first.
    default = (await web.get(f"{base}?format=json")).json()
    assert default["selected"] == runs
    html = (await web.get(f"{base}?{query}&sort=exact")).text
    assert 'data-testid="compare-table"' in html and "next answer 2" in html


async def test_member_creates_dataset_adds_edits_and_archives_items(web: httpx.AsyncClient, project_id: str) -> None:
    token = csrf_of((await web.get(f"/project/{project_id}/datasets")).text)
    created = await web.post(
        f"/project/{project_id}/datasets", data={"csrf": token, "name": "ui/set", "description": "made in the UI"}
    )
    assert created.status_code == 303
    dataset_url = created.headers["location"]
    added = await web.post(
        f"{dataset_url}/items",
        data={"csrf": token, "input": '{"q": "hi"}', "expected_output": "hello", "metadata": "", "back": "dataset"},
    )
    assert added.status_code == 303 and added.headers["location"] == dataset_url
    page = (await web.get(f"{dataset_url}?format=json")).json()
    [item] = page["items"]
    assert (item["input"], item["expected_output"], item["metadata"]) == ({"q": "hi"}, "hello", None)
    edited = await web.post(
        f"{dataset_url}/items",
        data={
            "csrf": token,
            "item_id": item["id"],
            "input": "plain text",
            "expected_output": "[1, 2]",
            "metadata": '{"k": 1}',
        },
    )
    assert edited.status_code == 303
    shown = (await web.get(f"{edited.headers['location']}?format=json")).json()["item"]
    assert (shown["input"], shown["expected_output"], shown["metadata"]) == ("plain text", [1, 2], {"k": 1})
    await web.post(f"{dataset_url}/items", data={"csrf": token, "item_id": item["id"], "status": "ARCHIVED"})
    archived = (await web.get(f"{edited.headers['location']}?format=json")).json()["item"]
    assert (archived["status"], archived["input"]) == ("ARCHIVED", "plain text")
    no_input = await web.post(f"{dataset_url}/items", data={"csrf": token, "input": ""})
    assert no_input.status_code == 400
    bad_status = await web.post(f"{dataset_url}/items", data={"csrf": token, "item_id": item["id"], "status": "GONE"})
    assert bad_status.status_code == 400
    no_csrf = await web.post(f"{dataset_url}/items", data={"input": "x"})
    assert no_csrf.status_code == 403


async def test_add_a_trace_to_a_dataset(web: httpx.AsyncClient, app_client: httpx.AsyncClient, project_id: str) -> None:
    await ingest(app_client, trace_batch("t-add", question="What is 2+2?", answer="4"))
    await app_client.post("/api/public/v2/datasets", json={"name": "golden"})
    trace_html = (await web.get(f"/project/{project_id}/traces/t-add")).text
    assert f'href="/project/{project_id}/dataset-from-trace/t-add"' in trace_html
    form = await web.get(f"/project/{project_id}/dataset-from-trace/t-add?format=json")
    assert (form.json()["input"], form.json()["expected_output"]) == ("What is 2+2?", "4")
    html = (await web.get(f"/project/{project_id}/dataset-from-trace/t-add")).text
    dataset_id = form.json()["datasets"][0]["id"]
    saved = await web.post(
        f"/project/{project_id}/dataset-from-trace/t-add",
        data={"csrf": csrf_of(html), "dataset_id": dataset_id, "input": '"What is 2+2?"', "expected_output": '"4"'},
    )
    assert saved.status_code == 303
    item = (await web.get(f"{saved.headers['location']}?format=json")).json()["item"]
    assert (item["input"], item["expected_output"], item["source_trace_id"]) == ("What is 2+2?", "4", "t-add")
    observation = await web.get(f"/project/{project_id}/dataset-from-trace/t-add?observation=t-add-gen&format=json")
    assert observation.json()["expected_output"] == {"role": "assistant", "content": "4"}
    missing = await web.get(f"/project/{project_id}/dataset-from-trace/nope")
    assert missing.status_code == 404


async def test_viewers_read_but_cannot_write(
    app_client: httpx.AsyncClient, users: dict[str, str], project_id: str, experiment: dict[str, Any]
) -> None:
    async with httpx.AsyncClient(transport=app_client._transport, base_url="http://spyglass.test") as viewer:
        assert (await sign_in(viewer, users["viewer"])).status_code == 303
        dataset_url = f"/project/{project_id}/datasets/{experiment['dataset_id']}"
        page = await viewer.get(dataset_url)
        assert page.status_code == 200
        assert 'data-testid="new-item"' not in page.text
        assert (await viewer.get(f"/project/{project_id}/datasets?format=json")).json()["can_edit"] is False
        item = await viewer.get(f"{dataset_url}/items/item-0")
        assert 'data-testid="read-only"' in item.text
        denied = await viewer.post(f"{dataset_url}/items", data={"csrf": csrf_of(page.text), "input": "x"})
        assert denied.status_code == 403
        create = await viewer.post(f"/project/{project_id}/datasets", data={"csrf": csrf_of(page.text), "name": "x"})
        assert create.status_code == 403


async def test_user_content_is_escaped(web: httpx.AsyncClient, app_client: httpx.AsyncClient, project_id: str) -> None:
    hostile = "<script>alert(1)</script>"
    await app_client.post("/api/public/v2/datasets", json={"name": hostile, "description": hostile})
    await app_client.post(
        "/api/public/dataset-items", json={"datasetName": hostile, "input": hostile, "expectedOutput": {"x": hostile}}
    )
    listed = (await web.get(f"/project/{project_id}/datasets")).text
    assert hostile not in listed and "&lt;script&gt;" in listed
    dataset_id = (await web.get(f"/project/{project_id}/datasets?format=json")).json()["datasets"][0]["dataset"]["id"]
    detail = (await web.get(f"/project/{project_id}/datasets/{dataset_id}")).text
    assert hostile not in detail
    compare = (await web.get(f"/project/{project_id}/datasets/{dataset_id}/compare")).text
    assert hostile not in compare
