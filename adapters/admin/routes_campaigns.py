"""Campaigns in the browser, through the same service the CLI uses: list, create, show with the
preview of the next sends, edit (the changes are shown and confirmed before saving), pause, resume,
end. Every campaign is looked up inside the signed-in admin's workspace, by id."""
from __future__ import annotations

from aiohttp import web
from sqlmodel import select

from adapters.admin import campaign_form
from adapters.admin.console import console_of, not_found, render, viewer_of
from bot.campaigns.preview import preview
from bot.campaigns.service import (BadTransition, CampaignExists, list_campaigns, pending_changes, save, show,
                                   to_spec, transition)
from bot.campaigns.spec import InvalidCampaign
from bot.scheduling.cap import Cap
from storage.tables import Campaign

STATES = {"pause": "paused", "resume": "active", "end": "ended"}


async def _campaign(request: web.Request) -> Campaign | None:
    """The campaign in the URL, only if it belongs to the viewer's workspace."""
    raw = request.match_info.get("id", "")
    if not raw.isdigit():
        return None
    async with console_of(request).runtime.db.session() as session:
        query = select(Campaign).where(Campaign.id == int(raw), Campaign.workspace_id == viewer_of(request).workspace_id)
        return (await session.exec(query)).first()


def _packs(request: web.Request) -> list[tuple[str, str]]:
    return sorted((p.id, p.name) for p in console_of(request).runtime.services.packs.values())


async def campaigns(request: web.Request) -> web.StreamResponse:
    services = console_of(request).runtime.services
    return render(request, "campaigns.html", campaigns=await list_campaigns(services, viewer_of(request).workspace_id))


def _form(request: web.Request, values: dict[str, object], errors: dict[str, list[str]], *,
          campaign: Campaign | None = None, status: int = 200) -> web.Response:
    return render(request, "campaign_form.html", status=status, values=values, errors=errors, campaign=campaign,
                  packs=_packs(request))


async def new_form(request: web.Request) -> web.StreamResponse:
    return _form(request, campaign_form.blank(), {})


async def create(request: web.Request) -> web.StreamResponse:
    console, viewer = console_of(request), viewer_of(request)
    filled = campaign_form.read(await request.post(), console.words)
    if filled.spec is None:
        return _form(request, filled.values, filled.errors, status=400)
    try:
        campaign, _ = await save(console.runtime.services, viewer.workspace_id, filled.spec, actor=viewer.actor,
                                 via="console")
    except InvalidCampaign as exc:
        return _form(request, filled.values, campaign_form.place(exc.errors, console.words), status=400)
    except CampaignExists:
        return _form(request, filled.values, {"name": [console.words("campaign_form.exists")]}, status=409)
    raise web.HTTPSeeOther(f"/admin/campaigns/{campaign.id}")


async def detail(request: web.Request) -> web.StreamResponse:
    campaign = await _campaign(request)
    if campaign is None:
        return not_found(request)
    console, viewer = console_of(request), viewer_of(request)
    services, settings = console.runtime.services, console.runtime.settings
    summary = await show(services, viewer.workspace_id, campaign.name)
    upcoming = await preview(services, viewer.workspace_id, campaign.name, 3,
                             Cap(settings.cap_per_day, settings.cap_per_week))
    return render(request, "campaign.html", campaign=campaign, summary=summary, preview=upcoming,
                  error=request.query.get("error", ""))


async def edit_form(request: web.Request) -> web.StreamResponse:
    campaign = await _campaign(request)
    if campaign is None:
        return not_found(request)
    async with console_of(request).runtime.db.session() as session:
        values = campaign_form.values_of(await to_spec(session, campaign))
    return _form(request, values, {}, campaign=campaign)


async def edit(request: web.Request) -> web.StreamResponse:
    """First post: the changes, to confirm. The confirmed post saves them (the console's --replace)."""
    campaign = await _campaign(request)
    if campaign is None:
        return not_found(request)
    console, viewer = console_of(request), viewer_of(request)
    form = await request.post()
    filled = campaign_form.read(form, console.words, state=campaign.state)
    if filled.spec is None:
        return _form(request, filled.values, filled.errors, campaign=campaign, status=400)
    filled.spec.name = filled.values["name"] = campaign.name  # a rename would be a new campaign
    services = console.runtime.services
    if form.get("confirm") != "yes":
        changes = await pending_changes(services, viewer.workspace_id, filled.spec) or []
        return render(request, "campaign_confirm.html", campaign=campaign, values=filled.values,
                      changes=campaign_form.change_rows(changes, console.words))
    try:
        await save(services, viewer.workspace_id, filled.spec, replace=True, actor=viewer.actor, via="console")
    except InvalidCampaign as exc:
        return _form(request, filled.values, campaign_form.place(exc.errors, console.words), campaign=campaign,
                     status=400)
    except BadTransition as exc:
        return _form(request, filled.values, {"form": [str(exc)]}, campaign=campaign, status=409)
    raise web.HTTPSeeOther(f"/admin/campaigns/{campaign.id}")


async def change_state(request: web.Request) -> web.StreamResponse:
    campaign = await _campaign(request)
    wanted = STATES.get(str((await request.post()).get("action", "")))
    if campaign is None or wanted is None:
        return not_found(request)
    viewer = viewer_of(request)
    try:
        await transition(console_of(request).runtime.services, viewer.workspace_id, campaign.name, wanted,
                         actor=viewer.actor, via="console")
    except BadTransition as exc:
        return render(request, "error.html", status=409, message=str(exc))
    raise web.HTTPSeeOther(f"/admin/campaigns/{campaign.id}")


def add_routes(app: web.Application) -> None:
    app.router.add_get("/campaigns", campaigns)
    app.router.add_get("/campaigns/new", new_form)
    app.router.add_post("/campaigns/new", create)
    app.router.add_get("/campaigns/{id}", detail)
    app.router.add_get("/campaigns/{id}/edit", edit_form)
    app.router.add_post("/campaigns/{id}/edit", edit)
    app.router.add_post("/campaigns/{id}/state", change_state)
