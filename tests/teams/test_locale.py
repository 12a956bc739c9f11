"""A German Teams user, over real HTTP: activities say `locale: de-DE`, so GoFirst's cards (help,
share form, coaching, nudge, preview, digest) are German, until `language en` switches back."""
from __future__ import annotations

from typing import Any

from sqlmodel import select

from bot.coach import check_fields
from bot.delivery import send_now
from bot.delivery.digests import send_digest
from storage.repositories.people import find_person
from storage.tables import Share
from tests.teams.conftest import CHANNEL, LEADER, MEMBER, WORKSPACE, Live, card_of, card_text, submit_data
from tests.teams.test_flow import campaign_for

ORDER = {"try": "Ab Montag müssen alle ihre Updates im Kanal posten.",
         "why": "Entscheidungen bleiben in meinem Postfach hängen.",
         "barrier": "ehrlich gesagt die Zeit", "ask": "Was macht es für euch schwer?"}


async def say(live: Live, text: str, locale: str = "de-DE") -> None:
    await live.post(live.activity("message", LEADER, live.personal(LEADER), text=text, textFormat="plain",
                                  locale=locale))


async def submit(live: Live, reply_to: str, value: dict[str, Any]) -> None:
    await live.post(live.activity("message", LEADER, live.personal(LEADER), replyToId=reply_to, value=value,
                                  locale="de-DE"))


async def test_a_german_teams_user_gets_german_cards_from_help_to_digest(live: Live) -> None:
    await live.install_personal(LEADER)
    await live.install_team(LEADER)
    await say(live, "hilfe")
    _, help_card = live.last_card(LEADER)
    assert "„hilfe“ kenne ich noch nicht" in card_text(help_card)

    campaign_id, leader_id = await campaign_for(live, LEADER)
    _, sent = await send_now(live.runtime.services, campaign_id, leader_id)
    _, nudge_card = live.last_card(LEADER)
    assert sent and "Zeit, voranzugehen" in card_text(nudge_card)
    assert {a["title"] for a in nudge_card["actions"]} >= {"Jetzt teilen", "Eine Woche pausieren"}

    await say(live, "share")
    form_id, form = live.last_card(LEADER)
    assert "Geh voran" in card_text(form)
    assert "Bitte füll „Meine eigene Hürde“ aus." in str(form)  # Teams' own words on the form too
    check_fields(ORDER, "de")  # the German coach loaded before the turn that needs it
    await submit(live, form_id, {**submit_data(form), **ORDER, "channel": CHANNEL})
    coached = [c for c in live.connector.sent(method="PUT") if c.activity_id == form_id][-1]
    assert "ein Vorbild-Post sagt, was du selbst versuchst" in str(coached.body)
    await submit(live, form_id, {**submit_data(form), **ORDER, "channel": CHANNEL,
                                 **{k: v for k, v in submit_data(card_of(coached.body)).items()
                                    if k.startswith("gofirst_")}})
    accepted = [c for c in live.connector.sent(method="PUT") if c.activity_id == form_id][-1]
    assert "Gesendet. Deine Vorschau kommt in der nächsten Nachricht" in card_text(card_of(accepted.body))
    preview_id, preview = live.last_card(LEADER)
    assert "Deinem Coach ist aufgefallen:" in card_text(preview)
    await submit(live, preview_id, submit_data(preview, action_id="share.post"))
    post = [c for c in live.connector.sent(CHANNEL, "POST") if c.body.get("attachments")][-1]
    assert "Alex Rivera geht voran" in card_text(card_of(post.body))

    await live.post(live.activity("message", MEMBER, live.channel(root=post.activity_id),
                                  text="Die IT sperrt die App", channelData=live.team_data, locale="de-DE"))
    async with live.runtime.db.session() as session:
        share = (await session.exec(select(Share).where(Share.status == "posted"))).one()
    assert share.id is not None and await send_digest(live.runtime.services, share.id)
    _, digest = live.last_card(LEADER)
    assert "Dein Team hat geantwortet" in card_text(digest) and "Die IT sperrt die App" in card_text(digest)

    await say(live, "language en")
    await say(live, "status")  # Teams still says de-DE: the choice holds
    _, status = live.last_card(LEADER)
    assert "Your GoFirst status" in card_text(status)
    async with live.runtime.db.session() as session:
        alex = await find_person(session, WORKSPACE, LEADER["id"])
    assert alex is not None and (alex.locale, alex.locale_overridden) == ("en", True)
