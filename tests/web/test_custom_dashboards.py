"""Custom dashboards: members create them and add, edit and delete widgets through the forms; every role reads them
(JSON twin and HTML); bad widget queries get a 400 naming the part."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tests.web.conftest import csrf_of, sign_in
from tests.web.test_dashboards import WINDOW, traffic  # noqa: F401 (the fixture)

pytestmark = pytest.mark.anyio


async def _post(client: httpx.AsyncClient, url: str, data: dict[str, str]) -> httpx.Response:
    page = await client.get(url.split("/widgets")[0].removesuffix("/delete"))
    return await client.post(url, data={**data, "csrf": csrf_of(page.text)})


async def _create(web: httpx.AsyncClient, project_id: str, name: str = "Costs") -> str:
    response = await _post(web, f"/project/{project_id}/dashboards", {"name": name, "description": "by model"})
    assert response.status_code == 303, response.text
    return str(response.headers["location"]).rsplit("/", 1)[1]


async def _json(web: httpx.AsyncClient, url: str) -> Any:
    response = await web.get(url + ("&" if "?" in url else "?") + "format=json")
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.usefixtures("traffic")
async def test_widgets_show_their_query_results(web: httpx.AsyncClient, project_id: str) -> None:
    ident = await _create(web, project_id)
    base = f"/project/{project_id}/dashboards/{ident}"
    for form in (
        {"title": "Traces", "chart": "number", "measure": "traces:count", "aggregation": "count"},
        {"title": "Cost by user", "chart": "bar", "measure": "traces:totalCost", "aggregation": "sum",
         "dimension": "userId"},
        {"title": "Per day", "chart": "line", "measure": "traces:count", "aggregation": "count",
         "granularity": "day"},
        {"title": "Models", "chart": "table", "query": json.dumps({
            "view": "observations", "metrics": [{"measure": "totalTokens", "aggregation": "sum"}],
            "dimensions": [{"field": "providedModelName"}],
            "filters": [{"column": "type", "operator": "=", "value": "GENERATION", "type": "string"}]})},
    ):  # fmt: skip
        response = await _post(web, f"{base}/widgets", form)
        assert response.status_code == 303, response.text
    page = await _json(web, f"{base}?{WINDOW}")
    assert page["dashboard"]["name"] == "Costs" and page["can_edit"] is True
    results = {r["widget"]["title"]: r for r in page["results"]}
    assert list(results) == ["Traces", "Cost by user", "Per day", "Models"]
    assert results["Traces"]["rows"] == [{"count_count": 4}]
    by_user = {r["userId"]: r["sum_totalCost"] for r in results["Cost by user"]["rows"]}
    assert by_user == {"ben": pytest.approx(0.5), "ann": pytest.approx(0.03)}
    assert [(r["time_dimension"][:10], r["count_count"]) for r in results["Per day"]["rows"]] == [
        ("2026-03-01", 3), ("2026-03-02", 1), ("2026-03-03", 0)]  # fmt: skip
    assert results["Models"]["rows"] == [{"providedModelName": "gpt-4o-mini", "sum_totalTokens": 1460}]
    html = (await web.get(f"{base}?{WINDOW}")).text
    assert 'data-testid="widget-number">4<' in html
    for testid in ("widget-bars", "widget-line", "widget-table"):
        assert f'data-testid="{testid}"' in html
    listed = await _json(web, f"/project/{project_id}/dashboards")
    assert [(d["name"], d["widget_count"]) for d in listed["dashboards"]] == [("Costs", 4)]


@pytest.mark.usefixtures("traffic")
async def test_edit_and_delete(web: httpx.AsyncClient, project_id: str) -> None:
    ident = await _create(web, project_id)
    base = f"/project/{project_id}/dashboards/{ident}"
    form = {"title": "Traces", "chart": "number", "measure": "traces:count", "aggregation": "count"}
    assert (await _post(web, f"{base}/widgets", form)).status_code == 303
    [widget] = (await _json(web, base))["dashboard"]["widgets"]
    edit = await _json(web, f"{base}?edit={widget['id']}")
    assert edit["editing"]["title"] == "Traces"
    form = {**form, "widget_id": widget["id"], "title": "Errors", "query": json.dumps({
        "view": "traces", "metrics": [{"measure": "count", "aggregation": "count"}],
        "filters": [{"column": "level", "operator": "=", "value": "ERROR", "type": "string"}]})}  # fmt: skip
    assert (await _post(web, f"{base}/widgets", form)).status_code == 303
    page = await _json(web, f"{base}?{WINDOW}")
    [result] = page["results"]
    assert (result["widget"]["title"], result["rows"]) == ("Errors", [{"count_count": 1}])
    assert (await _post(web, f"{base}", {"name": "Renamed", "description": ""})).status_code == 303
    assert (await _json(web, base))["dashboard"]["name"] == "Renamed"
    assert (await _post(web, f"{base}/widgets/{widget['id']}/delete", {})).status_code == 303
    assert (await _json(web, base))["dashboard"]["widgets"] == []
    assert (await _post(web, f"{base}/delete", {})).status_code == 303
    assert (await web.get(base)).status_code == 404


@pytest.mark.parametrize(
    ("form", "words"),
    [
        ({"title": "", "chart": "number", "measure": "traces:count", "aggregation": "count"}, "title"),
        ({"title": "x", "chart": "pie", "measure": "traces:count", "aggregation": "count"}, "chart must be one of"),
        ({"title": "x", "chart": "bar", "measure": "traces:tokens", "aggregation": "sum"}, "Invalid metric"),
        ({"title": "x", "chart": "bar", "measure": "traces:count", "aggregation": "count",
          "dimension": "providedModelName"}, "Invalid dimension"),
        ({"title": "x", "chart": "bar", "query": "{nope"}, "query is not valid JSON"),
    ],
)  # fmt: skip
async def test_bad_widgets_get_400(web: httpx.AsyncClient, project_id: str, form: dict[str, str], words: str) -> None:
    ident = await _create(web, project_id)
    response = await _post(web, f"/project/{project_id}/dashboards/{ident}/widgets", form)
    assert response.status_code == 400 and words in response.text


async def test_viewers_read_but_do_not_edit(
    web: httpx.AsyncClient, app_client: httpx.AsyncClient, users: dict[str, str], project_id: str
) -> None:
    ident = await _create(web, project_id)
    form = {"title": "Traces", "chart": "number", "measure": "traces:count", "aggregation": "count"}
    assert (await _post(web, f"/project/{project_id}/dashboards/{ident}/widgets", form)).status_code == 303
    async with httpx.AsyncClient(transport=app_client._transport, base_url="http://spyglass.test") as viewer:
        assert (await sign_in(viewer, users["viewer"])).status_code == 303
        page = await _json(viewer, f"/project/{project_id}/dashboards/{ident}")
        assert page["can_edit"] is False and len(page["results"]) == 1
        html = (await viewer.get(f"/project/{project_id}/dashboards/{ident}")).text
        assert 'data-testid="widget-form"' not in html
        denied = await _post(viewer, f"/project/{project_id}/dashboards/{ident}/widgets", form)
        assert denied.status_code == 403
        denied = await _post(viewer, f"/project/{project_id}/dashboards", {"name": "mine"})
        assert denied.status_code == 403
