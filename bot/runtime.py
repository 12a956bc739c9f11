"""Builds the objects one process shares: settings, database, platforms, engine."""
from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock, SystemClock
from bot.coach.packs import Pack, default_folder, load_packs
from bot.config import Settings
from bot.copy import load_copy
from bot.engine.engine import Engine
from bot.core.port import PlatformRegistry
from bot.core.services import Services
from storage.db import Database


@dataclass
class Runtime:
    settings: Settings
    services: Services
    engine: Engine

    @property
    def db(self) -> Database:
        return self.services.db


def build_runtime(settings: Settings, clock: Clock | None = None, db: Database | None = None) -> Runtime:
    services = Services(
        db=db or Database(settings.database_url),
        platforms=PlatformRegistry(),
        clock=clock or SystemClock(),
        copy=load_copy("en"),
        packs=load_packs(),
        translated_packs=translated_packs(),
        llm_url=settings.llm_url,
        llm_model=settings.llm_model,
        digest_delay_minutes=settings.digest_delay_minutes,
    )
    return Runtime(settings=settings, services=services, engine=Engine(services))


def translated_packs() -> dict[str, dict[str, Pack]]:
    """Each `prompts/packs/<locale>/` folder: the same packs and nudge ids, in that language."""
    return {folder.name: load_packs(folder) for folder in sorted(default_folder().iterdir())
            if folder.is_dir() and any(folder.glob("*.yaml"))}
