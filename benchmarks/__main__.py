"""`make bench`: speed and memory of the parts a person waits on. Prints a Markdown table row per
benchmark; paste it into docs/benchmarks.md when the figures move."""
from __future__ import annotations

import argparse
import asyncio
import platform
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from benchmarks import insights_reports
from benchmarks.engine_loop import run_loops
from bot.coach import check_draft, classify_themes
from bot.coach.evaluate import read_jsonl

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"


def timed(label: str, count: int, work: Callable[[], None]) -> tuple[str, str, str]:
    """Times one untraced run, then measures the peak allocation of a second, traced run
    (tracing slows Python down several times, so the two are kept apart)."""
    started = time.perf_counter()
    work()
    elapsed = time.perf_counter() - started
    tracemalloc.start()
    work()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return label, f"{count / elapsed:,.1f}/s ({elapsed * 1000 / count:.2f} ms each)", f"{peak / 1e6:.1f} MB"


def coach_rows(repeat: int) -> list[tuple[str, str, str]]:
    drafts = [row["text"] for row in read_jsonl(DATA / "directives.jsonl")]
    replies = [row["text"] for row in read_jsonl(DATA / "themes.jsonl")]
    return [
        timed("coach: check_draft", len(drafts) * repeat, lambda: [check_draft(d) for _ in range(repeat) for d in drafts]),
        timed("coach: classify_themes", len(replies) * repeat,
              lambda: [classify_themes(r) for _ in range(repeat) for r in replies]),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--loops", type=int, default=50, help="full coaching loops through the engine")
    parser.add_argument("--repeat", type=int, default=5, help="passes over the coach's labelled data")
    parser.add_argument("--insights", action="store_true", help="also HR reports at scale (minutes; SQLite and PostgreSQL)")
    args = parser.parse_args()
    rows = coach_rows(args.repeat)
    with tempfile.TemporaryDirectory() as folder:
        runs = iter(range(2))
        rows.append(timed(f"engine: full weekly loop on SQLite ({args.loops} leaders, 9 events each)", args.loops,
                          lambda: asyncio.run(run_loops(f"sqlite+aiosqlite:///{folder}/{next(runs)}.db",
                                                        args.loops))))
    print(f"Python {sys.version.split()[0]} on {platform.machine()}, {platform.system()}")
    print("| benchmark | throughput | peak memory |\n|---|---|---|")
    for label, speed, memory in rows:
        print(f"| {label} | {speed} | {memory} |")
    if args.insights:
        insights_reports.main()


if __name__ == "__main__":
    main()
