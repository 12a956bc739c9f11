"""Replicas: 1, 2 and 3 `gofirst serve` processes on one PostgreSQL deliver one planned fan-out to
the Slack double of benchmarks/doubles (chat.postMessage about 1/s per channel plus a workspace
cap, 429 with Retry-After past them): delivered per second against what the limits allow, every
nudge exactly once (by the metadata marker each message carries), and, in a last run, one replica
killed with SIGKILL mid-way whose claimed nudges the others take over once its lease runs out."""
from __future__ import annotations

import asyncio
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from benchmarks._common import GOFIRST, Child, free_port, heading, table
from benchmarks.doubles.process import DoubleProcess
from benchmarks.doubles.seed import installation, seed
from benchmarks.doubles.slack import PER_WORKSPACE

NAME = "replicas"
WORKSPACES = 10
KILL_LEASE = 30.0    # seconds a dead replica's claim holds before another takes the nudge over (kill run)
STALL = 90.0


def environment(database: str, api: str, port: int, lease: float | None = None) -> dict[str, str]:
    """`gofirst serve`'s settings; the sending lease is the product's default unless given."""
    extra = {"GOFIRST_SENDING_LEASE_SECONDS": str(lease)} if lease else {}
    return {**extra, "GOFIRST_DATABASE_URL": database, "GOFIRST_HOST": "127.0.0.1", "GOFIRST_PORT": str(port),
            "SLACK_SIGNING_SECRET": "bench", "SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "bench",
            "GOFIRST_SECRET_KEY": "bench-" * 8, "SLACK_API_URL": api, "GOFIRST_WORKER_INTERVAL": "0.5",
            "GOFIRST_GRACE_HOURS": "24", "GOFIRST_LOG_LEVEL": "WARNING"}


async def prepare(database: str, api: str, leaders: int) -> int:
    """Seeds the organisation and plans every campaign here, so the replicas only deliver."""
    from adapters.slack.app import build_edge
    from bot.config import Settings
    from bot.runtime import build_runtime
    from bot.scheduling.ticks import plan_campaign

    settings = Settings(GOFIRST_DATABASE_URL=database, SLACK_SIGNING_SECRET=SecretStr("bench"),
                        SLACK_CLIENT_ID="1.2", SLACK_CLIENT_SECRET=SecretStr("bench"),
                        GOFIRST_SECRET_KEY=SecretStr("bench-" * 8), SLACK_API_URL=api)
    runtime = build_runtime(settings)
    edge = build_edge(runtime)
    runtime.services.platforms.register(edge.platform)
    now = datetime.now(timezone.utc).replace(microsecond=0)
    campaigns = await seed(runtime.db, "slack", leaders, WORKSPACES, now)
    assert edge.store is not None
    for w in range(WORKSPACES):
        await edge.store.async_save(installation(w))
    planned = 0
    for campaign_id in campaigns:
        planned += (await plan_campaign(runtime.services, campaign_id, grace_hours=24)).planned
    await runtime.db.dispose()
    return planned


def deliver(server: Any, folder: Path, replicas: int, leaders: int, scale: float, kill: bool) -> dict[str, Any]:
    database = server.create_database()
    double = DoubleProcess("slack", scale)
    env = environment(database, double.url, 0)
    Child("migration", [GOFIRST, "db", "upgrade"], folder / "migrate.log", env).proc.wait(120)
    planned = asyncio.run(prepare(database, double.url, leaders))
    children: list[Child] = []
    killed_at = None
    try:
        for n in range(replicas):
            port = free_port()
            child = Child(f"replica {n}", [GOFIRST, "serve"], folder / f"replica-{replicas}-{n}.log",
                          environment(database, double.url, port, KILL_LEASE if kill else None))
            children.append(child.wait_for(f"http://127.0.0.1:{port}/healthz"))
        last, changed = -1, time.monotonic()
        while time.monotonic() - changed < STALL:
            seen = asyncio.run(double.counts())
            if seen["distinct"] >= planned:
                break
            if seen["distinct"] != last:
                last, changed = seen["distinct"], time.monotonic()
            if kill and killed_at is None and seen["distinct"] >= planned // 3:
                children[0].kill()
                killed_at = seen["distinct"]
            time.sleep(0.5)
        seen = asyncio.run(double.counts())
        cpu = sum(c.cpu() for c in children if c.proc.poll() is None)
    finally:
        for child in children:
            child.stop()
        asyncio.run(double.stop())
    span = (seen["last_delivery"] or 0) - (seen["first_delivery"] or 0)
    return {"replicas": replicas, "planned": planned, "delivered": seen["distinct"], "duplicates": seen["duplicates"],
            "rate": (seen["deliveries"] - 1) / span if span > 0 else 0.0, "throttled": sum(seen["throttled"].values()),
            "killed_at": killed_at, "span": span, "cpu": cpu}


def run(quick: bool) -> str:
    from tests.support.postgres import ThrowawayPostgres, find_bin_dir

    bin_dir = find_bin_dir()
    if bin_dir is None:
        return heading("Replicas on one PostgreSQL", NAME, quick) + "\nNo PostgreSQL server binaries here: not run.\n"
    leaders = 300 if quick else 1000
    allowed = 300.0 if quick else 600.0   # messages a second across the workspaces, after scaling
    scale = allowed / (PER_WORKSPACE[0] * WORKSPACES)
    server = ThrowawayPostgres(bin_dir).start()
    rows = []
    try:
        with tempfile.TemporaryDirectory(prefix="gofirst-bench-replicas-") as tmp:
            for replicas, kill in ((1, False), (2, False), (3, False), (3, True)):
                r = deliver(server, Path(tmp), replicas, leaders, scale, kill)
                rows.append((r["replicas"], "one killed (-9) at " + f"{r['killed_at']:,}" if r["killed_at"] else "-",
                             f"{r['delivered']:,} of {r['planned']:,}", f"{r['rate']:,.1f}/s of {allowed:g}",
                             f"{r['rate'] / allowed:.0%}", r["throttled"], r["duplicates"], f"{r['span']:.1f} s"))
    finally:
        server.stop()
    notes = (f"\n{leaders:,} leaders in {WORKSPACES} workspaces, one campaign each, planned before the replicas start "
             f"(so only delivery is timed). The limits' clock runs {scale:g}x Slack's, so they allow {allowed:g} "
             "messages a second in all. Delivered per second: from the first message the double stored to the "
             f"last. In the kill run the sending lease is {KILL_LEASE:g} s (the "
             "others use the default): the killed replica's claimed nudges wait it out, then another replica takes "
             "them over; duplicates are markers the double stored twice. This double answers "
             "conversations.history with nothing, so the marker look-up recovery makes before re-sending a taken-over "
             "nudge cannot find one the killed replica had sent: such duplicates count against the double as much as "
             "against GoFirst. All replicas share this machine's 2 cores (and the load generator, PostgreSQL and the "
             "double), so a replica adds a delivery worker but no CPU.\n")
    return (heading("Replicas on one PostgreSQL", NAME, quick) + "\n" +
            table(("replicas", "fault", "delivered", "rate", "of allowed", "429s", "duplicates", "span"), rows) + notes)
