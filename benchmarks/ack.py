"""Ack latency of signed Slack slash commands and events: `gofirst serve` on SQLite and on PostgreSQL
next to a bare slack-bolt AsyncApp that only acks (the floor), each its own process on aiohttp's
`web.run_app`, driven by closed-loop clients from this process, runs interleaved round by round so
the machine's drift hits all three alike. Slack gives up on an ack after 3 s. Then 200 first
contacts at once (people GoFirst has never seen) must all be acked and answered by DM."""
from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from urllib.request import urlopen

import aiohttp
from aiohttp import web
from slack_sdk.signature import SignatureVerifier

from benchmarks._common import GOFIRST, PYTHON, Child, free_port, heading, percentile, table

NAME = "ack"
SECRET = "bench-signing-secret"
TOKEN = "xoxb-test-token"   # the token tests/slack/double.py accepts
TEAM = "T0GOFIRST"
FIRST_CONTACTS = 200
SLACK_GIVES_UP = 3.0


def user(n: int) -> str:
    return f"U0B{n:05d}"


def command_body(person: str, serial: int) -> tuple[str, str]:
    return urlencode({"token": "legacy", "team_id": TEAM, "team_domain": "bench", "channel_id": "C0BENCH",
                      "channel_name": "bench", "user_id": person, "user_name": person, "command": "/gofirst",
                      "text": "help", "api_app_id": "A0GOFIRST", "trigger_id": f"{serial}.trigger",
                      "response_url": "https://hooks.slack.invalid/commands/1"}), "application/x-www-form-urlencoded"


def event_body(person: str, serial: int) -> tuple[str, str]:
    """A reply in a channel thread, the event a team sends most."""
    event = {"type": "message", "channel": f"C0B{serial % 20:03d}", "channel_type": "channel", "user": person,
             "text": "no time, too many meetings", "ts": f"1764100000.{serial:06d}", "thread_ts": "1764000000.000001"}
    return json.dumps({"token": "legacy", "team_id": TEAM, "api_app_id": "A0GOFIRST", "type": "event_callback",
                       "event": event, "event_id": f"EvB{time.time_ns()}{serial}", "event_time": int(time.time()),
                       "authorizations": [{"team_id": TEAM, "user_id": "U0BOT", "is_bot": True}]}), "application/json"


KINDS: dict[str, Callable[[str, int], tuple[str, str]]] = {"slash command": command_body, "event": event_body}


def signed(body: str, content_type: str) -> dict[str, str]:
    stamp = str(int(time.time()))
    return {"Content-Type": content_type, "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": SignatureVerifier(SECRET).generate_signature(timestamp=stamp, body=body) or ""}


@dataclass
class Figures:
    """One target's samples for one kind and concurrency, over every round."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    cpu: float = 0.0
    seconds: float = 0.0

    @property
    def over(self) -> int:
        return sum(1 for t in self.latencies if t > SLACK_GIVES_UP)


async def post(http: aiohttp.ClientSession, url: str, body: str, content_type: str) -> tuple[float, bool]:
    started = time.perf_counter()
    try:
        async with http.post(url, data=body.encode(), headers=signed(body, content_type)) as answer:
            await answer.read()
            ok = answer.status == 200
    except (aiohttp.ClientError, asyncio.TimeoutError):
        ok = False
    return time.perf_counter() - started, ok


async def load(url: str, kind: str, clients: int, seconds: float, people: list[str], into: Figures) -> None:
    """`clients` clients, each sending its next request as soon as the last was answered."""
    make = KINDS[kind]
    deadline = time.perf_counter() + seconds
    serial = iter(range(10**9))
    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=15)) as http:
        async def client(n: int) -> None:
            while time.perf_counter() < deadline:
                took, ok = await post(http, url, *make(people[n % len(people)], next(serial)))
                into.latencies.append(took)
                into.errors += not ok
        await asyncio.gather(*(client(n) for n in range(clients)))


def measure(target: Child, url: str, kind: str, clients: int, seconds: float, people: list[str],
            into: Figures) -> None:
    """One run against one target; its CPU is counted until the work the acks started has drained."""
    before = target.cpu()
    started = time.perf_counter()
    asyncio.run(load(url, kind, clients, seconds, people, into))
    into.seconds += time.perf_counter() - started
    target.quiet()
    into.cpu += target.cpu() - before


async def first_contacts(url: str, double: str, people: list[str]) -> tuple[Figures, int, float]:
    """Everyone at once; then how many got their answer by DM, and when the last one did."""
    found = Figures()
    started = time.perf_counter()
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15)) as http:
        answers = await asyncio.gather(*(post(http, url, *command_body(p, n)) for n, p in enumerate(people)))
        found.latencies = [took for took, _ in answers]
        found.errors = sum(not ok for _, ok in answers)
        answered, last = 0, 0.0
        while time.perf_counter() - started < 60:
            async with http.get(double) as counts:
                answered = len(set(people) & set((await counts.json())["dm"]))
            last = time.perf_counter() - started
            if answered == len(people):
                break
            await asyncio.sleep(0.1)
    return found, answered, last


def gofirst(name: str, folder: Path, database: str, api: str) -> tuple[Child, str]:
    port = free_port()
    env = {"GOFIRST_DATABASE_URL": database, "GOFIRST_HOST": "127.0.0.1", "GOFIRST_PORT": str(port),
           "SLACK_SIGNING_SECRET": SECRET, "SLACK_BOT_TOKEN": TOKEN, "SLACK_API_URL": api}
    Child(f"{name} migration", [GOFIRST, "db", "upgrade"], folder / f"{name}.log", env).proc.wait(120)
    child = Child(name, [GOFIRST, "serve"], folder / f"{name}.log", env)
    return child.wait_for(f"http://127.0.0.1:{port}/healthz"), f"http://127.0.0.1:{port}/slack/events"


def verdict(ratio: str) -> bool:
    return ratio.endswith("x") and float(ratio[:-1]) <= 1.2


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms"


def run(quick: bool) -> str:
    from tests.support.postgres import ThrowawayPostgres, find_bin_dir

    seconds, rounds, levels = (0.5, 1, (1, 10)) if quick else (3.0, 3, (1, 10, 50, 200))
    contacts = 20 if quick else FIRST_CONTACTS
    children: list[Child] = []
    bin_dir = find_bin_dir()
    server = ThrowawayPostgres(bin_dir).start() if bin_dir else None
    with tempfile.TemporaryDirectory(prefix="gofirst-bench-ack-") as tmp:
        folder = Path(tmp)
        try:
            counts_port = free_port()
            double = Child("Slack double", [PYTHON, "-m", "benchmarks.ack", "double", str(counts_port)],
                           folder / "double.log")
            children.append(double)
            counts = f"http://127.0.0.1:{counts_port}/counts"
            double.wait_for(counts)
            with urlopen(counts) as answer:
                api = json.load(answer)["url"]
            floor_port = free_port()
            floor = Child("bare bolt", [PYTHON, "-m", "benchmarks.ack", "floor", str(floor_port), api],
                          folder / "floor.log")
            children.append(floor.wait_for(f"http://127.0.0.1:{floor_port}/healthz"))
            targets = [("bare bolt (floor)", floor, f"http://127.0.0.1:{floor_port}/slack/events", 0)]
            databases = [("SQLite", f"sqlite+aiosqlite:///{folder}/bench.db")]
            if server is not None:
                databases.append(("PostgreSQL", server.create_database()))
            for n, (label, database) in enumerate(databases, start=1):
                child, url = gofirst(f"gofirst-{label.lower()}", folder, database, api)
                children.append(child)
                targets.append((f"GoFirst, {label}", child, url, n * 1000))
            contact_rows: list[tuple[object, ...]] = []
            for label, child, url, base in targets[1:]:
                people = [user(base + n) for n in range(contacts)]
                found, answered, last = asyncio.run(first_contacts(url, counts, people))
                child.quiet()
                acked = sum(1 for t in found.latencies if t <= SLACK_GIVES_UP) - found.errors
                contact_rows.append((label, f"{acked}/{contacts}", ms(percentile(found.latencies, 0.99)),
                                     found.errors, f"{answered}/{contacts}", f"{last:.1f} s"))
            figures: dict[tuple[str, int, str], Figures] = defaultdict(Figures)
            for kind in KINDS:
                for clients in levels:
                    for r in range(rounds):
                        order = targets[r % len(targets):] + targets[:r % len(targets)]
                        for label, child, url, base in order:
                            people = [user(base + n) for n in range(contacts)]
                            measure(child, url, kind, clients, seconds, people, figures[kind, clients, label])
        finally:
            for child in reversed(children):
                child.stop()
            if server is not None:
                server.stop()
    return report(quick, targets, figures, levels, contact_rows, seconds, rounds)


def report(quick: bool, targets: list[Any], figures: dict[tuple[str, int, str], Figures], levels: tuple[int, ...],
           contact_rows: list[tuple[object, ...]], seconds: float, rounds: int) -> str:
    rows = []
    for (kind, clients, label), found in figures.items():
        floor = figures[kind, clients, targets[0][0]]
        p99, floor99 = percentile(found.latencies, 0.99), percentile(floor.latencies, 0.99)
        count = len(found.latencies)
        cpu, floor_cpu = found.cpu / max(1, count), floor.cpu / max(1, len(floor.latencies))
        rows.append((kind, clients, label, f"{count:,}", f"{count / found.seconds:,.0f}/s",
                     ms(percentile(found.latencies, 0.5)), ms(percentile(found.latencies, 0.95)), ms(p99),
                     f"{p99 / floor99:.2f}x" if floor99 else "-", found.errors, found.over,
                     ms(cpu), f"{cpu / floor_cpu:.1f}x" if floor_cpu else "-"))
    notes = (f"\nEach row: {rounds} rounds of {seconds:g} s, the three servers in turn (the order rotates "
             "each round), every client sending its next signed request as soon as the last was answered. "
             "p99 ratio and CPU ratio are to the bare bolt app of the same kind and concurrency. CPU per "
             "request is the server process's user+system time until the work the acks started has "
             "drained, divided by the requests (PostgreSQL's own CPU is not in it). Over 3 s: acks Slack "
             "would have given up on.\n")
    top = max(levels)
    verdicts = [f"{r[0]}s on {str(r[2]).split(', ')[1]} {r[8]} ({'met' if verdict(str(r[8])) else 'missed'})"
                for r in sorted(rows, key=lambda r: (r[0], r[2])) if r[1] == top and r[2] != targets[0][0]]
    notes += f"\nTarget p99 <= 1.2x the floor at {top} clients: " + "; ".join(verdicts) + ".\n"
    contacts = table(("server", "acked within 3 s", "ack p99", "errors", "answered by DM", "last answer after"),
                     contact_rows)
    return (heading("Slack ack latency against a bare bolt app", NAME, quick) + "\n" +
            table(("kind", "clients", "server", "requests", "rate", "p50", "p95", "p99", "p99 / floor", "errors",
                   "over 3 s", "CPU per request", "CPU / floor"), sorted(rows, key=lambda r: (r[0], r[1]))) +
            notes + "\n### First contacts at once\n\nPeople GoFirst has never seen send `/gofirst help` "
            "together; each must be acked within 3 s and answered by DM (after a users.info call each).\n\n"
            + contacts)


def floor_app(api: str) -> web.Application:
    """The floor: bolt with nothing to do but ack, served as GoFirst serves its own bolt app."""
    from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    bolt = AsyncApp(signing_secret=SECRET, client=AsyncWebClient(token=TOKEN, base_url=api),
                    process_before_response=False)

    @bolt.command("/gofirst")
    async def command(ack: Any) -> None:
        await ack(text="See your DM.")

    @bolt.event("message")
    async def message(event: dict[str, Any]) -> None:
        return None

    async def events(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await bolt.async_dispatch(await to_bolt_request(request)))

    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app = web.Application()
    app.router.add_post("/slack/events", events)
    app.router.add_get("/healthz", healthz)
    return app


def double_app() -> web.Application:
    """tests/slack's Web API double (every benchmark person known to users.info), with a page saying
    where it listens and whom it was asked to DM."""
    from tests.slack.double import SlackDouble

    double = SlackDouble(users={user(n): {"name": f"Person {n}", "tz": "Europe/London"} for n in range(3000)})

    async def start(_app: web.Application) -> None:
        await double.start()

    async def counts(request: web.Request) -> web.Response:
        sent = {str(c.args.get("channel", "")).replace("D", "U", 1) for c in double.of("chat.postMessage")}
        return web.json_response({"url": double.url, "dm": sorted(sent)})

    app = web.Application()
    app.on_startup.append(start)
    app.router.add_get("/counts", counts)
    return app


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="a server process of the ack benchmark")
    parser.add_argument("role", choices=("floor", "double"))
    parser.add_argument("port", type=int)
    parser.add_argument("api", nargs="?", default="")
    args = parser.parse_args()
    web.run_app(floor_app(args.api) if args.role == "floor" else double_app(), host="127.0.0.1", port=args.port,
                print=None)
