"""A trace with 150 observations at 1400x900: tree rows stay one line (type badge and name side by side, long names
cut with an ellipsis and whole in the tooltip), the split is resizable, and the timeline scrolls with rows that never
overlap."""

from __future__ import annotations

import struct
import uuid
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.browser.conftest import sign_in
from tests.support.server import ServerProcess

pytestmark = pytest.mark.slow

TRACE_ID = "wide-" + uuid.uuid4().hex[:8]
TYPES = ("SPAN", "GENERATION", "EVENT", "TOOL", "RETRIEVER", "EMBEDDING", "GUARDRAIL", "EVALUATOR")
LONG_NAME = "retrieve-documents-from-the-knowledge-base-with-a-rather-long-descriptive-step-name"


def _iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def _fill(server: ServerProcess) -> None:
    """150 observations: 10 agent steps, each with 14 children of mixed types, some of those with a child."""
    t0 = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)
    batch: list[dict[str, Any]] = [{"id": str(uuid.uuid4()), "type": "trace-create", "timestamp": _iso(t0),
                                    "body": {"id": TRACE_ID, "name": "agent run", "timestamp": _iso(t0)}}]  # fmt: skip
    count = 0

    def add(obs_id: str, parent: str | None, kind: str, name: str, start: datetime, millis: int) -> None:
        nonlocal count
        count += 1
        body: dict[str, Any] = {
            "id": obs_id,
            "traceId": TRACE_ID,
            "name": name,
            "type": kind,
            "startTime": _iso(start),
            "endTime": _iso(start + timedelta(milliseconds=millis)),
        }
        if parent:
            body["parentObservationId"] = parent
        if kind == "GENERATION":
            body["model"] = "gpt-4o-mini-2024-07-18"
        event = {"GENERATION": "generation-create", "EVENT": "event-create"}.get(kind, "observation-create")
        batch.append({"id": str(uuid.uuid4()), "type": event, "timestamp": _iso(start), "body": body})

    for step in range(10):
        step_start = t0 + timedelta(seconds=step * 3)
        step_id = f"{TRACE_ID}-step-{step}"
        add(step_id, None, "AGENT", f"agent step {step}", step_start, 2900)
        for child in range(14):
            kind = TYPES[child % len(TYPES)]
            start = step_start + timedelta(milliseconds=child * 200)
            name = LONG_NAME if child % 3 == 0 else f"{kind.lower()} {step}.{child}"
            child_id = f"{step_id}-{child}"
            add(child_id, step_id, kind, name, start, 150)
        if count >= 150:
            break
    while count < 150:
        add(f"{TRACE_ID}-extra-{count}", f"{TRACE_ID}-step-9-0", "EVENT", f"late event {count}",
            t0 + timedelta(seconds=29), 0)  # fmt: skip
    response = httpx.post(f"{server.url}/api/public/ingestion", json={"batch": batch}, auth=server.auth, timeout=60)
    assert response.status_code == 207 and response.json()["errors"] == [], response.text[:500]


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", header[16:24])
    return int(width), int(height)


def test_150_observations_keep_one_line_rows_and_a_readable_timeline(
    page: Any, ui_server: ServerProcess, tmp_path: Path
) -> None:
    _fill(ui_server)
    sign_in(page, ui_server)
    project = page.url.split("/project/")[1].split("/")[0]
    page.goto(f"{ui_server.url}/project/{project}/traces/{TRACE_ID}")
    page.wait_for_selector("[data-testid=tree-node]")
    assert page.locator("[data-testid=tree-node]").count() == 150

    rows = page.eval_on_selector_all(
        "[data-testid=tree-node]",
        """nodes => nodes.map(a => {
            const badge = a.querySelector('.otype').getBoundingClientRect();
            const name = a.querySelector('.oname');
            const box = name.getBoundingClientRect();
            return {type: a.dataset.type, row: a.getBoundingClientRect().height, badgeH: badge.height,
                    badgeW: badge.width, badgeMid: badge.top + badge.height / 2, nameMid: box.top + box.height / 2,
                    nameH: box.height, cut: name.scrollWidth > name.clientWidth, title: a.title,
                    text: name.textContent};
        })""",
    )
    badge_heights = {round(r["badgeH"]) for r in rows}
    assert len(badge_heights) == 1 and max(badge_heights) <= 16, badge_heights  # no badge wraps onto two lines
    for r in rows:
        assert r["row"] <= 24, r  # one line per observation
        assert abs(r["badgeMid"] - r["nameMid"]) <= 3, r  # badge and name side by side, not stacked
        assert r["badgeW"] >= len(r["type"]) * 5, r  # the type is written out, not squeezed
        assert r["text"] in r["title"], r
    long_rows = [r for r in rows if r["text"] == LONG_NAME]
    assert long_rows and all(r["cut"] and LONG_NAME in r["title"] for r in long_rows)  # ellipsis + tooltip
    assert page.eval_on_selector("[data-testid=tree-pane]", "e => getComputedStyle(e).resize") == "horizontal"
    assert page.eval_on_selector("[data-testid=tree-pane]", "e => e.getBoundingClientRect().width") >= 450

    timeline = page.eval_on_selector_all(
        "[data-testid=timeline-row]",
        """rows => rows.map(r => {
            const label = r.querySelector('.tl-label').getBoundingClientRect();
            return {top: label.top, bottom: label.bottom, height: r.getBoundingClientRect().height};
        })""",
    )
    assert len(timeline) == 150
    assert {round(t["height"]) for t in timeline} == {20}  # a fixed row height
    for above, below in pairwise(timeline):
        assert above["bottom"] <= below["top"] + 0.5  # labels never overlap
    scroll = page.eval_on_selector(".tl-rows", "e => [e.scrollHeight, e.clientHeight]")
    assert scroll[0] > scroll[1] and scroll[1] <= 420  # the rows scroll inside their box, the page stays short

    shot = tmp_path / "trace-150.png"
    page.screenshot(path=str(shot))
    assert _png_size(shot) == (1400, 900)
    page.locator(".timeline-box").screenshot(path=str(tmp_path / "timeline.png"))
    page.locator("[data-testid=tree-node]").nth(40).click()
    page.wait_for_selector("[data-testid=observation-detail]")
    assert page.errors == []
