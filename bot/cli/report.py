"""`gofirst report barriers|outcomes|export|action`: HR's anonymous aggregates from the shell. Every
figure comes from bot.insights, which withholds anything fewer than the minimum people stand behind."""
from __future__ import annotations

import getpass
import json
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import TypeVar

import typer
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.cli.common import fail, run, settings_from
from bot.cli.progress import QUIET, progress_bar
from bot.coach import THEMES, theme_label
from bot.insights import (BY, OUTCOMES, BadRecord, BadView, Change, Insights, Thresholds, action_effects,
                          add_action, barriers, campaign_trends, list_actions, load_insights, to_csv)
from bot.insights.export import cell_text
from bot.insights.periods import ALL_KEY, KINDS
from bot.insights.suppression import Key
from storage.db import Database
from storage.migrate import require_current
from storage.tables import Workspace

T = TypeVar("T")
report_app = typer.Typer(help="Anonymous aggregates for HR admins: nothing fewer than the minimum people "
                              "stand behind is shown (GOFIRST_MIN_GROUP_SIZE, GOFIRST_MIN_GROUP_SIZE_TEXT).",
                         no_args_is_help=True)
action_app = typer.Typer(help="What HR did about a barrier theme, and the theme before and after.", no_args_is_help=True)
report_app.add_typer(action_app, name="action")
WORKSPACE = typer.Option(..., "--workspace", help="Workspace id, e.g. slack:T0123 or local:demo.")
JSON = typer.Option(False, "--json", help="Print JSON instead of a table.")
GROUPINGS = ", ".join(BY)
ARROWS = {"up": "↑", "down": "↓", "flat": "→", "unknown": ""}


def _with_session(workspace: str, action: Callable[[AsyncSession], Awaitable[T]]) -> T:
    settings = settings_from()

    async def go() -> T:
        db = Database(settings.database_url)
        try:
            await require_current(db)
            async with db.session() as session:
                if await session.get(Workspace, workspace) is None:
                    known = sorted((await session.exec(select(Workspace.id))).all())
                    raise BadRecord(f"--workspace: no workspace {workspace!r} here (known: {', '.join(known) or 'none'});"
                                    " check the id, or run `gofirst seed-demo` / `gofirst demo-data` first")
                return await action(session)
        finally:
            await db.dispose()

    try:
        return run(go())
    except (BadRecord, BadView) as exc:
        fail(str(exc))


def _insights(workspace: str) -> Insights:
    thresholds = Thresholds.from_settings(settings_from())
    return _with_session(workspace, lambda session: load_insights(session, workspace, thresholds))


def _check(by: str, period: str | None, allowed: tuple[str, ...] = KINDS) -> None:
    if by not in BY:
        fail(f"--by: {by!r} is not a grouping; use one of {GROUPINGS}")
    if period is not None and period not in allowed:
        fail(f"--period: {period!r} is not a period; use one of {', '.join(allowed)}")


@report_app.command("barriers")
def barriers_command(
    workspace: str = WORKSPACE,
    by: str = typer.Option("workspace", "--by", help=f"Group by: {GROUPINGS}."),
    period: str = typer.Option(ALL_KEY, "--period", help=f"One of {', '.join(KINDS)} (calendar periods only)."),
    last: int = typer.Option(3, "--last", min=1, help="Show the latest N periods (with --period week|month|quarter)."),
    as_json: bool = JSON,
) -> None:
    """Which barriers keep coming up, counted by people. A theme is shown only when at least
    GOFIRST_MIN_GROUP_SIZE_TEXT people named it and no other figure can be subtracted from it."""
    _check(by, period)
    insights = _insights(workspace)
    kind, fixed = BY[by]
    every = [p.key for p in insights.periods(fixed or period)]
    before = dict(zip(every[1:], every))
    reports = [(group, key, barriers(insights, group, key)) for group in insights.groups(kind) for key in every[-last:]]
    if as_json:
        typer.echo(json.dumps([{"group_kind": g[0], "group": g[1], "period": key, **asdict(r), "withheld": r.withheld}
                               for g, key, r in reports], ensure_ascii=False))
        return
    if not any(r.themes for *_, r in reports):
        typer.echo(f"Too few people so far (a theme needs {insights.thresholds.themes} people) to show anything without "
                   "identifying someone. Try a coarser --by or a longer --period later.")
    for (group_kind, name), key, report in reports:
        if report.themes:
            total = f"{report.people} people named barriers" if report.people is not None else "barriers"
            typer.echo(f"{name} · {key}: {total}")
            for count in report.themes:
                earlier = insights.figure(Key(before[key], group_kind, name, f"theme:{count.theme}")) \
                    if key in before else None
                trend = Change(count.theme, earlier, count.people).direction
                since = f"  {ARROWS[trend]} since {before[key]} ({cell_text(earlier)})" if earlier is not None else ""
                typer.echo(f"  {theme_label(count.theme):<36} {count.people:>6}{since}")
    typer.echo(f"(Themes not listed were named by fewer than {insights.thresholds.themes} people, or could be worked "
               "out by subtraction from those shown.)")


@report_app.command("outcomes")
def outcomes_command(
    workspace: str = WORKSPACE,
    by: str = typer.Option("campaign", "--by", help=f"Group by: {GROUPINGS}."),
    period: str = typer.Option("month", "--period", help=f"One of {', '.join(KINDS)} (ignored with --by week)."),
    as_json: bool = JSON,
) -> None:
    """Leaders nudged, shares, share rate, replies per share, answered shares and streaks, per
    group and period; each campaign's first four weeks against its latest four."""
    _check(by, period)
    insights = _insights(workspace)
    rows = insights.rows(by, period, OUTCOMES)
    trends = campaign_trends(insights) if by == "campaign" else []
    if as_json:
        typer.echo(json.dumps({"rows": [asdict(r) for r in rows], "trends": [asdict(t) for t in trends]},
                              ensure_ascii=False, default=str))
        return
    for row in rows:
        typer.echo(f"{row.period:<12} {row.group:<28} {row.metric:<20} {cell_text(row.value) or '—':>8}  {row.note}")
    for trend in trends:
        typer.echo(f"\n{trend.campaign}: {trend.first} → {trend.latest}")
        for change in trend.changes:
            typer.echo(f"  {change.metric:<20} {cell_text(change.before) or '—':>8} → "
                       f"{cell_text(change.after) or '—':<8} {change.direction}")


@report_app.command("export")
def export_command(
    workspace: str = WORKSPACE,
    by: str = typer.Option(..., "--by", help=f"Group by: {GROUPINGS}."),
    export_format: str = typer.Option("csv", "--format", help="Only csv for now."),
    period: str = typer.Option("month", "--period", help=f"One of {', '.join(KINDS)} (ignored with --by week)."),
    output: Path | None = typer.Option(None, "--output", help="Write to this file instead of standard output."),
    quiet: bool = QUIET,
) -> None:
    """Every outcome and theme figure as CSV (UTF-8): period,group_kind,group,metric,value,note.
    A withheld figure has an empty value and a note saying why and where it was pooled."""
    if export_format != "csv":
        fail(f"--format: {export_format!r} is not supported; use --format csv")
    _check(by, period)
    with progress_bar(quiet) as bar:  # loading, grouping, then each row written
        task = bar.add_task("loading records", total=None)
        insights = _insights(workspace)
        bar.update(task, description="grouping figures")
        rows = insights.rows(by, period)
        bar.update(task, description="writing CSV", total=len(rows), completed=0)
        text = to_csv(bar.track(rows, task_id=task))
    if output is None:
        typer.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(f"--output: cannot write {output} ({exc.strerror}); pick a folder you can write to")
    typer.echo(f"wrote {text.count(chr(10)) - 1} rows to {output}")


@action_app.command("add")
def action_add(
    workspace: str = WORKSPACE,
    theme: str = typer.Option(..., "--theme", help=f"The barrier theme: {', '.join(THEMES)}."),
    title: str = typer.Option(..., "--title", help='What was done, e.g. "IT unblocked the wiki on VPN".'),
    owner: str = typer.Option(..., "--owner", help="Who owns it, e.g. IT."),
    when: str | None = typer.Option(None, "--date", help="When it took effect, YYYY-MM-DD (default: today)."),
    recorded_by: str | None = typer.Option(None, "--recorded-by", help="Who records it (default: your login)."),
) -> None:
    """Record an action against a barrier theme (audited); reports then show the theme before and after."""
    try:
        taken_on = date.fromisoformat(when) if when else date.today()
    except ValueError:
        fail(f"--date: {when!r} is not a date; write it as YYYY-MM-DD, e.g. 2026-11-02")
    actor = recorded_by or f"cli:{getpass.getuser()}"
    action = _with_session(workspace, lambda s: add_action(s, workspace, theme, title, owner, taken_on, actor))
    typer.echo(f"action #{action.id} recorded: {theme_label(action.theme)} — {action.title} "
               f"({action.owner}, {action.taken_on.isoformat()})")


@action_app.command("list")
def action_list(workspace: str = WORKSPACE, as_json: bool = JSON) -> None:
    """The actions recorded, each with its theme's people in the four weeks before and the weeks after."""
    insights = _insights(workspace)
    effects = action_effects(insights, _with_session(workspace, lambda s: list_actions(s, workspace)))
    if as_json:
        typer.echo(json.dumps([asdict(e) for e in effects], ensure_ascii=False, default=str))
        return
    if not effects:
        typer.echo("no actions recorded yet: `gofirst report action add --help`")
    for effect in effects:
        a, people = effect.action, effect.people
        typer.echo(f"#{a.id} {a.taken_on.isoformat()} {theme_label(a.theme)}: {a.title} ({a.owner})")
        typer.echo(f"   people naming it: {cell_text(people.before) or 'withheld'} in {effect.before_period} → "
                   f"{cell_text(people.after) or 'withheld'} in {effect.after_period or '(no weeks after yet)'}"
                   f" ({people.direction})")


def register(app: typer.Typer) -> None:
    app.add_typer(report_app, name="report")
