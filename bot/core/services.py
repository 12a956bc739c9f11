"""What every engine flow needs, passed in explicitly (handlers hold no globals)."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.clock import Clock
from bot.copy import DEFAULT_LOCALE, Copy, load_copy
from bot.core.port import DeliveryError, Platform, PlatformRegistry
from bot.metrics import Metrics
from storage.db import Database

if TYPE_CHECKING:
    from sqlmodel.ext.asyncio.session import AsyncSession

    from bot.coach.packs import Pack
    from bot.core.messages import Sent
    from storage.tables.outbox import OutboxPost
    from storage.tables import Person


class PostOutcome(Protocol):
    """What a kind of outbox post means once its fate is known (the engine implements one per
    kind; the delivery package calls it inside the transaction that records the answer)."""

    async def sent(self, services: "Services", session: "AsyncSession", post: "OutboxPost", where: "Sent") -> None: ...

    async def failed(self, services: "Services", session: "AsyncSession", post: "OutboxPost",
                     error: DeliveryError) -> None: ...

    async def unknown(self, services: "Services", session: "AsyncSession", post: "OutboxPost") -> None: ...


@dataclass
class Services:
    db: Database
    platforms: PlatformRegistry
    clock: Clock
    copy: Copy
    packs: dict[str, "Pack"]
    translated_packs: dict[str, dict[str, "Pack"]] = field(default_factory=dict)  # locale → pack id → pack
    metrics: Metrics = field(default_factory=Metrics)
    llm_url: str | None = None
    llm_model: str | None = None
    post_outcomes: dict[str, "PostOutcome"] = field(default_factory=dict)  # filled by the engine
    digest_delay_minutes: float = 240.0
    # every adapter's privacy hooks (bot.privacy.PrivacyHook), set by the wiring, so a person's own
    # `export` and `erase` reach the adapters' records too; the core can't name the type
    privacy_hooks: list[Any] = field(default_factory=list)

    def words(self, locale: str | None) -> Copy:
        """The engine's copy in a person's language (`person.locale`); None or unknown is English."""
        return load_copy(locale or DEFAULT_LOCALE)

    def speaking(self, locale: str | None) -> "Services":
        """The same services with `copy` in one person's language: a flow for that person passes it
        on, so every sentence and coach call below it (`services.copy.locale`) is theirs."""
        words = self.words(locale)
        return self if words is self.copy else replace(self, copy=words)

    def platform(self, workspace_id: str) -> Platform:
        return self.platforms.for_workspace(workspace_id)


def zone_of(person: "Person") -> ZoneInfo:
    """The person's zone; an unknown zone name falls back to UTC rather than failing a flow."""
    try:
        return ZoneInfo(person.tz)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")
