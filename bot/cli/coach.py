"""`gofirst coach check|themes|eval`: the coach from the command line, for authors and operators.

With no TEXT, check and themes read one text per line from stdin, so a file of drafts can be
piped through; --json prints one JSON object per line for scripts.
"""
from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import typer

from bot.coach import check_draft, classify_themes, theme_label
from bot.coach.evaluate import DEFAULT_DATA, evaluate

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
        typer.echo(f"  - {f.kind} at {where}: {f.why}")
    if result.suggestion != text.strip():
        typer.echo(f"  suggestion: {result.suggestion}")


@coach_app.command("check")
def check(
    text: str | None = typer.Argument(None, help=TEXT_HELP),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
    locale: str = typer.Option("en", "--locale", help=LOCALE_HELP),
) -> None:
    """Check a draft for top-down phrasing and missing modelling elements, and suggest a rewrite.

    JSON output: {"directive": bool, "findings": [{kind, start, end, text, why}], "suggestion": str}.
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
    data: Path = typer.Option(DEFAULT_DATA, "--data", help="Folder with directives.jsonl and themes.jsonl."),
    locale: str = typer.Option("en", "--locale", help=LOCALE_HELP),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Print precision, recall and F1 of the rules on the labelled data, per split (dev, test).

    Directive scores treat "directive" as the positive class; theme scores are micro-averaged.
    """
    for name in ("directives.jsonl", "themes.jsonl"):
        if not (data / name).is_file():
            typer.secho(f"error: {data / name} not found. Fix: pass --data with the folder holding it.", err=True)
            raise typer.Exit(2)
    scores = evaluate(data, locale)
    if not as_json:
        typer.echo(f"{'task':<10} {'split':<6} {'n':>4} {'precision':>9} {'recall':>7} {'F1':>6}")
    for s in scores:
        row = {"task": s.task, "split": s.split, "n": s.n, "precision": round(s.precision, 3),
               "recall": round(s.recall, 3), "f1": round(s.f1, 3)}
        if as_json:
            typer.echo(json.dumps(row))
        else:
            typer.echo(f"{s.task:<10} {s.split:<6} {s.n:>4} {s.precision:>9.3f} {s.recall:>7.3f} {s.f1:>6.3f}")


def register(app: typer.Typer) -> None:
    """Add the `coach` command group to the main `gofirst` CLI."""
    app.add_typer(coach_app, name="coach")
