"""A progress bar for long CLI work, on stderr so piped output stays clean, and drawn only for a
person watching: off when stderr is not a terminal (CI, cron, a pipe) or with --quiet."""
from __future__ import annotations

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

QUIET = typer.Option(False, "--quiet", "-q", help="No progress bar (it is also off when stderr is not a terminal).")


def progress_bar(quiet: bool = False, console: Console | None = None) -> Progress:
    """Use as a context manager; with no total a task shows as a pulsing bar and a count."""
    console = console or Console(stderr=True)
    return Progress(SpinnerColumn(), TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=console, transient=True, disable=quiet or not console.is_terminal)
