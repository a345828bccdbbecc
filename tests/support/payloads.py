"""Captured requests of the official SDKs (copied from shared/fixtures into tests/payloads/)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

PAYLOADS = Path(__file__).resolve().parents[1] / "payloads"


def capture(sdk_version: str, name: str, *, family: str = "langfuse-sdk") -> dict[str, Any]:
    """The whole capture record (request, headers, body, response) of `<family>/<version>/<name>.json`."""
    data: dict[str, Any] = json.loads((PAYLOADS / family / sdk_version / f"{name}.json").read_text())
    return data


def body(sdk_version: str, name: str, *, family: str = "langfuse-sdk") -> Any:
    return capture(sdk_version, name, family=family)["request"]["body"]


def raw_body(sdk_version: str, name: str, *, family: str = "langfuse-sdk") -> bytes:
    """The raw bytes of an OTLP capture (`.bin` beside the JSON)."""
    return (PAYLOADS / family / sdk_version / f"{name}.bin").read_bytes()
