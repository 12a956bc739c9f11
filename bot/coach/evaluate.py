"""Measure the coach against labelled data: precision, recall and F1 per split and locale, and how
often each kind of draft is flagged, so the figures in docs/coach.md can be reproduced with
`gofirst coach eval`.

English data sits in tests/data/*.jsonl, other locales in tests/data/<locale>/*.jsonl. Rows have
a split: "dev" (rules were tuned on it) or "test" (held out: written before the rules were
changed, never used to change them).
"""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.coach.check import is_directive
from bot.coach.themes import classify_themes

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "tests" / "data"
SPLITS: tuple[str, ...] = ("dev", "test")


@dataclass(frozen=True)
class Score:
    """Counts and the derived figures for one task on one split."""

    task: str
    split: str
    n: int
    tp: int
    fp: int
    fn: int
    locale: str = "en"

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


@dataclass(frozen=True)
class KindScore:
    """How many drafts of one kind were flagged directive: recall for a directive kind, the
    false-positive rate for a modelling one."""

    kind: str
    split: str
    directive: bool
    n: int
    flagged: int
    locale: str = "en"

    @property
    def rate(self) -> float:
        return self.flagged / self.n if self.n else 0.0

    @property
    def correct(self) -> float:
        """Share of this kind the detector got right."""
        return self.rate if self.directive else 1.0 - self.rate


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Rows of a JSON-lines file, skipping blank lines."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def data_folder(data_dir: Path, locale: str) -> Path:
    """Where a locale's labelled data lives: the folder itself for English, else <folder>/<locale>."""
    return data_dir if locale == "en" else data_dir / locale


def locales(data_dir: Path = DEFAULT_DATA) -> list[str]:
    """Locales with labelled directive data, English first."""
    found = ["en"] if (data_dir / "directives.jsonl").is_file() else []
    return found + sorted(p.parent.name for p in data_dir.glob("*/directives.jsonl"))


def _in(split: str, row: dict[str, Any]) -> bool:
    return split == "all" or row.get("split") == split


def score_directives(rows: list[dict[str, Any]], split: str, locale: str = "en",
                     predict: Callable[[str, str], bool] = is_directive) -> Score:
    """Binary directive detection, directive=true as the positive class."""
    tp = fp = fn = n = 0
    for row in rows:
        if not _in(split, row):
            continue
        n += 1
        predicted, gold = predict(row["text"], locale), bool(row["directive"])
        tp += predicted and gold
        fp += predicted and not gold
        fn += gold and not predicted
    return Score("directive", split, n, tp, fp, fn, locale)


def score_kinds(rows: list[dict[str, Any]], split: str, locale: str = "en",
                predict: Callable[[str, str], bool] = is_directive) -> list[KindScore]:
    """Flag rate per labelled kind, directive kinds first, each group by name."""
    counts: dict[tuple[bool, str], list[int]] = {}
    for row in rows:
        if not _in(split, row):
            continue
        key = (bool(row["directive"]), str(row.get("kind", "unlabelled")))
        cell = counts.setdefault(key, [0, 0])
        cell[0] += 1
        cell[1] += predict(row["text"], locale)
    keys = sorted(counts, key=lambda k: (not k[0], k[1]))
    return [KindScore(kind, split, directive, counts[(directive, kind)][0], counts[(directive, kind)][1], locale)
            for directive, kind in keys]


def score_themes(rows: list[dict[str, Any]], split: str, locale: str = "en") -> Score:
    """Multi-label themes, micro-averaged over every (reply, theme) pair."""
    tp = fp = fn = n = 0
    for row in rows:
        if not _in(split, row):
            continue
        n += 1
        predicted, gold = set(classify_themes(row["text"], locale)), set(row["themes"])
        tp, fp, fn = tp + len(predicted & gold), fp + len(predicted - gold), fn + len(gold - predicted)
    return Score("themes", split, n, tp, fp, fn, locale)


def score_theme_labels(rows: list[dict[str, Any]], split: str, locale: str = "en") -> list[Score]:
    """One score per barrier theme (task "theme:<key>"), so a weak theme is visible behind the micro average."""
    counts: dict[str, list[int]] = {}
    for row in rows:
        if not _in(split, row):
            continue
        predicted, gold = set(classify_themes(row["text"], locale)), set(row["themes"])
        for theme in predicted | gold:
            cell = counts.setdefault(theme, [0, 0, 0, 0])
            cell[0] += theme in gold
            cell[1] += theme in predicted and theme in gold
            cell[2] += theme in predicted and theme not in gold
            cell[3] += theme in gold and theme not in predicted
    return [Score(f"theme:{t}", split, n, tp, fp, fn, locale) for t, (n, tp, fp, fn) in sorted(counts.items())]


def evaluate_theme_labels(data_dir: Path = DEFAULT_DATA, locale: str = "en", split: str = "test") -> list[Score]:
    """Per-theme scores of one locale on one split (n counts the replies labelled with the theme)."""
    path = data_folder(data_dir, locale) / "themes.jsonl"
    return score_theme_labels(read_jsonl(path), split, locale) if path.is_file() else []


def evaluate(data_dir: Path = DEFAULT_DATA, locale: str = "en") -> list[Score]:
    """Scores for both tasks on the dev and test splits of one locale."""
    folder = data_folder(data_dir, locale)
    directives = read_jsonl(folder / "directives.jsonl")
    themes_file = folder / "themes.jsonl"
    themes = read_jsonl(themes_file) if themes_file.is_file() else []
    out = [score_directives(directives, split, locale) for split in SPLITS]
    return out + [score_themes(themes, split, locale) for split in SPLITS if themes]


def evaluate_kinds(data_dir: Path = DEFAULT_DATA, locale: str = "en", split: str = "test") -> list[KindScore]:
    """Per-kind flag rates of one locale on one split (the held-out one by default)."""
    return score_kinds(read_jsonl(data_folder(data_dir, locale) / "directives.jsonl"), split, locale)


@dataclass(frozen=True)
class RewriteScore:
    """How the rewriter does on the directive drafts it detects: candidates it made, how many of
    those pass every safety check, and how many drafts end up with a suggestion."""

    split: str
    detected: int
    candidates: int
    passing: int
    locale: str = "en"
    kind: str = "all"

    @property
    def pass_rate(self) -> float:
        return self.passing / self.candidates if self.candidates else 0.0

    @property
    def offered_rate(self) -> float:
        return self.passing / self.detected if self.detected else 0.0


def score_rewrites(rows: list[dict[str, Any]], split: str, locale: str = "en", kind: str | None = None) -> RewriteScore:
    """Candidate rewrites (before the safety gate) of detected directive drafts, and how many pass;
    kind: only drafts of that labelled kind."""
    from bot.coach.rewrite import rewrite_text
    from bot.coach.safety import problems

    detected = candidates = passing = 0
    for row in rows:
        if not _in(split, row) or not row["directive"] or (kind and row.get("kind") != kind):
            continue
        if not is_directive(row["text"], locale):
            continue
        detected += 1
        candidate = rewrite_text(row["text"], locale)
        if not candidate or candidate == row["text"]:
            continue
        candidates += 1
        stable = lambda s: not is_directive(s, locale) and rewrite_text(s, locale) == s  # noqa: E731
        passing += not problems(row["text"], candidate, locale, stable=stable)
    return RewriteScore(split, detected, candidates, passing, locale, kind or "all")


def evaluate_rewrites(data_dir: Path = DEFAULT_DATA, locale: str = "en", split: str = "test") -> RewriteScore:
    """Rewrite figures of one locale on one split (the held-out one by default)."""
    return score_rewrites(read_jsonl(data_folder(data_dir, locale) / "directives.jsonl"), split, locale)


def evaluate_rewrite_kinds(data_dir: Path = DEFAULT_DATA, locale: str = "en", split: str = "test") -> list[RewriteScore]:
    """Rewrite figures per directive kind, so "no clean rewrite" for pressure reads apart from a gap."""
    rows = read_jsonl(data_folder(data_dir, locale) / "directives.jsonl")
    kinds = sorted({str(r.get("kind")) for r in rows if r["directive"] and _in(split, r) and r.get("kind")})
    return [score_rewrites(rows, split, locale, kind) for kind in kinds]
