"""What every engine flow needs, passed in explicitly (handlers hold no globals)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.clock import Clock
from bot.copy import Copy
from bot.engine.port import Platform, PlatformRegistry
from bot.metrics import Metrics
from storage.db import Database

if TYPE_CHECKING:
    from bot.coach.packs import Pack
    from bot.delivery.posts import PostOutcome
    from storage.tables import Person


@dataclass
class Services:
    db: Database
    platforms: PlatformRegistry
    clock: Clock
    copy: Copy
    packs: dict[str, "Pack"]
    metrics: Metrics = field(default_factory=Metrics)
    llm_url: str | None = None
    llm_model: str | None = None
    post_outcomes: dict[str, "PostOutcome"] = field(default_factory=dict)  # filled by the engine

    def platform(self, workspace_id: str) -> Platform:
        return self.platforms.for_workspace(workspace_id)


def zone_of(person: "Person") -> ZoneInfo:
    """The person's zone; an unknown zone name falls back to UTC rather than failing a flow."""
    try:
        return ZoneInfo(person.tz)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")
