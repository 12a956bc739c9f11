"""Barriers told to a leader privately count in the themes HR sees, on SQLite and PostgreSQL,
though a note has no author: each stands for an anonymous teammate, the same stand-in for the n-th
note of every share of a team, so a team writing notes every week is never counted as more people
than wrote on one share, and the free-text minimum of ten still holds."""
from __future__ import annotations

import secrets

import pytest
from sqlmodel import select

from bot.insights import Insights, Thresholds, barriers, load_insights
from bot.insights.suppression import Key
from storage.db import Database
from storage.tables import Share
from storage.tables.loop import PrivateNote
from tests.insights.seed import TODAY, W, seed_pilot


async def with_notes(db: Database, weeks: dict[str, int], status: str = "posted") -> Insights:
    """`weeks[week]` private notes naming a policy barrier on each share of that week."""
    async with db.session() as session:
        shares = (await session.exec(select(Share).where(Share.workspace_id == W))).all()
        for share in shares:
            assert share.id is not None and share.week is not None
            share.status = status if share.week in weeks else share.status
            session.add(share)
            for _ in range(weeks.get(share.week, 0)):
                session.add(PrivateNote(id=secrets.token_hex(16), workspace_id=W, share_id=share.id,
                                        text="the approval rule stops me", themes=["policy"], told_on=TODAY))
    async with db.session() as session:
        return await load_insights(session, W, Thresholds(5, 10), TODAY)


@pytest.fixture
async def pilot(migrated_db: Database) -> Database:
    await seed_pilot(migrated_db)
    return migrated_db


async def test_private_notes_count_in_barrier_themes_once_per_stand_in(pilot: Database) -> None:
    insights = await with_notes(pilot, {"2026-W44": 2, "2026-W45": 2})
    week = Key("2026-W44", "workspace", W, "theme:policy")
    assert insights.figure(week) == 20  # ten teams, two notes each
    assert insights.figure(week._replace(period="all")) == 20  # the same two stand-ins per team, not 40
    assert "policy" in [c.theme for c in barriers(insights, None, "2026-W44").themes]
    everyone = insights.figure(Key("2026-W44", "workspace", W, "barrier_people"))
    assert everyone == 50 + 20  # the fifty teammates who replied naming time, and the twenty notes


async def test_a_teams_few_private_notes_stay_withheld(pilot: Database) -> None:
    insights = await with_notes(pilot, {"2026-W44": 2})
    assert insights.figure(Key("2026-W44", "team", "Équipe 1", "theme:policy")) is None  # two is fewer than ten
    assert insights.figure(Key("2026-W44", "department", "Eng", "theme:policy")) == 10


async def test_notes_on_a_share_that_was_never_posted_do_not_count(pilot: Database) -> None:
    insights = await with_notes(pilot, {"2026-W44": 2}, status="draft")
    assert insights.figure(Key("2026-W44", "workspace", W, "theme:policy")) is None


async def test_demo_data_tells_some_barriers_privately_and_they_count(migrated_db: Database) -> None:
    from datetime import date

    from sqlmodel import func

    from bot.insights.synthetic import generate
    from storage.tables.loop import PrivateNoteSender

    async with migrated_db.session() as session:
        await generate(session, "local:acme", 40, 8, 2, date(2026, 11, 30))
    async with migrated_db.session() as session:
        notes = (await session.exec(select(PrivateNote).where(PrivateNote.workspace_id == "local:acme"))).all()
        senders = (await session.exec(select(func.count()).select_from(PrivateNoteSender))).one()
        insights = await load_insights(session, "local:acme", Thresholds(5, 10), date(2026, 11, 30))
    assert len(notes) == senders > 10 and all(n.themes == ["fear"] for n in notes)
    fear = insights.figure(Key("all", "workspace", "local:acme", "theme:fear"))
    assert fear is not None and fear >= 10
