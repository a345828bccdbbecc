"""Media uploads with the official SDKs against a live `spyglass serve`: the SDK replaces an inline image with a
media reference token, uploads the bytes to Spyglass, and the image reads back byte for byte."""

from __future__ import annotations

import base64
import hashlib
import os
import uuid

import httpx
import pytest

from tests.support.js import node_available, run_scenario
from tests.support.sdk import run_script
from tests.support.server import ServerProcess

pytestmark = pytest.mark.slow

# A 1x1 PNG, and a second image so each test run uploads something new.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)

V2_SCENARIO = r"""
import base64, json, os
from langfuse import Langfuse
from langfuse.media import LangfuseMedia

png = base64.b64decode(os.environ["PNG"])
lf = Langfuse()
trace = lf.trace(name="vision-v2", input={"image": LangfuseMedia(content_bytes=png, content_type="image/png")})
trace.generation(name="describe", input=[{"role": "user", "content": "data:image/png;base64," + os.environ["PNG"]}],
                 output="a dot")
lf.flush()
print(json.dumps({"traceId": trace.id}))
"""

V5_SCENARIO = r"""
import base64, json, os
from langfuse import Langfuse
from langfuse.media import LangfuseMedia

png = base64.b64decode(os.environ["PNG"])
lf = Langfuse()
with lf.start_as_current_observation(as_type="generation", name="describe",
                                     input={"image": LangfuseMedia(content_bytes=png, content_type="image/png")}) as g:
    trace_id = g.trace_id
    g.update(output="a dot")
lf.flush()
print(json.dumps({"traceId": trace_id}))
"""


def unique_png() -> bytes:
    """PNG bytes that no earlier test uploaded (a trailing chunk-free comment after IEND is still a valid file)."""
    return PNG + uuid.uuid4().hex.encode()


def media_id_of(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).decode()[:22]


def references(value: object) -> list[str]:
    text = str(value)
    return [part.split("|id=")[1].split("|")[0] for part in text.split("@@@langfuseMedia:")[1:]]


def assert_served(server: ServerProcess, trace_id: str, data: bytes) -> None:
    with server.client() as client:
        trace = client.get(f"/api/public/traces/{trace_id}").json()
        ids = references(trace["input"]) + [r for o in trace["observations"] for r in references(o["input"])]
        assert media_id_of(data) in ids, trace
        media = client.get(f"/api/public/media/{media_id_of(data)}").json()
    assert media["contentType"] == "image/png"
    assert media["contentLength"] == len(data)
    assert media["uploadedAt"]
    # The download URL is signed: it works without the API key, as an S3 presigned URL does.
    downloaded = httpx.get(media["url"], timeout=10)
    assert downloaded.status_code == 200
    assert downloaded.content == data
    assert downloaded.headers["content-type"] == "image/png"


def test_python_sdk_v2_uploads_and_reads_back(server: ServerProcess) -> None:
    data = unique_png()
    result = run_script("2.60.10", V2_SCENARIO, {**server.sdk_env(), "PNG": base64.b64encode(data).decode()})
    assert_served(server, result["traceId"], data)


def test_python_sdk_v5_uploads_and_reads_back(server: ServerProcess) -> None:
    data = unique_png()
    result = run_script("5.0.4", V5_SCENARIO, {**server.sdk_env(), "PNG": base64.b64encode(data).decode()})
    assert_served(server, result["traceId"], data)


@pytest.mark.skipif(
    not node_available() and os.environ.get("CI") != "true",
    reason="Node.js and npm are not installed here (CI has them, and there this test runs)",
)
def test_js_sdk_v5_uploads_a_data_uri(server: ServerProcess) -> None:
    data = unique_png()
    env = {**server.sdk_env(), "SCENARIO_DATA_URI": "data:image/png;base64," + base64.b64encode(data).decode()}
    result = run_scenario("v5", "media_scenario.cjs", env)
    assert_served(server, result["traceId"], data)
