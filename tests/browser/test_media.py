"""An image the 5.x SDK uploaded shows as a picture on the trace page in Chromium (the page's CSP allows it)."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from tests.browser.conftest import sign_in
from tests.media.test_media_sdk import V5_SCENARIO, media_id_of, unique_png
from tests.support.sdk import run_script
from tests.support.server import ServerProcess

pytestmark = pytest.mark.slow


def test_uploaded_image_renders_on_the_trace_page(ui_server: ServerProcess, page: Any) -> None:
    data = unique_png()
    sent = run_script("5.0.4", V5_SCENARIO, {**ui_server.sdk_env(), "PNG": base64.b64encode(data).decode()})
    sign_in(page, ui_server)
    page.goto(f"{ui_server.url}/")
    project_path = page.url.split("/traces")[0].removeprefix(ui_server.url)
    page.goto(f"{ui_server.url}{project_path}/traces/{sent['traceId']}?observation=")
    # The generation holds the image: open it in the tree.
    page.click("text=describe")
    image = page.wait_for_selector("[data-testid=media-image]")
    assert image.get_attribute("src").endswith(f"/media/{media_id_of(data)}")
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image)
    assert image.evaluate("img => [img.naturalWidth, img.naturalHeight]") == [1, 1]
    assert page.errors == []
