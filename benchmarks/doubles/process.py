"""Runs a double in its own process, so its CPU is not counted as GoFirst's and it never waits on
GoFirst's event loop (on the real platforms, neither happens). GET /_counts answers what it saw."""
from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
from multiprocessing.connection import Connection
from typing import Any

import aiohttp
from aiohttp import web

from benchmarks.doubles.counts import Counts
from benchmarks.doubles.slack import SlackLimitsDouble
from benchmarks.doubles.teams import TeamsLimitsDouble

Double = SlackLimitsDouble | TeamsLimitsDouble


def report(counts: Counts) -> dict[str, Any]:
    return {"calls": dict(counts.calls), "throttled": dict(counts.throttled), "connections": counts.connections,
            "first_delivery": counts.first_delivery, "last_delivery": counts.last_delivery,
            "deliveries": counts.deliveries, "duplicates": counts.duplicates, "distinct": len(counts.markers)}


def _serve(kind: str, scale: float, pipe: Connection) -> None:
    async def main() -> None:
        double: Double = SlackLimitsDouble(scale) if kind == "slack" else TeamsLimitsDouble(scale)
        stop = asyncio.Event()

        async def counts(_request: web.Request) -> web.Response:
            return web.json_response(report(double.counts))

        async def quit_(_request: web.Request) -> web.Response:
            stop.set()
            return web.json_response({"ok": True})

        await double.start()
        control = web.Application()
        control.router.add_get("/_counts", counts)
        control.router.add_post("/_quit", quit_)
        runner = web.AppRunner(control, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        pipe.send((double.url, f"http://127.0.0.1:{runner.addresses[0][1]}/"))
        await stop.wait()
        await runner.cleanup()
        await double.stop()

    asyncio.run(main())


class DoubleProcess:
    """`url` is the double's API base; `counts()` asks it what it has seen so far."""

    def __init__(self, kind: str, scale: float) -> None:
        ours, theirs = multiprocessing.get_context("spawn").Pipe()
        self.process = multiprocessing.get_context("spawn").Process(target=_serve, args=(kind, scale, theirs),
                                                                     daemon=True)
        self.process.start()
        self.url, self._control = ours.recv()

    async def counts(self) -> dict[str, Any]:
        async with aiohttp.ClientSession() as http, http.get(self._control + "_counts") as response:
            return dict(await response.json())

    async def stop(self) -> None:
        with contextlib.suppress(aiohttp.ClientError):
            async with aiohttp.ClientSession() as http, http.post(self._control + "_quit") as response:
                await response.read()
        self.process.join(timeout=10)
        if self.process.is_alive():
            self.process.terminate()
