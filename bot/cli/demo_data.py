"""`gofirst demo-data`: a synthetic organisation with weeks of history, for demos and benchmarks."""
from __future__ import annotations

import secrets
from datetime import date

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from adapters.admin.accounts import AccountError, create_account
from bot.cli.common import fail, run, settings_from
from bot.insights.synthetic import Summary, WorkspaceNotEmpty, generate
from storage.db import Database
from storage.identity import BadWorkspaceId, WorkspaceId
from storage.migrate import require_current


def demo_data_command(
    workspace: str = typer.Option(..., "--workspace", help="A new workspace id, e.g. local:acme."),
    leaders: int = typer.Option(50, "--leaders", min=1, max=20000, help="How many leaders (each leads one team of 3-12)."),
    weeks: int = typer.Option(12, "--weeks", min=1, max=260, help="Weeks of history, ending with --until's week."),
    seed: int = typer.Option(1, "--seed", help="Same seed and --until, same organisation."),
    until: str | None = typer.Option(None, "--until", help="Last week of history, YYYY-MM-DD (default: today)."),
    database_url: str | None = typer.Option(None, "--database-url", help="Overrides GOFIRST_DATABASE_URL."),
    admin_email: str | None = typer.Option(None, "--admin-email", help="Also a console admin of the new workspace, "
                                           "to open its dashboard at /admin/insights (the playground links there)."),
) -> None:
    """Fill a new workspace with a realistic organisation: departments, teams, names, zones, campaigns,
    weekly nudges, shares, replies naming barriers, leaders' answers, vacations and one HR action."""
    try:
        WorkspaceId.parse(workspace)
    except BadWorkspaceId as exc:
        fail(f"--workspace: {exc}")
    try:
        last = date.fromisoformat(until) if until else date.today()
    except ValueError:
        fail(f"--until: {until!r} is not a date; write it as YYYY-MM-DD")
    settings = settings_from(database_url=database_url)

    password = secrets.token_urlsafe(12)

    async def go() -> Summary:
        db = Database(settings.database_url)
        try:
            await require_current(db)
            with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                          TimeElapsedColumn(), transient=True) as bar:
                task = bar.add_task("leaders' history", total=leaders)
                async with db.session() as session:
                    summary = await generate(session, workspace, leaders, weeks, seed, last,
                                             lambda done: bar.advance(task, done))
            if admin_email:
                await create_account(db, workspace, admin_email, "admin", password)
            return summary
        finally:
            await db.dispose()

    try:
        summary = run(go())
    except WorkspaceNotEmpty as exc:
        fail(f"--workspace: {exc}; pick a new id (demo data only fills an empty workspace)")
    except AccountError as exc:
        fail(f"--admin-email: {exc} (the demo data was written; add an account with `gofirst admin create-user`)")
    typer.echo(f"workspace {summary.workspace_id}: {summary.people} people in {summary.teams} teams, "
               f"{summary.campaigns} campaign(s), {summary.nudges} nudges, {summary.shares} shares, "
               f"{summary.replies} replies")
    if admin_email:
        typer.echo(f"console: sign in at /admin/login as {admin_email.strip().lower()} with password {password} "
                   "and open /admin/insights")


def register(app: typer.Typer) -> None:
    app.command("demo-data")(demo_data_command)
