"""`gofirst coach check|themes|eval`: the coach from the command line, for authors and operators.

With no TEXT, check and themes read one text per line from stdin, so a file of drafts can be
piped through; --json prints one JSON object per line for scripts.
"""
from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import typer

from bot.coach import check_draft, classify_themes, theme_label
from bot.coach.evaluate import (DEFAULT_DATA, Score, data_folder, evaluate, evaluate_kinds, evaluate_rewrite_kinds,
                                evaluate_rewrites, evaluate_theme_labels, locales)

coach_app = typer.Typer(
    help="The coach: spot directive drafts, suggest a modelling version, tag barrier themes.",
    no_args_is_help=True,
)

TEXT_HELP = "The text to look at. Leave it out to read one text per line from stdin."
JSON_HELP = "Print one JSON object per line instead of readable text."
LOCALE_HELP = "Language of the rules and copy (prompts/coach/<locale>); unknown ones fall back to en."


def _texts(text: str | None) -> Iterator[str]:
    """The one text given, or every non-blank line of stdin."""
    if text is not None:
        yield text
        return
    for line in sys.stdin:
        if line.strip():
            yield line.rstrip("\n")


def _print_check(text: str, as_json: bool, locale: str) -> None:
    """One draft's verdict, as JSON or as readable lines."""
    result = check_draft(text, locale)
    if as_json:
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False))
        return
    typer.echo(f"{'DIRECTIVE' if result.directive else 'modelling'}: {text}")
    for f in result.findings:
        where = f'{f.start}-{f.end} "{f.text}"' if f.text else "whole draft"
        field = f" [{f.field}]" if f.field else ""
        typer.echo(f"  - {f.kind}{field} at {where}: {f.why}")
    if result.suggestion is None:
        typer.echo("  suggestion: none (no clean rewrite)")
    elif result.suggestion != text.strip():
        typer.echo(f"  suggestion: {result.suggestion}")


@coach_app.command("check")
def check(
    text: str | None = typer.Argument(None, help=TEXT_HELP),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
    locale: str = typer.Option("en", "--locale", help=LOCALE_HELP),
) -> None:
    """Check a draft for top-down phrasing and missing modelling elements, and suggest a rewrite.

    JSON output: {"directive": bool, "findings": [{kind, start, end, text, why, field}],
    "suggestion": str or null}. At most three findings, most important first; suggestion is null
    when no clean rewrite exists.
    """
    for item in _texts(text):
        _print_check(item, as_json, locale)


@coach_app.command("themes")
def themes(
    text: str | None = typer.Argument(None, help=TEXT_HELP),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
    locale: str = typer.Option("en", "--locale", help=LOCALE_HELP),
) -> None:
    """Tag a reply (or a leader's own barrier) with barrier themes: time, fear, policy, it_access,
    know_how, control, system, other. JSON output: {"themes": [...]}, strongest first."""
    for item in _texts(text):
        found = classify_themes(item, locale)
        if as_json:
            typer.echo(json.dumps({"themes": found}))
        else:
            labels = "; ".join(theme_label(t, locale) for t in found)
            typer.echo(f"{', '.join(found)} ({labels}): {item}")


@coach_app.command("eval")
def eval_(
    data: Path = typer.Option(DEFAULT_DATA, "--data", help="Folder with directives.jsonl and themes.jsonl (other locales in <folder>/<locale>/)."),
    locale: str | None = typer.Option(None, "--locale", help="Only this locale; default: every locale with data."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Print precision, recall and F1 of the rules per locale and split (dev, test), then, on the
    held-out test split, how often each kind of draft is flagged and how the rewrites fare.

    Directive scores treat "directive" as the positive class; theme scores are micro-averaged.
    """
    chosen = [locale] if locale else locales(data)
    for loc in chosen:
        if not (data_folder(data, loc) / "directives.jsonl").is_file():
            typer.secho(f"error: {data_folder(data, loc) / 'directives.jsonl'} not found. "
                        "Fix: pass --data with the folder holding it.", err=True)
            raise typer.Exit(2)
    if not chosen:
        typer.secho(f"error: no directives.jsonl under {data}. Fix: pass --data with the folder holding it.", err=True)
        raise typer.Exit(2)
    for loc in chosen:
        _print_scores(data, loc, as_json)


def _emit(row: dict[str, object], line: str, as_json: bool) -> None:
    typer.echo(json.dumps(row, ensure_ascii=False) if as_json else line)


def _score_row(loc: str, score: Score) -> dict[str, Any]:
    return {"locale": loc, "task": score.task, "split": score.split, "n": score.n,
            "precision": round(score.precision, 3), "recall": round(score.recall, 3), "f1": round(score.f1, 3)}


def _print_scores(data: Path, loc: str, as_json: bool) -> None:
    """One locale's scores, kinds and rewrite figures."""
    if not as_json:
        typer.echo(f"[{loc}]\n{'task':<10} {'split':<6} {'n':>4} {'precision':>9} {'recall':>7} {'F1':>6}")
    for s in evaluate(data, loc):
        _emit(_score_row(loc, s), f"{s.task:<10} {s.split:<6} {s.n:>4} {s.precision:>9.3f} {s.recall:>7.3f} {s.f1:>6.3f}", as_json)
    if not as_json:
        typer.echo(f"held-out drafts by kind (flagged = recall for a directive kind, false alarms otherwise)\n"
                   f"{'kind':<14} {'directive':<9} {'n':>4} {'flagged':>7} {'correct':>7}")
    for k in evaluate_kinds(data, loc, "test"):
        row = {"locale": loc, "task": "kind", "split": k.split, "kind": k.kind, "directive": k.directive, "n": k.n,
               "flagged": k.flagged, "correct": round(k.correct, 3)}
        _emit(row, f"{k.kind:<14} {str(k.directive).lower():<9} {k.n:>4} {k.flagged:>7} {k.correct:>7.3f}", as_json)
    if not as_json:
        typer.echo(f"held-out replies by theme (n = replies labelled with it)\n{'theme':<14} {'n':>4} {'precision':>9} "
                   f"{'recall':>7} {'F1':>6}")
    for t in evaluate_theme_labels(data, loc, "test"):
        _emit(_score_row(loc, t), f"{t.task[6:]:<14} {t.n:>4} {t.precision:>9.3f} {t.recall:>7.3f} {t.f1:>6.3f}", as_json)
    if not as_json:
        typer.echo(f"held-out rewrites by kind (of detected drafts: candidates, passing every check)\n"
                   f"{'kind':<14} {'detected':>8} {'made':>5} {'passing':>7}")
    for r in [*evaluate_rewrite_kinds(data, loc, "test"), evaluate_rewrites(data, loc, "test")]:
        row = {"locale": loc, "task": "rewrite", "split": r.split, "kind": r.kind, "detected": r.detected,
               "candidates": r.candidates, "passing": r.passing, "pass_rate": round(r.pass_rate, 3),
               "offered_rate": round(r.offered_rate, 3)}
        line = (f"{r.kind:<14} {r.detected:>8} {r.candidates:>5} {r.passing:>7}" if r.kind != "all" else
                f"rewrites (held out): {r.passing}/{r.candidates} candidates pass every check "
                f"({r.pass_rate:.3f}); {r.passing}/{r.detected} detected drafts get a suggestion")
        _emit(row, line, as_json)


def register(app: typer.Typer) -> None:
    """Add the `coach` command group to the main `gofirst` CLI."""
    app.add_typer(coach_app, name="coach")
