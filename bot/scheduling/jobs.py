"""The functions APScheduler jobs point at, as `module:function` strings, so a job store can hold
them: no lambdas, no bound methods. The running scheduler binds what they need at start."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from bot.engine.services import Services
from bot.scheduling.cap import Cap
from bot.scheduling.ticks import plan_campaign

if TYPE_CHECKING:
    from bot.scheduling.scheduler import CampaignScheduler

log = logging.getLogger(__name__)
TICK = "bot.scheduling.jobs:campaign_tick"
SYNC = "bot.scheduling.jobs:sync_campaigns"


@dataclass
class Bound:
    services: Services
    cap: Cap
    grace_hours: float
    horizon: timedelta
    scheduler: "CampaignScheduler | None" = None


_bound: Bound | None = None


def bind(bound: Bound | None) -> None:
    global _bound
    _bound = bound


async def campaign_tick(campaign_id: int) -> None:
    """One campaign's tick: plans this period's nudges for its whole audience."""
    if _bound is None:
        log.warning("campaign tick %s skipped: no scheduler bound in this process", campaign_id)
        return
    report = await plan_campaign(_bound.services, campaign_id, cap=_bound.cap, grace_hours=_bound.grace_hours,
                                 horizon=_bound.horizon)
    if report.planned:
        log.info("campaign %s: planned %s nudges", campaign_id, report.planned)


async def sync_campaigns() -> None:
    """Picks up campaigns activated, paused or ended by an admin in another process."""
    if _bound is not None and _bound.scheduler is not None:
        await _bound.scheduler.sync()
