"""Outbound pacing and retries for Teams, kept here so the engine never learns Teams' limits.

Teams throttles a bot per conversation (7 messages a second, 8 in 2 s, 60 in 30 s, 1800 an hour)
and per tenant (30 requests a second); over the limit it answers 429, and 412/502/504 are worth a
second try too (msteams-docs, rate-limit.md). Time and sleep are injected so tests need no waiting.
"""
from __future__ import annotations

import random
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from bot.core.port import DeliveryError
from bot.metrics import rate_limited

T = TypeVar("T")
Now = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]

PER_CONVERSATION: tuple[tuple[float, int], ...] = ((1.0, 7), (2.0, 8), (30.0, 60), (3600.0, 1800))
PER_TENANT: tuple[tuple[float, int], ...] = ((1.0, 30),)
RETRYABLE = frozenset({412, 429, 502, 504})
MAX_RETRY_AFTER = 60.0


class SlidingLimiter:
    """Sliding windows per conversation and per tenant. `acquire` waits (via the injected sleep)
    until one more send fits every window, then counts it."""

    def __init__(self, now: Now, sleep: Sleep,
                 per_conversation: tuple[tuple[float, int], ...] = PER_CONVERSATION,
                 per_tenant: tuple[tuple[float, int], ...] = PER_TENANT) -> None:
        self.now, self.sleep = now, sleep
        self.rules = {"conversation": per_conversation, "tenant": per_tenant}
        self._sent: dict[tuple[str, str], deque[float]] = {}
        self.waited = 0.0
        self._calls = 0

    def _wait_for(self, kind: str, key: str, at: float) -> float:
        rules = self.rules[kind]
        times = self._sent.get((kind, key))
        if not times:
            return 0.0
        longest = max(window for window, _ in rules)
        while times and times[0] <= at - longest:
            times.popleft()
        wait = 0.0
        for window, limit in rules:
            inside = [t for t in times if t > at - window] if len(times) >= limit else []
            if len(inside) >= limit:
                wait = max(wait, inside[-limit] + window - at)
        return wait

    def delay(self, tenant: str, conversation: str) -> float:
        """Seconds until one more send to this conversation and tenant fits; 0 when it fits now."""
        at = self.now()
        return max(self._wait_for("tenant", tenant, at), self._wait_for("conversation", conversation, at))

    async def acquire(self, tenant: str, conversation: str) -> float:
        """Waits until a send fits, counts it, and returns how long it waited."""
        waited = 0.0
        while (delay := self.delay(tenant, conversation)) > 0:
            rate_limited("teams", "paced", delay)
            await self.sleep(delay)
            waited += delay
        at = self.now()
        self._sent.setdefault(("tenant", tenant), deque()).append(at)
        self._sent.setdefault(("conversation", conversation), deque()).append(at)
        self.waited += waited
        self._calls += 1
        if self._calls % 1000 == 0:
            self._forget_idle(at)
        return waited

    def _forget_idle(self, at: float) -> None:
        """Conversations quiet for longer than the longest window hold no state worth keeping."""
        for key in [k for k, times in self._sent.items()
                    if not times or times[-1] <= at - max(w for w, _ in self.rules[k[0]])]:
            del self._sent[key]

    def tracked(self) -> int:
        return len(self._sent)


@dataclass
class SendFailure(Exception):
    """One failed HTTP exchange with the Bot Connector, in plain terms."""

    status: int | None  # None: no answer at all (connection refused, timeout)
    detail: str = ""
    retry_after: float | None = None
    maybe_delivered: bool = False  # the request left and no answer came: the message may exist

    def __str__(self) -> str:
        return f"HTTP {self.status}: {self.detail}" if self.status else f"no answer: {self.detail}"


def backoff_delay(attempt: int, retry_after: float | None, rng: random.Random,
                  base: float = 0.5, cap: float = 20.0) -> float:
    """Exponential backoff with jitter; a Retry-After from Teams is a floor, never shortened."""
    exp = min(cap, base * (2 ** attempt))
    jittered = exp / 2 + rng.uniform(0, exp / 2)
    if retry_after is not None:
        return min(MAX_RETRY_AFTER, max(retry_after, 0.0)) + rng.uniform(0, base / 2)
    return jittered


def as_delivery_error(failure: SendFailure, scope_if_gone: str | None) -> DeliveryError:
    """403/404 on a send mean the bot was removed or the person left: permanent, for that person or
    channel. On an update (`scope_if_gone` None) they only mean that one message is gone."""
    status = failure.status
    if status in (403, 404):
        what = f"bot removed or {scope_if_gone} gone" if scope_if_gone else "message gone or not ours"
        return DeliveryError(f"Teams refused ({failure}): {what}", permanent=True, scope=scope_if_gone)
    if status is None or status in RETRYABLE or status >= 500 or status == 401:
        return DeliveryError(f"Teams unavailable ({failure})", permanent=False, retry_after=failure.retry_after)
    return DeliveryError(f"Teams rejected the message ({failure})", permanent=True)


async def with_retries(op: Callable[[], Awaitable[T]], *, sleep: Sleep, rng: random.Random,
                       attempts: int = 4, scope_if_gone: str | None = "person") -> T:
    """Runs `op`, retrying 429/412/502/504 and connections that never opened; a send that may have
    arrived is not repeated; other failures become a DeliveryError at once."""
    for attempt in range(attempts):
        try:
            return await op()
        except SendFailure as failure:
            if failure.maybe_delivered:  # at most once: never sent again blindly, flagged instead
                raise DeliveryError(f"Teams did not answer ({failure}); it may have arrived", permanent=False,
                                    outcome_unknown=True) from failure
            if failure.status == 429:  # counted with the Slack ones (gofirst_rate_limit_waits)
                rate_limited("teams", "throttled", failure.retry_after or 0.0)
            retryable = failure.status is None or failure.status in RETRYABLE
            if not retryable or attempt == attempts - 1:
                raise as_delivery_error(failure, scope_if_gone) from failure
            await sleep(backoff_delay(attempt, failure.retry_after, rng))
    raise AssertionError("unreachable")
