"""The dashboards in a real browser: the home dashboard counts what the SDK sent, and a custom widget is made
through the form (no script needed for either)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import sign_in
from tests.support.server import ServerProcess

pytestmark = pytest.mark.slow
WINDOW = "range=custom&from=2026-03-02T08:55&to=2026-03-02T09:10"  # the minutes the five turns were sent in


def test_dashboard_counts_and_a_custom_widget(page: Any, ui_server: ServerProcess, tmp_path: Path) -> None:
    sign_in(page, ui_server)
    page.click("nav >> text=Dashboard")
    page.wait_for_selector("[data-testid=totals]")
    base = page.url.split("/dashboard")[0]
    page.goto(f"{base}/dashboard?{WINDOW}")
    # five turns, each a trace with a span, a generation and an event; alice sent three, bob two
    assert page.inner_text("[data-testid=total-traces]") == "5"
    assert page.inner_text("[data-testid=total-observations]") == "15"
    assert page.inner_text("[data-testid=total-tokens]") == str(sum(40 + i + 12 for i in range(5)))
    users = page.eval_on_selector_all("[data-testid=top-users] tbody tr", "rows => rows.map(r => r.innerText)")
    assert [u.split("\t")[:2] for u in users] == [["alice", "3"], ["bob", "2"]]
    assert page.locator("[data-testid=chart-traces] circle").count() == 2 * 15  # a dot a minute, two lines
    page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
    assert (tmp_path / "dashboard.png").stat().st_size > 20_000

    # Filter by user through the form: every figure narrows.
    page.fill("[data-testid=dashboard-filters] input[name=user]", "bob")
    page.click("[data-testid=apply-filters]")
    page.wait_for_url("**user=bob**")
    assert page.inner_text("[data-testid=total-traces]") == "2"

    # A custom dashboard with a number widget and a bar widget, made through the forms.
    page.click("text=Custom dashboards →")
    page.fill("[data-testid=dashboard-name]", "Support load")
    page.click("[data-testid=create-dashboard]")
    page.wait_for_selector("[data-testid=dashboard-title]")
    dashboard_url = page.url
    page.fill("[data-testid=widget-title]", "Turns")
    page.select_option("[data-testid=widget-chart]", "number")
    page.select_option("[data-testid=widget-measure]", "traces:count")
    page.select_option("[data-testid=widget-aggregation]", "count")
    page.click("[data-testid=save-widget]")
    page.wait_for_selector("[data-testid=widget]")
    page.fill("[data-testid=widget-title]", "Tokens by user")
    page.select_option("[data-testid=widget-chart]", "bar")
    page.select_option("[data-testid=widget-measure]", "traces:totalTokens")
    page.select_option("[data-testid=widget-aggregation]", "sum")
    page.select_option("[data-testid=widget-dimension]", "userId")
    page.click("[data-testid=save-widget]")
    page.wait_for_function("document.querySelectorAll('[data-testid=widget]').length === 2")
    page.goto(f"{dashboard_url}?{WINDOW}")
    assert page.inner_text("[data-testid=widget-number]") == "5"
    bars = page.text_content("[data-testid=widget-bars]") or ""
    assert "alice" in bars and "bob" in bars
    assert page.errors == []
