"""The directory page: sync people, user groups and channel members from the platform, or import a
CSV; what couldn't be used is listed row by row with the reason."""
from __future__ import annotations

import re
from typing import Any

from aiohttp import web
from sqlmodel import col, func, select

from adapters.admin.console import console_of, render, viewer_of
from bot.core.port import DeliveryError
from bot.directory.csv_import import BadCsv, import_csv
from bot.directory.source import NoDirectory, source_for
from bot.directory.sync import sync_directory
from storage.tables import AuditEntry, Person
from storage.tables.admin import DirectoryGroup, DirectoryMember


async def _page(request: web.Request, *, status: int = 200, **context: Any) -> web.Response:
    console, ws = console_of(request), viewer_of(request).workspace_id
    async with console.runtime.db.session() as session:
        people = (await session.exec(select(func.count()).select_from(Person).where(Person.workspace_id == ws))).one()
        groups = (await session.exec(
            select(DirectoryGroup, func.count(col(DirectoryMember.person_id)))
            .outerjoin(DirectoryMember, col(DirectoryMember.group_id) == col(DirectoryGroup.id))
            .where(DirectoryGroup.workspace_id == ws).group_by(col(DirectoryGroup.id))
            .order_by(col(DirectoryGroup.kind), col(DirectoryGroup.handle)))).all()
        last = (await session.exec(select(AuditEntry).where(
            AuditEntry.workspace_id == ws, col(AuditEntry.action).in_(("directory.synced", "directory.imported")))
            .order_by(col(AuditEntry.at).desc()).limit(1))).first()
    try:
        source_for(console.runtime.services, ws)
        can_sync, why_not = True, ""
    except NoDirectory as exc:
        can_sync, why_not = False, str(exc)
    context.setdefault("sync", None)
    context.setdefault("imported", None)
    context.setdefault("error", "")
    return render(request, "directory.html", status=status, people=people, groups=groups, last=last,
                  can_sync=can_sync, why_not=why_not, **context)


async def directory(request: web.Request) -> web.StreamResponse:
    return await _page(request)


async def sync(request: web.Request) -> web.StreamResponse:
    console, viewer = console_of(request), viewer_of(request)
    channels = [c for c in re.split(r"[\s,]+", str((await request.post()).get("channels", ""))) if c]
    try:
        source = source_for(console.runtime.services, viewer.workspace_id)
        report = await sync_directory(console.runtime.services, viewer.workspace_id, source, actor=viewer.actor,
                                      via="console", channels=channels)
    except NoDirectory as exc:
        return await _page(request, status=409, error=str(exc))
    except DeliveryError as exc:
        return await _page(request, status=502, error=console.words("directory.platform_said", reason=exc.reason))
    return await _page(request, sync=report)


async def upload(request: web.Request) -> web.StreamResponse:
    console, viewer = console_of(request), viewer_of(request)
    field = (await request.post()).get("file")
    raw = getattr(field, "file", None)
    if raw is None:
        return await _page(request, status=400, error=console.words("directory.no_file"))
    try:
        text = raw.read().decode("utf-8")
        report = await import_csv(console.runtime.services, viewer.workspace_id, text, actor=viewer.actor,
                                  via="console")
    except UnicodeDecodeError:
        return await _page(request, status=400, error=console.words("directory.not_utf8"))
    except BadCsv as exc:
        return await _page(request, status=400, error=str(exc))
    return await _page(request, imported=report)


def add_routes(app: web.Application) -> None:
    app.router.add_get("/directory", directory)
    app.router.add_post("/directory/sync", sync)
    app.router.add_post("/directory/import", upload)
