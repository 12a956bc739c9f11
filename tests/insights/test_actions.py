"""Closing the loop: what a leader's digest may announce about HR's actions, and the records HR
keeps for insights (each audited)."""
from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from bot.insights import BadRecord, actions_to_announce, add_action, list_actions, set_department
from bot.insights.model import ActionFact
from storage.db import Database
from storage.repositories.people import ensure_workspace
from storage.tables import AuditEntry, Team
from storage.tables.insights import TeamDepartment

ACTIONS = [ActionFact(2, "it_access", "IT unblocked the wiki on VPN", "IT", date(2026, 11, 2), "dana"),
           ActionFact(1, "time", "No-meeting Fridays", "Leadership", date(2026, 10, 30), "dana"),
           ActionFact(3, "policy", "Drafts may be shared inside the company", "Legal", date(2026, 11, 9), "dana")]


def test_actions_in_the_window_are_announced_oldest_first_with_the_themes_label() -> None:
    found = actions_to_announce(ACTIONS, date(2026, 10, 30), date(2026, 11, 9))
    assert [(a.title, a.theme_label) for a in found] == [("No-meeting Fridays", "Time"),
                                                          ("IT unblocked the wiki on VPN", "IT or tool access")]


def test_only_actions_on_the_themes_a_leaders_team_named() -> None:
    found = actions_to_announce(ACTIONS, date(2026, 1, 1), date(2027, 1, 1), themes=["policy"])
    assert [a.owner for a in found] == ["Legal"]
    assert actions_to_announce(ACTIONS, date(2026, 1, 1), date(2027, 1, 1), themes=[]) == []


async def test_recording_an_action_and_a_department_is_audited(migrated_db: Database) -> None:
    async with migrated_db.session() as session:
        await ensure_workspace(session, "local:a")
        team = Team(workspace_id="local:a", name="Web", channel_id="c1")
        session.add(team)
        await session.flush()
        await add_action(session, "local:a", "it_access", "  IT unblocked the wiki  ", "IT", date(2026, 11, 2), "dana")
        await set_department(session, team, "Engineering", "dana")
        await set_department(session, team, "Platform", "dana")
    async with migrated_db.session() as session:
        [action] = await list_actions(session, "local:a")
        assert action.title == "IT unblocked the wiki"
        assert (await session.get(TeamDepartment, team.id or 0)).department == "Platform"  # type: ignore[union-attr]
        entries = (await session.exec(select(AuditEntry).where(AuditEntry.workspace_id == "local:a"))).all()
        assert [e.action for e in entries] == ["insights.action.add", "insights.department.set",
                                               "insights.department.set"]
        assert entries[2].detail == {"before": "Engineering", "after": "Platform"}
        with pytest.raises(BadRecord, match="owner must be 1 to 200 characters"):
            await add_action(session, "local:a", "time", "x", " ", date(2026, 11, 2), "dana")
