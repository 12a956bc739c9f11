"""The optional capability a platform offers to list its people and groups. Kept apart from the
`Platform` port: an adapter without a directory still sends, and the console says why it can't sync."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from bot.core.port import UnknownPlatform
from bot.core.services import Services


@dataclass(frozen=True)
class DirectoryPerson:
    user_id: str
    name: str
    email: str | None = None
    tz: str | None = None
    active: bool = True
    is_bot: bool = False


@dataclass(frozen=True)
class DirectoryGroupInfo:
    """A user group or a channel with its members' platform ids."""

    kind: str  # usergroup | channel
    external_id: str
    handle: str
    name: str
    members: tuple[str, ...]


@runtime_checkable
class DirectorySource(Protocol):
    async def list_people(self, workspace_id: str) -> list[DirectoryPerson]: ...

    async def list_user_groups(self, workspace_id: str) -> list[DirectoryGroupInfo]: ...

    async def channel_members(self, workspace_id: str, channel: str) -> DirectoryGroupInfo:
        """`channel` is an id or a name (with or without #)."""
        ...


class NoDirectory(LookupError):
    """The workspace's platform isn't running here, or can't list its people."""


def source_for(services: Services, workspace_id: str) -> DirectorySource:
    try:
        platform = services.platform(workspace_id)
    except UnknownPlatform as exc:
        raise NoDirectory(f"{exc}; the directory syncs from a running Slack edge (set SLACK_BOT_TOKEN)") from None
    if not isinstance(platform, DirectorySource):
        raise NoDirectory(f"the {platform.name} platform has no directory to sync; import a CSV instead")
    return platform
