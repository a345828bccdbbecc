"""Export benchmark: `spyglass export-table` over a large project, with the exporter's peak memory.

Not a test. Reuses bench/ui_pages.py's filled store (N traces, every fourth with a generation; kept under .bench/),
then runs `spyglass export-table traces` once per format as a child process and reports its wall time, rows per
second, output size and peak resident memory (the child's own ru_maxrss). Run it at two sizes to see that memory
does not grow with the rows:

    .venv/bin/python bench/export.py --traces 100000
    .venv/bin/python bench/export.py --traces 1000000     # the 1M fill takes minutes the first time
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.ui_pages import fill  # noqa: E402

from spyglass.config import Settings  # noqa: E402
from spyglass.projects import bootstrap  # noqa: E402
from spyglass.store import open_store  # noqa: E402


async def prepare(traces: int) -> Path:
    data_dir = ROOT / ".bench" / f"ui-{traces}"
    marker = data_dir / "filled"
    settings = Settings(data_dir=data_dir, log_level="warning")
    store = open_store(settings.store_url)
    try:
        await store.migrate()
        boot = await bootstrap(store, settings)
        if not marker.exists():
            print(f"filling {traces:,} traces into {data_dir} ...", file=sys.stderr)
            marker.write_text(str(await fill(store, boot.project.id, traces)))
    finally:
        await store.close()
    return data_dir


def export(data_dir: Path, fmt: str, out: Path) -> dict[str, Any]:
    command = [sys.executable, "-m", "spyglass", "export-table", "traces", "-f", fmt, "-o", str(out),
               "--data-dir", str(data_dir)]  # fmt: skip
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"export failed: {child.stderr.read().decode() if child.stderr else status}")
    return {"seconds": round(seconds, 1), "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
            "output_mb": round(out.stat().st_size / 1e6, 1)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--traces", type=int, default=100_000)
    parser.add_argument("--formats", default="csv,jsonl,parquet")
    args = parser.parse_args()
    data_dir = asyncio.run(prepare(args.traces))
    results: dict[str, Any] = {"traces": args.traces}
    for fmt in args.formats.split(","):
        out = data_dir / f"export.{fmt}"
        run = export(data_dir, fmt, out)
        run["rows_per_second"] = round(args.traces / run["seconds"])
        results[fmt] = run
        out.unlink()
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
