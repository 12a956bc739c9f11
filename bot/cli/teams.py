"""`gofirst teams package`: the app package an admin uploads to Teams."""
from __future__ import annotations

import logging
from pathlib import Path

import typer

from bot.cli.common import fail
from bot.config import Settings

log = logging.getLogger("gofirst.teams")
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def check_serve_settings(settings: Settings) -> None:
    """Called by `gofirst serve`. An empty MicrosoftAppId turns Bot Framework's token check off, so
    Teams is only served without one in an explicit, loudly logged dev mode."""
    half_configured = settings.teams_app_password is not None or settings.teams_app_tenant_id
    if not settings.teams_app_id and half_configured and not settings.teams_dev_mode:
        fail("MicrosoftAppPassword or MicrosoftAppTenantId is set but MicrosoftAppId is empty. Without an app id "
             "Bot Framework tokens are not checked, so GoFirst refuses to serve Teams. Set MicrosoftAppId, or "
             "GOFIRST_TEAMS_DEV_MODE=1 for local testing only.")
    if settings.teams_dev_mode and not settings.teams_app_id:
        exposed = "" if settings.host in LOOPBACK else f" AND IT LISTENS ON {settings.host}, BEYOND THIS MACHINE"
        log.warning("!" * 78)
        log.warning("TEAMS DEV MODE (GOFIRST_TEAMS_DEV_MODE=1): MicrosoftAppId is empty, so /api/messages accepts "
                    "activities WITHOUT checking Bot Framework tokens%s. Anyone who can reach it can act as any "
                    "Teams user. Never run this in production.", exposed)
        log.warning("!" * 78)
    elif settings.teams_dev_mode:
        log.warning("GOFIRST_TEAMS_DEV_MODE=1 is ignored: MicrosoftAppId is set, so tokens are checked")

teams_app = typer.Typer(help="Microsoft Teams: build the app package.", no_args_is_help=True)


@teams_app.command("package")
def package(
    bot_id: str = typer.Option(..., "--bot-id", help="The bot's Microsoft App ID (MicrosoftAppId), a GUID."),
    domain: str = typer.Option(..., "--domain", help="The public host GoFirst is served on, e.g. gofirst.example.com."),
    output: Path = typer.Option(Path("gofirst-teams.zip"), "--output", help="Where to write the zip."),
    app_version: str = typer.Option("1.0.0", "--app-version", help="Raise it for each upload of a changed package."),
    manifest_version: str = typer.Option("1.24", "--manifest-version", help="Teams manifest schema: 1.24 or 1.30."),
) -> None:
    """Write manifest.json, color.png and outline.png into a zip for Teams' "Upload a custom app"."""
    from adapters.teams.package import RSC, PackageError, build

    if output.suffix.lower() != ".zip":
        fail(f"--output must name a .zip file; got {output}")
    try:
        data = build(bot_id, domain, output, app_version, manifest_version)
    except PackageError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror}")
    commands = ", ".join(c["title"] for c in data["bots"][0]["commandLists"][0]["commands"])
    typer.echo(f"Wrote {output} (manifest {data['manifestVersion']}, app id {data['id']}, version {data['version']}).")
    typer.echo(f"Commands: {commands}. Asks for the resource-specific permission {RSC} "
               "(read this team's channel messages without an @mention).")
    typer.echo("Upload it in Teams: Apps → Manage your apps → Upload an app → Upload a custom app.")


def register(app: typer.Typer) -> None:
    app.add_typer(teams_app, name="teams")
