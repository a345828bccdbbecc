"""Virtualenvs holding one official `langfuse` SDK version each, made once and reused (under .venvs/).

SDK generations conflict with each other and with the server's own dependencies, so each runs in its own
interpreter: a test writes a small script, runs it with `run_script`, and reads back what it printed.
"""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
VENVS = Path(os.environ.get("SPYGLASS_TEST_VENVS", ROOT / ".venvs"))


def sdk_python(version: str, *extra: str) -> Path:
    """The python of a virtualenv with `langfuse==version` (and `extra` requirements) installed."""
    name = f"langfuse-{version}" + ("-" + "-".join(sorted(e.replace("=", "") for e in extra)) if extra else "")
    venv = VENVS / name
    python = venv / "bin" / "python"
    marker = venv / ".ready"
    VENVS.mkdir(parents=True, exist_ok=True)
    with (VENVS / f".{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not marker.exists():
            subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
            subprocess.run(
                [
                    str(python),
                    "-m",
                    "pip",
                    "install",
                    "-q",
                    "--disable-pip-version-check",
                    f"langfuse=={version}",
                    *extra,
                ],
                check=True,
            )
            marker.write_text(version)
    return python


def run_script(
    version: str, script: str, env: Mapping[str, str], *, extra: tuple[str, ...] = (), timeout: float = 180
) -> Any:
    """Run `script` under the SDK's interpreter; it must print one JSON document as its last stdout line."""
    python = sdk_python(version, *extra)
    proc = subprocess.run(
        [str(python), "-c", textwrap.dedent(script)],
        env={"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp"), **env},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if proc.returncode != 0:
        raise AssertionError(f"SDK script failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    if not lines:
        raise AssertionError(f"SDK script printed nothing:\n{proc.stderr}")
    return json.loads(lines[-1])
