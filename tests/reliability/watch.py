"""What an operator would see: every log record the server wrote while a case ran. A case is clean
when nothing was logged at ERROR or above and no record carries a traceback."""
from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

class Recorder(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def recording(level: int = logging.INFO) -> Iterator[Recorder]:
    """Every record from every logger (aiohttp's, bolt's, botbuilder's and ours) while inside."""
    recorder = Recorder()
    root = logging.getLogger()
    old = root.level
    root.addHandler(recorder)
    root.setLevel(min(old, level) if old else level)
    try:
        yield recorder
    finally:
        root.removeHandler(recorder)
        root.setLevel(old)


def noisy(records: list[logging.LogRecord]) -> list[str]:
    """Records no bad input should cause: ERROR or worse, or any traceback."""
    return [f"{r.levelname} {r.name}: {r.getMessage()[:200]}" for r in records
            if r.levelno >= logging.ERROR or r.exc_info]


@dataclass
class Tally:
    """How many cases went over HTTP, and which statuses came back."""

    cases: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    noisy: int = 0  # cases that logged an error or a traceback

    def check(self, status: int, records: list[logging.LogRecord], case: Any) -> None:
        self.cases += 1
        self.statuses[status] = self.statuses.get(status, 0) + 1
        self.noisy += bool(noisy(records))
        assert status < 500, f"{status} for {str(case)[:300]}"
        assert noisy(records) == [], f"{noisy(records)} for {str(case)[:300]}"

    def __str__(self) -> str:
        errors = sum(n for status, n in self.statuses.items() if status >= 500)
        return (f"{self.cases} cases, {errors} answered 5xx, {self.noisy} logged an error; "
                f"statuses {dict(sorted(self.statuses.items()))}")
