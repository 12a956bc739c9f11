"""What a campaign job does, bound to one process's services.

The scheduler keeps its jobs in memory and points each at a method of this object (the model is
python-telegram-bot's JobQueue, whose jobs call into an object holding the application). Nothing
here is looked up through a module global, so two schedulers in one process never share state."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from bot.core.services import Services
from bot.scheduling.cap import Cap
from bot.scheduling.ticks import TickReport, plan_campaign

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CampaignTicks:
    services: Services
    cap: Cap = Cap()
    grace_hours: float = 6.0
    horizon: timedelta = timedelta(hours=48)

    async def tick(self, campaign_id: int) -> TickReport:
        """One campaign's tick: plans this period's nudges for its whole audience."""
        report = await plan_campaign(self.services, campaign_id, cap=self.cap, grace_hours=self.grace_hours,
                                     horizon=self.horizon)
        if report.planned:
            log.info("campaign %s: planned %s nudges", campaign_id, report.planned)
        return report
