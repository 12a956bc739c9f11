"""Fan-out: one campaign to many leaders in 1, 10 and 100 workspaces, planned and delivered by the
real product path (planner, outbox, worker, the Slack or Teams adapter, HTTP) to doubles that
enforce the platforms' limits (benchmarks/doubles). Each scenario runs in a fresh process on a
fresh SQLite database, with the double in a process of its own, so CPU and peak RSS are GoFirst's.

The limits' clock is scaled so that the allowed rate across all workspaces is TARGET messages a
real second (`GOFIRST_BENCH_FANOUT_RATE`, default 60): one Slack workspace allows 6/s, so its clock
runs 10x faster; 100 workspaces allow 600/s, so theirs runs 10x slower. The share of the allowed
rate is what the worker reaches, whatever the scale."""
from __future__ import annotations

import asyncio
import logging
import os
import resource
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime, timezone
from multiprocessing import get_context
from typing import Any

from pydantic import SecretStr
from sqlalchemy import func
from sqlmodel import col, select

from benchmarks.doubles.process import DoubleProcess
from benchmarks.doubles.seed import installation, seed
from benchmarks.doubles.slack import PER_WORKSPACE
from benchmarks.doubles.teams import PER_CONVERSATION, PER_TENANT
from bot.config import Settings
from bot.delivery.policy import Policy
from bot.delivery.states import OPEN, NudgeState
from bot.delivery.worker import DeliveryWorker
from bot.runtime import Runtime, build_runtime
from bot.scheduling.ticks import plan_campaign
from storage.migrate import upgrade
from storage.tables import Nudge

NAME = "fanout"
TARGET = float(os.environ.get("GOFIRST_BENCH_FANOUT_RATE", "60"))
STALL = 120.0   # seconds without a delivery before a scenario is called stuck


def allowed_unscaled(platform: str, workspaces: int) -> float:
    """Nudges a second the real limits allow: DMs go to distinct channels (conversations), so the
    workspace cap (Slack) or the per-tenant request cap (Teams) is what binds."""
    per = PER_WORKSPACE[0] if platform == "slack" else PER_TENANT[0][1] / PER_TENANT[0][0]
    return per * workspaces


def capacity(platform: str, workspaces: int, seconds: float) -> float:
    """Messages the (scaled) limits let through in `seconds`: the sustained rate plus what each
    workspace may send at once at the start (Slack's burst, one full Teams window)."""
    at_once = PER_WORKSPACE[1] if platform == "slack" else PER_TENANT[0][1]
    return TARGET * seconds + at_once * workspaces


def wire(runtime: Runtime, platform: str, double: DoubleProcess, scale: float) -> Any:
    """The adapter exactly as `gofirst serve` builds it, pointed at the double."""
    if platform == "slack":
        from adapters.slack.app import build_edge as slack_edge
        edge = slack_edge(runtime)
        runtime.services.platforms.register(edge.platform)
        return edge
    from adapters.teams.app import build_edge as teams_edge
    from adapters.teams.limits import SlidingLimiter
    scaled = lambda rules: tuple((w / scale, n) for w, n in rules)  # noqa: E731
    limiter = SlidingLimiter(time.monotonic, asyncio.sleep, scaled(PER_CONVERSATION), scaled(PER_TENANT))
    return teams_edge(runtime, limiter)


def settings_for(platform: str, url: str, double: DoubleProcess) -> Settings:
    if platform == "slack":
        return Settings(GOFIRST_DATABASE_URL=url, SLACK_SIGNING_SECRET=SecretStr("bench"), SLACK_CLIENT_ID="1.2",
                        SLACK_CLIENT_SECRET=SecretStr("bench"), GOFIRST_SECRET_KEY=SecretStr("bench-" * 8),
                        SLACK_API_URL=double.url)
    return Settings(GOFIRST_DATABASE_URL=url, GOFIRST_TEAMS_DEV_MODE=True)


async def open_rows(runtime: Runtime) -> int:
    async with runtime.db.session() as session:
        query = select(func.count()).select_from(Nudge).where(
            col(Nudge.state).in_([*OPEN, NudgeState.SENDING.value]))
        return int((await session.exec(query)).one())


async def unsent(runtime: Runtime) -> dict[str, int]:
    """Rows not `sent` at the end, by state (and why), so a missing nudge shows where it is."""
    async with runtime.db.session() as session:
        query = (select(Nudge.state, Nudge.last_error, func.count()).where(col(Nudge.state) != NudgeState.SENT.value)
                 .group_by(col(Nudge.state), col(Nudge.last_error)))
        return {f"{state}: {(why or '')[:80]}": int(n) for state, why, n in (await session.exec(query)).all()}


async def _scenario(platform: str, leaders: int, workspaces: int, folder: str) -> dict[str, Any]:
    scale = TARGET / allowed_unscaled(platform, workspaces)
    double = DoubleProcess(platform, scale)
    now = datetime.now(timezone.utc).replace(microsecond=0)
    url = f"sqlite+aiosqlite:///{folder}/fanout.db"
    runtime = build_runtime(settings_for(platform, url, double))  # real time: retries come due
    await upgrade(runtime.db)
    edge = wire(runtime, platform, double, scale)
    service_url = f"{double.url}t/{{tenant}}/"
    campaigns = await seed(runtime.db, platform, leaders, workspaces, now, service_url)
    if platform == "slack":
        for w in range(workspaces):
            await edge.store.async_save(installation(w))
    before = await double.counts()
    cpu, wall = time.process_time(), time.perf_counter()
    planned = 0
    for campaign_id in campaigns:
        planned += (await plan_campaign(runtime.services, campaign_id)).planned
    plan_cpu, plan_wall = time.process_time() - cpu, time.perf_counter() - wall
    planning = await double.counts()
    worker = DeliveryWorker(runtime.services, Policy(grace_hours=24), interval=1.0)
    cpu = time.process_time()
    worker.start()
    last, last_change = -1, time.monotonic()
    while (left := await open_rows(runtime)) > 0 and time.monotonic() - last_change < STALL:
        if left != last:
            last, last_change = left, time.monotonic()
        await asyncio.sleep(1.0)
    await worker.stop()
    deliver_cpu = time.process_time() - cpu
    if platform == "slack":
        await edge.platform.http.close()
    else:
        edge.close()
    seen = await double.counts()
    left_over = await unsent(runtime)
    await double.stop()
    await runtime.db.dispose()
    span = (seen["last_delivery"] or 0) - (seen["first_delivery"] or 0)
    rate = (seen["deliveries"] - 1) / span if span > 0 else 0.0
    share = seen["deliveries"] / capacity(platform, workspaces, span) if span > 0 else 0.0
    return {"platform": platform, "leaders": leaders, "workspaces": workspaces, "scale": scale,
            "planned": planned, "plan_cpu_us": plan_cpu / max(leaders, 1) * 1e6, "plan_wall_s": plan_wall,
            "profile_calls": planning["calls"].get("users.info", 0) - before["calls"].get("users.info", 0),
            "delivered": seen["distinct"], "duplicates": seen["duplicates"], "left": left, "unsent": left_over,
            "rate": rate, "allowed": capacity(platform, workspaces, span) / span if span > 0 else TARGET,
            "share": share,
            "throttled": sum(seen["throttled"].values()), "connections": seen["connections"],
            "calls": sum(seen["calls"].values()), "deliver_cpu_ms": deliver_cpu / max(seen["deliveries"], 1) * 1e3,
            "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def scenario(platform: str, leaders: int, workspaces: int) -> dict[str, Any]:
    logging.basicConfig(level=logging.ERROR)  # a warning per 429 is the product's, but not the report
    with tempfile.TemporaryDirectory() as folder:
        return asyncio.run(_scenario(platform, leaders, workspaces, folder))


def scenarios(quick: bool) -> list[tuple[str, int, int]]:
    """`GOFIRST_BENCH_FANOUT_LEADERS` (e.g. "10000") narrows a full run's sizes when time is short."""
    chosen = [int(n) for n in os.environ.get("GOFIRST_BENCH_FANOUT_LEADERS", "").split(",") if n.strip()]
    sizes = [1_000] if quick else chosen or [10_000, 100_000]
    return [(p, n, w) for p in ("slack", "teams") for n in sizes for w in (1, 10, 100)]


def row(r: dict[str, Any]) -> str:
    return (f"| {r['platform']} | {r['leaders']:,} | {r['workspaces']} | {r['scale']:g}x | {r['plan_cpu_us']:,.0f} | "
            f"{r['profile_calls']:,} | {r['delivered']:,} | {r['rate']:.1f} of {r['allowed']:.1f} "
            f"({r['share']:.0%}) | {r['throttled']:,} | {r['duplicates']} | {r['connections']:,} for "
            f"{r['calls']:,} | {r['deliver_cpu_ms']:.1f} | {r['rss_mb']:,.0f} |")


def flatness(results: list[dict[str, Any]]) -> list[str]:
    """Planning CPU per leader at the largest size over the smallest, per platform and workspaces."""
    lines = []
    for platform in ("slack", "teams"):
        for w in (1, 10, 100):
            runs = sorted((r for r in results if r["platform"] == platform and r["workspaces"] == w),
                          key=lambda r: r["leaders"])
            if len(runs) > 1 and runs[0]["plan_cpu_us"]:
                ratio = runs[-1]["plan_cpu_us"] / runs[0]["plan_cpu_us"]
                lines.append(f"- {platform}, {w} workspaces: planning CPU per leader at {runs[-1]['leaders']:,} "
                             f"is {ratio:.2f}x that at {runs[0]['leaders']:,}")
    return lines


def run(quick: bool) -> str:
    results = []
    for platform, leaders, workspaces in scenarios(quick):
        with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
            result = pool.submit(scenario, platform, leaders, workspaces).result()
        print(row(result), result["unsent"] or "", file=sys.stderr, flush=True)
        results.append(result)
    header = ("| platform | leaders | workspaces | limits' clock | planning CPU µs/leader | users.info | delivered "
              "| delivered/s of allowed | 429s | duplicates | connections | delivery CPU ms/nudge | peak RSS MB |\n"
              "|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    notes = flatness(results) or ["- one size per scenario (quick run): flatness needs the full run"]
    intro = (f"Limits scaled to {TARGET:g} messages a second across all workspaces; \"allowed\" adds each "
             "workspace's initial burst over the run. Planning CPU includes the profile look-ups.")
    title = f"## Fan-out ({'quick, ' if quick else ''}{TARGET:g} messages/s allowed after scaling)"
    return "\n".join([title, "", intro, "",
                      header, *map(row, results), "", *notes, ""])


if __name__ == "__main__":
    print(run("--quick" in sys.argv))
