"""Which edges a server mounts, from the settings, and every adapter's privacy hook. Adapters are
imported only when used."""
from __future__ import annotations

from aiohttp import web

from bot.config import Settings
from bot.privacy import PrivacyHooks
from bot.app.server import Mount
from bot.runtime import Runtime


def with_privacy_hooks(_app: web.Application, runtime: Runtime) -> None:
    """A person's own `export` and `erase` from a DM reach every adapter's records too."""
    runtime.services.privacy_hooks = list(privacy_hooks())


def mounts_for(settings: Settings, *, playground: bool, socket_mode: bool = False) -> list[Mount]:
    mounts: list[Mount] = [with_privacy_hooks]
    if playground:
        from adapters.local import mount as mount_playground

        mounts.append(mount_playground)
    if settings.slack_enabled or socket_mode:
        from adapters.slack import mount as mount_slack, mount_socket_mode

        mounts.append(mount_socket_mode if socket_mode else mount_slack)
    if settings.teams_enabled:
        from adapters.teams import mount as mount_teams

        mounts.append(mount_teams)
    from adapters.admin import console_mount  # the HR console at /admin, on every server

    mounts.append(console_mount(privacy_hooks()))
    if settings.scheduler_enabled:  # the campaign scheduler and delivery worker (GOFIRST_SCHEDULER=0 turns off)
        from bot.app.scheduling import mount as mount_scheduling

        mounts.append(mount_scheduling)
    return mounts


def privacy_hooks() -> PrivacyHooks:
    """Every adapter's hook, whatever this process mounts: an edge turned off since may still hold data."""
    from adapters.local.privacy import HOOK as playground
    from adapters.teams.privacy import HOOK as teams
    from bot.directory.privacy import HOOK as directory

    from bot.engine.privacy_commands import LOOP_HOOKS

    hooks = PrivacyHooks()
    for hook in (teams, playground, directory, *LOOP_HOOKS):
        hooks.register(hook)
    return hooks
