"""A hand-made organisation in a real database, with figures a person can check by hand.

Ten leaders run a campaign "Pilot" over eight weeks (2026-W40..W47), each leading a team of five
in Eng (teams 1-5) or Sales (teams 6-10). In the first four weeks only leaders 1-5 share; each
share gets one reply from every teammate naming IT access, and the leaders answer in W40-W41
only. In the latest four weeks all ten share; every teammate replies twice naming time, and every
leader answers."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from bot.core.streaks import week_start
from storage.db import Database
from storage.repositories.people import ensure_workspace
from storage.tables import Campaign, Membership, Nudge, Person, Reply, Share, Team
from storage.tables.insights import TeamDepartment

W = "local:pilot"
WEEKS = [f"2026-W{n}" for n in range(40, 48)]
TODAY = date(2026, 11, 19)  # Thursday of W47


def at(week: str, hours: float) -> datetime:
    return datetime.combine(week_start(week), datetime.min.time(), tzinfo=timezone.utc) + timedelta(hours=hours)


async def seed_pilot(db: Database) -> None:
    async with db.session() as session:
        await ensure_workspace(session, W, "Pilot org")
        campaign = Campaign(workspace_id=W, name="Pilot", pack="going-first", state="active",
                            start_date=week_start(WEEKS[0]))
        session.add(campaign)
        leaders, teams, members = [], [], []
        for n in range(1, 11):
            leader = Person(workspace_id=W, platform_user_id=f"lead{n}", display_name=f"Leader {n}")
            crew = [Person(workspace_id=W, platform_user_id=f"m{n}-{m}", display_name=f"Zoë {n}-{m}") for m in range(5)]
            session.add_all([leader, *crew])
            await session.flush()
            team = Team(workspace_id=W, name=f"Équipe {n}", leader_id=leader.id, channel_id=f"C{n}")
            session.add(team)
            await session.flush()
            assert team.id is not None
            session.add(TeamDepartment(team_id=team.id, workspace_id=W, department="Eng" if n <= 5 else "Sales"))
            session.add_all([Membership(workspace_id=W, team_id=team.id, person_id=p.id or 0) for p in crew])
            leaders.append(leader)
            teams.append(team)
            members.append(crew)
        await session.flush()
        for n, (leader, team, crew) in enumerate(zip(leaders, teams, members), start=1):
            for step, week in enumerate(WEEKS):
                nudge = Nudge(workspace_id=W, campaign_id=campaign.id or 0, leader_id=leader.id or 0, period=week,
                              pack="going-first", prompt_id="gf-01", state="sent", due_at=at(week, 33),
                              sent_at=at(week, 33))
                session.add(nudge)
                await session.flush()
                early = step < 4
                if early and n > 5:
                    continue
                share = Share(workspace_id=W, leader_id=leader.id or 0, team_id=team.id, nudge_id=nudge.id,
                              status="posted", week=week, posted_at=at(week, 34), channel_id=team.channel_id,
                              platform_message_id=f"s{n}-{week}", barrier_themes=[])
                session.add(share)
                await session.flush()
                for person in crew:
                    for k in range(1 if early else 2):
                        session.add(Reply(workspace_id=W, share_id=share.id or 0, author_id=person.id,
                                          platform_message_id=f"r{share.id}-{person.id}-{k}",
                                          themes=["it_access"] if early else ["time"], created_at=at(week, 36)))
                if not early or step < 2:
                    session.add(Reply(workspace_id=W, share_id=share.id or 0, author_id=leader.id, is_leader=True,
                                      platform_message_id=f"a{share.id}", created_at=at(week, 40)))
