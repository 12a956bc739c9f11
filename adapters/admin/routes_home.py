"""The overview, the prompt-pack browser and the barrier report: what HR reads before changing
anything. The report goes through bot.insights, which withholds groups below the minimum size."""
from __future__ import annotations

from aiohttp import web
from sqlmodel import col, func, select

from adapters.admin.console import console_of, not_found, render, viewer_of
from bot.campaigns.service import list_campaigns
from bot.insights import barrier_report
from storage.tables import AuditEntry, Person, Team, Workspace

RECENT = 5


async def overview(request: web.Request) -> web.StreamResponse:
    console, viewer = console_of(request), viewer_of(request)
    ws = viewer.workspace_id
    async with console.runtime.db.session() as session:
        workspace = await session.get(Workspace, ws)
        people = (await session.exec(select(func.count()).select_from(Person).where(Person.workspace_id == ws))).one()
        leaders = (await session.exec(select(func.count(func.distinct(Team.leader_id))).where(
            Team.workspace_id == ws, col(Team.leader_id).is_not(None)))).one()
        recent = list((await session.exec(select(AuditEntry).where(AuditEntry.workspace_id == ws)
                                          .order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc())
                                          .limit(RECENT))).all())
    return render(request, "overview.html", workspace=workspace, people=people, leaders=leaders, recent=recent,
                  campaigns=await list_campaigns(console.runtime.services, ws))


async def packs(request: web.Request) -> web.StreamResponse:
    found = sorted(console_of(request).runtime.services.packs.values(), key=lambda p: p.name)
    return render(request, "packs.html", packs=found)


async def pack(request: web.Request) -> web.StreamResponse:
    found = console_of(request).runtime.services.packs.get(request.match_info["id"])
    if found is None:
        return not_found(request)
    return render(request, "pack.html", pack=found)


async def report(request: web.Request) -> web.StreamResponse:
    console = console_of(request)
    async with console.runtime.db.session() as session:
        settings = console.runtime.settings
        found = await barrier_report(session, viewer_of(request).workspace_id, settings.min_group_size,
                                     settings.min_group_size_text)
    return render(request, "report.html", report=found)


def add_routes(app: web.Application) -> None:
    app.router.add_get("", overview)
    app.router.add_get("/", overview)
    app.router.add_get("/packs", packs)
    app.router.add_get("/packs/{id}", pack)
    app.router.add_get("/reports", report)
