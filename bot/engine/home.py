"""The leader's home: streak, recent shares, controls, and for admins the campaigns."""
from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core import compose
from bot.engine import effects
from bot.core.progress import load_streak
from bot.core.services import Services
from storage.repositories.shares import posted_shares
from storage.tables import Campaign, Person


async def publish_home(services: Services, session: AsyncSession, person: Person) -> None:
    assert person.id is not None
    streak = await load_streak(session, person, services.clock.now())
    recent = await posted_shares(session, person.id, limit=5)
    admin_lines: list[str] = []
    if person.is_admin:
        query = select(Campaign).where(Campaign.workspace_id == person.workspace_id).order_by(col(Campaign.name))
        admin_lines = [services.copy("home.campaign_line", name=c.name, state=c.state, pack=c.pack)
                       for c in (await session.exec(query)).all()]
    view = compose.home_view(services.copy, person, streak, recent, admin_lines)
    effects.publish_home(services, session, person, view)
