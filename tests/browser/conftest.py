"""Browser fixtures: a live server filled through the official SDK, and Debian's Chromium driven by Playwright.

Chromium comes from the system (/usr/bin/chromium, installed by scripts/test), never from `playwright install`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.sdk import run_script
from tests.support.server import ServerProcess

CHROMIUM = os.environ.get("SPYGLASS_CHROMIUM", "/usr/bin/chromium")
ADMIN_EMAIL = "admin@spyglass.test"
ADMIN_PASSWORD = "admin-password-1"
VIEWER_EMAIL = "viewer@spyglass.test"
VIEWER_PASSWORD = "viewer-password-1"
SDK = "2.60.10"

FILL = r"""
import json, datetime as dt
from langfuse import Langfuse

lf = Langfuse()
t0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone.utc)
turns = [
    ("alice", "sess-alice", ["support"], "How do I reset my password?", "Open Settings, then Security, then Reset."),
    ("alice", "sess-alice", ["support"], "And where is Security?", "Top right, under your avatar."),
    ("alice", "sess-alice", ["support", "followup"], "Thanks! Can I undo it?", "Yes, within 24 hours."),
    ("bob", "sess-bob", ["sales"], "Quel est le prix du plan équipe ?", "Le plan équipe coûte 20 € par mois."),
    ("bob", "sess-bob", ["sales"], "東京にオフィスはありますか？", "はい、渋谷にあります。"),
]
ids = []
for i, (user, session, tags, question, answer) in enumerate(turns):
    start = t0 + dt.timedelta(minutes=i)
    trace = lf.trace(id=f"turn-{i}", name="chat-turn", user_id=user, session_id=session, tags=tags,
                     input=question, output=answer, timestamp=start, metadata={"turn": i})
    span = trace.span(id=f"turn-{i}-retrieve", name="retrieve", start_time=start,
                      end_time=start + dt.timedelta(milliseconds=80), input={"query": question}, output={"docs": 2})
    generation = span.generation(
        id=f"turn-{i}-llm", name="llm", model="gpt-4o-mini", model_parameters={"temperature": 0.3},
        start_time=start + dt.timedelta(milliseconds=90), completion_start_time=start + dt.timedelta(milliseconds=290),
        end_time=start + dt.timedelta(milliseconds=900),
        input=[{"role": "system", "content": "You are a helpful support bot."}, {"role": "user", "content": question}],
        output={"role": "assistant", "content": answer},
        usage_details={"input": 40 + i, "output": 12}, cost_details={"input": 0.00004, "output": 0.00002},
    )
    span.event(id=f"turn-{i}-done", name="post-process", start_time=start + dt.timedelta(milliseconds=905))
    ids.append(trace.id)
lf.flush()
print(json.dumps(ids))
"""


def spyglass_cli(data_dir: Path, *args: str) -> str:
    proc = subprocess.run(
        [sys.executable, "-m", "spyglass", *args, "--data-dir", str(data_dir)],
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    return proc.stdout


@pytest.fixture(scope="module")
def ui_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A live server with an admin from SPYGLASS_INIT_USER_*, a viewer made by the CLI, and SDK-sent turns."""
    data_dir = tmp_path_factory.mktemp("ui-server")
    env = {"SPYGLASS_INIT_USER_EMAIL": ADMIN_EMAIL, "SPYGLASS_INIT_USER_PASSWORD": ADMIN_PASSWORD}
    proc = ServerProcess(data_dir, env=env).start()
    try:
        spyglass_cli(data_dir, "users", "create", VIEWER_EMAIL, "--password", VIEWER_PASSWORD, "--role", "viewer")
        run_script(SDK, FILL, proc.sdk_env())
        yield proc
    finally:
        proc.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: ./scripts/test installs it with apt-get (Debian's chromium package)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"],
        )  # fmt: skip
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh browser context (no cookies) whose page fails the test on any script error or dialog."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    new_page = context.new_page()
    errors: list[str] = []
    new_page.on("pageerror", lambda exc: errors.append(str(exc)))
    new_page.on("dialog", lambda dialog: (errors.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    new_page.errors = errors
    yield new_page
    context.close()


def sign_in(page: Any, server: ServerProcess, email: str = ADMIN_EMAIL, password: str = ADMIN_PASSWORD) -> None:
    page.goto(f"{server.url}/")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=signed-in-as]")
