"""What happens when Teams pushes back: throttling is retried, a removed bot or a departed person
is recorded and that person is not nudged again."""
from __future__ import annotations

from sqlmodel import select

from bot.delivery import deliver_nudge, send_now
from storage.tables import Nudge, Person
from storage.tables.teams import TeamsConversation
from tests.teams.conftest import LEADER, PERSONAL, Live, card_text, submit_data
from tests.teams.test_flow import campaign_for


async def test_throttling_and_gateway_errors_are_retried_honouring_retry_after(live: Live) -> None:
    await live.install_personal(LEADER)
    campaign_id, leader_id = await campaign_for(live, LEADER)
    live.connector.fail_next = [(429, {"Retry-After": "3"}), (502, {}), (412, {}), (504, {})][:3]
    nudge, sent = await send_now(live.runtime.services, campaign_id, leader_id)
    assert sent and nudge.state == "sent"
    attempts = [c for c in live.connector.sent(PERSONAL["alex"], "POST") if c.body.get("attachments")]
    assert len(attempts) == 5  # the install card, then three refusals and one success
    assert live.slept[0] >= 3.0, "Retry-After is a floor"
    assert all(0 < s < 3.0 for s in live.slept[1:]) and live.slept[1] != live.slept[2]


async def test_retries_give_up_as_a_transient_failure_that_can_be_sent_later(live: Live) -> None:
    await live.install_personal(LEADER)
    campaign_id, leader_id = await campaign_for(live, LEADER)
    live.connector.fail_next = [(429, {"Retry-After": "1"})] * 4
    nudge, sent = await send_now(live.runtime.services, campaign_id, leader_id)
    assert not sent and nudge.state not in ("sent", "failed") and "429" in (nudge.last_error or "")
    again = await deliver_nudge(live.runtime.services, nudge.id or 0)  # Teams is back: it goes out once
    assert again.state == "sent"


async def test_a_person_who_left_is_recorded_and_not_nudged_again(live: Live) -> None:
    await live.install_personal(LEADER)
    campaign_id, leader_id = await campaign_for(live, LEADER)
    live.connector.fail_next = [(403, {})]
    nudge, sent = await send_now(live.runtime.services, campaign_id, leader_id)
    assert not sent and nudge.state == "failed"
    async with live.runtime.db.session() as session:
        person = await session.get(Person, leader_id)
        conversation = (await session.exec(select(TeamsConversation).where(
            TeamsConversation.conversation_id == PERSONAL["alex"]))).one()
        assert person is not None and person.inactive_reason and "403" in person.inactive_reason
        assert conversation.gone_reason
        session.add(Nudge(workspace_id=nudge.workspace_id, campaign_id=campaign_id, leader_id=leader_id,
                          period="2026-W49", pack=nudge.pack, prompt_id=nudge.prompt_id))
    calls = len(live.connector.calls)
    async with live.runtime.db.session() as session:
        later = (await session.exec(select(Nudge).where(Nudge.period == "2026-W49"))).one()
    held = await deliver_nudge(live.runtime.services, later.id or 0)
    assert held.state == "held" and len(live.connector.calls) == calls

    await live.say(LEADER, "status")  # the person writes again: reachable again
    async with live.runtime.db.session() as session:
        conversation = (await session.exec(select(TeamsConversation).where(
            TeamsConversation.conversation_id == PERSONAL["alex"]))).one()
        assert conversation.gone_reason is None


async def test_a_refused_card_update_does_not_make_the_person_unreachable(live: Live) -> None:
    await live.install_personal(LEADER)
    campaign_id, leader_id = await campaign_for(live, LEADER)
    nudge, sent = await send_now(live.runtime.services, campaign_id, leader_id)
    nudge_id, card = live.last_card(LEADER)
    live.connector.fail_next = [(404, {})]  # the nudge message was deleted in Teams
    await live.submit(LEADER, nudge_id, submit_data(card, action_id="nudge.skip"))
    posts = len(live.connector.cards(PERSONAL["alex"]))
    await live.say(LEADER, "status")
    assert len(live.connector.cards(PERSONAL["alex"])) == posts + 1  # still reachable
    assert "Europe/London" in card_text(live.last_card(LEADER)[1])
    async with live.runtime.db.session() as session:
        person = await session.get(Person, leader_id)
        assert person is not None and person.inactive_reason is None


async def test_uninstalling_from_the_personal_chat_stops_nudges_without_calling_teams(live: Live) -> None:
    await live.install_personal(LEADER)
    campaign_id, leader_id = await campaign_for(live, LEADER)
    removed = live.activity("installationUpdate", LEADER, live.personal(LEADER), action="remove")
    assert (await live.post(removed)).status in (200, 201)
    calls = len(live.connector.calls)
    nudge, sent = await send_now(live.runtime.services, campaign_id, leader_id)
    assert not sent and nudge.state == "failed" and len(live.connector.calls) == calls
    async with live.runtime.db.session() as session:
        person = await session.get(Person, leader_id)
        assert person is not None and person.inactive_reason == "GoFirst was removed from this conversation"


async def test_only_one_layer_retries(live: Live) -> None:
    """msrest would retry a PUT on 502 itself (with its own sleeps); GoFirst switches that off so
    attempts, backoff and Retry-After are decided in one place."""
    await live.install_personal(LEADER)
    home_id, home = live.last_card(LEADER)
    live.connector.fail_next = [(502, {})] * 4
    await live.submit(LEADER, home_id, submit_data(home, action_id="home.snooze"))
    puts = live.connector.sent(PERSONAL["alex"], "PUT")
    assert len(puts) == 4 and len(live.slept) == 3
