"""One server replica for the multi-process test: `python -m tests.scheduling.replica`.

It runs the real server with the scheduler and delivery worker mounted, and a test-only platform
that posts every DM to a counting HTTP server living in the test process (outside the replicas,
so a kill -9 can't erase the count). The platform is Traceable: it tags each DM with the nudge's
marker and can look it up again, as the Slack adapter does with message metadata."""
from __future__ import annotations

import os
from dataclasses import dataclass

import aiohttp
from aiohttp import web

from bot.config import load_settings
from bot.core.messages import Form, HomeView, Message, Sent
from bot.core.port import DeliveryError, Profile
from bot.runtime import build_runtime
from bot.app.scheduling import mount
from bot.app.server import build_app


@dataclass
class CountingPlatform:
    url: str
    name: str = "count"

    async def _post(self, path: str, body: dict[str, object]) -> dict[str, object]:
        timeout = aiohttp.ClientTimeout(total=None)  # the counter may hold a reply: a send in flight
        async with aiohttp.ClientSession(timeout=timeout) as http, http.post(
                f"{self.url}{path}", json=body, headers={"X-Replica": str(os.getpid())}) as response:
            if response.status >= 500:
                raise DeliveryError(f"counter answered {response.status}", permanent=False)
            return dict(await response.json())

    async def send_dm_marked(self, workspace_id: str, user_id: str, message: Message, marker: str) -> Sent:
        answer = await self._post("/send", {"user": user_id, "marker": marker, "text": message.text})
        return Sent(f"dm:{user_id}", str(answer["message_id"]))

    async def find_sent(self, workspace_id: str, user_id: str, marker: str) -> Sent | None:
        answer = await self._post("/find", {"marker": marker})
        return Sent(f"dm:{user_id}", str(answer["message_id"])) if answer.get("message_id") else None

    async def send_dm(self, workspace_id: str, user_id: str, message: Message) -> Sent:
        answer = await self._post("/send", {"user": user_id, "marker": None, "text": message.text})
        return Sent(f"dm:{user_id}", str(answer["message_id"]))

    async def post(self, workspace_id: str, channel_id: str, message: Message, thread_id: str | None = None) -> Sent:
        raise DeliveryError("not supported by the counting platform", permanent=True)

    async def update(self, workspace_id: str, sent: Sent, message: Message) -> None:
        return None

    async def open_form(self, workspace_id: str, user_id: str, form: Form, trigger: str | None = None) -> None:
        return None

    async def publish_home(self, workspace_id: str, user_id: str, view: HomeView) -> None:
        return None

    async def fetch_profile(self, workspace_id: str, user_id: str) -> Profile | None:
        return None


def main() -> None:
    settings = load_settings()
    runtime = build_runtime(settings)
    runtime.services.platforms.register(CountingPlatform(os.environ["COUNTER_URL"]))
    app = build_app(runtime, [mount])
    web.run_app(app, host=settings.host, port=settings.port, print=None, handle_signals=True)


if __name__ == "__main__":
    main()
