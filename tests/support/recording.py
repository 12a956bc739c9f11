"""A Platform that records what the engine sends, for engine tests that need no network.
The adapters' own tests go over real HTTP instead."""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from bot.core.messages import Form, HomeView, Message, Sent
from bot.core.port import DeliveryError, Profile


@dataclass
class Delivery:
    kind: str
    target: str
    message: Message | None = None
    form: Form | None = None
    home: HomeView | None = None
    thread_id: str | None = None
    sent: Sent | None = None


@dataclass
class RecordingPlatform:
    name: str = "local"
    deliveries: list[Delivery] = field(default_factory=list)
    fail_next: list[DeliveryError] = field(default_factory=list)
    profiles: dict[str, Profile] = field(default_factory=dict)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    def _maybe_fail(self) -> None:
        if self.fail_next:
            raise self.fail_next.pop(0)

    def _record(self, delivery: Delivery, channel: str) -> Sent:
        delivery.sent = Sent(channel, f"m{next(self._ids)}")
        self.deliveries.append(delivery)
        return delivery.sent

    async def send_dm(self, workspace_id: str, user_id: str, message: Message) -> Sent:
        self._maybe_fail()
        return self._record(Delivery("dm", user_id, message), f"dm:{user_id}")

    async def post(self, workspace_id: str, channel_id: str, message: Message, thread_id: str | None = None) -> Sent:
        self._maybe_fail()
        return self._record(Delivery("post", channel_id, message, thread_id=thread_id), channel_id)

    async def update(self, workspace_id: str, sent: Sent, message: Message) -> None:
        self._maybe_fail()
        self.deliveries.append(Delivery("update", sent.channel_id, message, sent=sent))

    async def open_form(self, workspace_id: str, user_id: str, form: Form, trigger: str | None = None) -> None:
        self._maybe_fail()
        self.deliveries.append(Delivery("form", user_id, form=form))

    async def publish_home(self, workspace_id: str, user_id: str, view: HomeView) -> None:
        self.deliveries.append(Delivery("home", user_id, home=view))

    async def fetch_profile(self, workspace_id: str, user_id: str) -> Profile | None:
        return self.profiles.get(user_id)

    def last(self, kind: str) -> Delivery:
        return [d for d in self.deliveries if d.kind == kind][-1]

    def of_kind(self, kind: str) -> list[Delivery]:
        return [d for d in self.deliveries if d.kind == kind]
