"""Score configs, config-shaped annotation, an annotation queue and comment threads in a real browser (Debian's
Chromium via Playwright) against a live server filled by the Langfuse SDK."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import VIEWER_EMAIL, VIEWER_PASSWORD, sign_in
from tests.support.server import ServerProcess

pytestmark = pytest.mark.slow


def _settings(page: Any, server: ServerProcess) -> None:
    page.click("nav >> text=API keys")
    page.click("text=Score configs")
    page.wait_for_selector("[data-testid=configs-table]")


def test_configs_shape_the_trace_annotation_and_a_queue_is_worked_through(page: Any, ui_server: ServerProcess) -> None:
    sign_in(page, ui_server)
    project = re.search(r"/project/([^/]+)/", page.url)
    assert project is not None
    _settings(page, ui_server)
    page.fill("[data-testid=config-name]", "accuracy")
    page.fill("[data-testid=config-min]", "0")
    page.fill("[data-testid=config-max]", "1")
    page.click("[data-testid=config-create]")
    page.fill("[data-testid=config-name]", "tone")
    page.select_option("[data-testid=config-type]", "CATEGORICAL")
    page.fill("[data-testid=config-categories]", "rude=0\npolite=1")
    page.fill("[data-testid=config-description]", "<img src=x onerror=alert(1)>")
    page.click("[data-testid=config-create]")
    page.fill("[data-testid=config-name]", "obsolete")
    page.select_option("[data-testid=config-type]", "BOOLEAN")
    page.click("[data-testid=config-create]")
    page.locator("[data-testid=config-row][data-name=obsolete] [data-testid=archive]").click()
    page.wait_for_selector("[data-testid=config-row][data-name=obsolete] [data-testid=archived]")
    assert "<img src=x onerror=alert(1)>" in page.inner_text("[data-testid=config-row][data-name=tone]")

    # The trace page offers one form per active config instead of the free-form one.
    page.goto(f"{ui_server.url}/project/{project.group(1)}/traces/turn-0")
    assert page.locator("[data-testid=add-score]").count() == 0
    forms = page.locator("[data-testid=config-score]")
    assert [forms.nth(i).get_attribute("data-config") for i in range(forms.count())] == ["accuracy", "tone"]
    tone = page.locator("[data-testid=config-score][data-config=tone]")
    tone.locator("[data-testid=config-value]").select_option("polite")
    tone.locator("[data-testid=config-comment]").fill("friendly enough")
    tone.locator("[data-testid=config-submit]").click()
    page.wait_for_selector("[data-testid=score-row] >> text=polite")
    accuracy = page.locator("[data-testid=config-score][data-config=accuracy] [data-testid=config-value]")
    assert (accuracy.get_attribute("min"), accuracy.get_attribute("max")) == ("0.0", "1.0")

    # A comment on the trace, shown with its author and time.
    page.fill("[data-testid=comment-text]", "Answer checked <b>by hand</b>")
    page.click("[data-testid=comment-submit]")
    comment = page.locator("[data-testid=comment]")
    comment.wait_for()
    assert comment.locator("[data-testid=comment-content]").inner_text() == "Answer checked <b>by hand</b>"
    assert "admin@spyglass.test" in comment.inner_text()

    # A queue with the accuracy config; two traces queued through the public API.
    page.click("nav >> text=Annotation")
    page.fill("[data-testid=queue-name]", "weekly review")
    page.locator("[data-testid=queue-config]").first.check()
    page.click("[data-testid=queue-create]")
    page.wait_for_selector("[data-testid=queue-title]")
    queue_id = page.url.rsplit("/", 1)[1]
    with ui_server.client() as client:  # one through the public API, one from the trace page
        client.post(f"/api/public/annotation-queues/{queue_id}/items",
                    json={"objectId": "turn-3", "objectType": "TRACE"}).raise_for_status()  # fmt: skip
    queue_url = page.url
    page.goto(f"{ui_server.url}/project/{project.group(1)}/traces/turn-4")
    page.select_option("[data-testid=queue-choice]", queue_id)
    page.click("[data-testid=queue-add]")
    page.wait_for_url(re.compile(r"/traces/turn-4$"))
    page.goto(queue_url)
    page.click("[data-testid=next-item]")
    page.wait_for_selector("[data-testid=item-object] >> text=turn-3")
    assert "Quel est le prix" in page.inner_text("[data-testid=input]")
    page.fill("[data-testid=config-value]", "0.75")
    page.click("[data-testid=config-submit]")
    page.wait_for_selector("[data-testid=queue-score] >> text=accuracy: 0.75")
    page.fill("[data-testid=comment-text]", "price is right")
    page.click("[data-testid=comment-submit]")
    page.wait_for_selector("[data-testid=comment-content] >> text=price is right")
    page.click("[data-testid=mark-done]")
    page.wait_for_selector("[data-testid=item-object] >> text=turn-4")
    page.click("[data-testid=mark-done]")
    page.wait_for_selector("[data-testid=queue-done]")
    assert page.inner_text("[data-testid=queue-progress]") == "2 of 2 done"
    with ui_server.client() as client:
        scores = client.get("/api/public/scores", params={"queueId": queue_id}).json()["data"]
    assert [(s["traceId"], s["name"], s["value"]) for s in scores] == [("turn-3", "accuracy", 0.75)]
    assert page.errors == []


def test_a_viewer_reads_threads_but_gets_no_forms(page: Any, ui_server: ServerProcess) -> None:
    with ui_server.client() as client:
        client.post("/api/public/comments", json={"objectType": "SESSION", "objectId": "sess-bob",
                                                  "content": "bob asked twice", "authorUserId": "api-bot"})  # fmt: skip
    sign_in(page, ui_server, VIEWER_EMAIL, VIEWER_PASSWORD)
    page.click("nav >> text=Sessions")
    page.click("[data-testid=session-link] >> text=sess-bob")
    page.wait_for_selector("[data-testid=comment]")
    assert page.inner_text("[data-testid=comment-content]") == "bob asked twice"
    assert page.inner_text("[data-testid=comment-author]") == "api-bot"
    assert page.locator("[data-testid=add-comment]").count() == 0
    page.click("nav >> text=Annotation")
    assert page.locator("[data-testid=new-queue]").count() == 0
    assert page.errors == []
