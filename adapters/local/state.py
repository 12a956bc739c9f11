"""What the playground's routes share: the runtime, the platform, the page's words, the demo's
people, and the locks that make a double-clicked form or reply count once."""
from __future__ import annotations

import asyncio
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from adapters.local import admin
from adapters.local.broadcast import Broadcaster
from adapters.local.platform import LocalPlatform
from adapters.local.requests import BadRequest, text_field
from bot.copy import Copy
from bot.demo import DemoIds
from bot.core import events
from bot.engine.engine import Outcome
from bot.runtime import Runtime
from storage.tables.playground import PlaygroundMessage

LOCKS_KEPT = 200


@dataclass
class Playground:
    """Everything the routes share; `ids` and `people` are filled in at start-up (after seeding)."""

    runtime: Runtime
    platform: LocalPlatform
    broadcaster: Broadcaster
    words: Copy
    ids: DemoIds | None = None
    people: list[dict[str, Any]] = field(default_factory=list)
    form_locks: dict[str, asyncio.Lock] = field(default_factory=dict)
    replies_made: OrderedDict[str, str] = field(default_factory=OrderedDict)  # request id → reply

    def form_lock(self, message_id: str) -> asyncio.Lock:
        """One submission of a form at a time: a double click waits, then finds it sent."""
        if len(self.form_locks) > LOCKS_KEPT:
            for key in [k for k, lock in self.form_locks.items() if not lock.locked()]:
                del self.form_locks[key]
        return self.form_locks.setdefault(message_id, asyncio.Lock())

    @property
    def workspace(self) -> str:
        assert self.ids is not None
        return self.ids.workspace_id

    def demo(self) -> DemoIds:
        assert self.ids is not None
        return self.ids

    def user(self, data: dict[str, Any]) -> str:
        user = text_field(data, "user", self.words, limit=120)
        if user not in {p["id"] for p in self.people}:
            raise BadRequest(self.words("errors.unknown_user", user=user))
        return user

    async def handle(self, event: events.Event) -> Outcome:
        outcome = await self.runtime.engine.handle(event)
        await self.platform.flush()
        await self.publish_admin()
        if outcome.error:
            raise BadRequest(self.words("errors.engine", reason=outcome.error), status=502)
        return outcome

    async def publish_admin(self) -> dict[str, Any]:
        """Pushes the admin pane's figures (campaign state, streak) after anything that may move them."""
        status = await admin.status(self.runtime.services, self.demo())
        self.broadcaster.publish({"type": "admin", "admin": status})
        return status


PLAYGROUND = web.AppKey("playground", Playground)


def pg_of(request: web.Request) -> Playground:
    return request.app[PLAYGROUND]


async def message_of(pg: Playground, data: dict[str, Any], key: str = "message_id") -> PlaygroundMessage:
    message_id = text_field(data, key, pg.words, limit=200)
    row = await pg.platform.message(message_id)
    if row is None or row.workspace_id != pg.workspace:
        raise BadRequest(pg.words("errors.unknown_message", message_id=message_id))
    return row

