"""Rate-limit arithmetic the doubles enforce: token buckets (Slack's "about 1 a second, short
bursts allowed") and sliding windows (Teams' "7 in 1 s, 8 in 2 s, 60 in 30 s"). `scale` speeds
the platform's clock up, so a run that would take hours at the real limits takes minutes: every
window and Retry-After is divided by it, every allowed rate multiplied."""
from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

Now = Callable[[], float]


@dataclass
class Bucket:
    """`rate` tokens a (platform) second, at most `burst` saved up."""

    rate: float
    burst: float
    tokens: float = -1.0
    at: float = 0.0

    def take(self, now: float) -> float:
        """0 when a token was taken, else the platform seconds until one is there."""
        if self.tokens < 0:
            self.tokens, self.at = self.burst, now
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate


@dataclass
class Windows:
    """Sliding windows: ((seconds, count), ...), all of which must leave room for one more."""

    rules: tuple[tuple[float, int], ...]
    times: deque[float] = field(default_factory=deque)

    def take(self, now: float) -> float:
        longest = max(w for w, _ in self.rules)
        while self.times and self.times[0] <= now - longest:
            self.times.popleft()
        wait = 0.0
        for window, limit in self.rules:
            if len(self.times) >= limit:
                inside = [t for t in self.times if t > now - window]
                if len(inside) >= limit:
                    wait = max(wait, inside[-limit] + window - now)
        if wait == 0.0:
            self.times.append(now)
        return wait


class Limits:
    """Named limiters on one scaled clock; `check` takes from all of them or from none."""

    def __init__(self, scale: float = 1.0, now: Now = time.monotonic) -> None:
        self.scale, self._now = scale, now
        self._buckets: dict[tuple[str, str], Bucket] = {}
        self._windows: dict[tuple[str, str], Windows] = {}

    def now(self) -> float:
        return self._now() * self.scale

    def bucket(self, kind: str, key: str, rate: float, burst: float) -> Bucket:
        return self._buckets.setdefault((kind, key), Bucket(rate, burst))

    def windows(self, kind: str, key: str, rules: tuple[tuple[float, int], ...]) -> Windows:
        return self._windows.setdefault((kind, key), Windows(rules))

    def check(self, *limiters: Bucket | Windows) -> float | None:
        """None when the call may go (every limiter counted it), else Retry-After in real seconds.
        A refused call takes nothing: buckets are checked first and refunded if a later one refuses."""
        now, taken = self.now(), list[Bucket | Windows]()
        for limiter in limiters:
            wait = limiter.take(now)
            if wait > 0:
                for done in taken:
                    if isinstance(done, Bucket):
                        done.tokens += 1
                    else:
                        done.times.pop()
                return retry_after(wait / self.scale)
            taken.append(limiter)
        return None


def retry_after(seconds: float) -> float:
    """Rounded up to the millisecond (the real platforms round up to whole seconds; a scaled
    clock needs the fraction)."""
    return math.ceil(max(seconds, 0.001) * 1000) / 1000
