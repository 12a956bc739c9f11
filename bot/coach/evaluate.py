"""Measure the coach against labelled data (tests/data/*.jsonl): precision, recall and F1 per split,
so the figures in docs/coach.md can be reproduced with `gofirst coach eval`."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.coach.directives import directive_findings
from bot.coach.themes import classify_themes

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "tests" / "data"


@dataclass(frozen=True)
class Score:
    """Counts and the derived figures for one task on one split."""

    task: str
    split: str
    n: int
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Rows of a JSON-lines file, skipping blank lines."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def score_directives(rows: list[dict[str, Any]], split: str, locale: str = "en") -> Score:
    """Binary directive detection, directive=true as the positive class."""
    tp = fp = fn = n = 0
    for row in rows:
        if split != "all" and row.get("split") != split:
            continue
        n += 1
        predicted, gold = bool(directive_findings(row["text"], locale)), bool(row["directive"])
        tp += predicted and gold
        fp += predicted and not gold
        fn += gold and not predicted
    return Score("directive", split, n, tp, fp, fn)


def score_themes(rows: list[dict[str, Any]], split: str, locale: str = "en") -> Score:
    """Multi-label themes, micro-averaged over every (reply, theme) pair."""
    tp = fp = fn = n = 0
    for row in rows:
        if split != "all" and row.get("split") != split:
            continue
        n += 1
        predicted, gold = set(classify_themes(row["text"], locale)), set(row["themes"])
        tp, fp, fn = tp + len(predicted & gold), fp + len(predicted - gold), fn + len(gold - predicted)
    return Score("themes", split, n, tp, fp, fn)


def evaluate(data_dir: Path = DEFAULT_DATA, locale: str = "en") -> list[Score]:
    """Scores for both tasks on the dev and test splits."""
    directives = read_jsonl(data_dir / "directives.jsonl")
    themes = read_jsonl(data_dir / "themes.jsonl")
    return [
        *(score_directives(directives, split, locale) for split in ("dev", "test")),
        *(score_themes(themes, split, locale) for split in ("dev", "test")),
    ]
