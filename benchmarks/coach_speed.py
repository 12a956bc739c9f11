"""`python -m benchmarks.coach_speed`: how long the coach takes to load and how many drafts it
checks a second, on this machine. The issue asks for a load under a second and >= 1,000 drafts
a second; docs/coach.md quotes the figures this prints. Load is measured in a fresh interpreter
so nothing is cached."""
from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
LOAD = ("import time; t = time.perf_counter(); from bot.coach import check_draft; "
        "check_draft('Everyone must post updates in the channel from Monday.'); "
        "print(time.perf_counter() - t)")


def load_seconds() -> float:
    """Import the coach and check one draft in a new Python process (lemminflect loads here)."""
    out = subprocess.run([sys.executable, "-c", LOAD], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parent.parent)
    return float(out.stdout.strip())


def throughput(texts: list[str], repeat: int, work: object) -> float:
    """Texts handled per second over `repeat` passes, after one warm-up pass."""
    for text in texts:
        work(text)  # type: ignore[operator]
    started = time.perf_counter()
    for _ in range(repeat):
        for text in texts:
            work(text)  # type: ignore[operator]
    return len(texts) * repeat / (time.perf_counter() - started)


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
    print(f"| coach: import + first check (median of 3 fresh processes) | {loads[1]:.2f} s |")
    for loc, texts in rows.items():
        detect = throughput(texts, args.repeat, lambda t, loc=loc: is_directive(t, loc))
        full = throughput(texts, args.repeat, lambda t, loc=loc: check_draft(t, loc))
        print(f"| coach {loc}: detector alone ({len(texts)} labelled drafts) | {detect:,.0f} drafts/s |")
        print(f"| coach {loc}: check_draft with safe rewrite ({len(texts)} drafts) | {full:,.0f} drafts/s |")
    print(f"| coach en: classify_themes ({len(replies)} replies) | "
          f"{throughput(replies, args.repeat, classify_themes):,.0f} replies/s |")


if __name__ == "__main__":
    main()
