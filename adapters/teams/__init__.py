"""Microsoft Teams: botbuilder's CloudAdapter at POST /api/messages, Adaptive Cards, proactive nudges.
Every botbuilder import stays inside this package, so a later move to the Agents SDK touches one folder."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aiohttp import web

    from bot.runtime import Runtime


def mount(app: "web.Application", runtime: "Runtime") -> None:
    from adapters.teams.app import mount as mount_teams

    mount_teams(app, runtime)
