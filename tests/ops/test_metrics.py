"""/metrics over real HTTP after real traffic, parsed with prometheus_client's own parser."""
from __future__ import annotations

import subprocess
import sys
import time
from datetime import timedelta

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from bot.clock import FixedClock
from bot.config import Settings
from adapters.admin import console_mount
from bot.app.mounts import privacy_hooks
from bot.runtime import Runtime, build_runtime
from bot.app.server import build_app
from adapters.teams.limits import SlidingLimiter
from bot.delivery.pauses import Pauses
from bot.delivery.worker import DeliveryWorker
from bot.scheduling.scheduler import CampaignScheduler
from bot.scheduling.ticks import plan_campaign
from storage.db import is_sqlite
from storage.tables import Nudge
from tests.scheduling.conftest import make_world, utc
from tests.support.recording import RecordingPlatform
from tests.ops.samples import Scrape
from tests.slack.conftest import LEADER, WORKSPACE, Live, Seeded
from tests.support.live import serve
from tests.support.postgres import free_port

DM_STREAK = {"type": "message", "channel": "D0LEAD", "channel_type": "im", "user": LEADER, "text": "streak",
             "ts": "1764000400.000001"}


async def scrape(live: Live) -> Scrape:
    live.runtime.settings.metrics_db_timeout = 30  # a busy test machine must not drop the outbox figures
    async with live.http.get(f"{live.url}/metrics") as response:
        assert response.status == 200 and response.content_type == "text/plain"
        return Scrape(list(text_string_to_metric_families(await response.text())))


async def test_traffic_moves_the_families_an_operator_graphs(live: Live, seeded: Seeded, clock: FixedClock) -> None:
    before = await scrape(live)
    assert (await live.event(DM_STREAK))[0] == 200
    status, _ = await live.command(LEADER, "help")
    assert status == 200
    for path in ("/healthz", "/healthz?probe=1", "/no/such/page", "/no/other/page"):
        async with live.http.get(f"{live.url}{path}"):
            pass
    await live.settle()
    async with live.runtime.db.session() as session:
        session.add(Nudge(workspace_id=WORKSPACE, campaign_id=seeded.campaign_id, leader_id=seeded.leader_id,
                          period="2026-W48", pack="going-first", prompt_id="p1", state="planned",
                          due_at=clock.now() - timedelta(minutes=10)))
    after = await scrape(live)

    assert after.families["gofirst_http_request_duration_seconds"].type == "histogram"
    latency = "gofirst_http_request_duration_seconds_count"
    assert after.value(latency, route="/healthz", method="GET") == before.value(latency, route="/healthz",
                                                                                method="GET") + 2
    assert after.value(latency, route="unmatched", method="GET") == 2
    assert after.value(latency, route="/slack/events", method="POST") == 2
    routes = {s.labels["route"] for s in after.samples(latency)}
    assert not any("?" in r or "no/such" in r for r in routes)  # the pattern, never the raw URL
    assert after.value("gofirst_http_requests_total", route="unmatched", method="GET", status="404") == 2
    assert after.value("gofirst_slack_acks_total", kind="event", status="200") == 1
    assert after.value("gofirst_slack_acks_total", kind="command", status="200") == 1
    assert sum(s.value for s in after.samples("gofirst_events_total")) > sum(
        s.value for s in before.samples("gofirst_events_total"))
    assert after.value("gofirst_outbox_depth", table="nudge", state="planned") == before.value(
        "gofirst_outbox_depth", table="nudge", state="planned") + 1
    assert after.value("gofirst_outbox_oldest_due_seconds") >= 600
    for family in ("gofirst_nudges_planned", "gofirst_nudges_delivered", "gofirst_scheduler_leader",
                   "gofirst_db_pool_in_use", "gofirst_rate_limit_waits", "gofirst_rate_limit_wait_seconds"):
        assert family in after.families


async def test_connections_in_use_show_while_held(runtime: Runtime) -> None:
    """On a server with no edge nothing else holds connections, so the figure is exactly ours."""
    idle = (await scrape_app(runtime)).value("gofirst_db_pool_in_use")
    async with runtime.db.session() as session:
        await session.get(Nudge, 1)  # holds a pooled connection until the block ends
        assert (await scrape_app(runtime)).value("gofirst_db_pool_in_use") == idle + 1
    assert (await scrape_app(runtime)).value("gofirst_db_pool_in_use") == idle


async def test_a_request_id_is_echoed_or_made(live: Live) -> None:
    async with live.http.get(f"{live.url}/healthz", headers={"X-Request-Id": "lb-7f3a.42"}) as response:
        assert response.headers["X-Request-Id"] == "lb-7f3a.42"
    async with live.http.get(f"{live.url}/healthz", headers={"X-Request-Id": "<script>"}) as response:
        made = response.headers["X-Request-Id"]
    async with live.http.get(f"{live.url}/nowhere") as response:
        assert response.status == 404 and len(response.headers["X-Request-Id"]) == 32
    assert made != "<script>" and len(made) == 32


async def test_metrics_answer_without_the_database(clock: FixedClock) -> None:
    """Outbox figures need the database; with it down the scrape still answers, without them."""
    url = f"postgresql+asyncpg://gofirst:pw@127.0.0.1:{free_port()}/none"
    runtime = build_runtime(Settings(GOFIRST_DATABASE_URL=url, GOFIRST_METRICS_DB_TIMEOUT=1), clock=clock)
    async with serve(build_app(runtime, [])) as base, aiohttp.ClientSession() as http:
        async with http.get(f"{base}/metrics") as response:
            assert response.status == 200
            names = {f.name for f in text_string_to_metric_families(await response.text())}
    assert "gofirst_http_request_duration_seconds" in names and "gofirst_outbox_depth" not in names


WRITER = """
import sys
from bot.metrics import Metrics, process_exited
metrics = Metrics()
metrics.inc("gofirst_events_total", int(sys.argv[1]), kind="CommandReceived")
metrics.set("gofirst_scheduler_leader", int(sys.argv[2]))
if sys.argv[3] == "exit":
    process_exited()
else:
    sys.stdout.write(metrics.render().decode())
"""


def test_replicas_on_one_host_sum_through_the_multiprocess_folder(tmp_path) -> None:
    """Two processes share PROMETHEUS_MULTIPROC_DIR: either one's scrape counts both, and a process
    that stopped no longer claims to lead the scheduler."""
    env = {"PROMETHEUS_MULTIPROC_DIR": str(tmp_path), "PATH": ""}

    def run(*args: str) -> str:
        return subprocess.run([sys.executable, "-c", WRITER, *args], env=env, check=True, capture_output=True,
                              text=True).stdout

    run("2", "1", "exit")  # the old leader: counted, then stopped
    scrape = Scrape(list(text_string_to_metric_families(run("3", "0", "scrape"))))
    assert scrape.value("gofirst_events_total", kind="CommandReceived") == 5
    assert scrape.value("gofirst_scheduler_leader") == 0


async def test_the_console_sub_app_is_counted_under_its_own_patterns(runtime: Runtime) -> None:
    app = build_app(runtime, [console_mount(privacy_hooks())])
    async with serve(app) as base, aiohttp.ClientSession() as http:
        for path in ("/admin/login", "/admin/static/console.css", "/admin/static/no-such-file.css"):
            async with http.get(f"{base}{path}", allow_redirects=False):
                pass
        async with http.get(f"{base}/metrics") as response:
            scrape = Scrape(list(text_string_to_metric_families(await response.text())))
    routes = {s.labels["route"] for s in scrape.samples("gofirst_http_requests_total")}
    assert {"/admin/login", "/admin/static"} <= routes
    assert not any("css" in route for route in routes)


async def scrape_app(runtime: Runtime) -> Scrape:
    async with serve(build_app(runtime, [])) as base, aiohttp.ClientSession() as http:
        async with http.get(f"{base}/metrics") as response:
            return Scrape(list(text_string_to_metric_families(await response.text())))


async def test_planning_sending_and_leading_move_their_figures(runtime: Runtime, clock: FixedClock,
                                                                platform: RecordingPlatform) -> None:
    world = await make_world(runtime)
    clock.set(utc(2026, 11, 29, 12))  # Sunday noon: Monday 10:00 is ahead in every zone
    planned = (await plan_campaign(runtime.services, await world.campaign(weekday=0, local_time="10:00"))).planned
    waiting = await scrape_app(runtime)
    assert planned == 4 and waiting.value("gofirst_nudges_planned_total") == 4
    assert waiting.value("gofirst_outbox_depth", table="nudge", state="planned") == 4
    assert waiting.value("gofirst_outbox_oldest_due_seconds") == 0  # planned, but none due yet
    clock.set(utc(2026, 11, 30, 2))  # an hour after Kenji's Monday 10:00 in Tokyo; the others still ahead
    assert (await scrape_app(runtime)).value("gofirst_outbox_oldest_due_seconds") == 3600
    await DeliveryWorker(runtime.services).run_once()
    sent = await scrape_app(runtime)
    assert sent.value("gofirst_nudges_delivered_total", outcome="sent") == 1
    assert sent.value("gofirst_outbox_depth", table="nudge", state="planned") == 3
    assert sent.value("gofirst_outbox_oldest_due_seconds") == 0

    scheduler = CampaignScheduler(runtime.services)
    await (scheduler.start() if is_sqlite(runtime.db.url) else scheduler.elect_once())
    assert scheduler.leading and (await scrape_app(runtime)).value("gofirst_scheduler_leader") == 1
    await scheduler.stop()
    assert (await scrape_app(runtime)).value("gofirst_scheduler_leader") == 0


async def test_rate_limit_pauses_and_pacing_are_counted(runtime: Runtime) -> None:
    def waits(why: str, platform: str) -> float:
        scrape = Scrape(list(text_string_to_metric_families(runtime.services.metrics.render().decode())))
        return scrape.value("gofirst_rate_limit_waits_total", platform=platform, why=why)

    before = {key: waits(*key) for key in (("throttled", "slack"), ("waited", "slack"), ("paced", "teams"))}
    frozen = time.time()
    pauses = Pauses(runtime.db, now=lambda: frozen)  # no time passes between the 429 and the next send
    await pauses.pause("slack:T1", "chat.postMessage", 0.05)  # a 429 with Retry-After
    assert await pauses.wait("slack:T1", "chat.postMessage", max_wait=5) > 0  # the next send waits it out
    clock = [0.0]

    async def sleep(seconds: float) -> None:
        clock[0] += seconds

    limiter = SlidingLimiter(lambda: clock[0], sleep, per_conversation=((1.0, 1),))
    await limiter.acquire("tenant", "conversation")
    await limiter.acquire("tenant", "conversation")  # over 1 a second: held back
    assert waits("throttled", "slack") == before[("throttled", "slack")] + 1
    assert waits("waited", "slack") == before[("waited", "slack")] + 1
    assert waits("paced", "teams") == before[("paced", "teams")] + 1
