"""A German Slack user, over real HTTP against the Slack double: users.info says `de-DE`, so GoFirst
answers, nudges, coaches and digests in German, until `language en` switches back."""
from __future__ import annotations

import json

from sqlmodel import select

from bot.coach import check_fields
from bot.delivery import send_now
from bot.delivery.digests import send_digest
from storage.repositories.people import add_member, find_person
from storage.tables import Campaign, Person, Share, Team
from tests.slack.conftest import SAM, WORKSPACE, Live, Seeded
from tests.slack.test_loop import button, reply, texts

GERDA, GERDA_DM, GERMAN_TEAM = "U0GERDA", "D0GERDA", "C0GERMAN"
ORDER = {"try": "Ab Montag müssen alle ihre Updates im Kanal posten.",
         "why": "Entscheidungen bleiben in meinem Postfach hängen.",
         "barrier": "ehrlich gesagt die Zeit", "ask": "Was macht es für euch schwer?"}


def last_dm(live: Live, user: str = GERDA) -> str:
    return texts(live.dms_to(user)[-1]["blocks"])


async def gerda_leads(live: Live) -> tuple[int, int]:
    """Gerda, met through Slack, leads a team with Sam in it and is in a campaign's audience."""
    async with live.runtime.db.session() as session:
        gerda = await find_person(session, WORKSPACE, GERDA)
        sam = await find_person(session, WORKSPACE, SAM)
        assert gerda is not None and sam is not None and gerda.id is not None
        team = Team(workspace_id=WORKSPACE, name="Vertrieb", leader_id=gerda.id, channel_id=GERMAN_TEAM,
                    channel_name="vertrieb")
        session.add(team)
        await session.flush()
        await add_member(session, team, sam)
        campaign = Campaign(workspace_id=WORKSPACE, name="Vorangehen", pack="going-first", state="active",
                            audience_kind="leaders", audience_ids=[GERDA])
        session.add(campaign)
        await session.flush()
        assert campaign.id is not None
        return gerda.id, campaign.id


async def test_a_german_slack_user_is_nudged_coached_and_digested_in_german(live: Live, seeded: Seeded) -> None:
    live.double.users[GERDA] = {"name": "Gerda Vogel", "tz": "Europe/Berlin", "locale": "de-DE"}
    await live.command(GERDA, "hilfe")
    await live.settle()
    assert "„hilfe“ kenne ich noch nicht. Das kannst du mir sagen:" in last_dm(live)
    assert live.double.of("users.info")[-1].args.get("include_locale") in ("true", True)

    await live.event({"type": "message", "channel": GERDA_DM, "channel_type": "im", "user": GERDA, "text": "share",
                      "ts": "1764000050.000001"})  # typed in the DM: no trigger for a modal, so a button
    await live.settle()
    assert last_dm(live).startswith("Tippe auf den Button, um deinen Beitrag zu schreiben")
    gerda_id, campaign_id = await gerda_leads(live)
    nudge, sent = await send_now(live.runtime.services, campaign_id, gerda_id)
    assert sent and "Zeit, voranzugehen" in last_dm(live)
    assert button(live.dms_to(GERDA)[-1]["blocks"], "nudge.share")["text"]["text"] == "Jetzt teilen"

    await live.click(GERDA, "nudge.share", str(nudge.id), GERDA_DM, nudge.platform_message_id)
    await live.settle()
    view = live.double.of("views.open")[-1].args["view"]
    assert view["title"]["text"] == "Geh voran" and view["close"]["text"] == "Abbrechen"  # Slack's own words too
    check_fields(ORDER, "de")  # the German coach loaded before Slack's 3 s ack window starts
    status, body = await live.submit(GERDA, view, {**ORDER, "channel": GERMAN_TEAM})
    assert status == 200 and "ein Vorbild-Post sagt, was du selbst versuchst" in body  # coached in the modal
    await live.settle()
    coached = json.loads(body)["view"]  # the same words again go on as they are
    await live.submit(GERDA, coached, {**ORDER, "channel": GERMAN_TEAM})
    await live.settle()
    preview = live.dms_to(GERDA)[-1]
    assert "Deinem Coach ist aufgefallen:" in texts(preview["blocks"])
    await live.click(GERDA, "share.post", button(preview["blocks"], "share.post")["value"], GERDA_DM, "1.1")
    await live.settle()
    assert "Gerda Vogel geht voran" in texts(live.double.posts_to(GERMAN_TEAM)[-1].args["blocks"])

    async with live.runtime.db.session() as session:
        share = (await session.exec(select(Share).where(Share.status == "posted"))).one()
    assert share.id is not None and share.platform_message_id
    await live.event({**reply("1764000100.000001", SAM, "Die IT sperrt die App", share.platform_message_id),
                      "channel": GERMAN_TEAM})
    await live.settle()
    assert await send_digest(live.runtime.services, share.id)
    digest = last_dm(live)
    assert "Dein Team hat geantwortet" in digest and "Die IT sperrt die App" in digest

    await live.command(GERDA, "language en")
    await live.settle()
    assert last_dm(live) == "Got it: from now on I speak English with you."
    async with live.runtime.db.session() as session:
        gerda = await session.get(Person, gerda_id)
    assert gerda is not None and (gerda.locale, gerda.locale_overridden) == ("en", True)
