"""`gofirst admin create-user|audit|retention`: console accounts, the audit log from the shell, and a
retention pass on demand."""
from __future__ import annotations

import json
import sys

import typer
from sqlmodel import col, select

from adapters.admin.accounts import AccountError, create_account
from bot.cli.campaign import actor
from bot.cli.common import fail, run, settings_from
from bot.privacy import apply_retention
from bot.runtime import build_runtime
from storage.migrate import require_current
from storage.tables import AuditEntry

admin_app = typer.Typer(help="The HR console's accounts, the audit log and data retention.", no_args_is_help=True)
WORKSPACE = typer.Option(..., "--workspace", "-w", help="Workspace id, e.g. slack:T0123.")


@admin_app.command("create-user")
def create_user(
    workspace: str = WORKSPACE,
    email: str = typer.Option(..., "--email", help="They sign in with this address."),
    role: str = typer.Option("viewer", "--role", help="admin (may change things) or viewer (reads only)."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from standard input."),
) -> None:
    """Create a console account for one workspace (the password is stored as an argon2id hash)."""
    if not password_stdin:
        fail("pass --password-stdin and send the password on standard input (it never goes on the command line)")
    password = sys.stdin.readline().rstrip("\r\n")
    settings = settings_from()

    async def go() -> None:
        runtime = build_runtime(settings)
        try:
            await require_current(runtime.db)
            account = await create_account(runtime.db, workspace, email, role, password)
            async with runtime.db.session() as session:
                session.add(AuditEntry(workspace_id=workspace, actor=actor(), action="admin.account_created",
                                       target=f"admin:{account.id}",
                                       detail={"via": "cli", "after": {"email": account.email, "role": role}}))
        finally:
            await runtime.db.dispose()

    try:
        run(go())
    except AccountError as exc:
        fail(str(exc))
    typer.echo(f"{role} {email.strip().lower()} can now sign in to {workspace} at /admin/login")


@admin_app.command("audit")
def audit(workspace: str = WORKSPACE, action: str = typer.Option("", "--action", help="Only actions starting so."),
          limit: int = typer.Option(50, "--limit", min=1, max=100_000)) -> None:
    """The newest audit entries as JSON lines (who, what, when, before and after)."""
    settings = settings_from()

    async def go() -> list[AuditEntry]:
        runtime = build_runtime(settings)
        try:
            await require_current(runtime.db)
            query = select(AuditEntry).where(AuditEntry.workspace_id == workspace,
                                             col(AuditEntry.action).startswith(action))
            async with runtime.db.session() as session:
                return list((await session.exec(query.order_by(col(AuditEntry.at).desc()).limit(limit))).all())
        finally:
            await runtime.db.dispose()

    for entry in run(go()):
        typer.echo(json.dumps(entry.model_dump(mode="json"), ensure_ascii=False))


@admin_app.command("retention")
def retention(days: int | None = typer.Option(None, "--days", min=1, help="Overrides GOFIRST_RETENTION_DAYS.")) -> None:
    """Blank reply and share free text older than N days now (counts and themes are kept)."""
    settings = settings_from()
    keep = days or settings.retention_days
    if keep is None:
        fail("set GOFIRST_RETENTION_DAYS or pass --days")

    async def go() -> dict[str, dict[str, int]]:
        runtime = build_runtime(settings)
        try:
            await require_current(runtime.db)
            async with runtime.db.session() as session:
                return await apply_retention(session, runtime.services.clock.now(), keep)
        finally:
            await runtime.db.dispose()

    done = run(go())
    for workspace_id, counts in sorted(done.items()):
        typer.echo(f"{workspace_id}: {counts['replies']} replies, {counts['shares']} shares blanked")
    if not done:
        typer.echo(f"nothing older than {keep} days to blank")


def register(app: typer.Typer) -> None:
    app.add_typer(admin_app, name="admin")
