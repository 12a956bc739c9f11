"""Privacy operations: find a person, download everything held about them (JSON), erase them. Both
go through bot.privacy with every adapter's hook, and both are audited; the erase entry names no
one, so it survives the erasure it records."""
from __future__ import annotations

import json

from aiohttp import web
from sqlmodel import col, func, or_, select

from adapters.admin.console import console_of, not_found, render, viewer_of
from bot.privacy import ERASED, PrivacyHooks, erase_person, export_person
from storage.tables import AuditEntry, Person, Team

HOOKS = web.AppKey("privacy_hooks", PrivacyHooks)
LIMIT = 50


def _hooks(request: web.Request) -> PrivacyHooks:
    hooks: PrivacyHooks = request.config_dict[HOOKS]
    return hooks


async def _person(request: web.Request) -> Person | None:
    raw = request.match_info.get("id", "")
    if not raw.isdigit():
        return None
    async with console_of(request).runtime.db.session() as session:
        query = select(Person).where(Person.id == int(raw), Person.workspace_id == viewer_of(request).workspace_id)
        return (await session.exec(query)).first()


async def people(request: web.Request) -> web.StreamResponse:
    q = request.query.get("q", "").strip()[:200]
    found: list[Person] = []
    if q:
        like = f"%{q.lower()}%"
        async with console_of(request).runtime.db.session() as session:
            query = select(Person).where(Person.workspace_id == viewer_of(request).workspace_id, or_(
                func.lower(Person.display_name).like(like), func.lower(Person.email).like(like),
                func.lower(Person.platform_user_id).like(like))).order_by(col(Person.display_name)).limit(LIMIT)
            found = list((await session.exec(query)).all())
    return render(request, "people.html", q=q, people=found, limit=LIMIT, erased=request.query.get("erased") == "1")


async def person(request: web.Request) -> web.StreamResponse:
    found = await _person(request)
    if found is None:
        return not_found(request)
    async with console_of(request).runtime.db.session() as session:
        teams = list((await session.exec(select(Team).where(Team.leader_id == found.id))).all())
    return render(request, "person.html", person=found, teams=teams, done=request.query.get("done", ""))


async def export(request: web.Request) -> web.StreamResponse:
    found, viewer, console = await _person(request), viewer_of(request), console_of(request)
    if found is None:
        return not_found(request)
    if not viewer.can_change:
        return render(request, "error.html", status=403, message=console.words("errors.viewer"))
    async with console.runtime.db.session() as session:
        data = await export_person(session, viewer.workspace_id, found.platform_user_id, _hooks(request))
        session.add(AuditEntry(workspace_id=viewer.workspace_id, actor=viewer.actor, action="person.exported",
                               target=f"person:{found.id}", detail={"via": "console"}, at=console.now))
    body = json.dumps(data, indent=2, ensure_ascii=False, default=str)
    return web.Response(text=body, content_type="application/json", charset="utf-8", headers={
        "Content-Disposition": f'attachment; filename="person-{found.id}.json"'})


async def erase(request: web.Request) -> web.StreamResponse:
    found, viewer, console = await _person(request), viewer_of(request), console_of(request)
    if found is None:
        return not_found(request)
    if (await request.post()).get("understood") != "yes":
        return render(request, "person.html", status=400, person=found, teams=[], done="",
                      error=console.words("person.confirm_needed"))
    async with console.runtime.db.session() as session:
        counts = await erase_person(session, viewer.workspace_id, found.platform_user_id, _hooks(request))
        session.add(AuditEntry(workspace_id=viewer.workspace_id, actor=viewer.actor, action="person.erased",
                               target=ERASED, detail={"via": "console", "after": counts}, at=console.now))
    raise web.HTTPSeeOther("/admin/people?erased=1")


def add_routes(app: web.Application) -> None:
    app.router.add_get("/people", people)
    app.router.add_get("/people/{id}", person)
    app.router.add_get("/people/{id}/export", export)
    app.router.add_post("/people/{id}/erase", erase)
