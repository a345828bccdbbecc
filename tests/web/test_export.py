"""Downloads of the traces, generations and scores tables: the rows and filters of the table on screen, with the
whole input and output, as CSV, JSON Lines and Parquet."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import httpx
import pyarrow.parquet as pq
import pytest

from tests.web.test_traces_pages import filled, rows  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("filled")]
FILLED = [f"trace-{i:02d}" for i in range(12)]  # what the `filled` fixture sends, oldest first


async def download(web: httpx.AsyncClient, url: str) -> httpx.Response:
    response = await web.get(url)
    assert response.status_code == 200, response.text
    assert response.headers["content-disposition"].startswith("attachment; filename=")
    return response


async def test_traces_csv_has_the_filtered_rows_with_whole_content(web: httpx.AsyncClient, project_id: str) -> None:
    on_screen = [r["id"] for r in (await rows(web, project_id, "user=u-even&tag=vip"))["rows"]]
    assert on_screen == ["trace-06", "trace-00"]
    response = await download(web, f"/project/{project_id}/export/traces.csv?user=u-even&tag=vip")
    assert response.headers["content-type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["id"] for r in table] == on_screen
    assert table[0]["user_id"] == "u-even" and json.loads(table[0]["tags"]) == ["vip"]
    # Text content is written as it is; structured content (lists, objects) as JSON.
    assert table[0]["input"] == "Question number 6" and table[0]["output"] == "Paris."
    assert table[0]["timestamp"] == "2026-03-01T12:06:00Z" and float(table[0]["total_cost"]) == pytest.approx(0.006)


async def test_jsonl_and_parquet_carry_the_same_rows(web: httpx.AsyncClient, project_id: str) -> None:
    lines = (await download(web, f"/project/{project_id}/export/traces.jsonl")).text.splitlines()
    as_json = [json.loads(line) for line in lines]
    assert [r["id"] for r in as_json] == list(reversed(FILLED))
    assert as_json[0]["tags"] == ["std"] and as_json[0]["input_tokens"] == 21
    parquet = pq.read_table(io.BytesIO((await download(web, f"/project/{project_id}/export/traces.parquet")).content))
    assert parquet.column("id").to_pylist() == list(reversed(FILLED))
    assert str(parquet.schema.field("timestamp").type) == "timestamp[us, tz=UTC]"
    assert parquet.column("input_tokens").to_pylist()[0] == 21
    assert parquet.column("input").to_pylist()[5] == "Question number 6"


async def test_generations_and_scores(web: httpx.AsyncClient, app_client: httpx.AsyncClient, project_id: str) -> None:
    exported = await download(web, f"/project/{project_id}/export/generations.jsonl")
    generations = [json.loads(line) for line in exported.text.splitlines()]
    assert len(generations) == 12 and generations[0]["trace_id"] == "trace-11"
    assert generations[0]["model"] == "gpt-4o-mini" and generations[0]["input"][1]["content"] == "Question number 11"
    for trace_id, name in (("trace-01", "quality"), ("trace-02", "quality"), ("trace-03", "tone")):
        body: dict[str, Any] = {"traceId": trace_id, "name": name, "value": 0.5}
        assert (await app_client.post("/api/public/scores", json=body)).status_code == 200
    scores = list(csv.DictReader(io.StringIO(
        (await download(web, f"/project/{project_id}/export/scores.csv?name=quality")).text)))  # fmt: skip
    assert sorted(r["trace_id"] for r in scores) == ["trace-01", "trace-02"]
    assert {r["value"] for r in scores} == {"0.5"}


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/export/spans.csv", 404),
        ("/export/traces.xlsx", 404),
        ("/export/traces.csv?from=yesterday", 400),
        ("/export/scores.csv?source=robot", 400),
        ("/export/scores.csv?user=ann", 400),
    ],
)
async def test_bad_requests_say_why(web: httpx.AsyncClient, project_id: str, url: str, status: int) -> None:
    response = await web.get(f"/project/{project_id}{url}", headers={"accept": "application/json"})
    assert response.status_code == status
    assert response.json()["message"]


async def test_exports_need_a_member(app_client: httpx.AsyncClient, project_id: str) -> None:
    async with httpx.AsyncClient(transport=app_client._transport, base_url="http://spyglass.test") as anonymous:
        response = await anonymous.get(f"/project/{project_id}/export/traces.csv")
    assert response.status_code in (303, 401) and "trace" not in response.text.lower()[:200]


async def test_the_list_pages_link_their_downloads(web: httpx.AsyncClient, project_id: str) -> None:
    html = (await web.get(f"/project/{project_id}/traces?user=u-even&limit=50")).text
    assert f'href="/project/{project_id}/export/traces.csv?user=u-even"' in html
    assert 'data-testid="export-parquet"' in (await web.get(f"/project/{project_id}/generations")).text
    assert f'href="/project/{project_id}/export/scores.jsonl"' in (await web.get(f"/project/{project_id}/scores")).text
