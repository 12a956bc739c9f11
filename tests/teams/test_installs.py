"""The engine's side of an install: who leads a team GoFirst was added to, the DM that says so (sent
only once it is committed), and the names people go by. Engine events on a recording platform,
plus one run over HTTP for the name a Teams install event doesn't carry."""
from __future__ import annotations

from sqlmodel import select

from bot.core.events import BotAddedToTeam, ProfileSeen
from bot.core.messages import Message, Sent
from bot.runtime import Runtime
from storage.db import Database
from storage.repositories.people import ensure_person, ensure_workspace, find_person, team_by_channel
from storage.tables import Person, Team
from tests.support.recording import RecordingPlatform
from tests.teams.conftest import LEADER, PERSONAL, Live, card_text

W = "local:t"


async def leader_of(db: Database, channel: str) -> str | None:
    async with db.session() as session:
        team = await team_by_channel(session, W, channel)
        person = await session.get(Person, team.leader_id) if team and team.leader_id else None
        return person.platform_user_id if person else None


async def test_whoever_adds_gofirst_to_a_new_team_leads_it_and_is_told(runtime: Runtime,
                                                                       platform: RecordingPlatform) -> None:
    outcome = await runtime.engine.handle(BotAddedToTeam(W, "C1", "alex", "Alex Rivera", "Product team"))
    assert outcome.error is None
    assert await leader_of(runtime.db, "C1") == "alex"
    assert platform.last("dm").target == "alex"
    assert "You added it, so you lead it" in (platform.last("dm").message or Message("")).text
    assert "#Product team" in (platform.last("dm").message or Message("")).text
    async with runtime.db.session() as session:
        alex = await find_person(session, W, "alex")
        assert alex is not None and alex.display_name == "Alex Rivera"


async def test_a_team_that_has_a_leader_keeps_them(runtime: Runtime, platform: RecordingPlatform) -> None:
    await runtime.engine.handle(BotAddedToTeam(W, "C1", "alex", "Alex Rivera", "Product team"))
    await runtime.engine.handle(BotAddedToTeam(W, "C1", "sam", "Sam Okafor", "Product team"))  # re-added by Sam
    assert await leader_of(runtime.db, "C1") == "alex"
    assert [d.target for d in platform.of_kind("dm")] == ["alex"], "Sam is not told he leads it"
    async with runtime.db.session() as session:
        assert len((await session.exec(select(Team))).all()) == 1


async def test_a_team_known_without_a_leader_gets_the_installer(runtime: Runtime, platform: RecordingPlatform) -> None:
    async with runtime.db.session() as session:  # e.g. named in a campaign before GoFirst was added
        await ensure_workspace(session, W)
        session.add(Team(workspace_id=W, name="C1", channel_id="C1"))
    await runtime.engine.handle(BotAddedToTeam(W, "C1", "alex", "Alex Rivera", "Product team"))
    assert await leader_of(runtime.db, "C1") == "alex"
    assert platform.last("dm").target == "alex"


async def test_the_leader_dm_goes_out_only_after_the_team_is_stored(runtime: Runtime,
                                                                    platform: RecordingPlatform) -> None:
    """Seen from another connection when the DM is sent: the team and its leader are already there,
    so a `share` sent in answer at once finds the channel."""
    seen_at_send: list[str | None] = []
    other = Database(runtime.db.url)
    record = platform.send_dm

    async def send_dm(workspace_id: str, user_id: str, message: Message) -> Sent:
        seen_at_send.append(await leader_of(other, "C1"))
        return await record(workspace_id, user_id, message)

    platform.send_dm = send_dm  # type: ignore[method-assign]
    try:
        await runtime.engine.handle(BotAddedToTeam(W, "C1", "alex", "Alex Rivera", "Product team"))
    finally:
        await other.dispose()
    assert seen_at_send == ["alex"]


async def test_a_seen_name_replaces_only_an_id_and_creates_nobody(runtime: Runtime,
                                                                  platform: RecordingPlatform) -> None:
    async with runtime.db.session() as session:
        await ensure_person(session, W, "alex")  # known by id only
        await ensure_person(session, W, "sam", "Sam O.")
    for user, name in (("alex", "Alex Rivera"), ("sam", "Sam Okafor"), ("kim", "Kim Park")):
        await runtime.engine.handle(ProfileSeen(W, user, name))
    async with runtime.db.session() as session:
        names = {p.platform_user_id: p.display_name for p in (await session.exec(select(Person))).all()}
    assert names == {"alex": "Alex Rivera", "sam": "Sam O."}


async def test_a_leader_added_by_a_nameless_install_event_gets_their_name_from_their_first_message(
        live: Live) -> None:
    await live.install_team({"id": LEADER["id"]})  # Teams' install events carry no names
    await live.say(LEADER, "hi")
    assert "GoFirst for Alex Rivera" in card_text(live.last_card(LEADER)[1])
