"""`SPYGLASS_MEDIA_URL=s3://bucket/prefix`: the 5.x SDK's upload ends up as an object in the bucket, byte for byte,
and reads back through the media API; nothing stays on the server's disk.

No S3 service can run on these machines (MinIO is neither in Debian nor on PyPI), so the bucket is moto's S3 server:
a real HTTP server speaking the S3 API, started in-process. It stands in for S3 the way tests/chat's stand-in does for
Ollama; Spyglass talks to it through boto3 exactly as it would to S3, MinIO or R2 (`AWS_ENDPOINT_URL`).
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from tests.media.test_media_sdk import V5_SCENARIO, assert_served, media_id_of, unique_png
from tests.support.sdk import run_script
from tests.support.server import ServerProcess, free_port

pytestmark = pytest.mark.slow

BUCKET = "spyglass-media"


@pytest.fixture(scope="module")
def s3_env() -> Iterator[dict[str, str]]:
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    env = {
        "AWS_ACCESS_KEY_ID": "spyglass-test", "AWS_SECRET_ACCESS_KEY": "spyglass-test-secret",
        "AWS_DEFAULT_REGION": "us-east-1", "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
    }  # fmt: skip
    client(env).create_bucket(Bucket=BUCKET)
    yield env
    server.stop()


def client(env: dict[str, str]) -> Any:
    return boto3.client(
        "s3", endpoint_url=env["AWS_ENDPOINT_URL"], region_name=env["AWS_DEFAULT_REGION"],
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"], aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
    )  # fmt: skip


def test_uploads_land_in_the_bucket(tmp_path: Path, s3_env: dict[str, str]) -> None:
    server = ServerProcess(tmp_path / "data", env={**s3_env, "SPYGLASS_MEDIA_URL": f"s3://{BUCKET}/media"}).start()
    try:
        data = unique_png()
        sent = run_script("5.0.4", V5_SCENARIO, {**server.sdk_env(), "PNG": base64.b64encode(data).decode()})
        assert_served(server, sent["traceId"], data)
        s3 = client(s3_env)
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET, Prefix="media/")["Contents"]]
        (key,) = [k for k in keys if k.endswith("/" + media_id_of(data))]
        assert s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() == data
        local = [p for p in (server.data_dir / "media").rglob("*") if p.is_file()]
        assert local == [], "with an S3 media URL no media bytes stay on the server's disk"
    finally:
        server.stop()


def test_a_bad_media_url_stops_the_start(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data", env={"SPYGLASS_MEDIA_URL": "ftp://somewhere/media"})
    with pytest.raises(RuntimeError, match="SPYGLASS_MEDIA_URL must be s3://bucket/prefix"):
        server.start(timeout=20)
