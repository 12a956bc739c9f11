"""Pacing under Teams' limits and the retry policy, on an injected clock: no test sleeps."""
from __future__ import annotations

import random

import pytest

from adapters.teams.limits import SendFailure, SlidingLimiter, backoff_delay, with_retries
from bot.core.port import DeliveryError
from bot.metrics import RATE_LIMIT_WAITS


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def sends_in(times: list[float], start: float, window: float) -> int:
    return sum(1 for t in times if start <= t < start + window)


async def test_one_conversation_never_exceeds_teams_limits() -> None:
    clock = FakeTime()
    limiter = SlidingLimiter(clock, clock.sleep)
    times = []
    for _ in range(130):
        await limiter.acquire("tenant", "chat-1")
        times.append(clock.now)
    for t in times:
        assert sends_in(times, t, 1.0) <= 7
        assert sends_in(times, t, 2.0) <= 8
        assert sends_in(times, t, 30.0) <= 60
    assert times[6] == 1000.0 and times[7] > 1000.0  # the first seven go at once
    # 130 messages need at least two 30-second windows beyond the first
    assert times[-1] - times[0] >= 60


async def test_a_tenant_is_held_to_thirty_a_second_across_conversations() -> None:
    clock = FakeTime()
    limiter = SlidingLimiter(clock, clock.sleep)
    times = []
    for n in range(95):
        await limiter.acquire("tenant", f"chat-{n}")  # every one a different person
        times.append(clock.now)
    assert all(sends_in(times, t, 1.0) <= 30 for t in times)
    assert times[29] == 1000.0 and times[30] >= 1001.0
    other = SlidingLimiter(clock, clock.sleep)
    waited = await other.acquire("another-tenant", "chat-0")
    assert waited == 0.0


async def test_retry_after_is_honoured_and_backoff_grows_with_jitter() -> None:
    rng = random.Random(7)
    assert backoff_delay(0, 12.0, rng) >= 12.0
    assert backoff_delay(0, 600.0, rng) <= 61.0  # a silly Retry-After is capped
    delays = [backoff_delay(n, None, rng) for n in range(6)]
    assert delays[0] < 0.5 <= delays[2] and delays[5] <= 20.0
    assert len({round(backoff_delay(3, None, rng), 6) for _ in range(5)}) == 5  # jittered


@pytest.mark.parametrize("status", [429, 412, 502, 504])
async def test_throttling_and_gateway_errors_are_retried(status: int) -> None:
    clock, calls = FakeTime(), []

    async def flaky() -> str:
        calls.append(clock.now)
        if len(calls) < 3:
            raise SendFailure(status, "busy", retry_after=2.0 if status == 429 else None)
        return "sent"

    assert await with_retries(flaky, sleep=clock.sleep, rng=random.Random(1)) == "sent"
    assert len(calls) == 3 and (status != 429 or min(clock.slept) >= 2.0)


@pytest.mark.parametrize("status,scope", [(403, "person"), (404, "person")])
async def test_removed_or_gone_is_permanent_and_not_retried(status: int, scope: str) -> None:
    clock, calls = FakeTime(), []

    async def refused() -> None:
        calls.append(1)
        raise SendFailure(status, "BotNotInConversationRoster")

    with pytest.raises(DeliveryError) as raised:
        await with_retries(refused, sleep=clock.sleep, rng=random.Random(1))
    assert raised.value.permanent and raised.value.scope == scope and calls == [1] and clock.slept == []


async def test_a_bad_request_is_permanent_without_a_scope_and_an_outage_is_transient() -> None:
    clock = FakeTime()

    async def bad() -> None:
        raise SendFailure(400, "card too large")

    async def down() -> None:
        raise SendFailure(None, "connection refused")

    with pytest.raises(DeliveryError) as raised:
        await with_retries(bad, sleep=clock.sleep, rng=random.Random(1))
    assert raised.value.permanent and raised.value.scope is None
    with pytest.raises(DeliveryError) as raised:
        await with_retries(down, sleep=clock.sleep, rng=random.Random(1), attempts=3)
    assert not raised.value.permanent and len(clock.slept) == 2


async def test_quiet_conversations_are_forgotten() -> None:
    clock = FakeTime()
    limiter = SlidingLimiter(clock, clock.sleep)
    for n in range(999):
        await limiter.acquire("tenant", f"chat-{n}")
    assert limiter.tracked() == 1000
    clock.now += 3601
    await limiter.acquire("tenant", "chat-new")  # the 1000th send tidies up
    assert limiter.tracked() == 2


async def test_a_429_from_teams_is_counted_as_throttled() -> None:
    """/metrics shows Teams' 429s beside Slack's, not only the waits the pacer chose."""
    clock, calls = FakeTime(), []
    counted = RATE_LIMIT_WAITS.labels(platform="teams", why="throttled")
    before = counted._value.get()

    async def throttled_once() -> str:
        calls.append(clock.now)
        if len(calls) < 2:
            raise SendFailure(429, "busy", retry_after=1.0)
        return "sent"

    assert await with_retries(throttled_once, sleep=clock.sleep, rng=random.Random(1)) == "sent"
    assert counted._value.get() == before + 1
