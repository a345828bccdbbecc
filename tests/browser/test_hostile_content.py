"""Hostile content renders as text and runs nothing, checked in the browser on every page that shows it.

The pages send a strict Content-Security-Policy, but these checks look at the DOM itself (no injected elements, the
markup visible as text), so they would catch an escaping bug that CSP happened to neutralise.
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from tests.browser.conftest import sign_in
from tests.support.server import ServerProcess

pytestmark = pytest.mark.slow

SCRIPT = "<script>window.__pwned = 'script'</script>"
IMG = '"><img src=x onerror="window.__pwned = \'img\'">'
LINK = "javascript:window.__pwned='link'"
ANCHOR = f'<a href="{LINK}" id="evil-link">click me</a>'
LONG = "A" * 30_000 + "<b>tail</b>"
TRACE_ID = "hostile-" + uuid.uuid4().hex[:8]
USER = f"user{IMG}"
SESSION = f"sess{SCRIPT}"


def _fill(server: ServerProcess) -> None:
    now = "2026-03-03T10:00:00Z"
    batch = [
        {"id": str(uuid.uuid4()), "type": "trace-create", "timestamp": now, "body": {
            "id": TRACE_ID, "name": f"name {SCRIPT}", "timestamp": now, "userId": USER, "sessionId": SESSION,
            "tags": [SCRIPT, LINK, IMG], "input": {"question": f"{IMG} {ANCHOR}", LINK: SCRIPT},
            "output": LONG, "metadata": {f"key{SCRIPT}": IMG, "url": LINK}, "release": SCRIPT,
        }},
        {"id": str(uuid.uuid4()), "type": "generation-create", "timestamp": now, "body": {
            "id": f"{TRACE_ID}-gen", "traceId": TRACE_ID, "name": IMG, "startTime": now, "model": SCRIPT,
            "input": [{"role": f"user{SCRIPT}", "content": f"{IMG}{ANCHOR}"}, {"role": "system", "content": LONG}],
            "output": {"role": "assistant", "content": SCRIPT}, "metadata": {"x": ANCHOR},
            "statusMessage": IMG, "level": "ERROR",
        }},
        {"id": str(uuid.uuid4()), "type": "score-create", "timestamp": now, "body": {
            "id": str(uuid.uuid4()), "traceId": TRACE_ID, "name": f"score{SCRIPT}", "value": f"cat{IMG}",
            "comment": ANCHOR,
        }},
    ]  # fmt: skip
    response = httpx.post(f"{server.url}/api/public/ingestion", json={"batch": batch}, auth=server.auth, timeout=30)
    assert response.status_code == 207 and response.json()["errors"] == [], response.text


def _assert_inert(page: Any, where: str) -> None:
    state = page.evaluate(
        """() => ({
            pwned: window.__pwned || null,
            images: document.querySelectorAll("img").length,
            evil: document.querySelectorAll("#evil-link, a[href^='javascript:' i]").length,
            scripts: Array.from(document.scripts).filter(s => !s.src.endsWith("/static/app.js")).length,
            overflow: document.documentElement.scrollWidth - window.innerWidth,
        })"""
    )
    assert state["pwned"] is None, where
    assert state["images"] == 0 and state["evil"] == 0 and state["scripts"] == 0, (where, state)
    assert state["overflow"] <= 40, (where, state)  # a 30,000-character word wraps instead of widening the page
    assert page.errors == [], where


def test_hostile_trace_renders_as_text_everywhere(page: Any, ui_server: ServerProcess) -> None:
    _fill(ui_server)
    sign_in(page, ui_server)
    project = page.url.split("/project/")[1].split("/")[0]
    base = f"{ui_server.url}/project/{project}"

    page.goto(f"{base}/traces")
    _assert_inert(page, "traces")
    row = page.locator(f"tr[data-trace-id='{TRACE_ID}']")
    assert SCRIPT in row.inner_text()  # shown, as text

    page.goto(f"{base}/traces/{TRACE_ID}")
    _assert_inert(page, "trace")
    assert f"name {SCRIPT}" == page.inner_text("[data-testid=trace-name]")
    assert ANCHOR in page.inner_text("[data-testid=input]")
    long_text = page.locator("[data-testid=output] details.long")
    assert long_text.count() == 1 and not long_text.locator("pre").is_visible()  # folded...
    long_text.locator("summary").click()
    assert page.inner_text("[data-testid=output] details.long pre") == LONG  # ...and never cut
    _assert_inert(page, "trace, long text unfolded")

    page.goto(f"{base}/traces/{TRACE_ID}?observation={quote(TRACE_ID + '-gen')}")
    _assert_inert(page, "generation")
    assert ANCHOR in page.inner_text("[data-testid=input]")
    assert IMG in page.inner_text("[data-testid=observation-detail]")

    for path in (f"/sessions/{quote(SESSION, safe='')}", f"/users/{quote(USER, safe='')}", "/scores", "/sessions",
                 "/users", "/generations", f"/traces?q={quote(IMG)}"):  # fmt: skip
        page.goto(base + path)
        _assert_inert(page, path)
    page.goto(f"{base}/scores")
    assert f"cat{IMG}" in page.inner_text("[data-testid=scores-table]")
    assert ANCHOR in page.inner_text("[data-testid=scores-table]")
