"""The fan-out benchmark's doubles hold GoFirst to the platforms' limits: past a limit they answer
429 with a Retry-After, they count a nudge delivered twice as a duplicate, and Slack's keeps what
was posted so crash recovery can find a marker."""
from __future__ import annotations

import aiohttp

from adapters.slack.platform import SlackPlatform
from benchmarks.doubles.limits import Limits
from benchmarks.doubles.slack import PER_WORKSPACE, SlackLimitsDouble, token_for
from benchmarks.doubles.teams import TeamsLimitsDouble
from bot.copy import load_copy
from bot.core.messages import Message
from bot.runtime import Runtime


class Frozen:
    """A clock that does not move: nothing refills while a test runs."""

    def __call__(self) -> float:
        return 100.0


async def test_slack_double_refuses_past_the_workspace_burst_and_counts_duplicates() -> None:
    double = SlackLimitsDouble()
    double.limits = Limits(now=Frozen())
    await double.start()
    try:
        async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {token_for('T1')}"}) as http:
            statuses, retry = [], ""
            for n in range(int(PER_WORKSPACE[1]) + 1):
                body = {"channel": f"U{n}", "text": "hi",
                        "metadata": {"event_type": "gofirst_nudge", "event_payload": {"marker": f"m{n % 5}"}}}
                async with http.post(double.url + "chat.postMessage", json=body) as response:
                    statuses.append(response.status)
                    retry = response.headers.get("Retry-After", "")
        assert statuses[:-1] == [200] * int(PER_WORKSPACE[1]) and statuses[-1] == 429
        assert float(retry) > 0
        assert double.counts.throttled["chat.postMessage"] == 1
        assert double.counts.duplicates == int(PER_WORKSPACE[1]) - 5  # five markers, each sent again and again
    finally:
        await double.stop()


async def test_teams_double_allows_seven_a_second_per_conversation() -> None:
    double = TeamsLimitsDouble()
    double.limits = Limits(now=Frozen())
    await double.start()
    try:
        url = double.service_url("tenant-1") + "v3/conversations/a:1chat/activities"
        async with aiohttp.ClientSession() as http:
            statuses = []
            for _ in range(8):
                async with http.post(url, json={"type": "message", "text": "hi"}) as response:
                    statuses.append(response.status)
            async with http.post(double.service_url("tenant-1") + "v3/conversations/a:1other/activities",
                                 json={"type": "message", "text": "hi"}) as response:
                other = response.status
        assert statuses == [201] * 7 + [429]
        assert other == 201  # another conversation of the tenant still has room
    finally:
        await double.stop()


async def test_slack_double_keeps_a_dm_so_recovery_finds_its_marker(runtime: Runtime) -> None:
    double = await SlackLimitsDouble().start()
    platform = SlackPlatform(runtime.db, load_copy("en", "slack"), token=token_for("T1"), base_url=double.url)
    try:
        await platform.send_dm_marked("slack:T1", "U1", Message(text="hi"), "gofirst-nudge-7")
        found = await platform.find_sent("slack:T1", "U1", "gofirst-nudge-7")
        assert found is not None and found.channel_id == "D1"  # a crash after this send resends nothing
        assert await platform.find_sent("slack:T1", "U1", "gofirst-nudge-8") is None
    finally:
        await platform.http.close()
        await double.stop()
