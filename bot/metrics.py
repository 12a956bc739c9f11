"""Process-local counters exposed at /metrics in Prometheus' text format (no client library needed
for a handful of counters)."""
from __future__ import annotations

from collections import Counter
from threading import Lock


class Metrics:
    def __init__(self) -> None:
        self._counts: Counter[tuple[str, tuple[tuple[str, str], ...]]] = Counter()
        self._lock = Lock()

    def inc(self, name: str, amount: int = 1, **labels: str) -> None:
        with self._lock:
            self._counts[(name, tuple(sorted(labels.items())))] += amount

    def value(self, name: str, **labels: str) -> int:
        return self._counts[(name, tuple(sorted(labels.items())))]

    def render(self) -> str:
        lines: list[str] = []
        with self._lock:
            for name in sorted({name for name, _ in self._counts}):
                lines.append(f"# TYPE {name} counter")
                for (metric, labels), count in sorted(self._counts.items()):
                    if metric == name:
                        rendered = ",".join(f'{k}="{v}"' for k, v in labels)
                        lines.append(f"{name}{{{rendered}}} {count}" if rendered else f"{name} {count}")
        return "\n".join(lines) + "\n"
