"""The official Langfuse JavaScript SDKs, installed once per generation from tests/js/v*/package-lock.json.

Each generation lives in its own folder (the 4.x and 5.x packages share names), and a scenario script under tests/js/
runs with that folder as its working directory, so it loads that generation's packages.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

JS = Path(__file__).resolve().parents[1] / "js"


def node_available() -> bool:
    return shutil.which("node") is not None and shutil.which("npm") is not None


def sdk_folder(generation: str) -> Path:
    """tests/js/<generation> with its locked node_modules installed (once; later calls reuse it)."""
    folder = JS / generation
    marker = folder / "node_modules" / ".spyglass-ready"
    with (JS / f".{generation}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not marker.exists():
            subprocess.run(
                ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=folder, check=True, timeout=600
            )
            marker.write_text("ok")
    return folder


def run_scenario(generation: str, script: str, env: Mapping[str, str], timeout: float = 120) -> dict[str, Any]:
    """Run tests/js/<script> against the env's server with <generation>'s packages; its last stdout line is JSON."""
    folder = sdk_folder(generation)
    done = subprocess.run(
        ["node", str(JS / script)],
        cwd=folder,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode != 0:
        raise AssertionError(f"{script} ({generation}) failed:\n{done.stdout}\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result
