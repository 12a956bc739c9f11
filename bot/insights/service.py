"""The entry points the CLI and the HR console call: load a workspace's facts once, audit them,
and hand back views. Each call audits everything, so whatever two screens show can be compared."""
from __future__ import annotations

from datetime import date, datetime, timezone

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.insights.tally import Group
from bot.insights.load import load_facts
from bot.insights.model import Thresholds
from bot.insights.trends import BarrierReport, barriers
from bot.insights.views import Insights


def today_utc() -> date:
    return datetime.now(timezone.utc).date()


async def load_insights(session: AsyncSession, workspace_id: str, thresholds: Thresholds,
                        today: date | None = None) -> Insights:
    """Every figure of the workspace, audited together; `today` decides which week is in progress."""
    return Insights.of(await load_facts(session, workspace_id, today or today_utc()), thresholds)


async def barrier_report(session: AsyncSession, workspace_id: str, min_group_size: int,
                         min_group_size_text: int | None = None, period: str = "all", group: Group | None = None,
                         today: date | None = None) -> BarrierReport:
    """Barrier themes of one group (the workspace unless given) and period (all time unless given).
    Themes need `min_group_size_text` people (when not given, `min_group_size`: pass the setting)."""
    text = max(min_group_size_text or min_group_size, min_group_size)
    insights = await load_insights(session, workspace_id, Thresholds(min_group_size, text), today)
    return barriers(insights, group, period)
