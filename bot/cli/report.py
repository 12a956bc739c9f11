"""`gofirst report barriers`: the anonymous, thresholded view HR gets."""
from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime, timedelta, timezone

import typer

from bot.cli.common import run, settings_from
from bot.coach import theme_label
from bot.insights import BarrierReport, barrier_report
from storage.db import Database
from storage.migrate import require_current

report_app = typer.Typer(help="Anonymous aggregates for HR admins.", no_args_is_help=True)


@report_app.command("barriers")
def barriers(
    workspace: str = typer.Option(..., "--workspace", help="Workspace id, e.g. slack:T0123 or local:demo."),
    days: int = typer.Option(90, "--days", min=1, help="Look back this many days."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Which barriers keep coming up, counted by people; themes named by fewer people than
    GOFIRST_MIN_GROUP_SIZE are not shown."""
    settings = settings_from()

    async def go() -> BarrierReport:
        db = Database(settings.database_url)
        try:
            await require_current(db)
            async with db.session() as session:
                since = datetime.now(timezone.utc) - timedelta(days=days)
                return await barrier_report(session, workspace, settings.min_group_size, since)
        finally:
            await db.dispose()

    report = run(go())
    if as_json:
        typer.echo(json.dumps({**asdict(report), "withheld": report.withheld}))
        return
    if report.withheld:
        typer.echo(f"Too few people so far ({report.people} < {report.min_group_size}) to show anything "
                   "without identifying someone. Try a longer --days window later.")
        return
    typer.echo(f"{report.people} people named barriers in the last {days} days:")
    for count in report.themes:
        typer.echo(f"  {theme_label(count.theme):<32} {count.people}")
    if report.suppressed:
        typer.echo(f"  ({report.suppressed} theme(s) named by fewer than {report.min_group_size} people not shown)")


def register(app: typer.Typer) -> None:
    app.add_typer(report_app, name="report")
