"""The coach in Teams, over real HTTP: activities POSTed to /api/messages of a live server, answers
caught by a Bot Connector double at the activity's serviceUrl."""
from __future__ import annotations

from tests.teams.conftest import LEADER, PERSONAL, Live, card_text


async def test_install_then_help_answers_in_the_personal_chat(live: Live) -> None:
    await live.install_personal(LEADER)
    home = live.connector.cards(PERSONAL["alex"])
    assert len(home) == 1 and "Alex Rivera" in card_text(home[0])

    response = await live.say(LEADER, "<at>GoFirst</at> help")
    assert response.status in (200, 201)
    _, card = live.last_card(LEADER)
    text = card_text(card)
    for command in ("share", "streak", "snooze", "optout", "optin", "status"):
        assert command in text
