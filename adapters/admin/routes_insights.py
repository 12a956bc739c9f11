"""The HR dashboard: outcomes (does going first work?) and barrier themes (what should the
organisation fix?), filtered by query parameters, each table beside its chart and downloadable as
CSV, and the form that records what HR did about a theme. Every figure comes from one audited
build of the workspace (bot.insights), so nothing here decides what may be shown."""
from __future__ import annotations

import logging
from datetime import date, datetime, timezone
from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from markupsafe import Markup

from adapters.admin.charts import bar_chart, line_chart
from adapters.admin.console import console_of, render, viewer_of
from bot.coach import THEMES, theme_label
from bot.core.streaks import iso_week
from bot.copy import Copy, load_copy
from bot.insights import (ActionFact, BadRecord, Insights, Thresholds, action_effects, add_action, barriers, campaign_trends,
                          list_actions, to_csv)
from bot.insights import dashboard as board
from bot.insights.cache import Preparing, cached_insights
from bot.insights.dashboard import BadFilter, Filters, Grid
from bot.insights.suppression import Key

log = logging.getLogger(__name__)
BOOK = "insights"
DOWNLOADS_KEPT = 16  # CSV texts kept per build (the largest are a few MB)
PREPARING_REFRESH = 10  # seconds before a browser asks again while the figures are being prepared
RATIOS = {"share_rate": "percent", "answered_rate": "percent", "share_of_barriers": "percent",
          "replies_per_share": "decimal"}


def words() -> Copy:
    return load_copy("en", BOOK)


def label(metric: str) -> str:
    if metric.startswith(("theme:", "raised:")):
        return theme_label(metric.partition(":")[2])
    return words()(f"metrics.{metric}")


def shown(metric: str, value: float | int | None) -> str:
    """A figure as HR reads it: rates in per cent, replies per share to one decimal."""
    if value is None:
        return words()("withheld")
    style = RATIOS.get(metric)
    if style == "percent":
        return f"{value * 100:.0f}%"
    return f"{value:.1f}" if style == "decimal" else f"{value:,}"


def note_text(note: board.Note) -> str:
    w = words()
    reason = (w("reason_derived") if note.derived else
              w("reason_text" if note.text else "reason", min=note.minimum))
    if note.pooled is None:
        return f"{reason} {w('pooled_none')}"
    into = note.pooled
    return f"{reason} " + w("pooled", kind=w(f"kinds.{into.group_kind}"), group=into.group, period=into.period,
                            value=shown(into.metric, note.pooled_value))


async def _insights(request: web.Request) -> Insights:
    """The workspace's figures, or a 503 page that refreshes itself while they are being prepared."""
    console = console_of(request)
    try:
        async with console.runtime.db.session() as session:
            return await cached_insights(session, viewer_of(request).workspace_id,
                                         Thresholds.from_settings(console.runtime.settings), console.now.date())
    except Preparing as exc:
        log.info("insights: %s", exc)
        raise _preparing(request, exc.expected) from None


def _preparing(request: web.Request, expected: float | None) -> web.HTTPServiceUnavailable:
    w = words()
    about = w("preparing_expected", seconds=f"{expected:,.0f}") if expected is not None else ""
    page = render(request, "error.html", status=503, message=f"{w('preparing')} {about}".strip())
    wait = str(PREPARING_REFRESH)
    return web.HTTPServiceUnavailable(text=page.text, content_type="text/html",
                                      headers={"Retry-After": wait, "Refresh": wait})


def _bad(request: web.Request, field: str, choices: tuple[str, ...] = ()) -> web.HTTPBadRequest:
    """A 400 page naming the parameter and what it may be, and a log line."""
    w = words()
    log.info("insights: bad %r in %s", field, request.path_qs[:300])
    fix = w("bad_filter_choices", choices=", ".join(choices)) if choices else w("bad_filter_value")
    page = render(request, "error.html", status=400, message=w("bad_filter", field=field, fix=fix))
    return web.HTTPBadRequest(text=page.text, content_type="text/html")


def _filters(request: web.Request, insights: Insights) -> Filters:
    try:
        return board.parse_filters(insights, request.query)
    except BadFilter as exc:
        raise _bad(request, exc.field, exc.choices) from None


def _group_name(insights: Insights, filters: Filters) -> str:
    return filters.group or words()("filters.whole")


def _stale(insights: Insights) -> str | None:
    """The line a page shows while it serves the previous build (its day too, if not today's) and
    a newer one is being prepared."""
    today = insights.as_of.date() == datetime.now(timezone.utc).date()  # as_of is read from this clock
    return (words()("stale", time=insights.as_of.strftime("%H:%M" if today else "%Y-%m-%d %H:%M"))
            if insights.refreshing else None)


def _context(request: web.Request, insights: Insights, filters: Filters, page: str) -> dict[str, Any]:
    return {"w": words().tree, "f": filters, "label": label, "shown": shown, "note_text": note_text,
            "group_kinds": board.GROUP_KINDS, "periods": [p.key for p in insights.periods(filters.kind)],
            "group_names": insights.lattice.groups.get(filters.by, []), "themes": THEMES, "theme_label": theme_label,
            "group_name": _group_name(insights, filters), "stale": _stale(insights),
            "link": lambda **changed: "?" + urlencode(filters.query(**changed)),
            "download": lambda table: f"/admin/insights/{page}.csv?" + urlencode(filters.query(table=table))}


def _trend_chart(chart_id: str, title: str, trend: Grid, metrics: tuple[str, ...], percent: bool) -> Markup:
    series = [(label(m), [v for _, v in trend.column(m)]) for m in metrics]
    series = [s for s in series if any(v is not None for v in s[1])]
    return line_chart(chart_id, title, [p for p, _ in trend.rows], series, percent=percent)


Tables = dict[str, tuple[tuple[str, ...], list[tuple[str, list[Key]]]]]


def outcome_tables(insights: Insights, filters: Filters, page: int | None) -> tuple[Tables, int]:
    """Each table of the outcomes page: its columns and the keys behind each row, and how many pages
    of groups there are (a download takes every page)."""
    columns = board.OUTCOME_COLUMNS
    groups, pages = board.group_rows(insights, filters, columns, page)
    return {"trend": (columns, board.trend_rows(insights, filters, columns)), "groups": (columns, groups),
            "streaks": (("streak_leaders", *board.STREAK_COLUMNS), board.streak_rows(insights, filters)),
            "campaigns": (columns, board.campaign_rows(insights))}, pages


def theme_tables(insights: Insights, filters: Filters, page: int | None, actions: list[ActionFact]
                 ) -> tuple[Tables, int]:
    columns = board.theme_columns(filters)
    groups, pages = board.group_rows(insights, filters, board.THEMES_ROWS, page)
    return {"trend": (columns, board.trend_rows(insights, filters, columns)),
            "groups": (board.THEMES_ROWS, groups),
            "raised": (board.RAISED_COLUMNS, board.trend_rows(insights, filters, board.RAISED_COLUMNS)),
            "actions": (("theme", "barrier_people"), board.action_rows(insights, actions))}, pages


def grids(insights: Insights, filters: Filters, tables: tuple[Tables, int]) -> dict[str, Grid]:
    found, pages = tables
    return {name: board.grid(insights, name, columns, rows, filters.page, pages)
            for name, (columns, rows) in found.items()}


async def outcomes(request: web.Request) -> web.StreamResponse:
    insights = await _insights(request)
    filters = _filters(request, insights)
    tables = grids(insights, filters, outcome_tables(insights, filters, filters.page))
    context = _context(request, insights, filters, "outcomes")
    trend = tables["trend"]
    chart = _trend_chart("outcomes-trend", words()("outcomes.trend", group=context["group_name"]), trend,
                         board.TREND_LINES, True)
    streaks = tables["streaks"]
    bars = bar_chart("streaks", words()("outcomes.streaks", period=filters.at, group=context["group_name"]),
                     [(label(f.metric), f.value) for _, figures in streaks.rows for f in figures[1:]])
    return render(request, "insights_outcomes.html", tables=tables, chart=chart, bars=bars,
                  trends=campaign_trends(insights), minimum=insights.thresholds.people, **context)


async def themes(request: web.Request) -> web.StreamResponse:
    return await themes_page(request)


async def themes_page(request: web.Request, errors: list[str] | None = None, form: dict[str, str] | None = None
                      ) -> web.StreamResponse:
    """The themes page; after a refused form, with its problems and what was typed, as a 400."""
    insights = await _insights(request)
    filters = _filters(request, insights)
    console = console_of(request)
    async with console.runtime.db.session() as session:
        actions = await list_actions(session, viewer_of(request).workspace_id)
    tables = grids(insights, filters, theme_tables(insights, filters, filters.page, actions))
    context = _context(request, insights, filters, "themes")
    report = barriers(insights, filters.trend_group(insights), filters.at) if filters.at else None
    bars = bar_chart("themes-bars", words()("themes.bars", period=filters.at, group=context["group_name"]),
                     [(theme_label(c.theme), c.people) for c in report.themes] if report else [])
    chart = _trend_chart("themes-trend", words()("themes.trend", group=context["group_name"]), tables["trend"],
                         board.theme_columns(filters), False)
    effects = [(effect, _action_chart(insights, effect.action)) for effect in action_effects(insights, actions)]
    recorded = [a.title for a in actions if str(a.id) == request.query.get("recorded")]
    return render(request, "insights_themes.html", tables=tables, report=report, bars=bars, chart=chart,
                  effects=effects, minimum=insights.thresholds.themes, errors=errors or [],
                  form=form or {}, status=400 if errors else 200, recorded=recorded[0] if recorded else "",
                  today=console.now.date().isoformat(), **context)


def _action_chart(insights: Insights, action: ActionFact) -> Markup:
    series = board.action_series(insights, action)
    title = words()("themes.action_chart", theme=theme_label(action.theme), title=action.title,
                    date=action.taken_on.isoformat())
    return line_chart(f"action-{action.id}", title, [w for w, _ in series],
                      [(theme_label(action.theme), [v for _, v in series])], marker=iso_week(action.taken_on))


async def download(request: web.Request) -> web.StreamResponse:
    """One table of a page as CSV, every page of it, with the pooled figures its notes point at."""
    insights = await _insights(request)
    filters = _filters(request, insights)
    page = request.match_info["page"]
    table = request.query.get("table", "")
    if page == "outcomes":
        tables, _ = outcome_tables(insights, filters, None)
    else:
        async with console_of(request).runtime.db.session() as session:
            tables, _ = theme_tables(insights, filters, None,
                                     await list_actions(session, viewer_of(request).workspace_id))
    if table not in tables:
        raise _bad(request, "table", tuple(tables))
    asked = f"{page}?{sorted(filters.query(table=table).items())}"
    text = insights.downloads.get(asked)
    if text is None:
        if len(insights.downloads) >= DOWNLOADS_KEPT:
            insights.downloads.clear()
        text = insights.downloads[asked] = to_csv(board.csv_rows(insights, tables[table][1]))
    name = f"insights-{page}-{table}-{filters.by}-{filters.at or filters.kind}.csv"
    return web.Response(text=text, content_type="text/csv", charset="utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _read_action(form: dict[str, str]) -> tuple[list[str], date | None]:
    w, errors = words(), []
    if form["theme"] not in THEMES:
        errors.append(w("form.bad_theme"))
    if not 1 <= len(form["title"]) <= 500:
        errors.append(w("form.bad_title"))
    if not 1 <= len(form["owner"]) <= 200:
        errors.append(w("form.bad_owner"))
    try:
        taken_on: date | None = date.fromisoformat(form["taken_on"])
    except ValueError:
        taken_on = None
        errors.append(w("form.bad_date"))
    return errors, taken_on


async def record_action(request: web.Request) -> web.StreamResponse:
    """Records an action (the guard has checked origin, CSRF and that the viewer may change things)."""
    posted = await request.post()
    form = {k: str(posted.get(k, "")).strip() for k in ("theme", "title", "owner", "taken_on")}
    errors, taken_on = _read_action(form)
    viewer = viewer_of(request)
    if not errors and taken_on is not None:
        try:
            async with console_of(request).runtime.db.session() as session:
                action = await add_action(session, viewer.workspace_id, form["theme"], form["title"], form["owner"],
                                          taken_on, f"admin:{viewer.account.email}")
        except BadRecord:
            errors.append(words()("form.bad_theme"))
        else:  # committed: the next page's data version has moved, so it shows the action
            raise web.HTTPSeeOther(f"/admin/insights/themes?recorded={action.id}")
    log.info("insights: action not recorded for %s: %d problem(s)", viewer.workspace_id, len(errors))
    return await themes_page(request, errors, form)


def add_routes(app: web.Application) -> None:
    app.router.add_get("/insights", outcomes)
    app.router.add_get("/insights/themes", themes)
    app.router.add_get("/insights/{page:outcomes|themes}.csv", download)
    app.router.add_post("/insights/actions", record_action)
