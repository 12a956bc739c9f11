"""From a digest to HR's list of system barriers and back, through the engine on SQLite and
PostgreSQL: an IT, policy or system barrier a teammate named offers "Raise this with HR"; a click
puts the theme (never the teammate) on HR's list once per share and theme, audited; and when HR
acts on a theme the team named, the leader's next digest says so, once."""
from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bot.clock import FixedClock
from bot.core import events
from bot.core.messages import Message
from bot.delivery.digests import send_digest
from bot.demo import DEMO_CHANNEL, DEMO_WORKSPACE, DemoIds
from bot.runtime import Runtime
from storage.tables import AuditEntry, Share
from storage.tables.insights import BarrierAction
from storage.tables.raised import RaisedBarrier
from tests.engine.test_loop import share_and_post
from tests.support.recording import RecordingPlatform

W = DEMO_WORKSPACE
VPN = "IT blocks the wiki when I'm on VPN"


async def digest_after(runtime: Runtime, platform: RecordingPlatform, share: Share, thread: str,
                       replies: list[tuple[str, str]]) -> Message:
    for user, text in replies:
        await runtime.engine.handle(events.ChannelReplyPosted(W, DEMO_CHANNEL, thread, f"r-{user}-{text[:9]}", user,
                                                              text))
    assert await send_digest(runtime.services, share.id or 0)
    message = platform.last("dm").message
    assert message.kind == "digest"
    return message


def raise_buttons(digest: Message) -> list[tuple[str, str]]:
    return [(a.label, a.value) for a in digest.actions if a.action_id == "digest.raise"]


async def click(runtime: Runtime, platform: RecordingPlatform, user: str, value: str) -> str:
    await runtime.engine.handle(events.ActionClicked(W, user, "digest.raise", value))
    return platform.last("dm").message.text


async def test_an_it_barrier_is_raised_with_hr_once_without_the_teammate(
        runtime: Runtime, platform: RecordingPlatform, demo: DemoIds) -> None:
    share, thread = await share_and_post(runtime, platform, demo)
    digest = await digest_after(runtime, platform, share, thread, [("sam", VPN), ("priya", "too many meetings, no time")])
    assert raise_buttons(digest) == [("Raise “IT or tool access” with HR", f"{share.id}:it_access")]  # not time

    assert (await click(runtime, platform, "alex", f"{share.id}:it_access")).startswith("Raised with HR")
    assert "already on HR's list" in await click(runtime, platform, "alex", f"{share.id}:it_access")  # double click
    for user, value in (("alex", f"{share.id}:time"), ("alex", f"{share.id}:policy"), ("priya", f"{share.id}:it_access"),
                        ("alex", "nonsense"), ("alex", "999:it_access")):
        assert "can't be raised" in await click(runtime, platform, user, value)  # not raisable, not named, not theirs

    async with runtime.db.session() as session:
        [row] = (await session.exec(select(RaisedBarrier))).all()
        audits = (await session.exec(select(AuditEntry).where(AuditEntry.action == "barrier.raised"))).all()
    assert (row.theme, row.team_id, row.campaign_id, row.week) == ("it_access", demo.team_id, demo.campaign_id, share.week)
    assert set(row.model_dump()) == {"id", "workspace_id", "share_id", "team_id", "campaign_id", "week", "theme",
                                     "raised_at"}  # nobody's name, id or words
    assert [(a.actor, a.detail) for a in audits] == [("alex", {"share": share.id, "theme": "it_access"})]

    later = await digest_after(runtime, platform, share, thread, [("jordan", "the VPN blocks the wiki for me too")])
    assert raise_buttons(later) == []  # already on HR's list from this share


async def test_hr_acting_on_a_theme_the_team_named_is_one_line_in_the_next_digest_only(
        runtime: Runtime, platform: RecordingPlatform, demo: DemoIds, clock: FixedClock) -> None:
    share, thread = await share_and_post(runtime, platform, demo)
    await digest_after(runtime, platform, share, thread, [("sam", VPN)])
    today = clock.now().date()
    async with runtime.db.session() as session:
        for theme, title, taken_on in (("it_access", "IT unblocked the wiki on VPN", today),
                                       ("it_access", "Old licence fix", today - timedelta(days=30)),
                                       ("fear", "Managers trained on blameless reviews", today)):
            session.add(BarrierAction(workspace_id=W, theme=theme, title=title, owner="IT", taken_on=taken_on,
                                      recorded_by="hr"))
    clock.advance(timedelta(hours=1))

    next_digest = await digest_after(runtime, platform, share, thread, [("priya", "too many meetings, no time")])
    hr = [f.value for f in next_digest.facts if f.label == "From HR"]
    assert hr == [f"HR acted on a barrier your team named (IT or tool access): IT unblocked the wiki on VPN. "
                  f"IT, {today.isoformat()}."]  # not the fix from before they named it, not a theme they never named
    after = await digest_after(runtime, platform, share, thread, [("jordan", "no time either")])
    assert [f for f in after.facts if f.label == "From HR"] == []  # once per action and leader
