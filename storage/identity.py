"""Workspace ids, the tenant key of every row: `<platform>:<native id>` (`slack:T123`,
`teams:<tenant guid>`, `local:demo`). Built and parsed here and nowhere else."""
from __future__ import annotations

from dataclasses import dataclass


class BadWorkspaceId(ValueError):
    pass


@dataclass(frozen=True)
class WorkspaceId:
    platform: str
    native: str

    @classmethod
    def parse(cls, workspace_id: str) -> "WorkspaceId":
        platform, sep, native = workspace_id.partition(":")
        if not (sep and platform and native):
            raise BadWorkspaceId(f"{workspace_id!r} is not a workspace id (expected platform:id, e.g. slack:T123)")
        return cls(platform, native)

    def __str__(self) -> str:
        return f"{self.platform}:{self.native}"


def workspace_id(platform: str, native: str) -> str:
    return str(WorkspaceId(platform, native))


def platform_of(workspace_id: str) -> str:
    """The platform part; an id without one names no platform (empty string), never a crash."""
    try:
        return WorkspaceId.parse(workspace_id).platform
    except BadWorkspaceId:
        return ""


def native_of(workspace_id: str, platform: str) -> str:
    """The platform's own id (a Slack team id, a Teams tenant id) of a workspace on that platform."""
    parsed = WorkspaceId.parse(workspace_id)
    if parsed.platform != platform:
        raise BadWorkspaceId(f"{workspace_id} is not a {platform} workspace")
    return parsed.native
