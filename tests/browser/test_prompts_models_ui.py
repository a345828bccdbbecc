"""Prompts and model prices in a real browser: a version made in the UI is what the official 5.x SDK fetches, moving
`production` in the UI changes what it gets, the diff shows the changed lines, viewers only read; model prices are
added, matched, edited, previewed for re-pricing and deleted."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.browser.conftest import VIEWER_EMAIL, VIEWER_PASSWORD, sign_in
from tests.support.sdk import run_script
from tests.support.server import ServerProcess

pytestmark = pytest.mark.slow

SDK = "5.0.4"
NAME = f"ui/support-bot-{uuid.uuid4().hex[:6]}"
HOSTILE = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'

FETCH = r"""
import json
from langfuse import Langfuse

lf = Langfuse()
served = lf.get_prompt(NAME, cache_ttl_seconds=0)
latest = lf.get_prompt(NAME, label="latest", cache_ttl_seconds=0)
print(json.dumps({"version": served.version, "prompt": served.prompt, "config": served.config,
                  "labels": sorted(served.labels), "compiled": served.compile(tone="calm"),
                  "commit": served.commit_message, "latest": latest.version}))
"""


def _fetch(server: ServerProcess, name: str = NAME) -> dict[str, Any]:
    result: dict[str, Any] = run_script(SDK, FETCH.replace("NAME", repr(name)), server.sdk_env())
    return result


def _project_base(page: Any, server: ServerProcess) -> str:
    return f"{server.url}/project/{page.url.split('/project/')[1].split('/')[0]}"


def _inert(page: Any) -> None:
    state = page.evaluate("() => [window.__pwned || null, document.querySelectorAll('img').length]")
    assert state == [None, 0]


def test_prompt_versions_made_in_the_ui_are_what_the_sdk_gets(page: Any, ui_server: ServerProcess) -> None:
    sign_in(page, ui_server)
    base = _project_base(page, ui_server)
    page.click("nav >> text=Prompts")
    page.click("[data-testid=new-prompt]")
    page.fill("[data-testid=prompt-name-input]", NAME)
    page.check("[data-testid=type-text]")
    page.fill("[data-testid=prompt-text-input]", "You are a {{tone}} support agent.\nAnswer in full sentences.")
    page.fill("[data-testid=prompt-config-input]", '{"temperature": 0.1, "model": "gpt-4o-mini"}')
    page.fill("[data-testid=prompt-labels-input]", "production")
    page.fill("[data-testid=commit-input]", "first, from the UI")
    page.click("[data-testid=prompt-save]")
    page.wait_for_selector("[data-testid=version-detail]")
    assert "production" in page.inner_text("[data-testid=version-labels]")

    served = _fetch(ui_server)
    assert (served["version"], served["latest"], served["commit"]) == (1, 1, "first, from the UI")
    assert served["compiled"] == "You are a calm support agent.\nAnswer in full sentences."
    assert served["config"] == {"temperature": 0.1, "model": "gpt-4o-mini"}

    # A second version, edited from the first: `latest` moves to it, `production` stays on v1 until moved.
    page.click("[data-testid=new-version]")
    assert "Answer in full sentences." in page.input_value("[data-testid=prompt-text-input]")
    page.fill("[data-testid=prompt-text-input]", "You are a {{tone}} support agent.\nAnswer in one line.")
    page.fill("[data-testid=commit-input]", "shorter answers")
    page.click("[data-testid=prompt-save]")
    page.wait_for_url(re.compile(r"version=2"))
    served = _fetch(ui_server)
    assert (served["version"], served["latest"]) == (1, 2)

    page.fill("[data-testid=label-input]", "production")
    page.click("[data-testid=label-submit]")
    page.wait_for_selector("[data-testid=version-labels] >> text=production")
    served = _fetch(ui_server)
    assert (served["version"], served["compiled"]) == (2, "You are a calm support agent.\nAnswer in one line.")

    # The diff of any two versions shows the changed lines.
    page.select_option("[data-testid=diff-from]", "1")
    page.select_option("[data-testid=diff-to]", "2")
    page.click("[data-testid=diff-submit]")
    page.wait_for_selector("[data-testid=diff]")
    removed = page.eval_on_selector_all("tr[data-kind=removed] .code", "cells => cells.map(c => c.innerText)")
    added = page.eval_on_selector_all("tr[data-kind=added] .code", "cells => cells.map(c => c.innerText)")
    assert (removed, added) == (["Answer in full sentences."], ["Answer in one line."])

    # The list shows it with both versions and its labels; search finds it by part of the name.
    page.goto(f"{base}/prompts")
    page.fill("[data-testid=prompt-search]", NAME.split("/")[1].upper())
    page.click("[data-testid=prompt-search-apply]")
    row = page.locator("[data-testid=prompt-row]")
    assert row.count() == 1 and NAME in row.inner_text() and "production" in row.inner_text()
    assert page.errors == []


def test_a_chat_prompt_with_hostile_content_is_shown_as_text(page: Any, ui_server: ServerProcess) -> None:
    sign_in(page, ui_server)
    base = _project_base(page, ui_server)
    page.goto(f"{base}/prompt-new")
    page.check("[data-testid=type-chat]")
    assert not page.is_visible("[data-testid=prompt-text-input]")  # the form shows what the type needs
    name = f"hostile/{HOSTILE}"
    page.fill("[data-testid=prompt-name-input]", name)
    rows = page.locator("[data-testid=message-row]")
    rows.nth(0).locator("textarea").fill(f"Be {{{{tone}}}}. {HOSTILE}")
    rows.nth(1).locator("input").fill("placeholder")
    rows.nth(1).locator("textarea").fill("history")
    rows.nth(2).locator("input").fill("user")
    rows.nth(2).locator("textarea").fill(HOSTILE)
    page.click("[data-testid=prompt-save]")
    page.wait_for_selector("[data-testid=prompt-messages]")
    _inert(page)
    roles = page.eval_on_selector_all("[data-testid=prompt-messages] .msg", "ms => ms.map(m => m.dataset.role)")
    assert roles == ["system", "placeholder", "user"]
    assert HOSTILE in page.inner_text("[data-testid=prompt-messages]")
    assert HOSTILE in page.inner_text("[data-testid=prompt-name]")
    page.goto(f"{base}/prompts")
    _inert(page)
    assert HOSTILE in page.inner_text("[data-testid=prompts-table]")
    body = httpx.get(f"{ui_server.url}/api/public/v2/prompts", params={"name": name}, auth=ui_server.auth).json()
    assert body["data"][0]["type"] == "chat"
    assert page.errors == []


def test_a_viewer_reads_prompts_but_cannot_change_them(page: Any, ui_server: ServerProcess) -> None:
    body = {"name": "viewer-check", "prompt": "hello", "labels": ["production"]}
    httpx.post(f"{ui_server.url}/api/public/v2/prompts", auth=ui_server.auth, json=body).raise_for_status()
    sign_in(page, ui_server, VIEWER_EMAIL, VIEWER_PASSWORD)
    base = _project_base(page, ui_server)
    page.goto(f"{base}/prompts")
    assert page.locator("[data-testid=new-prompt]").count() == 0
    page.click("text=viewer-check")
    page.wait_for_selector("[data-testid=version-detail]")
    assert page.locator("[data-testid=new-version]").count() == 0
    assert page.locator("[data-testid=set-label]").count() == 0
    assert page.goto(f"{base}/prompt-new").status == 403
    assert page.errors == []


@pytest.fixture
def confirming_page(browser: Any) -> Iterator[Any]:
    """A page that accepts confirm() dialogs (delete and recompute ask first) and fails on script errors."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    new_page = context.new_page()
    errors: list[str] = []
    new_page.on("pageerror", lambda exc: errors.append(str(exc)))
    new_page.on("dialog", lambda dialog: dialog.accept())
    new_page.errors = errors
    yield new_page
    context.close()


def test_model_prices_add_match_edit_preview_and_delete(confirming_page: Any, ui_server: ServerProcess) -> None:
    page = confirming_page
    model = f"acme-{uuid.uuid4().hex[:6]}"
    batch = [{"id": str(uuid.uuid4()), "type": "generation-create", "timestamp": "2026-03-05T10:00:00Z", "body": {
        "id": f"{model}-gen", "traceId": f"{model}-trace", "name": "llm", "model": model,
        "startTime": "2026-03-05T10:00:00Z", "endTime": "2026-03-05T10:00:01Z",
        "usage": {"input": 1000, "output": 100, "unit": "TOKENS"}}}]  # fmt: skip
    response = httpx.post(f"{ui_server.url}/api/public/ingestion", json={"batch": batch}, auth=ui_server.auth)
    assert response.status_code == 207 and response.json()["errors"] == []

    sign_in(page, ui_server)
    base = _project_base(page, ui_server)
    page.click("nav >> text=Model prices")
    assert "gpt-4o-mini" in page.inner_text("[data-testid=builtin-models]")
    page.click("[data-testid=new-model]")
    page.fill("[data-testid=model-name-input]", model)
    page.fill("[data-testid=match-pattern-input]", f"(?i)^{model}$")
    page.fill("[data-testid=input-price]", "0.000002")
    page.fill("[data-testid=output-price]", "0.000008")
    page.click("[data-testid=model-save]")
    row = page.locator(f"[data-testid=project-models] [data-model-name='{model}']")
    assert "$2" in row.inner_text() and "$8" in row.inner_text()

    page.fill("[data-testid=match-input]", model.upper())
    page.click("[data-testid=match-submit]")
    assert model in page.inner_text("[data-testid=match-result]") and "this project" in page.inner_text(
        "[data-testid=match-result]"
    )

    row.locator("[data-testid=edit-model]").click()
    page.fill("[data-testid=input-price]", "0.000003")
    page.click("[data-testid=model-save]")
    page.wait_for_url(re.compile(r"/models$"))
    assert "$3" in page.locator(f"[data-testid=project-models] [data-model-name='{model}']").inner_text()

    page.fill("[data-testid=recompute-since]", "2026-03-05T00:00")
    page.fill("[data-testid=recompute-until]", "2026-03-06T00:00")
    page.fill("[data-testid=recompute-model]", f"^{model}$")
    page.click("[data-testid=recompute-preview]")
    assert "would change 1 (on 1 traces)" in page.inner_text("[data-testid=recompute-result]")
    trace = httpx.get(f"{ui_server.url}/api/public/traces/{model}-trace", auth=ui_server.auth).json()
    assert trace["totalCost"] == 0  # a preview writes nothing
    page.click("[data-testid=recompute-run]")
    assert "changed 1 (on 1 traces)" in page.inner_text("[data-testid=recompute-result]")
    trace = httpx.get(f"{ui_server.url}/api/public/traces/{model}-trace", auth=ui_server.auth).json()
    assert trace["totalCost"] == pytest.approx(1000 * 0.000003 + 100 * 0.000008)

    page.locator(f"[data-testid=project-models] [data-model-name='{model}'] [data-testid=delete-model]").click()
    page.wait_for_url(re.compile(r"/models$"))
    assert page.locator(f"[data-testid=project-models] [data-model-name='{model}']").count() == 0
    page.goto(f"{base}/models?format=json")
    assert page.errors == []
