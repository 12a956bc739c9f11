"""All tables. Every module in this package is imported, so Alembic and the app see each table;
features add their tables as a module here without editing this file."""
from __future__ import annotations

import importlib
import pkgutil

from storage.tables.core import (
    AuditEntry,
    Campaign,
    Membership,
    Nudge,
    Pause,
    Person,
    Reply,
    Share,
    Team,
    Workspace,
)

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")

__all__ = [
    "AuditEntry",
    "Campaign",
    "Membership",
    "Nudge",
    "Pause",
    "Person",
    "Reply",
    "Share",
    "Team",
    "Workspace",
]
