"""What HR sees: barrier themes across a workspace, counted by people, shown only above a minimum
group size so that no individual can be picked out. Fix the system, not the person."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.tables import Reply, Share
from storage.tables.loop import PrivateNote


@dataclass(frozen=True)
class ThemeCount:
    theme: str
    people: int


@dataclass(frozen=True)
class BarrierReport:
    people: int
    min_group_size: int
    themes: tuple[ThemeCount, ...]
    suppressed: int  # themes named by too few people to show

    @property
    def withheld(self) -> bool:
        """True when even the total is too small to show anything."""
        return self.people < self.min_group_size


def aggregate(named: dict[str, set[str]], min_group_size: int) -> BarrierReport:
    """Pure rule: `named` maps a theme to the set of people who named it."""
    people = set().union(*named.values()) if named else set()
    if len(people) < min_group_size:
        return BarrierReport(len(people), min_group_size, (), len(named))
    shown = sorted((ThemeCount(t, len(p)) for t, p in named.items() if len(p) >= min_group_size),
                   key=lambda c: (-c.people, c.theme))
    return BarrierReport(len(people), min_group_size, tuple(shown), len(named) - len(shown))


async def barrier_report(session: AsyncSession, workspace_id: str, min_group_size: int,
                         since: datetime | None = None) -> BarrierReport:
    """Themes from team replies, from barriers told privately and from leaders' own barriers; each
    person counts once per theme."""
    named: dict[str, set[str]] = defaultdict(set)
    replies = select(Reply).where(Reply.workspace_id == workspace_id, Reply.is_leader == False)  # noqa: E712
    shares = select(Share).where(Share.workspace_id == workspace_id, Share.status == "posted")
    if since is not None:
        replies = replies.where(Reply.created_at >= since)
        shares = shares.where(Share.created_at >= since)
    for reply in (await session.exec(replies)).all():
        for theme in reply.themes:
            named[theme].add(f"p{reply.author_id}")
    for share in (await session.exec(shares)).all():
        for theme in share.barrier_themes:
            named[theme].add(f"p{share.leader_id}")
    notes = select(PrivateNote).where(PrivateNote.workspace_id == workspace_id)
    if since is not None:
        notes = notes.where(PrivateNote.told_on >= since.date())
    for note in (await session.exec(notes)).all():  # told without a name: each note is its own voice
        for theme in note.themes:
            named[theme].add(f"n{note.id}")
    return aggregate(named, min_group_size)
