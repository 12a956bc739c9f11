"""Which edges a server mounts, from the settings. Adapters are imported only when used."""
from __future__ import annotations

from bot.config import Settings
from bot.server import Mount


def mounts_for(settings: Settings, *, playground: bool) -> list[Mount]:
    mounts: list[Mount] = []
    if playground:
        from adapters.local import mount as mount_playground

        mounts.append(mount_playground)
    if settings.teams_enabled:
        from adapters.teams import mount as mount_teams

        mounts.append(mount_teams)
    return mounts
