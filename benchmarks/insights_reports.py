"""`python -m benchmarks --only insights` (or `python -m benchmarks.insights_reports [--runs N]
[--no-postgres] [--million]`): how long HR waits for the dashboard, on SQLite and PostgreSQL, for a
synthetic organisation of 200 leaders x 12 weeks and of 1,000 leaders with about 100,000 replies
(and, with --million or GOFIRST_BENCH_MILLION=1 in the environment of `python -m benchmarks`, of
2,000 leaders with about 1,000,000 replies: about an hour, 10 GB of memory). The console runs as in
production (aiohttp, a signed-in admin over loopback HTTP); each page and CSV download is fetched
several times; the first page after start (figures being prepared), the first build, and the pages
after a new reply and after an opt-out are timed apart."""
from __future__ import annotations

import argparse
import asyncio
import logging
import os
import re
import resource
import statistics
import tempfile
import time
from datetime import date, datetime, timezone

import aiohttp
from aiohttp import web
from pydantic import SecretStr
from sqlmodel import select

from adapters.admin import console_mount
from adapters.admin.accounts import create_account
from benchmarks._common import heading, percentile, table
from bot.app.mounts import privacy_hooks
from bot.app.server import build_app
from bot.clock import FixedClock
from bot.config import Settings
from bot.insights import cache
from bot.insights.cache import settled
from bot.insights.synthetic import generate
from bot.runtime import build_runtime
from storage.db import Database
from storage.migrate import upgrade
from storage.tables import Person, Reply
from tests.support.postgres import ThrowawayPostgres, find_bin_dir

NAME = "insights"
UNTIL = date(2026, 11, 30)
W, EMAIL, PASSWORD = "local:bench", "hr@bench.example", "a benchmark password, long enough"
SCALES = (("200 leaders x 12 weeks", 200, 12), ("1,000 leaders, ~100,000 replies", 1000, 38))
MILLION = ("2,000 leaders, ~1,000,000 replies", 2000, 190)
PAGES = {
    "outcomes (workspace, month)": "/admin/insights",
    "outcomes by team, week, page 3": "/admin/insights?by=team&kind=week&page=3",
    "outcomes by campaign, quarter": "/admin/insights?by=campaign&kind=quarter",
    "themes (workspace, month)": "/admin/insights/themes",
    "themes by department, week, IT access": "/admin/insights/themes?by=department&kind=week&theme=it_access",
    "CSV: outcomes of every team, month": "/admin/insights/outcomes.csv?by=team&table=groups",
    "CSV: themes by week": "/admin/insights/themes.csv?kind=week&table=trend",
}
MILLION_ENV = "GOFIRST_BENCH_MILLION"  # "1": `python -m benchmarks --only insights` measures MILLION too
log = logging.getLogger("benchmarks.insights")
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


async def signed_in(base: str) -> aiohttp.ClientSession:
    http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True), timeout=aiohttp.ClientTimeout(total=600))
    async with http.get(base + "/admin/login") as response:
        token = CSRF.search(await response.text())
    assert token is not None
    async with http.post(base + "/admin/login", data={"email": EMAIL, "password": PASSWORD, "csrf": token.group(1)},
                         headers={"Origin": base}) as response:
        assert "Sign out" in await response.text()
    return http


async def fetch(http: aiohttp.ClientSession, url: str) -> float:
    started = time.perf_counter()
    async with http.get(url) as response:
        await response.read()
        assert response.status == 200, (url, response.status)
    return time.perf_counter() - started


async def until_shown(http: aiohttp.ClientSession, url: str, what: str) -> list[tuple[str, float, float]]:
    """A page when no build may be shown: the figures if one is made within PATIENCE, else the page
    saying they are being prepared; then how long until they are shown."""
    started = time.perf_counter()
    async with http.get(url) as response:
        await response.read()
        assert response.status in (200, 503), (url, response.status)
    first = time.perf_counter() - started
    await settled(W)
    said = "figures being prepared" if response.status == 503 else f"built within {cache.PATIENCE:.0f} s, shown"
    return [(f"first page after {what} ({said})", first, first),
            (f"build after {what} (until figures are shown)", time.perf_counter() - started, 0.0)]


async def seeded(db: Database, leaders: int, weeks: int) -> str:
    """Fills the workspace, telling stderr every tenth of the leaders (a million replies take minutes)."""
    started, done = time.perf_counter(), [0]

    def progress(n: int) -> None:
        done[0] += n
        if done[0] % max(1, leaders // 10) == 0:
            log.info("insights: %d of %d leaders written, %.0f s", done[0], leaders, time.perf_counter() - started)
    async with db.session() as session:
        summary = await generate(session, W, leaders, weeks, 1, UNTIL, progress)
    return f"{summary.replies:,} replies, {summary.shares:,} shares, generated in {time.perf_counter() - started:.0f} s"


async def measure(url: str, leaders: int, weeks: int, runs: int) -> tuple[str, list[tuple[str, float, float]]]:
    db = Database(url)
    await upgrade(db)
    made = await seeded(db, leaders, weeks)
    if url.startswith("postgresql"):  # the statistics autovacuum would have gathered after a bulk load
        async with db.engine.connect() as connection:
            await (await connection.execution_options(isolation_level="AUTOCOMMIT")).exec_driver_sql("ANALYZE")
    await create_account(db, W, EMAIL, "admin", PASSWORD)
    settings = Settings(GOFIRST_DATABASE_URL=url,
                        GOFIRST_SECRET_KEY=SecretStr("a benchmark key, long enough to sign with"))
    runtime = build_runtime(settings, clock=FixedClock(datetime(2026, 11, 30, 12, tzinfo=timezone.utc)), db=db)
    runner = web.AppRunner(build_app(runtime, [console_mount(privacy_hooks())]), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    base = f"http://{host}:{port}"
    http = await signed_in(base)
    try:
        found = await until_shown(http, base + "/admin/insights", "start")
        for name, path in PAGES.items():
            samples = [await fetch(http, base + path) for _ in range(runs)]
            found.append((name, statistics.median(samples), percentile(samples, 0.95)))
        found += await after_changes(db, http, base + PAGES["outcomes (workspace, month)"])
    finally:
        await http.close()
        await runner.cleanup()
        await db.dispose()
        cache.forget()  # a build of a million replies holds gigabytes: not kept for the next database
    return made, found


async def after_changes(db: Database, http: aiohttp.ClientSession, url: str) -> list[tuple[str, float, float]]:
    """A new reply (the previous build is served while one is made in the background), then an opt-out
    of analysis (never served from the previous build: the page says the figures are being prepared
    while one is built, or shows them if that takes under PATIENCE)."""
    async with db.session() as session:
        reply = (await session.exec(select(Reply).where(Reply.workspace_id == W, Reply.is_leader == False)  # noqa: E712
                                    .limit(1))).one()
        session.add(Reply(workspace_id=W, share_id=reply.share_id, author_id=reply.author_id,
                          platform_message_id="bench-late", themes=reply.themes))
    stale = await fetch(http, url)
    started = time.perf_counter()
    await settled(W)
    background = time.perf_counter() - started + stale
    fresh = await fetch(http, url)
    async with db.session() as session:
        person = (await session.exec(select(Person).where(Person.workspace_id == W).limit(1))).one()
        person.analysis_opted_out = True
        session.add(person)
    return [("first page after a new reply (previous build; rebuild in background)", stale, stale),
            ("background rebuild after that reply (until ready)", background, 0.0),
            ("next page, new figures", fresh, fresh), *await until_shown(http, url, "an opt-out")]


def measured(runs: int, postgres: bool, scales: tuple[tuple[str, int, int], ...], million: bool) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    with tempfile.TemporaryDirectory() as folder:
        bin_dir = find_bin_dir() if postgres else None
        server = ThrowawayPostgres(bin_dir).start() if bin_dir else None
        try:
            plan = [(s, "SQLite") for s in scales] + [(s, "PostgreSQL") for s in scales if server is not None]
            plan += [(MILLION, "SQLite")] + [(MILLION, "PostgreSQL")] * (server is not None) if million else []
            for (label, leaders, weeks), backend in plan:
                url = (server.create_database() if backend == "PostgreSQL" and server is not None
                       else f"sqlite+aiosqlite:///{folder}/{leaders}-{weeks}.db")
                log.info("insights: %s on %s", label, backend)
                made, found = asyncio.run(measure(url, leaders, weeks, runs))
                rows += [(f"{label} ({made})" if n == 0 else "", backend if n == 0 else "", page,
                          f"{median * 1000:,.0f} ms", f"{high * 1000:,.0f} ms" if high else "")
                         for n, (page, median, high) in enumerate(found)]
        finally:
            if server is not None:
                server.stop()
    return rows


def run(quick: bool) -> str:
    runs = 5 if quick else 20
    rows = measured(runs, not quick, SCALES[:1] if quick else SCALES, os.environ.get(MILLION_ENV) == "1")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return (heading("HR insights dashboard", NAME, quick)
            + f"\n{runs} fetches per page over loopback HTTP, signed in; p95 is nearest-rank. "
              f"Peak memory of the process {peak:,.0f} MB.\n\n"
            + table(("organisation", "database", "page", "median", "p95"), rows))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20, help="fetches per page (p95 over these)")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--million", action="store_true",
                        help=f"also ~1,000,000 replies on SQLite and PostgreSQL (about an hour; through "
                             f"`python -m benchmarks`: {MILLION_ENV}=1)")
    parser.add_argument("--small", action="store_true", help="only the 200-leader organisation")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    for name in ("bot.insights.cache", "benchmarks.insights"):
        logging.getLogger(name).setLevel(logging.INFO)  # each build's time and the seeding, on stderr
    print(table(("organisation", "database", "page", "median", "p95"),
                measured(args.runs, not args.no_postgres, SCALES[:1] if args.small else SCALES, args.million)))
