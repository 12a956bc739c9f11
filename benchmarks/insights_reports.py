"""`python -m benchmarks.insights_reports` (or `python -m benchmarks --insights`): how long HR waits
for a report, on SQLite and PostgreSQL, for a synthetic organisation of 200 leaders x 12 weeks and
of 1,000 leaders with about 100,000 replies. Each report loads the workspace, audits every figure
and renders one view, as the CLI and the console do; the table gives the median and p95 of several
runs and the process's peak memory. docs/benchmarks.md quotes what this prints."""
from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date

from bot.insights import OUTCOMES, Insights, Thresholds, barriers, load_insights, to_csv
from bot.insights.synthetic import generate
from storage.db import Database
from storage.migrate import upgrade
from tests.support.postgres import ThrowawayPostgres, find_bin_dir

UNTIL = date(2026, 11, 30)
W = "local:bench"
SCALES = (("200 leaders x 12 weeks", 200, 12), ("1,000 leaders, ~100,000 replies", 1000, 38))
REPORTS: dict[str, Callable[[Insights], object]] = {
    "barriers (workspace, all time)": lambda i: barriers(i),
    "outcomes by campaign and month": lambda i: i.rows("campaign", "month", OUTCOMES),
    "export CSV by team and month": lambda i: to_csv(i.rows("team", "month")),
    "export CSV by week": lambda i: to_csv(i.rows("week")),
}


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


async def measure(url: str, leaders: int, weeks: int, runs: int) -> tuple[str, list[tuple[str, float, float]]]:
    db = Database(url)
    await upgrade(db)
    started = time.perf_counter()
    async with db.session() as session:
        summary = await generate(session, W, leaders, weeks, 1, UNTIL)
    made = f"{summary.replies:,} replies, {summary.shares:,} shares, generated in {time.perf_counter() - started:.1f} s"
    found = []
    for name, render in REPORTS.items():
        samples = []
        for _ in range(runs):
            started = time.perf_counter()
            async with db.session() as session:
                render(await load_insights(session, W, Thresholds(), UNTIL))
            samples.append(time.perf_counter() - started)
        found.append((name, statistics.median(samples), p95(samples)))
    await db.dispose()
    return made, found


def main(runs: int = 5, postgres: bool = True) -> None:
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        bin_dir = find_bin_dir() if postgres else None
        server = ThrowawayPostgres(bin_dir).start() if bin_dir else None
        try:
            for label, leaders, weeks in SCALES:
                backends = [("SQLite", f"sqlite+aiosqlite:///{folder}/{leaders}.db")]
                if server is not None:
                    backends.append(("PostgreSQL", server.create_database()))
                for backend, url in backends:
                    made, found = asyncio.run(measure(url, leaders, weeks, runs))
                    rows += [(f"{label} ({made})", backend, *figures) for figures in found]
        finally:
            if server is not None:
                server.stop()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{runs} runs per report; peak memory of the process {peak:,.0f} MB")
    print("| organisation | database | report | median | p95 |\n|---|---|---|---|---|")
    for organisation, backend, report, median, high in rows:
        print(f"| {organisation} | {backend} | {report} | {median:.2f} s | {high:.2f} s |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5, help="runs per report (p95 over these)")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    args = parser.parse_args()
    main(args.runs, not args.no_postgres)
