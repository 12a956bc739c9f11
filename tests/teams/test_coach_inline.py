"""The coach on Teams' Adaptive Cards, over real HTTP against the Bot Connector double: a share or
an answer that reads as an order comes back as the same card, updated in place, with each finding
under its input; nothing is posted until the leader submits the same words again; a digest card's
"Raise this with HR" button puts the theme on HR's list."""
from __future__ import annotations

from typing import Any

from sqlmodel import select

from bot.delivery.digests import send_digest
from storage.tables import Share
from storage.tables.raised import RaisedBarrier
from tests.teams.conftest import CHANNEL, LEADER, MEMBER, PERSONAL, Live, card_of, card_text, submit_data
from tests.teams.test_flow import FILLED
from tests.teams.test_weekly_loop import posted

DIRECTIVE = {"try": "Everyone must post their updates in the channel from Monday", "why": "I need visibility",
             "barrier": "I never find the time", "ask": "Make sure you do it every Friday"}
ORDER = "You must make time for it, no exceptions"


def notes_under(card: dict[str, Any]) -> dict[str, str]:
    """The coach's lines (warning colour) after each input, by input id."""
    notes: dict[str, str] = {}
    current = None
    for item in card["body"]:
        if item["type"].startswith("Input."):
            current = item["id"]
        elif item.get("color") == "Warning" and current:
            notes[current] = notes.get(current, "") + item["text"]
    return notes


def updated_card(live: Live, card_id: str) -> dict[str, Any]:
    update = live.connector.sent(PERSONAL["alex"], "PUT")[-1]
    assert update.activity_id == card_id
    return card_of(update.body)


async def posted_share(live: Live) -> tuple[str, int]:
    root = await posted(live)
    async with live.runtime.db.session() as session:
        share = (await session.exec(select(Share))).one()
    return root, share.id or 0


async def digest_after(live: Live, root: str, share_id: int, text: str) -> tuple[str, dict[str, Any]]:
    await live.post(live.activity("message", MEMBER, live.channel(root=root), text=text, channelData=live.team_data))
    assert await send_digest(live.runtime.services, share_id)
    return live.last_card(LEADER)


async def test_a_directive_share_card_shows_the_findings_under_their_inputs_before_any_preview(live: Live) -> None:
    await live.install_personal(LEADER)
    await live.install_team(LEADER)
    await live.say(LEADER, "share")
    form_id, form = live.last_card(LEADER)
    cards_before = len(live.connector.cards(PERSONAL["alex"]))

    await live.submit(LEADER, form_id, {**submit_data(form), **DIRECTIVE, "channel": CHANNEL})
    coached = updated_card(live, form_id)
    notes = notes_under(coached)
    assert "“Everyone must”" in notes["try"] and "“Make sure”" in notes["ask"]
    assert "Preview as it is" in card_text(coached) and "reads like an order" in card_text(coached)
    assert len(live.connector.cards(PERSONAL["alex"])) == cards_before  # no preview card

    await live.submit(LEADER, form_id, {**submit_data(coached), **DIRECTIVE, "channel": CHANNEL})
    assert "actions" not in updated_card(live, form_id)  # accepted: read-only now
    _, preview = live.last_card(LEADER)
    assert "Everyone must post their updates" in card_text(preview)


async def test_a_directive_answer_card_is_held_until_the_leader_sends_it_as_it_is(live: Live) -> None:
    root, share_id = await posted_share(live)
    digest_id, digest = await digest_after(live, root, share_id, "too many meetings, no time")
    await live.submit(LEADER, digest_id, submit_data(digest, action_id="digest.answer"))
    answer_id, answer_form = live.last_card(LEADER)
    assert "Drop something yourself" in card_text(answer_form)
    thread = f"{CHANNEL};messageid={root}"

    await live.submit(LEADER, answer_id, {**submit_data(answer_form), "answer": ORDER})
    coached = updated_card(live, answer_id)
    assert "“You must”" in notes_under(coached)["answer"]
    assert live.connector.sent(thread, "POST") == []  # nothing in the thread
    await live.say(LEADER, "streak")
    assert "1 week" not in card_text(live.last_card(LEADER)[1])  # and no streak

    await live.submit(LEADER, answer_id, {**submit_data(coached), "answer": ORDER})
    assert ORDER in card_text(card_of(live.connector.sent(thread, "POST")[-1].body))
    await live.say(LEADER, "streak")
    assert "1 week" in card_text(live.last_card(LEADER)[1])


async def test_raise_with_hr_from_a_teams_digest_card(live: Live) -> None:
    root, share_id = await posted_share(live)
    digest_id, digest = await digest_after(live, root, share_id, "IT blocks the wiki when I'm on VPN")
    data = submit_data(digest, title="Raise “IT or tool access” with HR")
    await live.submit(LEADER, digest_id, data)
    await live.submit(LEADER, digest_id, data)
    assert "already on HR's list" in card_text(live.last_card(LEADER)[1])
    async with live.runtime.db.session() as session:
        assert [r.theme for r in (await session.exec(select(RaisedBarrier))).all()] == ["it_access"]
