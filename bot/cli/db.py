"""`gofirst db upgrade` and `gofirst seed-demo`."""
from __future__ import annotations

import typer

from bot.cli.common import run, settings_from
from bot.demo import seed_demo
from bot.runtime import build_runtime
from storage.db import Database
from storage.migrate import require_current, upgrade

db_app = typer.Typer(help="Database schema: migrations with Alembic.", no_args_is_help=True)


@db_app.command("upgrade")
def db_upgrade(
    database_url: str | None = typer.Option(None, "--database-url", help="Overrides GOFIRST_DATABASE_URL."),
) -> None:
    """Migrate the database to the newest schema. Safe to run again: it changes nothing then."""
    settings = settings_from(database_url=database_url)

    async def go() -> list[str]:
        db = Database(settings.database_url)
        try:
            return await upgrade(db)
        finally:
            await db.dispose()

    heads = run(go())
    typer.echo(f"database at {Database(settings.database_url).safe_url} is at {', '.join(heads)}")


def seed_demo_command(
    database_url: str | None = typer.Option(None, "--database-url", help="Overrides GOFIRST_DATABASE_URL."),
) -> None:
    """Add the demo workspace (a leader, five team members, an HR admin, a campaign). Idempotent."""
    settings = settings_from(database_url=database_url)

    async def go() -> None:
        runtime = build_runtime(settings)
        try:
            await require_current(runtime.db)
            ids = await seed_demo(runtime.services)
            typer.echo(f"demo workspace {ids.workspace_id} ready (leader #{ids.leader_id}, campaign #{ids.campaign_id})")
        finally:
            await runtime.db.dispose()

    run(go())


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
    app.command("seed-demo")(seed_demo_command)
