"""Microsoft's local Teams client, the M365 Agents Playground (npm), driven headless over its HTTP
and WebSocket API. It is installed into a cache folder outside the repository and run from a
temporary working directory (it writes ./devTools/ there)."""
from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import socket
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp

PACKAGE = "@microsoft/m365agentsplayground"
VERSION = "0.2.28"
CACHE_ROOT = Path(os.environ.get("GOFIRST_CACHE", Path.home() / ".cache" / "gofirst"))


def npm_package(package: str, version: str) -> Path | str:
    """The package's folder, installed once into a cache outside the repository (no lock file);
    a reason string when npm, node or the registry is not available here."""
    prefix = CACHE_ROOT / f"{package.replace('/', '_').lstrip('@')}-{version}"
    folder = prefix / "node_modules" / package
    if (folder / "package.json").exists():
        return folder
    npm, node = shutil.which("npm"), shutil.which("node")
    if not npm or not node:
        return f"npm and node are needed for {package} (apt-get install nodejs npm)"
    prefix.mkdir(parents=True, exist_ok=True)
    try:
        done = subprocess.run([npm, "install", "--prefix", str(prefix), "--no-save", "--no-package-lock",
                               "--no-audit", "--no-fund", f"{package}@{version}"],
                              capture_output=True, text=True, timeout=180, cwd=prefix)
    except subprocess.TimeoutExpired:
        return f"npm install {package}@{version} took over 180 s"
    if done.returncode != 0 or not (folder / "package.json").exists():
        return f"npm install {package}@{version} failed: {(done.stderr or done.stdout).strip()[-300:]}"
    return folder


def install() -> Path | str:
    """The playground's cli.js, or why it cannot run here."""
    folder = npm_package(PACKAGE, VERSION)
    return folder if isinstance(folder, str) else folder / "cli.js"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Playground:
    """One running playground process, its ids, and every message the bot showed in it."""

    def __init__(self, cli: Path, bot_url: str, workdir: Path) -> None:
        self.cli, self.bot_url, self.workdir = cli, bot_url, workdir
        self.process: asyncio.subprocess.Process | None = None
        self.url = ""
        self.config: dict[str, Any] = {}
        self.events: list[dict[str, Any]] = []
        self._changed = asyncio.Condition()
        self._reader: asyncio.Task[None] | None = None
        self.http: aiohttp.ClientSession | None = None

    async def start(self, timeout: float = 30) -> None:
        env = {**os.environ, "TEAMSAPPTESTER_BROWSER": "none"}
        self.process = await asyncio.create_subprocess_exec(
            "node", str(self.cli), "-e", self.bot_url, "-c", "msteams", "-p", str(free_port()),
            "--disable-telemetry", cwd=self.workdir, env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        assert self.process.stdout is not None
        port = None
        async with asyncio.timeout(timeout):
            while port is None:
                line = (await self.process.stdout.readline()).decode(errors="replace")
                if not line:
                    raise RuntimeError("the playground exited before listening")
                if match := re.search(r"Listening on (\d+)", line):
                    port = int(match.group(1))
        self.url = f"http://127.0.0.1:{port}"
        self.http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=20))
        async with self.http.get(f"{self.url}/_internal/v1/config") as response:
            self.config = (await response.json())["config"]
        ws = await self.http.ws_connect(f"{self.url}/_ws_conversation/v1/conversations/stream")
        self._reader = asyncio.create_task(self._read(ws))

    async def _read(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        async for message in ws:
            if message.type == aiohttp.WSMsgType.TEXT:
                async with self._changed:
                    self.events.append(json.loads(message.data))
                    self._changed.notify_all()

    async def stop(self) -> None:
        if self._reader:
            self._reader.cancel()
        if self.http:
            await self.http.close()
        if self.process and self.process.returncode is None:
            self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), 10)
            except asyncio.TimeoutError:
                self.process.kill()
                await self.process.wait()

    async def wait_for(self, predicate: Callable[[dict[str, Any]], bool], after: int = 0,
                       timeout: float = 15) -> dict[str, Any]:
        """The first bot event from index `after` on that matches; waits on the stream, bounded."""
        async with asyncio.timeout(timeout):
            async with self._changed:
                while True:
                    for event in self.events[after:]:
                        if predicate(event):
                            return event
                    await self._changed.wait()

    # --- what a person does in Teams ---------------------------------------------------------
    @property
    def me(self) -> str:
        return str(self.config["currentUser"]["id"])

    @property
    def personal_chat(self) -> str:
        return str(self.config["personalChat"]["id"])

    @property
    def team(self) -> str:
        return str(self.config["teams"][0]["id"])

    @property
    def bot(self) -> dict[str, str]:
        return dict(self.config["bot"])

    async def _post(self, path: str, body: dict[str, Any]) -> None:
        assert self.http is not None
        async with self.http.post(f"{self.url}{path}", json=body) as response:
            assert response.status == 200, f"{path}: {response.status} {await response.text()}"

    async def install(self, conversation: str) -> None:
        await self._post(f"/_debug/conversation/{conversation}/installation", {})

    async def say(self, conversation: str, text: str, sender: str | None = None, mention: bool = False) -> None:
        body: dict[str, Any] = {"from": {"id": sender or self.me}, "text": text, "textFormat": "plain"}
        if mention:
            tag = f"<at>{self.bot['name']}</at>"
            body["text"] = f"{tag} {text}"
            body["mentions"] = [{"mentioned": {"id": self.bot["id"]}, "text": tag}]
        await self._post(f"/_conversation/v1/conversations/{conversation}/messages", body)

    async def as_someone_else(self, conversation: str, sender: dict[str, str], text: str) -> None:
        """A message from another team member, with no @mention, as Teams delivers it to an app
        holding the RSC permission (the playground's own chat API always speaks as the current
        user and forwards channel messages only when they @mention the bot)."""
        assert self.http is not None
        base = conversation.split(";")[0]
        async with self.http.get(f"{self.url}/_internal/v1/customActivities/template",
                                 params={"conversationId": base}) as response:
            activity = await response.json()
        activity.update(type="message", text=text, textFormat="plain", from_=None)
        activity.pop("from_")
        activity["from"] = sender
        activity["conversation"] = {**activity["conversation"], "id": conversation}
        activity["channelData"] = {"tenant": {"id": self.config["tenantId"]}, "team": {"id": base},
                                   "channel": {"id": base}}
        await self._post("/_internal/v1/customActivities", activity)

    async def submit(self, conversation: str, card_id: str, value: dict[str, Any]) -> None:
        await self._post("/_conversation/v1/submit", {"conversation": {"id": conversation},
                                                      "from": {"id": self.me}, "replyToId": card_id,
                                                      "value": value})
