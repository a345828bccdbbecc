"""The home dashboard through its JSON twin and its HTML (SVG charts without script), over numbers worked out by
hand from what the test sends."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from tests.web.factory import T0, trace_batch
from tests.web.test_traces_pages import ingest

pytestmark = pytest.mark.anyio
WINDOW = "range=custom&from=2026-03-01T00:00&to=2026-03-04T00:00"


@pytest.fixture
async def traffic(app_client: httpx.AsyncClient) -> None:
    """Day 1 (2026-03-01): three chat traces by ann (latency 1, 2, 3 s; cost 0.01 each); day 2: one search by ben
    that failed (cost 0.5). Scores: stars 1, 4, 5 and a tone."""
    events: list[dict[str, Any]] = []
    for i in range(3):
        events += trace_batch(f"a-{i}", at=T0 + timedelta(minutes=i), user="ann", session="conv-a",
                              latency_ms=1000 * (i + 1), tokens=(100, 50), cost=0.01)  # fmt: skip
    events += trace_batch("b-0", at=T0 + timedelta(days=1), name="search", user="ben", session="conv-b", cost=0.5,
                          tokens=(1000, 10))  # fmt: skip
    events[-1]["body"]["level"] = "ERROR"
    await ingest(app_client, events)
    for trace, name, value in (("a-0", "stars", 1), ("a-1", "stars", 4), ("b-0", "stars", 5), ("b-0", "tone", "ok")):
        body = {"traceId": trace, "name": name, "value": value, "timestamp": "2026-03-01T13:00:00Z"}
        assert (await app_client.post("/api/public/scores", json=body)).status_code == 200


async def test_home_dashboard_figures(web: httpx.AsyncClient, project_id: str, traffic: None) -> None:
    page = (await web.get(f"/project/{project_id}/dashboard?format=json&{WINDOW}")).json()
    d = page["dashboard"]
    assert d["granularity"] == "day"
    assert d["totals"] == {"traces": 4, "observations": 8, "errors": 1, "error_rate": 0.25,
                           "total_cost": pytest.approx(0.53), "total_tokens": 3 * 150 + 1010}  # fmt: skip
    assert [(p["time"][:10], p["traces"], p["errors"]) for p in d["traces_over_time"]] == [
        ("2026-03-01", 3, 0), ("2026-03-02", 1, 1), ("2026-03-03", 0, 0)]  # fmt: skip
    [model] = d["models"]
    assert (model["model"], model["generations"], model["input_tokens"], model["output_tokens"]) == (
        "gpt-4o-mini",
        4,
        1300,
        160,
    )
    # generation latencies 0.99, 1.99, 2.99 and 0.49 s (each starts 10 ms into its trace)
    assert model["p50_ms"] == pytest.approx(1490) and model["p99_ms"] == pytest.approx(2960)
    names = {n["name"]: n for n in d["trace_names"]}
    assert names["chat"]["traces"] == 3 and names["chat"]["p50_ms"] == pytest.approx(2000)
    assert names["chat"]["p90_ms"] == pytest.approx(2800)
    assert [(u["key"], u["traces"]) for u in d["top_users"]] == [("ann", 3), ("ben", 1)]
    assert [(s["key"], s["traces"]) for s in d["top_sessions"]] == [("conv-a", 3), ("conv-b", 1)]
    [trend] = d["score_trends"]
    assert trend["name"] == "stars" and trend["points"][0][1] == pytest.approx(10 / 3)
    spread = {s["name"]: s for s in d["score_distributions"]}
    assert [(b["label"], b["count"]) for b in spread["stars"]["buckets"]] == [
        ("1", 1), ("2", 0), ("3", 0), ("4", 1), ("5", 1)]  # fmt: skip
    assert spread["tone"]["buckets"] == [{"label": "ok", "count": 1}]


async def test_filters_narrow_every_figure(web: httpx.AsyncClient, project_id: str, traffic: None) -> None:
    d = (await web.get(f"/project/{project_id}/dashboard?format=json&{WINDOW}&user=ben")).json()["dashboard"]
    assert (d["totals"]["traces"], d["totals"]["observations"]) == (1, 2)
    assert [u["key"] for u in d["top_users"]] == ["ben"]
    assert [s["name"] for s in d["score_distributions"]] == ["stars", "tone"]
    assert d["score_distributions"][0]["count"] == 1
    d = (await web.get(f"/project/{project_id}/dashboard?format=json&{WINDOW}&level=ERROR&q=x")).json()["dashboard"]
    assert d["totals"]["traces"] == 1 and d["not_applied"] == ["search"]


async def test_html_has_svg_charts_and_no_script(web: httpx.AsyncClient, project_id: str, traffic: None) -> None:
    html = (await web.get(f"/project/{project_id}/dashboard?{WINDOW}")).text
    for testid in ("chart-traces", "chart-observations", "chart-cost", "chart-tokens", "chart-errors",
                   "chart-model-cost", "chart-scores", "models-table", "top-users", "top-sessions"):  # fmt: skip
        assert f'data-testid="{testid}"' in html
    assert '<script src="/static/app.js"' in html and "<script>" not in html
    assert 'data-testid="total-traces">4<' in html
    home = await web.get(f"/project/{project_id}")
    assert home.status_code == 303 and home.headers["location"].endswith("/dashboard")


async def test_bad_window_is_a_400(web: httpx.AsyncClient, project_id: str) -> None:
    bad = await web.get(f"/project/{project_id}/dashboard?range=custom&from=2026-03-04T00:00&to=2026-03-01T00:00")
    assert bad.status_code == 400 and "from must be before to" in bad.text
    bad = await web.get(f"/project/{project_id}/dashboard?range=fortnight")
    assert bad.status_code == 400 and "range must be one of" in bad.text
    bad = await web.get(f"/project/{project_id}/dashboard", params={"user": "a\x00b"})
    assert bad.status_code == 400 and "NUL" in bad.text
    far = await web.get(f"/project/{project_id}/dashboard?range=custom&from=9999-12-01T00:00&to=9999-12-31T00:00")
    assert far.status_code == 200
    empty = (await web.get(f"/project/{project_id}/dashboard?format=json")).json()["dashboard"]
    assert empty["totals"]["traces"] == 0 and len(empty["traces_over_time"]) >= 7  # the last 7 days, by day
