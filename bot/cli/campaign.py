"""`gofirst campaign create|list|show|pause|resume|end|preview|import|export` for HR admins."""
from __future__ import annotations

import getpass
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import typer
import yaml
from sqlmodel import select

from bot.campaigns.preview import preview as build_preview
from bot.campaigns.service import (BadTransition, CampaignExists, CampaignNotFound, export_specs, list_campaigns,
                                   pending_changes, save, show, transition)
from bot.campaigns.spec import CampaignSpec, InvalidCampaign, from_yaml_dict
from bot.cli.common import fail, run, settings_from
from bot.core.services import Services
from bot.directory.csv_import import BadCsv, import_csv
from bot.runtime import build_runtime
from bot.scheduling.cap import Cap
from storage.migrate import require_current
from storage.tables import Workspace

T = TypeVar("T")
campaign_app = typer.Typer(help="Nudge campaigns: who gets nudged, when, with which prompt pack.", no_args_is_help=True)
WORKSPACE = typer.Option(None, "--workspace", "-w", help="Workspace id (e.g. slack:T123); needed when there are several.")
JSON = typer.Option(False, "--json", help="Machine-readable output.")
REPLACE = typer.Option(False, "--replace", help="Save over a campaign of the same name (the changes are shown).")


def actor() -> str:
    """Who ran the command, for the audit log."""
    return f"cli:{getpass.getuser()}"


def with_services(action: Callable[[Services, str], Awaitable[T]], workspace: str | None) -> T:
    """Runs an action against the migrated database and turns every expected problem into one line."""
    settings = settings_from()

    async def go() -> T:
        runtime = build_runtime(settings)
        try:
            await require_current(runtime.db)
            return await action(runtime.services, await pick_workspace(runtime.services, workspace))
        finally:
            await runtime.db.dispose()

    try:
        return run(go())
    except InvalidCampaign as exc:
        for error in exc.errors:
            typer.secho(f"error: {error}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from None
    except CampaignExists as exc:
        for change in exc.changes:
            typer.echo(f"  would change {change}", err=True)
        fail(f"{exc}" + ("" if exc.changes else " (nothing would change)"))
    except BadCsv as exc:
        fail(f"the CSV can't be read: {exc}")
    except (CampaignNotFound, BadTransition, LookupError) as exc:
        fail(str(exc).strip("'\""))


async def pick_workspace(services: Services, wanted: str | None) -> str:
    async with services.db.session() as session:
        ids = sorted((await session.exec(select(Workspace.id))).all())
    if wanted:
        if wanted not in ids:
            raise LookupError(f"workspace {wanted!r} is not installed; known: {', '.join(ids) or 'none yet'}")
        return wanted
    if len(ids) == 1:
        return ids[0]
    raise LookupError("no workspace installed yet: install the app first (or run `gofirst seed-demo`)" if not ids
                      else f"several workspaces ({', '.join(ids)}): pass --workspace")


@campaign_app.command("create")
def create(
    name: str = typer.Argument(..., help="The campaign's name, unique in its workspace."),
    pack: str = typer.Option(..., "--pack", help="Prompt pack id, e.g. going-first."),
    weekday: str = typer.Option("tue", "--weekday", help="Day of the week (mon..sun)."),
    time: str = typer.Option("10:00", "--time", help="Local time, HH:MM, in each leader's zone."),
    every: int = typer.Option(1, "--every", help="Every N weeks."),
    cron: str | None = typer.Option(None, "--cron", help="A cron expression instead of weekday/time/every."),
    timezone: str | None = typer.Option(None, "--timezone", help="One zone for everyone (default: each leader's)."),
    audience_kind: str = typer.Option("workspace", "--audience-kind",
                                      help="leaders, teams, channels, usergroups, channel_members or workspace."),
    audience: list[str] = typer.Option([], "--audience", help="A leader's platform id or email, a team, a channel "
                                       "or a user group (repeatable)."),
    audience_csv: Path | None = typer.Option(None, "--audience-csv", help="A CSV of leaders (email or platform_id, "
                                             "name, timezone, team_channel, role): imported, then nudged."),
    start: str | None = typer.Option(None, "--start", help="First day, YYYY-MM-DD."),
    end: str | None = typer.Option(None, "--end", help="Last day, YYYY-MM-DD."),
    quiet_days: str = typer.Option("", "--quiet-days", help="Extra days without nudges, e.g. fri."),
    channel: list[str] = typer.Option([], "--channel", help="leader=channel: the team channel per leader (repeatable)."),
    reminder_days: str = typer.Option("2", "--reminder-days", help="Working days before the one reminder, or 'off'."),
    activate: bool = typer.Option(False, "--activate", help="Start at once instead of as a draft."),
    replace: bool = REPLACE,
    workspace: str | None = WORKSPACE,
) -> None:
    """Create a campaign (a draft unless --activate); --replace saves over one of the same name."""
    reminder = None if reminder_days.lower() in ("off", "0", "none") else _int(reminder_days, "--reminder-days")
    channels = dict(c.split("=", 1) for c in channel if "=" in c)
    if len(channels) != len(channel):
        fail("--channel: write it as leader=channel, e.g. --channel alex=product-team")
    spec = CampaignSpec(name=name, pack=pack, weekday=weekday, time=time, every_n_weeks=every, cron=cron,
                        timezone=timezone, audience_kind=audience_kind, audience=[a for x in audience for a in x.split(",") if a],
                        start_date=start, end_date=end, quiet_days=[d for d in quiet_days.split(",") if d],
                        team_channels=channels, reminder_after_days=reminder, state="active" if activate else None)
    csv_text = _read(audience_csv) if audience_csv else None

    async def go(services: Services, ws: str) -> tuple[Any, bool]:
        if csv_text is not None:
            report = await import_csv(services, ws, csv_text, actor=actor(), via="cli")
            for problem in report.unresolved:
                typer.secho(f"warning: {audience_csv}: {problem}", fg=typer.colors.YELLOW, err=True)
            spec.audience_kind, spec.audience = "leaders", [*spec.audience, *report.imported]
        if replace:
            await _show_changes(services, ws, spec)
        return await save(services, ws, spec, replace=replace, actor=actor(), via="cli")

    campaign, created = with_services(go, workspace)
    typer.echo(f"campaign {campaign.name!r} {'created' if created else 'replaced'} ({campaign.state}) "
               f"in {campaign.workspace_id}")


async def _show_changes(services: Services, ws: str, spec: CampaignSpec) -> None:
    """Prints what --replace changes (nothing when the campaign is new)."""
    for change in await pending_changes(services, ws, spec) or []:
        typer.echo(f"  changes {change}")


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"cannot read {path}: {getattr(exc, 'strerror', None) or 'not UTF-8 text'}")


def _int(text: str, option: str) -> int:
    try:
        return int(text)
    except ValueError:
        fail(f"{option}: {text!r} is not a number; use e.g. 2, or 'off'")


@campaign_app.command("list")
def list_command(workspace: str | None = WORKSPACE, as_json: bool = JSON) -> None:
    """List the workspace's campaigns with their state and cadence."""
    campaigns = with_services(list_campaigns, workspace)
    rows = [{"name": c.name, "state": c.state, "pack": c.pack,
             "cadence": c.cron or f"weekday {c.weekday} at {c.local_time} every {c.every_n_weeks} week(s)"} for c in campaigns]
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    for row in rows or [{"name": "(no campaigns yet)", "state": "", "pack": "", "cadence": ""}]:
        typer.echo(f"{row['name']:<32} {row['state']:<8} {row['pack']:<16} {row['cadence']}")


@campaign_app.command("show")
def show_command(name: str, workspace: str | None = WORKSPACE, as_json: bool = JSON) -> None:
    """The campaign's settings, its nudges by state, and those that need an admin's eye."""
    summary = with_services(lambda s, ws: show(s, ws, name), workspace)
    data = {"campaign": summary.spec.to_yaml_dict(), "nudges": summary.counts, "attention": summary.attention}
    if as_json:
        typer.echo(json.dumps(data, indent=2, default=str))
        return
    typer.echo(yaml.safe_dump(data["campaign"], sort_keys=False).rstrip())
    typer.echo("nudges: " + (", ".join(f"{k} {v}" for k, v in sorted(summary.counts.items())) or "none yet"))
    for item in summary.attention:
        typer.echo(f"  ! {item['leader']} {item['period']}: {item['state']} — {item['reason']}")


def _move(name: str, state: str, workspace: str | None) -> None:
    campaign = with_services(lambda s, ws: transition(s, ws, name, state, actor=actor(), via="cli"), workspace)
    typer.echo(f"campaign {campaign.name!r} is {campaign.state}")


@campaign_app.command("pause")
def pause_command(name: str, workspace: str | None = WORKSPACE) -> None:
    """Pause: nothing more is sent until resume."""
    _move(name, "paused", workspace)


@campaign_app.command("resume")
def resume_command(name: str, workspace: str | None = WORKSPACE) -> None:
    """Start a draft, or resume a paused campaign."""
    _move(name, "active", workspace)


@campaign_app.command("end")
def end_command(name: str, workspace: str | None = WORKSPACE) -> None:
    """End for good: unsent nudges are held, and the campaign can't be resumed."""
    _move(name, "ended", workspace)


@campaign_app.command("preview")
def preview_command(name: str, workspace: str | None = WORKSPACE, as_json: bool = JSON,
                    count: int = typer.Option(1, "--count", min=1, max=20, help="Sends per leader.")) -> None:
    """The next sends per leader in their local time, and why any was moved or held back."""
    settings = settings_from()
    result = with_services(lambda s, ws: build_preview(s, ws, name, count, Cap(settings.cap_per_day, settings.cap_per_week)),
                           workspace)
    if as_json:
        typer.echo(json.dumps(result.as_dict(), indent=2))
        return
    for send in result.sends:
        why = f" ({'; '.join(send.reasons)})" if send.reasons else ""
        typer.echo(f"{send.leader:<16} {send.at:<26} {send.zone:<20} {send.status}{why}")
    for problem in result.problems:
        typer.secho(f"warning: {problem}", fg=typer.colors.YELLOW, err=True)


@campaign_app.command("import")
def import_command(path: Path = typer.Argument(..., help="A YAML file with one campaign or a list of them."),
                   replace: bool = REPLACE, workspace: str | None = WORKSPACE) -> None:
    """Create campaigns from YAML (the shape `export` writes); --replace updates existing ones."""
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        fail(f"cannot read {path}: {exc.strerror}")
    except UnicodeDecodeError as exc:
        fail(f"{path} is not UTF-8 text (byte {exc.start}): save it as UTF-8")
    except yaml.YAMLError as exc:
        fail(f"{path} is not valid YAML: {str(exc).splitlines()[0]}")
    except RecursionError:
        fail(f"{path} nests too deeply to be a campaign")
    items = data.get("campaigns", data) if isinstance(data, dict) and "campaigns" in data else data
    items = items if isinstance(items, list) else [items]

    async def go(services: Services, ws: str) -> list[str]:
        specs = [from_yaml_dict(item, f"campaigns[{n}]") for n, item in enumerate(items)]
        done = []
        for spec in specs:
            if replace:
                await _show_changes(services, ws, spec)
            campaign, created = await save(services, ws, spec, replace=replace, actor=actor(), via="cli")
            done.append(f"{'created' if created else 'updated'} {campaign.name!r} ({campaign.state})")
        return done

    for line in with_services(go, workspace):
        typer.echo(line)


@campaign_app.command("export")
def export_command(name: str | None = typer.Argument(None, help="One campaign (default: all)."),
                   workspace: str | None = WORKSPACE) -> None:
    """Write campaigns as YAML to stdout, ready for `import`."""
    specs = with_services(lambda s, ws: export_specs(s, ws, name), workspace)
    typer.echo(yaml.safe_dump({"campaigns": specs}, sort_keys=False, allow_unicode=True).rstrip())


def register(app: typer.Typer) -> None:
    app.add_typer(campaign_app, name="campaign")
