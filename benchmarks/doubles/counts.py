"""What a double saw, as a benchmark reports it: calls per method, 429s, connections, and
deliveries per marker (a marker seen twice is a duplicate a person would notice)."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from aiohttp import web


@dataclass
class Counts:
    calls: Counter[str] = field(default_factory=Counter)
    throttled: Counter[str] = field(default_factory=Counter)
    markers: Counter[str] = field(default_factory=Counter)
    connections: int = 0
    first_delivery: float | None = None
    last_delivery: float | None = None

    def delivered(self, marker: str, at: float) -> None:
        self.markers[marker] += 1
        self.first_delivery = at if self.first_delivery is None else self.first_delivery
        self.last_delivery = at

    @property
    def deliveries(self) -> int:
        return sum(self.markers.values())

    @property
    def duplicates(self) -> int:
        return sum(n - 1 for n in self.markers.values() if n > 1)


async def serve(app: web.Application, counts: Counts) -> tuple[web.AppRunner, str]:
    """Starts `app` on 127.0.0.1 (a free port), counting each new TCP connection."""

    async def connected(request: web.Request) -> None:
        peer = request.transport.get_extra_info("peername") if request.transport else None
        if peer not in seen:  # a client port seen before is a kept-alive connection
            seen.add(peer)
            counts.connections += 1

    seen: set[object] = set()
    app.on_response_prepare.append(lambda request, _response: connected(request))
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    host, port = runner.addresses[0][:2]
    return runner, f"http://{host}:{port}/"
