"""The `Platform` port: what the engine needs from Slack, Teams or the playground, and nothing more."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.core.messages import Form, HomeView, Message, Sent
from storage.identity import platform_of


@dataclass(frozen=True)
class Profile:
    display_name: str
    tz: str | None = None
    locale: str | None = None  # as the platform spells it (`de-DE`); bot.copy normalizes it


class DeliveryError(Exception):
    """A send that failed. `permanent` ones are recorded and not retried; `scope` says what is gone:
    `person` (left, deactivated), `channel` (bot not in it, archived), `workspace` (uninstalled).
    `outcome_unknown`: the request left and no answer came back (a timeout, a reset), so the
    message may exist: it must be looked up by its marker, never blindly sent again."""

    def __init__(
        self,
        reason: str,
        *,
        permanent: bool,
        scope: str | None = None,
        retry_after: float | None = None,
        outcome_unknown: bool = False,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.scope = scope
        self.retry_after = retry_after
        self.outcome_unknown = outcome_unknown


class Platform(Protocol):
    name: str

    async def send_dm(self, workspace_id: str, user_id: str, message: Message) -> Sent: ...

    async def post(
        self, workspace_id: str, channel_id: str, message: Message, thread_id: str | None = None
    ) -> Sent: ...

    async def update(self, workspace_id: str, sent: Sent, message: Message) -> None: ...

    async def open_form(
        self, workspace_id: str, user_id: str, form: Form, trigger: str | None = None
    ) -> None: ...

    async def publish_home(self, workspace_id: str, user_id: str, view: HomeView) -> None: ...

    async def fetch_profile(self, workspace_id: str, user_id: str) -> Profile | None: ...


class UnknownPlatform(LookupError):
    pass


class PlatformRegistry:
    """Finds the adapter for a workspace from its id prefix (`slack:T1` → the `slack` platform)."""

    def __init__(self) -> None:
        self._platforms: dict[str, Platform] = {}

    def register(self, platform: Platform) -> None:
        self._platforms[platform.name] = platform

    def names(self) -> list[str]:
        return sorted(self._platforms)

    def for_workspace(self, workspace_id: str) -> Platform:
        name = platform_of(workspace_id)
        try:
            return self._platforms[name]
        except KeyError:
            raise UnknownPlatform(f"no adapter is running for {name!r} (workspace {workspace_id})") from None
