"""Media in the UI: an uploaded image shows inline on the trace page for members, other files are downloads, and a
public link serves only its own trace's media."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import httpx
import pytest

from tests.web.conftest import csrf_of, sign_in
from tests.web.factory import trace_batch
from tests.web.test_traces_pages import ingest

pytestmark = pytest.mark.anyio

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
SVG = b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(document.cookie)</script></svg>"


async def uploaded(app_client: httpx.AsyncClient, data: bytes, content_type: str, trace_id: str) -> str:
    """Announce and upload `data` as the SDKs do; its reference token."""
    digest = base64.b64encode(hashlib.sha256(data).digest()).decode()
    announced = await app_client.post(
        "/api/public/media",
        json={"traceId": trace_id, "contentType": content_type, "contentLength": len(data), "sha256Hash": digest,
              "field": "input"},
    )  # fmt: skip
    media_id = announced.json()["mediaId"]
    put = await app_client.put(announced.json()["uploadUrl"], content=data, headers={"Content-Type": content_type})
    assert put.status_code == 200
    return f"@@@langfuseMedia:type={content_type}|id={media_id}|source=bytes@@@"


@pytest.fixture
async def with_media(app_client: httpx.AsyncClient) -> dict[str, Any]:
    png = await uploaded(app_client, PNG, "image/png", "media-trace")
    svg = await uploaded(app_client, SVG, "image/svg+xml", "media-trace")
    other = await uploaded(app_client, b"%PDF-1.4 other trace", "application/pdf", "other-trace")
    question: Any = [
        {"type": "text", "text": "What is in this picture?"},
        {"type": "image_url", "image_url": {"url": png}},
    ]
    await ingest(app_client, trace_batch("media-trace", question=question, answer=f"see also {svg}"))
    await ingest(app_client, trace_batch("other-trace", question=f"a report: {other}"))
    return {"png": png, "svg": svg, "other": other}


def media_id(token: str) -> str:
    return token.split("|id=")[1].split("|")[0]


async def test_members_see_images_inline_and_other_files_as_downloads(
    web: httpx.AsyncClient, project_id: str, with_media: dict[str, Any]
) -> None:
    html = (await web.get(f"/project/{project_id}/traces/media-trace")).text
    png_url = f"/project/{project_id}/media/{media_id(with_media['png'])}"
    svg_url = f"/project/{project_id}/media/{media_id(with_media['svg'])}"
    assert f'<img src="{png_url}"' in html
    assert f'<a href="{svg_url}" download' in html and f'<img src="{svg_url}"' not in html
    assert "@@@langfuseMedia" not in html

    image = await web.get(png_url)
    assert image.status_code == 200 and image.content == PNG and image.headers["content-type"] == "image/png"
    active = await web.get(svg_url)
    assert active.headers["content-disposition"].startswith("attachment")
    assert "sandbox" in active.headers["content-security-policy"]


async def test_media_needs_a_member(app_client: httpx.AsyncClient, project_id: str, with_media: dict[str, Any]) -> None:
    url = f"/project/{project_id}/media/{media_id(with_media['png'])}"
    async with httpx.AsyncClient(transport=app_client._transport, base_url="http://spyglass.test") as anonymous:
        response = await anonymous.get(url)
    assert response.status_code in (303, 401) and response.content != PNG


async def test_a_public_trace_serves_only_its_own_media(
    app_client: httpx.AsyncClient, users: dict[str, str], project_id: str, with_media: dict[str, Any]
) -> None:
    transport = app_client._transport
    async with (
        httpx.AsyncClient(transport=transport, base_url="http://spyglass.test") as owner,
        httpx.AsyncClient(transport=transport, base_url="http://spyglass.test") as anonymous,
    ):
        png_public = f"/public/{project_id}/media/{media_id(with_media['png'])}?trace=media-trace"
        assert (await anonymous.get(png_public)).status_code == 404  # not shared yet

        await sign_in(owner, users["owner"])
        token = csrf_of((await owner.get(f"/project/{project_id}/traces/media-trace")).text)
        shared = await owner.post(
            f"/project/{project_id}/trace-flags/media-trace", data={"csrf": token, "flag": "public", "on": "1"}
        )
        assert shared.status_code == 303

        page = (await anonymous.get(f"/public/{project_id}/traces/media-trace")).text
        assert f'<img src="{png_public.replace("&", "&amp;")}"' in page or f'<img src="{png_public}"' in page
        image = await anonymous.get(png_public)
        assert image.status_code == 200 and image.content == PNG
        # Another trace's file is not reachable through this public trace, nor through the member route.
        other = media_id(with_media["other"])
        assert (await anonymous.get(f"/public/{project_id}/media/{other}?trace=media-trace")).status_code == 404
        assert (await anonymous.get(f"/public/{project_id}/media/{other}?trace=other-trace")).status_code == 404
        assert (await anonymous.get(f"/project/{project_id}/media/{other}")).status_code in (303, 401)
