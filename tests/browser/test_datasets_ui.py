"""Datasets in a real browser (Debian's Chromium via Playwright): create a dataset, add and edit items, add a trace
from its page, compare two runs and sort by score change; a viewer reads without forms."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from tests.browser.conftest import VIEWER_EMAIL, VIEWER_PASSWORD, sign_in
from tests.support.server import ServerProcess

pytestmark = pytest.mark.slow


def _runs(server: ServerProcess, items: list[str]) -> None:
    """Two runs over the items through the public API, on the SDK-sent traces: 'v1' scores 1, 0; 'v2' 0, 1."""
    with httpx.Client(base_url=server.url, auth=server.auth) as client:
        for run, traces, values in (("v1", ("turn-0", "turn-1"), (1, 0)), ("v2", ("turn-2", "turn-3"), (0, 1))):
            for item, trace, value in zip(items, traces, values, strict=True):
                linked = client.post("/api/public/dataset-run-items",
                                     json={"runName": run, "datasetItemId": item, "traceId": trace})  # fmt: skip
                assert linked.status_code == 200, linked.text
                client.post("/api/public/scores", json={"traceId": trace, "name": "helpful", "value": value})


def test_datasets_create_edit_add_trace_and_compare(page: Any, ui_server: ServerProcess) -> None:
    sign_in(page, ui_server)
    page.click("[data-testid=nav-datasets]")
    page.wait_for_selector("[data-testid=datasets-table]")
    page.fill("[data-testid=dataset-name]", "ui/golden <b>")
    page.fill("[data-testid=dataset-description]", "answers we like")
    page.click("[data-testid=dataset-create]")
    page.wait_for_selector("[data-testid=dataset-title]")
    assert page.inner_text("[data-testid=dataset-title]") == "ui/golden <b>"  # shown as text, not markup
    page.fill("[data-testid=item-input]", '{"question": "How do I reset my password?"}')
    page.fill("[data-testid=item-expected]", "Settings, Security, Reset.")
    page.click("[data-testid=item-add]")
    page.wait_for_selector("[data-testid=item-row]")
    assert page.locator("[data-testid=item-row]").count() == 1

    # From a trace: the trace's input and output fill the form.
    page.goto(f"{ui_server.url}{page.url.split(ui_server.url)[1].split('/datasets')[0]}/traces/turn-1")
    page.click("[data-testid=add-to-dataset]")
    page.wait_for_selector("[data-testid=add-trace-item]")
    assert page.input_value("[data-testid=trace-input]") == '"And where is Security?"'
    page.click("[data-testid=add-trace-submit]")
    page.wait_for_selector("[data-testid=item-source]")
    assert page.inner_text("[data-testid=item-status]") == "ACTIVE"

    # Edit the expected output, then archive and unarchive.
    page.fill("[data-testid=edit-expected]", "Top right, under the avatar.")
    page.click("[data-testid=edit-save]")
    page.wait_for_selector("[data-testid=item-expected-view]")
    assert "Top right, under the avatar." in page.inner_text("[data-testid=item-expected-view]")
    page.click("[data-testid=archive-toggle]")
    page.wait_for_function("document.querySelector('[data-testid=item-status]').innerText === 'ARCHIVED'")
    page.click("[data-testid=archive-toggle]")
    page.wait_for_function("document.querySelector('[data-testid=item-status]').innerText === 'ACTIVE'")

    # Two runs over the two items, compared side by side and sorted by the change of 'helpful'.
    page.click("text=← ui/golden <b>")
    page.wait_for_selector("[data-testid=items-table]")
    items = page.eval_on_selector_all(
        "[data-testid=item-row] td.ident a", "links => links.map(a => a.href.split('/').pop())"
    )
    _runs(ui_server, list(reversed(items)))
    page.reload()
    assert page.locator("[data-testid=run-row]").count() == 2
    page.click("[data-testid=compare-runs]")
    page.wait_for_selector("[data-testid=compare-table]")
    names = page.eval_on_selector_all("[data-testid=aggregate-row]", "rows => rows.map(r => r.dataset.run)")
    assert names == ["v1", "v2"]
    assert page.locator("[data-testid=run-cell]").count() == 4
    assert "Top right, under your avatar." in page.inner_text("[data-testid=compare-table]")
    page.select_option("[data-testid=sort-score]", "helpful")
    page.click("[data-testid=compare-controls] button[type=submit]")
    page.wait_for_url(re.compile(r"sort=helpful"))
    deltas = page.eval_on_selector_all("[data-testid=delta]", "cells => cells.map(c => c.innerText)")
    assert deltas == ["+1", "-1"]
    assert page.errors == []


def test_a_viewer_reads_datasets_without_forms(page: Any, ui_server: ServerProcess) -> None:
    sign_in(page, ui_server, VIEWER_EMAIL, VIEWER_PASSWORD)
    page.click("[data-testid=nav-datasets]")
    page.wait_for_selector("[data-testid=datasets-table]")
    assert page.locator("[data-testid=new-dataset]").count() == 0
    assert page.errors == []
