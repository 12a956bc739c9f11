"""A realistic organisation with history, for demos and benchmarks (`gofirst demo-data`): departments,
teams of 3 to 12, leaders in campaigns, weekly nudges, shares, replies naming barriers, leaders'
answers, a vacation now and then, and one HR action that makes a barrier fade. Deterministic: the
same seed and end date give the same rows. Rows go through the product's tables in bulk inserts,
so 1,000 leaders take seconds, not minutes."""
from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import cache
from typing import Any

from sqlalchemy import func, insert, select
from sqlmodel import SQLModel, col
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.coach import classify_themes
from bot.core.streaks import iso_week, week_start
from bot.insights import synthetic_words as words
from storage.repositories.people import ensure_workspace
from storage.tables import AuditEntry, Campaign, Membership, Nudge, Pause, Person, Reply, Share, Team
from storage.tables.insights import BarrierAction, TeamDepartment
from storage.tables.loop import PrivateNote, PrivateNoteSender

BATCH = 2000
PRIVATE = 4  # one share in four gets a barrier told privately, as a share of every kind of team would
Progress = Callable[[int], None]


class WorkspaceNotEmpty(ValueError):
    pass


@dataclass(frozen=True)
class Summary:
    workspace_id: str
    people: int
    teams: int
    campaigns: int
    nudges: int
    shares: int
    replies: int


@cache
def tags_for(text: str) -> list[str]:
    return classify_themes(text)


def _at(week: str, day: int, hour: float) -> datetime:
    return datetime.combine(week_start(week) + timedelta(days=day), time(0), tzinfo=timezone.utc) + timedelta(hours=hour)


async def _insert(session: AsyncSession, table: type[SQLModel], rows: list[dict[str, Any]],
                  ids: bool = False) -> list[int]:
    """Bulk insert, one executemany per batch. With `ids`, the new ids in the order given, read back
    as the workspace's ids above its largest before: the generator is the workspace's only writer,
    and a single writer's rows get increasing ids in insertion order. (INSERT .. RETURNING in order
    makes SQLAlchemy send SQLite one row per statement: 1,000,000 replies took a quarter of an hour.)"""
    if not rows:
        return []
    target: Any = table.__table__  # type: ignore[attr-defined]
    connection = await session.connection()
    ours = target.c.workspace_id == rows[0]["workspace_id"] if ids else None
    before = (await connection.execute(select(func.max(target.c.id)).where(ours))).scalar() if ours is not None else None
    for start in range(0, len(rows), BATCH):
        await connection.execute(insert(target), rows[start:start + BATCH])
    if ours is None:
        return []
    above = ours if before is None else ours & (target.c.id > before)
    found = [row[0] for row in (await connection.execute(select(target.c.id).where(above).order_by(target.c.id))).all()]
    assert len(found) == len(rows), f"{table.__name__}: {len(found)} new ids for {len(rows)} rows"
    return found


async def generate(session: AsyncSession, workspace_id: str, leaders: int, weeks: int, seed: int, until: date,
                   progress: Progress = lambda done: None) -> Summary:
    """Fills an empty workspace; `progress(n)` is told as each leader's history is written."""
    rng = random.Random(seed)
    await ensure_workspace(session, workspace_id, f"Synthetic organisation (seed {seed})")
    existing = (await (await session.connection()).execute(select(func.count()).select_from(Person).where(
        col(Person.workspace_id) == workspace_id))).scalar_one()
    if existing:
        raise WorkspaceNotEmpty(f"workspace {workspace_id!r} already has {existing} people")
    last = iso_week(until)
    week_list = [iso_week(week_start(last) - timedelta(weeks=n)) for n in reversed(range(weeks))]
    sizes = [rng.randint(3, 12) for _ in range(leaders)]
    people = [{"workspace_id": workspace_id, "platform_user_id": f"u{n:05d}",
               "display_name": f"{rng.choice(words.FIRST)} {rng.choice(words.LAST)}", "tz": rng.choice(words.ZONES),
               "created_at": _at(week_list[0], 0, 0)} for n in range(leaders + sum(sizes) + 1)]
    people[-1]["is_admin"] = True
    people[-1]["display_name"] = "Dana Brooks (HR)"
    person_ids = await _insert(session, Person, ids=True, rows=[{"is_admin": False, **p} for p in people])
    departments = [words.DEPARTMENTS[n % len(words.DEPARTMENTS)] + (f" {n // len(words.DEPARTMENTS) + 1}"
                   if n >= len(words.DEPARTMENTS) else "") for n in range(max(1, leaders // 8))]
    team_rows = [{"workspace_id": workspace_id, "name": f"{rng.choice(words.TEAM_WORDS)} {n + 1}",
                  "leader_id": person_ids[n], "channel_id": f"C{n:05d}", "channel_name": f"team-{n + 1}",
                  "created_at": _at(week_list[0], 0, 0)} for n in range(leaders)]
    team_ids = await _insert(session, Team, ids=True, rows=team_rows)
    await _insert(session, TeamDepartment, [{"team_id": t, "workspace_id": workspace_id,
                                             "department": rng.choice(departments)} for t in team_ids])
    members: list[list[int]] = []
    cursor = leaders
    for size in sizes:
        members.append(person_ids[cursor:cursor + size])
        cursor += size
    await _insert(session, Membership, [{"workspace_id": workspace_id, "team_id": team_ids[n], "person_id": p}
                                        for n, team in enumerate(members) for p in team])
    waves = max(1, min(3, leaders // 20 + 1))
    starts = [week_list[min(len(week_list) - 1, n * len(week_list) // (waves + 1))] for n in range(waves)]
    campaign_ids = await _insert(session, Campaign, ids=True, rows=[
        {"workspace_id": workspace_id, "name": f"Going first, wave {n + 1}", "pack": "going-first", "state": "active",
         "weekday": 1, "local_time": "10:00", "every_n_weeks": 1, "audience_kind": "leaders", "audience_ids": [],
         "start_date": week_start(start), "quiet_days": "", "reminder_after_days": 2,
         "created_at": _at(start, 0, 0), "updated_at": _at(start, 0, 0)} for n, start in enumerate(starts)])
    action_week = week_list[2 * len(week_list) // 3]
    await _insert(session, BarrierAction, [{"workspace_id": workspace_id, "theme": "it_access",
                                            "title": "IT unblocked the wiki on VPN", "owner": "IT",
                                            "taken_on": week_start(action_week), "recorded_by": "Dana Brooks (HR)",
                                            "created_at": _at(action_week, 0, 9)}])
    await _insert(session, AuditEntry, [{"workspace_id": workspace_id, "actor": "demo-data", "action": "demo.generate",
                                         "target": workspace_id, "detail": {"leaders": leaders, "weeks": weeks,
                                                                            "seed": seed, "until": until.isoformat()},
                                         "at": datetime.now(timezone.utc)}])
    counts = [0, 0, 0]
    for n in range(leaders):
        wave = n % waves
        history = _leader(rng, n, members[n], [w for w in week_list if w >= starts[wave]], action_week)
        written = await _write(session, workspace_id, person_ids[n], (team_ids[n], f"C{n:05d}"),
                               campaign_ids[wave], history)
        counts = [a + b for a, b in zip(counts, written)]
        progress(1)
    return Summary(workspace_id, len(people), leaders, waves, *counts)


@dataclass
class _Week:
    week: str
    state: str
    vacation: bool
    share: dict[str, Any] | None
    replies: list[tuple[int, str, float]]
    answers: list[float]


def _leader(rng: random.Random, n: int, team: list[int], weeks: list[str], action_week: str) -> list[_Week]:
    """One leader's weeks: sharing grows more likely as the campaign goes on, each team has its own
    habits and barriers, and IT access fades once the action lands."""
    eager, chatty, answering = rng.uniform(0.3, 0.9), rng.uniform(0.4, 0.95), rng.uniform(0.4, 0.95)
    favourite = rng.choice(list(words.REPLIES))
    vacation = rng.choice(weeks) if weeks and rng.random() < 0.3 else None
    found = []
    for step, week in enumerate(weeks):
        if week == vacation:
            found.append(_Week(week, "snoozed", True, None, [], []))
            continue
        if rng.random() > min(0.95, eager + 0.2 * step / max(1, len(weeks))):
            found.append(_Week(week, rng.choice(("sent", "skipped", "snoozed")), False, None, [], []))
            continue
        barrier = rng.choice(words.LEADER_BARRIERS)
        share = {"try_text": rng.choice(words.TRIES), "why_text": rng.choice(words.WHYS), "barrier_text": barrier,
                 "ask_text": rng.choice(words.ASKS), "barrier_themes": tags_for(barrier)}
        replies = []
        for member in team:
            if rng.random() < chatty:
                theme = favourite if rng.random() < 0.4 else rng.choice(list(words.REPLIES))
                if theme == "it_access" and week > action_week and rng.random() < 0.8:
                    theme = "other"
                replies.append((member, rng.choice(words.REPLIES[theme]), rng.uniform(2, 70)))
        answers = [rng.uniform(72, 100)] if replies and rng.random() < answering else []
        found.append(_Week(week, "shared", False, share, replies, answers))
    return found


async def _write(session: AsyncSession, workspace_id: str, leader: int, team_channel: tuple[int, str],
                 campaign: int, history: list[_Week]) -> tuple[int, int, int]:
    team, channel = team_channel
    nudge_ids = await _insert(session, Nudge, ids=True, rows=[
        {"workspace_id": workspace_id, "campaign_id": campaign, "leader_id": leader, "period": w.week,
         "pack": "going-first", "prompt_id": "gf-01", "state": w.state, "due_at": _at(w.week, 1, 10),
         "sent_at": _at(w.week, 1, 10), "attempts": 1, "created_at": _at(w.week, 0, 9)} for w in history])
    shared = [(w, nudge) for w, nudge in zip(history, nudge_ids) if w.share is not None]
    share_ids = await _insert(session, Share, ids=True, rows=[
        {"workspace_id": workspace_id, "leader_id": leader, "team_id": team, "nudge_id": nudge, "status": "posted",
         **(w.share or {}), "channel_id": channel, "platform_message_id": f"s{nudge}", "week": w.week,
         "posted_at": _at(w.week, 1, 11), "created_at": _at(w.week, 1, 10.5)} for w, nudge in shared])
    replies = []
    for (w, _), share in zip(shared, share_ids):
        for member, text, hours in w.replies:
            replies.append({"workspace_id": workspace_id, "share_id": share, "author_id": member, "is_leader": False,
                            "platform_message_id": f"r{share}-{member}", "text": text, "themes": tags_for(text),
                            "created_at": _at(w.week, 1, 11 + hours), "updated_at": _at(w.week, 1, 11 + hours)})
        replies += [{"workspace_id": workspace_id, "share_id": share, "author_id": leader, "is_leader": True,
                     "platform_message_id": f"a{share}", "text": words.ANSWERS[share % len(words.ANSWERS)],
                     "themes": [], "created_at": _at(w.week, 1, 11 + h), "updated_at": _at(w.week, 1, 11 + h)}
                    for h in w.answers]
    await _insert(session, Reply, replies)
    told = [(share, w) for (w, _), share in zip(shared, share_ids) if w.replies and share % PRIVATE == 0]
    notes = [(share, w, words.REPLIES["fear"][share % 2]) for share, w in told]
    await _insert(session, PrivateNote, [{"id": f"n{share:031d}", "workspace_id": workspace_id, "share_id": share,
                                          "text": text, "themes": tags_for(text), "told_on": week_start(w.week)}
                                         for share, w, text in notes])
    await _insert(session, PrivateNoteSender, [{"share_id": share, "person_id": w.replies[0][0]} for share, w in told])
    pauses = [w for w in history if w.vacation]
    await _insert(session, Pause, [{"workspace_id": workspace_id, "person_id": leader, "kind": "vacation",
                                    "starts_on": week_start(w.week), "ends_on": week_start(w.week) + timedelta(days=6),
                                    "created_at": _at(w.week, 0, 8)} for w in pauses])
    return len(nudge_ids), len(share_ids), sum(1 for r in replies if not r["is_leader"])
