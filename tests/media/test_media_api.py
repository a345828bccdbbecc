"""`/api/public/media` over HTTP: announce, signed upload, report, signed download, and every way it refuses."""

from __future__ import annotations

import base64
import hashlib
import uuid
from typing import Any

import httpx
import pytest

from spyglass.projects import create_key
from spyglass.store.base import Store

pytestmark = pytest.mark.anyio

MEDIA = "/api/public/media"


def announcement(data: bytes, **overrides: Any) -> dict[str, Any]:
    body = {
        "traceId": "trace-1",
        "observationId": "obs-1",
        "contentType": "image/png",
        "contentLength": len(data),
        "sha256Hash": base64.b64encode(hashlib.sha256(data).digest()).decode(),
        "field": "input",
    }
    body.update(overrides)
    return body


def media_id_of(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).decode()[:22]


async def announce(client: httpx.AsyncClient, data: bytes, **overrides: Any) -> dict[str, Any]:
    response = await client.post(MEDIA, json=announcement(data, **overrides))
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def upload(client: httpx.AsyncClient, url: str, data: bytes, content_type: str = "image/png") -> httpx.Response:
    # The SDKs PUT without their API key (the URL is signed), with these headers.
    checksum = base64.b64encode(hashlib.sha256(data).digest()).decode()
    headers = {"Content-Type": content_type, "x-amz-checksum-sha256": checksum, "x-ms-blob-type": "BlockBlob"}
    return await client.put(url, content=data, headers=headers, auth=None)


async def test_announce_upload_and_download(app_client: httpx.AsyncClient) -> None:
    data = b"\x89PNG" + uuid.uuid4().bytes
    announced = await announce(app_client, data)
    assert announced["mediaId"] == media_id_of(data)
    assert announced["uploadUrl"].startswith("http://spyglass.test/api/public/media/")

    # Not readable before the bytes arrive.
    assert (await app_client.get(f"{MEDIA}/{announced['mediaId']}")).status_code == 404

    assert (await upload(app_client, announced["uploadUrl"], data)).status_code == 200
    report = {"uploadedAt": "2026-12-04T10:00:00Z", "uploadHttpStatus": 200, "uploadTimeMs": 12}
    assert (await app_client.patch(f"{MEDIA}/{announced['mediaId']}", json=report)).status_code == 204

    media = (await app_client.get(f"{MEDIA}/{announced['mediaId']}")).json()
    assert {k: media[k] for k in ("mediaId", "contentType", "contentLength")} == {
        "mediaId": media_id_of(data),
        "contentType": "image/png",
        "contentLength": len(data),
    }
    assert media["uploadedAt"] and media["urlExpiry"]
    downloaded = await app_client.get(media["url"], auth=None)
    assert downloaded.status_code == 200
    assert downloaded.content == data
    assert downloaded.headers["x-content-type-options"] == "nosniff"
    assert downloaded.headers["content-disposition"].startswith("inline")

    # The same file again (another trace, or a resend) is not uploaded twice.
    again = await announce(app_client, data, traceId="trace-2")
    assert again == {"uploadUrl": None, "mediaId": media_id_of(data)}


async def test_active_content_is_served_as_a_download(app_client: httpx.AsyncClient) -> None:
    data = b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>" + uuid.uuid4().hex.encode()
    announced = await announce(app_client, data, contentType="image/svg+xml")
    assert (await upload(app_client, announced["uploadUrl"], data, "image/svg+xml")).status_code == 200
    media = (await app_client.get(f"{MEDIA}/{announced['mediaId']}")).json()
    downloaded = await app_client.get(media["url"], auth=None)
    assert downloaded.headers["content-disposition"].startswith("attachment")
    assert "sandbox" in downloaded.headers["content-security-policy"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"contentType": "application/x-msdownload"}, "contentType"),
        ({"contentLength": 0}, "contentLength"),
        ({"contentLength": 10**12}, "contentLength"),
        ({"contentLength": "12"}, "contentLength"),
        ({"sha256Hash": "not base64!"}, "sha256Hash"),
        ({"sha256Hash": base64.b64encode(b"short").decode()}, "sha256Hash"),
        ({"field": "secret"}, "field"),
        ({"traceId": None}, "traceId"),
        ({"traceId": ""}, "traceId"),
    ],
)
async def test_bad_announcements_name_the_field(
    app_client: httpx.AsyncClient, overrides: dict[str, Any], message: str
) -> None:
    response = await app_client.post(MEDIA, json=announcement(b"some bytes", **overrides))
    assert response.status_code == 400
    assert message in response.json()["message"]


async def test_uploads_that_are_not_the_announced_file_are_refused(app_client: httpx.AsyncClient) -> None:
    data = b"the real file " + uuid.uuid4().bytes
    url = (await announce(app_client, data))["uploadUrl"]
    wrong_type = await upload(app_client, url, data, "image/jpeg")
    assert wrong_type.status_code == 400 and "Content-Type" in wrong_type.json()["message"]
    other = b"x" * len(data)
    forged = await app_client.put(url, content=other, headers={"Content-Type": "image/png"}, auth=None)
    assert forged.status_code == 400 and "SHA-256" in forged.json()["message"]
    short = await app_client.put(url, content=data[:-1], headers={"Content-Type": "image/png"}, auth=None)
    assert short.status_code == 400 and "announced" in short.json()["message"]
    long = await app_client.put(url, content=data + b"!", headers={"Content-Type": "image/png"}, auth=None)
    assert long.status_code == 400 and "longer" in long.json()["message"]
    # Nothing was kept, and the right bytes still go through.
    media_id = media_id_of(data)
    assert (await app_client.get(f"{MEDIA}/{media_id}")).status_code == 404
    assert (await upload(app_client, url, data)).status_code == 200
    assert (await app_client.get(f"{MEDIA}/{media_id}")).status_code == 200


async def test_signatures_are_checked(app_client: httpx.AsyncClient) -> None:
    data = b"signed " + uuid.uuid4().bytes
    url = (await announce(app_client, data))["uploadUrl"]
    tampered = url.replace("expires=", "expires=9")
    assert (await upload(app_client, tampered, data)).status_code == 403
    unsigned = url.split("?")[0]
    assert (await upload(app_client, unsigned, data)).status_code == 403
    # An upload URL is not a download URL.
    as_download = url.replace("/upload?", "/content?")
    assert (await app_client.get(as_download, auth=None)).status_code == 403


async def test_a_failed_upload_is_reported(app_client: httpx.AsyncClient) -> None:
    data = b"failed " + uuid.uuid4().bytes
    media_id = (await announce(app_client, data))["mediaId"]
    report = {"uploadedAt": "2026-12-04T10:00:00Z", "uploadHttpStatus": 503, "uploadHttpError": "bucket down"}
    assert (await app_client.patch(f"{MEDIA}/{media_id}", json=report)).status_code == 204
    missing = await app_client.get(f"{MEDIA}/{media_id}")
    assert missing.status_code == 404
    assert "503" in missing.json()["message"]
    # A success report without the bytes does not make the file appear.
    report = {"uploadedAt": "2026-12-04T10:00:01Z", "uploadHttpStatus": 200}
    assert (await app_client.patch(f"{MEDIA}/{media_id}", json=report)).status_code == 204
    assert (await app_client.get(f"{MEDIA}/{media_id}")).status_code == 404
    bad = await app_client.patch(f"{MEDIA}/{media_id}", json={"uploadedAt": "yesterday", "uploadHttpStatus": 200})
    assert bad.status_code == 400
    assert (await app_client.patch(f"{MEDIA}/unknown-id", json=report)).status_code == 404


async def test_media_is_scoped_to_the_project(app_client: httpx.AsyncClient, store: Store) -> None:
    data = b"mine " + uuid.uuid4().bytes
    announced = await announce(app_client, data)
    assert (await upload(app_client, announced["uploadUrl"], data)).status_code == 200
    other_project = await store.create_project("other")
    other = await create_key(store, other_project)
    auth = (other.public_key, other.secret_key)
    assert (await app_client.get(f"{MEDIA}/{announced['mediaId']}", auth=auth)).status_code == 404
    report = {"uploadedAt": "2026-12-04T10:00:00Z", "uploadHttpStatus": 500}
    assert (await app_client.patch(f"{MEDIA}/{announced['mediaId']}", json=report, auth=auth)).status_code == 404
    # The other project announcing the same bytes gets its own upload, not ours.
    theirs = await app_client.post(MEDIA, json=announcement(data), auth=auth)
    assert theirs.json()["uploadUrl"] is not None
    # And a signed URL of ours can't be re-pointed at their project.
    ours = (await app_client.get(f"{MEDIA}/{announced['mediaId']}")).json()["url"]
    project = ours.split("project=")[1].split("&")[0]
    repointed = ours.replace(f"project={project}", f"project={other_project.id}")
    assert (await app_client.get(repointed, auth=None)).status_code == 403
