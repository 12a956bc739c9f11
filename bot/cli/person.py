"""`gofirst person export|erase`: a person's data on request, and its erasure."""
from __future__ import annotations

import json

import typer

from bot.cli.common import fail, run, settings_from
from bot.app.mounts import privacy_hooks
from bot.cli.campaign import actor
from bot.privacy import ERASED, PersonNotFound, erase_person, export_person
from storage.tables import AuditEntry
from storage.db import Database
from storage.migrate import require_current

person_app = typer.Typer(help="Privacy: export or erase everything GoFirst holds about one person.",
                         no_args_is_help=True)
WORKSPACE = typer.Option(..., "--workspace", help="Workspace id, e.g. slack:T0123, teams:<tenant>, local:demo.")
USER = typer.Option(..., "--user", help="The person's platform user id.")


def _with_session(action):  # type: ignore[no-untyped-def]
    settings = settings_from()

    async def go():  # type: ignore[no-untyped-def]
        db = Database(settings.database_url)
        try:
            await require_current(db)
            async with db.session() as session:
                return await action(session)
        finally:
            await db.dispose()

    try:
        return run(go())
    except PersonNotFound as exc:
        fail(f"{exc}. Check the ids with the platform, or run `gofirst person export` first.")


@person_app.command("export")
def export(workspace: str = WORKSPACE, user: str = USER) -> None:
    """Print everything stored about the person as JSON."""
    async def go(session):  # type: ignore[no-untyped-def]
        data = await export_person(session, workspace, user, privacy_hooks())
        session.add(AuditEntry(workspace_id=workspace, actor=actor(), action="person.exported",
                               target=f"person:{data['person']['id']}", detail={"via": "cli"}))
        return data

    data = _with_session(go)
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


@person_app.command("erase")
def erase(
    workspace: str = WORKSPACE,
    user: str = USER,
    yes: bool = typer.Option(False, "--yes", help="Erase without asking for confirmation."),
) -> None:
    """Delete the person, their shares, replies, nudges, pauses and platform records. This cannot be undone."""
    if not yes and not typer.confirm(f"Erase everything about {user} in {workspace}?"):
        fail("nothing erased (confirm, or pass --yes)")
    async def go(session):  # type: ignore[no-untyped-def]
        counts = await erase_person(session, workspace, user, privacy_hooks())
        session.add(AuditEntry(workspace_id=workspace, actor=actor(), action="person.erased", target=ERASED,
                               detail={"via": "cli", "after": counts}))
        return counts

    counts = _with_session(go)
    typer.echo("erased: " + ", ".join(f"{name} {count}" for name, count in counts.items()))


def register(app: typer.Typer) -> None:
    app.add_typer(person_app, name="person")
