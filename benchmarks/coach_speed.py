"""`python -m benchmarks.coach_speed`: how long the coach takes to load and how many drafts it
checks a second, on this machine. The issue asks for a load under a second and >= 1,000 drafts
a second; docs/coach.md quotes the figures this prints. Load is measured in a fresh interpreter
so nothing is cached. Each figure is given in wall-clock time and in CPU time of this process:
on a shared machine other work slows the first far more than the second."""
from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
LOAD = ("import time; t, c = time.perf_counter(), time.process_time(); from bot.coach import check_draft; "
        "check_draft('Everyone must post updates in the channel from Monday.'); "
        "print(time.perf_counter() - t, time.process_time() - c)")


def load_seconds() -> tuple[float, float]:
    """Import the coach and check one draft in a new Python process (lemminflect loads here):
    wall-clock and CPU seconds."""
    out = subprocess.run([sys.executable, "-c", LOAD], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parent.parent)
    wall, cpu = out.stdout.split()
    return float(wall), float(cpu)


def throughput(texts: list[str], repeat: int, work: object) -> str:
    """Texts handled per second over `repeat` passes, after one warm-up pass: wall (CPU)."""
    for text in texts:
        work(text)  # type: ignore[operator]
    started, cpu = time.perf_counter(), time.process_time()
    for _ in range(repeat):
        for text in texts:
            work(text)  # type: ignore[operator]
    n = len(texts) * repeat
    return f"{n / (time.perf_counter() - started):,.0f} ({n / (time.process_time() - cpu):,.0f} CPU)"


def main() -> None:
    from bot.coach import check_draft, classify_themes
    from bot.coach.check import is_directive
    from bot.coach.evaluate import read_jsonl

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3, help="passes over the labelled drafts")
    args = parser.parse_args()
    rows = {loc: [r["text"] for r in read_jsonl((DATA if loc == "en" else DATA / loc) / "directives.jsonl")]
            for loc in ("en", "de")}
    replies = [r["text"] for r in read_jsonl(DATA / "themes.jsonl")]
    loads = sorted(load_seconds() for _ in range(3))
    print(f"| coach: import + first check (median of 3 fresh processes) | {loads[1][0]:.2f} s ({loads[1][1]:.2f} s CPU) |")
    for loc, texts in rows.items():
        detect = throughput(texts, args.repeat, lambda t, loc=loc: is_directive(t, loc))
        full = throughput(texts, args.repeat, lambda t, loc=loc: check_draft(t, loc))
        print(f"| coach {loc}: detector alone ({len(texts)} labelled drafts) | {detect} drafts/s |")
        print(f"| coach {loc}: check_draft with safe rewrite ({len(texts)} drafts) | {full} drafts/s |")
    print(f"| coach en: classify_themes ({len(replies)} replies) | {throughput(replies, args.repeat, classify_themes)} replies/s |")


if __name__ == "__main__":
    main()
