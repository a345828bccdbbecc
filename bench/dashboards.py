"""Dashboard benchmark: server time of the project home dashboard (and one custom-dashboard widget set and the
metrics API) on a large project, SQLite store.

Not a test. Reuses bench/ui_pages.py's fill (N traces, one every 2 s from 2026-01-01; every fourth with a
generation) and its data folder .bench/ui-N, so a store filled by either script serves both. Times each request
end to end inside the server and prints one JSON object with the median and p95 in milliseconds.

    .venv/bin/python bench/dashboards.py --traces 100000        # fills on the first run (about a minute)
    .venv/bin/python bench/dashboards.py --traces 1000000       # the 1M store of bench/ui_pages.py
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.ui_pages import EMAIL, PASSWORD, T0, fill, timed  # noqa: E402

from spyglass.accounts import create_user  # noqa: E402
from spyglass.app import create_app  # noqa: E402
from spyglass.config import Settings  # noqa: E402
from spyglass.projects import bootstrap  # noqa: E402
from spyglass.store import open_store  # noqa: E402

KEYS = ("pk-lf-bench", "sk-lf-bench")


def _minute(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--traces", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    data_dir = ROOT / ".bench" / f"ui-{args.traces}"
    marker = data_dir / "filled"
    settings = Settings(data_dir=data_dir, log_level="warning", init_public_key=KEYS[0], init_secret_key=KEYS[1])
    store = open_store(settings.store_url)
    await store.migrate()
    project_id = (await bootstrap(store, settings)).project.id
    results: dict[str, Any] = {"traces": args.traces, "runs": args.runs}
    if not marker.exists():
        print(f"filling {args.traces:,} traces into {data_dir} ...", file=sys.stderr)
        results["fill_seconds"] = round(await fill(store, project_id, args.traces), 1)
        await create_user(store, EMAIL, PASSWORD, is_admin=True)
        marker.write_text(str(results["fill_seconds"]))
    first = datetime.fromtimestamp(T0 / 1e6, UTC)
    last = first + timedelta(seconds=2 * args.traces)
    app = create_app(settings, store)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            form = await client.get("/signin")
            token = re.search(r'name="csrf" value="([^"]+)"', form.text)
            assert token is not None
            signed = await client.post("/signin", data={"email": EMAIL, "password": PASSWORD, "csrf": token.group(1)})
            assert signed.status_code == 303, signed.text
            base = f"/project/{project_id}/dashboard?range=custom"
            pages = {
                "dashboard_all_data": f"{base}&from={_minute(first)}&to={_minute(last + timedelta(minutes=1))}",
                "dashboard_last_7_days": f"{base}&from={_minute(last - timedelta(days=7))}&to={_minute(last)}",
                "dashboard_last_24_hours": f"{base}&from={_minute(last - timedelta(days=1))}&to={_minute(last)}",
                "dashboard_all_data_one_user": f"{base}&from={_minute(first)}&to={_minute(last)}&user=user-1234",
            }
            for name, url in pages.items():
                results[name] = await timed(client, url, args.runs)
            query = {"view": "traces", "metrics": [{"measure": "count", "aggregation": "count"},
                                                   {"measure": "latency", "aggregation": "p95"}],
                     "dimensions": [{"field": "name"}], "fromTimestamp": first.isoformat(),
                     "toTimestamp": last.isoformat()}  # fmt: skip
            client.auth = KEYS
            results["metrics_api_count_p95_by_name_all"] = await timed(
                client, "/api/public/metrics?query=" + quote(json.dumps(query)), args.runs
            )
    await store.close()
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
