"""The UI in a real browser (Debian's Chromium via Playwright) against a live server filled by the Langfuse SDK."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from tests.browser.conftest import VIEWER_EMAIL, VIEWER_PASSWORD, sign_in
from tests.support.server import ServerProcess

pytestmark = pytest.mark.slow


def _trace_ids(page: Any) -> list[str]:
    return page.eval_on_selector_all("#trace-rows tr[data-trace-id]", "rows => rows.map(r => r.dataset.traceId)")


def test_sign_in_filter_open_trace_annotate_and_sign_out(page: Any, ui_server: ServerProcess) -> None:
    sign_in(page, ui_server)
    assert "/traces" in page.url
    assert _trace_ids(page) == ["turn-4", "turn-3", "turn-2", "turn-1", "turn-0"]

    # Filter by user, then tag, then search text: the URL carries the state, so a reload shows the same view.
    page.fill("[data-testid=filter-user]", "alice")
    page.click("[data-testid=apply-filters]")
    page.wait_for_url(re.compile(r"user=alice"))
    assert _trace_ids(page) == ["turn-2", "turn-1", "turn-0"]
    page.fill("[data-testid=filter-tag]", "followup")
    page.click("[data-testid=apply-filters]")
    page.wait_for_url(re.compile(r"tag=followup"))
    assert _trace_ids(page) == ["turn-2"]
    assert "range=" not in page.url and "sort=" not in page.url  # empty and default fields stay out of the URL
    page.goto(f"{ui_server.url}{page.url.split(ui_server.url)[1]}")
    assert _trace_ids(page) == ["turn-2"]
    page.click("text=Clear")
    page.fill("[data-testid=search]", "渋谷にあ")  # search matches any language, inside input or output
    page.click("[data-testid=apply-filters]")
    page.wait_for_url(re.compile(r"q="))
    assert _trace_ids(page) == ["turn-4"]

    # Open the trace: tree, collapse and expand, select the generation, see its chat messages, usage and cost.
    page.click("[data-testid=trace-link]")
    page.wait_for_selector("[data-testid=trace-name]")
    generation = page.locator("[data-testid=tree-node][data-type=GENERATION]")
    assert generation.is_visible()
    page.click("[data-testid=collapse-all]")
    assert not generation.is_visible()
    page.click("[data-testid=expand-all]")
    assert generation.is_visible()
    generation.click()
    page.wait_for_selector("[data-testid=observation-detail]")
    roles = page.eval_on_selector_all("[data-testid=input] .msg", "ms => ms.map(m => m.dataset.role)")
    assert roles == ["system", "user"]
    assert "東京にオフィスはありますか？" in page.inner_text("[data-testid=input]")
    assert page.inner_text("[data-testid=output] .msg").endswith("はい、渋谷にあります。")
    assert page.inner_text("[data-testid=usage]").split() == ["Usage", "input", "44", "output", "12", "total", "56"]
    assert "$0.00006" in page.inner_text("[data-testid=cost]")
    assert page.inner_text("[data-testid=ttft]") == "200 ms"
    assert page.inner_text("[data-testid=model]") == "gpt-4o-mini"

    # Add an annotation score to the generation and find it in the scores list.
    page.fill("[data-testid=score-name]", "correctness")
    page.select_option("[data-testid=score-type]", "CATEGORICAL")
    page.fill("[data-testid=score-value]", "right")
    page.fill("[data-testid=score-comment]", "checked by hand")
    page.click("[data-testid=score-submit]")
    page.wait_for_selector("[data-testid=score-row] >> text=correctness")
    page.click("nav >> text=Scores")
    row = page.locator("[data-testid=scores-table] [data-testid=score-row]", has_text="correctness")
    assert "ANNOTATION" in row.inner_text() and "checked by hand" in row.inner_text()
    assert "correctness" in page.inner_text("[data-testid=distributions]")

    page.click("text=Sign out")
    page.wait_for_url(re.compile(r"/signin"))
    page.goto(f"{ui_server.url}/project/x/traces")
    assert "/signin" in page.url
    assert page.errors == []


def test_session_replays_turns_in_order(page: Any, ui_server: ServerProcess) -> None:
    sign_in(page, ui_server)
    page.click("nav >> text=Sessions")
    page.click("[data-testid=session-link] >> text=sess-alice")
    page.wait_for_selector("[data-testid=turns]")
    turns = page.locator("[data-testid=turn]")
    assert turns.count() == 3
    questions = [turns.nth(i).locator(".role-user pre").inner_text() for i in range(3)]
    assert questions == ["How do I reset my password?", "And where is Security?", "Thanks! Can I undo it?"]
    assert turns.nth(2).locator(".role-assistant pre").inner_text() == "Yes, within 24 hours."
    turns.nth(1).locator("[data-testid=turn-trace-link]").click()
    page.wait_for_url(re.compile(r"/traces/turn-1"))
    assert page.errors == []


def test_a_viewer_cannot_add_a_score(page: Any, ui_server: ServerProcess) -> None:
    sign_in(page, ui_server, VIEWER_EMAIL, VIEWER_PASSWORD)
    page.click("[data-testid=trace-link] >> nth=0")
    page.wait_for_selector("[data-testid=trace-name]")
    assert page.locator("[data-testid=add-score]").count() == 0
    assert "viewer" in page.inner_text("[data-testid=read-only]")
    # Even a hand-made request with the viewer's own CSRF token is refused.
    csrf = page.get_attribute("input[name=csrf]", "value")
    status = page.evaluate(
        """async ([url, csrf]) => (await fetch(url, {method: "POST", headers: {"X-CSRF-Token": csrf,
            "Content-Type": "application/x-www-form-urlencoded"}, body: "name=x&data_type=NUMERIC&value=1"})).status""",
        [page.url.split("?")[0].replace("/traces/", "/trace-scores/"), csrf],
    )
    assert status == 403
    assert page.errors == []


def test_pages_follow_the_cursor_and_sorting_is_in_the_url(page: Any, ui_server: ServerProcess) -> None:
    sign_in(page, ui_server)
    page.goto(page.url.split("?")[0] + "?limit=2")
    assert _trace_ids(page) == ["turn-4", "turn-3"]
    page.click("[data-testid=next-page]")
    page.wait_for_url(re.compile(r"cursor="))
    assert _trace_ids(page) == ["turn-2", "turn-1"]
    page.click("[data-testid=next-page]")
    page.wait_for_url(re.compile(r"cursor="))
    assert _trace_ids(page) == ["turn-0"]
    assert page.locator("[data-testid=next-page]").count() == 0
    page.click("[data-testid=first-page]")
    assert _trace_ids(page) == ["turn-4", "turn-3"]
    page.select_option("select[name=sort]", "tokens")
    page.select_option("select[name=order]", "asc")
    page.click("[data-testid=apply-filters]")
    page.wait_for_url(re.compile(r"sort=tokens"))
    assert "order=asc" in page.url and "limit=2" in page.url
    assert _trace_ids(page) == ["turn-0", "turn-1"]  # 52 and 53 tokens
    assert page.errors == []


def test_new_traces_appear_without_a_reload(page: Any, ui_server: ServerProcess) -> None:
    sign_in(page, ui_server)
    page.evaluate("document.body.dataset.marker = 'same-page'")  # gone if the page were reloaded
    stamp = "2026-03-04T10:00:00Z"
    body = {"id": "live-trace", "name": "arrived-live", "timestamp": stamp}
    batch = {"batch": [{"id": "live-event", "type": "trace-create", "timestamp": stamp, "body": body}]}
    response = httpx.post(f"{ui_server.url}/api/public/ingestion", json=batch, auth=ui_server.auth, timeout=10)
    assert response.status_code == 207
    page.wait_for_selector("tr[data-trace-id='live-trace'].fresh")
    assert page.evaluate("document.body.dataset.marker") == "same-page"
    assert _trace_ids(page)[0] == "live-trace"
    assert page.errors == []
