"""The whole weekly loop for many leaders through the real engine and database, with a platform
that answers instantly, so the figure is GoFirst's own cost per loop."""
from __future__ import annotations

import asyncio
import itertools
import tempfile

from bot.config import Settings
from bot.core import events
from bot.core.messages import Form, HomeView, Message, Sent
from bot.delivery import send_now
from bot.core.port import Profile
from bot.delivery.digests import send_digest
from bot.runtime import build_runtime
from storage.migrate import upgrade
from storage.repositories.people import add_member, ensure_person, ensure_workspace
from storage.tables import Campaign, Team

W = "local:bench"
NAME = "engine-loop"


class InstantPlatform:
    """Answers every send at once; remembers the last DM per person so the loop can press buttons."""

    name = "local"

    def __init__(self) -> None:
        self.ids = itertools.count(1)
        self.last_dm: dict[str, Message] = {}
        self.last_post: str = ""

    async def send_dm(self, workspace_id: str, user_id: str, message: Message) -> Sent:
        self.last_dm[user_id] = message
        return Sent(f"dm:{user_id}", f"m{next(self.ids)}")

    async def post(self, workspace_id: str, channel_id: str, message: Message, thread_id: str | None = None) -> Sent:
        self.last_post = f"m{next(self.ids)}"
        return Sent(channel_id, self.last_post)

    async def update(self, workspace_id: str, sent: Sent, message: Message) -> None:
        return None

    async def open_form(self, workspace_id: str, user_id: str, form: Form, trigger: str | None = None) -> None:
        return None

    async def publish_home(self, workspace_id: str, user_id: str, view: HomeView) -> None:
        return None

    async def fetch_profile(self, workspace_id: str, user_id: str) -> Profile | None:
        return None


async def run_loops(url: str, leaders: int) -> None:
    runtime = build_runtime(Settings(GOFIRST_DATABASE_URL=url))
    platform = InstantPlatform()
    runtime.services.platforms.register(platform)
    await upgrade(runtime.db)
    async with runtime.db.session() as session:
        await ensure_workspace(session, W)
        campaign = Campaign(workspace_id=W, name="bench", pack="going-first", state="active")
        session.add(campaign)
        await session.flush()
        campaign_id = campaign.id or 0
        pairs = []
        for n in range(leaders):
            leader = await ensure_person(session, W, f"lead{n}")
            team = Team(workspace_id=W, name=f"t{n}", leader_id=leader.id, channel_id=f"c{n}")
            session.add(team)
            await session.flush()
            for m in range(3):
                await add_member(session, team, await ensure_person(session, W, f"mem{n}-{m}"))
            pairs.append((leader.id or 0, n))
    values = {"try": "I'm trying to share my work in the open", "why": "so decisions move faster",
              "barrier": "time", "ask": "what gets in your way?"}
    for leader_id, n in pairs:
        nudge, _ = await send_now(runtime.services, campaign_id, leader_id)
        await runtime.engine.handle(events.FormSubmitted(W, f"lead{n}", "share", {**values, "channel": f"c{n}"},
                                                         f"nudge:{nudge.id}"))
        preview = platform.last_dm[f"lead{n}"]
        await runtime.engine.handle(events.ActionClicked(W, f"lead{n}", "share.post", preview.actions[0].value))
        thread = platform.last_post
        for m in range(3):
            await runtime.engine.handle(events.ChannelReplyPosted(W, f"c{n}", thread, f"r{n}-{m}", f"mem{n}-{m}",
                                                                  "no time, too many meetings"))
        await send_digest(runtime.services, int(preview.actions[0].value))
        digest = platform.last_dm[f"lead{n}"]
        await runtime.engine.handle(events.FormSubmitted(W, f"lead{n}", "answer", {"answer": "thanks"},
                                                         digest.actions[0].value))
    await runtime.db.dispose()


def run(quick: bool) -> str:
    """The coach's two calls over its labelled data, then the loop on SQLite, as `make bench` always did."""
    from benchmarks._common import ROOT, heading, table, timed
    from bot.coach import check_draft, classify_themes
    from bot.coach.evaluate import read_jsonl

    leaders, repeat = (5, 1) if quick else (50, 5)
    drafts = [row["text"] for row in read_jsonl(ROOT / "tests" / "data" / "directives.jsonl")]
    replies = [row["text"] for row in read_jsonl(ROOT / "tests" / "data" / "themes.jsonl")]
    rows = [("coach: check_draft", *timed(len(drafts) * repeat, lambda: [check_draft(d) for _ in range(repeat) for d in drafts])),
            ("coach: classify_themes", *timed(len(replies) * repeat,
                                              lambda: [classify_themes(r) for _ in range(repeat) for r in replies]))]
    with tempfile.TemporaryDirectory() as folder:
        runs = iter(range(2))
        rows.append((f"engine: full weekly loop on SQLite ({leaders} leaders, 9 events each)",
                     *timed(leaders, lambda: asyncio.run(run_loops(f"sqlite+aiosqlite:///{folder}/{next(runs)}.db", leaders)))))
    return heading("Coach and the weekly loop", NAME, quick) + "\n" + table(("benchmark", "throughput", "peak memory"), rows)
