"""Screenshots of the main pages for docs/ui.md, from the demo dataset the browser tests use.

    .venv/bin/python -m tests.browser.screenshots        # writes docs/ui/*.png

Starts a live server in a temporary folder, fills it through the Langfuse SDK (tests/browser/conftest.py FILL),
adds two annotation-style scores, and photographs each page in Debian's Chromium.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright

from tests.browser.conftest import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    CHROMIUM,
    FILL,
    SDK,
    VIEWER_EMAIL,
    VIEWER_PASSWORD,
    spyglass_cli,
)
from tests.support.sdk import run_script
from tests.support.server import ServerProcess

OUT = Path(__file__).resolve().parents[2] / "docs" / "ui"
DEMO_WINDOW = "range=custom&from=2026-03-02T08:55&to=2026-03-02T09:10"  # the minutes the demo turns happened in


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        env = {"SPYGLASS_INIT_USER_EMAIL": ADMIN_EMAIL, "SPYGLASS_INIT_USER_PASSWORD": ADMIN_PASSWORD}
        server = ServerProcess(Path(tmp), env=env).start()
        try:
            spyglass_cli(Path(tmp), "users", "create", VIEWER_EMAIL, "--password", VIEWER_PASSWORD, "--role", "viewer")
            run_script(SDK, FILL, server.sdk_env())
            for trace_id, name, value in (
                ("turn-1", "helpful", 1),
                ("turn-3", "helpful", 0),
                ("turn-1", "quality", 0.8),
            ):
                body = {
                    "traceId": trace_id,
                    "name": name,
                    "value": value,
                    "source": "ANNOTATION",
                    "timestamp": f"2026-03-02T09:0{trace_id[-1]}:30Z",
                }
                httpx.post(
                    f"{server.url}/api/public/scores", json=body, auth=server.auth, timeout=10
                ).raise_for_status()
            for body in (
                {"name": "chat-system-prompt", "prompt": "You are a helpful assistant.\nAnswer briefly.",
                 "config": {"temperature": 0.7}, "labels": ["production"], "commitMessage": "first version"},
                {"name": "chat-system-prompt", "prompt": "You are a helpful assistant.\nAnswer in one or two"
                 " sentences, in the user's language.", "config": {"temperature": 0.5}, "commitMessage": "shorter"},
                {"name": "support/triage", "type": "chat", "labels": ["production"], "tags": ["support"],
                 "prompt": [{"role": "system", "content": "Classify the ticket: {{categories}}."},
                            {"type": "placeholder", "name": "history"}, {"role": "user", "content": "{{ticket}}"}]},
            ):  # fmt: skip
                httpx.post(
                    f"{server.url}/api/public/v2/prompts", json=body, auth=server.auth, timeout=10
                ).raise_for_status()
            model = {"modelName": "house-llm", "matchPattern": "(?i)^house-llm(-.*)?$", "inputPrice": 0.0000004,
                     "outputPrice": 0.0000016}  # fmt: skip
            httpx.post(f"{server.url}/api/public/models", json=model, auth=server.auth, timeout=10).raise_for_status()
            shoot(server)
        finally:
            server.stop()


def shoot(server: ServerProcess) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"],
        )  # fmt: skip
        page = browser.new_context(viewport={"width": 1360, "height": 820}).new_page()
        page.goto(f"{server.url}/")
        page.screenshot(path=str(OUT / "signin.png"))
        page.fill("input[name=email]", ADMIN_EMAIL)
        page.fill("input[name=password]", ADMIN_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_selector("[data-testid=traces-table]")
        base = page.url.split("/traces")[0]
        page.screenshot(path=str(OUT / "traces.png"))
        page.goto(f"{base}/traces/turn-1?observation=turn-1-llm")
        page.screenshot(path=str(OUT / "trace-detail.png"), full_page=True)
        for name, path in (("sessions", "/sessions/sess-alice"), ("generations", "/generations"),
                           ("scores", "/scores"), ("users", "/users"), ("prompts", "/prompts"),
                           ("prompt-detail", "/prompts/chat-system-prompt?version=2"),
                           ("prompt-diff", "/prompt-diff/chat-system-prompt?from=1&to=2"),
                           ("prompt-new", "/prompt-new/support/triage"),
                           ("models", "/models?match=gpt-4o-mini-2024-07-18")):  # fmt: skip
            page.goto(base + path)
            page.screenshot(path=str(OUT / f"{name}.png"), full_page=True)
        wide = browser.new_context(viewport={"width": 1400, "height": 900}, storage_state=page.context.storage_state())
        dashboard = wide.new_page()
        dashboard.goto(f"{base}/dashboard?{DEMO_WINDOW}")
        dashboard.screenshot(path=str(OUT / "dashboard.png"), full_page=True)
        browser.close()
    print(f"wrote {', '.join(sorted(p.name for p in OUT.glob('*.png')))} to {OUT}")


if __name__ == "__main__":
    main()
