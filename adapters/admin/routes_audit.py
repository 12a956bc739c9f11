"""The audit log: every change made from the console or the CLI (who, what, when, before and
after), filtered by action, actor and dates, and exported as CSV or JSON with the same filters."""
from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from aiohttp import web
from sqlmodel import col, select

from adapters.admin.console import console_of, render, viewer_of
from storage.tables import AuditEntry

PAGE = 200


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def filters(request: web.Request) -> dict[str, str]:
    return {k: request.query.get(k, "").strip()[:200] for k in ("action", "actor", "since", "until")}


async def entries(request: web.Request, wanted: dict[str, str], limit: int | None = PAGE) -> list[AuditEntry]:
    query = select(AuditEntry).where(AuditEntry.workspace_id == viewer_of(request).workspace_id)
    if wanted["action"]:
        query = query.where(col(AuditEntry.action).startswith(wanted["action"]))
    if wanted["actor"]:
        query = query.where(col(AuditEntry.actor).contains(wanted["actor"]))
    since, until = _day(wanted["since"]), _day(wanted["until"])
    if since:
        query = query.where(col(AuditEntry.at) >= datetime.combine(since, time(), timezone.utc))
    if until:
        query = query.where(col(AuditEntry.at) < datetime.combine(until + timedelta(days=1), time(), timezone.utc))
    query = query.order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc())
    async with console_of(request).runtime.db.session() as session:
        return list((await session.exec(query.limit(limit) if limit else query)).all())


async def actions(request: web.Request) -> list[str]:
    async with console_of(request).runtime.db.session() as session:
        query = select(AuditEntry.action).where(AuditEntry.workspace_id == viewer_of(request).workspace_id).distinct()
        return sorted((await session.exec(query)).all())


async def audit(request: web.Request) -> web.StreamResponse:
    wanted = filters(request)
    return render(request, "audit.html", entries=await entries(request, wanted), wanted=wanted,
                  actions=await actions(request), page=PAGE, export_query=request.query_string)


def row(entry: AuditEntry) -> dict[str, Any]:
    detail = entry.detail or {}
    return {"at": entry.at.isoformat(timespec="seconds"), "actor": entry.actor, "action": entry.action,
            "target": entry.target, "via": detail.get("via", ""),
            "before": detail.get("before", detail.get("from")), "after": detail.get("after", detail.get("to")),
            "detail": detail}


async def export(request: web.Request) -> web.StreamResponse:
    rows = [row(e) for e in await entries(request, filters(request), limit=None)]
    stamp = console_of(request).now.strftime("%Y%m%d")
    if request.query.get("format") == "json":
        return web.Response(text=json.dumps(rows, indent=2, ensure_ascii=False, default=str),
                            content_type="application/json", charset="utf-8",
                            headers={"Content-Disposition": f'attachment; filename="audit-{stamp}.json"'})
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["at", "actor", "action", "target", "via", "before", "after"])
    for item in rows:
        writer.writerow([_cell(v) for v in (item["at"], item["actor"], item["action"], item["target"], item["via"],
                                            json.dumps(item["before"], default=str),
                                            json.dumps(item["after"], default=str))])
    return web.Response(text=out.getvalue(), content_type="text/csv", charset="utf-8",
                        headers={"Content-Disposition": f'attachment; filename="audit-{stamp}.csv"'})


def _cell(value: str) -> str:
    """No cell a spreadsheet would run as a formula."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@") else value


def add_routes(app: web.Application) -> None:
    app.router.add_get("/audit", audit)
    app.router.add_get("/audit/export", export)
