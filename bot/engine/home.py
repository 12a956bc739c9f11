"""The leader's home, seen by them alone: the weeks they went first and the effect it had (replies
per share, shares answered, over the last eight weeks, as a small chart with a text alternative),
recent shares, controls, and for admins the campaigns."""
from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.copy import Copy
from bot.core import compose
from bot.core.messages import Bar, Chart
from bot.core.progress import load_effect, load_streak
from bot.core.services import Services
from bot.core.streaks import WeekEffect
from bot.engine import effects
from storage.repositories.shares import posted_shares
from storage.tables import Campaign, Person


def effect_chart(copy: Copy, weeks: Sequence[WeekEffect]) -> tuple[Chart, list[str]]:
    """Bars: replies to each week's share, filled when the leader answered. The lines say the same in words."""
    def label(week: WeekEffect) -> str:
        return week.week.split("-")[1]

    bars = tuple(Bar(label(w), w.replies, marked=w.answered, note=copy(f"home.effect.states.{w.state}"))
                 for w in weeks)
    summary = copy("home.effect.summary", weeks=len(weeks), shared=sum(w.shared for w in weeks),
                   answered=sum(w.answered for w in weeks), replies=sum(w.replies for w in weeks))
    detail = "; ".join(copy("home.effect.week", week=label(w), replies=w.replies,
                            state=copy(f"home.effect.states.{w.state}")) for w in weeks)
    return Chart(copy("home.effect.title", weeks=len(weeks)), summary, bars), [summary, detail]


async def publish_home(services: Services, session: AsyncSession, person: Person) -> None:
    assert person.id is not None
    now, copy = services.clock.now(), services.words(person.locale)
    streak = await load_streak(session, person, now)
    recent = await posted_shares(session, person.id, limit=5)
    admin_lines: list[str] = []
    if person.is_admin:
        query = select(Campaign).where(Campaign.workspace_id == person.workspace_id).order_by(col(Campaign.name))
        admin_lines = [copy("home.campaign_line", name=c.name, state=c.state, pack=c.pack)
                       for c in (await session.exec(query)).all()]
    effect = effect_chart(copy, await load_effect(session, person, now))
    view = compose.home_view(copy, person, streak, recent, admin_lines, effect)
    effects.publish_home(services, session, person, view)
