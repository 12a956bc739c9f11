"""The directory capability on the Slack Web API (bot/directory/source.py): users.list, user groups
with usergroups.users.list, and a channel's members with conversations.members, paged by cursor."""
from __future__ import annotations

import re
from typing import Any

from adapters.slack.oauth import EncryptedInstallationStore, fernet_from_secret
from adapters.slack.platform import SlackPlatform
from bot.copy import load_copy
from bot.core.port import DeliveryError
from bot.directory.source import DirectoryGroupInfo, DirectoryPerson
from bot.runtime import Runtime

CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,}$")
PAGE, MAX_PAGES = 200, 100


class SlackDirectoryPlatform(SlackPlatform):
    """The Slack platform that can also list its people and groups."""

    async def list_people(self, workspace_id: str) -> list[DirectoryPerson]:
        return [person(m) for m in await self._pages(workspace_id, "users.list", "members")]

    async def list_user_groups(self, workspace_id: str) -> list[DirectoryGroupInfo]:
        data = await self.call(workspace_id, "usergroups.list", read=True)
        groups = []
        for group in data.get("usergroups") or []:
            users = await self.call(workspace_id, "usergroups.users.list", read=True, usergroup=group["id"])
            groups.append(DirectoryGroupInfo("usergroup", str(group["id"]), str(group.get("handle") or ""),
                                             str(group.get("name") or ""), tuple(users.get("users") or ())))
        return groups

    async def channel_members(self, workspace_id: str, channel: str) -> DirectoryGroupInfo:
        channel_id, name = await self._channel(workspace_id, channel.lstrip("#"))
        members = await self._pages(workspace_id, "conversations.members", "members", channel=channel_id)
        return DirectoryGroupInfo("channel", channel_id, name, name, tuple(str(m) for m in members))

    async def _channel(self, workspace_id: str, wanted: str) -> tuple[str, str]:
        """A channel's (id, name) from its id or its name."""
        for item in await self._pages(workspace_id, "conversations.list", "channels",
                                      types="public_channel,private_channel", exclude_archived="true"):
            if wanted in (item.get("id"), item.get("name")):
                return str(item["id"]), str(item.get("name") or item["id"])
        if CHANNEL_ID.match(wanted):
            return wanted, wanted
        raise DeliveryError("channel_not_found", permanent=True, scope="channel")

    async def _pages(self, workspace_id: str, method: str, key: str, **arguments: Any) -> list[Any]:
        items: list[Any] = []
        cursor = ""
        for _ in range(MAX_PAGES):
            page = {**arguments, "limit": PAGE, **({"cursor": cursor} if cursor else {})}
            data = await self.call(workspace_id, method, read=True, **page)
            items += data.get(key) or []
            cursor = str((data.get("response_metadata") or {}).get("next_cursor") or "")
            if not cursor:
                break
        return items


def person(member: dict[str, Any]) -> DirectoryPerson:
    profile = member.get("profile") or {}
    name = profile.get("display_name") or profile.get("real_name") or member.get("real_name") or member.get("name")
    return DirectoryPerson(user_id=str(member["id"]), name=str(name or member["id"]), email=profile.get("email") or None,
                           tz=member.get("tz") or None, active=not member.get("deleted"),
                           is_bot=bool(member.get("is_bot")) or member.get("id") == "USLACKBOT")


def platform_from_settings(runtime: Runtime) -> SlackDirectoryPlatform:
    """For the CLI, which runs no Slack edge: the bot token, or the OAuth installs' token store."""
    settings = runtime.settings
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    store = None
    if token is None:
        if not (settings.slack_client_id and settings.secret_key):
            raise RuntimeError("set SLACK_BOT_TOKEN, or SLACK_CLIENT_ID with GOFIRST_SECRET_KEY for OAuth installs")
        store = EncryptedInstallationStore(settings.slack_client_id, runtime.db.engine,
                                           fernet_from_secret(settings.secret_key.get_secret_value()))
    return SlackDirectoryPlatform(runtime.db, load_copy("en", "slack"), token=token, store=store,
                                  base_url=settings.slack_api_url)
