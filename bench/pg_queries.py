"""The UI page benchmark (bench/ui_pages.py) on SQLite and PostgreSQL in one run: the same fill through
`Store.write`, then the same pages served in-process, timed end to end inside the server. Prints one JSON object per
store with the fill rate and the median / p95 per page in milliseconds.

    .venv/bin/python bench/pg_queries.py --traces 20000 --runs 9
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.pg_target import postgres_cluster  # noqa: E402
from bench.ui_pages import EMAIL, PASSWORD, fill, timed  # noqa: E402

from spyglass.accounts import create_user  # noqa: E402
from spyglass.app import create_app  # noqa: E402
from spyglass.config import Settings  # noqa: E402
from spyglass.projects import bootstrap  # noqa: E402
from spyglass.store import open_store  # noqa: E402


async def measure(settings: Settings, traces: int, runs: int) -> dict[str, Any]:
    store = open_store(settings.store_url)
    await store.migrate()
    project_id = (await bootstrap(store, settings)).project.id
    fill_seconds = await fill(store, project_id, traces)
    await create_user(store, EMAIL, PASSWORD, is_admin=True)
    results: dict[str, Any] = {"traces": traces, "fill_traces_per_second": round(traces / fill_seconds)}
    app = create_app(settings, store)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
            form = await client.get("/signin")
            token = re.search(r'name="csrf" value="([^"]+)"', form.text)
            assert token is not None
            signed = await client.post("/signin", data={"email": EMAIL, "password": PASSWORD, "csrf": token.group(1)})
            assert signed.status_code == 303, signed.text
            base = f"/project/{project_id}"
            middle = f"t{traces // 2 // 4 * 4:08d}"
            api = {"auth": (settings.init_public_key or "", settings.init_secret_key or "")}
            pages = {
                "traces_first_page": f"{base}/traces",
                "traces_filter_user": f"{base}/traces?user=user-1234",
                "traces_sort_cost": f"{base}/traces?sort=cost",
                "traces_search_rare": f"{base}/traces?q=q{traces // 3}%20",
                "traces_search_common": f"{base}/traces?q=refund",
                "trace_detail": f"{base}/traces/{middle}",
                "sessions_first_page": f"{base}/sessions",
                "users_first_page": f"{base}/users",
                "generations_first_page": f"{base}/generations",
            }
            for name, url in pages.items():
                results[name] = await timed(client, url, runs)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench", **api) as client:
            results["api_traces_list"] = await timed(client, "/api/public/traces?limit=50", runs)
            results["api_trace_get"] = await timed(client, f"/api/public/traces/{middle}", runs)
    await store.close()
    return results


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--traces", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    keys = {"init_public_key": "pk-lf-bench", "init_secret_key": "sk-lf-bench", "log_level": "warning"}
    with tempfile.TemporaryDirectory() as tmp, postgres_cluster() as cluster:
        for name, settings in (
            ("sqlite", Settings(data_dir=Path(tmp) / "sqlite", **keys)),  # type: ignore[arg-type]
            ("postgres", Settings(data_dir=Path(tmp) / "pg", database_url=cluster.new_database(), **keys)),  # type: ignore[arg-type]
        ):
            print(json.dumps({"store": name, **await measure(settings, args.traces, args.runs)}), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
