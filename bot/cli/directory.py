"""`gofirst directory sync|import`: people, user groups and channel members from Slack, or a CSV, so
a campaign can name leaders before they ever talk to the bot."""
from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import Progress, TaskID
from sqlmodel import col, func, or_, select

from bot.cli.campaign import actor
from bot.cli.common import fail, run, settings_from
from bot.cli.progress import QUIET, progress_bar
from bot.core.port import DeliveryError
from bot.directory.csv_import import BadCsv, ImportReport, import_csv, read_rows
from bot.directory.source import DirectoryGroupInfo, DirectoryPerson, DirectorySource, NoDirectory, source_for
from bot.directory.sync import SyncReport, sync_directory
from bot.runtime import Runtime, build_runtime
from storage.identity import platform_of
from storage.migrate import require_current
from storage.tables import Person

directory_app = typer.Typer(help="The directory: sync people and groups from Slack, or import a CSV.",
                            no_args_is_help=True)
WORKSPACE = typer.Option(..., "--workspace", "-w", help="Workspace id, e.g. slack:T0123.")


def _slack(runtime: Runtime, workspace: str) -> None:
    """The CLI runs no edge: a Slack workspace gets a Slack platform of its own for the sync."""
    if platform_of(workspace) == "slack":
        from adapters.slack.directory import platform_from_settings

        try:
            runtime.services.platforms.register(platform_from_settings(runtime))
        except RuntimeError as exc:
            fail(str(exc))


class Watched:
    """The platform's directory, advancing a progress task as each listing comes back (the
    listings are the slow part: one paginated call per kind and one per channel)."""

    def __init__(self, source: DirectorySource, bar: Progress, task: TaskID) -> None:
        self.source, self.bar, self.task = source, bar, task

    def _step(self, next_step: str) -> None:
        self.bar.update(self.task, advance=1, description=next_step)

    async def list_people(self, workspace_id: str) -> list[DirectoryPerson]:
        people = await self.source.list_people(workspace_id)
        self._step(f"{len(people)} people listed; user groups")
        return people

    async def list_user_groups(self, workspace_id: str) -> list[DirectoryGroupInfo]:
        groups = await self.source.list_user_groups(workspace_id)
        self._step(f"{len(groups)} user groups listed; channels")
        return groups

    async def channel_members(self, workspace_id: str, channel: str) -> DirectoryGroupInfo:
        members = await self.source.channel_members(workspace_id, channel)
        self._step(f"channel {members.handle or channel} listed")
        return members


@directory_app.command("sync")
def sync(workspace: str = WORKSPACE,
         channel: list[str] = typer.Option([], "--channel", help="Also sync this channel's members (repeatable)."),
         quiet: bool = QUIET) -> None:
    """Store every person, user group and team channel's members the platform lists."""
    settings = settings_from()

    async def go() -> SyncReport:
        runtime = build_runtime(settings)
        try:
            await require_current(runtime.db)
            _slack(runtime, workspace)
            source = source_for(runtime.services, workspace)
            with progress_bar(quiet) as bar:
                watched = Watched(source, bar, bar.add_task("listing people", total=None))
                return await sync_directory(runtime.services, workspace, watched, actor=actor(), via="cli",
                                            channels=channel)
        finally:
            await runtime.db.dispose()

    try:
        report = run(go())
    except NoDirectory as exc:
        fail(str(exc))
    except DeliveryError as exc:
        fail(f"the platform refused the sync: {exc.reason}")
    typer.echo(f"synced {workspace}: {report.added} added, {report.updated} updated, {report.deactivated} "
               f"deactivated, {report.groups} user groups, {report.channels} channels")
    for problem in report.problems:
        typer.secho(f"warning: {problem}", fg=typer.colors.YELLOW, err=True)


@directory_app.command("import")
def import_command(path: Path = typer.Argument(..., help="CSV: email or platform_id, name, timezone, "
                                                         "team_channel, role (leader or member)."),
                   workspace: str = WORKSPACE, quiet: bool = QUIET) -> None:
    """Add or update people from a CSV; every row it can't use is listed with the reason."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"cannot read {path}: {getattr(exc, 'strerror', None) or 'not UTF-8 text'}")
    settings = settings_from()

    async def go() -> ImportReport:
        runtime = build_runtime(settings)
        try:
            await require_current(runtime.db)
            with progress_bar(quiet) as bar:
                task = bar.add_task("importing people", total=len(read_rows(text)))
                return await import_csv(runtime.services, workspace, text, actor=actor(), via="cli",
                                        on_row=lambda: bar.advance(task))
        finally:
            await runtime.db.dispose()

    try:
        report = run(go())
    except BadCsv as exc:
        fail(f"{path}: {exc}")
    typer.echo(f"imported {len(report.imported)} people into {workspace}")
    for problem in report.unresolved:
        typer.secho(f"not imported: {problem}", fg=typer.colors.YELLOW, err=True)
    if report.unresolved:
        raise typer.Exit(3)


@directory_app.command("find")
def find(query: str = typer.Argument(..., help="Part of a name, an email or a platform id."),
         workspace: str = WORKSPACE) -> None:
    """Find people, to export or erase them with `gofirst person export|erase --user ID`."""
    settings = settings_from()

    async def go() -> list[Person]:
        runtime = build_runtime(settings)
        try:
            await require_current(runtime.db)
            like = f"%{query.lower()}%"
            async with runtime.db.session() as session:
                return list((await session.exec(select(Person).where(Person.workspace_id == workspace, or_(
                    func.lower(Person.display_name).like(like), func.lower(Person.email).like(like),
                    func.lower(Person.platform_user_id).like(like))).order_by(col(Person.display_name)))).all())
        finally:
            await runtime.db.dispose()

    found = run(go())
    for person in found:
        typer.echo(f"{person.platform_user_id:<16} {person.display_name:<28} {person.email or ''}")
    if not found:
        fail(f"nobody in {workspace} matches {query!r}")


def register(app: typer.Typer) -> None:
    app.add_typer(directory_app, name="directory")
